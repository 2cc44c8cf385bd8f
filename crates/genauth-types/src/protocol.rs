//! Data shapes of the OIDC, OAuth 2.0 and CAS endpoints: token sets, userinfo
//! claims, introspection results, discovery documents, JWT claims and CAS
//! validation results.
//!
//! These endpoints answer with their own standard JSON (no GenAuth envelope).
//! Every shape keeps the fields it does not name in `extra`, so nothing the
//! server sends is lost.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::SecretString;

/// Extra JSON fields of a response, kept as they came.
pub type ExtraFields = serde_json::Map<String, serde_json::Value>;

/// Reads a JSON string or array of strings as a list (`aud` may be either).
pub fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
        Null(()),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
        OneOrMany::Null(()) => Vec::new(),
    })
}

/// What the token endpoint returns (RFC 6749 §5.1, OIDC Core §3.1.3.3).
///
/// Tokens are [`SecretString`]s, so printing a token set does not leak them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TokenSet {
    /// The access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<SecretString>,
    /// The ID token (OIDC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<SecretString>,
    /// The refresh token, when the scope asked for `offline_access`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<SecretString>,
    /// Lifetime of the access token, in seconds.
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub expires_in: Option<i64>,
    /// The token type, usually `Bearer`.
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub token_type: Option<String>,
    /// The granted scope, space separated.
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub scope: Option<String>,
    /// Fields not named above.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// Claims of the userinfo endpoint (OIDC Core §5.1); the ones not named are in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserInfo {
    /// The user's id.
    #[serde(default, deserialize_with = "crate::lenient::string")]
    pub sub: String,
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Nickname.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// Preferred username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    /// Picture URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the email address is verified.
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub email_verified: Option<bool>,
    /// Phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Whether the phone number is verified.
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone_number_verified: Option<bool>,
    /// Claims not named above.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// The result of token introspection (RFC 7662 §2.2).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Introspection {
    /// Whether the token is currently active. When `false`, the other fields are usually absent.
    #[serde(default, deserialize_with = "crate::lenient::bool")]
    pub active: bool,
    /// The token's scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The client the token was issued to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// A human-readable identifier of the resource owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The token type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// Expiry, seconds since the epoch.
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub exp: Option<i64>,
    /// Issue time, seconds since the epoch.
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub iat: Option<i64>,
    /// Not-before time, seconds since the epoch.
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub nbf: Option<i64>,
    /// The subject (user id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// The audiences.
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub aud: Vec<String>,
    /// The issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// The token's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// Fields not named above.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// The claims of a verified JWT (ID token or access token).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JwtClaims {
    /// The issuer.
    #[serde(default)]
    pub iss: String,
    /// The subject (user id, or the client for client-credentials tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// The audiences.
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub aud: Vec<String>,
    /// Expiry, seconds since the epoch.
    #[serde(default, deserialize_with = "crate::lenient::i64")]
    pub exp: i64,
    /// Issue time, seconds since the epoch.
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub iat: Option<i64>,
    /// Not-before time, seconds since the epoch.
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub nbf: Option<i64>,
    /// The nonce of the authorization request (ID tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The authorized party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
    /// The granted scope (access tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The token's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// The client the token was issued to (access tokens of some grants).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// When the user authenticated, seconds since the epoch (ID tokens).
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub auth_time: Option<i64>,
    /// The hash of the access token issued with this ID token (OIDC Core 3.1.3.6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_hash: Option<String>,
    /// The session id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// The user's email address (`email` scope).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the email address was verified.
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub email_verified: Option<bool>,
    /// The user's phone number (`phone` scope).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Whether the phone number was verified.
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone_number_verified: Option<bool>,
    /// The user's full name (`profile` scope).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The user's given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// The user's family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// The user's nickname.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// The name the user prefers to be shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    /// The URL of the user's picture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// Claims not named above (other profile claims, `roles`, custom claims, ...).
    #[serde(flatten)]
    pub extra: ExtraFields,
}

impl JwtClaims {
    /// Whether the space-separated `scope` claim holds `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scope
            .as_deref()
            .is_some_and(|s| s.split_whitespace().any(|x| x == scope))
    }

    /// The role codes of the `roles` claim (an array of strings, or a
    /// space-separated string); empty when the claim is absent.
    pub fn roles(&self) -> Vec<&str> {
        match self.extra.get("roles") {
            Some(serde_json::Value::Array(a)) => a.iter().filter_map(|v| v.as_str()).collect(),
            Some(serde_json::Value::String(s)) => s.split_whitespace().collect(),
            _ => Vec::new(),
        }
    }
}

/// The OIDC discovery document (`/.well-known/openid-configuration`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DiscoveryDocument {
    /// The issuer identifier that tokens carry in `iss`.
    #[serde(default)]
    pub issuer: String,
    /// Where the key set is published.
    #[serde(default)]
    pub jwks_uri: String,
    /// The authorization endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    /// The token endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    /// The userinfo endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_endpoint: Option<String>,
    /// The end-session (logout) endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_session_endpoint: Option<String>,
    /// The introspection endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint: Option<String>,
    /// The revocation endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<String>,
    /// Signing algorithms of ID tokens.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub id_token_signing_alg_values_supported: Vec<String>,
    /// Fields not named above.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// Protected resource metadata (RFC 9728 §2): what a resource server publishes
/// at `/.well-known/oauth-protected-resource` so that clients find the
/// authorization server that issues its tokens.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProtectedResourceMetadata {
    /// The resource identifier: the URI tokens for this resource are bound to
    /// (their `aud`, and the `resource` parameter of RFC 8707).
    pub resource: String,
    /// Issuer identifiers of the authorization servers that issue tokens for it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authorization_servers: Vec<String>,
    /// Where the resource's own signing keys are published (rarely used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// Scopes a client may ask for to reach this resource.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes_supported: Vec<String>,
    /// How the bearer token may be sent: `header`, `body` or `query` (RFC 6750).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bearer_methods_supported: Vec<String>,
    /// A human-readable name of the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_name: Option<String>,
    /// A page for developers about the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_documentation: Option<String>,
    /// Fields not named above.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// A CAS ticket that the server accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CasSuccess {
    /// The authenticated user.
    pub user: String,
    /// The user's attributes (CAS 3.0); an attribute may have several values.
    #[serde(default)]
    pub attributes: BTreeMap<String, Vec<String>>,
    /// The proxy-granting ticket IOU, when one was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_granting_ticket: Option<String>,
}

/// The error code of a CAS validation failure (CAS protocol 3.0 §2.5.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CasErrorCode {
    /// Not all required parameters were sent.
    #[serde(rename = "INVALID_REQUEST")]
    InvalidRequest,
    /// The ticket does not meet the validation specification.
    #[serde(rename = "INVALID_TICKET_SPEC")]
    InvalidTicketSpec,
    /// The service may not perform proxy authentication.
    #[serde(rename = "UNAUTHORIZED_SERVICE_PROXY")]
    UnauthorizedServiceProxy,
    /// The proxy callback URL is invalid.
    #[serde(rename = "INVALID_PROXY_CALLBACK")]
    InvalidProxyCallback,
    /// The ticket is unknown, expired or already used.
    #[serde(rename = "INVALID_TICKET")]
    InvalidTicket,
    /// The service does not match the ticket's service.
    #[serde(rename = "INVALID_SERVICE")]
    InvalidService,
    /// An internal error of the CAS server.
    #[serde(rename = "INTERNAL_ERROR")]
    InternalError,
    /// A code this SDK does not know.
    #[serde(untagged)]
    Other(String),
}

impl CasErrorCode {
    /// Reads a code as the server spells it.
    pub fn parse(code: &str) -> Self {
        match code.trim() {
            "INVALID_REQUEST" => Self::InvalidRequest,
            "INVALID_TICKET_SPEC" => Self::InvalidTicketSpec,
            "UNAUTHORIZED_SERVICE_PROXY" => Self::UnauthorizedServiceProxy,
            "INVALID_PROXY_CALLBACK" => Self::InvalidProxyCallback,
            "INVALID_TICKET" => Self::InvalidTicket,
            "INVALID_SERVICE" => Self::InvalidService,
            "INTERNAL_ERROR" => Self::InternalError,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The code as the server spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidRequest => "INVALID_REQUEST",
            Self::InvalidTicketSpec => "INVALID_TICKET_SPEC",
            Self::UnauthorizedServiceProxy => "UNAUTHORIZED_SERVICE_PROXY",
            Self::InvalidProxyCallback => "INVALID_PROXY_CALLBACK",
            Self::InvalidTicket => "INVALID_TICKET",
            Self::InvalidService => "INVALID_SERVICE",
            Self::InternalError => "INTERNAL_ERROR",
            Self::Other(s) => s,
        }
    }
}

impl std::fmt::Display for CasErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_set_keeps_unknown_fields_and_hides_tokens() {
        let t: TokenSet = serde_json::from_str(
            r#"{"access_token":"at-1","id_token":"it-1","expires_in":"7200","token_type":"Bearer","scope":"openid","x":1}"#,
        )
        .unwrap();
        assert_eq!(t.access_token.as_ref().unwrap().expose(), "at-1");
        assert_eq!(t.expires_in, Some(7200));
        assert_eq!(t.extra["x"], 1);
        let dbg = format!("{t:?}");
        assert!(!dbg.contains("at-1") && !dbg.contains("it-1"), "{dbg}");
    }

    #[test]
    fn audience_is_one_or_many() {
        let c: JwtClaims = serde_json::from_str(r#"{"iss":"i","aud":"a","exp":1}"#).unwrap();
        assert_eq!(c.aud, vec!["a"]);
        let c: JwtClaims = serde_json::from_str(r#"{"iss":"i","aud":["a","b"],"exp":1}"#).unwrap();
        assert_eq!(c.aud, vec!["a", "b"]);
    }

    #[test]
    fn cas_codes_round_trip() {
        assert_eq!(
            CasErrorCode::parse("INVALID_TICKET"),
            CasErrorCode::InvalidTicket
        );
        assert_eq!(CasErrorCode::parse("X").as_str(), "X");
    }
}
