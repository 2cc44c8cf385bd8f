//! The emulator's tests, built as one test binary (one link instead of one per
//! file). Each file of tests/ is a module here; add a new one with a `mod` line.

#[macro_use]
mod common;

mod all_operations;
mod authentication;
mod binary;
mod brands;
mod events;
mod faithful;
mod fallback;
mod faults;
mod generated_methods;
mod keys;
mod management;
mod mfa;
mod oidc;
mod organizations;
mod saml;
mod signed;
mod webhooks;
