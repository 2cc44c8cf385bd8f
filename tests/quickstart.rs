//! Runs the README's quickstart (examples/quickstart.rs) as a test, so the
//! offline story keeps working.

#[path = "../examples/quickstart.rs"]
mod example;

#[test]
fn the_quickstart_runs_offline() {
    if let Err(e) = example::main() {
        panic!("the quickstart failed: {e}");
    }
}
