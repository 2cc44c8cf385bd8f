//! The token endpoint (authorization code, refresh token, client credentials),
//! introspection (RFC 7662) and revocation (RFC 7009).
//!
//! Requests are form-encoded POSTs to `{app_host}/{oidc|oauth}/token…`. The app
//! authenticates as its configured method says: `client_secret_post` puts
//! `client_id` and `client_secret` in the form, `client_secret_basic` sends an
//! `authorization: Basic` header (id and secret form-urlencoded before base64,
//! RFC 6749 §2.3.1), and `none` sends only `client_id`.

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use genauth_types::protocol::{Introspection, TokenSet};

use crate::error::{Error, HttpError, ProtocolError};
use crate::excerpt::excerpt;
use crate::options::Protocol;
use crate::{AuthenticationConfig, SecretString};

use super::resource::check_resource_indicator;
use super::Endpoint;

/// Options of a token request that every grant shares. Empty by default: the
/// request then carries only the grant's own fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenParams {
    /// Resource indicators (RFC 8707): the URIs of the resource servers the
    /// access token is for, sent as repeated `resource` fields. A server that
    /// supports them writes these URIs into the token's `aud`.
    pub resources: Vec<String>,
}

impl TokenParams {
    /// No options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks for a token for the resource server at `uri` (an absolute URI
    /// without a fragment); call again for several.
    pub fn resource(mut self, uri: impl Into<String>) -> Self {
        self.resources.push(uri.into());
        self
    }

    /// Checks the resource indicators and appends them to `fields`.
    fn append_to<'a>(&'a self, fields: &mut Vec<(&'a str, &'a str)>) -> Result<(), Error> {
        for r in &self.resources {
            check_resource_indicator(r)?;
            fields.push(("resource", r));
        }
        Ok(())
    }
}

impl AuthenticationConfig {
    fn require_oauth_protocol(&self) -> Result<(), Error> {
        match self.options.protocol {
            Protocol::Oidc | Protocol::Oauth => Ok(()),
            _ => Err(Error::invalid_input(
                "protocol",
                "the token, introspection and revocation endpoints need the oidc or oauth protocol",
            )),
        }
    }

    /// `POST /{oidc|oauth}/token` with `grant_type=authorization_code`: trades the
    /// code of a login callback for tokens. `redirect_uri` must be the one of
    /// the authorize URL (default: the client's); `code_verifier` is the PKCE
    /// verifier, when the authorize URL carried a challenge.
    pub fn get_access_token_by_code_request(
        &self,
        code: &str,
        redirect_uri: Option<&str>,
        code_verifier: Option<&SecretString>,
    ) -> Result<http::Request<crate::Body>, Error> {
        self.get_access_token_by_code_request_with(
            code,
            redirect_uri,
            code_verifier,
            &TokenParams::default(),
        )
    }

    /// [`AuthenticationConfig::get_access_token_by_code_request`] with
    /// [`TokenParams`]: e.g. the resource indicators of the authorize URL, so
    /// that the access token is bound to those resource servers (RFC 8707).
    pub fn get_access_token_by_code_request_with(
        &self,
        code: &str,
        redirect_uri: Option<&str>,
        code_verifier: Option<&SecretString>,
        params: &TokenParams,
    ) -> Result<http::Request<crate::Body>, Error> {
        self.require_oauth_protocol()?;
        if code.is_empty() {
            return Err(Error::invalid_input("code", "must not be empty"));
        }
        let redirect = redirect_uri
            .or(self.options.redirect_uri.as_deref())
            .filter(|r| !r.is_empty())
            .ok_or_else(|| {
                Error::invalid_input(
                    "redirect_uri",
                    "the code exchange needs the redirect URI of the authorize URL",
                )
            })?;
        let mut fields = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect),
        ];
        if let Some(v) = code_verifier {
            fields.push(("code_verifier", v.expose()));
        }
        params.append_to(&mut fields)?;
        self.app_form_request(
            "get_access_token_by_code",
            Endpoint::Token,
            "/token",
            &fields,
        )
    }

    /// `POST /{oidc|oauth}/token` with `grant_type=refresh_token`.
    pub fn get_new_access_token_by_refresh_token_request(
        &self,
        refresh_token: &SecretString,
    ) -> Result<http::Request<crate::Body>, Error> {
        self.get_new_access_token_by_refresh_token_request_with(
            refresh_token,
            &TokenParams::default(),
        )
    }

    /// [`AuthenticationConfig::get_new_access_token_by_refresh_token_request`]
    /// with [`TokenParams`]: resource indicators name which of the resources
    /// granted at login the new access token is for (RFC 8707 §2.2).
    pub fn get_new_access_token_by_refresh_token_request_with(
        &self,
        refresh_token: &SecretString,
        params: &TokenParams,
    ) -> Result<http::Request<crate::Body>, Error> {
        self.require_oauth_protocol()?;
        if refresh_token.is_empty() {
            return Err(Error::invalid_input("refresh_token", "must not be empty"));
        }
        let mut fields = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
        ];
        params.append_to(&mut fields)?;
        self.app_form_request(
            "get_new_access_token_by_refresh_token",
            Endpoint::Token,
            "/token",
            &fields,
        )
    }

    /// `POST /{oidc|oauth}/token` with `grant_type=client_credentials`: a
    /// machine-to-machine token for a programmatic access key pair. The key
    /// pair authenticates the way the token endpoint's method says.
    pub fn get_access_token_by_client_credentials_request(
        &self,
        scope: &str,
        access_key: &str,
        access_secret: &SecretString,
    ) -> Result<http::Request<crate::Body>, Error> {
        self.get_access_token_by_client_credentials_request_with(
            scope,
            access_key,
            access_secret,
            &TokenParams::default(),
        )
    }

    /// [`AuthenticationConfig::get_access_token_by_client_credentials_request`]
    /// with [`TokenParams`]: resource indicators name the resource servers the
    /// machine-to-machine token is for (RFC 8707).
    pub fn get_access_token_by_client_credentials_request_with(
        &self,
        scope: &str,
        access_key: &str,
        access_secret: &SecretString,
        params: &TokenParams,
    ) -> Result<http::Request<crate::Body>, Error> {
        if scope.trim().is_empty() {
            return Err(Error::invalid_input("scope", "must not be empty"));
        }
        if access_key.is_empty() {
            return Err(Error::invalid_input("access_key", "must not be empty"));
        }
        let mut fields = vec![("grant_type", "client_credentials"), ("scope", scope)];
        params.append_to(&mut fields)?;
        let url = format!("{}/token", self.protocol_base());
        self.client_form_request(
            "get_access_token_by_client_credentials",
            &url,
            self.options.token_endpoint_auth_method,
            Some((access_key, Some(access_secret))),
            &fields,
        )
    }

    /// `POST /{oidc|oauth}/token/introspection` (RFC 7662), authenticated with
    /// the introspection endpoint's method. `token_type_hint` is
    /// `access_token` or `refresh_token`.
    pub fn introspect_token_request(
        &self,
        token: &SecretString,
        token_type_hint: Option<&str>,
    ) -> Result<http::Request<crate::Body>, Error> {
        // Under saml or cas there is no introspection endpoint to call.
        self.require_oauth_protocol()?;
        let mut fields = vec![("token", token.expose())];
        if let Some(h) = token_type_hint {
            fields.push(("token_type_hint", h));
        }
        self.app_form_request(
            "introspect_token",
            Endpoint::Introspection,
            "/token/introspection",
            &fields,
        )
    }

    /// `POST /{oidc|oauth}/token/revocation` (RFC 7009), authenticated with the
    /// revocation endpoint's method.
    pub fn revoke_token_request(
        &self,
        token: &SecretString,
        token_type_hint: Option<&str>,
    ) -> Result<http::Request<crate::Body>, Error> {
        // Under saml or cas there is no revocation endpoint to call.
        self.require_oauth_protocol()?;
        let mut fields = vec![("token", token.expose())];
        if let Some(h) = token_type_hint {
            fields.push(("token_type_hint", h));
        }
        self.app_form_request(
            "revoke_token",
            Endpoint::Revocation,
            "/token/revocation",
            &fields,
        )
    }
}

#[derive(Deserialize)]
struct OAuthErrorBody {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    error_uri: Option<String>,
}

/// An OAuth 2.0 error response (RFC 6749 §5.2) as a typed error, if `body` is one.
pub(crate) fn oauth_error(endpoint: &'static str, status: u16, body: &[u8]) -> Option<Error> {
    let e: OAuthErrorBody = serde_json::from_slice(body).ok()?;
    if e.error.is_empty() {
        return None;
    }
    Some(
        ProtocolError::OAuth {
            endpoint,
            status,
            error: e.error,
            description: e.error_description,
            uri: e.error_uri,
        }
        .into(),
    )
}

/// Decodes the JSON answer of a protocol endpoint: an OAuth error body gives
/// [`ProtocolError::OAuth`], a GenAuth envelope error gives [`Error::Api`], a
/// non-2xx status gives [`Error::Http`], and a body that does not decode gives
/// [`Error::Decode`].
pub(crate) fn parse_json<T: DeserializeOwned>(
    name: &'static str,
    endpoint: &'static str,
    response: http::Response<Bytes>,
) -> Result<T, Error> {
    if let Some(e) = oauth_error(endpoint, response.status().as_u16(), response.body()) {
        return Err(e);
    }
    crate::response::decode_with::<T>(name, false, response)
}

/// Reads a token endpoint answer (any grant) into a [`TokenSet`].
pub fn parse_token_response(response: http::Response<Bytes>) -> Result<TokenSet, Error> {
    let tokens: TokenSet = parse_json("token", "token", response)?;
    if tokens.access_token.is_none() && tokens.id_token.is_none() {
        return Err(ProtocolError::Malformed {
            what: "token response",
            reason: "it has neither an access token nor an ID token".into(),
        }
        .into());
    }
    Ok(tokens)
}

/// Reads an introspection answer (RFC 7662).
pub fn parse_introspection_response(
    response: http::Response<Bytes>,
) -> Result<Introspection, Error> {
    parse_json("introspect_token", "introspection", response)
}

/// Reads a revocation answer: any 2xx is success (RFC 7009 §2.2, the body is
/// ignored); an OAuth error body or another status is an error.
pub fn parse_revocation_response(response: http::Response<Bytes>) -> Result<(), Error> {
    let status = response.status();
    if let Some(e) = oauth_error("revocation", status.as_u16(), response.body()) {
        return Err(e);
    }
    if status.is_success() {
        // GenAuth may still answer 200 with an error envelope.
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(response.body()) {
            if v.get("statusCode")
                .and_then(|c| c.as_i64())
                .is_some_and(|c| c != 200)
            {
                return crate::response::decode_with::<serde_json::Value>(
                    "revoke_token",
                    false,
                    response,
                )
                .map(|_| ());
            }
        }
        return Ok(());
    }
    let content_type = response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Err(Error::Http(Box::new(HttpError {
        status: status.as_u16(),
        operation: Some("revoke_token"),
        content_type,
        excerpt: excerpt(response.body()),
        host: None,
    })))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::config;
    use super::*;
    use crate::{AuthenticationClientOptions, TokenEndpointAuthMethod};
    use base64::Engine as _;

    fn form(req: &http::Request<crate::Body>) -> Vec<(String, String)> {
        serde_html_form::from_bytes(req.body().as_bytes()).unwrap()
    }

    fn cfg(method: TokenEndpointAuthMethod) -> AuthenticationConfig {
        AuthenticationConfig::new(
            AuthenticationClientOptions::new("app:1", "https://demo.genauth.ai")
                .app_secret("s3cr3t&+")
                .redirect_uri("https://app/cb")
                .token_endpoint_auth_method(method)
                .introspection_endpoint_auth_method(method)
                .revocation_endpoint_auth_method(method),
        )
        .unwrap()
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn code_exchange_under_each_auth_method() {
        let verifier = SecretString::new("v".repeat(43));
        let post = cfg(TokenEndpointAuthMethod::ClientSecretPost)
            .get_access_token_by_code_request("c 1", None, Some(&verifier))
            .unwrap();
        assert_eq!(post.method(), http::Method::POST);
        assert_eq!(post.uri(), "https://demo.genauth.ai/oidc/token");
        assert_eq!(
            post.headers()["content-type"],
            "application/x-www-form-urlencoded"
        );
        assert!(post.headers().get("authorization").is_none());
        assert_eq!(
            form(&post),
            pairs(&[
                ("grant_type", "authorization_code"),
                ("code", "c 1"),
                ("redirect_uri", "https://app/cb"),
                ("code_verifier", &"v".repeat(43)),
                ("client_id", "app:1"),
                ("client_secret", "s3cr3t&+"),
            ])
        );

        let basic = cfg(TokenEndpointAuthMethod::ClientSecretBasic)
            .get_access_token_by_code_request("c", Some("https://other/cb"), None)
            .unwrap();
        let expected = base64::engine::general_purpose::STANDARD.encode("app%3A1:s3cr3t%26%2B");
        assert_eq!(
            basic.headers()["authorization"],
            format!("Basic {expected}").as_str()
        );
        assert!(basic.headers()["authorization"].is_sensitive());
        assert_eq!(
            form(&basic),
            pairs(&[
                ("grant_type", "authorization_code"),
                ("code", "c"),
                ("redirect_uri", "https://other/cb"),
            ])
        );

        let none = cfg(TokenEndpointAuthMethod::None)
            .get_access_token_by_code_request("c", None, None)
            .unwrap();
        assert!(none.headers().get("authorization").is_none());
        assert_eq!(
            form(&none),
            pairs(&[
                ("grant_type", "authorization_code"),
                ("code", "c"),
                ("redirect_uri", "https://app/cb"),
                ("client_id", "app:1"),
            ])
        );
        assert!(!format!("{post:?}").contains("s3cr3t"));
    }

    #[test]
    fn token_requests_check_their_inputs() {
        let c = cfg(TokenEndpointAuthMethod::ClientSecretPost);
        assert!(c.get_access_token_by_code_request("", None, None).is_err());
        assert!(c
            .get_new_access_token_by_refresh_token_request(&SecretString::new(""))
            .is_err());
        assert!(c
            .get_access_token_by_client_credentials_request(" ", "ak", &"sk".into())
            .is_err());
        let cas = config(crate::Protocol::Cas);
        assert!(cas
            .get_new_access_token_by_refresh_token_request(&"r".into())
            .is_err());
        // saml and cas have no introspection or revocation endpoint: refused
        // before any request exists.
        for p in [crate::Protocol::Saml, crate::Protocol::Cas] {
            let c = config(p);
            for r in [
                c.introspect_token_request(&"t".into(), None),
                c.revoke_token_request(&"t".into(), None),
            ] {
                assert!(matches!(r, Err(Error::InvalidInput { .. })), "{p:?}");
            }
        }
        let no_secret = AuthenticationConfig::new(
            AuthenticationClientOptions::new("a", "h.genauth.ai").redirect_uri("https://x"),
        )
        .unwrap();
        let e = no_secret
            .get_access_token_by_code_request("c", None, None)
            .unwrap_err();
        assert!(
            matches!(e, Error::InvalidInput { ref parameter, .. } if parameter == "app_secret")
        );
    }

    #[test]
    fn refresh_and_client_credentials() {
        let r = config(crate::Protocol::Oauth)
            .get_new_access_token_by_refresh_token_request(&"rt-1".into())
            .unwrap();
        assert_eq!(r.uri(), "https://demo.genauth.ai/oauth/token");
        assert_eq!(
            form(&r),
            pairs(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", "rt-1"),
                ("client_id", "app 1"),
                ("client_secret", "app-secret-1"),
            ])
        );
        let cc = cfg(TokenEndpointAuthMethod::ClientSecretPost)
            .get_access_token_by_client_credentials_request("read:x", "ak", &"sk".into())
            .unwrap();
        assert_eq!(
            form(&cc),
            pairs(&[
                ("grant_type", "client_credentials"),
                ("scope", "read:x"),
                ("client_id", "ak"),
                ("client_secret", "sk"),
            ])
        );
        let cc = cfg(TokenEndpointAuthMethod::ClientSecretBasic)
            .get_access_token_by_client_credentials_request("read:x", "ak", &"sk".into())
            .unwrap();
        let expected = base64::engine::general_purpose::STANDARD.encode("ak:sk");
        assert_eq!(
            cc.headers()["authorization"],
            format!("Basic {expected}").as_str()
        );
        assert_eq!(
            form(&cc),
            pairs(&[("grant_type", "client_credentials"), ("scope", "read:x")])
        );
    }

    #[test]
    fn introspection_and_revocation_use_their_own_methods() {
        let c = AuthenticationConfig::new(
            AuthenticationClientOptions::new("app", "https://demo.genauth.ai")
                .app_secret("sec")
                .introspection_endpoint_auth_method(TokenEndpointAuthMethod::ClientSecretBasic)
                .revocation_endpoint_auth_method(TokenEndpointAuthMethod::None),
        )
        .unwrap();
        let i = c
            .introspect_token_request(&"tok".into(), Some("access_token"))
            .unwrap();
        assert_eq!(i.uri(), "https://demo.genauth.ai/oidc/token/introspection");
        assert!(i.headers().contains_key("authorization"));
        assert_eq!(
            form(&i),
            pairs(&[("token", "tok"), ("token_type_hint", "access_token")])
        );
        let r = c.revoke_token_request(&"tok".into(), None).unwrap();
        assert_eq!(r.uri(), "https://demo.genauth.ai/oidc/token/revocation");
        assert!(!r.headers().contains_key("authorization"));
        assert_eq!(form(&r), pairs(&[("token", "tok"), ("client_id", "app")]));
    }

    #[test]
    fn resource_indicators_in_every_grant() {
        let c = cfg(TokenEndpointAuthMethod::ClientSecretPost);
        let params = TokenParams::new()
            .resource("https://mcp.example.com/mcp")
            .resource("urn:example:api");
        let resources = |req: &http::Request<crate::Body>| -> Vec<String> {
            form(req)
                .into_iter()
                .filter(|(k, _)| k == "resource")
                .map(|(_, v)| v)
                .collect()
        };
        let want = ["https://mcp.example.com/mcp", "urn:example:api"];
        let code = c
            .get_access_token_by_code_request_with("c", None, None, &params)
            .unwrap();
        assert_eq!(resources(&code), want);
        let refresh = c
            .get_new_access_token_by_refresh_token_request_with(&"rt".into(), &params)
            .unwrap();
        assert_eq!(resources(&refresh), want);
        let cc = c
            .get_access_token_by_client_credentials_request_with("s", "ak", &"sk".into(), &params)
            .unwrap();
        assert_eq!(resources(&cc), want);
        // Without options, no `resource` field at all.
        let plain = c.get_access_token_by_code_request("c", None, None).unwrap();
        assert!(resources(&plain).is_empty());
        // A relative or fragment URI is refused before any request exists.
        for bad in ["/mcp", "https://a/b#x"] {
            let p = TokenParams::new().resource(bad);
            assert!(matches!(
                c.get_new_access_token_by_refresh_token_request_with(&"rt".into(), &p),
                Err(Error::InvalidInput { ref parameter, .. }) if parameter == "resource"
            ));
        }
    }

    fn resp(status: u16, body: &str) -> http::Response<Bytes> {
        http::Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(Bytes::from(body.to_owned()))
            .unwrap()
    }

    #[test]
    fn token_responses() {
        let t = parse_token_response(resp(
            200,
            r#"{"access_token":"a","id_token":"i","refresh_token":"r","expires_in":3600,"token_type":"Bearer","scope":"openid","session_state":"x"}"#,
        ))
        .unwrap();
        assert_eq!(t.access_token.unwrap().expose(), "a");
        assert_eq!(t.refresh_token.unwrap().expose(), "r");
        assert_eq!(t.expires_in, Some(3600));
        assert_eq!(t.extra["session_state"], "x");

        let e = parse_token_response(resp(
            400,
            r#"{"error":"invalid_grant","error_description":"code expired"}"#,
        ))
        .unwrap_err();
        match e {
            Error::Protocol(p) => match *p {
                ProtocolError::OAuth {
                    status,
                    ref error,
                    ref description,
                    ..
                } => {
                    assert_eq!(status, 400);
                    assert_eq!(error, "invalid_grant");
                    assert_eq!(description.as_deref(), Some("code expired"));
                }
                ref other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_token_response(resp(
                200,
                r#"{"statusCode":400,"message":"bad","apiCode":1}"#
            )),
            Err(Error::Api(_))
        ));
        assert!(matches!(
            parse_token_response(resp(502, "<html>")),
            Err(Error::Http(_))
        ));
        assert!(matches!(
            parse_token_response(resp(200, r#"{"token_type":"Bearer"}"#)),
            Err(Error::Protocol(_))
        ));
        assert!(matches!(
            parse_token_response(resp(200, r#"{"access_token":5}"#)),
            Err(Error::Decode(_))
        ));
    }

    #[test]
    fn introspection_and_revocation_responses() {
        let i = parse_introspection_response(resp(
            200,
            r#"{"active":true,"sub":"u1","aud":"app","exp":10,"scope":"openid","custom":1}"#,
        ))
        .unwrap();
        assert!(i.active);
        assert_eq!(i.aud, vec!["app"]);
        assert_eq!(i.extra["custom"], 1);
        let i = parse_introspection_response(resp(200, r#"{"active":false}"#)).unwrap();
        assert!(!i.active);
        assert!(matches!(
            parse_introspection_response(resp(401, r#"{"error":"invalid_client"}"#)),
            Err(Error::Protocol(_))
        ));

        parse_revocation_response(resp(200, "")).unwrap();
        parse_revocation_response(resp(200, "{}")).unwrap();
        assert!(matches!(
            parse_revocation_response(resp(400, r#"{"error":"unsupported_token_type"}"#)),
            Err(Error::Protocol(_))
        ));
        assert!(matches!(
            parse_revocation_response(resp(500, "oops")),
            Err(Error::Http(_))
        ));
        assert!(matches!(
            parse_revocation_response(resp(200, r#"{"statusCode":403,"message":"no"}"#)),
            Err(Error::Api(_))
        ));
    }
}
