//! The bearer guard (genauth-tower feature `guard`) in front of a tower
//! service, against the emulator: valid, missing, malformed, tampered,
//! expired, revoked tokens, ID tokens, another audience, a missing scope,
//! gRPC callers, and per-user calls.

use std::convert::Infallible;
use std::time::Duration;

use genauth::protocol::AuthorizeParams;
use genauth::{AuthenticationClient, AuthenticationClientOptions, SecretString};
use genauth_emulator::{
    Emulator, Lifetimes, RunningEmulator, TestUser, DEFAULT_APP_ID, DEFAULT_APP_SECRET,
    DEFAULT_REDIRECT_URI,
};
use genauth_tower::guard::{BearerClaims, Guard, Rejection, VerifyMode};
use http::{Request, Response, StatusCode};
use tower::{Layer, ServiceExt};

const USER: &str = "gina@example.com";

async fn emulator() -> RunningEmulator {
    Emulator::builder()
        .user(TestUser::email(USER).with_password("pw-gina-1"))
        .auto_approve(USER)
        .start()
        .await
        .unwrap()
}

fn client(emu: &RunningEmulator) -> AuthenticationClient {
    AuthenticationClient::new(
        AuthenticationClientOptions::new(DEFAULT_APP_ID, emu.url())
            .app_secret(DEFAULT_APP_SECRET)
            .redirect_uri(DEFAULT_REDIRECT_URI),
    )
    .unwrap()
}

async fn client_token(c: &AuthenticationClient, scope: &str) -> String {
    let t = c
        .get_access_token_by_client_credentials(scope, DEFAULT_APP_ID, &DEFAULT_APP_SECRET.into())
        .await
        .unwrap();
    t.access_token.unwrap().expose().to_owned()
}

/// A user's access token and ID token, through the redirect login.
async fn user_tokens(c: &AuthenticationClient) -> (SecretString, SecretString) {
    let login = c.start_redirect_login(AuthorizeParams::new()).unwrap();
    let req = Request::get(&login.url)
        .body(genauth::core::Body::empty())
        .unwrap();
    let resp = c.send_http(req).await.unwrap();
    let loc = resp.headers()["location"].to_str().unwrap().to_owned();
    let query = loc.split_once('?').unwrap().1;
    let done = c
        .handle_redirect_callback(query, &login.transaction)
        .await
        .unwrap();
    (
        done.tokens.access_token.unwrap(),
        done.tokens.id_token.unwrap(),
    )
}

/// The protected service: echoes the verified subject.
async fn app(req: Request<String>) -> Result<Response<String>, Infallible> {
    let sub = req
        .extensions()
        .get::<BearerClaims>()
        .map(|c| c.sub.clone().unwrap_or_default())
        .unwrap_or_else(|| "anonymous".into());
    Ok(Response::new(sub))
}

async fn call(guard: &Guard, auth: Option<&str>) -> Response<String> {
    let mut req = Request::get("/api/orders");
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    guard
        .layer()
        .layer(tower::service_fn(app))
        .oneshot(req.body(String::new()).unwrap())
        .await
        .unwrap()
}

fn challenge(r: &Response<String>) -> &str {
    r.headers()["www-authenticate"].to_str().unwrap()
}

#[tokio::test]
async fn valid_tokens_pass_and_bad_ones_get_401_or_403() {
    let emu = emulator().await;
    let c = client(&emu);
    let guard = Guard::new(c.clone());
    let token = client_token(&c, "orders:read").await;

    let ok = call(&guard, Some(&format!("Bearer {token}"))).await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.body(), DEFAULT_APP_ID, "the claims reach the service");

    let r = call(&guard, None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(challenge(&r), "Bearer");

    // Tampered signature, tampered payload.
    let mut bad_sig = token.clone();
    let last = bad_sig.pop().unwrap();
    bad_sig.push(if last == 'A' { 'B' } else { 'A' });
    let parts: Vec<&str> = token.split('.').collect();
    let bad_payload = format!("{}.{}x.{}", parts[0], parts[1], parts[2]);
    for t in [bad_sig, bad_payload] {
        let r = call(&guard, Some(&format!("Bearer {t}"))).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(challenge(&r), "Bearer error=\"invalid_token\"");
        assert!(r.extensions().get::<std::sync::Arc<Rejection>>().is_some());
    }

    // Malformed headers, an oversized token, a 1 MB token: 401, no panic.
    let huge = format!("Bearer {}", "a".repeat(1 << 20));
    for h in [
        "Basic abc",
        "Bearer",
        "Bearer ",
        "Bearer a b",
        "bearer x.y.z",
        &huge,
    ] {
        let r = call(&guard, Some(h)).await;
        assert_eq!(
            r.status(),
            StatusCode::UNAUTHORIZED,
            "{}",
            &h[..h.len().min(20)]
        );
        assert!(challenge(&r).contains("invalid_token"));
    }
    let non_utf8 = Request::get("/")
        .header(
            "authorization",
            http::HeaderValue::from_bytes(b"Bearer \xff\xfe").unwrap(),
        )
        .body(String::new())
        .unwrap();
    let r = guard
        .layer()
        .layer(tower::service_fn(app))
        .oneshot(non_utf8)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // Another audience.
    let other = Guard::new(c.clone()).verifier(c.token_verifier().audience("other-app"));
    let r = call(&other, Some(&format!("Bearer {token}"))).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // A missing scope: 403 insufficient_scope naming it.
    let strict = Guard::new(c.clone()).verifier(c.token_verifier().require_scope("orders:write"));
    let r = call(&strict, Some(&format!("Bearer {token}"))).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        challenge(&r),
        "Bearer error=\"insufficient_scope\", scope=\"orders:write\""
    );

    // Optional auth: no header passes as anonymous, a bad one still fails.
    let optional = Guard::new(c.clone()).optional();
    assert_eq!(call(&optional, None).await.body(), "anonymous");
    assert_eq!(
        call(&optional, Some("Bearer x.y.z")).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn an_id_token_is_not_a_bearer_token_and_user_calls_take_the_users_token() {
    let emu = emulator().await;
    let c = client(&emu);
    let guard = Guard::new(c.clone());
    let (access, id) = user_tokens(&c).await;
    let r = call(&guard, Some(&format!("Bearer {}", id.expose()))).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = call(&guard, Some(&format!("Bearer {}", access.expose()))).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.body(), &emu.user_id(USER).unwrap());

    // One client, many users: the call carries the given token; the client has none.
    assert!(c.access_token().is_none());
    let me = c.get_profile().user_token(&access).await.unwrap();
    assert_eq!(me.email.as_deref(), Some(USER));
    assert!(c.get_profile().await.is_err(), "no token of its own");
}

#[tokio::test]
async fn expired_tokens_get_401() {
    let emu = Emulator::builder()
        .lifetimes(Lifetimes {
            access_token: Duration::from_secs(1),
            ..Lifetimes::default()
        })
        .start()
        .await
        .unwrap();
    let c = client(&emu);
    let token = client_token(&c, "read").await;
    let guard = Guard::new(c.clone()).verifier(c.token_verifier().leeway(Duration::ZERO));
    assert_eq!(
        call(&guard, Some(&format!("Bearer {token}")))
            .await
            .status(),
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let r = call(&guard, Some(&format!("Bearer {token}"))).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn grpc_callers_get_a_grpc_status() {
    let emu = emulator().await;
    let c = client(&emu);
    let guard = Guard::new(c.clone());
    let svc = guard.layer().layer(tower::service_fn(app));
    let req = Request::post("/orders.Orders/List")
        .header("content-type", "application/grpc")
        .body(String::new())
        .unwrap();
    let r = svc.clone().oneshot(req).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["grpc-status"], "16");
    assert_eq!(r.headers()["content-type"], "application/grpc");
    let token = client_token(&c, "read").await;
    let strict = Guard::new(c.clone()).verifier(c.token_verifier().require_scope("write"));
    let req = Request::post("/orders.Orders/List")
        .header("content-type", "application/grpc+proto")
        .header("authorization", format!("Bearer {token}"))
        .body(String::new())
        .unwrap();
    let r = strict
        .layer()
        .layer(tower::service_fn(app))
        .oneshot(req)
        .await
        .unwrap();
    assert_eq!(r.headers()["grpc-status"], "7");
}

#[tokio::test]
async fn introspection_sees_revocation_and_its_cache_is_capped() {
    let emu = emulator().await;
    let c = client(&emu);
    let token = client_token(&c, "read").await;
    let guard = Guard::new(c.clone())
        .mode(VerifyMode::LocalThenIntrospect)
        .introspection_cache(1, Duration::ZERO);
    let bearer = format!("Bearer {token}");
    assert_eq!(call(&guard, Some(&bearer)).await.status(), StatusCode::OK);
    c.revoke_token(&token.clone().into()).await.unwrap();
    // TTL zero: every request asks again, and sees the revocation.
    let r = call(&guard, Some(&bearer)).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Local mode alone cannot see it.
    assert_eq!(
        call(&Guard::new(c.clone()), Some(&bearer)).await.status(),
        StatusCode::OK
    );

    // With a TTL the cache serves repeated tokens, and never holds more than its cap.
    let cached = Guard::new(c.clone())
        .mode(VerifyMode::Introspect)
        .introspection_cache(2, Duration::from_secs(60));
    for _ in 0..4 {
        let t = client_token(&c, "read").await;
        assert_eq!(
            call(&cached, Some(&format!("Bearer {t}"))).await.status(),
            StatusCode::OK
        );
    }
    assert_eq!(cached.introspection_cache_len(), 2);
    let before = emu.request_count("/oidc/token/introspection");
    let t = client_token(&c, "read").await;
    call(&cached, Some(&format!("Bearer {t}"))).await;
    call(&cached, Some(&format!("Bearer {t}"))).await;
    assert!(emu.request_count("/oidc/token/introspection") - before <= 2);
}
