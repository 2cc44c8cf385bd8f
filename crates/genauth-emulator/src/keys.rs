//! The emulator's RSA signing key, its JWKS, and random values.

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

    /// The key set document.
    pub(crate) fn jwks(&self) -> Value {
        json!({"keys": [{
            "kty": "RSA", "use": "sig", "alg": "RS256",
            "kid": self.kid, "n": self.n, "e": self.e,
        }]})
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
