//! `genauth auth sign-up-with`: the library's sign-up shortcuts, sent as `sign_up`.

use clap::{ArgGroup, Args};
use genauth_core::SecretString;

use super::protocol::{auth_client, DryRun, ProtocolArg};
use super::sign_in::op_args;
use super::{Cmd, Cx, Parent};
use crate::{Failure, Invocation};

/// Sign up with a password or a pass code (sign_up)
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("who").args(["email", "phone", "username"]).required(true)))]
#[command(group(ArgGroup::new("proof").args(["password", "pass_code"]).required(true)))]
pub struct SignUpWith {
    /// The email address
    #[arg(long)]
    email: Option<String>,
    /// The phone number (with --pass-code)
    #[arg(long)]
    phone: Option<String>,
    /// The username (with --password)
    #[arg(long)]
    username: Option<String>,
    /// The password (a secret)
    #[arg(long, allow_hyphen_values = true)]
    password: Option<String>,
    /// The pass code (a secret)
    #[arg(long, allow_hyphen_values = true)]
    pass_code: Option<String>,
    /// The phone country code, e.g. +86
    #[arg(long, allow_hyphen_values = true)]
    phone_country_code: Option<String>,
    #[command(flatten)]
    dry: DryRun,
}

impl Cmd for SignUpWith {
    const NAME: &'static str = "sign-up-with";
    const PARENTS: &'static [Parent] = &[Parent::Auth];
    fn run(self, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
        let creds = cx.creds()?;
        let client = auth_client(&creds, None, ProtocolArg::Oidc)?;
        let pw = self.password.map(SecretString::from);
        let code = self.pass_code.map(SecretString::from);
        let cc = self.phone_country_code.as_deref();
        let op = match (self.email, self.phone, self.username, pw, code) {
            (Some(e), _, _, Some(p), _) => client.sign_up_by_email_password(e, p),
            (_, _, Some(u), Some(p), _) => client.sign_up_by_username_password(u, p),
            (Some(e), _, _, None, Some(c)) => client.sign_up_by_email_passcode(e, c),
            (_, Some(ph), _, None, Some(c)) => client.sign_up_by_phone_passcode(ph, c, cc),
            _ => {
                return Err(Failure::usage(
                    "sign-up-with: a password goes with --email or --username, a pass code with --email or --phone",
                ))
            }
        }
        .into_op();
        let inv = Invocation {
            op: crate::find_op("auth", "sign-up")
                .ok_or_else(|| Failure::usage("no operation sign-up"))?,
            args: op_args(&op)?,
            creds,
            dry_run: self.dry.dry_run,
            show_secrets: self.dry.show_secrets,
            all: false,
        };
        crate::operation::finish(inv, cx)
    }
}
