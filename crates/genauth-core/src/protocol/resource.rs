//! Resource servers and resource indicators, sans-IO.
//!
//! - Resource indicators (RFC 8707): the `resource` parameter by which a client
//!   asks for a token bound to one resource server (its URI becomes the
//!   token's `aud`). [`AuthorizeParams::resource`](super::AuthorizeParams::resource)
//!   and [`TokenParams::resource`](super::token::TokenParams::resource) send it.
//! - Protected resource metadata (RFC 9728): a [`ProtectedResource`] describes
//!   a resource server (its URI, the authorization servers that issue its
//!   tokens, its scopes), gives the document to publish at
//!   `/.well-known/oauth-protected-resource…`, and the `WWW-Authenticate`
//!   challenges that point clients at it. This is what the Model Context
//!   Protocol's authorization asks of every remote MCP server.

use bytes::Bytes;

use genauth_types::protocol::ProtectedResourceMetadata;

use crate::error::{Error, ProtocolError};
use crate::AuthenticationConfig;

/// The well-known path of protected resource metadata (RFC 9728 §3).
pub const WELL_KNOWN_PATH: &str = "/.well-known/oauth-protected-resource";

/// Checks a resource indicator (RFC 8707 §2): an absolute URI (a scheme, then
/// `:`) without a fragment, spaces or control characters.
pub fn check_resource_indicator(uri: &str) -> Result<(), Error> {
    let bad = |why: &'static str| Err(Error::invalid_input("resource", why));
    let Some((scheme, rest)) = uri.split_once(':') else {
        return bad("must be an absolute URI (e.g. https://mcp.example.com/mcp)");
    };
    let scheme_ok = scheme
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !scheme_ok || rest.is_empty() {
        return bad("must be an absolute URI (e.g. https://mcp.example.com/mcp)");
    }
    if uri.contains('#') {
        return bad("must not have a fragment (`#…`)");
    }
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("must not contain spaces or control characters");
    }
    Ok(())
}

/// A resource server protected by GenAuth tokens: its identifier and what it
/// publishes about itself (RFC 9728).
///
/// ```
/// # fn f(config: genauth_core::AuthenticationConfig) -> Result<(), genauth_core::Error> {
/// let resource = config
///     .protected_resource("https://mcp.example.com/mcp")?
///     .scopes_supported(["openid", "profile", "offline_access"])
///     .resource_name("Example MCP server");
/// assert_eq!(
///     resource.metadata_url(),
///     "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
/// );
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectedResource {
    resource: String,
    /// `scheme://authority` of the resource.
    origin: String,
    /// The resource's path, `""` when it has none (or only `/`).
    path: String,
    authorization_servers: Vec<String>,
    scopes_supported: Vec<String>,
    resource_name: Option<String>,
    resource_documentation: Option<String>,
}

impl ProtectedResource {
    /// A resource server identified by `resource`: an absolute `https` URL (or
    /// `http`, for development on a loopback host), without query or fragment.
    /// Tokens for it carry this exact string in `aud`. No authorization
    /// server is listed yet: see [`AuthenticationConfig::protected_resource`]
    /// for one that lists the app's issuer.
    pub fn new(resource: impl Into<String>) -> Result<Self, Error> {
        let resource = resource.into();
        check_resource_indicator(&resource)?;
        let bad = |why: &'static str| Error::invalid_input("resource", why);
        if resource.contains('?') {
            return Err(bad("must not have a query (`?…`)"));
        }
        let uri: http::Uri = resource
            .parse()
            .map_err(|_| bad("must be an absolute http(s) URL"))?;
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            return Err(bad("must be an absolute http(s) URL"));
        };
        if !matches!(scheme, "https" | "http") || authority.host().is_empty() {
            return Err(bad("must be an absolute http(s) URL"));
        }
        if authority.as_str().contains('@') {
            return Err(bad("must not carry user information (`user@`)"));
        }
        let host = authority.host();
        let loopback = host == "localhost"
            || host == "[::1]"
            || host == "::1"
            || host
                .parse::<std::net::Ipv4Addr>()
                .is_ok_and(|ip| ip.is_loopback());
        if scheme == "http" && !loopback {
            return Err(bad(
                "must use https (http only on a loopback host: localhost, 127.0.0.0/8, [::1])",
            ));
        }
        let origin = format!("{scheme}://{authority}");
        let path = match uri.path() {
            "/" => String::new(),
            p => p.to_owned(),
        };
        Ok(Self {
            resource,
            origin,
            path,
            authorization_servers: Vec::new(),
            scopes_supported: Vec::new(),
            resource_name: None,
            resource_documentation: None,
        })
    }

    /// Lists an authorization server (its issuer identifier, e.g.
    /// `https://example.genauth.ai/oidc`); call again for several.
    pub fn authorization_server(mut self, issuer: impl Into<String>) -> Self {
        self.authorization_servers.push(issuer.into());
        self
    }

    /// The scopes a client may ask for to use the resource (clients ask for
    /// these when the challenge names none).
    pub fn scopes_supported<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes_supported = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// A human-readable name, shown by clients that ask for consent.
    pub fn resource_name(mut self, name: impl Into<String>) -> Self {
        self.resource_name = Some(name.into());
        self
    }

    /// A page for developers about the resource.
    pub fn resource_documentation(mut self, url: impl Into<String>) -> Self {
        self.resource_documentation = Some(url.into());
        self
    }

    /// The resource identifier: the `aud` of tokens for it.
    pub fn uri(&self) -> &str {
        &self.resource
    }

    /// The listed authorization servers.
    pub fn authorization_servers(&self) -> &[String] {
        &self.authorization_servers
    }

    /// The path of the metadata document (RFC 9728 §3.1): the well-known path
    /// followed by the resource's path, e.g. `/.well-known/oauth-protected-resource/mcp`
    /// for `https://mcp.example.com/mcp`.
    pub fn metadata_path(&self) -> String {
        format!("{WELL_KNOWN_PATH}{}", self.path)
    }

    /// Every path the document is served at: [`ProtectedResource::metadata_path`]
    /// and, for a resource with a path, the bare well-known path too, which
    /// some clients try when the path-suffixed one is missing.
    pub fn metadata_paths(&self) -> Vec<String> {
        let mut paths = vec![self.metadata_path()];
        if !self.path.is_empty() {
            paths.push(WELL_KNOWN_PATH.to_owned());
        }
        paths
    }

    /// The absolute URL of the metadata document, as `resource_metadata` names it.
    pub fn metadata_url(&self) -> String {
        format!("{}{}", self.origin, self.metadata_path())
    }

    /// The metadata document. `bearer_methods_supported` is `["header"]`: the
    /// guard reads the token from the `Authorization` header only.
    pub fn metadata(&self) -> ProtectedResourceMetadata {
        ProtectedResourceMetadata {
            resource: self.resource.clone(),
            authorization_servers: self.authorization_servers.clone(),
            jwks_uri: None,
            scopes_supported: self.scopes_supported.clone(),
            bearer_methods_supported: vec!["header".to_owned()],
            resource_name: self.resource_name.clone(),
            resource_documentation: self.resource_documentation.clone(),
            extra: Default::default(),
        }
    }

    /// The metadata document as JSON.
    pub fn metadata_json(&self) -> Bytes {
        // Plain strings and lists: serialization cannot fail.
        Bytes::from(serde_json::to_vec(&self.metadata()).unwrap_or_default())
    }

    /// A `WWW-Authenticate` challenge (RFC 6750 §3) that points at the
    /// metadata (RFC 9728 §5.1): `Bearer error="…", scope="…",
    /// resource_metadata="…"`, each part only when given. An `error` or
    /// `scope` that cannot be quoted (a `"`, a `\` or a control character) is
    /// left out.
    pub fn challenge(&self, error: Option<&str>, scope: Option<&str>) -> String {
        let mut parts = Vec::new();
        if let Some(e) = error.filter(|e| quotable(e)) {
            parts.push(format!("error=\"{e}\""));
        }
        if let Some(s) = scope.filter(|s| quotable(s) && !s.trim().is_empty()) {
            parts.push(format!("scope=\"{s}\""));
        }
        let url = self.metadata_url();
        if quotable(&url) {
            parts.push(format!("resource_metadata=\"{url}\""));
        }
        format!("Bearer {}", parts.join(", "))
    }
}

/// Visible ASCII and spaces, without `"` and `\`: safe inside a quoted string.
fn quotable(s: &str) -> bool {
    s.bytes()
        .all(|b| (b == b' ' || b.is_ascii_graphic()) && b != b'"' && b != b'\\')
}

impl AuthenticationConfig {
    /// A [`ProtectedResource`] for `resource` whose authorization server is
    /// the app's issuer (`{app_host}/oidc`).
    pub fn protected_resource(
        &self,
        resource: impl Into<String>,
    ) -> Result<ProtectedResource, Error> {
        Ok(ProtectedResource::new(resource)?.authorization_server(self.default_issuer()))
    }
}

/// Reads a protected resource metadata document (what a client does after a
/// 401 names it) and checks that it is about `expected_resource` (RFC 9728
/// §3.3: a document for another resource must not be used).
pub fn parse_protected_resource_metadata(
    response: http::Response<Bytes>,
    expected_resource: &str,
) -> Result<ProtectedResourceMetadata, Error> {
    let doc: ProtectedResourceMetadata =
        super::token::parse_json("get_protected_resource_metadata", "metadata", response)?;
    if doc.resource != expected_resource {
        return Err(ProtocolError::Malformed {
            what: "protected resource metadata",
            reason: format!(
                "it describes `{}`, not the resource `{expected_resource}`",
                doc.resource
            ),
        }
        .into());
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_indicators_must_be_absolute_without_fragment() {
        for ok in [
            "https://mcp.example.com/mcp",
            "http://127.0.0.1:8080",
            "urn:example:resource",
        ] {
            check_resource_indicator(ok).unwrap();
        }
        for bad in [
            "",
            "/mcp",
            "mcp.example.com",
            "https://a/b#frag",
            "1http://a",
            "https:",
            "https://a/b c",
            "https://a/\n",
        ] {
            assert!(
                matches!(check_resource_indicator(bad), Err(Error::InvalidInput { ref parameter, .. }) if parameter == "resource"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn metadata_locations_follow_rfc_9728() {
        let r = ProtectedResource::new("https://mcp.example.com/mcp").unwrap();
        assert_eq!(
            r.metadata_path(),
            "/.well-known/oauth-protected-resource/mcp"
        );
        assert_eq!(
            r.metadata_url(),
            "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
        );
        assert_eq!(
            r.metadata_paths(),
            [
                "/.well-known/oauth-protected-resource/mcp",
                "/.well-known/oauth-protected-resource"
            ]
        );
        for root in ["https://api.example.com", "https://api.example.com/"] {
            let r = ProtectedResource::new(root).unwrap();
            assert_eq!(
                r.metadata_paths(),
                ["/.well-known/oauth-protected-resource"]
            );
            assert_eq!(
                r.metadata_url(),
                "https://api.example.com/.well-known/oauth-protected-resource"
            );
        }
        ProtectedResource::new("http://localhost:3000/mcp").unwrap();
        let r = ProtectedResource::new("http://127.0.0.1:8080/a/b/").unwrap();
        assert_eq!(
            r.metadata_url(),
            "http://127.0.0.1:8080/.well-known/oauth-protected-resource/a/b/"
        );
        assert_eq!(r.uri(), "http://127.0.0.1:8080/a/b/");
        for bad in [
            "https://a/b?x=1",
            "ftp://a/b",
            "urn:x:y",
            "https://user@a/b",
            "https:///b",
            "http://mcp.example.com/mcp",
        ] {
            assert!(ProtectedResource::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_document_and_challenges() {
        let cfg = AuthenticationConfig::new(crate::AuthenticationClientOptions::new(
            "app",
            "https://demo.genauth.ai",
        ))
        .unwrap();
        let r = cfg
            .protected_resource("https://mcp.example.com/mcp")
            .unwrap()
            .scopes_supported(["openid", "profile"])
            .resource_name("Demo")
            .resource_documentation("https://docs.example.com/mcp");
        let doc: serde_json::Value = serde_json::from_slice(&r.metadata_json()).unwrap();
        assert_eq!(
            doc,
            serde_json::json!({
                "resource": "https://mcp.example.com/mcp",
                "authorization_servers": ["https://demo.genauth.ai/oidc"],
                "scopes_supported": ["openid", "profile"],
                "bearer_methods_supported": ["header"],
                "resource_name": "Demo",
                "resource_documentation": "https://docs.example.com/mcp",
            })
        );
        let url = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";
        assert_eq!(
            r.challenge(None, None),
            format!("Bearer resource_metadata=\"{url}\"")
        );
        assert_eq!(
            r.challenge(Some("insufficient_scope"), Some("profile email")),
            format!("Bearer error=\"insufficient_scope\", scope=\"profile email\", resource_metadata=\"{url}\"")
        );
        // A value that would break out of its quotes is left out.
        assert_eq!(
            r.challenge(Some("invalid_token"), Some("a\"b")),
            format!("Bearer error=\"invalid_token\", resource_metadata=\"{url}\"")
        );
    }

    #[test]
    fn clients_check_the_document_is_for_their_resource() {
        let body = Bytes::from_static(
            br#"{"resource":"https://mcp.example.com/mcp","authorization_servers":["https://x/oidc"],"custom":1}"#,
        );
        let resp = || {
            http::Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(body.clone())
                .unwrap()
        };
        let doc = parse_protected_resource_metadata(resp(), "https://mcp.example.com/mcp").unwrap();
        assert_eq!(doc.authorization_servers, ["https://x/oidc"]);
        assert_eq!(doc.extra["custom"], 1);
        assert!(matches!(
            parse_protected_resource_metadata(resp(), "https://evil.example.com/mcp"),
            Err(Error::Protocol(_))
        ));
    }
}
