//! Lazy paging: a list call as a stream of items or pages, a single page with
//! `.page(n)` / `.page_size(n)`, and `collect_all`, with no `futures-util` in
//! the application (`genauth::paginate::prelude` re-exports the stream traits).
//!
//! Run it with `cargo run --example paging` (offline: it starts the GenAuth
//! emulator on 127.0.0.1).

use std::error::Error as StdError;

use genauth::paginate::prelude::*;
use genauth::{ManagementClient, ManagementClientOptions};
use genauth_emulator::{Emulator, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET};

type Result<T> = std::result::Result<T, Box<dyn StdError + Send + Sync>>;

#[tokio::main]
async fn main() -> Result<()> {
    let emulator = Emulator::builder().start().await?;
    let client = ManagementClient::new(
        ManagementClientOptions::new(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
            .host(emulator.url()),
    )?;
    for n in 1..=7 {
        client
            .create_user()
            .email(format!("pager{n}@example.com"))
            .await?;
    }

    // One page: page 2 of pages of 3 users.
    let page = client
        .list_users()
        .keywords("pager")
        .page(2)
        .page_size(3)
        .await?;
    println!(
        "page 2 holds {} of {} users",
        page.list.len(),
        page.total_count
    );

    // Page after page, lazily: each page is requested when the previous one
    // has been consumed.
    let mut pages = std::pin::pin!(client.list_users().keywords("pager").page_size(3).pages());
    while let Some(page) = pages.try_next().await? {
        let emails: Vec<_> = page
            .list
            .iter()
            .filter_map(|u| u.email.as_deref())
            .collect();
        println!("a page of {}: {emails:?}", page.list.len());
    }

    // The first four items only: two requests of three, not three.
    let first: Vec<_> = client
        .list_users()
        .keywords("pager")
        .page_size(3)
        .items()
        .take(4)
        .try_collect()
        .await?;
    println!("first four: {}", first.len());

    // Everything, without any stream trait.
    let all = client
        .list_users()
        .keywords("pager")
        .page_size(3)
        .collect_all()
        .await?;
    println!("all: {} users", all.len());
    Ok(())
}
