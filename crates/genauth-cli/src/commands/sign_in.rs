//! `genauth auth sign-in`: the library's sign-in shortcuts, sent as
//! `sign_in_by_credentials`.

use clap::{ArgGroup, Args};
use genauth_core::SecretString;
use serde_json::Value;

use super::protocol::{auth_client, DryRun, ProtocolArg};
use super::{Cmd, Cx, Parent};
use crate::{Failure, Invocation};

/// Sign in with a password or a pass code (sign_in_by_credentials)
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("who").args(["email", "phone", "username", "account"]).required(true)))]
#[command(group(ArgGroup::new("proof").args(["password", "pass_code"]).required(true)))]
pub struct SignIn {
    /// The email address
    #[arg(long)]
    email: Option<String>,
    /// The phone number
    #[arg(long)]
    phone: Option<String>,
    /// The username (with --password)
    #[arg(long)]
    username: Option<String>,
    /// Any account name (with --password)
    #[arg(long)]
    account: Option<String>,
    /// The password (a secret)
    #[arg(long, allow_hyphen_values = true)]
    password: Option<String>,
    /// The pass code sent by email or SMS (a secret)
    #[arg(long, allow_hyphen_values = true)]
    pass_code: Option<String>,
    /// The phone country code, e.g. +86
    #[arg(long, allow_hyphen_values = true)]
    phone_country_code: Option<String>,
    #[command(flatten)]
    dry: DryRun,
}

/// An operation's arguments as the JSON object the table reads.
pub fn op_args<T: serde::Serialize>(op: &T) -> Result<serde_json::Map<String, Value>, Failure> {
    match serde_json::to_value(op) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Failure::usage("the shortcut did not make a JSON object")),
    }
}

impl Cmd for SignIn {
    const NAME: &'static str = "sign-in";
    const PARENTS: &'static [Parent] = &[Parent::Auth];
    fn run(self, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
        let creds = cx.creds()?;
        let client = auth_client(&creds, None, ProtocolArg::Oidc)?;
        let pw = self.password.map(SecretString::from);
        let code = self.pass_code.map(SecretString::from);
        let cc = self.phone_country_code.as_deref();
        let op = match (
            self.email,
            self.phone,
            self.username,
            self.account,
            pw,
            code,
        ) {
            (Some(e), _, _, _, Some(p), _) => client.sign_in_by_email_password(e, p),
            (_, Some(ph), _, _, Some(p), _) => client.sign_in_by_phone_password(ph, p),
            (_, _, Some(u), _, Some(p), _) => client.sign_in_by_username_password(u, p),
            (_, _, _, Some(a), Some(p), _) => client.sign_in_by_account_password(a, p),
            (Some(e), _, _, _, None, Some(c)) => client.sign_in_by_email_passcode(e, c),
            (_, Some(ph), _, _, None, Some(c)) => client.sign_in_by_phone_passcode(ph, c, cc),
            _ => {
                return Err(Failure::usage(
                    "sign-in: a pass code goes with --email or --phone",
                ))
            }
        }
        .into_op();
        let inv = Invocation {
            op: crate::find_op("auth", "sign-in-by-credentials")
                .ok_or_else(|| Failure::usage("no operation sign-in-by-credentials"))?,
            args: op_args(&op)?,
            creds,
            dry_run: self.dry.dry_run,
            show_secrets: self.dry.show_secrets,
            all: false,
        };
        crate::operation::finish(inv, cx)
    }
}
