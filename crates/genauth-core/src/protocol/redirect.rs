//! The server-side redirect login, without tying it to a web framework.
//!
//! 1. [`AuthenticationConfig::start_redirect_login`] gives the authorize URL and
//!    a [`LoginTransaction`] (state, nonce, PKCE verifier, redirect URI). Store the
//!    transaction where the callback can find it (an encrypted cookie, the
//!    session), e.g. as [`LoginTransaction::to_cookie_value`], and redirect the
//!    user to the URL.
//! 2. On the callback, [`LoginTransaction::check_callback`] rejects an `error`
//!    parameter, a missing `code` and a `state` that does not match; then
//!    [`AuthenticationConfig::callback_token_request`] builds the code exchange
//!    with the stored verifier and redirect URI. Verify the returned ID token
//!    with the stored nonce.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ProtocolError};
use crate::{AuthenticationConfig, SecretString};

use super::authorize::AuthorizeParams;
use super::pkce::Pkce;

/// What the callback must be checked against: keep it between the redirect and the callback.
///
/// It holds the PKCE verifier, a secret, so store it where the user cannot read
/// or change it (server-side session, or an encrypted and signed cookie).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginTransaction {
    /// The `state` sent in the authorize URL.
    pub state: String,
    /// The `nonce` sent in the authorize URL (OIDC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The PKCE verifier, when a challenge was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_verifier: Option<SecretString>,
    /// The redirect URI sent in the authorize URL.
    pub redirect_uri: String,
    /// The scope asked for; with `openid` in it, the callback requires an ID token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The resource indicators of the authorize URL (RFC 8707), sent again in
    /// the code exchange.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
}

/// What a successful login callback gives: the tokens, and the claims of the
/// ID token, already verified (signature, issuer, audience, expiry, nonce).
#[derive(Debug, Clone, PartialEq)]
pub struct LoginCallback {
    /// The tokens of the code exchange.
    pub tokens: genauth_types::protocol::TokenSet,
    /// The verified claims of the ID token; `None` only when `openid` was not asked for.
    pub id_claims: Option<genauth_types::protocol::JwtClaims>,
}

/// The authorize URL to redirect to, and the transaction to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectLogin {
    /// Where to send the user.
    pub url: String,
    /// What to store until the callback.
    pub transaction: LoginTransaction,
}

/// The query parameters of a login callback.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct CallbackParams {
    /// The authorization code.
    #[serde(default)]
    pub code: Option<String>,
    /// The echoed state.
    #[serde(default)]
    pub state: Option<String>,
    /// An OAuth error code (`access_denied`, ...).
    #[serde(default)]
    pub error: Option<String>,
    /// The error's description.
    #[serde(default)]
    pub error_description: Option<String>,
}

impl CallbackParams {
    /// Reads the callback's query string (with or without the leading `?`).
    pub fn from_query(query: &str) -> Result<Self, Error> {
        let q = query.strip_prefix('?').unwrap_or(query);
        let pairs: Vec<(String, String)> =
            serde_html_form::from_str(q).map_err(|e| ProtocolError::Malformed {
                what: "login callback",
                reason: e.to_string(),
            })?;
        let mut out = Self::default();
        for (k, v) in pairs {
            let slot = match k.as_str() {
                "code" => &mut out.code,
                "state" => &mut out.state,
                "error" => &mut out.error,
                "error_description" => &mut out.error_description,
                _ => continue,
            };
            if slot.is_some() {
                return Err(ProtocolError::Malformed {
                    what: "login callback",
                    reason: format!("`{k}` appears more than once"),
                }
                .into());
            }
            *slot = Some(v);
        }
        Ok(out)
    }
}

impl LoginTransaction {
    /// Checks a callback against this transaction and returns its code:
    /// an `error` parameter gives [`ProtocolError::AuthorizationDenied`], a
    /// missing code [`ProtocolError::MissingCode`], and a missing or different
    /// state [`ProtocolError::StateMismatch`] (compared in constant time).
    pub fn check_callback(&self, params: &CallbackParams) -> Result<String, Error> {
        if let Some(error) = &params.error {
            return Err(ProtocolError::AuthorizationDenied {
                error: error.clone(),
                description: params.error_description.clone(),
            }
            .into());
        }
        // An empty or short stored state protects nothing: refuse it even
        // when the callback echoes it.
        if self.state.chars().count() < super::MIN_STATE_LEN {
            return Err(ProtocolError::StateMismatch.into());
        }
        let state_ok = params.state.as_deref().is_some_and(|s| {
            use subtle::ConstantTimeEq as _;
            bool::from(s.as_bytes().ct_eq(self.state.as_bytes()))
        });
        if !state_ok {
            return Err(ProtocolError::StateMismatch.into());
        }
        if let Some(nonce) = &self.nonce {
            super::check_state_value("nonce", nonce)?;
        }
        match params.code.as_deref() {
            Some(c) if !c.is_empty() => Ok(c.to_owned()),
            _ => Err(ProtocolError::MissingCode.into()),
        }
    }

    /// The options of the code exchange: the transaction's resource indicators.
    pub fn token_params(&self) -> super::token::TokenParams {
        super::token::TokenParams {
            resources: self.resources.clone(),
        }
    }

    /// Whether the login asked for an ID token (`openid` in its scope, or an
    /// OIDC nonce with no scope recorded).
    pub fn expects_id_token(&self) -> bool {
        match &self.scope {
            Some(s) => s.split_whitespace().any(|x| x == "openid"),
            None => self.nonce.is_some(),
        }
    }

    /// The transaction as base64url JSON, for a cookie. It holds the PKCE
    /// verifier: encrypt the cookie, or keep the transaction server-side.
    pub fn to_cookie_value(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    /// Reads a value made by [`LoginTransaction::to_cookie_value`].
    pub fn from_cookie_value(value: &str) -> Result<Self, Error> {
        let malformed = |reason: String| ProtocolError::Malformed {
            what: "login transaction",
            reason,
        };
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(value.trim())
            .map_err(|e| malformed(e.to_string()))?;
        Ok(serde_json::from_slice(&raw).map_err(|e| malformed(e.to_string()))?)
    }
}

impl AuthenticationConfig {
    /// Starts a redirect login: the authorize URL with a fresh state, nonce and
    /// `S256` PKCE challenge (unless `params` sets a challenge), and the
    /// transaction to store until the callback.
    pub fn start_redirect_login(&self, params: AuthorizeParams) -> Result<RedirectLogin, Error> {
        let (params, verifier) = if params.code_challenge.is_none() {
            let pkce = Pkce::s256()?;
            (params.pkce(&pkce), Some(pkce.verifier))
        } else {
            (params, None)
        };
        let built = self.build_authorize_url(params)?;
        let (Some(state), Some(redirect_uri)) = (built.state, built.redirect_uri) else {
            return Err(Error::invalid_input(
                "protocol",
                "the redirect login needs the oidc or oauth protocol",
            ));
        };
        Ok(RedirectLogin {
            url: built.url,
            transaction: LoginTransaction {
                state,
                nonce: built.nonce,
                code_verifier: verifier,
                redirect_uri,
                scope: built.scope,
                resources: built.resources,
            },
        })
    }

    /// Checks the callback's query against `transaction` and builds the code
    /// exchange with the transaction's redirect URI, PKCE verifier and
    /// resource indicators.
    pub fn callback_token_request(
        &self,
        transaction: &LoginTransaction,
        callback_query: &str,
    ) -> Result<http::Request<crate::Body>, Error> {
        let params = CallbackParams::from_query(callback_query)?;
        let code = transaction.check_callback(&params)?;
        self.get_access_token_by_code_request_with(
            &code,
            Some(&transaction.redirect_uri),
            transaction.code_verifier.as_ref(),
            &transaction.token_params(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{config, get, query};
    use super::*;
    use crate::Protocol;

    fn protocol_err(e: Error) -> ProtocolError {
        match e {
            Error::Protocol(p) => *p,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn start_then_callback() {
        let cfg = config(Protocol::Oidc);
        let login = cfg.start_redirect_login(AuthorizeParams::new()).unwrap();
        let q = query(&login.url);
        let tx = &login.transaction;
        assert_eq!(get(&q, "state"), Some(tx.state.as_str()));
        assert_eq!(get(&q, "nonce"), tx.nonce.as_deref());
        let verifier = tx.code_verifier.as_ref().unwrap();
        assert_eq!(
            get(&q, "code_challenge").unwrap(),
            super::super::pkce::code_challenge(
                verifier.expose(),
                super::super::CodeChallengeMethod::S256
            )
            .unwrap()
        );
        assert_eq!(tx.redirect_uri, "https://app.example.com/cb?x=1");

        // Round trip through a cookie value.
        let back = LoginTransaction::from_cookie_value(&tx.to_cookie_value()).unwrap();
        assert_eq!(&back, tx);
        assert!(!format!("{tx:?}").contains(verifier.expose()));

        let req = cfg
            .callback_token_request(&back, &format!("?code=abc&state={}", tx.state))
            .unwrap();
        let form: Vec<(String, String)> =
            serde_html_form::from_bytes(req.body().as_bytes()).unwrap();
        assert!(form.contains(&("code".into(), "abc".into())));
        assert!(form.contains(&("code_verifier".into(), verifier.expose().into())));
        assert!(form.contains(&("redirect_uri".into(), tx.redirect_uri.clone())));
    }

    #[test]
    fn the_transaction_keeps_resource_indicators_for_the_code_exchange() {
        let cfg = config(Protocol::Oidc);
        let login = cfg
            .start_redirect_login(AuthorizeParams::new().resource("https://mcp.example.com/mcp"))
            .unwrap();
        let tx = LoginTransaction::from_cookie_value(&login.transaction.to_cookie_value()).unwrap();
        assert_eq!(tx.resources, ["https://mcp.example.com/mcp"]);
        let req = cfg
            .callback_token_request(&tx, &format!("code=c1&state={}", tx.state))
            .unwrap();
        let form: Vec<(String, String)> =
            serde_html_form::from_bytes(req.body().as_bytes()).unwrap();
        assert!(form.contains(&("resource".into(), "https://mcp.example.com/mcp".into())));
        // A transaction stored before resource indicators existed still reads.
        let old = LoginTransaction::from_cookie_value(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(r#"{"state":"s-0123456789abcdef","redirect_uri":"https://a/cb"}"#),
        )
        .unwrap();
        assert!(old.resources.is_empty());
    }

    #[test]
    fn callback_rejections() {
        let tx = LoginTransaction {
            state: "s1-0123456789abcdef".into(),
            nonce: None,
            code_verifier: None,
            redirect_uri: "https://a/cb".into(),
            scope: None,
            resources: Vec::new(),
        };
        let cfg = config(Protocol::Oidc);
        let e = cfg
            .callback_token_request(
                &tx,
                "error=access_denied&error_description=no+way&state=s1-0123456789abcdef",
            )
            .unwrap_err();
        assert_eq!(
            protocol_err(e),
            ProtocolError::AuthorizationDenied {
                error: "access_denied".into(),
                description: Some("no way".into())
            }
        );
        let e = cfg
            .callback_token_request(&tx, "state=s1-0123456789abcdef")
            .unwrap_err();
        assert_eq!(protocol_err(e), ProtocolError::MissingCode);
        let e = cfg
            .callback_token_request(&tx, "code=c&state=s2-0123456789abcdef")
            .unwrap_err();
        assert_eq!(protocol_err(e), ProtocolError::StateMismatch);
        let e = cfg.callback_token_request(&tx, "code=c").unwrap_err();
        assert_eq!(protocol_err(e), ProtocolError::StateMismatch);
        let e = cfg
            .callback_token_request(
                &tx,
                "code=c&state=s1-0123456789abcdef&state=s1-0123456789abcdef",
            )
            .unwrap_err();
        assert!(matches!(protocol_err(e), ProtocolError::Malformed { .. }));
        // An empty or short stored state is refused even when echoed, and so
        // is a short stored nonce.
        let mut weak = tx.clone();
        weak.state = String::new();
        let e = cfg
            .callback_token_request(&weak, "code=c&state=")
            .unwrap_err();
        assert_eq!(protocol_err(e), ProtocolError::StateMismatch);
        weak.state = "short".into();
        let e = cfg
            .callback_token_request(&weak, "code=c&state=short")
            .unwrap_err();
        assert_eq!(protocol_err(e), ProtocolError::StateMismatch);
        let mut weak = tx.clone();
        weak.nonce = Some("n".into());
        assert!(matches!(
            cfg.callback_token_request(&weak, "code=c&state=s1-0123456789abcdef"),
            Err(Error::InvalidInput { .. })
        ));
        assert!(LoginTransaction::from_cookie_value("!!").is_err());
        assert!(LoginTransaction::from_cookie_value("e30").is_err());
    }

    #[test]
    fn saml_has_no_redirect_login() {
        assert!(config(Protocol::Saml)
            .start_redirect_login(AuthorizeParams::new())
            .is_err());
    }
}
