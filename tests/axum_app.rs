//! Runs examples/axum_app.rs (login, callback, session, bearer API, logout,
//! driven in process with tower's `oneshot`) as a test.

#[path = "../examples/axum_app.rs"]
mod example;

#[test]
fn the_axum_example_runs_offline() {
    if let Err(e) = example::main() {
        panic!("the axum example failed: {e}");
    }
}
