//! A web app in axum with GenAuth login, a protected JSON API and logout,
//! fully offline.
//!
//! It starts the GenAuth emulator on 127.0.0.1, builds the app's router
//! (`/login`, `/callback`, `/logout`, `/` for the browser session, `/api/me`
//! behind the bearer guard) and runs a short scripted self-check of every
//! route in process, then exits. Run it with `cargo run --example axum_app`.
//! To serve it for real, pass the router to `axum::serve` and point the client
//! at your GenAuth app host with your own redirect URI and a persistent key.

use std::error::Error as StdError;

use axum::body::Body;
use axum::routing::get;
use axum::{Json, Router};
use genauth::{AuthenticationClient, AuthenticationClientOptions};
use genauth_axum::{callback, login, logout, Claims, Key, Session, WebLogin};
use genauth_emulator::{
    Emulator, TestUser, DEFAULT_APP_ID, DEFAULT_APP_SECRET, DEFAULT_REDIRECT_URI,
};
use genauth_tower::guard::Guard;
use http::{Request, StatusCode};
use tower::ServiceExt;

type Result<T> = std::result::Result<T, Box<dyn StdError + Send + Sync>>;

const EMAIL: &str = "ann@example.com";

/// The app: browser routes with the session cookie, and a JSON API for bearer tokens.
fn app(auth: &AuthenticationClient, key: Key) -> Router {
    let web = WebLogin::new(auth.clone(), key).after_login("/");
    let browser = Router::new()
        .route("/login", get(login))
        .route("/callback", get(callback))
        .route("/logout", get(logout))
        .route(
            "/",
            get(|s: Session| async move {
                format!("hello {}", s.email.as_deref().unwrap_or("(no email)"))
            }),
        )
        .with_state(web);
    let api =
        Router::new()
            .route(
                "/api/me",
                get(|c: Claims| async move {
                    Json(serde_json::json!({ "sub": c.sub, "scope": c.scope }))
                }),
            )
            .layer(Guard::new(auth.clone()).layer());
    browser.merge(api)
}

async fn call(app: &Router, req: Request<Body>) -> Result<http::Response<Body>> {
    Ok(app.clone().oneshot(req).await?)
}

fn check(ok: bool, what: &str) -> Result<()> {
    if ok {
        println!("    ok: {what}");
        Ok(())
    } else {
        Err(format!("self-check failed: {what}").into())
    }
}

#[tokio::main]
pub async fn main() -> Result<()> {
    let emu = Emulator::builder()
        .user(TestUser::email(EMAIL).with_password("correct-horse-battery"))
        .auto_approve(EMAIL)
        .start()
        .await?;
    println!("emulator on {}", emu.url());
    let auth = AuthenticationClient::new(
        AuthenticationClientOptions::new(DEFAULT_APP_ID, emu.url())
            .app_secret(DEFAULT_APP_SECRET)
            .redirect_uri(DEFAULT_REDIRECT_URI),
    )?;
    let app = app(&auth, Key::generate());

    println!("[1] GET /login redirects to GenAuth with a sealed login cookie");
    let r = call(&app, Request::get("/login").body(Body::empty())?).await?;
    check(
        r.status() == StatusCode::SEE_OTHER,
        "303 to the authorize page",
    )?;
    let header = |name: &str| -> Result<String> {
        let v = r.headers().get(name).ok_or(format!("no {name} header"))?;
        Ok(v.to_str()?.to_owned())
    };
    let authorize = header("location")?;
    let login_cookie = header("set-cookie")?;
    let login_cookie = login_cookie
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();

    println!("[2] GenAuth's login page (the emulator approves {EMAIL})");
    let resp = auth
        .send_http(Request::get(&authorize).body(genauth::core::Body::empty())?)
        .await?;
    let back = resp
        .headers()
        .get("location")
        .ok_or("the login page did not redirect back")?
        .to_str()?
        .to_owned();
    let query = back
        .strip_prefix(DEFAULT_REDIRECT_URI)
        .ok_or("the emulator redirected elsewhere")?;

    println!("[3] GET /callback verifies the ID token and opens the session");
    let r = call(
        &app,
        Request::get(format!("/callback{query}"))
            .header("cookie", &login_cookie)
            .body(Body::empty())?,
    )
    .await?;
    check(r.status() == StatusCode::SEE_OTHER, "303 to /")?;
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("genauth_session="))
        .and_then(|c| c.split(';').next())
        .ok_or("no session cookie")?
        .to_owned();
    let r = call(
        &app,
        Request::get("/")
            .header("cookie", &session)
            .body(Body::empty())?,
    )
    .await?;
    check(r.status() == StatusCode::OK, "the session reaches /")?;
    let r = call(&app, Request::get("/").body(Body::empty())?).await?;
    check(r.status() == StatusCode::UNAUTHORIZED, "no session: 401")?;

    println!("[4] the JSON API takes bearer tokens");
    let token = auth
        .get_access_token_by_client_credentials(
            "orders:read",
            DEFAULT_APP_ID,
            &DEFAULT_APP_SECRET.into(),
        )
        .await?
        .access_token
        .ok_or("no access token")?;
    let r = call(
        &app,
        Request::get("/api/me")
            .header("authorization", format!("Bearer {}", token.expose()))
            .body(Body::empty())?,
    )
    .await?;
    check(
        r.status() == StatusCode::OK,
        "a valid token: 200 with its claims",
    )?;
    let r = call(&app, Request::get("/api/me").body(Body::empty())?).await?;
    check(r.status() == StatusCode::UNAUTHORIZED, "no token: 401")?;

    println!("[5] GET /logout clears the session and goes to GenAuth's logout");
    let r = call(
        &app,
        Request::get("/logout")
            .header("cookie", &session)
            .body(Body::empty())?,
    )
    .await?;
    check(
        r.status() == StatusCode::SEE_OTHER,
        "303 to GenAuth's logout",
    )?;
    println!("all routes checked");
    Ok(())
}
