//! Matching typed errors: a business code (`ApiCode`), a class of outcome
//! (rate limited, token invalid, retryable) and the fields of an API error,
//! and the error's sentence (operation, host, cause, request id).
//!
//! Run it with `cargo run --example typed_errors` (offline: it starts the
//! GenAuth emulator on 127.0.0.1).

use std::error::Error as StdError;

use genauth::{ApiCode, Error, ManagementClient, ManagementClientOptions};
use genauth_emulator::{Emulator, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET};

type Result<T> = std::result::Result<T, Box<dyn StdError + Send + Sync>>;

/// The user's id, or `None` when there is no such user; other errors go up.
async fn find_user(
    client: &ManagementClient,
    id: &str,
) -> std::result::Result<Option<String>, Error> {
    match client.get_user(id).await {
        Ok(user) => Ok(Some(user.user_id)),
        Err(err) if err.api_code() == Some(ApiCode::UserNotFound) => Ok(None),
        Err(err) => Err(err),
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let emulator = Emulator::builder().start().await?;
    let client = ManagementClient::new(
        ManagementClientOptions::new(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
            .host(emulator.url()),
    )?;

    let created = client.create_user().email("ann@example.com").await?;
    println!("found: {:?}", find_user(&client, &created.user_id).await?);
    println!("missing: {:?}", find_user(&client, "no-such-user").await?);

    // The whole error, as a user would see it, and its parts.
    match client.get_user("no-such-user").await {
        Ok(_) => println!("unexpected: the user exists"),
        Err(Error::Api(api)) => {
            println!("sentence: {api}");
            println!(
                "statusCode {:?}, apiCode {:?}, request id {:?}, retryable {}",
                api.status_code,
                api.api_code,
                api.request_id,
                api.is_retryable()
            );
        }
        Err(other) => println!("another kind of error: {other}"),
    }

    // A bad key: the token endpoint refuses it, and the error says so.
    let wrong = ManagementClient::new(
        ManagementClientOptions::new(DEFAULT_ACCESS_KEY_ID, "not-the-secret").host(emulator.url()),
    )?;
    if let Err(err) = wrong.list_users().await {
        println!(
            "with a wrong secret: {err} (token invalid: {}, retryable: {})",
            err.is_token_invalid(),
            err.is_retryable()
        );
    }
    Ok(())
}
