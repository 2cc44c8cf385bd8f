//! PKCE (RFC 7636): code verifiers and their challenges.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::SecretString;

/// The shortest verifier RFC 7636 allows.
pub const MIN_VERIFIER_LEN: usize = 43;
/// The longest verifier RFC 7636 allows.
pub const MAX_VERIFIER_LEN: usize = 128;
/// The length of the verifiers [`Pkce::new`] makes.
pub const DEFAULT_VERIFIER_LEN: usize = 64;

/// How the challenge is derived from the verifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum CodeChallengeMethod {
    /// `BASE64URL(SHA-256(verifier))`, without padding (the default; always prefer it).
    #[default]
    #[serde(rename = "S256")]
    S256,
    /// The verifier itself (only for clients that cannot hash).
    #[serde(rename = "plain")]
    Plain,
}

impl CodeChallengeMethod {
    /// The wire name: `S256` or `plain`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::S256 => "S256",
            Self::Plain => "plain",
        }
    }
}

/// A fresh code verifier of `len` characters (43 to 128) drawn from the RFC 3986
/// unreserved alphabet with the system CSPRNG.
pub fn generate_code_verifier(len: usize) -> Result<SecretString, Error> {
    if !(MIN_VERIFIER_LEN..=MAX_VERIFIER_LEN).contains(&len) {
        return Err(Error::invalid_input(
            "code_verifier",
            "the length must be between 43 and 128",
        ));
    }
    Ok(SecretString::new(super::random_from(
        super::UNRESERVED_CHARS,
        len,
    )?))
}

/// The challenge of `verifier` under `method`. The verifier must be 43 to 128
/// unreserved characters, as RFC 7636 §4.1 says.
///
/// This is what the official SDKs call `generate_code_challenge_digest`.
#[doc(alias = "generate_code_challenge_digest")]
pub fn code_challenge(verifier: &str, method: CodeChallengeMethod) -> Result<String, Error> {
    if !(MIN_VERIFIER_LEN..=MAX_VERIFIER_LEN).contains(&verifier.len()) {
        return Err(Error::invalid_input(
            "code_verifier",
            "the length must be between 43 and 128",
        ));
    }
    if !verifier
        .bytes()
        .all(|b| super::UNRESERVED_CHARS.contains(&b))
    {
        return Err(Error::invalid_input(
            "code_verifier",
            "only A-Z, a-z, 0-9 and `-._~` are allowed",
        ));
    }
    Ok(match method {
        CodeChallengeMethod::Plain => verifier.to_owned(),
        CodeChallengeMethod::S256 => {
            use sha2::Digest as _;
            let digest = sha2::Sha256::digest(verifier.as_bytes());
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
        }
    })
}

/// A verifier with its challenge: keep the verifier for the code exchange and
/// send the challenge in the authorize URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pkce {
    /// The secret verifier, sent with the code exchange.
    pub verifier: SecretString,
    /// The challenge, sent in the authorize URL.
    pub challenge: String,
    /// How the challenge was made.
    pub method: CodeChallengeMethod,
}

impl Pkce {
    /// A new random verifier of 64 characters and its challenge under `method`.
    pub fn new(method: CodeChallengeMethod) -> Result<Self, Error> {
        Self::from_verifier(generate_code_verifier(DEFAULT_VERIFIER_LEN)?, method)
    }

    /// A new random verifier with an `S256` challenge.
    pub fn s256() -> Result<Self, Error> {
        Self::new(CodeChallengeMethod::S256)
    }

    /// The challenge of a given verifier.
    pub fn from_verifier(
        verifier: SecretString,
        method: CodeChallengeMethod,
    ) -> Result<Self, Error> {
        let challenge = code_challenge(verifier.expose(), method)?;
        Ok(Self {
            verifier,
            challenge,
            method,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_example() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            code_challenge(verifier, CodeChallengeMethod::S256).unwrap(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(
            code_challenge(verifier, CodeChallengeMethod::Plain).unwrap(),
            verifier
        );
    }

    #[test]
    fn verifier_length_and_alphabet() {
        for len in [43, 64, 128] {
            let v = generate_code_verifier(len).unwrap();
            assert_eq!(v.expose().len(), len);
            assert!(v
                .expose()
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)));
        }
        assert!(generate_code_verifier(42).is_err());
        assert!(generate_code_verifier(129).is_err());
        assert_ne!(
            generate_code_verifier(43).unwrap(),
            generate_code_verifier(43).unwrap()
        );
    }

    #[test]
    fn bad_verifiers_are_rejected() {
        assert!(code_challenge("short", CodeChallengeMethod::S256).is_err());
        let with_space = format!("{} ", "a".repeat(43));
        assert!(matches!(
            code_challenge(&with_space, CodeChallengeMethod::Plain),
            Err(Error::InvalidInput { .. })
        ));
    }

    #[test]
    fn pkce_pair_matches() {
        let p = Pkce::s256().unwrap();
        assert_eq!(p.method.as_str(), "S256");
        assert_eq!(
            p.challenge,
            code_challenge(p.verifier.expose(), CodeChallengeMethod::S256).unwrap()
        );
        assert!(!format!("{p:?}").contains(p.verifier.expose()));
    }
}
