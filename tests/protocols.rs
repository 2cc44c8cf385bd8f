//! OIDC, OAuth 2.0 and CAS through the real client stack against a server on
//! 127.0.0.1: exact requests on the wire (auth methods, form bodies), typed
//! results, typed failures, and the key-set cache.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::support::{json_response, raw_response, Recorded, TestServer};
use base64::Engine as _;
use genauth::core::types::protocol::CasErrorCode;
use genauth::protocol::{
    AuthorizeParams, CasFormat, JwksLocation, LoginTransaction, TokenPlacement, UserInfoMethod,
};
use genauth::{
    AuthenticationClient, AuthenticationClientOptions, Error, Protocol, ProtocolError,
    SecretString, TokenEndpointAuthMethod, VerifyError,
};
use serde_json::json;

const APP_ID: &str = "app-123";
const APP_SECRET: &str = "app secret/+";

// ---------------------------------------------------------------- keys

struct TestKey {
    kid: &'static str,
    encoding: jsonwebtoken::EncodingKey,
    jwk: serde_json::Value,
}

fn make_key(kid: &'static str) -> TestKey {
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::signature::KeyPair as _;
    let kp = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let pkcs8 = kp.as_der().unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(pkcs8.as_ref());
    let pem = format!("-----BEGIN PRIVATE KEY-----\n{b64}\n-----END PRIVATE KEY-----\n");
    let encoding = jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap();
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let public = kp.public_key();
    let jwk = json!({
        "kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig",
        "n": url.encode(public.modulus().big_endian_without_leading_zero()),
        "e": url.encode(public.exponent().big_endian_without_leading_zero()),
    });
    TestKey { kid, encoding, jwk }
}

fn keys() -> &'static [TestKey; 2] {
    static KEYS: OnceLock<[TestKey; 2]> = OnceLock::new();
    KEYS.get_or_init(|| [make_key("k1"), make_key("k2")])
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// ID-token claims with a nonce; access-token claims (with `scope`, as
/// GenAuth issues them) without one.
fn claims(iss: &str, nonce: Option<&str>) -> serde_json::Value {
    let mut c =
        json!({"iss": iss, "aud": APP_ID, "sub": "user-1", "exp": now() + 600, "iat": now()});
    match nonce {
        Some(n) => c["nonce"] = json!(n),
        None => c["scope"] = json!("openid profile"),
    }
    c
}

fn sign(key: &TestKey, kid: &str, claims: &serde_json::Value) -> String {
    let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    h.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&h, claims, &key.encoding).unwrap()
}

// ---------------------------------------------------------------- helpers

fn client(server: &TestServer, method: TokenEndpointAuthMethod) -> AuthenticationClient {
    AuthenticationClient::new(
        AuthenticationClientOptions::new(APP_ID, server.url())
            .app_secret(APP_SECRET)
            .redirect_uri("https://app.example.com/callback")
            .token_endpoint_auth_method(method)
            .introspection_endpoint_auth_method(method)
            .revocation_endpoint_auth_method(method),
    )
    .unwrap()
}

fn form(r: &Recorded) -> Vec<(String, String)> {
    serde_html_form::from_bytes(&r.body).unwrap()
}

fn field<'a>(f: &'a [(String, String)], k: &str) -> Option<&'a str> {
    f.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str())
}

fn expected_basic() -> String {
    // RFC 6749 §2.3.1: form-urlencode id and secret, then base64.
    let raw = "app-123:app+secret%2F%2B";
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

fn token_body() -> serde_json::Value {
    json!({"access_token": "at-1", "refresh_token": "rt-1", "expires_in": 7200, "token_type": "Bearer", "scope": "openid offline_access", "session": "kept"})
}

fn protocol_error(e: Error) -> ProtocolError {
    match e {
        Error::Protocol(p) => *p,
        other => panic!("not a protocol error: {other:?}"),
    }
}

// ---------------------------------------------------------------- token endpoint

#[tokio::test]
async fn code_exchange_under_each_client_auth_method() {
    let server = TestServer::start(|_| json_response(200, token_body())).await;
    let verifier = SecretString::new("v".repeat(50));
    for method in [
        TokenEndpointAuthMethod::ClientSecretPost,
        TokenEndpointAuthMethod::ClientSecretBasic,
        TokenEndpointAuthMethod::None,
    ] {
        let c = client(&server, method);
        let tokens = c
            .get_access_token_by_code("code-1", Some(&verifier))
            .await
            .unwrap();
        assert_eq!(tokens.access_token.unwrap().expose(), "at-1");
        assert_eq!(tokens.refresh_token.unwrap().expose(), "rt-1");
        assert_eq!(tokens.expires_in, Some(7200));
        assert_eq!(tokens.extra["session"], "kept");
    }
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    for r in &reqs {
        assert_eq!(r.method, http::Method::POST);
        assert_eq!(r.path, "/oidc/token");
        assert_eq!(
            r.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        let f = form(r);
        assert_eq!(field(&f, "grant_type"), Some("authorization_code"));
        assert_eq!(field(&f, "code"), Some("code-1"));
        assert_eq!(
            field(&f, "redirect_uri"),
            Some("https://app.example.com/callback")
        );
        assert_eq!(field(&f, "code_verifier"), Some("v".repeat(50).as_str()));
    }
    // client_secret_post
    let f = form(&reqs[0]);
    assert_eq!(field(&f, "client_id"), Some(APP_ID));
    assert_eq!(field(&f, "client_secret"), Some(APP_SECRET));
    assert_eq!(reqs[0].header("authorization"), None);
    // client_secret_basic
    let f = form(&reqs[1]);
    assert_eq!(field(&f, "client_id"), None);
    assert_eq!(field(&f, "client_secret"), None);
    assert_eq!(
        reqs[1].header("authorization"),
        Some(expected_basic().as_str())
    );
    // none
    let f = form(&reqs[2]);
    assert_eq!(field(&f, "client_id"), Some(APP_ID));
    assert_eq!(field(&f, "client_secret"), None);
    assert_eq!(reqs[2].header("authorization"), None);
}

#[tokio::test]
async fn refresh_and_client_credentials_grants() {
    let server = TestServer::start(|_| json_response(200, token_body())).await;
    let c = client(&server, TokenEndpointAuthMethod::ClientSecretBasic);
    c.get_new_access_token_by_refresh_token(&"rt-0".into())
        .await
        .unwrap();
    c.get_access_token_by_client_credentials("read:users", "ak-1", &"sk-1".into())
        .await
        .unwrap();
    let reqs = server.requests();
    let f = form(&reqs[0]);
    assert_eq!(field(&f, "grant_type"), Some("refresh_token"));
    assert_eq!(field(&f, "refresh_token"), Some("rt-0"));
    assert_eq!(
        reqs[0].header("authorization"),
        Some(expected_basic().as_str())
    );
    let f = form(&reqs[1]);
    assert_eq!(field(&f, "grant_type"), Some("client_credentials"));
    assert_eq!(field(&f, "scope"), Some("read:users"));
    assert_eq!(field(&f, "client_secret"), None);
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("ak-1:sk-1")
    );
    assert_eq!(reqs[1].header("authorization"), Some(basic.as_str()));
}

#[tokio::test]
async fn oauth_errors_are_typed() {
    let server = TestServer::start(|_| {
        json_response(
            400,
            json!({"error": "invalid_grant", "error_description": "the code was used"}),
        )
    })
    .await;
    let c = client(&server, TokenEndpointAuthMethod::ClientSecretPost);
    let e = c.get_access_token_by_code("used", None).await.unwrap_err();
    match protocol_error(e) {
        ProtocolError::OAuth {
            status,
            error,
            description,
            ..
        } => {
            assert_eq!(status, 400);
            assert_eq!(error, "invalid_grant");
            assert_eq!(description.as_deref(), Some("the code was used"));
        }
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------- userinfo, introspection, revocation

#[tokio::test]
async fn userinfo_get_and_post() {
    let server = TestServer::start(|_| {
        json_response(200, json!({"sub": "user-1", "email": "a@b.c", "x": 1}))
    })
    .await;
    let c = client(&server, TokenEndpointAuthMethod::ClientSecretPost);
    let token = SecretString::new("at-9");
    let u = c.get_user_info_by_access_token(&token).await.unwrap();
    assert_eq!(u.sub, "user-1");
    assert_eq!(u.extra["x"], 1);
    c.get_user_info_with(&token, UserInfoMethod::Post, TokenPlacement::Body)
        .await
        .unwrap();
    c.get_user_info_with(&token, UserInfoMethod::Get, TokenPlacement::Query)
        .await
        .unwrap();
    let reqs = server.requests();
    assert_eq!(reqs[0].method, http::Method::GET);
    assert_eq!(reqs[0].path, "/oidc/me");
    assert_eq!(reqs[0].header("authorization"), Some("Bearer at-9"));
    assert_eq!(reqs[1].method, http::Method::POST);
    assert_eq!(&reqs[1].body[..], b"access_token=at-9");
    assert_eq!(reqs[1].header("authorization"), None);
    assert_eq!(reqs[2].query.as_deref(), Some("access_token=at-9"));
}

#[tokio::test]
async fn introspection_and_revocation() {
    let server = TestServer::start(|r| match r.path.as_str() {
        "/oauth/token/introspection" => json_response(
            200,
            json!({"active": true, "sub": "u1", "aud": ["app-123"], "exp": 99}),
        ),
        "/oauth/token/revocation" => raw_response(200, "text/plain", ""),
        _ => json_response(404, json!({"error": "not_found"})),
    })
    .await;
    let c = AuthenticationClient::new(
        AuthenticationClientOptions::new(APP_ID, server.url())
            .app_secret(APP_SECRET)
            .protocol(Protocol::Oauth)
            .introspection_endpoint_auth_method(TokenEndpointAuthMethod::ClientSecretBasic)
            .revocation_endpoint_auth_method(TokenEndpointAuthMethod::ClientSecretPost),
    )
    .unwrap();
    let i = c.introspect_token(&"tok-1".into()).await.unwrap();
    assert!(i.active);
    assert_eq!(i.aud, vec!["app-123"]);
    c.revoke_token(&"tok-1".into()).await.unwrap();
    let reqs = server.requests();
    assert_eq!(
        reqs[0].header("authorization"),
        Some(expected_basic().as_str())
    );
    assert_eq!(form(&reqs[0]), vec![("token".into(), "tok-1".into())]);
    assert_eq!(reqs[1].header("authorization"), None);
    let f = form(&reqs[1]);
    assert_eq!(field(&f, "token"), Some("tok-1"));
    assert_eq!(field(&f, "client_id"), Some(APP_ID));
    assert_eq!(field(&f, "client_secret"), Some(APP_SECRET));
}

// ---------------------------------------------------------------- key set and verification

#[tokio::test]
async fn jwks_is_cached_and_refreshed_at_most_once_per_interval_on_unknown_kid() {
    let rotated = Arc::new(AtomicBool::new(false));
    let r2 = rotated.clone();
    let server = TestServer::start(move |r| {
        assert_eq!(r.path, "/oidc/.well-known/jwks.json");
        let [k1, k2] = keys();
        let keys = if r2.load(Ordering::SeqCst) {
            json!({"keys": [k1.jwk, k2.jwk]})
        } else {
            json!({"keys": [k1.jwk]})
        };
        json_response(200, keys)
    })
    .await;
    let c = client(&server, TokenEndpointAuthMethod::ClientSecretPost);
    let iss = format!("{}/oidc", server.url());
    let [k1, k2] = keys();

    let t1 = sign(k1, k1.kid, &claims(&iss, Some("n1")));
    let claims1 = c.verify_id_token(&t1, Some("n1")).await.unwrap();
    assert_eq!(claims1.sub.as_deref(), Some("user-1"));
    // An ID token is not an access token.
    assert!(matches!(
        c.verify_access_token(&t1).await,
        Err(Error::Verify(VerifyError::WrongTokenKind { .. }))
    ));
    let a1 = sign(k1, k1.kid, &claims(&iss, None));
    c.verify_access_token(&a1).await.unwrap();
    c.introspect_token_offline(&a1).await.unwrap();
    assert_eq!(c.jwks_cache().fetch_count(), 1, "the key set is cached");

    // The server rotates in k2; a k2 token triggers one refresh.
    rotated.store(true, Ordering::SeqCst);
    let t2 = sign(k2, k2.kid, &claims(&iss, None));
    c.verify_access_token(&t2).await.unwrap();
    assert_eq!(c.jwks_cache().fetch_count(), 2);

    // An unknown kid right after: no new fetch within the interval.
    let forged = sign(k1, "k-unknown", &claims(&iss, None));
    for _ in 0..3 {
        let e = c.verify_access_token(&forged).await.unwrap_err();
        assert!(matches!(e, Error::Verify(VerifyError::UnknownKid(ref k)) if k == "k-unknown"));
    }
    assert_eq!(c.jwks_cache().fetch_count(), 2);

    // With no interval, each unknown kid may refresh once.
    c.jwks_cache().set_min_refresh_interval(Duration::ZERO);
    assert!(c.verify_access_token(&forged).await.is_err());
    assert_eq!(c.jwks_cache().fetch_count(), 3);
    assert_eq!(server.requests().len(), 3);

    // Wrong nonce and wrong audience are still rejected with a cached set.
    let e = c.verify_id_token(&t1, Some("other")).await.unwrap_err();
    assert!(matches!(e, Error::Verify(VerifyError::NonceMismatch)));
    let mut bad_aud = claims(&iss, None);
    bad_aud["aud"] = json!("someone-else");
    let e = c
        .verify_access_token(&sign(k1, "k1", &bad_aud))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Verify(VerifyError::InvalidAudience)));
}

#[tokio::test]
async fn app_scoped_jwks_discovery_and_hs256() {
    let server_url = Arc::new(OnceLock::<String>::new());
    let su = server_url.clone();
    let server = TestServer::start(move |r| {
        let [k1, _] = keys();
        match r.path.as_str() {
            "/app-123/oidc/.well-known/jwks.json" | "/keys/from-discovery" => {
                json_response(200, json!({"keys": [k1.jwk]}))
            }
            "/oidc/.well-known/openid-configuration" => {
                let base = su.get().cloned().unwrap_or_default();
                json_response(
                    200,
                    json!({"issuer": "https://issuer.example/oidc", "jwks_uri": format!("{base}/keys/from-discovery")}),
                )
            }
            _ => json_response(404, json!({"error": "not_found"})),
        }
    })
    .await;
    server_url.set(server.url()).unwrap();
    let [k1, _] = keys();
    let iss = format!("{}/oidc", server.url());

    let c = client(&server, TokenEndpointAuthMethod::ClientSecretPost);
    c.jwks_cache().set_location(JwksLocation::AppScoped);
    c.verify_access_token(&sign(k1, "k1", &claims(&iss, None)))
        .await
        .unwrap();
    assert_eq!(
        server.requests()[0].path,
        "/app-123/oidc/.well-known/jwks.json"
    );

    // Discovery: the jwks_uri is followed and the advertised issuer accepted.
    let c = client(&server, TokenEndpointAuthMethod::ClientSecretPost);
    c.jwks_cache().set_use_discovery(true);
    c.verify_access_token(&sign(
        k1,
        "k1",
        &claims("https://issuer.example/oidc", None),
    ))
    .await
    .unwrap();
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        &paths[1..],
        [
            "/oidc/.well-known/openid-configuration",
            "/keys/from-discovery"
        ]
    );

    // HS256 ID tokens are checked with the app secret and need no key set.
    let before = server.requests().len();
    let hs = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims(&iss, Some("hs-nonce")),
        &jsonwebtoken::EncodingKey::from_secret(APP_SECRET.as_bytes()),
    )
    .unwrap();
    let c = client(&server, TokenEndpointAuthMethod::ClientSecretPost);
    c.verify_id_token(&hs, None).await.unwrap();
    assert!(matches!(
        c.verify_access_token(&hs).await,
        Err(Error::Verify(VerifyError::AlgorithmNotAllowed(_)))
    ));
    assert_eq!(server.requests().len(), before);
}

// ---------------------------------------------------------------- redirect login

#[tokio::test]
async fn redirect_login_round_trip() {
    let nonce = Arc::new(OnceLock::<String>::new());
    let iss_cell = Arc::new(OnceLock::<String>::new());
    let (n2, i2) = (nonce.clone(), iss_cell.clone());
    let server = TestServer::start(move |r| {
        let [k1, _] = keys();
        match r.path.as_str() {
            "/oidc/token" => {
                let id = sign(
                    k1,
                    "k1",
                    &claims(i2.get().unwrap(), Some(n2.get().unwrap().as_str())),
                );
                json_response(
                    200,
                    json!({"access_token": "at", "id_token": id, "token_type": "Bearer"}),
                )
            }
            "/oidc/.well-known/jwks.json" => json_response(200, json!({"keys": [k1.jwk]})),
            _ => json_response(404, json!({})),
        }
    })
    .await;
    iss_cell.set(format!("{}/oidc", server.url())).unwrap();
    let c = client(&server, TokenEndpointAuthMethod::ClientSecretPost);
    let login = c.start_redirect_login(AuthorizeParams::new()).unwrap();
    assert!(login
        .url
        .starts_with(&format!("{}/oidc/auth?", server.url())));
    nonce.set(login.transaction.nonce.clone().unwrap()).unwrap();

    // The transaction survives a cookie round trip.
    let stored = LoginTransaction::from_cookie_value(&login.transaction.to_cookie_value()).unwrap();

    // A forged callback is refused before anything is sent.
    let e = c
        .handle_redirect_callback("code=c1&state=forged", &stored)
        .await
        .unwrap_err();
    assert_eq!(protocol_error(e), ProtocolError::StateMismatch);
    let e = c
        .handle_redirect_callback("error=access_denied", &stored)
        .await
        .unwrap_err();
    assert!(matches!(
        protocol_error(e),
        ProtocolError::AuthorizationDenied { .. }
    ));
    assert!(server.requests().is_empty());

    let query = format!("code=c1&state={}", stored.state);
    let done = c.handle_redirect_callback(&query, &stored).await.unwrap();
    assert!(done.tokens.id_token.is_some());
    // The callback hands back the verified claims: no second verification.
    let id_claims = done.id_claims.expect("the ID token's claims");
    assert_eq!(id_claims.nonce, stored.nonce);
    let reqs = server.requests();
    let f = form(&reqs[0]);
    assert_eq!(field(&f, "code"), Some("c1"));
    assert_eq!(
        field(&f, "code_verifier"),
        stored.code_verifier.as_ref().map(|v| v.expose())
    );

    // A token response whose ID token carries another nonce is rejected.
    let mut other = stored.clone();
    other.nonce = Some("not-the-nonce-of-this-login".into());
    let e = c
        .handle_redirect_callback(&query, &other)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Verify(VerifyError::NonceMismatch)));
}

#[tokio::test]
async fn an_openid_callback_without_an_id_token_is_refused() {
    let server = TestServer::start(|r| match r.path.as_str() {
        "/oidc/token" => json_response(200, json!({"access_token": "at", "token_type": "Bearer"})),
        _ => json_response(404, json!({})),
    })
    .await;
    let c = client(&server, TokenEndpointAuthMethod::ClientSecretPost);
    let login = c.start_redirect_login(AuthorizeParams::new()).unwrap();
    assert!(login.transaction.expects_id_token());
    let query = format!("code=c1&state={}", login.transaction.state);
    let e = c
        .handle_redirect_callback(&query, &login.transaction)
        .await
        .unwrap_err();
    assert_eq!(protocol_error(e), ProtocolError::MissingIdToken);

    // Without `openid` no ID token is expected, and none is returned.
    let login = c
        .start_redirect_login(AuthorizeParams::new().scope("profile"))
        .unwrap();
    assert!(!login.transaction.expects_id_token());
    let query = format!("code=c2&state={}", login.transaction.state);
    let done = c
        .handle_redirect_callback(&query, &login.transaction)
        .await
        .unwrap();
    assert!(done.id_claims.is_none());
}

// ---------------------------------------------------------------- CAS

#[tokio::test]
async fn cas_ticket_validation() {
    let server = TestServer::start(|r| {
        let q = r.query.clone().unwrap_or_default();
        let good = q.contains("ticket=ST-good");
        match (r.path.as_str(), good) {
            ("/cas-idp/app-123/validate", true) => raw_response(200, "text/plain", "yes\nalice\n"),
            ("/cas-idp/app-123/validate", false) => raw_response(200, "text/plain", "no\n\n"),
            ("/cas-idp/app-123/serviceValidate", true) if q.contains("format=JSON") => json_response(
                200,
                json!({"serviceResponse": {"authenticationSuccess": {"user": "alice", "attributes": {"email": "a@b.c"}}}}),
            ),
            ("/cas-idp/app-123/serviceValidate", true) => raw_response(
                200,
                "application/xml",
                "<cas:serviceResponse xmlns:cas='http://www.yale.edu/tp/cas'><cas:authenticationSuccess><cas:user>alice</cas:user><cas:attributes><cas:group>a</cas:group><cas:group>b</cas:group></cas:attributes></cas:authenticationSuccess></cas:serviceResponse>",
            ),
            ("/cas-idp/app-123/serviceValidate", false) => raw_response(
                200,
                "application/xml",
                "<cas:serviceResponse xmlns:cas='http://www.yale.edu/tp/cas'><cas:authenticationFailure code='INVALID_TICKET'>Ticket ST-bad not recognized</cas:authenticationFailure></cas:serviceResponse>",
            ),
            _ => raw_response(404, "text/plain", "no route"),
        }
    })
    .await;
    let c = AuthenticationClient::new(
        AuthenticationClientOptions::new(APP_ID, server.url()).protocol(Protocol::Cas),
    )
    .unwrap();
    let service = "https://svc.example/?x=1";
    assert_eq!(
        c.validate_ticket_v1("ST-good", service).await.unwrap(),
        "alice"
    );
    let e = c.validate_ticket_v1("ST-bad", service).await.unwrap_err();
    assert!(matches!(
        protocol_error(e),
        ProtocolError::TicketRejected {
            code: CasErrorCode::InvalidTicket,
            ..
        }
    ));
    let s = c
        .validate_ticket_v2("ST-good", service, CasFormat::Xml)
        .await
        .unwrap();
    assert_eq!(s.user, "alice");
    assert_eq!(s.attributes["group"], vec!["a", "b"]);
    let s = c
        .validate_ticket_v2("ST-good", service, CasFormat::Json)
        .await
        .unwrap();
    assert_eq!(s.attributes["email"], vec!["a@b.c"]);
    let e = c
        .validate_ticket_v2("ST-bad", service, CasFormat::Xml)
        .await
        .unwrap_err();
    match protocol_error(e) {
        ProtocolError::TicketRejected { code, message } => {
            assert_eq!(code, CasErrorCode::InvalidTicket);
            assert_eq!(message, "Ticket ST-bad not recognized");
        }
        other => panic!("{other:?}"),
    }
    let reqs = server.requests();
    assert_eq!(
        reqs[0].query.as_deref(),
        Some("service=https%3A%2F%2Fsvc.example%2F%3Fx%3D1&ticket=ST-good")
    );
    assert!(reqs[2].query.as_deref().unwrap().ends_with("&format=XML"));
}

// ---------------------------------------------------------------- sign-in / sign-up shortcuts

fn login_ok() -> http::Response<http_body_util::Full<bytes::Bytes>> {
    json_response(
        200,
        json!({"statusCode": 200, "message": "", "data": {"access_token": "at", "expire_in": 10, "token_type": "Bearer"}}),
    )
}

#[tokio::test]
async fn sign_in_shortcuts_send_credentials_per_auth_method() {
    let server = TestServer::start(|_| login_ok()).await;
    client(&server, TokenEndpointAuthMethod::ClientSecretPost)
        .sign_in_by_email_password("ann@example.com", "pw-1")
        .await
        .unwrap();
    client(&server, TokenEndpointAuthMethod::ClientSecretBasic)
        .sign_in_by_username_password("ann", "pw-2")
        .await
        .unwrap();
    client(&server, TokenEndpointAuthMethod::None)
        .sign_in_by_phone_passcode("13800000000", "1234", Some("+86"))
        .await
        .unwrap();
    let reqs = server.requests();
    assert!(reqs.iter().all(|r| r.path == "/api/v3/signin"));

    let b = reqs[0].json();
    assert_eq!(
        b,
        json!({"connection": "PASSWORD", "passwordPayload": {"password": "pw-1", "email": "ann@example.com"}, "client_id": APP_ID, "client_secret": APP_SECRET})
    );
    assert_eq!(reqs[0].header("authorization"), None);

    let b = reqs[1].json();
    assert_eq!(
        b,
        json!({"connection": "PASSWORD", "passwordPayload": {"password": "pw-2", "username": "ann"}})
    );
    assert_eq!(
        reqs[1].header("authorization"),
        Some(expected_basic().as_str())
    );

    let b = reqs[2].json();
    assert_eq!(
        b,
        json!({"connection": "PASSCODE", "passCodePayload": {"passCode": "1234", "phone": "13800000000", "phoneCountryCode": "+86"}})
    );
}

#[tokio::test]
async fn other_sign_in_and_sign_up_shortcuts() {
    let server = TestServer::start(|r| {
        if r.path == "/api/v3/signup" {
            json_response(200, json!({"statusCode": 200, "data": {"userId": "u-new"}}))
        } else {
            login_ok()
        }
    })
    .await;
    let c = client(&server, TokenEndpointAuthMethod::ClientSecretBasic);
    c.sign_in_by_phone_password("138", "p").await.unwrap();
    c.sign_in_by_account_password("acc", "p").await.unwrap();
    c.sign_in_by_email_passcode("a@b.c", "9999").await.unwrap();
    c.sign_in_by_ldap("ldap-user", "p").await.unwrap();
    c.sign_in_by_ad("ad-user", "p").await.unwrap();
    let user = c
        .sign_up_by_email_password("new@b.c", "pw")
        .with(|op| {
            op.0.profile = Some(genauth::types::SignUpProfileDto {
                nickname: Some("Nick".into()),
                ..Default::default()
            })
        })
        .await
        .unwrap();
    assert_eq!(user.user_id, "u-new");
    c.sign_up_by_username_password("newbie", "pw")
        .await
        .unwrap();
    c.sign_up_by_email_passcode("n@b.c", "1111").await.unwrap();
    c.sign_up_by_phone_passcode("139", "2222", None)
        .await
        .unwrap();
    let bodies: Vec<serde_json::Value> = server.requests().iter().map(|r| r.json()).collect();
    assert_eq!(bodies[0]["passwordPayload"]["phone"], "138");
    assert_eq!(bodies[1]["passwordPayload"]["account"], "acc");
    assert_eq!(
        bodies[2],
        json!({"connection": "PASSCODE", "passCodePayload": {"passCode": "9999", "email": "a@b.c"}})
    );
    assert_eq!(
        bodies[3],
        json!({"connection": "LDAP", "ldapPayload": {"password": "p", "sAMAccountName": "ldap-user"}})
    );
    assert_eq!(bodies[4]["connection"], "AD");
    assert_eq!(bodies[4]["adPayload"]["sAMAccountName"], "ad-user");
    assert_eq!(
        bodies[5],
        json!({"connection": "PASSWORD", "passwordPayload": {"password": "pw", "email": "new@b.c"}, "profile": {"nickname": "Nick"}})
    );
    assert_eq!(bodies[6]["passwordPayload"]["username"], "newbie");
    assert_eq!(bodies[7]["passCodePayload"]["email"], "n@b.c");
    assert_eq!(
        bodies[8],
        json!({"connection": "PASSCODE", "passCodePayload": {"passCode": "2222", "phone": "139"}})
    );
    let reqs = server.requests();
    assert_eq!(reqs[5].path, "/api/v3/signup");
}

#[tokio::test]
async fn concurrent_verifications_share_one_key_set_fetch_and_forget_refetches() {
    let server = TestServer::start(|_| {
        let [k1, _] = keys();
        json_response(200, json!({"keys": [k1.jwk]}))
    })
    .await;
    let c = client(&server, TokenEndpointAuthMethod::ClientSecretPost);
    let iss = format!("{}/oidc", server.url());
    let [k1, _] = keys();
    let token = sign(k1, "k1", &claims(&iss, None));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (c, t) = (c.clone(), token.clone());
        tasks.push(tokio::spawn(async move { c.verify_access_token(&t).await }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(c.jwks_cache().fetch_count(), 1);
    assert_eq!(server.requests().len(), 1);

    c.jwks_cache().forget();
    c.verify_access_token(&token).await.unwrap();
    assert_eq!(c.jwks_cache().fetch_count(), 2);

    // A failing key-set endpoint is a typed error, not a panic.
    let down = TestServer::start(|_| raw_response(503, "text/html", "<h1>down</h1>")).await;
    let c = client(&down, TokenEndpointAuthMethod::ClientSecretPost);
    // The cause (HTTP 503) is named in the typed error.
    assert!(matches!(
        c.verify_access_token(&token).await,
        Err(Error::Verify(VerifyError::KeySetUnavailable(ref why))) if why.contains("503")
    ));
    // Debug output of the client and its cache shows no secret.
    let dbg = format!("{c:?} {:?}", c.jwks_cache());
    assert!(!dbg.contains(APP_SECRET), "{dbg}");
}
