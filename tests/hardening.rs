//! Regression tests of the security review (docs/security.md): no panic on hostile
//! token lifetimes, no replayed write, TLS failures are final and private roots
//! can be trusted, plain http only to loopback, host and secret validation,
//! and errors that name the operation, the host and the cause.

use crate::support;

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::support::stack::*;
use crate::support::{json_response, raw_response, TestServer};
use genauth::hyper::TransportOptions;
use genauth::{
    AuthenticationClient, AuthenticationClientOptions, ClientBuilder, Error, ManagementClient,
    ManagementClientOptions,
};
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::json;
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpListener;

// ------------------------------------------------------------------ item 1

#[tokio::test]
async fn an_absurd_token_lifetime_does_not_panic() {
    for expires_in in [
        json!(9_223_372_036_854_775_807_i64),
        json!("99999999999999999999"),
        json!(-5),
    ] {
        let fetches = Arc::new(AtomicUsize::new(0));
        let f = fetches.clone();
        let svc = mock(move |req| {
            if req.uri().path() == "/api/v3/get-management-token" {
                f.fetch_add(1, Ordering::SeqCst);
                return json_response(
                    200,
                    json!({"statusCode":200,"data":{"access_token": support::management_jwt("p1"),"expires_in": expires_in.clone()}}),
                );
            }
            json_response(200, user_body("u1"))
        });
        let client =
            ManagementClient::with_service(mgmt_options("https://api.example"), svc).unwrap();
        for _ in 0..3 {
            assert_eq!(client.get_user("u1").await.unwrap().user_id, "u1");
        }
        assert!(fetches.load(Ordering::SeqCst) >= 1);
    }
}

#[test]
fn a_retry_budget_out_of_range_is_clamped_not_a_panic() {
    let _ = genauth::layers::RetryPolicy::new().budget(Duration::ZERO, u32::MAX, f32::NAN);
    let _ = genauth::layers::RetryPolicy::new().budget(Duration::MAX, 0, 1e9);
}

// ----------------------------------------------------------------- item 10

/// A management service whose first token is refused on every call with `reject`.
fn refusing_first_token(
    reject: serde_json::Value,
    http_status: u16,
    calls: Arc<AtomicUsize>,
) -> impl tower::Service<
    http::Request<genauth::core::Body>,
    Response = Resp,
    Error = Infallible,
    Future = impl Send + 'static,
> + Clone
       + Send
       + Sync
       + 'static {
    let fetches = Arc::new(AtomicUsize::new(0));
    mock(move |req| {
        if req.uri().path() == "/api/v3/get-management-token" {
            let n = fetches.fetch_add(1, Ordering::SeqCst) + 1;
            return json_response(200, token_body(&format!("pool-{n}"), 7200));
        }
        calls.fetch_add(1, Ordering::SeqCst);
        if req.headers()["x-genauth-userpool-id"] == "pool-1" {
            return json_response(http_status, reject.clone());
        }
        json_response(200, user_body("created"))
    })
}

#[tokio::test]
async fn a_write_is_not_replayed_after_an_ambiguous_token_rejection() {
    let cases = [
        (401, json!({"statusCode":401,"message":"unauthorized"})),
        (200, json!({"statusCode":401,"message":"unauthorized"})),
        (
            200,
            json!({"statusCode":401,"message":"expired","apiCode":2206}),
        ),
        (
            200,
            json!({"statusCode":400,"message":"expired","apiCode":"2206"}),
        ),
        (
            200,
            json!({"statusCode":400,"message":"invalid","apiCode":2207}),
        ),
        (
            200,
            json!({"statusCode":400,"message":"login invalid","apiCode":2021}),
        ),
        (200, json!({"statusCode":503,"message":"busy"})),
        (503, json!({"statusCode":503,"message":"busy"})),
        (500, json!({"statusCode":500,"message":"boom"})),
    ];
    for (status, body) in cases {
        let calls = Arc::new(AtomicUsize::new(0));
        let svc = refusing_first_token(body.clone(), status, calls.clone());
        let client = ClientBuilder::new()
            .retry(fast_retries())
            .management_with_service(mgmt_options("https://api.example"), svc)
            .unwrap();
        let err = client
            .create_user()
            .await
            .expect_err("the rejection reaches the caller");
        assert!(matches!(err, Error::Api(_) | Error::Http(_)), "{err:?}");
        assert_eq!(calls.load(Ordering::SeqCst), 1, "{body} was sent twice");
        // The rejected token was dropped: the next call uses a new one.
        if err.is_token_invalid() {
            assert_eq!(client.create_user().await.unwrap().user_id, "created");
        }
    }
}

#[tokio::test]
async fn a_write_refused_before_processing_is_replayed_once() {
    let calls = Arc::new(AtomicUsize::new(0));
    let svc = refusing_first_token(
        json!({"statusCode":401,"message":"not signed in","apiCode":2020}),
        200,
        calls.clone(),
    );
    let client = ManagementClient::with_service(mgmt_options("https://api.example"), svc).unwrap();
    assert_eq!(client.create_user().await.unwrap().user_id, "created");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

// ------------------------------------------------------------------ item 9

const CA: &[u8] = include_bytes!("../crates/genauth-events/tests/fixtures/ca.der");
const LEAF: &[u8] = include_bytes!("../crates/genauth-events/tests/fixtures/leaf.der");
const LEAF_KEY: &[u8] = include_bytes!("../crates/genauth-events/tests/fixtures/leaf.key.der");

/// An https server on 127.0.0.1 with a certificate of the test CA; counts
/// TCP connections (handshakes tried).
async fn tls_server(connections: Arc<AtomicUsize>) -> String {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(LEAF.to_vec())],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(LEAF_KEY.to_vec())),
    )
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            connections.fetch_add(1, Ordering::SeqCst);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let svc = hyper::service::service_fn(
                    |req: http::Request<hyper::body::Incoming>| async move {
                        let body = if req.uri().path() == "/api/v3/get-management-token" {
                            token_body("pool-1", 7200)
                        } else {
                            user_body("over-tls")
                        };
                        Ok::<_, Infallible>(json_response(200, body))
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), svc)
                    .await;
            });
        }
    });
    format!("https://{addr}")
}

#[tokio::test]
async fn an_untrusted_certificate_is_final_and_a_private_root_can_be_trusted() {
    let connections = Arc::new(AtomicUsize::new(0));
    let url = tls_server(connections.clone()).await;
    let client = ClientBuilder::new()
        .retry(fast_retries())
        .management(mgmt_options(&url))
        .unwrap();
    let err = client.create_user().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("certificate"), "{text}");
    assert!(text.contains(&url), "{text}");
    assert!(text.contains("root_certificates"), "{text}");
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "a TLS failure is not retried"
    );

    // A read is not retried either.
    connections.store(0, Ordering::SeqCst);
    client.get_user("u").await.unwrap_err();
    assert_eq!(connections.load(Ordering::SeqCst), 1);

    let trusted = ClientBuilder::new()
        .transport_options(
            TransportOptions::default().root_certificate(CertificateDer::from(CA.to_vec())),
        )
        .management(mgmt_options(&url))
        .unwrap();
    assert_eq!(trusted.get_user("u").await.unwrap().user_id, "over-tls");
}

#[tokio::test]
async fn a_whole_rustls_config_can_be_given() {
    let url = tls_server(Arc::new(AtomicUsize::new(0))).await;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(CA.to_vec())).unwrap();
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    // ALPN set by the caller is replaced, not a panic.
    config.alpn_protocols = vec![b"h2".to_vec()];
    let client = ClientBuilder::new()
        .transport_options(TransportOptions::default().tls_config(Arc::new(config)))
        .management(mgmt_options(&url))
        .unwrap();
    assert_eq!(client.get_user("u").await.unwrap().user_id, "over-tls");
}

// ------------------------------------------------------------------ item 6

#[test]
fn plain_http_is_only_for_loopback_unless_opted_in() {
    let m = |host: &str| ManagementClientOptions::new("ak", "sk").host(host);
    let err = genauth::core::ManagementConfig::new(m("http://api.example.com")).unwrap_err();
    assert!(err.to_string().contains("allow_insecure_http"), "{err}");
    let a = AuthenticationClientOptions::new("app", "http://demo.example.com");
    assert!(genauth::core::AuthenticationConfig::new(a.clone()).is_err());
    let cfg = genauth::core::AuthenticationConfig::new(a.allow_insecure_http(true)).unwrap();
    assert!(cfg.sends_in_clear());
    for local in [
        "http://127.0.0.1:8080",
        "http://localhost:3000",
        "http://[::1]:9",
    ] {
        let cfg = genauth::core::ManagementConfig::new(m(local)).unwrap();
        assert!(!cfg.sends_in_clear(), "{local}");
    }
    let ws = m("https://api.example.com").websocket_host("ws://events.example.com");
    assert!(genauth::core::ManagementConfig::new(ws).is_err());
}

// ------------------------------------------------------------------ item 5

#[test]
fn hostile_hosts_redirects_and_blank_secrets_are_refused() {
    for host in [
        "https://demo.genauth.ai#@attacker.example",
        "https://demo.genauth.ai@attacker.example",
        "javascript:alert(1)",
        "https://demo.genauth.ai:99999",
        "https://demo.genauth.ai?next=x",
    ] {
        let a = AuthenticationClientOptions::new("app", host);
        assert!(
            genauth::core::AuthenticationConfig::new(a).is_err(),
            "app host {host}"
        );
        let m = ManagementClientOptions::new("ak", "sk").host(host);
        assert!(
            genauth::core::ManagementConfig::new(m).is_err(),
            "host {host}"
        );
    }
    let base = || AuthenticationClientOptions::new("app", "https://demo.genauth.ai");
    for uri in [
        "javascript:alert(1)",
        "data:text/html,x",
        "/cb",
        "https://a.example/cb#x",
    ] {
        assert!(
            genauth::core::AuthenticationConfig::new(base().redirect_uri(uri)).is_err(),
            "redirect {uri}"
        );
        assert!(
            genauth::core::AuthenticationConfig::new(base().logout_redirect_uri(uri)).is_err(),
            "logout redirect {uri}"
        );
    }
    assert!(genauth::core::AuthenticationConfig::new(base().app_secret(" ")).is_err());
    assert!(genauth::core::AuthenticationConfig::new(
        base()
            .app_secret("\t")
            .token_endpoint_auth_method(genauth::core::TokenEndpointAuthMethod::None)
    )
    .is_err());
    assert!(
        genauth::core::ManagementConfig::new(ManagementClientOptions::new("ak", "  ")).is_err()
    );
    assert!(genauth::core::AuthenticationConfig::new(
        base().app_secret("s").redirect_uri("com.example.app:/cb")
    )
    .is_ok());
}

// ----------------------------------------------------------------- item 11

#[tokio::test]
async fn a_refused_connection_names_the_operation_the_host_and_the_cause() {
    let url = refused_url().await;
    let client = ClientBuilder::new()
        .retry(fast_retries())
        .authentication(auth_options(&url))
        .unwrap();
    let err = client.get_profile().await.unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("get_profile could not reach "), "{text}");
    assert!(text.contains(&url), "{text}");
    assert!(text.contains("connection was refused"), "{text}");
    let source = std::error::Error::source(&err).expect("the source error is kept");
    assert!(!source.to_string().is_empty());
}

#[tokio::test]
async fn a_host_without_scheme_on_a_plain_server_says_to_write_http() {
    // A plain-text server: the TLS handshake meets an HTTP answer.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let acc = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            acc.fetch_add(1, Ordering::SeqCst);
            let _ = s
                .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
                .await;
        }
    });
    let client = ClientBuilder::new()
        .retry(fast_retries())
        .management(mgmt_options(&addr.to_string()))
        .unwrap();
    let err = client.get_user("u").await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("did not answer with TLS"), "{text}");
    assert!(text.contains("http://"), "{text}");
    assert!(text.contains(&format!("https://{addr}")), "{text}");
    assert_eq!(accepted.load(Ordering::SeqCst), 1, "not retried");
}

#[tokio::test]
async fn a_wrong_host_says_which_host_answered_404() {
    let server = TestServer::start(|_| raw_response(404, "text/html", "<h1>Not Found</h1>")).await;
    let client = ManagementClient::new(mgmt_options(&server.url())).unwrap();
    let err = client.get_user("u").await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("get_management_token"), "{text}");
    assert!(text.contains(&server.url()), "{text}");
    assert!(text.contains("Check the host"), "{text}");

    let auth = AuthenticationClient::new(auth_options(&server.url())).unwrap();
    let text = auth.get_profile().await.unwrap_err().to_string();
    assert!(text.starts_with("get_profile got HTTP 404 from "), "{text}");
    assert!(text.contains(&server.url()), "{text}");
}

// ------------------------------------------------------------------ item 2

#[test]
fn credential_fields_of_the_review_print_redacted() {
    use genauth::types::*;
    let otp: MfaOtpVerityDto = serde_json::from_value(json!({"totp": "654321"})).unwrap();
    let qr: ExchangeTokenSetWithQRcodeTicketDto =
        serde_json::from_value(json!({"ticket": "qr-ticket-secret"})).unwrap();
    let status: CheckQRCodeStatusDataDto =
        serde_json::from_value(json!({"status": "CONFIRMED", "ticket": "qr-ticket-secret"}))
            .unwrap();
    let signup: SignUpOptionsDto = serde_json::from_value(json!({
        "context": {},
        "passwordForPhonePassCode": "pw-for-phone-secret",
        "emailPassCodeForInformationCompletion": "email-code-secret",
        "phonePassCodeForInformationCompletion": "phone-code-secret"
    }))
    .unwrap();
    let text = format!("{otp:?}{qr:?}{status:?}{signup:?}");
    for secret in [
        "654321",
        "qr-ticket-secret",
        "pw-for-phone-secret",
        "email-code-secret",
        "phone-code-secret",
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    // The wire still gets the values.
    assert_eq!(serde_json::to_value(&otp).unwrap()["totp"], "654321");
}

// ------------------------------------------------------------------ item 4

#[tokio::test]
async fn missing_ids_enums_and_data_are_never_defaults() {
    let body = Arc::new(std::sync::Mutex::new(json!({})));
    let b = body.clone();
    let svc = mock(move |req| {
        if req.uri().path() == "/api/v3/get-management-token" {
            return json_response(200, token_body("pool-1", 7200));
        }
        json_response(200, b.lock().unwrap().clone())
    });
    let client = ManagementClient::with_service(mgmt_options("https://api.example"), svc).unwrap();

    // An absent or null required id is a decode error naming the field.
    for data in [json!({"email":"x@y"}), json!({"userId":null,"email":"x@y"})] {
        *body.lock().unwrap() = json!({"statusCode":200,"data":data});
        let err = client.get_user("u1").await.unwrap_err();
        match &err {
            Error::Decode(d) => assert_eq!(d.path, "data.userId", "{err}"),
            other => panic!("expected a decode error, got {other:?}"),
        }
        assert!(err.to_string().contains("data.userId"), "{err}");
    }
    // Inside a list, the path names the item.
    *body.lock().unwrap() = json!({"statusCode":200,"data":{"totalCount":2,"list":[
        {"userId":"u1"},{"email":"x@y"}
    ]}});
    let err = client.list_users().await.unwrap_err();
    assert!(
        matches!(&err, Error::Decode(d) if d.path == "data.list[1].userId"),
        "{err:?}"
    );

    // A required object whose type holds an id is not made up either: absent
    // or null is a decode error naming it, an empty one names its id.
    for (data, path) in [
        (json!({"created":true}), "data.data"),
        (json!({"created":true,"data":null}), "data.data"),
        (json!({"created":true,"data":{}}), "data.data.id"),
    ] {
        *body.lock().unwrap() = json!({"statusCode":200,"data":data});
        let err = client
            .create_or_update_group("static", "d", "Group", "g")
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Decode(d) if d.path == path),
            "{path}: {err:?}"
        );
    }
    *body.lock().unwrap() =
        json!({"statusCode":200,"data":{"created":true,"data":{"id":"g1","code":"g"}}});
    let group = client
        .create_or_update_group("static", "d", "Group", "g")
        .await
        .unwrap();
    assert_eq!(group.data.id, "g1");

    *body.lock().unwrap() = json!({"statusCode":200,"data":{"userId":"u1","email":"x@y"}});
    let user = client.get_user("u1").await.unwrap();
    assert_eq!(
        user.status,
        genauth::types::UserDtoStatus::Unknown(String::new()),
        "a missing status is no real variant"
    );

    *body.lock().unwrap() = json!({"statusCode":200,"message":"ok"});
    let err = client.get_user("u1").await.unwrap_err();
    assert!(
        matches!(&err, Error::Decode(d) if d.path == "data"),
        "{err:?}"
    );
}
