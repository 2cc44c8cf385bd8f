//! cargo-fuzz target `envelope`: see `crates/genauth-core/tests/fuzz_harness`.
#![no_main]

#[path = "../../crates/genauth-core/tests/fuzz_harness/mod.rs"]
mod fuzz_harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_harness::envelope(data));
