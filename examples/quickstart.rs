//! The genauth-rs quickstart, fully offline.
//!
//! It starts the GenAuth emulator (an in-memory stand-in for the cloud) on
//! 127.0.0.1 and walks through what an app usually does:
//!
//! 1. a user signs up, signs in and reads their profile;
//! 2. the OIDC authorization-code flow with PKCE, ID token verification,
//!    refresh and revocation;
//! 3. an admin lists users and gives one a role.
//!
//! Run it with `cargo run --example quickstart`. To use the real service,
//! replace the emulator's URL with your app host and API host, and the
//! emulator's keys with your own.

use std::error::Error as StdError;

use bytes::Bytes;
use genauth::protocol::AuthorizeParams;
use genauth::types::{
    SignUpByPasswordDto, SignUpDtoConnection, SignUpProfileDto, TargetDto, TargetDtoTargetType,
};
use genauth::{
    AuthenticationClient, AuthenticationClientOptions, ManagementClient, ManagementClientOptions,
};
use genauth_emulator::{
    Emulator, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, DEFAULT_APP_ID, DEFAULT_APP_SECRET,
    DEFAULT_REDIRECT_URI,
};

type Result<T> = std::result::Result<T, Box<dyn StdError + Send + Sync>>;

const EMAIL: &str = "ann@example.com";
const PASSWORD: &str = "correct-horse-battery";

fn step(n: u32, what: &str) {
    println!("\n[{n}] {what}");
}

#[tokio::main]
pub async fn main() -> Result<()> {
    println!("genauth-rs quickstart: everything below runs offline against the GenAuth emulator.");
    let emu = Emulator::builder()
        // The OIDC login page approves this user without a browser.
        .auto_approve(EMAIL)
        .start()
        .await?;
    println!(
        "    emulator listening on {} (user pool {})",
        emu.url(),
        emu.userpool_id()
    );

    // The end-user client talks to your app's host; here, the emulator.
    let auth = AuthenticationClient::new(
        AuthenticationClientOptions::new(DEFAULT_APP_ID, emu.url())
            .app_secret(DEFAULT_APP_SECRET)
            .redirect_uri(DEFAULT_REDIRECT_URI),
    )?;

    step(1, "Sign up with email and password (POST /api/v3/signup)");
    let mut password = SignUpByPasswordDto::new(PASSWORD);
    password.email = Some(EMAIL.into());
    let profile = SignUpProfileDto {
        nickname: Some("Ann".into()),
        ..Default::default()
    };
    let user = auth
        .sign_up(SignUpDtoConnection::Password)
        .password_payload(password)
        .profile(profile)
        .await?;
    let user_id = user.user_id.clone();
    println!("    created user {user_id} <{EMAIL}>");

    step(2, "Sign in with the password (POST /api/v3/signin)");
    // The shortcut sends the app's client_id and client_secret too, as the
    // service requires for an app that authenticates with its secret.
    let tokens = auth.sign_in_by_email_password(EMAIL, PASSWORD).await?;
    println!(
        "    got a {} access token valid for {} s (printed as {:?}: secrets never show in logs)",
        tokens.token_type, tokens.expire_in, tokens.access_token
    );
    if let Some(token) = tokens.access_token {
        auth.set_access_token(token);
    }

    step(
        3,
        "Read the profile with that token (GET /api/v3/get-profile)",
    );
    let me = auth.get_profile().await?;
    println!(
        "    profile: email={} nickname={} logins={}",
        me.email.as_deref().unwrap_or("-"),
        me.nickname.as_deref().unwrap_or("-"),
        me.logins_count.unwrap_or(0)
    );

    step(4, "OIDC authorization code flow with PKCE");
    // A fresh state, nonce and S256 PKCE pair from the CSPRNG; the transaction
    // is what a web app keeps in the user's session until the callback.
    let login = auth.start_redirect_login(
        AuthorizeParams::new().scope("openid profile email offline_access"),
    )?;
    println!("    a browser would open: {}", login.url);
    let resp = auth.send_http(get(&login.url)?).await?;
    let callback = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or("no redirect from /oidc/auth")?
        .to_owned();
    let callback_query = callback.split_once('?').map(|(_, q)| q).unwrap_or_default();
    println!("    the login page sent the browser back to {DEFAULT_REDIRECT_URI} with a code");

    step(
        5,
        "Handle the callback: check the state, exchange the code, verify the ID token",
    );
    let login_done = auth
        .handle_redirect_callback(callback_query, &login.transaction)
        .await?;
    // handle_redirect_callback has verified the ID token and hands back its claims.
    let claims = login_done.id_claims.ok_or("no ID token")?;
    let oidc = login_done.tokens;
    println!(
        "    state checked, code exchanged with the PKCE verifier at /oidc/token;\n    \
         ID token valid (RS256 against the JWKS; iss, aud, exp and nonce checked): sub={} email={}",
        claims.sub.as_deref().unwrap_or("-"),
        claims.email.as_deref().unwrap_or("-"),
    );

    step(6, "Refresh the access token (grant_type=refresh_token)");
    let refresh = oidc.refresh_token.clone().ok_or("no refresh token")?;
    let refreshed = auth.get_new_access_token_by_refresh_token(&refresh).await?;
    let access = refreshed.access_token.clone().ok_or("no access token")?;
    println!(
        "    new access token issued, expires in {} s",
        refreshed.expires_in.unwrap_or_default()
    );

    step(7, "Revoke it, then introspect: it is no longer active");
    let before = auth.introspect_token(&access).await?.active;
    auth.revoke_token(&access).await?;
    let after = auth.introspect_token(&access).await?.active;
    println!("    active before revocation: {before}, after: {after}");
    if !before || after {
        return Err("revocation did not take effect".into());
    }

    step(8, "As an admin: list users, create a role and assign it");
    let admin = ManagementClient::new(
        ManagementClientOptions::new(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
            .host(emu.url()),
    )?;
    let page = admin.list_users().await?;
    println!("    {} user(s) in the pool:", page.total_count);
    for u in &page.list {
        println!(
            "      - {} {}",
            u.user_id,
            u.email.as_deref().unwrap_or("-")
        );
    }
    admin.create_role("editor").name("Editor").await?;
    admin
        .assign_role(
            vec![TargetDto::new(user_id.clone(), TargetDtoTargetType::User)],
            "editor",
        )
        .await?;
    let roles = admin.get_user_roles(user_id.clone()).await?;
    let codes: Vec<&str> = roles.list.iter().map(|r| r.code.as_str()).collect();
    println!("    roles of {EMAIL}: {codes:?}");
    println!(
        "    (the management token was fetched {} time(s) and cached)",
        admin.token_cache().fetch_count()
    );

    println!("\nDone. Read docs/emulator.md to use the emulator in your own tests.");
    Ok(())
}

/// A plain GET, as a browser would send it.
fn get(url: &str) -> Result<http::Request<genauth::core::Body>> {
    Ok(http::Request::get(url).body(genauth::core::Body::from(Bytes::new()))?)
}
