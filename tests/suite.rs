//! The workspace's cross-crate tests, built as one test binary (one link instead
//! of one per file: the CI machine's disk and link time). Each file of tests/ is
//! a module here; add a new one with a `mod` line below and list it nowhere else.

mod support;

mod axum_app;
mod errors;
mod generated_api;
mod generated_examples;
mod guard;
mod hardening;
mod keyset;
mod mcp;
mod page_setters;
mod pagination;
mod protocols;
mod quickstart;
mod resource_indicators;
mod slice;
mod trace_spans;
mod transport;
