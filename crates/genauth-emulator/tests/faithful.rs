//! The emulator accepts what the service accepts and refuses what it
//! refuses: the faults found by running the official Python SDK against it.

use crate::common::{location, raw, raw_form, raw_json};
use genauth_core::TokenEndpointAuthMethod;
use genauth_emulator::{
    App, Emulator, RunningEmulator, TestUser, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET,
    DEFAULT_APP_ID, DEFAULT_APP_SECRET, DEFAULT_REDIRECT_URI, DEFAULT_USERPOOL_ID,
};
use serde_json::{json, Value};

async fn emulator() -> RunningEmulator {
    Emulator::builder()
        .user(TestUser::email("ann@example.com").with_password("pw-ann-1"))
        .app(
            App::new(DEFAULT_APP_ID, DEFAULT_APP_SECRET)
                .redirect_uri(DEFAULT_REDIRECT_URI)
                .post_logout_redirect_uri("http://127.0.0.1/bye"),
        )
        .app(App::public("public-app").redirect_uri(DEFAULT_REDIRECT_URI))
        .start()
        .await
        .unwrap()
}

async fn management_token(emu: &RunningEmulator) -> String {
    let v = raw_json(
        "POST",
        &format!("{}/api/v3/get-management-token", emu.url()),
        &[],
        &json!({"accessKeyId": DEFAULT_ACCESS_KEY_ID, "accessKeySecret": DEFAULT_ACCESS_KEY_SECRET}),
    )
    .await;
    v["data"]["access_token"].as_str().unwrap().to_owned()
}

async fn mgmt(emu: &RunningEmulator, method: &str, path_and_query: &str, body: &Value) -> Value {
    let token = format!("Bearer {}", management_token(emu).await);
    raw_json(
        method,
        &format!("{}{path_and_query}", emu.url()),
        &[
            ("authorization", token.as_str()),
            ("x-genauth-userpool-id", DEFAULT_USERPOOL_ID),
        ],
        body,
    )
    .await
}

/// Signs ann in with the app's credentials in the body; the whole envelope.
async fn sign_in(emu: &RunningEmulator, extra: Value) -> Value {
    let mut body = json!({
        "connection": "PASSWORD",
        "passwordPayload": {"email": "ann@example.com", "password": "pw-ann-1"},
        "options": {"scope": "openid profile offline_access"},
    });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    raw_json(
        "POST",
        &format!("{}/api/v3/signin", emu.url()),
        &[("x-genauth-app-id", DEFAULT_APP_ID)],
        &body,
    )
    .await
}

async fn access_token(emu: &RunningEmulator) -> (String, String) {
    let v = sign_in(
        emu,
        json!({"client_id": DEFAULT_APP_ID, "client_secret": DEFAULT_APP_SECRET}),
    )
    .await;
    assert_eq!(v["statusCode"], 200, "{v}");
    (
        v["data"]["access_token"].as_str().unwrap().to_owned(),
        v["data"]["id_token"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn query_booleans_in_python_spelling_are_accepted() {
    let emu = emulator().await;
    let id = emu.user_id("ann@example.com").unwrap();
    // Stateful operations (the table validates their query first).
    let v = mgmt(
        &emu,
        "GET",
        &format!("/api/v3/get-user?userId={id}&withCustomData=True&withIdentities=False"),
        &Value::Null,
    )
    .await;
    assert_eq!(v["statusCode"], 200, "{v}");
    assert_eq!(v["data"]["userId"], id.as_str());
    let v = mgmt(
        &emu,
        "GET",
        "/api/v3/list-organizations?fetchAll=True",
        &Value::Null,
    )
    .await;
    assert_eq!(v["statusCode"], 200, "{v}");
    let v = mgmt(
        &emu,
        "GET",
        "/api/v3/list-groups?page=1&limit=10&withMetadata=True",
        &Value::Null,
    )
    .await;
    assert_eq!(v["statusCode"], 200, "{v}");
    // Still refused: something that is no boolean at all.
    let v = mgmt(
        &emu,
        "GET",
        &format!("/api/v3/get-user?userId={id}&withCustomData=maybe"),
        &Value::Null,
    )
    .await;
    assert_eq!(v["statusCode"], 400, "{v}");
    assert!(
        v["message"].as_str().unwrap().contains("withCustomData"),
        "{v}"
    );
}

#[tokio::test]
async fn event_data_may_be_any_json_but_not_missing() {
    let emu = emulator().await;
    for data in [json!({"a": 1}), json!("text"), json!([1, 2]), json!(3)] {
        let v = mgmt(
            &emu,
            "POST",
            "/api/v3/pub-event",
            &json!({"eventType": "demo.code", "eventData": data}),
        )
        .await;
        assert_eq!(v["statusCode"], 200, "{data}: {v}");
        assert_eq!(v["data"]["success"], true);
    }
    let v = mgmt(
        &emu,
        "POST",
        "/api/v3/pub-event",
        &json!({"eventType": "demo.code"}),
    )
    .await;
    assert_eq!(v["statusCode"], 400, "{v}");
    assert!(v["message"].as_str().unwrap().contains("eventData"), "{v}");
}

#[tokio::test]
async fn user_token_operations_from_the_table_check_the_token() {
    let emu = emulator().await;
    let url = format!("{}/api/v3/get-security-info", emu.url());
    let none = raw_json("GET", &url, &[], &Value::Null).await;
    assert_eq!(none["statusCode"], 401, "{none}");
    assert_eq!(none["apiCode"], 2020);
    let made_up = raw_json("GET", &url, &[("authorization", "made-up")], &Value::Null).await;
    assert_eq!(made_up["statusCode"], 401, "{made_up}");
    assert_eq!(made_up["apiCode"], 2206);
    let (token, _) = access_token(&emu).await;
    let ok = raw_json("GET", &url, &[("authorization", &token)], &Value::Null).await;
    assert_eq!(ok["statusCode"], 200, "{ok}");
    let factors = raw_json(
        "GET",
        &format!("{}/api/v3/get-my-login-history?page=1&limit=10", emu.url()),
        &[("authorization", &token)],
        &Value::Null,
    )
    .await;
    assert_eq!(factors["statusCode"], 200, "{factors}");
    let unbind = raw_json(
        "POST",
        &format!("{}/api/v3/unbind-email", emu.url()),
        &[("authorization", "Bearer not-ours")],
        &json!({}),
    )
    .await;
    assert_eq!(unbind["statusCode"], 401, "{unbind}");
}

#[tokio::test]
async fn table_successes_say_success_true() {
    let emu = emulator().await;
    let v = mgmt(
        &emu,
        "POST",
        "/api/v3/delete-whitelist",
        &json!({"type": "USERNAME", "list": ["x"]}),
    )
    .await;
    // The operation answers a bare `{success}` object, as the API describes.
    assert_eq!(v["success"], true, "{v}");
}

#[tokio::test]
async fn sign_in_needs_the_client_credentials_of_a_confidential_app() {
    let emu = emulator().await;
    let v = sign_in(&emu, json!({})).await;
    assert_eq!(v["statusCode"], 401, "{v}");
    assert!(
        v["message"].as_str().unwrap().contains("client_secret"),
        "{v}"
    );
    let v = sign_in(
        &emu,
        json!({"client_id": DEFAULT_APP_ID, "client_secret": "wrong"}),
    )
    .await;
    assert_eq!(v["statusCode"], 401, "{v}");
    let v = sign_in(
        &emu,
        json!({"client_id": DEFAULT_APP_ID, "client_secret": DEFAULT_APP_SECRET}),
    )
    .await;
    assert_eq!(v["statusCode"], 200, "{v}");
    // Basic credentials, as the SDKs send for client_secret_basic.
    use base64::Engine as _;
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD
            .encode(format!("{DEFAULT_APP_ID}:{DEFAULT_APP_SECRET}"))
    );
    let v = raw_json(
        "POST",
        &format!("{}/api/v3/signin", emu.url()),
        &[("authorization", &basic)],
        &json!({"connection": "PASSWORD",
            "passwordPayload": {"email": "ann@example.com", "password": "pw-ann-1"}}),
    )
    .await;
    assert_eq!(v["statusCode"], 200, "{v}");
    // A public app has no secret to send.
    let v = raw_json(
        "POST",
        &format!("{}/api/v3/signin", emu.url()),
        &[("x-genauth-app-id", "public-app")],
        &json!({"connection": "PASSWORD",
            "passwordPayload": {"email": "ann@example.com", "password": "pw-ann-1"}}),
    )
    .await;
    assert_eq!(v["statusCode"], 200, "{v}");
}

#[tokio::test]
async fn sign_up_and_user_creation_refuse_malformed_emails() {
    let emu = emulator().await;
    let v = raw_json(
        "POST",
        &format!("{}/api/v3/signup", emu.url()),
        &[("x-genauth-app-id", DEFAULT_APP_ID)],
        &json!({"connection": "PASSWORD",
            "passwordPayload": {"email": "email-value", "password": "pw-1"}}),
    )
    .await;
    assert_eq!(v["statusCode"], 400, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("passwordPayload.email"),
        "{v}"
    );
    let v = mgmt(
        &emu,
        "POST",
        "/api/v3/create-user",
        &json!({"email": "not an email"}),
    )
    .await;
    assert_eq!(v["statusCode"], 400, "{v}");
    assert_eq!(emu.user_count(), 1);
    let v = raw_json(
        "POST",
        &format!("{}/api/v3/signup", emu.url()),
        &[("x-genauth-app-id", DEFAULT_APP_ID)],
        &json!({"connection": "PASSWORD",
            "passwordPayload": {"email": "bob@example.com", "password": "pw-1"}}),
    )
    .await;
    assert_eq!(v["statusCode"], 200, "{v}");
}

#[tokio::test]
async fn client_credentials_with_an_access_key() {
    let emu = emulator().await;
    let url = format!("{}/oidc/token", emu.url());
    let (status, body) = raw_form(
        &url,
        None,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", DEFAULT_ACCESS_KEY_ID),
            ("client_secret", DEFAULT_ACCESS_KEY_SECRET),
            ("scope", "ext:read"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "ext:read");
    assert!(body["access_token"].as_str().is_some());
    assert!(body.get("refresh_token").is_none());
    let (status, body) = raw_form(
        &url,
        None,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", DEFAULT_ACCESS_KEY_ID),
            ("client_secret", "wrong"),
        ],
    )
    .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "invalid_client");
    // An access key is no OAuth client for other grants.
    let (status, _) = raw_form(
        &url,
        None,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", DEFAULT_ACCESS_KEY_ID),
            ("client_secret", DEFAULT_ACCESS_KEY_SECRET),
            ("refresh_token", "x"),
        ],
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn logout_redirects_to_a_registered_post_logout_uri() {
    let emu = emulator().await;
    let (access, id_token) = access_token(&emu).await;
    let end = |q: String| {
        http::Request::get(format!("{}/oidc/session/end?{q}", emu.url()))
            .body(genauth_core::Body::from(bytes::Bytes::new()))
            .unwrap()
    };
    // Built as the Python SDK builds it: the values as they are.
    let (status, _, body) = raw(end(format!(
        "id_token_hint={id_token}&post_logout_redirect_uri=http://127.0.0.1/elsewhere"
    )))
    .await;
    assert_eq!(status, 400, "{body:?}");
    let (status, headers, _) = raw(end(format!(
        "id_token_hint={id_token}&post_logout_redirect_uri=http://127.0.0.1/bye&state=s1"
    )))
    .await;
    assert_eq!(status, 302);
    assert_eq!(location(&headers), "http://127.0.0.1/bye?state=s1");
    // The user's tokens for the app are revoked.
    let v = raw_json(
        "GET",
        &format!("{}/api/v3/get-profile", emu.url()),
        &[("authorization", &access)],
        &Value::Null,
    )
    .await;
    assert_eq!(v["statusCode"], 401, "{v}");
    // Without a hint, `client_id` names the app.
    let (status, headers, _) = raw(end(format!(
        "client_id={DEFAULT_APP_ID}&post_logout_redirect_uri={DEFAULT_REDIRECT_URI}"
    )))
    .await;
    assert_eq!(status, 302);
    assert_eq!(location(&headers), DEFAULT_REDIRECT_URI);
}

#[tokio::test]
async fn basic_only_apps_still_sign_in_with_basic() {
    let emu = Emulator::builder()
        .user(TestUser::email("ann@example.com").with_password("pw-ann-1"))
        .app(
            App::new("basic-app", "basic-secret")
                .token_endpoint_auth_method(TokenEndpointAuthMethod::ClientSecretBasic),
        )
        .start()
        .await
        .unwrap();
    let v = raw_json(
        "POST",
        &format!("{}/api/v3/signin", emu.url()),
        &[("x-genauth-app-id", "basic-app")],
        &json!({"connection": "PASSWORD",
            "passwordPayload": {"email": "ann@example.com", "password": "pw-ann-1"}}),
    )
    .await;
    assert_eq!(v["statusCode"], 401, "{v}");
}

#[tokio::test]
async fn update_model_takes_no_show_field_key() {
    // The description requires `showFieldKey`; the generator's override list
    // makes it optional, as the official SDKs never send it.
    let emu = emulator().await;
    let body = json!({"id": "m1", "name": "Model", "description": "d", "enable": true,
        "parentKey": "p", "type": "user", "fieldOrder": "a,b", "config": {}});
    let v = mgmt(&emu, "POST", "/api/v3/metadata/update-model", &body).await;
    assert_eq!(v["statusCode"], 200, "{v}");
    let mut without_id = body.clone();
    without_id.as_object_mut().unwrap().remove("id");
    let v = mgmt(&emu, "POST", "/api/v3/metadata/update-model", &without_id).await;
    assert_eq!(v["statusCode"], 400, "{v}");
    assert!(v["message"].as_str().unwrap().contains("id"), "{v}");
}
