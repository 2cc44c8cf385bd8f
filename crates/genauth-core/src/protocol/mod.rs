//! OIDC, OAuth 2.0, SAML and CAS, sans-IO.
//!
//! Everything here is a method on [`AuthenticationConfig`] or a free function:
//! URL builders return strings, request builders return
//! `http::Request<Body>`, and parsers take `http::Response<Bytes>` and return a
//! typed result or a typed [`Error`]. Nothing opens a socket; the async
//! conveniences that send these requests live on `genauth_tower::AuthenticationClient`.
//!
//! - [`authorize`]: login and logout URLs for every protocol;
//! - [`pkce`]: code verifiers and challenges (RFC 7636);
//! - [`token`]: the token endpoint (code, refresh, client credentials),
//!   introspection (RFC 7662) and revocation (RFC 7009);
//! - [`userinfo`]: the userinfo endpoint;
//! - [`verify`]: ID and access token verification against a key set, and OIDC discovery;
//! - [`redirect`]: the server-side redirect-login flow (transaction + callback checks);
//! - [`resource`]: resource indicators (RFC 8707) and protected resource
//!   metadata (RFC 9728), for resource servers such as MCP servers;
//! - [`cas`]: CAS 1.0/2.0/3.0 ticket validation;
//! - [`saml`]: the SAML IdP URLs.

use bytes::Bytes;
use http::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::error::{Error, ProtocolError};
use crate::options::{AuthenticationConfig, TokenEndpointAuthMethod};
use crate::request::OperationInfo;
use crate::{AuthKind, SecretString};

pub mod authorize;
pub mod cas;
pub mod pkce;
pub mod redirect;
pub mod resource;
pub mod saml;
pub mod token;
pub mod userinfo;
pub mod verify;

pub use authorize::{AuthorizeParams, AuthorizeUrl, LogoutParams};
pub use cas::CasFormat;
pub use pkce::{CodeChallengeMethod, Pkce};
pub use redirect::{CallbackParams, LoginCallback, LoginTransaction, RedirectLogin};
pub use resource::ProtectedResource;
pub use token::TokenParams;
pub use userinfo::{TokenPlacement, UserInfoMethod};
pub use verify::{token_kind, JwksLocation, KeySet, TokenKind, TokenVerifier, UnverifiedToken};

/// RFC 3986 unreserved characters: kept as they are in a path segment.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one path segment.
pub(crate) fn path_segment(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED).to_string()
}

/// `application/x-www-form-urlencoded` encoding of key-value pairs, in order.
pub(crate) fn form_encode(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (k, v) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&crate::request::form_urlencoded_component(k));
        out.push('=');
        out.push_str(&crate::request::form_urlencoded_component(v));
    }
    out
}

/// Appends an encoded query to `base` (no `?` when the query is empty).
pub(crate) fn with_query(base: String, pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        base
    } else {
        format!("{base}?{}", form_encode(pairs))
    }
}

/// Alphabet of `state` and `nonce` values.
const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/// RFC 3986 unreserved characters: the alphabet of PKCE code verifiers.
pub(crate) const UNRESERVED_CHARS: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

/// `len` characters drawn uniformly from `alphabet` with the system CSPRNG
/// (rejection sampling, so no character is favoured).
pub(crate) fn random_from(alphabet: &[u8], len: usize) -> Result<String, ProtocolError> {
    debug_assert!(!alphabet.is_empty() && alphabet.len() <= 256);
    let n = alphabet.len();
    let limit = 256 - (256 % n);
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        getrandom::fill(&mut buf).map_err(|_| ProtocolError::Random)?;
        for &b in &buf {
            if usize::from(b) < limit {
                out.push(char::from(alphabet[usize::from(b) % n]));
                if out.len() == len {
                    break;
                }
            }
        }
    }
    Ok(out)
}

/// The shortest `state` or `nonce` accepted, in characters: shorter values
/// are too easy to guess to protect the login against CSRF and replay.
pub const MIN_STATE_LEN: usize = 16;

/// Refuses an empty or short `state` or `nonce` given by the caller.
pub(crate) fn check_state_value(field: &'static str, value: &str) -> Result<(), Error> {
    if value.chars().count() < MIN_STATE_LEN {
        return Err(Error::invalid_input(
            field,
            format!("must be at least {MIN_STATE_LEN} characters (a random value; leave it unset to get one)"),
        ));
    }
    Ok(())
}

/// A random `state` or `nonce`: 32 alphanumeric characters (about 190 bits) from the CSPRNG.
pub fn random_state() -> Result<String, Error> {
    Ok(random_from(ALPHANUMERIC, 32)?)
}

/// Which token endpoint a request is for, and so which auth method applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Token,
    Introspection,
    Revocation,
}

impl AuthenticationConfig {
    /// `{app_host}/{oidc|oauth}`: the protocol's endpoint prefix.
    pub(crate) fn protocol_base(&self) -> String {
        format!(
            "{}/{}",
            self.base,
            self.options.protocol.token_path_segment()
        )
    }

    fn auth_method(&self, endpoint: Endpoint) -> TokenEndpointAuthMethod {
        match endpoint {
            Endpoint::Token => self.options.token_endpoint_auth_method,
            Endpoint::Introspection => self.options.introspection_endpoint_auth_method,
            Endpoint::Revocation => self.options.revocation_endpoint_auth_method,
        }
    }

    /// Builds a form-encoded POST to `url`, adding the client credentials of
    /// `client_id`/`secret` as `method` says.
    pub(crate) fn client_form_request(
        &self,
        name: &'static str,
        url: &str,
        method: TokenEndpointAuthMethod,
        client: Option<(&str, Option<&SecretString>)>,
        fields: &[(&str, &str)],
    ) -> Result<http::Request<crate::Body>, Error> {
        let mut pairs: Vec<(&str, &str)> = fields.to_vec();
        let mut authorization = None;
        if let Some((client_id, secret)) = client {
            match method {
                TokenEndpointAuthMethod::ClientSecretPost => {
                    let secret = secret.ok_or_else(|| {
                        Error::invalid_input("app_secret", "client_secret_post needs the secret")
                    })?;
                    pairs.push(("client_id", client_id));
                    pairs.push(("client_secret", secret.expose()));
                }
                TokenEndpointAuthMethod::ClientSecretBasic => {
                    let secret = secret.ok_or_else(|| {
                        Error::invalid_input("app_secret", "client_secret_basic needs the secret")
                    })?;
                    authorization = Some(crate::request::basic_auth(client_id, secret.expose())?);
                }
                TokenEndpointAuthMethod::None => pairs.push(("client_id", client_id)),
            }
        }
        let body = form_encode(&pairs);
        let mut req = self.protocol_request(name, http::Method::POST, url.to_owned())?;
        *req.body_mut() = crate::Body::from(Bytes::from(body));
        req.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        if let Some(a) = authorization {
            req.headers_mut().insert(AUTHORIZATION, a);
        }
        Ok(req)
    }

    /// A form POST to one of the app's token endpoints, authenticated as the app.
    pub(crate) fn app_form_request(
        &self,
        name: &'static str,
        endpoint: Endpoint,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Result<http::Request<crate::Body>, Error> {
        let url = format!("{}{path}", self.protocol_base());
        self.client_form_request(
            name,
            &url,
            self.auth_method(endpoint),
            Some((&self.options.app_id, self.options.app_secret.as_ref())),
            fields,
        )
    }

    /// An empty request with the SDK's headers and `accept: application/json`.
    pub(crate) fn protocol_request(
        &self,
        name: &'static str,
        method: http::Method,
        url: String,
    ) -> Result<http::Request<crate::Body>, Error> {
        let mut req = http::Request::builder()
            .method(method.clone())
            .uri(url)
            .body(crate::Body::empty())
            .map_err(|e| Error::invalid_input(name, format!("cannot build the request: {e}")))?;
        let h = req.headers_mut();
        for (k, v) in &self.headers {
            h.insert(k, v.clone());
        }
        h.insert(ACCEPT, HeaderValue::from_static("application/json"));
        req.extensions_mut().insert(OperationInfo {
            name,
            auth: AuthKind::None,
            idempotent: method == http::Method::GET,
        });
        Ok(req)
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::{AuthenticationClientOptions, AuthenticationConfig, Protocol};

    pub fn config(protocol: Protocol) -> AuthenticationConfig {
        AuthenticationConfig::new(
            AuthenticationClientOptions::new("app 1", "https://demo.genauth.ai/")
                .app_secret("app-secret-1")
                .redirect_uri("https://app.example.com/cb?x=1")
                .protocol(protocol),
        )
        .unwrap()
    }

    /// The query pairs of a URL, decoded.
    pub fn query(url: &str) -> Vec<(String, String)> {
        let q = url.split_once('?').map(|(_, q)| q).unwrap_or("");
        serde_html_form::from_str(q).unwrap()
    }

    pub fn get<'a>(pairs: &'a [(String, String)], k: &str) -> Option<&'a str> {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_values_use_their_alphabet_and_differ() {
        let a = random_from(UNRESERVED_CHARS, 128).unwrap();
        assert_eq!(a.len(), 128);
        assert!(a.bytes().all(|b| UNRESERVED_CHARS.contains(&b)));
        let s1 = random_state().unwrap();
        let s2 = random_state().unwrap();
        assert_eq!(s1.len(), 32);
        assert!(s1.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(s1, s2);
    }

    #[test]
    fn form_encoding_escapes_everything_reserved() {
        assert_eq!(
            form_encode(&[("a b", "x&y=z/+é"), ("k", "")]),
            "a+b=x%26y%3Dz%2F%2B%C3%A9&k="
        );
        assert_eq!(path_segment("a b/c"), "a%20b%2Fc");
    }
}
