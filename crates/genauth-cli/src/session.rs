//! The logged-in user's session: the tokens `genauth login` stored, their
//! expiry, and the refresh that keeps the access token valid.

use genauth_core::types::protocol::TokenSet;
use genauth_core::SecretString;
use serde::{Deserialize, Serialize};

use crate::creds::Creds;
use crate::secrets::{Secrets, Vaults};
use crate::Failure;

/// An access token this close to its expiry (in seconds) is refreshed before a call.
pub const REFRESH_MARGIN_SECS: u64 = 60;

/// The tokens of a login, kept in the secret store.
#[derive(Clone, Serialize, Deserialize)]
pub struct Session {
    /// The access token.
    pub access_token: SecretString,
    /// The refresh token (the login asked for `offline_access`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<SecretString>,
    /// The ID token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<SecretString>,
    /// When the access token expires, in seconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    /// The granted scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The user's id (the verified ID token's `sub`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Session {
    /// The session of a token answer received at `now`.
    pub fn from_tokens(tokens: &TokenSet, now: u64) -> Result<Self, Failure> {
        let access_token = tokens
            .access_token
            .clone()
            .ok_or_else(|| Failure::api("the token answer has no access token"))?;
        Ok(Self {
            access_token,
            refresh_token: tokens.refresh_token.clone(),
            id_token: tokens.id_token.clone(),
            expires_at: tokens
                .expires_in
                .and_then(|s| u64::try_from(s).ok())
                .map(|s| now.saturating_add(s)),
            scope: tokens.scope.clone(),
            sub: None,
        })
    }

    /// Takes a refresh's answer: a new access token, and the refresh and ID
    /// tokens when the answer has new ones.
    pub fn renew(&mut self, tokens: &TokenSet, now: u64) -> Result<(), Failure> {
        let fresh = Self::from_tokens(tokens, now)?;
        self.access_token = fresh.access_token;
        self.expires_at = fresh.expires_at;
        if fresh.refresh_token.is_some() {
            self.refresh_token = fresh.refresh_token;
        }
        if fresh.id_token.is_some() {
            self.id_token = fresh.id_token;
        }
        if fresh.scope.is_some() {
            self.scope = fresh.scope;
        }
        Ok(())
    }

    /// Whether the access token expires within [`REFRESH_MARGIN_SECS`] of `now`.
    pub fn expiring(&self, now: u64) -> bool {
        self.expires_at
            .is_some_and(|at| at <= now.saturating_add(REFRESH_MARGIN_SECS))
    }
}

/// Refreshes the logged-in user's tokens with the refresh token, stores the
/// new ones and sets `creds`' access token. Fails when there is no session
/// or no refresh token, saying to log in again.
pub async fn refresh(
    creds: &mut Creds,
    vaults: &mut Vaults,
    dir: Option<&std::path::Path>,
) -> Result<(), Failure> {
    let again = |why: &str| {
        Failure::usage(format!(
            "the login of profile `{}` {why}; run `genauth login` again",
            creds.profile
        ))
    };
    let mut session = creds
        .session
        .clone()
        .ok_or_else(|| again("has no session"))?;
    let refresh_token = session
        .refresh_token
        .clone()
        .ok_or_else(|| again("has expired and has no refresh token"))?;
    let client = genauth_tower::AuthenticationClient::new(creds.auth_options()?)?;
    let tokens = client
        .get_new_access_token_by_refresh_token(&refresh_token)
        .await
        .map_err(|e| {
            let f = Failure::from(e);
            Failure {
                code: f.code,
                message: format!(
                    "cannot refresh the login of profile `{}`: {}; run `genauth login` again",
                    creds.profile, f.message
                ),
            }
        })?;
    session.renew(&tokens, now_secs())?;
    let store = creds
        .store
        .clone()
        .ok_or_else(|| again("names no secret store"))?;
    let vault = vaults.named(&store, dir)?;
    let mut secrets: Secrets = vault.load(&creds.profile)?;
    secrets.session = Some(session.clone());
    vault.save(&creds.profile, &secrets)?;
    creds.args.access_token = Some(session.access_token.clone());
    creds.session = Some(session);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(json: &str) -> TokenSet {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_session_expires_from_the_answer_and_renews_what_is_new() {
        let mut s = Session::from_tokens(
            &tokens(r#"{"access_token":"a1","refresh_token":"r1","id_token":"i1","expires_in":3600,"scope":"openid"}"#),
            1_000,
        )
        .unwrap();
        assert_eq!(s.expires_at, Some(4_600));
        assert!(!s.expiring(1_000));
        assert!(!s.expiring(4_539));
        assert!(s.expiring(4_540));
        s.renew(&tokens(r#"{"access_token":"a2","expires_in":60}"#), 5_000)
            .unwrap();
        assert_eq!(s.access_token.expose(), "a2");
        assert_eq!(s.refresh_token.as_ref().unwrap().expose(), "r1");
        assert_eq!(s.id_token.as_ref().unwrap().expose(), "i1");
        assert_eq!(s.expires_at, Some(5_060));
        assert!(Session::from_tokens(&tokens(r#"{"expires_in":60}"#), 0).is_err());
        // No expiry given: never refreshed ahead, only on a rejection.
        let s = Session::from_tokens(&tokens(r#"{"access_token":"a"}"#), 0).unwrap();
        assert!(!s.expiring(u64::MAX));
    }
}
