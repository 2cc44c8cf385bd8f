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

use aws_lc_rs::signature::{RsaPublicKeyComponents, RSA_PKCS1_2048_8192_SHA256};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use bytes::Bytes;
use genauth::core::request::{basic_auth, form_urlencoded_component};
use genauth::types::{
    SignInByPasswordPayloadDto, SignUpByPasswordDto, SignUpDtoConnection, SignUpProfileDto,
    SigninByCredentialsDtoConnection, TargetDto, TargetDtoTargetType,
};
use genauth::{
    AuthenticationClient, AuthenticationClientOptions, ManagementClient, ManagementClientOptions,
};
use genauth_emulator::{
    Emulator, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, DEFAULT_APP_ID, DEFAULT_APP_SECRET,
    DEFAULT_REDIRECT_URI,
};
use serde_json::Value;

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
    let mut credentials = SignInByPasswordPayloadDto::new(PASSWORD);
    credentials.email = Some(EMAIL.into());
    let tokens = auth
        .sign_in_by_credentials(SigninByCredentialsDtoConnection::Password)
        .password_payload(credentials)
        .await?;
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
    let verifier = random_urlsafe(32);
    let challenge = sha256_b64url(&verifier);
    let (state, nonce) = (random_urlsafe(8), random_urlsafe(8));
    let authorize_url = format!(
        "{}/oidc/auth?client_id={DEFAULT_APP_ID}&redirect_uri={}&response_type=code\
         &scope={}&state={state}&nonce={nonce}&code_challenge={challenge}&code_challenge_method=S256",
        emu.url(),
        form_urlencoded_component(DEFAULT_REDIRECT_URI),
        form_urlencoded_component("openid profile email offline_access"),
    );
    println!("    a browser would open: {authorize_url}");
    let resp = auth.send_http(get(&authorize_url)?).await?;
    let callback = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or("no redirect from /oidc/auth")?
        .to_owned();
    let code = query_param(&callback, "code").ok_or("no code in the redirect")?;
    if query_param(&callback, "state").as_deref() != Some(state.as_str()) {
        return Err("the state came back changed".into());
    }
    println!("    the login page redirected back with a code (state checked)");
    let token_url = format!("{}/oidc/token", emu.url());
    let oidc = post_form(
        &auth,
        &token_url,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", DEFAULT_REDIRECT_URI),
            ("code_verifier", &verifier),
            ("client_id", DEFAULT_APP_ID),
            ("client_secret", DEFAULT_APP_SECRET),
        ],
    )
    .await?;
    println!("    exchanged the code and the PKCE verifier for tokens at /oidc/token");

    step(
        5,
        "Verify the ID token (RS256 signature against the JWKS, then the claims)",
    );
    let jwks = get_json(&auth, &format!("{}/oidc/.well-known/jwks.json", emu.url())).await?;
    let claims = verify_id_token(&jwks, oidc["id_token"].as_str().unwrap_or_default())?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let checks = [
        ("iss", claims["iss"] == emu.issuer()),
        ("aud", claims["aud"] == DEFAULT_APP_ID),
        ("nonce", claims["nonce"] == nonce.as_str()),
        ("exp", claims["exp"].as_u64().is_some_and(|e| e > now)),
    ];
    for (name, ok) in checks {
        if !ok {
            return Err(format!("ID token claim {name} is wrong").into());
        }
    }
    println!(
        "    signature valid; iss, aud, nonce and exp checked; sub={} email={}",
        claims["sub"], claims["email"]
    );

    step(
        6,
        "Refresh the access token (grant_type=refresh_token, client_secret_basic)",
    );
    let basic = basic_auth(DEFAULT_APP_ID, DEFAULT_APP_SECRET)?;
    let refreshed = post_form_with(
        &auth,
        &token_url,
        Some(basic.clone()),
        &[
            ("grant_type", "refresh_token"),
            (
                "refresh_token",
                oidc["refresh_token"].as_str().unwrap_or_default(),
            ),
        ],
    )
    .await?;
    let access = refreshed["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    println!(
        "    new access token issued, expires in {} s",
        refreshed["expires_in"]
    );

    step(7, "Revoke it, then introspect: it is no longer active");
    let intro_url = format!("{}/oidc/token/introspection", emu.url());
    let before = post_form_with(
        &auth,
        &intro_url,
        Some(basic.clone()),
        &[("token", &access)],
    )
    .await?;
    post_form_with(
        &auth,
        &format!("{}/oidc/token/revocation", emu.url()),
        Some(basic.clone()),
        &[("token", &access)],
    )
    .await?;
    let after = post_form_with(&auth, &intro_url, Some(basic), &[("token", &access)]).await?;
    println!(
        "    active before revocation: {}, after: {}",
        before["active"], after["active"]
    );

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

fn get(url: &str) -> Result<http::Request<genauth::core::Body>> {
    Ok(http::Request::get(url).body(genauth::core::Body::from(Bytes::new()))?)
}

async fn get_json(client: &AuthenticationClient, url: &str) -> Result<Value> {
    let resp = client.send_http(get(url)?).await?;
    Ok(serde_json::from_slice(resp.body())?)
}

async fn post_form(
    client: &AuthenticationClient,
    url: &str,
    form: &[(&str, &str)],
) -> Result<Value> {
    post_form_with(client, url, None, form).await
}

async fn post_form_with(
    client: &AuthenticationClient,
    url: &str,
    authorization: Option<http::HeaderValue>,
    form: &[(&str, &str)],
) -> Result<Value> {
    let body: String = form
        .iter()
        .map(|(k, v)| format!("{k}={}", form_urlencoded_component(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut req = http::Request::post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(genauth::core::Body::from(Bytes::from(body)))?;
    if let Some(v) = authorization {
        req.headers_mut().insert("authorization", v);
    }
    let resp = client.send_http(req).await?;
    if !resp.status().is_success() {
        return Err(format!(
            "{url} answered {}: {}",
            resp.status(),
            String::from_utf8_lossy(resp.body())
        )
        .into());
    }
    if resp.body().is_empty() {
        return Ok(Value::Null);
    }
    Ok(serde_json::from_slice(resp.body())?)
}

fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

fn random_urlsafe(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    aws_lc_rs::rand::fill(&mut buf).expect("the system RNG works");
    URL_SAFE_NO_PAD.encode(buf)
}

fn sha256_b64url(input: &str) -> String {
    URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        input.as_bytes(),
    ))
}

/// Checks an RS256 JWT against the key set and returns its claims.
fn verify_id_token(jwks: &Value, jwt: &str) -> Result<Value> {
    let mut parts = jwt.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("the ID token is not a JWT".into());
    };
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h)?)?;
    if header["alg"] != "RS256" {
        return Err("unexpected signing algorithm".into());
    }
    let key = jwks["keys"]
        .as_array()
        .and_then(|ks| ks.iter().find(|k| k["kid"] == header["kid"]))
        .ok_or("no key in the JWKS has the token's kid")?;
    let n = URL_SAFE_NO_PAD.decode(key["n"].as_str().unwrap_or_default())?;
    let e = URL_SAFE_NO_PAD.decode(key["e"].as_str().unwrap_or_default())?;
    RsaPublicKeyComponents { n: &n, e: &e }
        .verify(
            &RSA_PKCS1_2048_8192_SHA256,
            format!("{h}.{p}").as_bytes(),
            &URL_SAFE_NO_PAD.decode(s)?,
        )
        .map_err(|_| "the ID token signature is not valid")?;
    Ok(serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p)?)?)
}
