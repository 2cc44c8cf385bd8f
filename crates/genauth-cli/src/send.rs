//! Sending an invocation and printing what comes back.

use futures_util::StreamExt as _;
use genauth_tower::{AuthenticationClient, ManagementClient};

use crate::commands::Cx;
use crate::output::ItemSink;
use crate::table::{ArgsError, PageStream, Side};
use crate::{Failure, Invocation};

async fn print_pages(mut pages: PageStream<'_>, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
    // The bar draws on stderr only when it is a terminal.
    let bar = if cx.io.err_tty {
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
    let mut sink = ItemSink::new(cx.global.output, &cx.global.fields);
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
            sink.item(cx.io, item)?;
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    sink.finish(cx.io)
}

/// Sends `inv` and prints the output (or every item with `--all`). A call
/// as the logged-in user that the service answers with a token rejection is
/// sent once more after a refresh of the tokens.
pub async fn run(inv: &mut Invocation, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
    let json = serde_json::to_string(&inv.args).map_err(|e| Failure::usage(e.to_string()))?;
    let value = match inv.op.side {
        Side::Auth { build, pages } => {
            let client = AuthenticationClient::new(inv.creds.auth_options()?)?;
            if inv.all {
                let pages = pages.ok_or_else(|| Failure::usage("this operation has no pages"))?;
                return print_pages(pages(&client, &json), cx).await;
            }
            let req = build(&json, client.config(), inv.creds.access_token.as_ref())?;
            let mut resp = client.send_http(req).await?;
            if inv.creds.session.is_some() && genauth_core::management_token::token_rejected(&resp)
            {
                let dir = inv.creds.dir.clone();
                crate::session::refresh(&mut inv.creds, cx.vaults(), dir.as_deref()).await?;
                let req = build(&json, client.config(), inv.creds.access_token.as_ref())?;
                resp = client.send_http(req).await?;
            }
            (inv.op.decode)(resp)?
        }
        Side::Mgmt { build, pages } => {
            let client = ManagementClient::new(inv.creds.mgmt_options()?)?;
            if inv.all {
                let pages = pages.ok_or_else(|| Failure::usage("this operation has no pages"))?;
                return print_pages(pages(&client, &json), cx).await;
            }
            let req = build(&json, client.config())?;
            let resp = client.send_http(req).await.map_err(ArgsError::from)?;
            (inv.op.decode)(resp)?
        }
    };
    cx.print(&value)
}
