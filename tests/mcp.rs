//! examples/mcp_server.rs driven by rmcp's own MCP client and its OAuth
//! support, offline: the emulator is GenAuth, a scripted HTTP client is the
//! user's browser at the emulator's login form.
//!
//! The client connects without a token, follows the 401 to the protected
//! resource metadata, discovers GenAuth from it, logs the user in with the
//! authorization code flow and PKCE (sending the server's URL as `resource`),
//! and calls the tools with a token bound to the server. Refusals: a token for
//! another resource or for the app (401), a token without a tool's scope (403,
//! then rmcp's scope step-up), an expired token (refreshed by the client).

#[path = "../examples/mcp_server.rs"]
mod example;

use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use genauth::protocol::AuthorizeParams;
use genauth::{AuthenticationClient, AuthenticationClientOptions, TokenEndpointAuthMethod};
use http_body_util::BodyExt as _;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rmcp::model::CallToolRequestParams;
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::auth::{AuthClient, AuthorizationCallback, AuthorizationRequest, OAuthState};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::ServiceExt;
use serde_json::Value;

use example::{Running, Setup, CLIENT_ID, EMAIL, PASSWORD, REDIRECT_URI};

type Mcp = RunningService<RoleClient, ()>;

/// The user at the emulator's login page: opens `authorize_url`, gets the
/// form, posts the account and password, and returns where GenAuth sends the
/// browser back (the redirect URI with `code` and `state`).
async fn log_in(authorize_url: &str) -> String {
    let client: Client<_, http_body_util::Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    let page = client.get(authorize_url.parse().unwrap()).await.unwrap();
    assert_eq!(page.status(), 200, "the login form");
    let html = page.into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&html).contains("name=\"password\""));
    // The form posts back to the same URL, which carries the authorization request.
    let form = format!(
        "account={}&password={}",
        genauth_core::request::form_urlencoded_component(EMAIL),
        genauth_core::request::form_urlencoded_component(PASSWORD)
    );
    let req = http::Request::post(authorize_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(http_body_util::Full::new(Bytes::from(form)))
        .unwrap();
    let resp = client.request(req).await.unwrap();
    assert_eq!(resp.status(), 302, "GenAuth redirects back after the login");
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(REDIRECT_URI), "{location}");
    location
}

fn query_value(url: &str, name: &str) -> Vec<String> {
    let q = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    let pairs: Vec<(String, String)> = serde_html_form::from_str(q).unwrap();
    pairs
        .into_iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v)
        .collect()
}

/// The claims of a JWT, unverified (the server verifies; the test looks).
fn payload(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap()
}

/// rmcp's OAuth flow against the server at `url`, seeded by the challenge of
/// a 401, with the pre-registered GenAuth app as the client (GenAuth has no
/// dynamic client registration). `scopes` empty: rmcp picks them from the
/// resource metadata.
async fn authorize(url: &str, challenge: &str, scopes: &[&str]) -> AuthClient<reqwest::Client> {
    let mut oauth = OAuthState::new(url, None).await.unwrap();
    let mut request = AuthorizationRequest::new(REDIRECT_URI)
        .with_preregistered_client(CLIENT_ID)
        .with_challenge(challenge);
    if !scopes.is_empty() {
        request = request.with_scopes(scopes.iter().copied());
    }
    oauth.start_authorization(request).await.unwrap();
    let authorize_url = oauth.get_authorization_url().await.unwrap();
    // GenAuth's authorization endpoint, found through the metadata, with
    // the server's URL as the resource indicator and an S256 challenge.
    assert!(authorize_url.contains("/oidc/auth?"), "{authorize_url}");
    assert_eq!(query_value(&authorize_url, "resource"), [url]);
    assert_eq!(
        query_value(&authorize_url, "code_challenge_method"),
        ["S256"]
    );
    assert_eq!(query_value(&authorize_url, "client_id"), [CLIENT_ID]);
    let callback = log_in(&authorize_url).await;
    oauth.handle_callback_url(&callback).await.unwrap();
    let manager = oauth
        .into_authorization_manager()
        .expect("authorized after the callback");
    AuthClient::new(reqwest::Client::new(), manager)
}

async fn access_token(client: &AuthClient<reqwest::Client>) -> String {
    client.get_access_token().await.unwrap()
}

async fn connect(url: &str, client: &AuthClient<reqwest::Client>) -> Mcp {
    let transport = StreamableHttpClientTransport::with_client(
        client.clone(),
        StreamableHttpClientTransportConfig::with_uri(url),
    );
    ().serve(transport).await.unwrap()
}

/// A tool's result: the JSON text of its first content block.
async fn call(mcp: &Mcp, tool: &'static str) -> Result<Value, rmcp::ServiceError> {
    let result = mcp.call_tool(CallToolRequestParams::new(tool)).await?;
    assert_ne!(result.is_error, Some(true), "{tool}: {result:?}");
    let text = &result.content[0].as_text().expect("a text block").text;
    Ok(serde_json::from_str(text).unwrap())
}

/// The 401 of a connection without a token, with its challenge.
async fn challenge_without_token(url: &str) -> String {
    let err =
        ().serve(StreamableHttpClientTransport::from_uri(url))
            .await
            .expect_err("the server wants a token");
    assert!(err.is_authorization_required(), "{err}");
    err.auth_challenge().expect("a challenge").to_owned()
}

/// A raw request with `token`: the status and the challenge.
async fn raw(url: &str, token: &str) -> (u16, String) {
    let client: Client<_, http_body_util::Empty<Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    let req = http::Request::get(url)
        .header("authorization", format!("Bearer {token}"))
        .header("accept", "text/event-stream")
        .body(http_body_util::Empty::new())
        .unwrap();
    let resp = client.request(req).await.unwrap();
    let challenge = resp
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (resp.status().as_u16(), challenge)
}

fn metadata_pointer(running: &Running) -> String {
    format!("resource_metadata=\"{}\"", running.resource.metadata_url())
}

#[tokio::test(flavor = "multi_thread")]
async fn rmcp_logs_in_through_genauth_and_calls_both_tools() {
    let running = example::start(Setup::default()).await.unwrap();
    let url = running.url.as_str();

    // The discovery chain as documents: 401 → RFC 9728 metadata → GenAuth.
    assert_eq!(
        example::check_discovery(&running).await.unwrap(),
        running.emulator.issuer()
    );

    // rmcp without a token: refused with a pointer to the metadata.
    let challenge = challenge_without_token(url).await;
    assert_eq!(challenge, format!("Bearer {}", metadata_pointer(&running)));

    // rmcp follows it: metadata, GenAuth's discovery, login with PKCE.
    let client = authorize(url, &challenge, &[]).await;
    let token = access_token(&client).await;
    let claims = payload(&token);
    assert_eq!(claims["aud"], url, "the token is bound to this server");
    assert_eq!(claims["iss"], running.emulator.issuer());
    let user_id = running.emulator.user_id(EMAIL).unwrap();
    assert_eq!(claims["sub"], user_id.as_str());

    let mcp = connect(url, &client).await;
    let mut tools: Vec<String> = mcp
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    tools.sort();
    assert_eq!(tools, ["my_profile", "whoami"]);

    let me = call(&mcp, "whoami").await.unwrap();
    assert_eq!(me["sub"], user_id.as_str());
    assert_eq!(me["aud"], serde_json::json!([url]));
    assert_eq!(me["iss"], running.emulator.issuer());
    let scope = me["scope"].as_str().unwrap();
    for s in ["openid", "profile", "offline_access"] {
        assert!(scope.split(' ').any(|x| x == s), "{scope}");
    }

    // The per-user call: GenAuth's record of this user, fetched by the server.
    let profile = call(&mcp, "my_profile").await.unwrap();
    assert_eq!(profile["user_id"], user_id.as_str());
    assert_eq!(profile["email"], EMAIL);
    assert_eq!(profile["name"], "Ann");
    mcp.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_for_another_audience_are_refused_with_401() {
    const OTHER: &str = "https://other-mcp.example.com/mcp";
    let running = example::start(Setup {
        other_resources: vec![OTHER.to_owned()],
        ..Setup::default()
    })
    .await
    .unwrap();
    let url = running.url.as_str();
    // The app's own client (this SDK) logs the user in for another resource.
    let app = AuthenticationClient::new(
        AuthenticationClientOptions::new(CLIENT_ID, running.emulator.url())
            .redirect_uri(REDIRECT_URI)
            .token_endpoint_auth_method(TokenEndpointAuthMethod::None),
    )
    .unwrap();
    let mut tokens = Vec::new();
    for resource in [Some(OTHER), None] {
        let mut params = AuthorizeParams::new().scope("openid profile");
        if let Some(r) = resource {
            params = params.resource(r);
        }
        let login = app.start_redirect_login(params).unwrap();
        let back = log_in(&login.url).await;
        let query = back.split_once('?').unwrap().1;
        let done = app
            .handle_redirect_callback(query, &login.transaction)
            .await
            .unwrap();
        let token = done.tokens.access_token.unwrap().expose().to_owned();
        // For the other server, or (without a resource indicator) for the app.
        assert_eq!(payload(&token)["aud"], resource.unwrap_or(CLIENT_ID));
        tokens.push(token);
    }
    let invalid = format!(
        "Bearer error=\"invalid_token\", {}",
        metadata_pointer(&running)
    );
    for token in &tokens {
        assert_eq!(raw(url, token).await, (401, invalid.clone()));
        // rmcp's client with that token gets the same refusal.
        let transport = StreamableHttpClientTransport::from_config(
            StreamableHttpClientTransportConfig::with_uri(url).auth_header(token.clone()),
        );
        let err = ().serve(transport).await.expect_err("refused");
        assert_eq!(err.auth_challenge(), Some(invalid.as_str()));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_without_the_tools_scope_gets_403_and_rmcp_steps_up() {
    let running = example::start(Setup::default()).await.unwrap();
    let url = running.url.as_str();
    let challenge = challenge_without_token(url).await;
    // A login that asks for less than the profile tool needs.
    let client = authorize(url, &challenge, &["openid"]).await;
    let scope = payload(&access_token(&client).await)["scope"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!scope.split(' ').any(|s| s == "profile"), "{scope}");

    let mcp = connect(url, &client).await;
    call(&mcp, "whoami").await.unwrap();
    let err = call(&mcp, "my_profile").await.expect_err("403");
    let insufficient = format!(
        "Bearer error=\"insufficient_scope\", scope=\"profile\", {}",
        metadata_pointer(&running)
    );
    assert_eq!(err.auth_challenge(), Some(insufficient.as_str()));

    // rmcp's step-up: a new authorization for the union of the scopes.
    let upgrade_url = client
        .auth_manager
        .lock()
        .await
        .request_scope_upgrade("profile")
        .await
        .unwrap();
    let asked = query_value(&upgrade_url, "scope").join(" ");
    for s in ["openid", "profile"] {
        assert!(asked.split(' ').any(|x| x == s), "{asked}");
    }
    assert_eq!(query_value(&upgrade_url, "resource"), [url]);
    let back = AuthorizationCallback::from_redirect_url(&log_in(&upgrade_url).await).unwrap();
    client
        .auth_manager
        .lock()
        .await
        .exchange_code_for_token(&back.code, &back.csrf_token)
        .await
        .unwrap();
    let scope = payload(&access_token(&client).await)["scope"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(scope.split(' ').any(|s| s == "profile"), "{scope}");
    // The same session goes on with the new token.
    let profile = call(&mcp, "my_profile").await.unwrap();
    assert_eq!(profile["email"], EMAIL);
    mcp.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_is_refused_and_rmcp_refreshes_it() {
    let running = example::start(Setup {
        lifetimes: Some(genauth_emulator::Lifetimes {
            access_token: Duration::from_secs(2),
            ..Default::default()
        }),
        leeway: Some(Duration::ZERO),
        ..Setup::default()
    })
    .await
    .unwrap();
    let url = running.url.as_str();
    let challenge = challenge_without_token(url).await;
    let client = authorize(url, &challenge, &[]).await;
    let mcp = connect(url, &client).await;
    call(&mcp, "whoami").await.unwrap();
    let first = access_token(&client).await;
    let exchanges = running.emulator.request_count("/oidc/token");

    tokio::time::sleep(Duration::from_millis(3100)).await;
    // The server refuses the expired token ...
    let invalid = format!(
        "Bearer error=\"invalid_token\", {}",
        metadata_pointer(&running)
    );
    assert_eq!(raw(url, &first).await, (401, invalid));
    // ... and rmcp's client refreshes it (refresh token grant, same resource).
    let me = call(&mcp, "whoami").await.unwrap();
    let second = access_token(&client).await;
    assert_ne!(first, second);
    assert!(running.emulator.request_count("/oidc/token") > exchanges);
    assert_eq!(payload(&second)["aud"], url);
    assert_eq!(me["aud"], serde_json::json!([url]));
    mcp.cancel().await.unwrap();
}

#[test]
fn the_mcp_example_runs_offline() {
    if let Err(e) = example::main() {
        panic!("the MCP server example failed: {e}");
    }
}
