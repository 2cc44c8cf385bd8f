//! Signed management requests against the emulator: the real client signs
//! each attempt, the emulator verifies, and refuses wrong, stale or replayed
//! signatures.

use crate::common;

use crate::common::User as UserDto;
use genauth_core::{Brand, ManagementAuth, ManagementClientOptions, ManagementConfig};
use genauth_emulator::{Emulator, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET};
use genauth_tower::ManagementClient;
use serde_json::{json, Value};

op!(
    CreateUser,
    POST,
    "/api/v3/create-user",
    ManagementToken,
    Json,
    UserDto
);
op!(
    GetUser,
    GET,
    "/api/v3/get-user",
    ManagementToken,
    Query,
    UserDto
);

fn options(
    brand: Brand,
    secret: &str,
    emu: &genauth_emulator::RunningEmulator,
) -> ManagementClientOptions {
    ManagementClientOptions::new(DEFAULT_ACCESS_KEY_ID, secret)
        .brand(brand)
        .host(emu.url())
        .auth(ManagementAuth::SignedRequests)
}

#[tokio::test]
async fn signed_clients_of_both_brands_work_without_a_token() {
    let emu = Emulator::builder().start().await.unwrap();
    for brand in Brand::ALL {
        let client =
            ManagementClient::new(options(brand, DEFAULT_ACCESS_KEY_SECRET, &emu)).unwrap();
        let email = format!("signed-{}@example.com", brand.name());
        let created = client
            .send(&CreateUser(
                json!({"email": email, "nickname": "S é", "customData": {"k": [1, "x"]}}),
            ))
            .await
            .unwrap();
        let got = client
            .send(&GetUser(vec![("userId", created.user_id.clone())]))
            .await
            .unwrap();
        assert_eq!(got.email.as_deref(), Some(email.as_str()));
        assert_eq!(
            client.token_cache().fetch_count(),
            0,
            "{brand}: no token fetched"
        );
    }
}

#[tokio::test]
async fn a_wrong_secret_is_refused() {
    let emu = Emulator::builder().start().await.unwrap();
    let client = ManagementClient::new(options(Brand::Authing, "not-the-secret", &emu)).unwrap();
    let err = client
        .send(&GetUser(vec![("userId", "u-1".into())]))
        .await
        .unwrap_err();
    let api = err.as_api().expect("an API error");
    assert_eq!(api.status_code.code(), 401, "{err}");
    assert!(
        err.to_string().contains("signature does not match"),
        "{err}"
    );
}

async fn send(req: http::Request<genauth_core::Body>) -> Value {
    let (_, _, body) = common::raw(req).await;
    serde_json::from_slice(&body).unwrap()
}

#[tokio::test]
async fn replayed_and_stale_signatures_are_refused() {
    let emu = Emulator::builder().start().await.unwrap();
    let cfg =
        ManagementConfig::new(options(Brand::GenAuth, DEFAULT_ACCESS_KEY_SECRET, &emu)).unwrap();
    let op = GetUser(vec![("userId", "nobody".into())]);
    let now = httpdate::fmt_http_date(std::time::SystemTime::now());
    let nonce = genauth_tower::layers::signature_nonce();
    let req = cfg.signed_request(&op, &nonce, &now).unwrap();
    let replay = genauth_tower::layers::clone_request(&req);

    // First use: the signature is accepted (the user just does not exist).
    let first = send(req).await;
    assert_ne!(first["statusCode"], 401, "{first}");
    // Same nonce again: refused as a replay.
    let second = send(replay).await;
    assert_eq!(second["statusCode"], 401, "{second}");
    assert!(
        second["message"].as_str().unwrap().contains("replay"),
        "{second}"
    );

    // A date an hour off: refused, whatever the nonce.
    let old = httpdate::fmt_http_date(
        std::time::SystemTime::now() - std::time::Duration::from_secs(3600),
    );
    let stale = cfg
        .signed_request(&op, &genauth_tower::layers::signature_nonce(), &old)
        .unwrap();
    let v = send(stale).await;
    assert_eq!(v["statusCode"], 401, "{v}");
    assert!(v["message"].as_str().unwrap().contains("date"), "{v}");

    // A signed request changed after signing: refused.
    let mut changed = cfg
        .signed_request(&op, &genauth_tower::layers::signature_nonce(), &now)
        .unwrap();
    *changed.uri_mut() = format!("{}/api/v3/get-user?userId=somebody", emu.url())
        .parse()
        .unwrap();
    let v = send(changed).await;
    assert_eq!(v["statusCode"], 401, "{v}");

    // A forged "verified" marker does not let an unsigned request in.
    let mut forged = cfg.request(&op, None).unwrap();
    forged
        .headers_mut()
        .insert("x-emulator-signature-verified", "yes".parse().unwrap());
    let v = send(forged).await;
    assert_eq!(v["statusCode"], 401, "{v}");
}
