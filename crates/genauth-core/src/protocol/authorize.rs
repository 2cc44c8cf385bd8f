//! Login and logout URLs.

use crate::error::Error;
use crate::options::{Protocol, DEFAULT_OIDC_SCOPE};
use crate::{AuthenticationConfig, SecretString};

use super::pkce::{CodeChallengeMethod, Pkce};
use super::resource::check_resource_indicator;
use super::{check_state_value, path_segment, random_state, with_query};

/// The default scope of the OAuth 2.0 login URL.
pub const DEFAULT_OAUTH_SCOPE: &str = "user";

/// Parameters of [`AuthenticationConfig::build_authorize_url`]. Every field is
/// optional; unset ones take the official SDK's defaults.
#[derive(Debug, Clone, Default)]
pub struct AuthorizeParams {
    /// Where the server sends the user back (default: the client's `redirect_uri`).
    pub redirect_uri: Option<String>,
    /// `code` (default), `token`, `id_token`, `id_token token`, ...
    pub response_type: Option<String>,
    /// `query`, `fragment` or `form_post`.
    pub response_mode: Option<String>,
    /// The scope (default: the client's scope, else `openid profile email phone address`
    /// for OIDC and `user` for OAuth 2.0).
    pub scope: Option<String>,
    /// The `state` to send (default: 32 random characters from the CSPRNG).
    pub state: Option<String>,
    /// The `nonce` to send, OIDC only (default: 32 random characters from the CSPRNG).
    pub nonce: Option<String>,
    /// The PKCE challenge.
    pub code_challenge: Option<String>,
    /// How the challenge was made.
    pub code_challenge_method: Option<CodeChallengeMethod>,
    /// The tenant to log in to (default: the client's tenant id).
    pub tenant_id: Option<String>,
    /// Make the user log in again even with a session (`prompt=login`).
    pub forced: bool,
    /// An explicit `prompt` value (wins over `forced` and `offline_access`).
    pub prompt: Option<String>,
    /// The CAS service URL (default: the redirect URI).
    pub service: Option<String>,
    /// Resource indicators (RFC 8707), OIDC and OAuth 2.0 only: the URIs of the
    /// resource servers the tokens are for, sent as repeated `resource`
    /// parameters. The code exchange must name them again (the redirect login
    /// keeps them in its transaction for that).
    pub resources: Vec<String>,
    /// More query parameters, sent as they are after the others.
    pub extra: Vec<(String, String)>,
}

impl AuthorizeParams {
    /// All defaults.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the redirect URI.
    pub fn redirect_uri(mut self, v: impl Into<String>) -> Self {
        self.redirect_uri = Some(v.into());
        self
    }
    /// Sets the response type.
    pub fn response_type(mut self, v: impl Into<String>) -> Self {
        self.response_type = Some(v.into());
        self
    }
    /// Sets the response mode.
    pub fn response_mode(mut self, v: impl Into<String>) -> Self {
        self.response_mode = Some(v.into());
        self
    }
    /// Sets the scope.
    pub fn scope(mut self, v: impl Into<String>) -> Self {
        self.scope = Some(v.into());
        self
    }
    /// Sets the state.
    pub fn state(mut self, v: impl Into<String>) -> Self {
        self.state = Some(v.into());
        self
    }
    /// Sets the nonce.
    pub fn nonce(mut self, v: impl Into<String>) -> Self {
        self.nonce = Some(v.into());
        self
    }
    /// Sends the challenge of `pkce` (keep its verifier for the code exchange).
    pub fn pkce(mut self, pkce: &Pkce) -> Self {
        self.code_challenge = Some(pkce.challenge.clone());
        self.code_challenge_method = Some(pkce.method);
        self
    }
    /// Sets the tenant id.
    pub fn tenant_id(mut self, v: impl Into<String>) -> Self {
        self.tenant_id = Some(v.into());
        self
    }
    /// Forces a new login (`prompt=login`).
    pub fn forced(mut self, forced: bool) -> Self {
        self.forced = forced;
        self
    }
    /// Sets `prompt`.
    pub fn prompt(mut self, v: impl Into<String>) -> Self {
        self.prompt = Some(v.into());
        self
    }
    /// Sets the CAS service URL.
    pub fn service(mut self, v: impl Into<String>) -> Self {
        self.service = Some(v.into());
        self
    }
    /// Asks for tokens for the resource server at `uri` (RFC 8707; an absolute
    /// URI without a fragment, e.g. an MCP server's URL); call again for several.
    pub fn resource(mut self, uri: impl Into<String>) -> Self {
        self.resources.push(uri.into());
        self
    }
    /// Adds a query parameter.
    pub fn extra(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.push((key.into(), value.into()));
        self
    }
}

/// A login URL with the `state` and `nonce` it carries: store them (e.g. in the
/// session) and check them when the user comes back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeUrl {
    /// The URL to send the user to.
    pub url: String,
    /// The `state` in the URL (OIDC and OAuth 2.0).
    pub state: Option<String>,
    /// The `nonce` in the URL (OIDC).
    pub nonce: Option<String>,
    /// The redirect URI in the URL (OIDC and OAuth 2.0); the code exchange must send the same one.
    pub redirect_uri: Option<String>,
    /// The scope in the URL (OIDC and OAuth 2.0).
    pub scope: Option<String>,
    /// The resource indicators in the URL (RFC 8707); the code exchange must send them too.
    pub resources: Vec<String>,
}

/// Parameters of [`AuthenticationConfig::build_logout_url`].
#[derive(Debug, Clone, Default)]
pub struct LogoutParams {
    /// Where to go after logout (default: the client's `logout_redirect_uri`).
    pub redirect_uri: Option<String>,
    /// The ID token of the session, sent as `id_token_hint` (OIDC).
    pub id_token: Option<SecretString>,
    /// A `state` echoed to the post-logout redirect (OIDC, with a redirect).
    pub state: Option<String>,
}

impl LogoutParams {
    /// All defaults.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the post-logout redirect.
    pub fn redirect_uri(mut self, v: impl Into<String>) -> Self {
        self.redirect_uri = Some(v.into());
        self
    }
    /// Sets the ID token hint.
    pub fn id_token(mut self, v: impl Into<SecretString>) -> Self {
        self.id_token = Some(v.into());
        self
    }
    /// Sets the state.
    pub fn state(mut self, v: impl Into<String>) -> Self {
        self.state = Some(v.into());
        self
    }
}

fn has_scope(scope: &str, wanted: &str) -> bool {
    scope.split_ascii_whitespace().any(|s| s == wanted)
}

impl AuthenticationConfig {
    fn redirect_for(&self, given: Option<String>) -> Result<String, Error> {
        given
            .or_else(|| self.options.redirect_uri.clone())
            .filter(|r| !r.trim().is_empty())
            .ok_or_else(|| {
                Error::invalid_input(
                    "redirect_uri",
                    "no redirect URI: pass one or set it in the client options",
                )
            })
    }

    /// The login URL of the client's protocol, with every value percent-encoded:
    ///
    /// - OIDC: `{app_host}/oidc/auth?client_id=…&redirect_uri=…&response_type=code&scope=…&state=…&nonce=…`
    ///   plus `response_mode`, `code_challenge(_method)`, `prompt` (`login` when
    ///   forced, `consent` when the scope has `offline_access`) and `tenant_id` when set;
    /// - OAuth 2.0: `{app_host}/oauth/auth?…` with scope `user` by default and no
    ///   nonce; `response_type` must be `code` or `token`;
    /// - SAML: `{app_host}/api/v2/saml-idp/{app_id}` (IdP-initiated login);
    /// - CAS: `{app_host}/cas-idp/{app_id}?service=…` (the service defaults to the redirect URI).
    ///
    /// `state` and `nonce` come from the CSPRNG unless given, and are returned
    /// with the URL. Resource indicators (`resource`, RFC 8707) are sent under
    /// OIDC and OAuth 2.0 and refused under SAML and CAS, which have none.
    pub fn build_authorize_url(&self, params: AuthorizeParams) -> Result<AuthorizeUrl, Error> {
        let app = path_segment(&self.options.app_id);
        for r in &params.resources {
            check_resource_indicator(r)?;
        }
        if !params.resources.is_empty()
            && matches!(self.options.protocol, Protocol::Saml | Protocol::Cas)
        {
            return Err(Error::invalid_input(
                "resource",
                "resource indicators need the oidc or oauth protocol",
            ));
        }
        match self.options.protocol {
            Protocol::Saml => Ok(AuthorizeUrl {
                url: format!("{}/api/v2/saml-idp/{app}", self.base),
                state: None,
                nonce: None,
                redirect_uri: None,
                scope: None,
                resources: Vec::new(),
            }),
            Protocol::Cas => {
                let service = params
                    .service
                    .or(params.redirect_uri)
                    .or_else(|| self.options.redirect_uri.clone())
                    .filter(|s| !s.is_empty());
                let base = format!("{}/cas-idp/{app}", self.base);
                let url = match &service {
                    Some(s) => with_query(base, &[("service", s)]),
                    None => base,
                };
                Ok(AuthorizeUrl {
                    url,
                    state: None,
                    nonce: None,
                    redirect_uri: service,
                    scope: None,
                    resources: Vec::new(),
                })
            }
            Protocol::Oidc | Protocol::Oauth => {
                let oidc = self.options.protocol == Protocol::Oidc;
                let redirect_uri = self.redirect_for(params.redirect_uri)?;
                let response_type = params.response_type.unwrap_or_else(|| "code".to_owned());
                if !oidc && response_type != "code" && response_type != "token" {
                    return Err(Error::invalid_input(
                        "response_type",
                        "OAuth 2.0 accepts only `code` or `token`",
                    ));
                }
                let scope = match (params.scope, oidc) {
                    (Some(s), _) => s,
                    (None, true) => self
                        .options
                        .scope
                        .clone()
                        .unwrap_or_else(|| DEFAULT_OIDC_SCOPE.to_owned()),
                    (None, false) => DEFAULT_OAUTH_SCOPE.to_owned(),
                };
                let state = match params.state {
                    Some(s) => {
                        check_state_value("state", &s)?;
                        s
                    }
                    None => random_state()?,
                };
                let nonce = match (oidc, params.nonce) {
                    (false, _) => None,
                    (true, Some(n)) => {
                        check_state_value("nonce", &n)?;
                        Some(n)
                    }
                    (true, None) => Some(random_state()?),
                };
                let prompt = params.prompt.or_else(|| {
                    if params.forced {
                        Some("login".to_owned())
                    } else if has_scope(&scope, "offline_access") {
                        Some("consent".to_owned())
                    } else {
                        None
                    }
                });
                let tenant = params.tenant_id.or_else(|| self.options.tenant_id.clone());
                let method = params.code_challenge_method.map(|m| m.as_str());
                let mut q: Vec<(&str, &str)> = vec![
                    ("client_id", &self.options.app_id),
                    ("redirect_uri", &redirect_uri),
                    ("response_type", &response_type),
                    ("scope", &scope),
                    ("state", &state),
                ];
                if let Some(n) = &nonce {
                    q.push(("nonce", n));
                }
                if let Some(m) = &params.response_mode {
                    q.push(("response_mode", m));
                }
                if let Some(c) = &params.code_challenge {
                    q.push(("code_challenge", c));
                    q.push(("code_challenge_method", method.unwrap_or("S256")));
                }
                if let Some(p) = &prompt {
                    q.push(("prompt", p));
                }
                if let Some(t) = &tenant {
                    q.push(("tenant_id", t));
                }
                for r in &params.resources {
                    q.push(("resource", r));
                }
                for (k, v) in &params.extra {
                    q.push((k, v));
                }
                let url = with_query(format!("{}/auth", self.protocol_base()), &q);
                Ok(AuthorizeUrl {
                    url,
                    state: Some(state),
                    nonce,
                    redirect_uri: Some(redirect_uri),
                    scope: Some(scope),
                    resources: params.resources,
                })
            }
        }
    }

    /// The logout URL of the client's protocol, every value percent-encoded:
    ///
    /// - OIDC: `{app_host}/oidc/session/end` with `id_token_hint`,
    ///   `post_logout_redirect_uri` and `state` as far as they are known; a
    ///   redirect without an ID token is fine;
    /// - CAS: `{app_host}/cas-idp/logout?url=…`;
    /// - otherwise: `{app_host}/login/profile/logout?redirect_uri=…`.
    ///
    /// The redirect defaults to the client's `logout_redirect_uri`.
    pub fn build_logout_url(&self, params: LogoutParams) -> String {
        let redirect = params
            .redirect_uri
            .or_else(|| self.options.logout_redirect_uri.clone())
            .filter(|r| !r.is_empty());
        match self.options.protocol {
            Protocol::Oidc => {
                let mut q: Vec<(&str, &str)> = Vec::new();
                if let Some(t) = &params.id_token {
                    q.push(("id_token_hint", t.expose()));
                }
                if let Some(r) = &redirect {
                    q.push(("post_logout_redirect_uri", r));
                    if let Some(s) = &params.state {
                        q.push(("state", s));
                    }
                }
                with_query(format!("{}/oidc/session/end", self.base), &q)
            }
            Protocol::Cas => {
                let base = format!("{}/cas-idp/logout", self.base);
                match &redirect {
                    Some(r) => with_query(base, &[("url", r)]),
                    None => base,
                }
            }
            Protocol::Oauth | Protocol::Saml => {
                let base = format!("{}/login/profile/logout", self.base);
                match &redirect {
                    Some(r) => with_query(base, &[("redirect_uri", r)]),
                    None => base,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{config, get, query};
    use super::*;

    #[test]
    fn oidc_defaults() {
        let cfg = config(Protocol::Oidc);
        let u = cfg.build_authorize_url(AuthorizeParams::new()).unwrap();
        assert!(u.url.starts_with("https://demo.genauth.ai/oidc/auth?client_id=app+1&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb%3Fx%3D1&response_type=code&scope=openid+profile+email+phone+address&state="), "{}", u.url);
        let q = query(&u.url);
        assert_eq!(get(&q, "state"), u.state.as_deref());
        assert_eq!(get(&q, "nonce"), u.nonce.as_deref());
        assert_eq!(u.state.as_ref().unwrap().len(), 32);
        assert_eq!(get(&q, "prompt"), None);
        assert_eq!(get(&q, "code_challenge"), None);
        assert_eq!(
            u.redirect_uri.as_deref(),
            Some("https://app.example.com/cb?x=1")
        );
        let again = cfg.build_authorize_url(AuthorizeParams::new()).unwrap();
        assert_ne!(again.state, u.state);
        assert_ne!(again.nonce, u.nonce);
    }

    #[test]
    fn oidc_every_parameter() {
        let cfg = config(Protocol::Oidc);
        let pkce = Pkce::from_verifier(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into(),
            CodeChallengeMethod::S256,
        )
        .unwrap();
        let u = cfg
            .build_authorize_url(
                AuthorizeParams::new()
                    .redirect_uri("https://other/cb")
                    .response_type("code id_token")
                    .response_mode("form_post")
                    .scope("openid offline_access")
                    .state("s&1-0123456789abcdef")
                    .nonce("n=1-0123456789abcdef")
                    .pkce(&pkce)
                    .tenant_id("t 1")
                    .extra("ui_locales", "en"),
            )
            .unwrap();
        let q = query(&u.url);
        assert_eq!(get(&q, "redirect_uri"), Some("https://other/cb"));
        assert_eq!(get(&q, "response_type"), Some("code id_token"));
        assert_eq!(get(&q, "response_mode"), Some("form_post"));
        assert_eq!(get(&q, "scope"), Some("openid offline_access"));
        assert_eq!(get(&q, "state"), Some("s&1-0123456789abcdef"));
        assert_eq!(get(&q, "nonce"), Some("n=1-0123456789abcdef"));
        // Empty or short caller-chosen values are refused.
        for (state, nonce) in [
            ("", None),
            ("short", None),
            ("s-0123456789abcdef", Some("n")),
        ] {
            let mut p = AuthorizeParams::new().state(state);
            if let Some(n) = nonce {
                p = p.nonce(n);
            }
            assert!(matches!(
                cfg.build_authorize_url(p),
                Err(Error::InvalidInput { .. })
            ));
        }
        assert_eq!(
            get(&q, "code_challenge"),
            Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        );
        assert_eq!(get(&q, "code_challenge_method"), Some("S256"));
        assert_eq!(get(&q, "prompt"), Some("consent"));
        assert_eq!(get(&q, "tenant_id"), Some("t 1"));
        assert_eq!(get(&q, "ui_locales"), Some("en"));
        assert!(u
            .url
            .contains("state=s%261-0123456789abcdef&nonce=n%3D1-0123456789abcdef"));

        let forced = cfg
            .build_authorize_url(
                AuthorizeParams::new()
                    .forced(true)
                    .scope("openid offline_access"),
            )
            .unwrap();
        assert_eq!(get(&query(&forced.url), "prompt"), Some("login"));
    }

    #[test]
    fn resource_indicators_are_repeated_and_checked() {
        let cfg = config(Protocol::Oidc);
        let u = cfg
            .build_authorize_url(
                AuthorizeParams::new()
                    .resource("https://mcp.example.com/mcp")
                    .resource("https://api.example.com/"),
            )
            .unwrap();
        let q = query(&u.url);
        let sent: Vec<&str> = q
            .iter()
            .filter(|(k, _)| k == "resource")
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(
            sent,
            ["https://mcp.example.com/mcp", "https://api.example.com/"]
        );
        assert_eq!(u.resources, sent);
        assert!(u
            .url
            .contains("resource=https%3A%2F%2Fmcp.example.com%2Fmcp&resource="));
        let e = cfg
            .build_authorize_url(AuthorizeParams::new().resource("mcp.example.com"))
            .unwrap_err();
        assert!(matches!(e, Error::InvalidInput { ref parameter, .. } if parameter == "resource"));
        for p in [Protocol::Saml, Protocol::Cas] {
            assert!(config(p)
                .build_authorize_url(AuthorizeParams::new().resource("https://a/"))
                .is_err());
        }
    }

    #[test]
    fn missing_redirect_is_an_error_not_none_text() {
        let cfg = AuthenticationConfig::new(crate::AuthenticationClientOptions::new(
            "app",
            "demo.genauth.ai",
        ))
        .unwrap();
        let e = cfg.build_authorize_url(AuthorizeParams::new()).unwrap_err();
        assert!(
            matches!(e, Error::InvalidInput { ref parameter, .. } if parameter == "redirect_uri")
        );
    }

    #[test]
    fn oauth_url() {
        let cfg = config(Protocol::Oauth);
        let u = cfg.build_authorize_url(AuthorizeParams::new()).unwrap();
        assert!(u.url.starts_with("https://demo.genauth.ai/oauth/auth?"));
        let q = query(&u.url);
        assert_eq!(get(&q, "scope"), Some("user"));
        assert_eq!(get(&q, "response_type"), Some("code"));
        assert_eq!(get(&q, "nonce"), None);
        assert!(u.nonce.is_none());
        assert_eq!(get(&q, "state"), u.state.as_deref());
        assert!(cfg
            .build_authorize_url(AuthorizeParams::new().response_type("id_token"))
            .is_err());
        let t = cfg
            .build_authorize_url(AuthorizeParams::new().response_type("token"))
            .unwrap();
        assert_eq!(get(&query(&t.url), "response_type"), Some("token"));
    }

    #[test]
    fn saml_and_cas_urls() {
        let u = config(Protocol::Saml)
            .build_authorize_url(AuthorizeParams::new())
            .unwrap();
        assert_eq!(u.url, "https://demo.genauth.ai/api/v2/saml-idp/app%201");
        let cas = config(Protocol::Cas);
        let u = cas
            .build_authorize_url(AuthorizeParams::new().service("https://svc/x?a=1&b=2"))
            .unwrap();
        assert_eq!(
            u.url,
            "https://demo.genauth.ai/cas-idp/app%201?service=https%3A%2F%2Fsvc%2Fx%3Fa%3D1%26b%3D2"
        );
        let u = cas.build_authorize_url(AuthorizeParams::new()).unwrap();
        assert_eq!(
            u.url,
            "https://demo.genauth.ai/cas-idp/app%201?service=https%3A%2F%2Fapp.example.com%2Fcb%3Fx%3D1"
        );
    }

    #[test]
    fn logout_urls() {
        let oidc = config(Protocol::Oidc);
        assert_eq!(
            oidc.build_logout_url(LogoutParams::new()),
            "https://demo.genauth.ai/oidc/session/end"
        );
        assert_eq!(
            oidc.build_logout_url(LogoutParams::new().redirect_uri("https://a/b?c=d").state("s 1")),
            "https://demo.genauth.ai/oidc/session/end?post_logout_redirect_uri=https%3A%2F%2Fa%2Fb%3Fc%3Dd&state=s+1"
        );
        assert_eq!(
            oidc.build_logout_url(
                LogoutParams::new()
                    .redirect_uri("https://a/")
                    .id_token("h.p.s")
            ),
            "https://demo.genauth.ai/oidc/session/end?id_token_hint=h.p.s&post_logout_redirect_uri=https%3A%2F%2Fa%2F"
        );
        assert_eq!(
            config(Protocol::Cas)
                .build_logout_url(LogoutParams::new().redirect_uri("https://a/?x=1")),
            "https://demo.genauth.ai/cas-idp/logout?url=https%3A%2F%2Fa%2F%3Fx%3D1"
        );
        assert_eq!(
            config(Protocol::Cas).build_logout_url(LogoutParams::new()),
            "https://demo.genauth.ai/cas-idp/logout"
        );
        assert_eq!(
            config(Protocol::Oauth)
                .build_logout_url(LogoutParams::new().redirect_uri("https://a/")),
            "https://demo.genauth.ai/login/profile/logout?redirect_uri=https%3A%2F%2Fa%2F"
        );
    }
}
