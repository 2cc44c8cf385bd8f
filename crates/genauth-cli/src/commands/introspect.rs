//! `genauth auth introspect-token`.

use clap::Args;
use genauth_core::{AuthenticationConfig, SecretString};
use serde_json::Value;

use super::protocol::{run_call, secret_or, to_json, DryRun, ProtocolCall};
use super::{Cmd, Cx, Parent};
use crate::creds::Creds;
use crate::Failure;

/// Ask the server whether a token is active
#[derive(Args, Debug)]
pub struct Introspect {
    /// The token (default: the access token; a secret)
    #[arg(long, allow_hyphen_values = true)]
    token: Option<String>,
    #[command(flatten)]
    dry: DryRun,
}

impl ProtocolCall for Introspect {
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
        Ok(config.introspect_token_request(&hide(token), None)?)
    }
    fn output(&self, resp: http::Response<bytes::Bytes>) -> Result<Value, Failure> {
        Ok(to_json(
            &genauth_core::protocol::token::parse_introspection_response(resp)?,
        ))
    }
}

impl Cmd for Introspect {
    const NAME: &'static str = "introspect-token";
    const PARENTS: &'static [Parent] = &[Parent::Auth];
    fn run(self, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
        run_call(&self, &self.dry, cx)
    }
}
