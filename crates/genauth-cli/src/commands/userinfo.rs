//! `genauth auth get-user-info-by-access-token`.

use clap::Args;
use genauth_core::protocol::{TokenPlacement, UserInfoMethod};
use genauth_core::{AuthenticationConfig, SecretString};
use serde_json::Value;

use super::protocol::{run_call, secret_or, to_json, DryRun, ProtocolCall};
use super::{Cmd, Cx, Parent};
use crate::creds::Creds;
use crate::Failure;

/// The OIDC userinfo of the access token (--access-token, else the logged-in user's)
#[derive(Args, Debug)]
pub struct UserInfo {
    #[command(flatten)]
    dry: DryRun,
}

impl ProtocolCall for UserInfo {
    fn request(
        &self,
        config: &AuthenticationConfig,
        creds: &Creds,
        hide: &dyn Fn(SecretString) -> SecretString,
    ) -> Result<http::Request<genauth_core::Body>, Failure> {
        let token = secret_or(
            None,
            creds.access_token.as_ref(),
            "access-token",
            "access token",
        )?;
        Ok(config.get_user_info_request(
            &hide(token),
            UserInfoMethod::Get,
            TokenPlacement::Header,
        )?)
    }
    fn output(&self, resp: http::Response<bytes::Bytes>) -> Result<Value, Failure> {
        Ok(to_json(
            &genauth_core::protocol::userinfo::parse_user_info_response(resp)?,
        ))
    }
}

impl Cmd for UserInfo {
    const NAME: &'static str = "get-user-info-by-access-token";
    const PARENTS: &'static [Parent] = &[Parent::Auth];
    fn run(self, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
        run_call(&self, &self.dry, cx)
    }
}
