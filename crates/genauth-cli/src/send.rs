//! Sending an invocation and printing what comes back.

use futures_util::StreamExt as _;
use genauth_tower::{AuthenticationClient, ManagementClient};

use crate::table::{ArgsError, PageStream, Side};
use crate::{Failure, Invocation, Io, EXIT_TRANSPORT};

fn write_err(e: std::io::Error) -> Failure {
    Failure {
        code: EXIT_TRANSPORT,
        message: format!("cannot write the output: {e}"),
    }
}

async fn print_pages(mut pages: PageStream<'_>, io: &mut Io<'_>) -> Result<(), Failure> {
    // The bar draws on stderr only when it is a terminal.
    let bar = if io.err_tty {
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} items ({per_sec}, {elapsed})",
        ) {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    while let Some(page) = pages.next().await {
        let (items, total) = match page {
            Ok(p) => p,
            Err(e) => {
                bar.abandon();
                return Err(e.into());
            }
        };
        if let Ok(total) = u64::try_from(total) {
            bar.set_length(total.max(bar.position() + items.len() as u64));
        }
        for item in items {
            let line = serde_json::to_string(&item).map_err(|e| Failure::usage(e.to_string()))?;
            writeln!(io.out, "{line}").map_err(write_err)?;
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    io.out.flush().map_err(write_err)
}

/// Sends `inv` and prints the output (or every item with `--all`).
pub async fn run(inv: &Invocation, io: &mut Io<'_>) -> Result<(), Failure> {
    let json = serde_json::to_string(&inv.args).map_err(|e| Failure::usage(e.to_string()))?;
    let value = match inv.op.side {
        Side::Auth { build, pages } => {
            let client = AuthenticationClient::new(inv.creds.auth_options()?)?;
            if inv.all {
                let pages = pages.ok_or_else(|| Failure::usage("this operation has no pages"))?;
                return print_pages(pages(&client, &json), io).await;
            }
            let req = build(&json, client.config(), inv.creds.access_token.as_ref())?;
            let resp = client.send_http(req).await?;
            (inv.op.decode)(resp)?
        }
        Side::Mgmt { build, pages } => {
            let client = ManagementClient::new(inv.creds.mgmt_options()?)?;
            if inv.all {
                let pages = pages.ok_or_else(|| Failure::usage("this operation has no pages"))?;
                return print_pages(pages(&client, &json), io).await;
            }
            let req = build(&json, client.config())?;
            let resp = client.send_http(req).await.map_err(ArgsError::from)?;
            (inv.op.decode)(resp)?
        }
    };
    crate::print_json(io, &value)
}
