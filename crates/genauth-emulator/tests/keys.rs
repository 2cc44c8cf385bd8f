//! Key rotation: `RunningEmulator::rotate_keys` and the binary's admin route.

use std::time::Duration;

use crate::common::{raw, raw_form, raw_get};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use bytes::Bytes;
use genauth_emulator::{App, Emulator, RunningEmulator};
use serde_json::Value;

async fn emulator() -> RunningEmulator {
    Emulator::builder()
        .app(App::new("app-keys", "app-keys-secret"))
        .start()
        .await
        .unwrap()
}

async fn jwks_kids(emu: &RunningEmulator) -> Vec<String> {
    let (status, _, body) = raw_get(&format!("{}/oidc/.well-known/jwks.json", emu.url())).await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&body).unwrap();
    v["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

/// The `kid` in the header of a fresh client-credentials access token.
async fn token_kid(emu: &RunningEmulator) -> String {
    let (status, t) = raw_form(
        &format!("{}/oidc/token", emu.url()),
        None,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "read"),
            ("client_id", "app-keys"),
            ("client_secret", "app-keys-secret"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{t}");
    let jwt = t["access_token"].as_str().unwrap();
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(jwt.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    header["kid"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn rotation_signs_under_a_new_kid_and_keeps_the_old_key_for_its_grace() {
    let emu = emulator().await;
    let k1 = emu.current_kid();
    assert_eq!(jwks_kids(&emu).await, vec![k1.clone()]);
    assert_eq!(token_kid(&emu).await, k1);

    let k2 = emu.rotate_keys().unwrap();
    assert_ne!(k1, k2);
    assert_eq!(emu.current_kid(), k2);
    assert_eq!(token_kid(&emu).await, k2);
    // The old key is still published (default grace: the token lifetimes).
    assert_eq!(jwks_kids(&emu).await, vec![k2.clone(), k1.clone()]);

    // A short grace: the key is published, then dropped once it ends.
    let k3 = emu
        .rotate_keys_with_grace(Duration::from_millis(300))
        .unwrap();
    assert_eq!(
        jwks_kids(&emu).await,
        vec![k3.clone(), k1.clone(), k2.clone()]
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(jwks_kids(&emu).await, vec![k3.clone(), k1.clone()]);
    assert_eq!(emu.jwks()["keys"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_admin_route_rotates_for_the_binary() {
    let emu = emulator().await;
    let k1 = emu.current_kid();
    let post = |q: &str| {
        http::Request::post(format!("{}/__emulator/rotate-keys{q}", emu.url()))
            .body(genauth_core::Body::from(Bytes::new()))
            .unwrap()
    };
    let (status, _, body) = raw(post("?grace_secs=0")).await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&body).unwrap();
    let k2 = v["kid"].as_str().unwrap().to_owned();
    assert_eq!(v["grace_secs"], 0);
    assert_eq!(emu.current_kid(), k2);
    // Grace 0: the old key is gone at once.
    assert_eq!(jwks_kids(&emu).await, vec![k2.clone()]);
    assert_ne!(k1, k2);

    let (status, _, _) = raw(post("?grace_secs=soon")).await;
    assert_eq!(status, 400);
    let (status, _, _) = raw_get(&format!("{}/__emulator/rotate-keys", emu.url())).await;
    assert_eq!(status, 405);
    assert_eq!(emu.current_kid(), k2);
}
