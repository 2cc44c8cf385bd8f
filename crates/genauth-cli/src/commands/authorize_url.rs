//! `genauth auth build-authorize-url`: the login URL (sends nothing).

use clap::Args;
use genauth_core::protocol::AuthorizeParams;
use serde_json::json;

use super::protocol::{auth_client, ProtocolArg};
use super::{Cmd, Cx, Parent};
use crate::Failure;

/// The login URL of the app's protocol, with its state and nonce (sends nothing)
#[derive(Args, Debug)]
pub struct BuildAuthorizeUrl {
    /// The app's protocol
    #[arg(long, value_enum, default_value = "oidc")]
    protocol: ProtocolArg,
    /// Where the login returns
    #[arg(long)]
    redirect_uri: Option<String>,
    /// The scope, e.g. `openid profile`
    #[arg(long)]
    scope: Option<String>,
    /// The state (default: 32 random characters)
    #[arg(long, allow_hyphen_values = true)]
    state: Option<String>,
    /// The nonce, OIDC (default: 32 random characters)
    #[arg(long, allow_hyphen_values = true)]
    nonce: Option<String>,
    /// A PKCE S256 challenge; keep its verifier for the code exchange
    #[arg(long, allow_hyphen_values = true)]
    code_challenge: Option<String>,
    /// The response type (default `code`)
    #[arg(long)]
    response_type: Option<String>,
    /// The prompt, e.g. `login`
    #[arg(long)]
    prompt: Option<String>,
    /// The CAS service URL (default: the redirect URI)
    #[arg(long)]
    service: Option<String>,
}

impl Cmd for BuildAuthorizeUrl {
    const NAME: &'static str = "build-authorize-url";
    const PARENTS: &'static [Parent] = &[Parent::Auth];
    fn run(self, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
        let creds = cx.creds()?;
        let client = auth_client(&creds, self.redirect_uri, self.protocol)?;
        let params = AuthorizeParams {
            scope: self.scope,
            state: self.state,
            nonce: self.nonce,
            code_challenge: self.code_challenge,
            response_type: self.response_type,
            prompt: self.prompt,
            service: self.service,
            ..Default::default()
        };
        let url = client.build_authorize_url(params)?;
        cx.print(&json!({
            "url": url.url,
            "state": url.state,
            "nonce": url.nonce,
            "redirect_uri": url.redirect_uri,
            "scope": url.scope,
        }))
    }
}
