//! `genauth login`: the OIDC code flow with PKCE through a loopback redirect;
//! the tokens go to the secret store.

use std::time::Duration;

use clap::Args;
use genauth_core::protocol::AuthorizeParams;
use serde_json::json;

use super::profiles::update_profile;
use super::protocol::{auth_client, ProtocolArg};
use super::{Cmd, Cx, Parent};
use crate::loopback::Loopback;
use crate::session::{now_secs, Session};
use crate::Failure;

/// Sign in through the browser (OIDC code flow with PKCE, loopback redirect on 127.0.0.1) and keep the tokens in the OS keyring
#[derive(Args, Debug)]
pub struct Login {
    /// The loopback port (default: any free port); the app must accept http://127.0.0.1:PORT/callback
    #[arg(long)]
    port: Option<u16>,
    /// The scope
    #[arg(long, default_value = "openid profile email phone offline_access")]
    scope: String,
    /// Seconds to wait for the browser
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    timeout: u64,
    /// Print the URL only; open it in any browser, on this machine
    #[arg(long)]
    no_browser: bool,
}

/// Why a callback was refused, as the user should read it.
fn refused(e: genauth_core::Error) -> Failure {
    let f = Failure::from(e);
    Failure {
        code: f.code,
        message: format!("login refused: {}; nothing was stored", f.message),
    }
}

impl Cmd for Login {
    const NAME: &'static str = "login";
    const PARENTS: &'static [Parent] = &[Parent::Top];
    fn run(self, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
        let creds = cx.creds_with(false)?;
        let dir = creds.dir.clone().ok_or_else(|| {
            Failure::usage("login keeps its profile in the config directory, but there is none (set HOME or GENAUTH_CONFIG_DIR)")
        })?;
        let rt = cx.runtime;
        let loopback = rt.block_on(Loopback::bind(self.port.unwrap_or(0)))?;
        let client = auth_client(
            &creds,
            Some(loopback.redirect_uri.clone()),
            ProtocolArg::Oidc,
        )?;
        let start = client.start_redirect_login(AuthorizeParams {
            scope: Some(self.scope),
            ..Default::default()
        })?;
        let _ = writeln!(
            cx.io.err,
            "Open this URL in a browser to sign in:\n\n  {}\n",
            start.url
        );
        let _ = cx.io.err.flush();
        if !self.no_browser {
            (cx.io.open_url)(&start.url);
        }
        let outcome = rt.block_on(loopback.wait_callback(
            Duration::from_secs(self.timeout),
            |query| {
                let client = &client;
                let tx = &start.transaction;
                async move {
                    client
                        .handle_redirect_callback(&query, tx)
                        .await
                        .map_err(refused)
                }
            },
        ))?;
        let mut session = Session::from_tokens(&outcome.tokens, now_secs())?;
        session.sub = outcome.id_claims.as_ref().and_then(|c| c.sub.clone());
        let name = creds.profile.clone();
        let summary_session = session.clone();
        let place = update_profile(cx, &dir, &name, |p, s| {
            // The profile keeps what the next call needs without flags.
            for (k, v) in [
                ("app_id", creds.app_id.clone()),
                ("app_host", creds.app_host.clone()),
            ] {
                if let Some(v) = v {
                    p.insert(k.into(), v);
                }
            }
            if let Some(secret) = &creds.app_secret {
                s.values.insert("app_secret".into(), secret.clone());
            }
            s.session = Some(session);
            Ok(())
        })?;
        cx.print(&json!({
            "profile": name,
            "sub": summary_session.sub,
            "expires_at": summary_session.expires_at,
            "refresh_token": summary_session.refresh_token.is_some(),
            "secrets": place,
        }))
    }
}
