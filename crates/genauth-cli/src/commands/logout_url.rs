//! `genauth auth build-logout-url` (sends nothing).

use clap::Args;
use genauth_core::protocol::LogoutParams;
use genauth_core::SecretString;
use serde_json::json;

use super::protocol::{auth_client, ProtocolArg};
use super::{Cmd, Cx, Parent};
use crate::Failure;

/// The logout URL of the app's protocol (sends nothing)
#[derive(Args, Debug)]
pub struct BuildLogoutUrl {
    /// The app's protocol
    #[arg(long, value_enum, default_value = "oidc")]
    protocol: ProtocolArg,
    /// Where the logout returns
    #[arg(long)]
    redirect_uri: Option<String>,
    /// The ID token hint (a secret)
    #[arg(long, allow_hyphen_values = true)]
    id_token: Option<String>,
    /// A state echoed to the redirect (OIDC)
    #[arg(long, allow_hyphen_values = true)]
    state: Option<String>,
}

impl Cmd for BuildLogoutUrl {
    const NAME: &'static str = "build-logout-url";
    const PARENTS: &'static [Parent] = &[Parent::Auth];
    fn run(self, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
        let creds = cx.creds()?;
        let client = auth_client(&creds, None, self.protocol)?;
        let mut params = LogoutParams::new();
        params.redirect_uri = self.redirect_uri;
        params.id_token = self.id_token.map(SecretString::from);
        params.state = self.state;
        cx.print(&json!({ "url": client.build_logout_url(params) }))
    }
}
