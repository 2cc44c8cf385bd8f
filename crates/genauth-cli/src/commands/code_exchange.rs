//! `genauth auth get-access-token-by-code`: the code exchange.

use clap::Args;
use genauth_core::{AuthenticationConfig, SecretString};
use serde_json::Value;

use super::protocol::{run_call, to_json, DryRun, ProtocolCall};
use super::{Cmd, Cx, Parent};
use crate::creds::Creds;
use crate::Failure;

/// Trade an authorization code for tokens
#[derive(Args, Debug)]
pub struct CodeExchange {
    /// The authorization code
    #[arg(long, allow_hyphen_values = true)]
    code: String,
    /// The PKCE verifier (a secret)
    #[arg(long, allow_hyphen_values = true)]
    code_verifier: Option<String>,
    /// The redirect URI of the login
    #[arg(long)]
    redirect_uri: Option<String>,
    #[command(flatten)]
    dry: DryRun,
}

impl ProtocolCall for CodeExchange {
    fn redirect_uri(&self) -> Option<String> {
        self.redirect_uri.clone()
    }
    fn request(
        &self,
        config: &AuthenticationConfig,
        _creds: &Creds,
        hide: &dyn Fn(SecretString) -> SecretString,
    ) -> Result<http::Request<genauth_core::Body>, Failure> {
        let verifier = self
            .code_verifier
            .as_deref()
            .map(|v| hide(SecretString::from(v)));
        Ok(config.get_access_token_by_code_request(&self.code, None, verifier.as_ref())?)
    }
    fn output(&self, resp: http::Response<bytes::Bytes>) -> Result<Value, Failure> {
        Ok(to_json(
            &genauth_core::protocol::token::parse_token_response(resp)?,
        ))
    }
}

impl Cmd for CodeExchange {
    const NAME: &'static str = "get-access-token-by-code";
    const PARENTS: &'static [Parent] = &[Parent::Auth];
    fn run(self, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
        run_call(&self, &self.dry, cx)
    }
}
