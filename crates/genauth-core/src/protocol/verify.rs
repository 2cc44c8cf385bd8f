//! Verification of ID tokens and access tokens against a key set, and the
//! requests that fetch the key set and the OIDC discovery document.
//!
//! The rules:
//! - `alg: none` is never accepted ([`VerifyError::AlgorithmNone`]);
//! - `RS256` tokens are checked against the RSA key of the key set named by the
//!   token's `kid` (a token without `kid` is accepted only when the set has one RSA key);
//! - `HS256` is accepted for ID tokens only, with the app secret as the key;
//!   an `HS256` token naming a key of the key set is the key-confusion attack
//!   and is rejected with [`VerifyError::KeyMismatch`];
//! - any other algorithm is rejected;
//! - `iss`, `aud` and `exp` are required and checked, `nbf` and `iat` are checked
//!   when present, all with a small leeway, and the `nonce` when one is expected.
//!
//! Signatures are checked by `jsonwebtoken` over `aws-lc-rs` (feature
//! `aws-lc-rs`, the default) or the RustCrypto crates (feature `rust-crypto`).

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use bytes::Bytes;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use genauth_types::protocol::{DiscoveryDocument, JwtClaims};

use crate::error::{Error, ProtocolError, VerifyError};
use crate::{AuthenticationConfig, SecretString};

use super::path_segment;

/// The default clock-skew allowance for `exp`, `nbf` and `iat`.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);

/// Where the app's key set is published.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum JwksLocation {
    /// `{app_host}/oidc/.well-known/jwks.json` (the Python SDK's path; the default).
    #[default]
    Oidc,
    /// `{app_host}/{app_id}/oidc/.well-known/jwks.json` (the Node SDK's path).
    AppScoped,
    /// An absolute URL, e.g. the `jwks_uri` of the discovery document.
    Url(String),
}

#[derive(Clone)]
struct RsaKey {
    kid: Option<String>,
    alg: Option<KeyAlgorithm>,
    key_use: Option<PublicKeyUse>,
    key: DecodingKey,
}

/// The public keys of a JWKS document that can verify tokens (RSA keys).
///
/// Keys of other types are not used for verification, but their ids are
/// remembered, so that a token naming one is reported as a key mismatch.
#[derive(Clone, Default)]
pub struct KeySet {
    rsa: Vec<RsaKey>,
    other_kids: Vec<String>,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySet")
            .field(
                "rsa_kids",
                &self
                    .rsa
                    .iter()
                    .map(|k| k.kid.as_deref())
                    .collect::<Vec<_>>(),
            )
            .field("other_kids", &self.other_kids)
            .finish()
    }
}

impl KeySet {
    /// An empty key set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a JWKS document (`{"keys": [...]}`). Entries that are not usable
    /// RSA keys are skipped; a document without a `keys` array is an error.
    pub fn from_json(json: &[u8]) -> Result<Self, VerifyError> {
        #[derive(Deserialize)]
        struct Doc {
            keys: Vec<serde_json::Value>,
        }
        let doc: Doc = serde_json::from_slice(json)
            .map_err(|e| VerifyError::InvalidKeySet(format!("not a JWKS document: {e}")))?;
        let mut set = KeySet::new();
        for value in doc.keys {
            let kid = value.get("kid").and_then(|k| k.as_str()).map(str::to_owned);
            let is_rsa = value.get("kty").and_then(|k| k.as_str()) == Some("RSA");
            let parsed = if is_rsa {
                serde_json::from_value::<Jwk>(value)
                    .ok()
                    .and_then(|jwk| set.add_jwk(&jwk).ok())
            } else {
                None
            };
            if parsed.is_none() {
                if let Some(kid) = kid {
                    set.other_kids.push(kid);
                }
            }
        }
        Ok(set)
    }

    /// Adds one RSA key given as a JWK.
    pub fn add_jwk(&mut self, jwk: &Jwk) -> Result<(), VerifyError> {
        let AlgorithmParameters::RSA(rsa) = &jwk.algorithm else {
            return Err(VerifyError::InvalidKeySet("not an RSA key".into()));
        };
        let key = DecodingKey::from_rsa_components(&rsa.n, &rsa.e)
            .map_err(|e| VerifyError::InvalidKeySet(e.to_string()))?;
        self.rsa.push(RsaKey {
            kid: jwk.common.key_id.clone(),
            alg: jwk.common.key_algorithm,
            key_use: jwk.common.public_key_use.clone(),
            key,
        });
        Ok(())
    }

    /// Adds one RSA key from its base64url modulus and exponent.
    pub fn add_rsa_components(
        &mut self,
        kid: Option<&str>,
        n: &str,
        e: &str,
    ) -> Result<(), VerifyError> {
        let key = DecodingKey::from_rsa_components(n, e)
            .map_err(|e| VerifyError::InvalidKeySet(e.to_string()))?;
        self.rsa.push(RsaKey {
            kid: kid.map(str::to_owned),
            alg: None,
            key_use: None,
            key,
        });
        Ok(())
    }

    /// The number of RSA keys.
    pub fn len(&self) -> usize {
        self.rsa.len()
    }

    /// Whether there is no RSA key.
    pub fn is_empty(&self) -> bool {
        self.rsa.is_empty()
    }

    /// Whether a key (of any type) has the id `kid`.
    pub fn contains_kid(&self, kid: &str) -> bool {
        self.rsa.iter().any(|k| k.kid.as_deref() == Some(kid))
            || self.other_kids.iter().any(|k| k == kid)
    }

    fn rsa_key_for(&self, alg: &str, kid: Option<&str>) -> Result<&DecodingKey, VerifyError> {
        let Some(kid) = kid else {
            return match self.rsa.as_slice() {
                [] => Err(VerifyError::NoKeys),
                [only] => Ok(&only.key),
                many => Err(VerifyError::MissingKid(many.len())),
            };
        };
        let mismatch = || VerifyError::KeyMismatch {
            alg: alg.to_owned(),
            kid: kid.to_owned(),
        };
        match self.rsa.iter().find(|k| k.kid.as_deref() == Some(kid)) {
            Some(k) => {
                if k.alg.is_some_and(|a| a != KeyAlgorithm::RS256) {
                    return Err(mismatch());
                }
                if k.key_use
                    .as_ref()
                    .is_some_and(|u| *u != PublicKeyUse::Signature)
                {
                    return Err(mismatch());
                }
                Ok(&k.key)
            }
            None if self.other_kids.iter().any(|k| k == kid) => Err(mismatch()),
            None => Err(VerifyError::UnknownKid(kid.to_owned())),
        }
    }
}

/// The parts of a JWT header this module looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenHeader {
    /// The `alg` value, as written.
    pub alg: String,
    /// The `kid` value, when present.
    pub kid: Option<String>,
    /// The `typ` value, when present (`JWT`, or `at+jwt` for RFC 9068 access tokens).
    pub typ: Option<String>,
    /// The `crit` list, when present (RFC 7515 §4.1.11).
    pub crit: Option<Vec<String>>,
}

/// Reads a JWT's header without verifying anything: the token must be three
/// dot-separated base64url parts with a JSON object header carrying `alg`.
pub fn decode_header(token: &str) -> Result<TokenHeader, VerifyError> {
    let mut parts = token.split('.');
    let (Some(head), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(VerifyError::Malformed(format!(
            "expected 3 dot-separated parts, found {}",
            token.split('.').count()
        )));
    };
    if payload.is_empty() {
        return Err(VerifyError::Malformed("the payload is empty".into()));
    }
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(head.trim_end_matches('='))
        .map_err(|_| VerifyError::Malformed("the header is not base64url".into()))?;
    // Each member is kept as its raw JSON text (borrowed from `raw`) and read
    // only when it is there, so a header costs no intermediate values.
    #[derive(Deserialize)]
    struct Raw<'a> {
        #[serde(borrow)]
        alg: Option<&'a serde_json::value::RawValue>,
        #[serde(borrow)]
        kid: Option<&'a serde_json::value::RawValue>,
        #[serde(borrow)]
        typ: Option<&'a serde_json::value::RawValue>,
        #[serde(borrow)]
        crit: Option<&'a serde_json::value::RawValue>,
    }
    let h: Raw<'_> = serde_json::from_slice(&raw)
        .map_err(|_| VerifyError::Malformed("the header is not a JSON object".into()))?;
    // A string member: `Ok(None)` when absent or `null`, `Err(())` when it is
    // another kind of value.
    fn string(v: Option<&serde_json::value::RawValue>) -> Result<Option<String>, ()> {
        match v.map(|v| v.get()) {
            None | Some("null") => Ok(None),
            Some(text) if text.starts_with('"') => serde_json::from_str(text).map_err(|_| ()),
            Some(_) => Err(()),
        }
    }
    let alg = match string(h.alg) {
        Ok(Some(a)) => a,
        _ => return Err(VerifyError::Malformed("the header has no `alg`".into())),
    };
    let kid = string(h.kid).map_err(|_| VerifyError::Malformed("`kid` is not a string".into()))?;
    let typ = string(h.typ).map_err(|_| VerifyError::Malformed("`typ` is not a string".into()))?;
    // `crit` must be a non-empty array of strings when present; anything else
    // is reported as unsupported, so that the token is refused either way.
    let crit = h.crit.map(
        |raw| match serde_json::from_str::<serde_json::Value>(raw.get()) {
            Ok(serde_json::Value::Array(a)) => a
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| v.to_string())
                })
                .collect(),
            Ok(other) => vec![other.to_string()],
            Err(_) => vec![raw.get().to_owned()],
        },
    );
    Ok(TokenHeader {
        alg,
        kid,
        typ,
        crit,
    })
}

/// A JWT whose header was read but nothing verified yet (see
/// [`TokenVerifier::read`]): the header stays tied to its token.
#[derive(Clone, PartialEq, Eq)]
pub struct UnverifiedToken<'a> {
    token: &'a str,
    header: TokenHeader,
}

impl UnverifiedToken<'_> {
    /// The token's header, as written (not verified).
    pub fn header(&self) -> &TokenHeader {
        &self.header
    }
}

impl std::fmt::Debug for UnverifiedToken<'_> {
    // The token itself is a credential: only its header is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnverifiedToken")
            .field("token", &"<redacted>")
            .field("header", &self.header)
            .finish()
    }
}

/// The two kinds of JWT GenAuth issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// An access token: sent as `Authorization: Bearer` to resource servers.
    Access,
    /// An ID token: tells the client app who logged in; never a credential for an API.
    Id,
}

impl TokenKind {
    fn described(kind: Option<TokenKind>) -> &'static str {
        match kind {
            Some(TokenKind::Access) => "an access token",
            Some(TokenKind::Id) => "an ID token",
            None => "neither (no `scope`, `nonce` or `at_hash` claim, no `at+jwt` type)",
        }
    }
}

/// Tells an access token from an ID token by what GenAuth writes into them
/// (see `docs/protocols.md`):
///
/// - a header `typ` of `at+jwt` (RFC 9068) marks an access token;
/// - a `nonce`, `at_hash` or `c_hash` claim marks an ID token (these exist only there);
/// - otherwise a `scope` claim marks an access token (GenAuth ID tokens carry none);
/// - otherwise the kind is unknown (`None`).
pub fn token_kind(typ: Option<&str>, claims: &JwtClaims) -> Option<TokenKind> {
    if let Some(t) = typ {
        let t = t.strip_prefix("application/").unwrap_or(t);
        if t.eq_ignore_ascii_case("at+jwt") {
            return Some(TokenKind::Access);
        }
    }
    if claims.nonce.is_some() || claims.at_hash.is_some() || claims.extra.contains_key("c_hash") {
        return Some(TokenKind::Id);
    }
    if claims.scope.is_some() {
        return Some(TokenKind::Access);
    }
    None
}

/// The default longest token a verifier accepts, in bytes.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 16 * 1024;

/// A named check of a token's claims (see [`TokenVerifier::require_claim`]).
#[derive(Clone)]
struct ClaimRule {
    name: String,
    check: std::sync::Arc<dyn Fn(&JwtClaims) -> bool + Send + Sync>,
}

impl std::fmt::Debug for ClaimRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

/// The unverified `iss` of a token, only for error messages.
fn unverified_issuer(token: &str) -> String {
    token
        .split('.')
        .nth(1)
        .and_then(|p| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .ok()
        })
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| v.get("iss").and_then(|i| i.as_str()).map(str::to_owned))
        .unwrap_or_default()
}

/// Checks ID tokens and access tokens of one issuer and audience.
///
/// Made by [`AuthenticationConfig::token_verifier`] with the app's defaults,
/// or by hand with [`TokenVerifier::new`].
#[derive(Debug, Clone)]
pub struct TokenVerifier {
    issuers: Vec<String>,
    audiences: Vec<String>,
    leeway: Duration,
    hs256_secret: Option<SecretString>,
    max_len: usize,
    scopes: Vec<String>,
    roles: Vec<String>,
    rules: Vec<ClaimRule>,
    parties: Vec<String>,
    /// The `jsonwebtoken` rules for `RS256` and `HS256`, made on first use
    /// (and again after a builder method changes issuers, audiences or leeway).
    validations: OnceLock<[Validation; 2]>,
}

impl TokenVerifier {
    /// A verifier expecting `iss == issuer` and `aud` containing `audience`,
    /// with a 30 s leeway and no `HS256` secret.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            issuers: vec![issuer.into()],
            audiences: vec![audience.into()],
            leeway: DEFAULT_LEEWAY,
            hs256_secret: None,
            max_len: DEFAULT_MAX_TOKEN_LEN,
            scopes: Vec::new(),
            roles: Vec::new(),
            rules: Vec::new(),
            parties: Vec::new(),
            validations: OnceLock::new(),
        }
    }

    /// Requires access tokens to grant `scope` (in their space-separated
    /// `scope` claim); a token without it fails with [`VerifyError::MissingScope`].
    /// Call again to require several.
    pub fn require_scope(mut self, scope: impl Into<String>) -> Self {
        self.scopes.push(scope.into());
        self
    }

    /// Requires access tokens to carry the role code `role` in their `roles`
    /// claim (see [`JwtClaims::roles`]); else [`VerifyError::MissingRole`].
    pub fn require_role(mut self, role: impl Into<String>) -> Self {
        self.roles.push(role.into());
        self
    }

    /// Requires access tokens to satisfy `check`; a token it refuses fails
    /// with [`VerifyError::ClaimRejected`] naming `name`.
    pub fn require_claim(
        mut self,
        name: impl Into<String>,
        check: impl Fn(&JwtClaims) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.rules.push(ClaimRule {
            name: name.into(),
            check: std::sync::Arc::new(check),
        });
        self
    }

    /// Accepts access tokens only when their `azp` (or, without one, their
    /// `client_id`) is one of these clients. ID tokens always have their `azp`
    /// checked against the audience (OIDC Core 3.1.3.7).
    pub fn authorized_party(mut self, client_id: impl Into<String>) -> Self {
        self.parties.push(client_id.into());
        self
    }

    /// Sets the longest token accepted, in bytes (default [`DEFAULT_MAX_TOKEN_LEN`]).
    pub fn max_token_len(mut self, max: usize) -> Self {
        self.max_len = max;
        self
    }

    /// Checks the scope, role and claim requirements against verified claims.
    pub fn check_requirements(&self, claims: &JwtClaims) -> Result<(), VerifyError> {
        if let Some(missing) = self.scopes.iter().find(|s| !claims.has_scope(s)) {
            return Err(VerifyError::MissingScope(missing.clone()));
        }
        if !self.roles.is_empty() {
            let have = claims.roles();
            if let Some(missing) = self.roles.iter().find(|r| !have.contains(&r.as_str())) {
                return Err(VerifyError::MissingRole(missing.clone()));
            }
        }
        if let Some(rule) = self.rules.iter().find(|r| !(r.check)(claims)) {
            return Err(VerifyError::ClaimRejected(rule.name.clone()));
        }
        Ok(())
    }

    /// Replaces the accepted issuer.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers = vec![issuer.into()];
        self.validations.take();
        self
    }

    /// Accepts one more issuer (e.g. the app host with and without `/oidc`).
    pub fn also_accept_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers.push(issuer.into());
        self.validations.take();
        self
    }

    /// Replaces the expected audience.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences = vec![audience.into()];
        self.validations.take();
        self
    }

    /// Accepts one more audience: e.g. a resource server's URI (RFC 8707)
    /// beside the app id. A token passes when its `aud` holds any of them.
    pub fn also_accept_audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self.validations.take();
        self
    }

    /// The accepted audiences.
    pub fn audiences(&self) -> &[String] {
        &self.audiences
    }

    /// The scopes access tokens must grant ([`TokenVerifier::require_scope`]).
    pub fn required_scopes(&self) -> &[String] {
        &self.scopes
    }

    /// Sets the clock-skew allowance.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self.validations.take();
        self
    }

    /// Sets (or removes) the secret of `HS256` ID tokens: the app secret.
    pub fn hs256_secret(mut self, secret: Option<SecretString>) -> Self {
        self.hs256_secret = secret;
        self
    }

    /// The accepted issuers.
    pub fn issuers(&self) -> &[String] {
        &self.issuers
    }

    /// Verifies an ID token: signature (`RS256` with `keys`, or `HS256` with the
    /// app secret), `iss`, `aud`, `exp`, `nbf`, `iat`, and `nonce` when
    /// `expected_nonce` is given.
    pub fn verify_id_token(
        &self,
        token: &str,
        keys: &KeySet,
        expected_nonce: Option<&str>,
    ) -> Result<JwtClaims, VerifyError> {
        let token = self.read(token)?;
        self.verify_read_id_token(&token, keys, expected_nonce)
    }

    /// Checks the size cap and reads the header of `token`, verifying nothing
    /// yet: for callers that look at the header (`kid`, `alg`) before picking
    /// keys, then verify with [`TokenVerifier::verify_read_access_token`] or
    /// [`TokenVerifier::verify_read_id_token`] without reading it again.
    pub fn read<'a>(&self, token: &'a str) -> Result<UnverifiedToken<'a>, VerifyError> {
        if token.len() > self.max_len {
            return Err(VerifyError::TooLarge {
                len: token.len(),
                max: self.max_len,
            });
        }
        Ok(UnverifiedToken {
            header: decode_header(token)?,
            token,
        })
    }

    /// [`TokenVerifier::verify_id_token`] of a token already read by
    /// [`TokenVerifier::read`].
    pub fn verify_read_id_token(
        &self,
        token: &UnverifiedToken<'_>,
        keys: &KeySet,
        expected_nonce: Option<&str>,
    ) -> Result<JwtClaims, VerifyError> {
        let claims = self.verify(token.token, &token.header, keys, TokenKind::Id)?;
        // OIDC Core 3.1.3.7: several audiences need an `azp`, and an `azp`
        // must be this client.
        let azp_ok = match &claims.azp {
            Some(azp) => self.audiences.iter().any(|a| a == azp),
            None => claims.aud.len() <= 1,
        };
        if !azp_ok {
            return Err(VerifyError::InvalidAuthorizedParty);
        }
        if let Some(expected) = expected_nonce {
            let ok = claims.nonce.as_deref().is_some_and(|n| {
                use subtle::ConstantTimeEq as _;
                bool::from(n.as_bytes().ct_eq(expected.as_bytes()))
            });
            if !ok {
                return Err(VerifyError::NonceMismatch);
            }
        }
        Ok(claims)
    }

    /// Verifies an access token of the same issuer (for resource servers):
    /// `RS256` signature with `keys`, `iss`, `aud`, `exp`, `nbf`, `iat`; that
    /// it is an access token (not an ID token, see [`token_kind`]); the
    /// authorized parties when set; then the scope, role and claim requirements.
    pub fn verify_access_token(
        &self,
        token: &str,
        keys: &KeySet,
    ) -> Result<JwtClaims, VerifyError> {
        let token = self.read(token)?;
        self.verify_read_access_token(&token, keys)
    }

    /// [`TokenVerifier::verify_access_token`] of a token already read by
    /// [`TokenVerifier::read`].
    pub fn verify_read_access_token(
        &self,
        token: &UnverifiedToken<'_>,
        keys: &KeySet,
    ) -> Result<JwtClaims, VerifyError> {
        let claims = self.verify(token.token, &token.header, keys, TokenKind::Access)?;
        if !self.parties.is_empty() {
            let party = claims.azp.as_deref().or(claims.client_id.as_deref());
            if !party.is_some_and(|p| self.parties.iter().any(|x| x == p)) {
                return Err(VerifyError::InvalidAuthorizedParty);
            }
        }
        self.check_requirements(&claims)?;
        Ok(claims)
    }

    /// The `jsonwebtoken` rules for `RS256` (`[0]`) and `HS256` (`[1]`).
    fn validations(&self) -> &[Validation; 2] {
        self.validations.get_or_init(|| {
            [Algorithm::RS256, Algorithm::HS256].map(|algorithm| {
                let mut v = Validation::new(algorithm);
                v.leeway = self.leeway.as_secs();
                v.validate_nbf = true;
                v.validate_exp = true;
                v.validate_aud = true;
                v.set_required_spec_claims(&["exp", "iss", "aud"]);
                v.set_issuer(&self.issuers);
                v.set_audience(&self.audiences);
                v
            })
        })
    }

    fn verify(
        &self,
        token: &str,
        header: &TokenHeader,
        keys: &KeySet,
        kind: TokenKind,
    ) -> Result<JwtClaims, VerifyError> {
        // Checked again: the token may have been read by a verifier with a
        // larger cap than this one.
        if token.len() > self.max_len {
            return Err(VerifyError::TooLarge {
                len: token.len(),
                max: self.max_len,
            });
        }
        let alg = header.alg.as_str();
        if alg.eq_ignore_ascii_case("none") {
            return Err(VerifyError::AlgorithmNone);
        }
        // No header extension is implemented, so any `crit` is refused.
        if let Some(crit) = &header.crit {
            return Err(VerifyError::UnsupportedCritical(crit.clone()));
        }
        let hs_secret_key;
        let (algorithm, key) = match alg {
            "RS256" => (
                Algorithm::RS256,
                keys.rsa_key_for(alg, header.kid.as_deref())?,
            ),
            "HS256" | "HS384" | "HS512" => {
                if let Some(kid) = header.kid.as_deref().filter(|k| keys.contains_kid(k)) {
                    return Err(VerifyError::KeyMismatch {
                        alg: alg.to_owned(),
                        kid: kid.to_owned(),
                    });
                }
                if alg != "HS256" || kind != TokenKind::Id {
                    return Err(VerifyError::AlgorithmNotAllowed(alg.to_owned()));
                }
                let secret = self
                    .hs256_secret
                    .as_ref()
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| VerifyError::NoKeyForAlgorithm(alg.to_owned()))?;
                hs_secret_key = DecodingKey::from_secret(secret.expose().as_bytes());
                (Algorithm::HS256, &hs_secret_key)
            }
            other => return Err(VerifyError::AlgorithmNotAllowed(other.to_owned())),
        };
        let v = &self.validations()[usize::from(algorithm != Algorithm::RS256)];
        jwt_backend()?;
        let data = jsonwebtoken::decode::<JwtClaims>(token, key, v).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind as K;
            match e.kind() {
                K::InvalidSignature => VerifyError::InvalidSignature,
                K::ExpiredSignature => VerifyError::Expired,
                K::ImmatureSignature => VerifyError::NotYetValid,
                K::InvalidIssuer => VerifyError::InvalidIssuer(unverified_issuer(token)),
                K::InvalidAudience => VerifyError::InvalidAudience,
                K::MissingRequiredClaim(c) => VerifyError::MissingClaim(c.clone()),
                K::InvalidAlgorithm | K::MissingAlgorithm | K::InvalidAlgorithmName => {
                    VerifyError::AlgorithmNotAllowed(alg.to_owned())
                }
                K::InvalidRsaKey(_) | K::InvalidKeyFormat => {
                    VerifyError::InvalidKeySet("the key cannot verify this token".into())
                }
                _ => VerifyError::Malformed(e.to_string()),
            }
        })?;
        let claims = data.claims;
        if let Some(iat) = claims.iat {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            let limit = now.saturating_add(self.leeway.as_secs());
            if iat > 0 && iat as u64 > limit {
                return Err(VerifyError::IssuedInFuture);
            }
        }
        let found = token_kind(header.typ.as_deref(), &claims);
        let wrong = match kind {
            TokenKind::Access => found != Some(TokenKind::Access),
            TokenKind::Id => found == Some(TokenKind::Access),
        };
        if wrong {
            return Err(VerifyError::WrongTokenKind {
                expected: TokenKind::described(Some(kind)),
                found: TokenKind::described(found),
            });
        }
        Ok(claims)
    }
}

impl AuthenticationConfig {
    /// The issuer GenAuth writes into the app's tokens: `{app_host}/oidc`.
    pub fn default_issuer(&self) -> String {
        format!("{}/oidc", self.base)
    }

    /// A verifier for the app's tokens: issuer `{app_host}/oidc`, audience the
    /// app id, a 30 s leeway, and the app secret (when set) for `HS256` ID tokens.
    pub fn token_verifier(&self) -> TokenVerifier {
        TokenVerifier::new(self.default_issuer(), self.options.app_id.clone())
            .hs256_secret(self.options.app_secret.clone())
    }

    /// The URL of the key set at `location`.
    pub fn jwks_url(&self, location: &JwksLocation) -> String {
        match location {
            JwksLocation::Oidc => format!("{}/oidc/.well-known/jwks.json", self.base),
            JwksLocation::AppScoped => format!(
                "{}/{}/oidc/.well-known/jwks.json",
                self.base,
                path_segment(&self.options.app_id)
            ),
            JwksLocation::Url(u) => u.clone(),
        }
    }

    /// `GET` of the key set at `location`. A [`JwksLocation::Url`] must be an
    /// absolute `http(s)` URL.
    pub fn jwks_request(
        &self,
        location: &JwksLocation,
    ) -> Result<http::Request<crate::Body>, Error> {
        let url = self.jwks_url(location);
        if let JwksLocation::Url(u) = location {
            let uri: http::Uri = u
                .parse()
                .map_err(|_| Error::invalid_input("jwks_uri", "not a valid URL"))?;
            if !matches!(uri.scheme_str(), Some("https") | Some("http")) || uri.host().is_none() {
                return Err(Error::invalid_input(
                    "jwks_uri",
                    "must be an absolute http(s) URL",
                ));
            }
        }
        self.protocol_request("get_jwks", http::Method::GET, url)
    }

    /// The URL of the OIDC discovery document: `{app_host}/oidc/.well-known/openid-configuration`.
    pub fn discovery_url(&self) -> String {
        format!("{}/oidc/.well-known/openid-configuration", self.base)
    }

    /// `GET` of the OIDC discovery document.
    pub fn discovery_request(&self) -> Result<http::Request<crate::Body>, Error> {
        self.protocol_request("get_discovery", http::Method::GET, self.discovery_url())
    }
}

/// Reads a key set answer.
pub fn parse_jwks_response(response: http::Response<Bytes>) -> Result<KeySet, Error> {
    let status = response.status();
    if !status.is_success() {
        return crate::response::decode_with::<serde_json::Value>("get_jwks", false, response)
            .and_then(|_| {
                Err(ProtocolError::Malformed {
                    what: "key set",
                    reason: format!("HTTP {status}"),
                }
                .into())
            });
    }
    Ok(KeySet::from_json(response.body())?)
}

/// Reads the discovery document; `issuer` and `jwks_uri` must be present.
pub fn parse_discovery_response(
    response: http::Response<Bytes>,
) -> Result<DiscoveryDocument, Error> {
    let doc: DiscoveryDocument = super::token::parse_json("get_discovery", "discovery", response)?;
    if doc.issuer.is_empty() || doc.jwks_uri.is_empty() {
        return Err(ProtocolError::Malformed {
            what: "discovery document",
            reason: "`issuer` and `jwks_uri` are required".into(),
        }
        .into());
    }
    Ok(doc)
}

/// Makes sure jsonwebtoken checks signatures with the backend this crate's
/// features chose: `aws-lc-rs` (the default) or `rust-crypto` (RustCrypto, no
/// AWS-LC). jsonwebtoken picks its backend from its own features and, when
/// both are on (feature unification: another crate of the application may
/// enable the other one directly), panics at the first signature check; so
/// the chosen provider is installed as its process default, once, unless the
/// application installed one first (aws-lc-rs when both are compiled in).
/// With neither feature, verification fails with a typed error instead.
fn jwt_backend() -> Result<(), VerifyError> {
    #[cfg(any(feature = "aws-lc-rs", feature = "rust-crypto"))]
    {
        static INSTALL: std::sync::Once = std::sync::Once::new();
        INSTALL.call_once(|| {
            #[cfg(feature = "aws-lc-rs")]
            let provider = &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
            #[cfg(not(feature = "aws-lc-rs"))]
            let provider = &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
            // An `Err` means a provider is installed already: it stays.
            let _ = provider.install_default();
        });
        Ok(())
    }
    #[cfg(not(any(feature = "aws-lc-rs", feature = "rust-crypto")))]
    {
        Err(VerifyError::NoCryptoBackend)
    }
}

#[cfg(test)]
pub(crate) mod test_keys {
    //! RSA keys and token signing for tests, generated once per test binary.
    use std::sync::OnceLock;

    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rsa::{KeyPair, KeySize};
    use aws_lc_rs::signature::KeyPair as _;
    use base64::Engine as _;
    use jsonwebtoken::{EncodingKey, Header};

    pub struct TestKey {
        pub kid: String,
        pub encoding: EncodingKey,
        pub n: String,
        pub e: String,
        /// The public key in PEM, as an attacker would use it for an HMAC secret.
        pub public_pem: String,
    }

    fn pem(label: &str, der: &[u8]) -> String {
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        let mut out = format!("-----BEGIN {label}-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            out.push_str(std::str::from_utf8(chunk).unwrap());
            out.push('\n');
        }
        out.push_str(&format!("-----END {label}-----\n"));
        out
    }

    fn make(kid: &str) -> TestKey {
        let kp = KeyPair::generate(KeySize::Rsa2048).unwrap();
        let pkcs8 = kp.as_der().unwrap();
        let encoding =
            EncodingKey::from_rsa_pem(pem("PRIVATE KEY", pkcs8.as_ref()).as_bytes()).unwrap();
        let public = kp.public_key();
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let n = b64.encode(public.modulus().big_endian_without_leading_zero());
        let e = b64.encode(public.exponent().big_endian_without_leading_zero());
        let spki = public.as_der().unwrap();
        TestKey {
            kid: kid.to_owned(),
            encoding,
            n,
            e,
            public_pem: pem("PUBLIC KEY", spki.as_ref()),
        }
    }

    /// Two keys: `k1` and `k2`.
    pub fn keys() -> &'static [TestKey; 2] {
        static KEYS: OnceLock<[TestKey; 2]> = OnceLock::new();
        KEYS.get_or_init(|| [make("k1"), make("k2")])
    }

    pub fn jwk_json(k: &TestKey) -> serde_json::Value {
        serde_json::json!({"kty":"RSA","kid":k.kid,"alg":"RS256","use":"sig","n":k.n,"e":k.e})
    }

    pub fn jwks(keys: &[&TestKey]) -> String {
        serde_json::json!({"keys": keys.iter().map(|k| jwk_json(k)).collect::<Vec<_>>()})
            .to_string()
    }

    pub fn now() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    }

    pub fn sign_rs256(k: &TestKey, kid: Option<&str>, claims: &serde_json::Value) -> String {
        let mut h = Header::new(jsonwebtoken::Algorithm::RS256);
        h.kid = kid.map(str::to_owned);
        jsonwebtoken::encode(&h, claims, &k.encoding).unwrap()
    }

    pub fn sign_hs256(secret: &[u8], kid: Option<&str>, claims: &serde_json::Value) -> String {
        let mut h = Header::new(jsonwebtoken::Algorithm::HS256);
        h.kid = kid.map(str::to_owned);
        jsonwebtoken::encode(&h, claims, &EncodingKey::from_secret(secret)).unwrap()
    }

    /// An RS256 token with a hand-made header (e.g. with `crit` or `typ`), validly signed.
    pub fn sign_with_header(
        k: &TestKey,
        header: &serde_json::Value,
        claims: &serde_json::Value,
    ) -> String {
        let unsigned = raw_token(header, claims, "");
        let message = unsigned.trim_end_matches('.');
        let sig = jsonwebtoken::crypto::sign(
            message.as_bytes(),
            &k.encoding,
            jsonwebtoken::Algorithm::RS256,
        )
        .unwrap();
        format!("{message}.{sig}")
    }

    /// A token with a hand-made header and payload and the given signature part.
    pub fn raw_token(header: &serde_json::Value, claims: &serde_json::Value, sig: &str) -> String {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.{sig}",
            b64.encode(header.to_string()),
            b64.encode(claims.to_string())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::test_keys::*;
    use super::*;
    use serde_json::json;

    const ISS: &str = "https://demo.genauth.ai/oidc";
    const AUD: &str = "app-1";

    fn verifier() -> TokenVerifier {
        TokenVerifier::new(ISS, AUD).hs256_secret(Some("app-secret".into()))
    }

    fn key_set() -> KeySet {
        let [k1, k2] = keys();
        KeySet::from_json(jwks(&[k1, k2]).as_bytes()).unwrap()
    }

    fn claims() -> serde_json::Value {
        let now = now();
        json!({"iss": ISS, "aud": AUD, "sub": "user-1", "exp": now + 600, "iat": now - 5, "nonce": "n-1", "email": "a@b.c"})
    }

    fn with(mut c: serde_json::Value, k: &str, v: serde_json::Value) -> serde_json::Value {
        c[k] = v;
        c
    }

    fn without(mut c: serde_json::Value, k: &str) -> serde_json::Value {
        c.as_object_mut().unwrap().remove(k);
        c
    }

    #[test]
    #[cfg(not(any(feature = "aws-lc-rs", feature = "rust-crypto")))]
    fn without_a_signature_backend_verification_is_a_typed_error() {
        use base64::Engine as _;
        let [k1, _] = keys();
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = b64.encode(format!(
            r#"{{"alg":"RS256","typ":"JWT","kid":"{}"}}"#,
            k1.kid
        ));
        let payload = b64.encode(claims().to_string());
        let token = format!("{header}.{payload}.c2ln");
        let err = verifier()
            .verify_id_token(&token, &key_set(), Some("n-1"))
            .unwrap_err();
        assert_eq!(err, VerifyError::NoCryptoBackend);
        assert!(err.to_string().contains("rust-crypto"), "{err}");
    }

    #[test]
    #[cfg(any(feature = "aws-lc-rs", feature = "rust-crypto"))]
    fn the_cached_rules_follow_every_builder_change() {
        let [k1, _] = keys();
        let token = sign_rs256(k1, Some(&k1.kid), &claims());
        let ks = key_set();
        let v = verifier();
        // Used once: the jsonwebtoken rules are made and kept.
        v.verify_id_token(&token, &ks, None).unwrap();
        // A changed copy must not reuse the kept rules.
        let other_issuer = v.clone().issuer("https://other.example/oidc");
        assert!(matches!(
            other_issuer.verify_id_token(&token, &ks, None),
            Err(VerifyError::InvalidIssuer(_))
        ));
        let other_audience = v.clone().audience("someone-else");
        assert_eq!(
            other_audience.verify_id_token(&token, &ks, None),
            Err(VerifyError::InvalidAudience)
        );
        let expired = sign_rs256(
            k1,
            Some(&k1.kid),
            &with(claims(), "exp", json!(now() - 100)),
        );
        let lenient = v.clone().leeway(Duration::from_secs(300));
        lenient.verify_id_token(&expired, &ks, None).unwrap();
        assert_eq!(
            v.verify_id_token(&expired, &ks, None),
            Err(VerifyError::Expired)
        );
        let both = other_issuer.also_accept_issuer(ISS);
        both.verify_id_token(&token, &ks, None).unwrap();
        // The original is unchanged by its copies.
        v.verify_id_token(&token, &ks, None).unwrap();
    }

    #[test]
    #[cfg(any(feature = "aws-lc-rs", feature = "rust-crypto"))]
    fn a_token_read_once_verifies_like_the_whole_path() {
        let [k1, _] = keys();
        let access = with(claims(), "scope", json!("openid read"));
        let token = sign_rs256(k1, Some(&k1.kid), &without(access, "nonce"));
        let ks = key_set();
        let v = verifier();
        let read = v.read(&token).unwrap();
        assert_eq!(read.header().kid.as_deref(), Some(k1.kid.as_str()));
        assert_eq!(read.header().alg, "RS256");
        assert_eq!(
            v.verify_read_id_token(&read, &ks, None),
            v.verify_id_token(&token, &ks, None)
        );
        // The token is a credential: Debug shows only its header.
        let shown = format!("{read:?}");
        assert!(!shown.contains(&token[..20]), "{shown}");
        assert!(shown.contains("RS256"), "{shown}");
        // The size cap applies before the header is read.
        let huge = "a".repeat(DEFAULT_MAX_TOKEN_LEN + 1);
        assert!(matches!(v.read(&huge), Err(VerifyError::TooLarge { .. })));
        // Members of the wrong kind are named.
        let odd = raw_token(&json!({"alg": "RS256", "kid": 7}), &claims(), "c2ln");
        assert_eq!(
            v.read(&odd).unwrap_err(),
            VerifyError::Malformed("`kid` is not a string".into())
        );
        let no_alg = raw_token(&json!({"alg": ["RS256"]}), &claims(), "c2ln");
        assert_eq!(
            v.read(&no_alg).unwrap_err(),
            VerifyError::Malformed("the header has no `alg`".into())
        );
        let escaped = raw_token(
            &json!({"alg": "RS256", "kid": "k\"1\u{e9}"}),
            &claims(),
            "c2ln",
        );
        assert_eq!(
            v.read(&escaped).unwrap().header().kid.as_deref(),
            Some("k\"1\u{e9}")
        );
    }

    #[test]
    #[cfg(any(feature = "aws-lc-rs", feature = "rust-crypto"))]
    fn accepts_rs256_with_either_key() {
        let [k1, k2] = keys();
        let ks = key_set();
        assert_eq!(ks.len(), 2);
        for k in [k1, k2] {
            let t = sign_rs256(k, Some(&k.kid), &claims());
            let c = verifier().verify_id_token(&t, &ks, Some("n-1")).unwrap();
            assert_eq!(c.sub.as_deref(), Some("user-1"));
            assert_eq!(c.aud, vec![AUD]);
            assert_eq!(c.email.as_deref(), Some("a@b.c"));
            let at = sign_rs256(k, Some(&k.kid), &access_claims());
            verifier().verify_access_token(&at, &ks).unwrap();
        }
    }

    /// An access token as GenAuth issues it: `scope` and `jti`, no `nonce`.
    fn access_claims() -> serde_json::Value {
        let now = now();
        json!({"iss": ISS, "aud": AUD, "sub": "user-1", "exp": now + 600, "iat": now - 5,
               "jti": "j-1", "scope": "openid profile orders:read", "roles": ["admin", "ops"]})
    }

    #[test]
    fn tells_access_tokens_from_id_tokens() {
        let [k1, _] = keys();
        let ks = key_set();
        let id = sign_rs256(k1, Some("k1"), &claims());
        let at = sign_rs256(k1, Some("k1"), &access_claims());
        // An ID token is not a bearer credential.
        assert_eq!(
            verifier().verify_access_token(&id, &ks),
            Err(VerifyError::WrongTokenKind {
                expected: "an access token",
                found: "an ID token"
            })
        );
        // Nor is an access token an ID token.
        assert!(matches!(
            verifier().verify_id_token(&at, &ks, None),
            Err(VerifyError::WrongTokenKind {
                expected: "an ID token",
                ..
            })
        ));
        // `at_hash` alone marks an ID token too, and a token with no marker at
        // all is refused as an access token.
        let at_hash_only = with(without(claims(), "nonce"), "at_hash", json!("x"));
        let t = sign_rs256(k1, Some("k1"), &at_hash_only);
        assert!(matches!(
            verifier().verify_access_token(&t, &ks),
            Err(VerifyError::WrongTokenKind {
                found: "an ID token",
                ..
            })
        ));
        let bare = sign_rs256(k1, Some("k1"), &without(claims(), "nonce"));
        assert!(matches!(
            verifier().verify_access_token(&bare, &ks),
            Err(VerifyError::WrongTokenKind { .. })
        ));
        verifier().verify_id_token(&bare, &ks, None).unwrap();
        // RFC 9068 `typ: at+jwt` marks an access token even without `scope`.
        let h = json!({"alg": "RS256", "kid": "k1", "typ": "at+jwt"});
        let t = sign_with_header(k1, &h, &without(access_claims(), "scope"));
        verifier().verify_access_token(&t, &ks).unwrap();
        assert_eq!(
            token_kind(Some("application/AT+JWT"), &JwtClaims::default()),
            Some(TokenKind::Access)
        );
    }

    #[test]
    fn refuses_any_critical_header() {
        let [k1, _] = keys();
        let ks = key_set();
        for crit in [
            json!(["exp"]),
            json!(["http://example.com/ext"]),
            json!([]),
            json!("b64"),
        ] {
            let h =
                json!({"alg": "RS256", "kid": "k1", "crit": crit, "http://example.com/ext": true});
            let t = sign_with_header(k1, &h, &access_claims());
            assert!(
                matches!(
                    verifier().verify_access_token(&t, &ks),
                    Err(VerifyError::UnsupportedCritical(_))
                ),
                "crit {crit} was accepted"
            );
            assert!(matches!(
                verifier().verify_id_token(&sign_with_header(k1, &h, &claims()), &ks, None),
                Err(VerifyError::UnsupportedCritical(_))
            ));
        }
    }

    #[test]
    fn checks_azp_of_id_tokens_with_several_audiences() {
        let [k1, _] = keys();
        let ks = key_set();
        let many = with(claims(), "aud", json!([AUD, "other-app"]));
        let t = sign_rs256(k1, Some("k1"), &many);
        assert_eq!(
            verifier().verify_id_token(&t, &ks, None),
            Err(VerifyError::InvalidAuthorizedParty)
        );
        let t = sign_rs256(
            k1,
            Some("k1"),
            &with(many.clone(), "azp", json!("other-app")),
        );
        assert_eq!(
            verifier().verify_id_token(&t, &ks, None),
            Err(VerifyError::InvalidAuthorizedParty)
        );
        let t = sign_rs256(k1, Some("k1"), &with(many, "azp", json!(AUD)));
        verifier().verify_id_token(&t, &ks, None).unwrap();
        // A single audience with a foreign azp is refused as well.
        let t = sign_rs256(k1, Some("k1"), &with(claims(), "azp", json!("other-app")));
        assert_eq!(
            verifier().verify_id_token(&t, &ks, None),
            Err(VerifyError::InvalidAuthorizedParty)
        );
        // Access tokens: only when authorized parties are configured.
        let at = sign_rs256(k1, Some("k1"), &with(access_claims(), "azp", json!("spa")));
        verifier().verify_access_token(&at, &ks).unwrap();
        verifier()
            .authorized_party("spa")
            .verify_access_token(&at, &ks)
            .unwrap();
        assert_eq!(
            verifier()
                .authorized_party("cli")
                .verify_access_token(&at, &ks),
            Err(VerifyError::InvalidAuthorizedParty)
        );
    }

    #[test]
    fn enforces_scopes_roles_and_claim_rules() {
        let [k1, _] = keys();
        let ks = key_set();
        let at = sign_rs256(k1, Some("k1"), &access_claims());
        let ok = verifier()
            .require_scope("orders:read")
            .require_role("ops")
            .require_claim("subject is user-1", |c| c.sub.as_deref() == Some("user-1"))
            .verify_access_token(&at, &ks)
            .unwrap();
        assert_eq!(ok.roles(), vec!["admin", "ops"]);
        let e = verifier()
            .require_scope("orders:write")
            .verify_access_token(&at, &ks);
        assert_eq!(e, Err(VerifyError::MissingScope("orders:write".into())));
        assert!(e.unwrap_err().is_insufficient());
        // `openid` is a scope; `openid profile` is not one scope.
        assert!(verifier()
            .require_scope("openid profile")
            .verify_access_token(&at, &ks)
            .is_err());
        assert_eq!(
            verifier()
                .require_role("root")
                .verify_access_token(&at, &ks),
            Err(VerifyError::MissingRole("root".into()))
        );
        assert_eq!(
            verifier()
                .require_claim("email verified", |c| c.email_verified == Some(true))
                .verify_access_token(&at, &ks),
            Err(VerifyError::ClaimRejected("email verified".into()))
        );
        // Roles as a space-separated string.
        let t = sign_rs256(
            k1,
            Some("k1"),
            &with(access_claims(), "roles", json!("a b")),
        );
        verifier()
            .require_role("b")
            .verify_access_token(&t, &ks)
            .unwrap();
    }

    #[test]
    fn refuses_oversized_tokens_before_parsing() {
        let big = "a".repeat(1 << 20);
        assert_eq!(
            verifier().verify_access_token(&big, &key_set()),
            Err(VerifyError::TooLarge {
                len: 1 << 20,
                max: DEFAULT_MAX_TOKEN_LEN
            })
        );
        let [k1, _] = keys();
        let at = sign_rs256(k1, Some("k1"), &access_claims());
        assert!(matches!(
            verifier()
                .max_token_len(10)
                .verify_access_token(&at, &key_set()),
            Err(VerifyError::TooLarge { .. })
        ));
    }

    #[test]
    fn typed_standard_claims_and_extra() {
        let c: JwtClaims = serde_json::from_value(json!({
            "iss": ISS, "aud": AUD, "exp": 1, "sub": "u", "email": "a@b.c", "email_verified": true,
            "phone_number": "+1555", "name": "Ada", "picture": "https://p/x.png", "custom": 7
        }))
        .unwrap();
        assert_eq!(c.email.as_deref(), Some("a@b.c"));
        assert_eq!(c.email_verified, Some(true));
        assert_eq!(c.phone_number.as_deref(), Some("+1555"));
        assert_eq!(c.name.as_deref(), Some("Ada"));
        assert_eq!(c.picture.as_deref(), Some("https://p/x.png"));
        assert_eq!(c.extra["custom"], 7);
        assert!(!c.extra.contains_key("email"));
    }

    #[test]
    fn accepts_hs256_id_tokens_with_the_app_secret() {
        let t = sign_hs256(b"app-secret", None, &claims());
        let c = verifier()
            .verify_id_token(&t, &key_set(), Some("n-1"))
            .unwrap();
        assert_eq!(c.iss, ISS);
        let wrong = sign_hs256(b"other-secret", None, &claims());
        assert_eq!(
            verifier().verify_id_token(&wrong, &key_set(), None),
            Err(VerifyError::InvalidSignature)
        );
        assert_eq!(
            verifier().verify_access_token(&t, &key_set()),
            Err(VerifyError::AlgorithmNotAllowed("HS256".into()))
        );
        assert_eq!(
            TokenVerifier::new(ISS, AUD).verify_id_token(&t, &key_set(), None),
            Err(VerifyError::NoKeyForAlgorithm("HS256".into()))
        );
    }

    #[test]
    fn rejects_alg_none() {
        for alg in ["none", "None", "NONE"] {
            let t = raw_token(&json!({"alg": alg, "typ": "JWT"}), &claims(), "");
            assert_eq!(
                verifier().verify_id_token(&t, &key_set(), None),
                Err(VerifyError::AlgorithmNone)
            );
        }
    }

    #[test]
    fn rejects_hs256_signed_with_the_rsa_public_key() {
        let [k1, _] = keys();
        // With the RSA key's kid: the classic confusion attack.
        let t = sign_hs256(k1.public_pem.as_bytes(), Some("k1"), &claims());
        assert_eq!(
            verifier().verify_id_token(&t, &key_set(), None),
            Err(VerifyError::KeyMismatch {
                alg: "HS256".into(),
                kid: "k1".into()
            })
        );
        // Without a kid, the HMAC key is the app secret, never the public key.
        let t = sign_hs256(k1.public_pem.as_bytes(), None, &claims());
        assert_eq!(
            verifier().verify_id_token(&t, &key_set(), None),
            Err(VerifyError::InvalidSignature)
        );
        assert_eq!(
            verifier().verify_access_token(&t, &key_set()),
            Err(VerifyError::AlgorithmNotAllowed("HS256".into()))
        );
    }

    #[test]
    fn rejects_other_algorithms_and_mismatched_keys() {
        let t = raw_token(&json!({"alg": "RS512", "kid": "k1"}), &claims(), "c2ln");
        assert_eq!(
            verifier().verify_id_token(&t, &key_set(), None),
            Err(VerifyError::AlgorithmNotAllowed("RS512".into()))
        );
        let t = raw_token(&json!({"alg": "HS512"}), &claims(), "c2ln");
        assert_eq!(
            verifier().verify_id_token(&t, &key_set(), None),
            Err(VerifyError::AlgorithmNotAllowed("HS512".into()))
        );
        // A key published for another algorithm.
        let [k1, _] = keys();
        let mut doc = jwk_json(k1);
        doc["alg"] = json!("PS256");
        let ks = KeySet::from_json(json!({"keys": [doc]}).to_string().as_bytes()).unwrap();
        let t = sign_rs256(k1, Some("k1"), &claims());
        assert!(matches!(
            verifier().verify_id_token(&t, &ks, None),
            Err(VerifyError::KeyMismatch { .. })
        ));
        // A kid that names an EC key.
        let ks = KeySet::from_json(
            br#"{"keys":[{"kty":"EC","kid":"k1","crv":"P-256","x":"AA","y":"AA"}]}"#,
        )
        .unwrap();
        assert!(ks.is_empty());
        assert!(matches!(
            verifier().verify_id_token(&t, &ks, None),
            Err(VerifyError::KeyMismatch { .. })
        ));
    }

    #[test]
    fn kid_handling() {
        let [k1, k2] = keys();
        let t = sign_rs256(k1, Some("k9"), &claims());
        assert_eq!(
            verifier().verify_id_token(&t, &key_set(), None),
            Err(VerifyError::UnknownKid("k9".into()))
        );
        let t = sign_rs256(k1, None, &claims());
        assert_eq!(
            verifier().verify_id_token(&t, &key_set(), None),
            Err(VerifyError::MissingKid(2))
        );
        let one = KeySet::from_json(jwks(&[k1]).as_bytes()).unwrap();
        verifier().verify_id_token(&t, &one, None).unwrap();
        assert_eq!(
            verifier().verify_id_token(&t, &KeySet::new(), None),
            Err(VerifyError::NoKeys)
        );
        // Signed with k2 but claiming k1.
        let t = sign_rs256(k2, Some("k1"), &claims());
        assert_eq!(
            verifier().verify_id_token(&t, &key_set(), None),
            Err(VerifyError::InvalidSignature)
        );
    }

    #[test]
    fn rejects_malformed_tokens() {
        for t in [
            "",
            "abc",
            "a.b",
            "a.b.c.d",
            "!!!.e30.sig",
            "e30.e30.sig",
            "bm90IGpzb24.e30.sig",
        ] {
            assert!(
                matches!(
                    verifier().verify_id_token(t, &key_set(), None),
                    Err(VerifyError::Malformed(_))
                ),
                "{t}"
            );
        }
        let [k1, _] = keys();
        let t = sign_rs256(k1, Some("k1"), &claims());
        let mut parts: Vec<&str> = t.split('.').collect();
        parts[1] = "bm90IGpzb24";
        let tampered = parts.join(".");
        assert_eq!(
            verifier().verify_id_token(&tampered, &key_set(), None),
            Err(VerifyError::InvalidSignature)
        );
    }

    #[test]
    fn claim_checks() {
        let [k1, _] = keys();
        let ks = key_set();
        let v = verifier();
        let check = |c: serde_json::Value| {
            v.verify_id_token(&sign_rs256(k1, Some("k1"), &c), &ks, Some("n-1"))
        };
        let now = now();
        assert_eq!(
            check(with(claims(), "exp", json!(now - 120))),
            Err(VerifyError::Expired)
        );
        // Within the leeway.
        check(with(claims(), "exp", json!(now - 10))).unwrap();
        assert_eq!(
            check(with(claims(), "nbf", json!(now + 120))),
            Err(VerifyError::NotYetValid)
        );
        check(with(claims(), "nbf", json!(now + 10))).unwrap();
        assert_eq!(
            check(with(claims(), "iat", json!(now + 120))),
            Err(VerifyError::IssuedInFuture)
        );
        assert_eq!(
            check(with(claims(), "iss", json!("https://evil/oidc"))),
            Err(VerifyError::InvalidIssuer("https://evil/oidc".into()))
        );
        assert_eq!(
            check(with(claims(), "aud", json!("other-app"))),
            Err(VerifyError::InvalidAudience)
        );
        // Several audiences need `azp` naming this client (OIDC Core 3.1.3.7).
        let many = with(claims(), "aud", json!(["other-app", AUD]));
        assert_eq!(
            check(many.clone()),
            Err(VerifyError::InvalidAuthorizedParty)
        );
        check(with(many, "azp", json!(AUD))).unwrap();
        assert_eq!(
            check(with(claims(), "nonce", json!("n-2"))),
            Err(VerifyError::NonceMismatch)
        );
        assert_eq!(
            check(without(claims(), "nonce")),
            Err(VerifyError::NonceMismatch)
        );
        for c in ["exp", "iss", "aud"] {
            assert_eq!(
                check(without(claims(), c)),
                Err(VerifyError::MissingClaim(c.into())),
                "{c}"
            );
        }
        // No expected nonce: the token's nonce is not checked.
        let t = sign_rs256(k1, Some("k1"), &with(claims(), "nonce", json!("x")));
        v.verify_id_token(&t, &ks, None).unwrap();
        // The leeway is configurable.
        let strict = verifier().leeway(Duration::ZERO);
        let t = sign_rs256(k1, Some("k1"), &with(claims(), "exp", json!(now - 10)));
        assert_eq!(
            strict.verify_id_token(&t, &ks, None),
            Err(VerifyError::Expired)
        );
    }

    #[test]
    fn key_set_parsing() {
        assert!(matches!(
            KeySet::from_json(b"[]"),
            Err(VerifyError::InvalidKeySet(_))
        ));
        assert!(matches!(
            KeySet::from_json(b"<html>"),
            Err(VerifyError::InvalidKeySet(_))
        ));
        let ks = KeySet::from_json(
            br#"{"keys":[{"kty":"RSA","kid":"bad"},{"kty":"oct","kid":"h","k":"AA"}]}"#,
        )
        .unwrap();
        assert!(ks.is_empty());
        assert!(ks.contains_kid("bad") && ks.contains_kid("h"));
        assert!(format!("{:?}", key_set()).contains("k1"));
    }

    #[test]
    fn config_defaults_and_urls() {
        let cfg = super::super::test_support::config(crate::Protocol::Oidc);
        let v = cfg.token_verifier();
        assert_eq!(v.issuers(), ["https://demo.genauth.ai/oidc"]);
        assert_eq!(
            cfg.jwks_url(&JwksLocation::Oidc),
            "https://demo.genauth.ai/oidc/.well-known/jwks.json"
        );
        assert_eq!(
            cfg.jwks_url(&JwksLocation::AppScoped),
            "https://demo.genauth.ai/app%201/oidc/.well-known/jwks.json"
        );
        assert_eq!(
            cfg.discovery_request().unwrap().uri(),
            "https://demo.genauth.ai/oidc/.well-known/openid-configuration"
        );
        assert!(cfg
            .jwks_request(&JwksLocation::Url("/relative".into()))
            .is_err());
        assert!(cfg
            .jwks_request(&JwksLocation::Url("ftp://x/jwks".into()))
            .is_err());
        let r = cfg
            .jwks_request(&JwksLocation::Url("https://keys.example/jwks".into()))
            .unwrap();
        assert_eq!(r.method(), http::Method::GET);
    }

    #[test]
    fn discovery_and_jwks_responses() {
        let ok = http::Response::new(Bytes::from(
            json!({"issuer": ISS, "jwks_uri": "https://x/jwks", "token_endpoint": "https://x/token", "other": 1}).to_string(),
        ));
        let d = parse_discovery_response(ok).unwrap();
        assert_eq!(d.issuer, ISS);
        assert_eq!(d.extra["other"], 1);
        let bad = http::Response::new(Bytes::from_static(br#"{"issuer":""}"#));
        assert!(matches!(
            parse_discovery_response(bad),
            Err(Error::Protocol(_))
        ));
        let [k1, _] = keys();
        let ks = parse_jwks_response(http::Response::new(Bytes::from(jwks(&[k1])))).unwrap();
        assert_eq!(ks.len(), 1);
        let e = http::Response::builder()
            .status(404)
            .body(Bytes::from_static(b"nope"))
            .unwrap();
        assert!(matches!(parse_jwks_response(e), Err(Error::Http(_))));
        assert!(matches!(
            parse_jwks_response(http::Response::new(Bytes::from_static(b"{}"))),
            Err(Error::Verify(VerifyError::InvalidKeySet(_)))
        ));
    }
}
