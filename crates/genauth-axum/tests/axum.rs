//! genauth-axum against the emulator, in process with `oneshot`: the redirect
//! login (login → authorize → callback → session → logout), refused login
//! cookies, and bearer tokens through the `Claims` extractor.

use std::time::Duration;

use axum::body::Body;
use axum::routing::get;
use axum::Router;
use genauth_axum::{callback, login, logout, Claims, Key, Session, WebLogin};
use genauth_emulator::{
    Emulator, Lifetimes, RunningEmulator, TestUser, DEFAULT_APP_ID, DEFAULT_APP_SECRET,
    DEFAULT_REDIRECT_URI,
};
use genauth_tower::core::protocol::AuthorizeParams;
use genauth_tower::core::AuthenticationClientOptions;
use genauth_tower::guard::Guard;
use genauth_tower::AuthenticationClient;
use http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

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

fn web_app(web: WebLogin) -> Router {
    Router::new()
        .route("/login", get(login))
        .route("/callback", get(callback))
        .route("/logout", get(logout))
        .route(
            "/me",
            get(|s: Session| async move { s.sub.clone().unwrap_or_default() }),
        )
        .route(
            "/hello",
            get(|s: Option<Session>| async move {
                s.and_then(|s| s.sub.clone())
                    .unwrap_or_else(|| "anonymous".into())
            }),
        )
        .with_state(web)
}

async fn get_with(app: &Router, uri: &str, cookie: Option<&str>) -> Response<Body> {
    let mut req = Request::get(uri);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    app.clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

async fn text(r: Response<Body>) -> String {
    String::from_utf8(r.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
}

fn set_cookies(r: &Response<Body>) -> Vec<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

fn cookie_named<'a>(all: &'a [String], name: &str) -> &'a str {
    all.iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie in {all:?}"))
}

/// The `name=value` part of a Set-Cookie.
fn pair(set_cookie: &str) -> &str {
    set_cookie.split(';').next().unwrap()
}

/// GET /login, then the emulator's authorize page (auto-approved): the
/// login cookie and the callback's path and query.
async fn to_callback(app: &Router, c: &AuthenticationClient) -> (String, String) {
    let r = get_with(app, "/login", None).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let authorize = r.headers()["location"].to_str().unwrap().to_owned();
    let cookies = set_cookies(&r);
    let login_cookie = cookie_named(&cookies, "genauth_login").to_owned();
    let req = Request::get(&authorize)
        .body(genauth_tower::core::Body::empty())
        .unwrap();
    let resp = c.send_http(req).await.unwrap();
    let loc = resp.headers()["location"].to_str().unwrap().to_owned();
    let query = loc.strip_prefix(DEFAULT_REDIRECT_URI).unwrap();
    (login_cookie, format!("/callback{query}"))
}

#[tokio::test]
async fn login_callback_session_and_logout() {
    let emu = emulator().await;
    let c = client(&emu);
    let key = Key::generate();
    let web = WebLogin::new(c.clone(), key.clone()).after_login("/me");
    assert!(format!("{web:?}").contains("<redacted>"));
    let app = web_app(web);

    let r = get_with(&app, "/login", None).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let authorize = r.headers()["location"].to_str().unwrap();
    assert!(authorize.starts_with(emu.url()), "{authorize}");
    assert!(authorize.contains("code_challenge="));
    let cookies = set_cookies(&r);
    let lc = cookie_named(&cookies, "genauth_login");
    assert!(lc.contains("HttpOnly"), "{lc}");
    assert!(lc.contains("SameSite=Lax"), "{lc}");
    assert!(lc.contains("Max-Age=600"), "{lc}");
    // The redirect URI is on 127.0.0.1 over http: no Secure there.
    assert!(!lc.contains("Secure"), "{lc}");
    // The transaction (state, PKCE verifier) is not readable in the cookie.
    let state = authorize
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("state="))
        .unwrap();
    assert!(!lc.contains(state));

    let (login_cookie, cb) = to_callback(&app, &c).await;
    let r = get_with(&app, &cb, Some(pair(&login_cookie))).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/me");
    let cookies = set_cookies(&r);
    let session = cookie_named(&cookies, "genauth_session");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"));
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("genauth_login=;") && c.contains("Max-Age=0")),
        "the login cookie is cleared: {cookies:?}"
    );

    let user = emu.user_id(USER).unwrap();
    let r = get_with(&app, "/me", Some(pair(session))).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(text(r).await, user);
    assert_eq!(
        text(get_with(&app, "/hello", Some(pair(session))).await).await,
        user
    );

    // No session, or a forged one: 401 / anonymous.
    assert_eq!(
        get_with(&app, "/me", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let forged = format!("genauth_session={}", "A".repeat(80));
    assert_eq!(
        get_with(&app, "/me", Some(&forged)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        text(get_with(&app, "/hello", None).await).await,
        "anonymous"
    );

    // The same login cookie cannot be used twice: the code is spent.
    let r = get_with(&app, &cb, Some(pair(&login_cookie))).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let r = get_with(&app, "/logout", Some(pair(session))).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with(emu.url()));
    let cookies = set_cookies(&r);
    assert!(cookies
        .iter()
        .any(|c| c.starts_with("genauth_session=;") && c.contains("Max-Age=0")));
}

/// Logout sends the session's ID token as `id_token_hint`, so GenAuth honours
/// the post-logout redirect and ends the session; both cookies are cleared.
#[tokio::test]
async fn logout_sends_the_id_token_hint_and_genauth_redirects_back() {
    let emu = emulator().await;
    let c = client(&emu);
    let web = WebLogin::new(c.clone(), Key::generate())
        .after_login("/me")
        .after_logout(DEFAULT_REDIRECT_URI);
    let app = web_app(web);
    let (login_cookie, cb) = to_callback(&app, &c).await;
    let r = get_with(&app, &cb, Some(pair(&login_cookie))).await;
    let cookies = set_cookies(&r);
    let session = pair(cookie_named(&cookies, "genauth_session")).to_owned();
    let hint = cookie_named(&cookies, "genauth_id_token");
    assert!(
        hint.contains("HttpOnly") && hint.contains("SameSite=Lax"),
        "{hint}"
    );
    // Sealed: the cookie does not carry the JWT in the clear.
    assert!(!hint.contains("eyJ"), "{hint}");
    let both = format!("{session}; {}", pair(hint));

    let r = get_with(&app, "/logout", Some(&both)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let end = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(end.contains("id_token_hint=eyJ"), "{end}");
    let cleared = set_cookies(&r);
    for name in ["genauth_session", "genauth_id_token"] {
        assert!(
            cleared
                .iter()
                .any(|c| c.starts_with(&format!("{name}=;")) && c.contains("Max-Age=0")),
            "{name} is cleared: {cleared:?}"
        );
    }
    // GenAuth (the emulator) accepts the hint and redirects to the
    // registered URI; without the hint it refuses the redirect.
    let end_req = |uri: &str| {
        Request::get(uri)
            .body(genauth_tower::core::Body::empty())
            .unwrap()
    };
    let resp = c.send_http(end_req(&end)).await.unwrap();
    assert!(resp.status().is_redirection(), "{}", resp.status());
    assert_eq!(resp.headers()["location"], DEFAULT_REDIRECT_URI);
    let r = get_with(&app, "/logout", Some(&session)).await;
    let no_hint = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(!no_hint.contains("id_token_hint"), "{no_hint}");
    let resp = c.send_http(end_req(&no_hint)).await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_missing_tampered_or_foreign_login_cookie_is_refused() {
    let emu = emulator().await;
    let c = client(&emu);
    let app = web_app(WebLogin::new(c.clone(), Key::generate()));

    let (login_cookie, cb) = to_callback(&app, &c).await;
    let lc = pair(&login_cookie);

    let r = get_with(&app, &cb, None).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(text(r).await.contains("no valid login cookie"));

    // One character of the sealed value changed.
    let (name, value) = lc.split_once('=').unwrap();
    let mut v: Vec<char> = value.chars().collect();
    let mid = v.len() / 2;
    v[mid] = if v[mid] == 'A' { 'B' } else { 'A' };
    let tampered = format!("{name}={}", v.into_iter().collect::<String>());
    assert_eq!(
        get_with(&app, &cb, Some(&tampered)).await.status(),
        StatusCode::BAD_REQUEST
    );

    // The plain transaction, unsealed, as an attacker would write it.
    let plain = format!("{name}=eyJzdGF0ZSI6InN0YXRlLXN0YXRlLXN0YXRlIn0");
    assert_eq!(
        get_with(&app, &cb, Some(&plain)).await.status(),
        StatusCode::BAD_REQUEST
    );

    // A cookie sealed by another app (another key).
    let other = web_app(WebLogin::new(c.clone(), Key::generate()));
    assert_eq!(
        get_with(&other, &cb, Some(lc)).await.status(),
        StatusCode::BAD_REQUEST
    );

    // The genuine cookie with a wrong state: refused by the state check.
    let wrong_state = cb.replace("state=", "state=x");
    assert_eq!(
        get_with(&app, &wrong_state, Some(lc)).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // And the genuine one still works.
    assert_eq!(
        get_with(&app, &cb, Some(lc)).await.status(),
        StatusCode::SEE_OTHER
    );
}

fn api(guard: &Guard) -> Router {
    Router::new()
        .route(
            "/api/me",
            get(|c: Claims| async move { c.sub.clone().unwrap_or_default() }),
        )
        .route(
            "/api/hello",
            get(|c: Option<Claims>| async move {
                c.and_then(|c| c.sub.clone())
                    .unwrap_or_else(|| "anonymous".into())
            }),
        )
        .layer(guard.layer())
}

async fn bearer(app: &Router, path: &str, token: Option<&str>) -> Response<Body> {
    let mut req = Request::get(path);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    app.clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

fn challenge(r: &Response<Body>) -> &str {
    r.headers()["www-authenticate"].to_str().unwrap()
}

async fn client_token(c: &AuthenticationClient, scope: &str) -> String {
    let t = c
        .get_access_token_by_client_credentials(scope, DEFAULT_APP_ID, &DEFAULT_APP_SECRET.into())
        .await
        .unwrap();
    t.access_token.unwrap().expose().to_owned()
}

#[tokio::test]
async fn bearer_tokens_through_the_claims_extractor() {
    let emu = emulator().await;
    let c = client(&emu);
    let app = api(&Guard::new(c.clone()));
    let token = client_token(&c, "orders:read").await;

    let r = bearer(&app, "/api/me", Some(&token)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(text(r).await, DEFAULT_APP_ID);

    let r = bearer(&app, "/api/me", None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(challenge(&r), "Bearer");

    let mut tampered = token.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let r = bearer(&app, "/api/me", Some(&tampered)).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(challenge(&r), "Bearer error=\"invalid_token\"");

    // An ID token is not an access token.
    let login = c.start_redirect_login(AuthorizeParams::new()).unwrap();
    let req = Request::get(&login.url)
        .body(genauth_tower::core::Body::empty())
        .unwrap();
    let loc = c.send_http(req).await.unwrap().headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    let done = c
        .handle_redirect_callback(loc.split_once('?').unwrap().1, &login.transaction)
        .await
        .unwrap();
    let id = done.tokens.id_token.unwrap();
    let r = bearer(&app, "/api/me", Some(id.expose())).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let access = done.tokens.access_token.unwrap();
    let r = bearer(&app, "/api/me", Some(access.expose())).await;
    assert_eq!(text(r).await, emu.user_id(USER).unwrap());

    // Another audience.
    let other = api(&Guard::new(c.clone()).verifier(c.token_verifier().audience("other-app")));
    let r = bearer(&other, "/api/me", Some(&token)).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(challenge(&r), "Bearer error=\"invalid_token\"");

    // A missing scope.
    let strict =
        api(&Guard::new(c.clone()).verifier(c.token_verifier().require_scope("orders:write")));
    let r = bearer(&strict, "/api/me", Some(&token)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        challenge(&r),
        "Bearer error=\"insufficient_scope\", scope=\"orders:write\""
    );

    // An optional guard lets anonymous callers through: `Claims` refuses
    // them with 401, `Option<Claims>` sees none.
    let open = api(&Guard::new(c.clone()).optional());
    let r = bearer(&open, "/api/me", None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(challenge(&r), "Bearer");
    assert_eq!(
        text(bearer(&open, "/api/hello", None).await).await,
        "anonymous"
    );
    assert_eq!(
        text(bearer(&open, "/api/hello", Some(&token)).await).await,
        DEFAULT_APP_ID
    );

    // Without any guard, `Claims` never passes.
    let bare: Router = Router::new().route(
        "/api/me",
        get(|c: Claims| async move { c.sub.clone().unwrap_or_default() }),
    );
    assert_eq!(
        bearer(&bare, "/api/me", Some(&token)).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn an_expired_bearer_token_gets_401() {
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
    let app = api(&Guard::new(c.clone()).verifier(c.token_verifier().leeway(Duration::ZERO)));
    assert_eq!(
        bearer(&app, "/api/me", Some(&token)).await.status(),
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let r = bearer(&app, "/api/me", Some(&token)).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(challenge(&r), "Bearer error=\"invalid_token\"");
}
