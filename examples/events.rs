//! The events feed, offline: the GenAuth emulator on 127.0.0.1 stands in for
//! the GenAuth events service. The management client subscribes, a signed-in
//! end user publishes, and the subscription survives the emulator dropping
//! its socket.
//!
//! Run with `cargo run --example events`.

use std::time::Duration;

use futures_util::StreamExt as _;
use genauth::{
    AuthenticationClient, AuthenticationClientOptions, ManagementClient, ManagementClientOptions,
};
use genauth_emulator::{
    Emulator, TestUser, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
};
use genauth_events::{ReconnectPolicy, SubscribeExt as _};
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emu = Emulator::builder()
        .user(TestUser::email("ann@example.com").with_password("demo-password"))
        .start()
        .await?;
    println!(
        "emulator at {} (events at {})",
        emu.url(),
        emu.websocket_url()
    );

    // The management client signs its subscription with the access key.
    let admin = ManagementClient::new(
        ManagementClientOptions::new(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
            .host(emu.url())
            .websocket_host(emu.websocket_url()),
    )?;
    let policy = ReconnectPolicy::default()
        .initial_backoff(Duration::from_millis(50))
        .max_retries(5);
    let mut events = admin.subscribe_with("demo.order.paid", policy);
    if !events.wait_connected().await {
        return Err("the subscription could not connect".into());
    }
    println!("subscribed to {}", events.event_code());

    // The end user signs in; the authentication client publishes with the
    // access token it got.
    let user = AuthenticationClient::new(
        AuthenticationClientOptions::new(DEFAULT_APP_ID, emu.url())
            .app_secret(DEFAULT_APP_SECRET)
            .websocket_host(emu.websocket_url()),
    )?;
    let tokens = user
        .sign_in_by_email_password("ann@example.com", "demo-password")
        .await?;
    let token = tokens
        .access_token
        .ok_or("the sign-in gave no access token")?;
    user.set_access_token(token);
    let result = user
        .put_event(
            "demo.order.paid",
            &json!({"orderId": "o-1001", "amount": 42}),
        )
        .await?;
    println!("published: success = {}", result.success);

    if let Some(event) = events.next().await {
        let event = event?;
        println!("received {}: {}", event.code, event.payload);
    }

    // The emulator drops every socket; the subscription reconnects by itself.
    emu.drop_event_sockets();
    while emu.event_connections_accepted() < 2 || emu.event_subscribers("demo.order.paid") == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    println!("reconnected after the emulator dropped the socket");
    user.put_event(
        "demo.order.paid",
        &json!({"orderId": "o-1002", "amount": 7}),
    )
    .await?;
    if let Some(event) = events.next().await {
        let event = event?;
        println!("received {}: {}", event.code, event.payload);
    }

    // Dropping the stream closes the socket.
    drop(events);
    Ok(())
}
