//! The subscription against a hand-written server on 127.0.0.1: the exact
//! upgrade request on the wire, a bad handshake answer, a server that goes
//! silent, and a renewed user token picked up on reconnect.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt as _;
use genauth_core::events::{accept_key, HandshakeError};
use genauth_core::{AuthenticationClientOptions, ManagementClientOptions};
use genauth_events::{EventsError, ReconnectPolicy, SubscribeExt as _};
use genauth_tower::{AuthenticationClient, ManagementClient};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone, Copy)]
enum Behaviour {
    /// Answer the upgrade, then hold the socket without reading or writing.
    Hold,
    /// Answer the upgrade, then close the socket after a moment.
    DropAfter(Duration),
    /// Answer 101 with a wrong `Sec-WebSocket-Accept`.
    BadAccept,
}

struct RawServer {
    addr: SocketAddr,
    heads: Arc<Mutex<Vec<String>>>,
}

async fn read_head(stream: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await.unwrap_or(0) == 0 {
            break;
        }
        buf.push(byte[0]);
    }
    String::from_utf8_lossy(&buf).into_owned()
}

async fn raw_server(behaviour: impl Fn(usize) -> Behaviour + Send + 'static) -> RawServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    tokio::spawn(async move {
        let mut n = 0;
        while let Ok((mut stream, _)) = listener.accept().await {
            let head = read_head(&mut stream).await;
            let key = head
                .lines()
                .find_map(|l| l.strip_prefix("sec-websocket-key: "))
                .unwrap_or_default()
                .to_owned();
            seen.lock().unwrap().push(head);
            let b = behaviour(n);
            n += 1;
            let accept = match b {
                Behaviour::BadAccept => accept_key("some other key"),
                _ => accept_key(&key),
            };
            let answer = format!(
                "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: {accept}\r\n\r\n"
            );
            let _ = stream.write_all(answer.as_bytes()).await;
            match b {
                Behaviour::Hold => {
                    tokio::spawn(async move {
                        tokio::time::sleep(Duration::from_secs(30)).await;
                        drop(stream);
                    });
                }
                Behaviour::DropAfter(d) => {
                    tokio::spawn(async move {
                        tokio::time::sleep(d).await;
                        drop(stream);
                    });
                }
                Behaviour::BadAccept => drop(stream),
            }
        }
    });
    RawServer { addr, heads }
}

fn fast() -> ReconnectPolicy {
    ReconnectPolicy::default()
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(10))
        .connect_timeout(Duration::from_secs(2))
}

async fn next(
    s: &mut genauth_events::EventStream,
) -> Option<Result<genauth_events::Event, EventsError>> {
    tokio::time::timeout(Duration::from_secs(5), s.next())
        .await
        .expect("the stream yields within 5 s")
}

#[tokio::test]
async fn the_management_upgrade_on_the_wire_is_signed() {
    let server = raw_server(|_| Behaviour::BadAccept).await;
    let client = ManagementClient::new(
        ManagementClientOptions::new("ak-wire", "test-access-key-secret")
            .websocket_host(format!("http://{}", server.addr)),
    )
    .unwrap();
    let mut s = client.subscribe_with("user.created", ReconnectPolicy::never());
    match next(&mut s).await {
        Some(Err(EventsError::GaveUp { retries: 0, last })) => assert!(
            matches!(
                *last,
                EventsError::Handshake(HandshakeError::Invalid("wrong `Sec-WebSocket-Accept`"))
            ),
            "{last:?}"
        ),
        other => panic!("expected a handshake failure, got {other:?}"),
    }
    let heads = server.heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 1);
    let head = &heads[0];
    assert!(
        head.starts_with("GET /events/v1/management/sub?code=user.created HTTP/1.1\r\n"),
        "{head}"
    );
    // base64(HMAC-SHA1("test-access-key-secret", "websocket\n")), computed with Python.
    assert!(
        head.contains("\r\nauthorization: genauth ak-wire:deZSHJfeiJNXp8KS1k+d7KtsnZI=\r\n"),
        "{head}"
    );
    for line in [
        format!("host: {}", server.addr),
        "upgrade: websocket".into(),
        "connection: Upgrade".into(),
        "sec-websocket-version: 13".into(),
        format!(
            "x-genauth-sdk-version: {}",
            genauth_core::SDK_VERSION_HEADER_VALUE
        ),
    ] {
        assert!(
            head.contains(&format!("\r\n{line}\r\n")),
            "{line} in {head}"
        );
    }
}

#[tokio::test]
async fn a_silent_server_is_noticed_through_pings() {
    let server = raw_server(|_| Behaviour::Hold).await;
    let client = ManagementClient::new(
        ManagementClientOptions::new("ak", "sk").websocket_host(format!("ws://{}", server.addr)),
    )
    .unwrap();
    let policy = fast()
        .max_retries(1)
        .ping_interval(Some(Duration::from_millis(40)));
    let mut s = client.subscribe_with("x", policy);
    assert!(s.wait_connected().await);
    match next(&mut s).await {
        Some(Err(EventsError::GaveUp { retries: 1, last })) => {
            assert!(
                matches!(*last, EventsError::Stale(d) if d >= Duration::from_millis(80)),
                "{last:?}"
            )
        }
        other => panic!("expected a stale connection, got {other:?}"),
    }
    // One first connection and one reconnect, both gone silent.
    assert_eq!(server.heads.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_renewed_user_token_is_used_on_reconnect() {
    let server = raw_server(|n| {
        if n == 0 {
            Behaviour::DropAfter(Duration::from_millis(100))
        } else {
            Behaviour::Hold
        }
    })
    .await;
    let client = AuthenticationClient::new(
        AuthenticationClientOptions::new("app", "app.example.com")
            .websocket_host(format!("ws://{}", server.addr))
            .access_token("first token"),
    )
    .unwrap();
    let mut s = client.subscribe_with("x", fast().ping_interval(None));
    assert!(s.wait_connected().await);
    client.set_access_token("second/token");
    let heads = server.heads.clone();
    for _ in 0..1000 {
        if heads.lock().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let heads = heads.lock().unwrap().clone();
    assert!(heads.len() >= 2, "{heads:?}");
    assert!(
        heads[0].starts_with(
            "GET /events/v1/authentication/sub?code=x&token=first%20token HTTP/1.1\r\n"
        ),
        "{}",
        heads[0]
    );
    assert!(
        heads[1].starts_with(
            "GET /events/v1/authentication/sub?code=x&token=second%2Ftoken HTTP/1.1\r\n"
        ),
        "{}",
        heads[1]
    );
    assert!(!heads[1].contains("authorization:"), "{}", heads[1]);
}

#[tokio::test]
async fn a_server_that_accepts_and_drops_at_once_still_exhausts_the_limit() {
    let server = raw_server(|_| Behaviour::DropAfter(Duration::ZERO)).await;
    let client = ManagementClient::new(
        ManagementClientOptions::new("ak", "sk").websocket_host(format!("ws://{}", server.addr)),
    )
    .unwrap();
    let mut s = client.subscribe_with("x", fast().max_retries(2));
    match next(&mut s).await {
        Some(Err(EventsError::GaveUp { retries: 2, last })) => assert!(
            matches!(*last, EventsError::Closed | EventsError::WebSocket(_)),
            "{last:?}"
        ),
        other => panic!("expected GaveUp, got {other:?}"),
    }
    assert!(next(&mut s).await.is_none());
    assert_eq!(server.heads.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn odd_policies_do_not_panic() {
    let server = raw_server(|_| Behaviour::DropAfter(Duration::from_millis(20))).await;
    let client = ManagementClient::new(
        ManagementClientOptions::new("ak", "sk").websocket_host(format!("ws://{}", server.addr)),
    )
    .unwrap();
    for ping in [Some(Duration::ZERO), Some(Duration::MAX), None] {
        let policy = ReconnectPolicy::never()
            .ping_interval(ping)
            .initial_backoff(Duration::MAX)
            .max_backoff(Duration::MAX);
        let mut s = client.subscribe_with("x", policy);
        assert!(s.wait_connected().await);
        assert!(matches!(
            next(&mut s).await,
            Some(Err(EventsError::GaveUp { retries: 0, .. }))
        ));
    }
}
