//! `genauth auth get-new-access-token-by-refresh-token`.

use clap::Args;
use genauth_core::{AuthenticationConfig, SecretString};
use serde_json::Value;

use super::protocol::{run_call, secret_or, to_json, DryRun, ProtocolCall};
use super::{Cmd, Cx, Parent};
use crate::creds::Creds;
use crate::Failure;

/// Refresh the tokens (prints them; `genauth login` keeps its own fresh)
#[derive(Args, Debug)]
pub struct Refresh {
    /// The refresh token (default: the logged-in user's; a secret)
    #[arg(long, allow_hyphen_values = true)]
    refresh_token: Option<String>,
    #[command(flatten)]
    dry: DryRun,
}

impl ProtocolCall for Refresh {
    fn request(
        &self,
        config: &AuthenticationConfig,
        creds: &Creds,
        hide: &dyn Fn(SecretString) -> SecretString,
    ) -> Result<http::Request<genauth_core::Body>, Failure> {
        let stored = creds
            .session
            .as_ref()
            .and_then(|s| s.refresh_token.as_ref());
        let token = secret_or(
            self.refresh_token.as_ref(),
            stored,
            "refresh-token",
            "refresh token",
        )?;
        Ok(config.get_new_access_token_by_refresh_token_request(&hide(token))?)
    }
    fn output(&self, resp: http::Response<bytes::Bytes>) -> Result<Value, Failure> {
        Ok(to_json(
            &genauth_core::protocol::token::parse_token_response(resp)?,
        ))
    }
}

impl Cmd for Refresh {
    const NAME: &'static str = "get-new-access-token-by-refresh-token";
    const PARENTS: &'static [Parent] = &[Parent::Auth];
    fn run(self, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
        run_call(&self, &self.dry, cx)
    }
}
