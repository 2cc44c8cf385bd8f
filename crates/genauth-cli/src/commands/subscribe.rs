//! `genauth auth|mgmt subscribe`: events as JSON lines.

use clap::Args;
use serde_json::json;

use super::protocol::{auth_client, ProtocolArg};
use super::{Cmd, Cx, Parent};
use crate::{Failure, EXIT_API};

/// Subscribe to an event code on the events feed and print each event as one JSON line, until Ctrl-C or --count events
#[derive(Args, Debug)]
#[command(
    long_about = "Subscribe to an event code on the events feed and print each event as one JSON line \
     (`{\"code\": ..., \"payload\": ...}`), until Ctrl-C or --count events. \
     The management client signs the subscription with the access key; the \
     authentication client sends the end user's access token. The connection is \
     reopened when it drops (up to 10 times in a row, with backoff). The events host \
     is --websocket-host / GENAUTH_WEBSOCKET_HOST."
)]
pub struct Subscribe {
    /// The event code, e.g. `myapp.order.paid`
    #[arg(value_name = "EVENT_CODE")]
    event_code: String,
    /// Stop after N events
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    count: Option<u64>,
}

fn events_failure(code: &str, e: genauth_events::EventsError) -> Failure {
    use genauth_events::EventsError as E;
    let e = match e {
        E::Sdk(inner) => return Failure::from(inner),
        E::MissingToken => {
            return Failure::usage(format!(
                "subscribing to `{code}` as an end user needs an access token: pass --access-token, set GENAUTH_ACCESS_TOKEN or run `genauth login`"
            ))
        }
        other => other,
    };
    // Refused credentials or a server that broke the handshake rules: an API
    // error; anything else: the connection.
    let message = format!("the subscription to `{code}` failed: {e}");
    if matches!(e, E::Handshake(_)) {
        Failure {
            code: EXIT_API,
            message,
        }
    } else {
        Failure::transport(message)
    }
}

impl Cmd for Subscribe {
    const NAME: &'static str = "subscribe";
    const PARENTS: &'static [Parent] = &[Parent::Auth, Parent::Mgmt];
    fn run(self, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
        let mut creds = cx.creds()?;
        let code = self.event_code;
        let mgmt = cx.parent == Parent::Mgmt;
        if !mgmt {
            cx.fresh_session(&mut creds)?;
        }
        let rt = cx.runtime;
        let io = &mut *cx.io;
        rt.block_on(async move {
            use futures_util::StreamExt as _;
            use genauth_events::SubscribeExt as _;
            let mut stream = if mgmt {
                genauth_tower::ManagementClient::new(creds.mgmt_options()?)?.subscribe(code.clone())
            } else {
                auth_client(&creds, None, ProtocolArg::Oidc)?.subscribe(code.clone())
            };
            // Registered now (on the first poll), so a Ctrl-C at any later point
            // stops the loop instead of killing the process; if it cannot be
            // registered, only --count or the feed ends the command.
            let mut ctrl_c = Box::pin(async {
                if tokio::signal::ctrl_c().await.is_err() {
                    std::future::pending::<()>().await;
                }
            });
            let _ = futures_util::FutureExt::now_or_never(&mut ctrl_c);
            tokio::select! {
                connected = stream.wait_connected() => if connected {
                    let _ = writeln!(io.err, "genauth: subscribed to `{code}`; Ctrl-C stops");
                    let _ = io.err.flush();
                },
                _ = &mut ctrl_c => return Ok(()),
            }
            let mut seen: u64 = 0;
            while self.count.is_none_or(|n| seen < n) {
                let item = tokio::select! {
                    item = stream.next() => item,
                    _ = &mut ctrl_c => break,
                };
                match item {
                    Some(Ok(event)) => {
                        let line = json!({ "code": event.code, "payload": event.payload });
                        writeln!(io.out, "{line}").map_err(Failure::write)?;
                        io.out.flush().map_err(Failure::write)?;
                        seen += 1;
                    }
                    Some(Err(e)) => return Err(events_failure(&code, e)),
                    None => {
                        return Err(Failure::transport(format!(
                            "the subscription to `{code}` ended"
                        )))
                    }
                }
            }
            Ok(())
        })
    }
}
