//! Every operation of the generated registry, through the hyper client,
//! against the emulator.

use crate::common;

use genauth_core::ops::registry::{all, ClientKind, OperationMeta};
use genauth_core::Error;
use genauth_emulator::{Emulator, RunningEmulator, TestUser};

/// Sends the operation's synthetic request and decodes the answer.
async fn call(emu: &RunningEmulator, meta: &OperationMeta, token: &str) -> Result<(), Error> {
    match meta.client {
        ClientKind::Authentication => {
            let client = common::authentication(emu);
            client.set_access_token(token);
            let build = meta.synthetic_auth_request.ok_or_else(|| {
                Error::invalid_input(meta.name, "no synthetic authentication request")
            })?;
            let req = build(client.config(), client.access_token().as_ref())?;
            (meta.decode)(client.send_http(req).await?)
        }
        ClientKind::Management => {
            let client = common::management(emu);
            let build = meta.synthetic_mgmt_request.ok_or_else(|| {
                Error::invalid_input(meta.name, "no synthetic management request")
            })?;
            let req = build(client.config())?;
            (meta.decode)(client.send_http(req).await?)
        }
    }
}

#[tokio::test]
async fn every_operation_returns_ok_from_the_table() {
    assert_eq!(all().len(), 435);
    let emu = Emulator::builder().table_only(true).start().await.unwrap();
    let mut failures = Vec::new();
    for meta in all() {
        if let Err(e) = call(&emu, meta, "synthetic-user-token").await {
            failures.push(format!("{} {} {}: {e}", meta.name, meta.method, meta.path));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn stateful_operations_answer_envelopes_that_decode() {
    // With state, synthetic arguments name users and roles that do not exist:
    // such calls must fail as API errors (an envelope), never as decode,
    // HTTP or transport errors, and every success must decode.
    // User-token operations need a live token: a signed-in user's.
    let emu = Emulator::builder()
        .user(TestUser::email("ann@example.com").with_password("pw-ann-1"))
        .start()
        .await
        .unwrap();
    let token = common::authentication(&emu)
        .sign_in_by_email_password("ann@example.com", "pw-ann-1")
        .await
        .unwrap()
        .access_token
        .expect("sign-in returns an access token");
    let mut failures = Vec::new();
    let mut ok = 0;
    for meta in all() {
        match call(&emu, meta, token.expose()).await {
            Ok(()) => ok += 1,
            Err(Error::Api(_)) => {}
            Err(e) => failures.push(format!("{} {} {}: {e}", meta.name, meta.method, meta.path)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(ok > 380, "only {ok} operations succeeded");
}
