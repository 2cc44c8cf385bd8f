//! The OIDC login flow, sans-IO and offline: login URL with PKCE, the stored
//! transaction, the callback checks, the code exchange request, and ID token
//! verification against a key set (signed here with a key made on the spot,
//! standing in for the app's key set).
//!
//! Run with `cargo run --example oidc_flow`. Nothing is sent anywhere; with a
//! real app, `AuthenticationClient::handle_redirect_callback` sends the
//! exchange and verifies the token for you.

use base64::Engine as _;
use genauth::core::AuthenticationConfig;
use genauth::protocol::{AuthorizeParams, KeySet, LoginTransaction, LogoutParams};
use genauth::{AuthenticationClientOptions, Error, Protocol, ProtocolError};
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = AuthenticationClientOptions::new("APP_ID", "https://example.genauth.ai")
        .app_secret("APP_SECRET")
        .redirect_uri("https://app.example.com/callback")
        .logout_redirect_uri("https://app.example.com/");
    let config = AuthenticationConfig::new(options.clone())?;

    // 1. The login URL, with a fresh state, nonce and S256 PKCE challenge.
    let login =
        config.start_redirect_login(AuthorizeParams::new().scope("openid profile email"))?;
    println!("1. send the user to:\n   {}\n", login.url);

    // 2. Keep the transaction until the callback (here: as a cookie value).
    let cookie = login.transaction.to_cookie_value();
    println!(
        "2. store the transaction ({} bytes as a cookie value)\n",
        cookie.len()
    );

    // 3. The user comes back. A callback with another state is refused...
    let stored = LoginTransaction::from_cookie_value(&cookie)?;
    match config.callback_token_request(&stored, "code=abc&state=forged") {
        Err(Error::Protocol(p)) if matches!(*p, ProtocolError::StateMismatch) => {
            println!("3. a forged callback is refused: {p}")
        }
        other => return Err(format!("expected a state mismatch, got {other:?}").into()),
    }
    // ... and the real one becomes the code exchange request.
    let callback = format!("?code=abc&state={}", stored.state);
    let request = config.callback_token_request(&stored, &callback)?;
    println!(
        "   the real one becomes: {} {} ({} form bytes, secret and verifier inside)\n",
        request.method(),
        request.uri(),
        request.body().len()
    );

    // 4. Verify the ID token the token endpoint would return.
    let (key_set, id_token) = sign_demo_id_token(&config, stored.nonce.as_deref())?;
    let claims =
        config
            .token_verifier()
            .verify_id_token(&id_token, &key_set, stored.nonce.as_deref())?;
    println!(
        "4. ID token verified: sub={:?} iss={} aud={:?}",
        claims.sub, claims.iss, claims.aud
    );
    let wrong_nonce =
        config
            .token_verifier()
            .verify_id_token(&id_token, &key_set, Some("another nonce"));
    println!("   with another nonce: {}\n", wrong_nonce.unwrap_err());

    // 5. Logout, and the other protocols' URLs.
    // (Pass the ID token too, with `.id_token(...)`, to send `id_token_hint`.)
    let logout = config.build_logout_url(LogoutParams::new().state("bye"));
    println!("5. logout: {logout}");
    let saml = AuthenticationConfig::new(options.clone().protocol(Protocol::Saml))?;
    println!("   SAML login: {}", saml.saml_login_url());
    println!("   SAML metadata: {}", saml.saml_metadata_url());
    let cas = AuthenticationConfig::new(options.protocol(Protocol::Cas))?;
    println!(
        "   CAS login: {}",
        cas.build_authorize_url(AuthorizeParams::new())?.url
    );
    Ok(())
}

/// A key set with one fresh RSA key and an ID token signed with it.
fn sign_demo_id_token(
    config: &AuthenticationConfig,
    nonce: Option<&str>,
) -> Result<(KeySet, String), Box<dyn std::error::Error>> {
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::signature::KeyPair as _;
    let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)?;
    let pkcs8 = pair.as_der()?;
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        base64::engine::general_purpose::STANDARD.encode(pkcs8.as_ref())
    );
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let public = pair.public_key();
    let jwks = json!({"keys": [{
        "kty": "RSA", "kid": "demo-key", "alg": "RS256", "use": "sig",
        "n": b64.encode(public.modulus().big_endian_without_leading_zero()),
        "e": b64.encode(public.exponent().big_endian_without_leading_zero()),
    }]});
    let key_set = KeySet::from_json(jwks.to_string().as_bytes())?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some("demo-key".into());
    let claims = json!({
        "iss": config.default_issuer(),
        "aud": config.options().app_id,
        "sub": "user-1",
        "iat": now,
        "exp": now + 3600,
        "nonce": nonce,
    });
    let token = jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes())?,
    )?;
    Ok((key_set, token))
}
