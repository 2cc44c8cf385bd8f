//! The emulator's RSA signing keys (with rotation), its JWKS, and random values.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};

/// An error while creating the key or signing with it.
#[derive(Debug)]
pub(crate) struct CryptoError;

impl std::fmt::Display for CryptoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the RSA key could not be created or used")
    }
}

impl std::error::Error for CryptoError {}

/// The RS256 signing key, made when the emulator starts.
pub(crate) struct SigningKey {
    pair: KeyPair,
    kid: String,
    n: String,
    e: String,
}

impl SigningKey {
    pub(crate) fn generate() -> Result<Self, CryptoError> {
        let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|_| CryptoError)?;
        let public = pair.public_key();
        let n = URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero());
        let e = URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero());
        Ok(Self {
            pair,
            kid: random_hex(8),
            n,
            e,
        })
    }

    /// The public key as a JWK.
    fn jwk(&self) -> Value {
        json!({
            "kty": "RSA", "use": "sig", "alg": "RS256",
            "kid": self.kid, "n": self.n, "e": self.e,
        })
    }

    /// A compact JWS (RS256) of `claims`.
    pub(crate) fn sign(&self, claims: &Value) -> Result<String, CryptoError> {
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": self.kid});
        let mut out = URL_SAFE_NO_PAD.encode(header.to_string());
        out.push('.');
        out.push_str(&URL_SAFE_NO_PAD.encode(claims.to_string()));
        let mut sig = vec![0u8; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                out.as_bytes(),
                &mut sig,
            )
            .map_err(|_| CryptoError)?;
        out.push('.');
        out.push_str(&URL_SAFE_NO_PAD.encode(sig));
        Ok(out)
    }
}

/// The signing keys: the current one signs; retired ones stay published in
/// the key set until their grace period ends, so that tokens they signed keep
/// verifying, and are then dropped.
pub(crate) struct KeyRing {
    state: std::sync::RwLock<RingState>,
}

struct RingState {
    current: std::sync::Arc<SigningKey>,
    retired: Vec<(std::sync::Arc<SigningKey>, std::time::Instant)>,
}

impl KeyRing {
    pub(crate) fn generate() -> Result<Self, CryptoError> {
        Ok(Self {
            state: std::sync::RwLock::new(RingState {
                current: std::sync::Arc::new(SigningKey::generate()?),
                retired: Vec::new(),
            }),
        })
    }

    fn current(&self) -> std::sync::Arc<SigningKey> {
        self.state
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .current
            .clone()
    }

    /// The id of the key new tokens are signed with.
    pub(crate) fn current_kid(&self) -> String {
        self.current().kid.clone()
    }

    /// Signs with the current key.
    pub(crate) fn sign(&self, claims: &Value) -> Result<String, CryptoError> {
        self.current().sign(claims)
    }

    /// The key set: the current key, then the retired keys still in their
    /// grace period (expired ones are dropped here).
    pub(crate) fn jwks(&self) -> Value {
        let mut st = self.state.write().unwrap_or_else(|e| e.into_inner());
        let now = std::time::Instant::now();
        st.retired.retain(|(_, until)| *until > now);
        let mut keys = vec![st.current.jwk()];
        keys.extend(st.retired.iter().map(|(k, _)| k.jwk()));
        json!({ "keys": keys })
    }

    /// Makes a new current key; the old one stays published for `grace`.
    /// Returns the new key's id.
    pub(crate) fn rotate(&self, grace: std::time::Duration) -> Result<String, CryptoError> {
        let fresh = std::sync::Arc::new(SigningKey::generate()?);
        let kid = fresh.kid.clone();
        let mut st = self.state.write().unwrap_or_else(|e| e.into_inner());
        let old = std::mem::replace(&mut st.current, fresh);
        let until = std::time::Instant::now() + grace;
        st.retired.push((old, until));
        Ok(kid)
    }
}

/// The `at_hash` of an ID token issued with `access_token` (OIDC Core
/// 3.1.3.6): the base64url left half of its SHA-256.
pub(crate) fn at_hash(access_token: &str) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&d.as_ref()[..16])
}

/// `n` random bytes as lowercase hex.
pub(crate) fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    // The system RNG does not fail on supported platforms; zeros would still
    // be unique enough together with the counters used beside it.
    let _ = aws_lc_rs::rand::fill(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random URL-safe token of `n` random bytes.
pub(crate) fn random_token(n: usize) -> String {
    let mut buf = vec![0u8; n];
    let _ = aws_lc_rs::rand::fill(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// A random string of `n` decimal digits.
pub(crate) fn random_digits(n: usize) -> String {
    let mut buf = vec![0u8; n];
    let _ = aws_lc_rs::rand::fill(&mut buf);
    buf.iter().map(|b| char::from(b'0' + b % 10)).collect()
}

/// The base64url SHA-256 of `input`, as PKCE S256 asks.
pub(crate) fn s256(input: &str) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, input.as_bytes());
    URL_SAFE_NO_PAD.encode(d.as_ref())
}

/// Compares two secrets in constant time.
pub(crate) fn secret_eq(a: &str, b: &str) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(a.as_bytes(), b.as_bytes()).is_ok()
}
