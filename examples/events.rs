//! The events feed, offline: a local event hub on 127.0.0.1 stands in for
//! the GenAuth events service. The management client subscribes, the
//! authentication client publishes, and the subscription survives the hub
//! dropping its socket.
//!
//! Run with `cargo run --example events`.

use std::time::Duration;

use futures_util::StreamExt as _;
use genauth::{
    AuthenticationClient, AuthenticationClientOptions, ManagementClient, ManagementClientOptions,
};
use genauth_events::hub::EventHub;
use genauth_events::{ReconnectPolicy, SubscribeExt as _};
use serde_json::json;
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The local feed: it knows one access key and one end-user token.
    let hub = EventHub::new()
        .with_access_key("demo-access-key-id", "demo-access-key-secret")
        .with_user_tokens(|token| token == "demo-user-token");
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = hub.clone();
    tokio::spawn(async move { server.serve(listener).await });
    println!("event hub listening on {addr}");

    // The management client signs its subscription with the access key.
    let admin = ManagementClient::new(
        ManagementClientOptions::new("demo-access-key-id", "demo-access-key-secret")
            .host(format!("http://{addr}"))
            .websocket_host(format!("ws://{addr}")),
    )?;
    let policy = ReconnectPolicy::default()
        .initial_backoff(Duration::from_millis(50))
        .max_retries(5);
    let mut events = admin.subscribe_with("demo.order.paid", policy);
    if !events.wait_connected().await {
        return Err("the subscription could not connect".into());
    }
    println!("subscribed to {}", events.event_code());

    // The authentication client publishes as the end user.
    let user = AuthenticationClient::new(
        AuthenticationClientOptions::new("demo-app", format!("http://{addr}"))
            .websocket_host(format!("ws://{addr}"))
            .access_token("demo-user-token"),
    )?;
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

    // The hub drops every socket; the subscription reconnects by itself.
    hub.disconnect_all();
    while hub.connections_accepted() < 2 || hub.subscriber_count("demo.order.paid") == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    println!("reconnected after the hub dropped the socket");
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
