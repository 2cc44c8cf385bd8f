//! Resource indicators (RFC 8707) from this SDK's side, against the emulator:
//! the redirect login of `WebLogin`, refresh and client credentials with
//! `TokenParams`, and a guard that accepts the resource beside the app id.

use base64::Engine as _;
use bytes::Bytes;
use genauth::protocol::{AuthorizeParams, TokenParams};
use genauth::{AuthenticationClient, AuthenticationClientOptions, Error, ProtocolError};
use genauth_axum::{Key, WebLogin};
use genauth_emulator::{App, Emulator, TestUser, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET};
use genauth_tower::guard::Guard;
use http_body_util::BodyExt as _;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

const APP: &str = "app-resources";
const SECRET: &str = "app-resources-secret";
const CB: &str = "http://127.0.0.1:9/callback";
const MCP: &str = "http://127.0.0.1:9/mcp";
const API: &str = "https://api.example.com/";

fn aud(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap();
    claims["aud"].clone()
}

/// Follows the login URL to the emulator (which approves the user) and
/// returns the callback's query.
async fn approve(url: &str) -> String {
    let client: Client<_, http_body_util::Empty<Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    let resp = client.get(url.parse().unwrap()).await.unwrap();
    assert_eq!(resp.status(), 302);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let _ = resp.into_body().collect().await;
    assert!(location.starts_with(CB), "{location}");
    location.split_once('?').unwrap().1.to_owned()
}

#[tokio::test]
async fn web_login_refresh_and_client_credentials_bind_the_audience() {
    let emu = Emulator::builder()
        .user(TestUser::email("ann@example.com").with_password("pw-ann-1"))
        .app(
            App::new(APP, SECRET)
                .redirect_uri(CB)
                .resource(MCP)
                .resource(API),
        )
        .auto_approve("ann@example.com")
        .start()
        .await
        .unwrap();
    let auth = AuthenticationClient::new(
        AuthenticationClientOptions::new(APP, emu.url())
            .app_secret(SECRET)
            .redirect_uri(CB),
    )
    .unwrap();

    // WebLogin: the resource indicators of its authorize parameters travel in
    // the sealed login cookie to the code exchange.
    let web = WebLogin::new(auth.clone(), Key::generate()).authorize_params(
        AuthorizeParams::new()
            .scope("openid offline_access")
            .resource(MCP)
            .resource(API),
    );
    let start = web.start().unwrap();
    let location = start.headers()["location"].to_str().unwrap().to_owned();
    let cookie = start.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let query = approve(&location).await;
    let mut headers = http::HeaderMap::new();
    headers.insert("cookie", cookie.parse().unwrap());
    let done = web.finish(&headers, &query).await.unwrap();
    let access = done.tokens.access_token.unwrap();
    assert_eq!(aud(access.expose()), serde_json::json!([MCP, API]));
    assert_eq!(
        done.id_claims.unwrap().aud,
        [APP],
        "the ID token is the app's"
    );

    // Refresh for one of the login's resources.
    let refresh = done.tokens.refresh_token.unwrap();
    let one = auth
        .get_new_access_token_by_refresh_token_with(&refresh, &TokenParams::new().resource(MCP))
        .await
        .unwrap();
    let for_mcp = one.access_token.clone().unwrap();
    assert_eq!(aud(for_mcp.expose()), MCP);
    // A resource the login did not name: GenAuth's `invalid_target`, typed.
    let e = auth
        .get_new_access_token_by_refresh_token_with(
            &one.refresh_token.unwrap(),
            &TokenParams::new().resource("https://elsewhere.example.com/"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::Protocol(p) if matches!(&**p, ProtocolError::OAuth { error, .. } if error == "invalid_target")),
        "{e}"
    );

    // Client credentials of the app, for one resource.
    let m2m = auth
        .get_access_token_by_client_credentials_with(
            "read",
            APP,
            &SECRET.into(),
            &TokenParams::new().resource(API),
        )
        .await
        .unwrap();
    let m2m = m2m.access_token.unwrap();
    assert_eq!(aud(m2m.expose()), API);
    // An access key registers no resource.
    assert!(auth
        .get_access_token_by_client_credentials_with(
            "read",
            DEFAULT_ACCESS_KEY_ID,
            &DEFAULT_ACCESS_KEY_SECRET.into(),
            &TokenParams::new().resource(API),
        )
        .await
        .is_err());

    // A guard for the API that also accepts the app's own tokens.
    let beside = Guard::new(auth.clone()).verifier(
        auth.token_verifier()
            .audience(API)
            .also_accept_audience(APP),
    );
    let only = Guard::new(auth.clone()).verifier(auth.token_verifier().audience(API));
    let plain = auth
        .get_access_token_by_client_credentials("read", APP, &SECRET.into())
        .await
        .unwrap()
        .access_token
        .unwrap();
    assert_eq!(aud(plain.expose()), APP);
    beside.verify(m2m.expose()).await.unwrap();
    beside.verify(plain.expose()).await.unwrap();
    only.verify(m2m.expose()).await.unwrap();
    assert!(only.verify(plain.expose()).await.is_err());
    // A token for the other resource passes neither.
    assert!(beside.verify(for_mcp.expose()).await.is_err());
    assert!(only.verify(for_mcp.expose()).await.is_err());
}
