//! `genauth logout`: revokes the login's tokens at GenAuth and deletes them.

use clap::Args;
use serde_json::json;

use super::profiles::update_profile;
use super::protocol::{auth_client, ProtocolArg};
use super::{Cmd, Cx, Parent};
use crate::Failure;

/// Revoke the login's tokens at GenAuth and delete them
#[derive(Args, Debug)]
pub struct Logout {}

impl Cmd for Logout {
    const NAME: &'static str = "logout";
    const PARENTS: &'static [Parent] = &[Parent::Top];
    fn run(self, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
        let creds = cx.creds()?;
        let Some(session) = creds.session.clone() else {
            return Err(Failure::usage(format!(
                "not logged in (profile `{}`): nothing to log out",
                creds.profile
            )));
        };
        let dir = creds
            .dir
            .clone()
            .ok_or_else(|| Failure::usage("there is no config directory"))?;
        // The refresh token first: it could mint new access tokens.
        let mut revoked = Vec::new();
        let mut failed = None;
        let client = auth_client(&creds, None, ProtocolArg::Oidc)?;
        for (what, token) in [
            ("refresh_token", session.refresh_token.clone()),
            ("access_token", Some(session.access_token.clone())),
        ] {
            let Some(token) = token else { continue };
            match cx.runtime.block_on(client.revoke_token(&token)) {
                Ok(()) => revoked.push(what),
                Err(e) => {
                    failed.get_or_insert(Failure::from(e));
                }
            }
        }
        update_profile(cx, &dir, &creds.profile, |_, s| {
            s.session = None;
            Ok(())
        })?;
        if let Some(f) = failed {
            return Err(Failure {
                code: f.code,
                message: format!(
                    "the login of profile `{}` was deleted here, but GenAuth did not confirm the revocation: {}",
                    creds.profile, f.message
                ),
            });
        }
        cx.print(&json!({ "profile": creds.profile, "revoked": revoked, "deleted": true }))
    }
}
