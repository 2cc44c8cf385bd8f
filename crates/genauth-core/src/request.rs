//! Encoding operations into `http::Request`s.

use base64::Engine as _;
use bytes::Bytes;
use http::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::error::{ConfigError, Error};
use crate::management_token::ManagementToken;
use crate::operation::{AuthKind, Encoding, Operation};
use crate::options::{AuthenticationConfig, ManagementConfig, TokenEndpointAuthMethod};
use crate::SecretString;

/// Characters left as they are in a path segment: RFC 3986 unreserved.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The `authorization: Basic …` value for a client id and secret: each part is
/// form-urlencoded before base64, as RFC 6749 §2.3.1 asks. The value is marked
/// sensitive, so `Debug` does not print it.
pub fn basic_auth(client_id: &str, client_secret: &str) -> Result<HeaderValue, ConfigError> {
    let enc = |s: &str| form_urlencoded_component(s);
    let raw = format!("{}:{}", enc(client_id), enc(client_secret));
    let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
    let mut v =
        HeaderValue::from_str(&format!("Basic {b64}")).map_err(|_| ConfigError::Invalid {
            option: "app_secret",
            reason: "cannot be sent in a header".into(),
        })?;
    v.set_sensitive(true);
    Ok(v)
}

/// `application/x-www-form-urlencoded` encoding of one value.
pub fn form_urlencoded_component(s: &str) -> String {
    serde_html_form::to_string([("v", s)])
        .map(|e| e[2..].to_owned())
        .unwrap_or_default()
}

/// A sensitive header value holding a token, as `prefix` + token.
pub fn token_header(prefix: &str, token: &SecretString) -> Result<HeaderValue, Error> {
    let mut v = HeaderValue::from_str(&format!("{prefix}{}", token.expose()))
        .map_err(|_| Error::invalid_input("access_token", "cannot be sent in a header"))?;
    v.set_sensitive(true);
    Ok(v)
}

/// Fills the path template of `O` with its percent-encoded path parameters.
pub fn render_path<O: Operation>(op: &O) -> Result<String, Error> {
    let mut out = String::with_capacity(O::PATH.len() + 16);
    render_path_into(op, &mut out)?;
    Ok(out)
}

/// [`render_path`], appended to `out`.
fn render_path_into<O: Operation>(op: &O, out: &mut String) -> Result<(), Error> {
    let mut rest = O::PATH;
    while let Some(start) = rest.find('{') {
        let end = rest[start..]
            .find('}')
            .map(|e| start + e)
            .ok_or_else(|| Error::invalid_input("path", "unterminated template"))?;
        out.push_str(&rest[..start]);
        let name = &rest[start + 1..end];
        let value = op
            .path_param(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                Error::invalid_input(name.to_owned(), "the path parameter is required")
            })?;
        out.extend(utf8_percent_encode(value, PATH_SEGMENT));
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Ok(())
}

/// Encodes `op` against `base` with the given headers, without any auth header.
pub fn encode<O: Operation>(
    op: &O,
    base: &str,
    headers: &HeaderMap,
) -> Result<http::Request<crate::Body>, Error> {
    let path = render_path(op)?;
    let encode_err = |e: &dyn std::fmt::Display| {
        Error::invalid_input(O::NAME, format!("cannot encode the parameters: {e}"))
    };
    let (query, body, content_type) = match O::ENCODING {
        Encoding::Query => {
            let q = serde_html_form::to_string(op).map_err(|e| encode_err(&e))?;
            (q, Bytes::new(), None)
        }
        Encoding::Json => {
            let b = serde_json::to_vec(op).map_err(|e| encode_err(&e))?;
            (String::new(), Bytes::from(b), Some("application/json"))
        }
        Encoding::Form => {
            let b = serde_html_form::to_string(op).map_err(|e| encode_err(&e))?;
            (
                String::new(),
                Bytes::from(b),
                Some("application/x-www-form-urlencoded"),
            )
        }
    };
    let mut uri = String::with_capacity(base.len() + path.len() + query.len() + 1);
    uri.push_str(base);
    uri.push_str(&path);
    if !query.is_empty() {
        uri.push('?');
        uri.push_str(&query);
    }
    let mut req = http::Request::builder()
        .method(O::METHOD)
        .uri(uri)
        .body(crate::Body::from(body))
        .map_err(|e| Error::invalid_input(O::NAME, format!("cannot build the request: {e}")))?;
    let h = req.headers_mut();
    h.reserve(headers.len() + 2);
    for (k, v) in headers {
        h.insert(k, v.clone());
    }
    if let Some(ct) = content_type {
        h.insert(CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    req.extensions_mut()
        .insert(crate::request::OperationInfo::of::<O>());
    Ok(req)
}

/// A client's base URL split once, when its configuration is made, so that
/// each request's URI is put together from parts (the scheme and authority
/// shared, only the path and query new) instead of being formatted and parsed
/// whole for every call.
#[derive(Debug, Clone)]
pub(crate) struct BaseUri {
    /// `None` when the base URL does not read back the same from its parts
    /// (none that `normalize_host` accepts, but then requests are encoded
    /// by formatting and parsing the whole URI, as before).
    parts: Option<(http::uri::Scheme, http::uri::Authority, String)>,
}

impl BaseUri {
    pub(crate) fn new(base: &str) -> Self {
        let parts = base.parse::<http::Uri>().ok().and_then(|uri| {
            let scheme = uri.scheme()?.clone();
            let authority = uri.authority()?.clone();
            let head = format!("{}://{}", scheme.as_str(), authority.as_str());
            let prefix = base.strip_prefix(head.as_str())?;
            // The path prefix must be kept verbatim: no query or fragment.
            if prefix.contains(['?', '#']) || !(prefix.is_empty() || prefix.starts_with('/')) {
                return None;
            }
            Some((scheme, authority, prefix.to_owned()))
        });
        Self { parts }
    }
}

/// Encodes `op` like [`encode`], with the base URL split beforehand.
pub(crate) fn encode_at<O: Operation>(
    op: &O,
    base: &str,
    base_uri: &BaseUri,
    headers: &HeaderMap,
) -> Result<http::Request<crate::Body>, Error> {
    let Some((scheme, authority, prefix)) = &base_uri.parts else {
        return encode(op, base, headers);
    };
    let encode_err = |e: &dyn std::fmt::Display| {
        Error::invalid_input(O::NAME, format!("cannot encode the parameters: {e}"))
    };
    let mut target = String::with_capacity(prefix.len() + O::PATH.len() + 64);
    target.push_str(prefix);
    render_path_into(op, &mut target)?;
    let (body, content_type) = match O::ENCODING {
        Encoding::Query => {
            target.push('?');
            let mark = target.len();
            serde_html_form::push_to_string(&mut target, op).map_err(|e| encode_err(&e))?;
            if target.len() == mark {
                target.pop();
            }
            (Bytes::new(), None)
        }
        Encoding::Json => {
            let b = serde_json::to_vec(op).map_err(|e| encode_err(&e))?;
            (Bytes::from(b), Some("application/json"))
        }
        Encoding::Form => {
            let b = serde_html_form::to_string(op).map_err(|e| encode_err(&e))?;
            (Bytes::from(b), Some("application/x-www-form-urlencoded"))
        }
    };
    let build_err = |e: &dyn std::fmt::Display| {
        Error::invalid_input(O::NAME, format!("cannot build the request: {e}"))
    };
    let path_and_query = http::uri::PathAndQuery::from_maybe_shared(Bytes::from(target))
        .map_err(|e| build_err(&e))?;
    let mut parts = http::uri::Parts::default();
    parts.scheme = Some(scheme.clone());
    parts.authority = Some(authority.clone());
    parts.path_and_query = Some(path_and_query);
    let uri = http::Uri::from_parts(parts).map_err(|e| build_err(&e))?;
    let mut req = http::Request::new(crate::Body::from(body));
    *req.method_mut() = O::METHOD;
    *req.uri_mut() = uri;
    // A copy of the whole map: no hashing of each name again, values shared.
    let h = req.headers_mut();
    *h = headers.clone();
    if let Some(ct) = content_type {
        h.insert(CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    req.extensions_mut()
        .insert(crate::request::OperationInfo::of::<O>());
    Ok(req)
}

/// Facts about the operation a request was made from, stored in the request's
/// extensions for middleware (retries, tracing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationInfo {
    /// The official method name.
    pub name: &'static str,
    /// The credential kind.
    pub auth: AuthKind,
    /// Whether the call is safe to retry.
    pub idempotent: bool,
}

impl OperationInfo {
    /// The facts of `O`.
    pub fn of<O: Operation>() -> Self {
        Self {
            name: O::NAME,
            auth: O::AUTH,
            idempotent: O::IDEMPOTENT,
        }
    }
}

impl AuthenticationConfig {
    /// Encodes an authentication-client operation. `access_token` is the end user's
    /// token, sent as the raw `authorization` value where the operation takes one;
    /// sign-in operations send `Basic` app credentials instead when the app is set
    /// up for `client_secret_basic`.
    pub fn request<O: Operation>(
        &self,
        op: &O,
        access_token: Option<&SecretString>,
    ) -> Result<http::Request<crate::Body>, Error> {
        let mut req = encode_at(op, &self.base, &self.base_uri, &self.headers)?;
        let auth = match O::AUTH {
            AuthKind::AppBasicOrToken
                if self.options.token_endpoint_auth_method
                    == TokenEndpointAuthMethod::ClientSecretBasic =>
            {
                match &self.basic {
                    Some(b) => Some(b.clone()),
                    None => {
                        return Err(Error::invalid_input(
                            "app_secret",
                            "client_secret_basic needs the app secret",
                        ))
                    }
                }
            }
            AuthKind::UserToken | AuthKind::AppBasicOrToken => {
                access_token.map(|t| token_header("", t)).transpose()?
            }
            AuthKind::ManagementToken | AuthKind::None => None,
        };
        if let Some(v) = auth {
            req.headers_mut().insert(AUTHORIZATION, v);
        }
        Ok(req)
    }
}

#[cfg(feature = "authentication")]
impl AuthenticationConfig {
    /// A body for `sign_in_by_credentials` (`POST /api/v3/signin`) over
    /// `connection`, with the app's `client_id` and `client_secret` in it when
    /// the app authenticates with `client_secret_post` and has a secret set.
    /// (With `client_secret_basic`, [`request`](Self::request) sends the
    /// `Basic` header instead.) Fill in the payload of the connection.
    pub fn sign_in_body(
        &self,
        connection: genauth_types::SigninByCredentialsDtoConnection,
    ) -> genauth_types::SigninByCredentialsDto {
        let options = &self.options;
        let mut body = genauth_types::SigninByCredentialsDto::new(connection);
        if options.token_endpoint_auth_method == TokenEndpointAuthMethod::ClientSecretPost {
            if let Some(secret) = &options.app_secret {
                body.client_id = Some(options.app_id.clone());
                body.client_secret = Some(secret.clone());
            }
        }
        body
    }
}

impl ManagementConfig {
    /// Encodes a management-client operation; with a token, the `authorization`
    /// and user pool headers are added (middleware may add them later instead).
    pub fn request<O: Operation>(
        &self,
        op: &O,
        token: Option<&ManagementToken>,
    ) -> Result<http::Request<crate::Body>, Error> {
        let mut req = encode_at(op, &self.base, &self.base_uri, &self.headers)?;
        if let Some(t) = token {
            t.apply(req.headers_mut());
        }
        Ok(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Serialize)]
    struct Q {
        #[serde(skip)]
        id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        q: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        n: Option<u32>,
    }

    macro_rules! op {
        ($ty:ident, $method:ident, $path:literal, $enc:ident) => {
            #[derive(Serialize)]
            #[serde(transparent)]
            struct $ty(Q);
            impl Operation for $ty {
                const NAME: &'static str = stringify!($ty);
                const METHOD: http::Method = http::Method::$method;
                const PATH: &'static str = $path;
                const AUTH: AuthKind = AuthKind::None;
                const ENCODING: Encoding = Encoding::$enc;
                const IDEMPOTENT: bool = true;
                type Output = serde_json::Value;
                fn path_param(&self, name: &str) -> Option<&str> {
                    (name == "id").then_some(self.0.id.as_str())
                }
            }
        };
    }
    op!(QueryOp, GET, "/api/v3/things/{id}/x", Query);
    op!(JsonOp, POST, "/api/v3/things/{id}", Json);
    op!(FormOp, POST, "/api/v3/form", Form);

    fn same<O: Operation>(op: &O, base: &str) {
        let headers = {
            let mut h = HeaderMap::new();
            h.insert("x-one", HeaderValue::from_static("1"));
            h
        };
        let split = BaseUri::new(base);
        let a = encode(op, base, &headers);
        let b = encode_at(op, base, &split, &headers);
        match (a, b) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.method(), b.method(), "{base}");
                assert_eq!(a.uri(), b.uri(), "{base}");
                assert_eq!(a.uri().to_string(), b.uri().to_string(), "{base}");
                assert_eq!(a.headers(), b.headers(), "{base}");
                assert_eq!(a.body(), b.body(), "{base}");
                assert_eq!(
                    a.extensions().get::<OperationInfo>(),
                    b.extensions().get::<OperationInfo>()
                );
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{base}"),
            (a, b) => panic!("{base}: {a:?} vs {b:?}"),
        }
    }

    #[test]
    fn the_split_base_encodes_as_the_whole_uri_does() {
        let q = |id: &str, q: Option<&str>, n: Option<u32>| Q {
            id: id.to_owned(),
            q: q.map(str::to_owned),
            n,
        };
        for base in [
            "https://api.example.com",
            "http://127.0.0.1:9",
            "https://api.example.com:8443/prefix",
            "https://api.example.com/a/b%20c",
            "http://[::1]:3000",
            "https://user@api.example.com",
        ] {
            assert!(BaseUri::new(base).parts.is_some(), "{base}");
            for (id, qq, n) in [
                ("u1", None, None),
                ("a b/ü", Some("x&y=z ü"), Some(3)),
                ("u1", Some(""), None),
            ] {
                same(&QueryOp(q(id, qq, n)), base);
                same(&JsonOp(q(id, qq, n)), base);
                same(&FormOp(q(id, qq, n)), base);
            }
            // A missing path parameter fails the same way.
            same(&QueryOp(q("", None, None)), base);
        }
    }

    #[test]
    fn an_odd_base_falls_back_to_parsing_the_whole_uri() {
        for base in [
            "https://api.example.com#frag",
            "https://api.example.com?x=1",
            "not a url",
        ] {
            assert!(BaseUri::new(base).parts.is_none(), "{base}");
        }
        same(
            &QueryOp(Q {
                id: "u1".into(),
                q: None,
                n: None,
            }),
            "https://api.example.com#frag",
        );
    }
}
