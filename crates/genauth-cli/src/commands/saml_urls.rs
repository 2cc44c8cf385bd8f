//! `genauth auth saml-urls` (sends nothing).

use clap::Args;
use serde_json::json;

use super::protocol::{auth_client, ProtocolArg};
use super::{Cmd, Cx, Parent};
use crate::Failure;

/// The app's SAML IdP login and metadata URLs (sends nothing)
#[derive(Args, Debug)]
pub struct SamlUrls {}

impl Cmd for SamlUrls {
    const NAME: &'static str = "saml-urls";
    const PARENTS: &'static [Parent] = &[Parent::Auth];
    fn run(self, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
        let creds = cx.creds()?;
        let client = auth_client(&creds, None, ProtocolArg::Oidc)?;
        cx.print(&json!({
            "login_url": client.saml_login_url(),
            "metadata_url": client.saml_metadata_url(),
        }))
    }
}
