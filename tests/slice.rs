//! The first vertical slice (now generated operations), through the hyper
//! transport and a custom tower stack, against a server on 127.0.0.1: exact
//! requests on the wire, typed results, and typed failures.

use crate::support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::support::{json_response, management_jwt, raw_response, TestServer};
use genauth::types::{
    SignInByPasswordPayloadDto, SigninByCredentialsDto, SigninByCredentialsDtoConnection,
    UserDtoStatus,
};
use genauth::{
    AuthenticationClient, AuthenticationClientOptions, Error, Lang, ManagementClient,
    ManagementClientOptions, TokenEndpointAuthMethod,
};
use serde_json::json;

const SDK_VERSION: &str = concat!("rust:", env!("CARGO_PKG_VERSION"));

fn auth_options(server: &TestServer) -> AuthenticationClientOptions {
    AuthenticationClientOptions::new("app-123", server.url())
        .app_secret("app-secret-value")
        .lang(Lang::EnUs)
        .real_ip("203.0.113.7")
}

#[tokio::test]
async fn get_alipay_auth_info_sends_a_get_with_query_and_raw_token() {
    let server = TestServer::start(|_| {
        json_response(200, json!({"statusCode":200,"message":"ok","data":{"authInfo":"apiname=x&app_id=1"},"extra":"ignored"}))
    })
    .await;
    let client = AuthenticationClient::new(auth_options(&server)).unwrap();
    client.set_access_token("user-access-token-1");
    let info = client.get_alipay_auth_info("alipay conn/1").await.unwrap();
    assert_eq!(info.auth_info, "apiname=x&app_id=1");

    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, http::Method::GET);
    assert_eq!(r.path, "/api/v3/get-alipay-authinfo");
    assert_eq!(
        r.query.as_deref(),
        Some("extIdpConnidentifier=alipay+conn%2F1")
    );
    assert_eq!(r.header("x-genauth-sdk-version"), Some(SDK_VERSION));
    assert_eq!(r.header("x-genauth-request-from"), Some("sdk"));
    assert_eq!(r.header("x-genauth-app-id"), Some("app-123"));
    assert_eq!(r.header("x-genauth-lang"), Some("en-US"));
    assert_eq!(r.header("x-real-ip"), Some("203.0.113.7"));
    assert_eq!(r.header("authorization"), Some("user-access-token-1"));
    assert!(r.body.is_empty());
}

fn password_payload() -> SignInByPasswordPayloadDto {
    let mut payload = SignInByPasswordPayloadDto::new("user-password-1");
    payload.email = Some("ann@example.com".into());
    payload
}

fn password_sign_in() -> SigninByCredentialsDto {
    let mut dto = SigninByCredentialsDto::new(SigninByCredentialsDtoConnection::Password);
    dto.password_payload = Some(password_payload());
    dto
}

fn sign_in(
    client: &AuthenticationClient,
) -> genauth::Call<'_, AuthenticationClient, genauth::core::ops::SignInByCredentials> {
    client
        .sign_in_by_credentials(SigninByCredentialsDtoConnection::Password)
        .password_payload(password_payload())
}

#[tokio::test]
async fn sign_in_by_credentials_posts_json_and_decodes_tokens() {
    let server = TestServer::start(|_| {
        json_response(200, json!({"statusCode":200,"message":"","data":{"access_token":"at-1","id_token":"it-1","expire_in":"1209600","token_type":"Bearer"}}))
    })
    .await;
    let client = AuthenticationClient::new(auth_options(&server)).unwrap();
    let tokens = sign_in(&client).await.unwrap();
    assert_eq!(tokens.access_token.unwrap().expose(), "at-1");
    assert_eq!(tokens.expire_in, 1_209_600);
    assert_eq!(tokens.token_type, "Bearer");

    let r = &server.requests()[0];
    assert_eq!(r.method, http::Method::POST);
    assert_eq!(r.path, "/api/v3/signin");
    assert_eq!(r.query, None);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.header("authorization"),
        None,
        "no token set, post-style app auth"
    );
    assert_eq!(
        r.json(),
        json!({"connection":"PASSWORD","passwordPayload":{"password":"user-password-1","email":"ann@example.com"}})
    );
}

#[tokio::test]
async fn sign_in_with_client_secret_basic_sends_basic_app_credentials() {
    let server = TestServer::start(|_| {
        json_response(
            200,
            json!({"statusCode":200,"data":{"expire_in":1,"token_type":"Bearer"}}),
        )
    })
    .await;
    let client = AuthenticationClient::new(
        auth_options(&server)
            .token_endpoint_auth_method(TokenEndpointAuthMethod::ClientSecretBasic),
    )
    .unwrap();
    client.set_access_token("ignored-token");
    sign_in(&client).await.unwrap();
    // base64("app-123:app-secret-value")
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some("Basic YXBwLTEyMzphcHAtc2VjcmV0LXZhbHVl")
    );
}

fn management_server(
    token_calls: Arc<AtomicUsize>,
) -> impl Fn(&support::Recorded) -> http::Response<http_body_util::Full<bytes::Bytes>>
       + Send
       + Sync
       + 'static {
    move |r| match r.path.as_str() {
        "/api/v3/get-management-token" => {
            token_calls.fetch_add(1, Ordering::SeqCst);
            json_response(
                200,
                json!({"statusCode":200,"message":"","data":{"access_token": management_jwt("pool-42"),"expires_in":7200}}),
            )
        }
        "/api/v3/get-user" => json_response(
            200,
            json!({"statusCode":200,"message":"","requestId":"r1","data":{"userId":"u1","email":"ann@example.com","status":"Activated","loginsCount":"3","unknownField":{"a":1}}}),
        ),
        "/api/v3/list-users" => json_response(
            200,
            json!({"statusCode":200,"message":"","data":{"totalCount":2,"list":[{"userId":"u1"},{"userId":"u2","username":"bob"}]}}),
        ),
        _ => json_response(404, json!({"statusCode":404,"message":"no route"})),
    }
}

#[tokio::test]
async fn management_token_is_fetched_once_and_user_pool_comes_from_the_token() {
    let token_calls = Arc::new(AtomicUsize::new(0));
    let server = TestServer::start(management_server(token_calls.clone())).await;
    let client = ManagementClient::new(
        ManagementClientOptions::new("ak-1", "sk-secret-1").host(server.url()),
    )
    .unwrap();

    let user = client.get_user("u1").await.unwrap();
    assert_eq!(user.user_id, "u1");
    assert_eq!(user.email.as_deref(), Some("ann@example.com"));
    assert_eq!(user.status, UserDtoStatus::Activated);
    assert_eq!(user.logins_count, Some(3), "a number sent as a string");
    let page = client.list_users().keywords("ann").await.unwrap();
    assert_eq!(page.total_count, 2);
    assert_eq!(page.list[1].username.as_deref(), Some("bob"));
    assert_eq!(token_calls.load(Ordering::SeqCst), 1, "the token is cached");

    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    let tok = &reqs[0];
    assert_eq!(
        (tok.method.as_str(), tok.path.as_str()),
        ("POST", "/api/v3/get-management-token")
    );
    assert_eq!(
        tok.json(),
        json!({"accessKeyId":"ak-1","accessKeySecret":"sk-secret-1"})
    );
    let jwt = management_jwt("pool-42");
    let payload = jwt.split('.').nth(1).unwrap();
    assert!(
        payload.contains('-') || payload.contains('_'),
        "the test token exercises base64url"
    );

    let get = &reqs[1];
    assert_eq!(get.method, http::Method::GET);
    assert_eq!(get.path, "/api/v3/get-user");
    assert_eq!(get.query.as_deref(), Some("userId=u1"));
    assert_eq!(
        get.header("authorization"),
        Some(format!("Bearer {jwt}").as_str())
    );
    assert_eq!(get.header("x-genauth-userpool-id"), Some("pool-42"));
    assert_eq!(get.header("x-genauth-sdk-version"), Some(SDK_VERSION));
    assert_eq!(get.header("x-genauth-app-id"), None);

    let list = &reqs[2];
    assert_eq!(list.method, http::Method::POST);
    assert_eq!(list.path, "/api/v3/list-users");
    assert_eq!(list.json(), json!({"keywords":"ann"}));
    assert_eq!(list.header("x-genauth-userpool-id"), Some("pool-42"));
}

#[tokio::test]
async fn an_error_envelope_is_an_api_error_with_codes_and_request_id() {
    let server = TestServer::start(|_| {
        json_response(200, json!({"statusCode":400,"apiCode":2004,"message":"user not found","requestId":"req-77"}))
    })
    .await;
    let client = AuthenticationClient::new(auth_options(&server)).unwrap();
    let err = client.get_alipay_auth_info("c").await.unwrap_err();
    let api = err.as_api().expect("an API error");
    assert_eq!(api.http_status, 200);
    assert_eq!(api.status_code, 400);
    assert_eq!(api.status_code.code(), 400);
    assert!(matches!(
        api.api_code,
        Some(genauth_types::ApiCode::UserNotFound)
    ));
    assert_eq!(api.api_code.map(|c| c.code()), Some(2004));
    assert_eq!(api.request_id.as_deref(), Some("req-77"));
    assert_eq!(api.message, "user not found");
    let text = err.to_string();
    assert!(
        text.contains("user not found") && text.contains("req-77"),
        "{text}"
    );
}

#[tokio::test]
async fn a_502_html_page_is_a_typed_http_error() {
    let server = TestServer::start(|_| {
        raw_response(502, "text/html", "<html><body>Bad Gateway</body></html>")
    })
    .await;
    let client = AuthenticationClient::new(auth_options(&server)).unwrap();
    match client.get_alipay_auth_info("c").await.unwrap_err() {
        Error::Http(e) => {
            assert_eq!(e.status, 502);
            assert_eq!(e.content_type.as_deref(), Some("text/html"));
            assert!(e.excerpt.contains("Bad Gateway"));
            assert_eq!(e.operation, Some("get_alipay_auth_info"));
        }
        other => panic!("expected an HTTP error, got {other:?}"),
    }
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_naming_the_operation() {
    let server = TestServer::start(|_| {
        raw_response(
            200,
            "application/json",
            r#"{"statusCode":200,"data":{"access_token":"at-secret-xyz","expi"#,
        )
    })
    .await;
    let client = AuthenticationClient::new(auth_options(&server)).unwrap();
    let err = sign_in(&client).await.unwrap_err();
    match &err {
        Error::Decode(d) => {
            assert_eq!(d.operation, "sign_in_by_credentials");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert!(err.to_string().contains("sign_in_by_credentials"));
}

#[tokio::test]
async fn a_field_of_the_wrong_shape_names_its_path() {
    let server = TestServer::start(|_| json_response(200, json!({"statusCode":200,"data":{"totalCount":1,"list":[{"userId":"u1"},{"userId":["not","a","string"]}]}}))).await;
    let client =
        ManagementClient::new(ManagementClientOptions::new("ak", "sk").host(server.url())).unwrap();
    // The token request hits the same handler and gets no token: that is a typed error too.
    let err = client.list_users().await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");

    let server = TestServer::start(|r| {
        if r.path.ends_with("get-management-token") {
            json_response(200, json!({"statusCode":200,"data":{"access_token": management_jwt("p"),"expires_in":60}}))
        } else {
            json_response(200, json!({"statusCode":200,"data":{"totalCount":1,"list":[{"userId":"u1"},{"userId":{"nested":true}}]}}))
        }
    })
    .await;
    let client =
        ManagementClient::new(ManagementClientOptions::new("ak", "sk").host(server.url())).unwrap();
    match client.list_users().await.unwrap_err() {
        Error::Decode(d) => {
            assert_eq!(d.operation, "list_users");
            assert_eq!(d.path, "data.list[1].userId");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn no_secret_appears_in_debug_output() {
    let server =
        TestServer::start(|_| json_response(200, json!({"statusCode":403,"message":"denied"})))
            .await;
    let options = auth_options(&server).access_token("user-token-secret-1");
    let client = AuthenticationClient::new(options.clone()).unwrap();
    let req = client
        .config()
        .request(
            &genauth::core::ops::SignInByCredentials(password_sign_in()),
            client.access_token().as_ref(),
        )
        .unwrap();
    let err = sign_in(&client).await.unwrap_err();
    let mgmt_opts = ManagementClientOptions::new("ak", "access-key-secret-1").host(server.url());
    let mgmt = ManagementClient::new(mgmt_opts.clone()).unwrap();
    let mgmt_err = mgmt.get_user("u").await.unwrap_err();
    let call = sign_in(&client);
    let dump = format!(
        "{options:?}{client:?}{req:?}{err:?}{err}{mgmt_opts:?}{mgmt:?}{mgmt_err:?}{call:?}"
    );
    for secret in [
        "app-secret-value",
        "user-token-secret-1",
        "user-password-1",
        "access-key-secret-1",
    ] {
        assert!(!dump.contains(secret), "{secret} leaked in {dump}");
    }
}

#[tokio::test]
async fn a_custom_tower_stack_carries_the_calls() {
    use tower::ServiceBuilder;
    let server = TestServer::start(|_| {
        json_response(
            200,
            json!({"statusCode":200,"data":{"authInfo":"via-tower"}}),
        )
    })
    .await;
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let transport = genauth::hyper::transport().unwrap();
    let stack = ServiceBuilder::new()
        .map_request(move |mut req: http::Request<genauth::core::Body>| {
            counter.fetch_add(1, Ordering::SeqCst);
            req.headers_mut()
                .insert("x-custom-layer", http::HeaderValue::from_static("yes"));
            req
        })
        .service(transport);
    let client = AuthenticationClient::with_service(auth_options(&server), stack).unwrap();
    let info = client.get_alipay_auth_info("c").await.unwrap();
    assert_eq!(info.auth_info, "via-tower");
    assert_eq!(seen.load(Ordering::SeqCst), 1);
    assert_eq!(server.requests()[0].header("x-custom-layer"), Some("yes"));
}

#[tokio::test]
async fn an_in_process_service_needs_no_network() {
    let svc = tower::service_fn(|req: http::Request<genauth::core::Body>| async move {
        assert_eq!(req.uri().path(), "/api/v3/get-alipay-authinfo");
        Ok::<_, std::convert::Infallible>(http::Response::new(http_body_util::Full::new(
            bytes::Bytes::from_static(br#"{"statusCode":200,"data":{"authInfo":"in-process"}}"#),
        )))
    });
    let client = AuthenticationClient::with_service(
        AuthenticationClientOptions::new("a", "https://x.genauth.ai"),
        svc,
    )
    .unwrap();
    assert_eq!(
        client.get_alipay_auth_info("c").await.unwrap().auth_info,
        "in-process"
    );
}

#[test]
fn bad_options_are_typed_errors() {
    let e = AuthenticationClient::new(AuthenticationClientOptions::new("", "https://x.genauth.ai"))
        .unwrap_err();
    assert!(
        matches!(e, Error::Config(genauth::ConfigError::Missing("app_id"))),
        "{e:?}"
    );
    let e =
        AuthenticationClient::new(AuthenticationClientOptions::new("a", "ftp://nope")).unwrap_err();
    assert!(
        matches!(e, Error::Config(genauth::ConfigError::InvalidUrl { .. })),
        "{e:?}"
    );
}
