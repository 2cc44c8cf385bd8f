//! End to end: both clients subscribe to an [`EventHub`] on 127.0.0.1, publish
//! through the API, reconnect after the hub drops their sockets, give up after
//! the limit, and close their socket when the stream is dropped.

use std::convert::Infallible;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt as _;
use genauth_core::events::HandshakeError;
use genauth_core::{AuthenticationClientOptions, ManagementClientOptions};
use genauth_events::hub::EventHub;
use genauth_events::{ConnectionState, EventStream, EventsError, ReconnectPolicy, SubscribeExt};
use genauth_tower::{AuthenticationClient, ManagementClient};
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpListener;

const ACCESS_KEY_ID: &str = "ak-events-1";
const ACCESS_KEY_SECRET: &str = "sk-events-secret-0123456789";
/// base64(HMAC-SHA1(ACCESS_KEY_SECRET, "websocket\n")), computed with Python.
const SIGNATURE: &str = "qIiXqZpPhxK2urlQ0mXjBha8VtQ=";
const USER_TOKEN: &str = "user-token-abcdef-0123";
/// A JWT whose payload is `{"scoped_userpool_id":"pool-events"}`.
const MANAGEMENT_JWT: &str =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzY29wZWRfdXNlcnBvb2xfaWQiOiJwb29sLWV2ZW50cyJ9.c2ln";

fn hub() -> EventHub {
    EventHub::new()
        .with_access_key(ACCESS_KEY_ID, ACCESS_KEY_SECRET)
        .with_user_tokens(|t| t == USER_TOKEN)
        .with_management_tokens(|t| t == MANAGEMENT_JWT)
}

/// Serves `hub` plus a management token endpoint on 127.0.0.1.
async fn serve(hub: EventHub) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let hub = hub.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req: http::Request<hyper::body::Incoming>| {
                    let hub = hub.clone();
                    async move {
                        if req.uri().path() == "/api/v3/get-management-token" {
                            let body = json!({"statusCode":200,"message":"ok","data":{
                                "access_token": MANAGEMENT_JWT, "expires_in": 7200}});
                            return Ok::<_, Infallible>(http::Response::new(Full::new(
                                Bytes::from(body.to_string()),
                            )));
                        }
                        Ok(hub.handle(req).await)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .with_upgrades()
                    .await;
            });
        }
    });
    addr
}

fn management(addr: SocketAddr) -> ManagementClient {
    ManagementClient::new(
        ManagementClientOptions::new(ACCESS_KEY_ID, ACCESS_KEY_SECRET)
            .host(format!("http://{addr}"))
            .websocket_host(format!("ws://{addr}")),
    )
    .unwrap()
}

fn authentication(addr: SocketAddr) -> AuthenticationClient {
    AuthenticationClient::new(
        AuthenticationClientOptions::new("app-events", format!("http://{addr}"))
            // http:// becomes ws://.
            .websocket_host(format!("http://{addr}"))
            .access_token(USER_TOKEN),
    )
    .unwrap()
}

fn fast() -> ReconnectPolicy {
    ReconnectPolicy::default()
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
        .connect_timeout(Duration::from_secs(2))
}

async fn next(stream: &mut EventStream) -> Option<Result<genauth_events::Event, EventsError>> {
    tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .expect("the stream yields within 5 s")
}

async fn eventually(what: &str, f: impl Fn() -> bool) {
    for _ in 0..1000 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn each_client_receives_what_the_other_publishes() {
    let hub = hub();
    let addr = serve(hub.clone()).await;
    let mgmt = management(addr);
    let auth = authentication(addr);

    let mut paid = mgmt.subscribe("order.paid");
    let mut login = auth.subscribe("user.login");
    assert!(paid.wait_connected().await);
    assert!(login.wait_connected().await);
    assert_eq!(paid.state(), ConnectionState::Connected);

    let r = auth
        .put_event("order.paid", &json!({"orderId": "o-1", "amount": 12.5}))
        .await
        .unwrap();
    assert!(r.success);
    let ev = next(&mut paid).await.unwrap().unwrap();
    assert_eq!(ev.code, "order.paid");
    assert_eq!(ev.payload, json!({"orderId": "o-1", "amount": 12.5}));
    // The frame carries eventData as the JSON string the publisher sent.
    let raw: serde_json::Value = serde_json::from_str(&ev.raw).unwrap();
    let data = raw["eventData"].as_str().expect("eventData is a string");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(data).unwrap(),
        json!({"orderId": "o-1", "amount": 12.5})
    );

    #[derive(serde::Serialize)]
    struct Login<'a> {
        user_id: &'a str,
        mfa: bool,
    }
    let r = mgmt
        .put_event(
            "user.login",
            &Login {
                user_id: "u-9",
                mfa: true,
            },
        )
        .await
        .unwrap();
    assert!(r.success);
    let ev = next(&mut login).await.unwrap().unwrap();
    assert_eq!(
        (ev.code.as_str(), &ev.payload),
        ("user.login", &json!({"user_id":"u-9","mfa":true}))
    );
}

#[tokio::test]
async fn several_subscriptions_share_one_client() {
    let hub = hub();
    let addr = serve(hub.clone()).await;
    let mgmt = management(addr);
    let mut a1 = mgmt.subscribe("a");
    let mut a2 = mgmt.subscribe("a");
    let mut b = mgmt.subscribe("b");
    for s in [&mut a1, &mut a2, &mut b] {
        assert!(s.wait_connected().await);
    }
    assert_eq!(hub.subscriber_count("a"), 2);
    assert_eq!(hub.subscriber_count("b"), 1);

    assert_eq!(hub.publish("b", "\"for b\""), 1);
    assert_eq!(hub.publish("a", "\"first a\""), 2);
    assert_eq!(hub.publish("a", "\"second a\""), 2);
    for s in [&mut a1, &mut a2] {
        // Only a's events, in order: b's never arrives here.
        assert_eq!(next(s).await.unwrap().unwrap().payload, json!("first a"));
        assert_eq!(next(s).await.unwrap().unwrap().payload, json!("second a"));
    }
    assert_eq!(next(&mut b).await.unwrap().unwrap().payload, json!("for b"));
}

/// A tracing subscriber that writes every event and span field into a string.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<String>>);

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }
}

impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        attrs.record(&mut Fields(&mut self.0.lock().unwrap()));
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        values.record(&mut Fields(&mut self.0.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut out = self.0.lock().unwrap();
        let _ = write!(
            out,
            "{} {} ",
            event.metadata().level(),
            event.metadata().target()
        );
        event.record(&mut Fields(&mut out));
        out.push('\n');
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

fn assert_no_secrets(text: &str) {
    for secret in [USER_TOKEN, ACCESS_KEY_SECRET, SIGNATURE, MANAGEMENT_JWT] {
        assert!(!text.contains(secret), "a secret leaked into: {text}");
    }
}

// A current-thread runtime, so the recorder sees the spawned tasks' events.
#[tokio::test(flavor = "current_thread")]
async fn reconnects_after_the_server_drops_the_socket_and_logs_no_secret() {
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let hub = hub();
    let addr = serve(hub.clone()).await;
    let mgmt = management(addr);
    let auth = authentication(addr);
    let mut m = mgmt.subscribe_with("feed", fast());
    let mut a = auth.subscribe_with("feed", fast());
    assert!(m.wait_connected().await);
    assert!(a.wait_connected().await);
    assert_eq!(hub.connections_accepted(), 2);

    assert_eq!(hub.disconnect_all(), 2);
    eventually("both clients to reconnect", || {
        hub.connections_accepted() == 4 && hub.subscriber_count("feed") == 2
    })
    .await;
    assert_eq!(hub.publish("feed", "{\"after\":\"reconnect\"}"), 2);
    for s in [&mut m, &mut a] {
        let ev = next(s).await.unwrap().unwrap();
        assert_eq!(ev.payload, json!({"after": "reconnect"}));
        assert_eq!(s.state(), ConnectionState::Connected);
    }

    let logs = recorder.0.lock().unwrap().clone();
    let reconnects = logs
        .lines()
        .filter(|l| l.contains("reconnecting") && l.contains("event_code=feed"))
        .count();
    assert_eq!(reconnects, 2, "one reconnect per subscription: {logs}");
    assert!(logs.contains("attempt=1"), "{logs}");
    assert_no_secrets(&logs);
    assert_no_secrets(&format!("{m:?}{a:?}{mgmt:?}{auth:?}"));
}

#[tokio::test(flavor = "current_thread")]
async fn gives_up_after_the_limit_with_a_typed_error() {
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    // A port with nothing listening.
    let addr = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let mut s = authentication(addr).subscribe_with("x", fast().max_retries(3));
    match next(&mut s).await {
        Some(Err(EventsError::GaveUp { retries, last })) => {
            assert_eq!(retries, 3);
            assert!(matches!(*last, EventsError::Connect(_)), "{last:?}");
        }
        other => panic!("expected GaveUp, got {other:?}"),
    }
    assert!(next(&mut s).await.is_none());
    assert_eq!(s.state(), ConnectionState::Closed);
    assert!(!s.wait_connected().await);
    let logs = recorder.0.lock().unwrap().clone();
    assert_eq!(logs.matches("reconnecting").count(), 3, "{logs}");
    assert!(logs.contains("giving up"), "{logs}");
    assert_no_secrets(&logs);
}

#[tokio::test]
async fn the_server_loses_the_socket_when_the_stream_is_dropped() {
    let hub = hub();
    let addr = serve(hub.clone()).await;
    let mgmt = management(addr);
    let mut keep = mgmt.subscribe("c");
    let mut gone = mgmt.subscribe("c");
    assert!(keep.wait_connected().await);
    assert!(gone.wait_connected().await);
    assert_eq!(hub.subscriber_count("c"), 2);
    drop(gone);
    eventually("the hub to see the socket close", || {
        hub.subscriber_count("c") == 1
    })
    .await;
    // The other subscription of the same client is untouched.
    assert_eq!(hub.publish("c", "1"), 1);
    assert_eq!(next(&mut keep).await.unwrap().unwrap().payload, json!(1));
    drop(keep);
    eventually("the last socket to close", || {
        hub.subscriber_count("c") == 0
    })
    .await;
    assert_eq!(hub.connections_accepted(), 2);
}

#[tokio::test]
async fn refused_credentials_end_the_stream_without_retrying() {
    // A hub that knows neither the access key nor the token.
    let hub = EventHub::new().with_user_tokens(|t| t == "someone-else");
    let addr = serve(hub.clone()).await;
    for mut s in [
        management(addr).subscribe_with("x", fast()),
        authentication(addr).subscribe_with("x", fast()),
    ] {
        let err = next(&mut s).await.unwrap().unwrap_err();
        assert!(
            matches!(
                err,
                EventsError::Handshake(HandshakeError::Rejected { status: 401 })
            ),
            "{err:?}"
        );
        assert!(err.is_fatal());
        assert_no_secrets(&format!("{err} {err:?}"));
        assert!(next(&mut s).await.is_none());
    }
    assert_eq!(hub.connections_accepted(), 0);
}

#[tokio::test]
async fn a_wrong_signature_is_refused() {
    let hub = EventHub::new().with_access_key(ACCESS_KEY_ID, "another-secret");
    let addr = serve(hub.clone()).await;
    let mut s = management(addr).subscribe_with("x", ReconnectPolicy::never());
    let err = next(&mut s).await.unwrap().unwrap_err();
    assert!(matches!(
        err,
        EventsError::Handshake(HandshakeError::Rejected { status: 401 })
    ));
}

#[tokio::test]
async fn the_authentication_client_needs_a_token() {
    let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
    let client = authentication(addr);
    client.clear_access_token();
    let mut s = client.subscribe("x");
    assert!(matches!(
        next(&mut s).await,
        Some(Err(EventsError::MissingToken))
    ));
    assert!(next(&mut s).await.is_none());
    let mut s = management(addr).subscribe("");
    assert!(matches!(next(&mut s).await, Some(Err(EventsError::Sdk(_)))));
}

#[tokio::test]
async fn wss_against_a_plain_server_is_a_tls_error() {
    let hub = hub();
    let addr = serve(hub.clone()).await;
    let client = ManagementClient::new(
        ManagementClientOptions::new(ACCESS_KEY_ID, ACCESS_KEY_SECRET)
            .websocket_host(format!("wss://{addr}")),
    )
    .unwrap();
    let mut s = client.subscribe_with("x", ReconnectPolicy::never());
    match next(&mut s).await {
        Some(Err(EventsError::GaveUp { retries: 0, last })) => {
            assert!(matches!(*last, EventsError::Tls(_)), "{last:?}")
        }
        other => panic!("expected a TLS failure, got {other:?}"),
    }
}

#[tokio::test]
async fn publishing_with_a_wrong_token_is_an_api_error_without_the_token() {
    let hub = hub();
    let addr = serve(hub.clone()).await;
    let auth = authentication(addr);
    auth.set_access_token("not-the-right-token-xyz");
    let err = auth.put_event("x", &1).await.unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(!text.contains("not-the-right-token-xyz"), "{text}");
    assert!(
        err.as_api().is_some() || matches!(err, genauth_core::Error::Http(_)),
        "{text}"
    );
}

#[tokio::test]
async fn an_oversized_frame_fails_the_connection() {
    let hub = hub();
    let addr = serve(hub.clone()).await;
    let mut s = management(addr).subscribe_with("big", ReconnectPolicy::never());
    assert!(s.wait_connected().await);
    let huge = format!("\"{}\"", "x".repeat(genauth_events::MAX_EVENT_SIZE + 1));
    assert_eq!(hub.publish("big", &huge), 1);
    match next(&mut s).await {
        Some(Err(EventsError::GaveUp { retries: 0, last })) => {
            assert!(matches!(*last, EventsError::WebSocket(_)), "{last:?}")
        }
        other => panic!(
            "expected the connection to fail, got {:?}",
            other.map(|r| r.map(|e| e.raw.len()))
        ),
    }
}
