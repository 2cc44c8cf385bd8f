//! A webhook receiver in axum, run offline against the emulator.
//!
//! The handler checks each delivery with `genauth_core::webhook::verify`
//! (the secret header, compared in constant time; the size; the payload) and
//! answers 401 to a delivery with a missing or wrong secret, 413 to an
//! oversized one and 400 to one it cannot read. The emulator stands in for
//! GenAuth: it is configured to deliver to this receiver, and the program then
//! creates, updates and deletes a user and signs one in, and prints the four
//! events the receiver gets.
//!
//! Run with `cargo run --example webhook_receiver`. In an application, mount
//! `webhook_handler` on the URL configured in the console and keep the secret
//! out of the source.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use genauth::{
    AuthenticationClient, AuthenticationClientOptions, ManagementClient, ManagementClientOptions,
    SecretString,
};
use genauth_core::webhook::{self, WebhookError, WebhookEvent};
use genauth_emulator::{
    Emulator, TestUser, Webhook, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
};
use tokio::sync::mpsc;

#[derive(Clone)]
struct Receiver {
    secret: SecretString,
    events: mpsc::UnboundedSender<WebhookEvent>,
}

/// Verifies one delivery and hands its event over.
async fn webhook_handler(
    State(rx): State<Receiver>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    match webhook::verify(&headers, &body, &rx.secret) {
        Ok(delivery) => {
            let _ = rx.events.send(delivery.event);
            (StatusCode::OK, "ok".into())
        }
        Err(e) => {
            let status = match e {
                WebhookError::MissingSecret | WebhookError::WrongSecret => StatusCode::UNAUTHORIZED,
                WebhookError::Oversized { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                WebhookError::UnsupportedContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                _ => StatusCode::BAD_REQUEST,
            };
            (status, e.to_string())
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = "webhook-secret-from-the-console";
    let (tx, mut events) = mpsc::unbounded_channel();
    let app = Router::new()
        .route("/webhooks/genauth", post(webhook_handler))
        .layer(DefaultBodyLimit::max(webhook::DEFAULT_MAX_BODY))
        .with_state(Receiver {
            secret: SecretString::from(secret.to_owned()),
            events: tx,
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/webhooks/genauth", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    println!("webhook receiver at {url}");

    let emu = Emulator::builder()
        .user(TestUser::email("ann@example.com").with_password("demo-password"))
        .webhook(Webhook::new(url.clone(), secret))
        .start()
        .await?;
    println!("emulator at {}, delivering to the receiver", emu.url());

    let admin = ManagementClient::new(
        ManagementClientOptions::new(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
            .host(emu.url()),
    )?;
    let app_client = AuthenticationClient::new(
        AuthenticationClientOptions::new(DEFAULT_APP_ID, emu.url()).app_secret(DEFAULT_APP_SECRET),
    )?;

    let bob = admin
        .create_user()
        .email("bob@example.com")
        .nickname("Bob")
        .await?;
    admin
        .update_user(bob.user_id.clone())
        .nickname("Robert")
        .await?;
    app_client
        .sign_in_by_email_password("ann@example.com", "demo-password")
        .await?;
    admin.delete_users_batch(vec![bob.user_id.clone()]).await?;

    for _ in 0..4 {
        let event = tokio::time::timeout(Duration::from_secs(10), events.recv())
            .await?
            .ok_or("the receiver stopped")?;
        match &event {
            WebhookEvent::Register(u) => {
                println!("register: {} <{}>", u.id, u.email.as_deref().unwrap_or("-"))
            }
            WebhookEvent::UserUpdated(u) => println!(
                "user:updated: {} changed {:?}",
                u.user.id,
                u.updates.keys().collect::<Vec<_>>()
            ),
            WebhookEvent::Login(u) => {
                println!("login: {} <{}>", u.id, u.email.as_deref().unwrap_or("-"))
            }
            WebhookEvent::Other { event_name, data } => {
                println!("{event_name} (not a documented event): {data}")
            }
            other => println!("{}: {other:?}", other.name()),
        }
    }

    // A forged delivery (no secret) is refused with 401.
    let forged = post_without_secret(&url).await?;
    println!("a delivery without the secret gets HTTP {forged}");
    Ok(())
}

/// Sends one delivery without the secret header, over a raw connection.
async fn post_without_secret(url: &str) -> Result<u16, Box<dyn std::error::Error>> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let uri: axum::http::Uri = url.parse()?;
    let authority = uri.authority().ok_or("no host")?.as_str().to_owned();
    let mut s = tokio::net::TcpStream::connect(&authority).await?;
    let body = r#"{"eventName":"login","data":{"id":"u-forged"}}"#;
    let req = format!(
        "POST {} HTTP/1.1\r\nhost: {authority}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        uri.path(),
        body.len()
    );
    s.write_all(req.as_bytes()).await?;
    let mut answer = String::new();
    s.read_to_string(&mut answer).await?;
    Ok(answer
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or("no status")?)
}
