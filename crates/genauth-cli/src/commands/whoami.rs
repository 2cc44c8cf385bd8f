//! `genauth whoami`: who the stored tokens belong to, and when they expire.

use clap::Args;
use serde_json::{json, Value};

use super::{Cmd, Cx, Parent};
use crate::session::now_secs;
use crate::Failure;

/// Who the stored login belongs to and when its tokens expire (sends nothing)
#[derive(Args, Debug)]
pub struct Whoami {}

/// The RFC 9110 date of a Unix time.
fn http_date(secs: u64) -> String {
    httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
}

impl Cmd for Whoami {
    const NAME: &'static str = "whoami";
    const PARENTS: &'static [Parent] = &[Parent::Top];
    fn run(self, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
        let creds = cx.creds()?;
        let session = creds.session.as_ref().ok_or_else(|| {
            Failure::usage(format!(
                "not logged in (profile `{}`); run `genauth login`",
                creds.profile
            ))
        })?;
        // The ID token was verified at login; its claims name the user.
        let claims = session
            .id_token
            .as_ref()
            .and_then(|t| crate::jwt::decode(t.expose()).ok())
            .map(|d| d.claims)
            .unwrap_or(Value::Null);
        let now = now_secs();
        let pick = |k: &str| claims.get(k).cloned().unwrap_or(Value::Null);
        cx.print(&json!({
            "profile": creds.profile,
            "app_id": creds.app_id,
            "app_host": creds.app_host,
            "sub": session.sub.clone().map(Value::from).unwrap_or_else(|| pick("sub")),
            "name": pick("name"),
            "email": pick("email"),
            "phone_number": pick("phone_number"),
            "scope": session.scope,
            "expires_at": session.expires_at.map(http_date),
            "expires_in": session.expires_at.map(|at| at as i64 - now as i64),
            "expired": session.expires_at.is_some_and(|at| at <= now),
            "refresh_token": session.refresh_token.is_some(),
        }))
    }
}
