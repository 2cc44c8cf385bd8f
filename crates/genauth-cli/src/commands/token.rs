//! `genauth token decode|verify`.

use clap::{Args, Subcommand};

use super::protocol::{auth_client, to_json, ProtocolArg};
use super::{Cmd, Cx, Parent};
use crate::Failure;

/// Read or verify a JWT
#[derive(Args, Debug)]
pub struct Token {
    #[command(subcommand)]
    what: TokenCommand,
}

#[derive(Subcommand, Debug)]
enum TokenCommand {
    /// Print a JWT's header and claims without checking anything
    Decode {
        /// The JWT
        jwt: String,
    },
    /// Verify a JWT against the app's key set (signature, issuer, audience, times)
    Verify {
        /// The JWT
        jwt: String,
        /// Verify it as an access token (default: an ID token)
        #[arg(long)]
        access: bool,
        /// The nonce an ID token must carry
        #[arg(long, allow_hyphen_values = true)]
        nonce: Option<String>,
    },
}

impl Cmd for Token {
    const NAME: &'static str = "token";
    const PARENTS: &'static [Parent] = &[Parent::Top];
    fn run(self, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
        let value = match self.what {
            TokenCommand::Decode { jwt } => crate::jwt::decode(&jwt)?.to_json(),
            TokenCommand::Verify { jwt, access, nonce } => {
                let creds = cx.creds()?;
                let client = auth_client(&creds, None, ProtocolArg::Oidc)?;
                let claims = cx.runtime.block_on(async {
                    if access {
                        client.verify_access_token(jwt.trim()).await
                    } else {
                        client.verify_id_token(jwt.trim(), nonce.as_deref()).await
                    }
                })?;
                to_json(&claims)
            }
        };
        cx.print(&value)
    }
}
