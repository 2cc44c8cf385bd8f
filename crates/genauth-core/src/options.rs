//! Options of the two clients, their defaults, and their validation.

use std::time::Duration;

use http::header::{HeaderMap, HeaderName, HeaderValue};

use crate::brand::Brand;
use crate::error::ConfigError;
use crate::SecretString;

/// The default API host of the management client (of the default brand,
/// GenAuth; see [`Brand::api_host`]).
pub const DEFAULT_HOST: &str = "https://api.genauth.ai";
/// The default host of the events feed (of the default brand, GenAuth; see
/// [`Brand::websocket_host`]).
pub const DEFAULT_WEBSOCKET_HOST: &str = "wss://events.genauth.ai";
/// The default request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default OIDC scope of the login URL.
pub const DEFAULT_OIDC_SCOPE: &str = "openid profile email phone address";

/// The language of the service's messages (`x-<brand>-lang`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Simplified Chinese (`zh-CN`).
    ZhCn,
    /// English (`en-US`).
    EnUs,
}

impl Lang {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::EnUs => "en-US",
        }
    }
}

/// The login protocol of the authentication client's app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// OpenID Connect (the default).
    #[default]
    Oidc,
    /// OAuth 2.0.
    Oauth,
    /// SAML 2.0.
    Saml,
    /// CAS.
    Cas,
}

impl Protocol {
    /// The path segment of the token endpoints: `oidc` for OIDC, `oauth` for the rest.
    pub fn token_path_segment(self) -> &'static str {
        match self {
            Protocol::Oidc => "oidc",
            _ => "oauth",
        }
    }
}

/// How the app proves itself at the token, introspection and revocation endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenEndpointAuthMethod {
    /// `client_id` and `client_secret` in the form body (the default).
    #[default]
    ClientSecretPost,
    /// An `authorization: Basic` header with the app id and secret.
    ClientSecretBasic,
    /// Only `client_id`, no secret (public clients).
    None,
}

/// Normalizes a host option: adds `https://` when no scheme is given and removes
/// trailing slashes; rejects anything that is not an http(s) URL with a host.
pub fn normalize_host(option: &'static str, raw: &str) -> Result<String, ConfigError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(ConfigError::Missing(option));
    }
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_owned()
    } else {
        format!("https://{trimmed}")
    };
    let without_slash = with_scheme.trim_end_matches('/').to_owned();
    let uri: http::Uri =
        without_slash
            .parse()
            .map_err(|e: http::uri::InvalidUri| ConfigError::InvalidUrl {
                option,
                reason: e.to_string(),
            })?;
    let invalid = |reason: &str| ConfigError::InvalidUrl {
        option,
        reason: reason.to_owned(),
    };
    match uri.scheme_str() {
        Some("http") | Some("https") | Some("ws") | Some("wss") => {}
        _ => return Err(invalid("the scheme must be http or https")),
    }
    match uri.authority() {
        Some(a) if !a.host().is_empty() => {}
        _ => return Err(invalid("a host is required")),
    }
    if uri.query().is_some() {
        return Err(invalid("a query string is not allowed"));
    }
    crate::validate::check_host(option, &without_slash)?;
    Ok(without_slash)
}

fn required(option: &'static str, value: &str) -> Result<(), ConfigError> {
    if value.trim().is_empty() {
        Err(ConfigError::Missing(option))
    } else {
        Ok(())
    }
}

fn header_value(option: &'static str, value: &str) -> Result<HeaderValue, ConfigError> {
    HeaderValue::from_str(value).map_err(|_| ConfigError::Invalid {
        option,
        reason: "contains characters not allowed in an HTTP header".into(),
    })
}

/// Options of the end-user [authentication client](crate::AuthenticationConfig).
///
/// `app_id` and `app_host` are required; everything else has the official SDK's
/// default. Build with [`AuthenticationClientOptions::new`] and the chained setters.
#[derive(Debug, Clone)]
pub struct AuthenticationClientOptions {
    /// The app id (required).
    pub app_id: String,
    /// The app secret: needed for the token endpoint unless the auth method is `none`.
    pub app_secret: Option<SecretString>,
    /// The app's host, e.g. `https://YOUR_APP.genauth.ai` (required).
    pub app_host: String,
    /// The redirect URI of the login flow.
    pub redirect_uri: Option<String>,
    /// Where to go after logout.
    pub logout_redirect_uri: Option<String>,
    /// The login protocol (default OIDC).
    pub protocol: Protocol,
    /// The scope of the login URL (default `openid profile email phone address`).
    pub scope: Option<String>,
    /// Client authentication at the token endpoint (default `client_secret_post`).
    pub token_endpoint_auth_method: TokenEndpointAuthMethod,
    /// Client authentication at the introspection endpoint (default `client_secret_post`).
    pub introspection_endpoint_auth_method: TokenEndpointAuthMethod,
    /// Client authentication at the revocation endpoint (default `client_secret_post`).
    pub revocation_endpoint_auth_method: TokenEndpointAuthMethod,
    /// The language of the service's messages; not sent when unset.
    pub lang: Option<Lang>,
    /// The end user's real IP, sent as `x-real-ip` when set.
    pub real_ip: Option<String>,
    /// The tenant id, sent as `x-<brand>-app-tenant-id` when set.
    pub tenant_id: Option<String>,
    /// The end user's access token, when already known.
    pub access_token: Option<SecretString>,
    /// The request timeout (default 10 s).
    pub timeout: Duration,
    /// The events feed host (default: the brand's, `wss://events.genauth.ai`).
    pub websocket_host: String,
    /// Whether plain `http://` (and `ws://`) hosts other than this machine are
    /// allowed (default false: credentials would cross the network in clear).
    /// Loopback hosts such as the emulator's are always allowed.
    pub allow_insecure_http: bool,
    /// The brand (default GenAuth): the header prefix and the default hosts.
    pub brand: Brand,
}

impl AuthenticationClientOptions {
    /// Options for the app `app_id` served at `app_host`, with every default.
    pub fn new(app_id: impl Into<String>, app_host: impl Into<String>) -> Self {
        Self {
            app_id: app_id.into(),
            app_secret: None,
            app_host: app_host.into(),
            redirect_uri: None,
            logout_redirect_uri: None,
            protocol: Protocol::default(),
            scope: None,
            token_endpoint_auth_method: TokenEndpointAuthMethod::default(),
            introspection_endpoint_auth_method: TokenEndpointAuthMethod::default(),
            revocation_endpoint_auth_method: TokenEndpointAuthMethod::default(),
            lang: None,
            real_ip: None,
            tenant_id: None,
            access_token: None,
            timeout: DEFAULT_TIMEOUT,
            websocket_host: DEFAULT_WEBSOCKET_HOST.to_owned(),
            allow_insecure_http: false,
            brand: Brand::GenAuth,
        }
    }

    /// Allows plain `http://` hosts other than loopback ones (see
    /// [`AuthenticationClientOptions::allow_insecure_http`]); the client logs
    /// one warning when it is built with such a host.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Sets the brand: every SDK header takes its prefix (`x-genauth-*` or
    /// `x-authing-*`), and an events host still at the previous brand's
    /// default moves to the new brand's default. An events host set by hand
    /// is kept.
    pub fn brand(mut self, brand: Brand) -> Self {
        if self.websocket_host == self.brand.websocket_host() {
            self.websocket_host = brand.websocket_host().to_owned();
        }
        self.brand = brand;
        self
    }

    /// Sets the app secret.
    pub fn app_secret(mut self, secret: impl Into<SecretString>) -> Self {
        self.app_secret = Some(secret.into());
        self
    }
    /// Sets the redirect URI of the login flow.
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uri = Some(uri.into());
        self
    }
    /// Sets where to go after logout.
    pub fn logout_redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.logout_redirect_uri = Some(uri.into());
        self
    }
    /// Sets the login protocol.
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }
    /// Sets the scope of the login URL.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }
    /// Sets the client authentication of the token endpoint.
    pub fn token_endpoint_auth_method(mut self, m: TokenEndpointAuthMethod) -> Self {
        self.token_endpoint_auth_method = m;
        self
    }
    /// Sets the client authentication of the introspection endpoint.
    pub fn introspection_endpoint_auth_method(mut self, m: TokenEndpointAuthMethod) -> Self {
        self.introspection_endpoint_auth_method = m;
        self
    }
    /// Sets the client authentication of the revocation endpoint.
    pub fn revocation_endpoint_auth_method(mut self, m: TokenEndpointAuthMethod) -> Self {
        self.revocation_endpoint_auth_method = m;
        self
    }
    /// Sets the message language.
    pub fn lang(mut self, lang: Lang) -> Self {
        self.lang = Some(lang);
        self
    }
    /// Sets the end user's real IP.
    pub fn real_ip(mut self, ip: impl Into<String>) -> Self {
        self.real_ip = Some(ip.into());
        self
    }
    /// Sets the tenant id.
    pub fn tenant_id(mut self, id: impl Into<String>) -> Self {
        self.tenant_id = Some(id.into());
        self
    }
    /// Sets the end user's access token.
    pub fn access_token(mut self, token: impl Into<SecretString>) -> Self {
        self.access_token = Some(token.into());
        self
    }
    /// Sets the request timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
    /// Sets the events feed host.
    pub fn websocket_host(mut self, host: impl Into<String>) -> Self {
        self.websocket_host = host.into();
        self
    }
}

/// Options of the admin [management client](crate::ManagementConfig).
#[derive(Debug, Clone)]
pub struct ManagementClientOptions {
    /// The access key id of the user pool (required).
    pub access_key_id: String,
    /// The access key secret (required).
    pub access_key_secret: SecretString,
    /// The API host (default: the brand's, `https://api.genauth.ai`).
    pub host: String,
    /// The language of the service's messages; not sent when unset.
    pub lang: Option<Lang>,
    /// The caller's real IP, sent as `x-real-ip` when set.
    pub real_ip: Option<String>,
    /// The tenant id, sent as `x-<brand>-app-tenant-id` when set.
    pub tenant_id: Option<String>,
    /// The request timeout (default 10 s).
    pub timeout: Duration,
    /// The events feed host (default: the brand's, `wss://events.genauth.ai`).
    pub websocket_host: String,
    /// Whether plain `http://` (and `ws://`) hosts other than this machine are
    /// allowed (default false: the access key secret would cross the network
    /// in clear). Loopback hosts such as the emulator's are always allowed.
    pub allow_insecure_http: bool,
    /// The brand (default GenAuth): the header prefix and the default hosts.
    pub brand: Brand,
    /// How calls are authenticated (default: the management token).
    pub auth: crate::signing::ManagementAuth,
}

impl ManagementClientOptions {
    /// Options for the access key pair, with every default.
    pub fn new(
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<SecretString>,
    ) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            access_key_secret: access_key_secret.into(),
            host: DEFAULT_HOST.to_owned(),
            lang: None,
            real_ip: None,
            tenant_id: None,
            timeout: DEFAULT_TIMEOUT,
            websocket_host: DEFAULT_WEBSOCKET_HOST.to_owned(),
            allow_insecure_http: false,
            brand: Brand::GenAuth,
            auth: crate::signing::ManagementAuth::Token,
        }
    }
    /// Allows plain `http://` hosts other than loopback ones (see
    /// [`ManagementClientOptions::allow_insecure_http`]); the client logs one
    /// warning when it is built with such a host.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }
    /// Sets how calls are authenticated: the management token (the default)
    /// or requests signed with the access key.
    pub fn auth(mut self, auth: crate::signing::ManagementAuth) -> Self {
        self.auth = auth;
        self
    }
    /// Sets the brand: every SDK header takes its prefix (`x-genauth-*` or
    /// `x-authing-*`), and an API or events host still at the previous
    /// brand's default moves to the new brand's default. A host set by hand
    /// (a private deployment) is kept.
    pub fn brand(mut self, brand: Brand) -> Self {
        if self.host == self.brand.api_host() {
            self.host = brand.api_host().to_owned();
        }
        if self.websocket_host == self.brand.websocket_host() {
            self.websocket_host = brand.websocket_host().to_owned();
        }
        self.brand = brand;
        self
    }
    /// Sets the API host.
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = host.into();
        self
    }
    /// Sets the message language.
    pub fn lang(mut self, lang: Lang) -> Self {
        self.lang = Some(lang);
        self
    }
    /// Sets the caller's real IP.
    pub fn real_ip(mut self, ip: impl Into<String>) -> Self {
        self.real_ip = Some(ip.into());
        self
    }
    /// Sets the tenant id.
    pub fn tenant_id(mut self, id: impl Into<String>) -> Self {
        self.tenant_id = Some(id.into());
        self
    }
    /// Sets the request timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
    /// Sets the events feed host.
    pub fn websocket_host(mut self, host: impl Into<String>) -> Self {
        self.websocket_host = host.into();
        self
    }
}

/// The header that names the user pool of a management call, for the default
/// brand; [`Brand::userpool_id_header`] gives it for any brand.
pub const USERPOOL_ID: HeaderName = HeaderName::from_static("x-genauth-userpool-id");

fn common_headers(
    brand: Brand,
    lang: Option<Lang>,
    real_ip: Option<&str>,
    tenant_id: Option<&str>,
) -> Result<HeaderMap, ConfigError> {
    let mut h = HeaderMap::new();
    h.insert(
        brand.sdk_version_header(),
        HeaderValue::from_static(crate::SDK_VERSION_HEADER_VALUE),
    );
    h.insert(brand.request_from_header(), HeaderValue::from_static("sdk"));
    if let Some(lang) = lang {
        h.insert(brand.lang_header(), HeaderValue::from_static(lang.as_str()));
    }
    if let Some(ip) = real_ip {
        h.insert(brand.real_ip_header(), header_value("real_ip", ip)?);
    }
    if let Some(t) = tenant_id {
        h.insert(brand.tenant_id_header(), header_value("tenant_id", t)?);
    }
    Ok(h)
}

/// Validated options of the authentication client, ready to encode requests.
#[derive(Debug, Clone)]
pub struct AuthenticationConfig {
    pub(crate) options: AuthenticationClientOptions,
    pub(crate) base: String,
    pub(crate) base_uri: crate::request::BaseUri,
    pub(crate) headers: HeaderMap,
    pub(crate) basic: Option<HeaderValue>,
}

impl AuthenticationConfig {
    /// Validates the options: the app id must not be empty and the app host must
    /// be an http(s) URL (`https://` is added when no scheme is given).
    pub fn new(options: AuthenticationClientOptions) -> Result<Self, ConfigError> {
        required("app_id", &options.app_id)?;
        let base = normalize_host("app_host", &options.app_host)?;
        let ws = normalize_host("websocket_host", &options.websocket_host)?;
        crate::validate::check_transport_security("app_host", &base, options.allow_insecure_http)?;
        crate::validate::check_transport_security(
            "websocket_host",
            &ws,
            options.allow_insecure_http,
        )?;
        if let Some(secret) = &options.app_secret {
            crate::validate::check_secret("app_secret", secret.expose())?;
        }
        if let Some(token) = &options.access_token {
            crate::validate::check_secret("access_token", token.expose())?;
        }
        if let Some(uri) = &options.redirect_uri {
            crate::validate::check_redirect_uri("redirect_uri", uri)?;
        }
        if let Some(uri) = &options.logout_redirect_uri {
            crate::validate::check_redirect_uri("logout_redirect_uri", uri)?;
        }
        let mut headers = common_headers(
            options.brand,
            options.lang,
            options.real_ip.as_deref(),
            options.tenant_id.as_deref(),
        )?;
        headers.insert(
            options.brand.app_id_header(),
            header_value("app_id", &options.app_id)?,
        );
        let basic = options
            .app_secret
            .as_ref()
            .map(|s| crate::request::basic_auth(&options.app_id, s.expose()))
            .transpose()?;
        Ok(Self {
            options,
            base_uri: crate::request::BaseUri::new(&base),
            base,
            headers,
            basic,
        })
    }

    /// The options this configuration was built from.
    pub fn options(&self) -> &AuthenticationClientOptions {
        &self.options
    }

    /// Whether the app host or the events host is plain `http`/`ws` to
    /// another machine, allowed by `allow_insecure_http`: the client warns once.
    pub fn sends_in_clear(&self) -> bool {
        [&self.base, &self.options.websocket_host]
            .iter()
            .any(|u| crate::validate::is_plain(u.trim()) && !crate::validate::is_loopback(u.trim()))
    }

    /// The normalized app host, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The headers sent with every call.
    pub fn common_headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The `authorization: Basic …` value made of the app id and secret, when a secret is set.
    pub fn basic_authorization(&self) -> Option<&HeaderValue> {
        self.basic.as_ref()
    }
}

/// Validated options of the management client, ready to encode requests.
#[derive(Debug, Clone)]
pub struct ManagementConfig {
    pub(crate) options: ManagementClientOptions,
    pub(crate) base: String,
    pub(crate) base_uri: crate::request::BaseUri,
    pub(crate) headers: HeaderMap,
}

impl ManagementConfig {
    /// Validates the options: the access key id and secret must not be empty and
    /// the host must be an http(s) URL.
    pub fn new(options: ManagementClientOptions) -> Result<Self, ConfigError> {
        required("access_key_id", &options.access_key_id)?;
        crate::validate::check_secret("access_key_secret", options.access_key_secret.expose())?;
        let base = normalize_host("host", &options.host)?;
        let ws = normalize_host("websocket_host", &options.websocket_host)?;
        crate::validate::check_transport_security("host", &base, options.allow_insecure_http)?;
        crate::validate::check_transport_security(
            "websocket_host",
            &ws,
            options.allow_insecure_http,
        )?;
        let headers = common_headers(
            options.brand,
            options.lang,
            options.real_ip.as_deref(),
            options.tenant_id.as_deref(),
        )?;
        Ok(Self {
            options,
            base_uri: crate::request::BaseUri::new(&base),
            base,
            headers,
        })
    }

    /// The options this configuration was built from.
    pub fn options(&self) -> &ManagementClientOptions {
        &self.options
    }

    /// Whether the API host or the events host is plain `http`/`ws` to
    /// another machine, allowed by `allow_insecure_http`: the client warns once.
    pub fn sends_in_clear(&self) -> bool {
        [&self.base, &self.options.websocket_host]
            .iter()
            .any(|u| crate::validate::is_plain(u.trim()) && !crate::validate::is_loopback(u.trim()))
    }

    /// The normalized API host, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The headers sent with every call.
    pub fn common_headers(&self) -> &HeaderMap {
        &self.headers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_gets_a_scheme_and_loses_trailing_slashes() {
        assert_eq!(
            normalize_host("app_host", "myapp.genauth.ai/").unwrap(),
            "https://myapp.genauth.ai"
        );
        assert_eq!(
            normalize_host("app_host", "http://127.0.0.1:8080//").unwrap(),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn bad_hosts_are_typed_errors() {
        assert_eq!(
            normalize_host("app_host", "  "),
            Err(ConfigError::Missing("app_host"))
        );
        assert!(matches!(
            normalize_host("app_host", "ftp://x"),
            Err(ConfigError::InvalidUrl { .. })
        ));
        assert!(matches!(
            normalize_host("app_host", "https://exa mple.com"),
            Err(ConfigError::InvalidUrl { .. })
        ));
        assert!(matches!(
            normalize_host("app_host", "https://x.com?a=1"),
            Err(ConfigError::InvalidUrl { .. })
        ));
    }

    #[test]
    fn empty_app_id_or_key_is_rejected() {
        let e = AuthenticationConfig::new(AuthenticationClientOptions::new("", "x.genauth.ai"))
            .unwrap_err();
        assert_eq!(e, ConfigError::Missing("app_id"));
        let e = ManagementConfig::new(ManagementClientOptions::new("ak", "")).unwrap_err();
        assert_eq!(e, ConfigError::Missing("access_key_secret"));
    }

    #[test]
    fn options_debug_hides_secrets() {
        let o = AuthenticationClientOptions::new("app", "x.genauth.ai")
            .app_secret("s3cr3t-app")
            .access_token("tok-123456");
        let cfg = AuthenticationConfig::new(o.clone()).unwrap();
        for text in [format!("{o:?}"), format!("{cfg:?}")] {
            assert!(!text.contains("s3cr3t-app"), "{text}");
            assert!(!text.contains("tok-123456"), "{text}");
        }
        let m = ManagementClientOptions::new("ak", "sk-very-secret");
        let cfg = ManagementConfig::new(m.clone()).unwrap();
        assert!(!format!("{m:?}{cfg:?}").contains("sk-very-secret"));
    }
}
