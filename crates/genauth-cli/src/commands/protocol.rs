//! What the protocol commands share: the authentication client of the
//! credentials, `--dry-run`, and sending a request built by `genauth-core`.

use clap::Args;
use genauth_core::{AuthenticationConfig, SecretString};
use genauth_tower::AuthenticationClient;
use serde_json::Value;

use super::Cx;
use crate::creds::Creds;
use crate::{dryrun, Failure};

/// `--dry-run` and `--show-secrets`.
#[derive(Args, Debug, Clone, Default)]
pub struct DryRun {
    /// Print the exact HTTP request and send nothing
    #[arg(long)]
    pub dry_run: bool,
    /// With --dry-run, print secrets instead of [redacted]
    #[arg(long)]
    pub show_secrets: bool,
}

/// The app's protocol.
#[derive(clap::ValueEnum, Debug, Clone, Copy, Default)]
pub enum ProtocolArg {
    /// OpenID Connect.
    #[default]
    Oidc,
    /// OAuth 2.0.
    Oauth,
    /// SAML 2.0.
    Saml,
    /// CAS.
    Cas,
}

/// The authentication client of `creds`, with a redirect URI and a protocol.
pub fn auth_client(
    creds: &Creds,
    redirect_uri: Option<String>,
    protocol: ProtocolArg,
) -> Result<AuthenticationClient, Failure> {
    use genauth_core::Protocol;
    let mut o = creds.auth_options()?;
    if let Some(uri) = redirect_uri {
        o = o.redirect_uri(uri);
    }
    o = o.protocol(match protocol {
        ProtocolArg::Oauth => Protocol::Oauth,
        ProtocolArg::Saml => Protocol::Saml,
        ProtocolArg::Cas => Protocol::Cas,
        ProtocolArg::Oidc => Protocol::Oidc,
    });
    Ok(AuthenticationClient::new(o)?)
}

/// A secret given as a flag, else `fallback`.
pub fn secret_or(
    given: Option<&String>,
    fallback: Option<&SecretString>,
    flag: &str,
    what: &str,
) -> Result<SecretString, Failure> {
    given
        .map(|s| SecretString::from(s.as_str()))
        .or_else(|| fallback.cloned())
        .ok_or_else(|| {
            Failure::usage(format!(
                "no {what}: pass --{flag}, or log in with `genauth login`"
            ))
        })
}

/// A protocol request and the reading of its answer.
pub trait ProtocolCall {
    /// The redirect URI the client is built with.
    fn redirect_uri(&self) -> Option<String> {
        None
    }
    /// The request; `hide` turns each secret into what is sent or printed.
    fn request(
        &self,
        config: &AuthenticationConfig,
        creds: &Creds,
        hide: &dyn Fn(SecretString) -> SecretString,
    ) -> Result<http::Request<genauth_core::Body>, Failure>;
    /// The output of the answer.
    fn output(&self, response: http::Response<bytes::Bytes>) -> Result<Value, Failure>;
}

/// Prints the request (`--dry-run`) or sends it and prints the output.
pub fn run_call(call: &dyn ProtocolCall, dry: &DryRun, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
    let mut creds = cx.creds()?;
    let show = dry.show_secrets;
    if dry.dry_run {
        let shown = dryrun::creds_for(&creds, show);
        let client = auth_client(&shown, call.redirect_uri(), ProtocolArg::Oidc)?;
        let req = call.request(client.config(), &creds, &|v| dryrun::secret_for(v, show))?;
        let text = dryrun::render_http(&req, show, &creds, false);
        return cx.io.out.write_all(text.as_bytes()).map_err(Failure::write);
    }
    cx.fresh_session(&mut creds)?;
    let client = auth_client(&creds, call.redirect_uri(), ProtocolArg::Oidc)?;
    let req = call.request(client.config(), &creds, &|v| v)?;
    let resp = cx.runtime.block_on(client.send_http(req))?;
    let value = call.output(resp)?;
    cx.print(&value)
}

/// A value as JSON.
pub fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}
