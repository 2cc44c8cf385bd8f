//! `genauth auth revoke-token`.

use clap::Args;
use genauth_core::{AuthenticationConfig, SecretString};
use serde_json::{json, Value};

use super::protocol::{run_call, secret_or, DryRun, ProtocolCall};
use super::{Cmd, Cx, Parent};
use crate::creds::Creds;
use crate::Failure;

/// Revoke a token (`genauth logout` revokes the login's)
#[derive(Args, Debug)]
pub struct Revoke {
    /// The token (default: the access token; a secret)
    #[arg(long, allow_hyphen_values = true)]
    token: Option<String>,
    #[command(flatten)]
    dry: DryRun,
}

impl ProtocolCall for Revoke {
    fn request(
        &self,
        config: &AuthenticationConfig,
        creds: &Creds,
        hide: &dyn Fn(SecretString) -> SecretString,
    ) -> Result<http::Request<genauth_core::Body>, Failure> {
        let token = secret_or(
            self.token.as_ref(),
            creds.access_token.as_ref(),
            "token",
            "token",
        )?;
        Ok(config.revoke_token_request(&hide(token), None)?)
    }
    fn output(&self, resp: http::Response<bytes::Bytes>) -> Result<Value, Failure> {
        genauth_core::protocol::token::parse_revocation_response(resp)?;
        Ok(json!({ "revoked": true }))
    }
}

impl Cmd for Revoke {
    const NAME: &'static str = "revoke-token";
    const PARENTS: &'static [Parent] = &[Parent::Auth];
    fn run(self, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
        run_call(&self, &self.dry, cx)
    }
}
