//! The events feed end to end: clients subscribe at the emulator, publish
//! through `pub-event` / `pub-userEvent`, and reconnect after the emulator
//! drops their sockets.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::raw_json;
use futures_util::StreamExt as _;
use genauth_core::events::{websocket_signature, HandshakeError};
use genauth_core::SecretString;
use genauth_emulator::{
    Emulator, RunningEmulator, TestUser, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET,
    DEFAULT_APP_ID, DEFAULT_APP_SECRET,
};
use genauth_events::{ConnectionState, EventStream, EventsError, ReconnectPolicy, SubscribeExt};
use genauth_tower::{AuthenticationClient, ManagementClient};
use serde_json::json;

const EMAIL: &str = "ann@example.com";
const PASSWORD: &str = "events-pass-word-1";

async fn emulator() -> RunningEmulator {
    Emulator::builder()
        .user(TestUser::email(EMAIL).with_password(PASSWORD))
        .start()
        .await
        .unwrap()
}

fn management(emu: &RunningEmulator, secret: &str) -> ManagementClient {
    ManagementClient::new(
        genauth_core::ManagementClientOptions::new(DEFAULT_ACCESS_KEY_ID, secret)
            .host(emu.url())
            .websocket_host(emu.websocket_url()),
    )
    .unwrap()
}

fn authentication(emu: &RunningEmulator) -> AuthenticationClient {
    AuthenticationClient::new(
        genauth_core::AuthenticationClientOptions::new(DEFAULT_APP_ID, emu.url())
            .app_secret(DEFAULT_APP_SECRET)
            .websocket_host(emu.websocket_url()),
    )
    .unwrap()
}

/// An authentication client holding the access token of a password sign-in.
async fn signed_in(emu: &RunningEmulator) -> (AuthenticationClient, SecretString) {
    let auth = authentication(emu);
    let tokens = auth
        .sign_in_by_email_password(EMAIL, PASSWORD)
        .await
        .unwrap();
    let token = tokens.access_token.expect("an access token");
    auth.set_access_token(token.clone());
    (auth, token)
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
    let emu = emulator().await;
    let mgmt = management(&emu, DEFAULT_ACCESS_KEY_SECRET);
    let (auth, _) = signed_in(&emu).await;

    let mut paid = mgmt.subscribe("order.paid");
    let mut login = auth.subscribe("user.login");
    assert!(paid.wait_connected().await);
    assert!(login.wait_connected().await);
    assert_eq!(emu.event_subscribers("order.paid"), 1);
    assert_eq!(emu.event_subscribers("user.login"), 1);

    // The end user publishes (`pub-userEvent`), the management side receives.
    let sent = auth
        .put_event("order.paid", &json!({"order": 7, "total": "9.90"}))
        .await
        .unwrap();
    assert!(sent.success);
    let ev = next(&mut paid).await.unwrap().unwrap();
    assert_eq!(ev.code, "order.paid");
    assert_eq!(ev.payload, json!({"order": 7, "total": "9.90"}));

    // The management side publishes (`pub-event`), the end user receives.
    assert!(
        mgmt.put_event("user.login", "plain text")
            .await
            .unwrap()
            .success
    );
    let ev = next(&mut login).await.unwrap().unwrap();
    assert_eq!(ev.code, "user.login");
    assert_eq!(ev.payload, json!("plain text"));

    // An event nobody subscribed to is accepted and reaches nobody.
    assert!(mgmt.put_event("nobody.listens", &1).await.unwrap().success);
    assert_eq!(emu.event_connections_accepted(), 2);
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
        let _ = write!(out, "{} ", event.metadata().target());
        event.record(&mut Fields(&mut out));
        out.push('\n');
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

fn assert_no_secret(text: &str, token: &SecretString) {
    let signature = websocket_signature(&SecretString::from(DEFAULT_ACCESS_KEY_SECRET));
    for secret in [
        token.expose(),
        signature.expose(),
        DEFAULT_ACCESS_KEY_SECRET,
        DEFAULT_APP_SECRET,
        PASSWORD,
    ] {
        assert!(!text.contains(secret), "a secret leaked into: {text}");
    }
}

// A current-thread runtime, so the recorder sees the spawned tasks' events.
#[tokio::test(flavor = "current_thread")]
async fn subscribers_reconnect_after_the_emulator_drops_the_sockets() {
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let emu = emulator().await;
    let mgmt = management(&emu, DEFAULT_ACCESS_KEY_SECRET);
    let (auth, token) = signed_in(&emu).await;
    let mut m = mgmt.subscribe_with("feed", fast());
    let mut a = auth.subscribe_with("feed", fast());
    assert!(m.wait_connected().await);
    assert!(a.wait_connected().await);
    assert!(
        auth.put_event("feed", &json!({"n": 1}))
            .await
            .unwrap()
            .success
    );
    for s in [&mut m, &mut a] {
        assert_eq!(next(s).await.unwrap().unwrap().payload, json!({"n": 1}));
    }

    assert_eq!(emu.drop_event_sockets(), 2);
    eventually("both clients to reconnect", || {
        emu.event_connections_accepted() == 4 && emu.event_subscribers("feed") == 2
    })
    .await;
    assert!(
        mgmt.put_event("feed", &json!({"n": 2}))
            .await
            .unwrap()
            .success
    );
    for s in [&mut m, &mut a] {
        let ev = next(s).await.unwrap().unwrap();
        assert_eq!(ev.payload, json!({"n": 2}));
        assert_eq!(s.state(), ConnectionState::Connected);
    }

    let logs = recorder.0.lock().unwrap().clone();
    assert_eq!(
        logs.lines().filter(|l| l.contains("reconnecting")).count(),
        2,
        "one reconnect per subscription: {logs}"
    );
    assert_no_secret(&logs, &token);
    assert_no_secret(&format!("{m:?}{a:?}{mgmt:?}{auth:?}{emu:?}"), &token);
}

#[tokio::test]
async fn wrong_credentials_are_refused_without_showing_them() {
    let emu = emulator().await;
    let (_, token) = signed_in(&emu).await;

    // A token the emulator never issued.
    let stranger = authentication(&emu);
    stranger.set_access_token("not-a-token-the-emulator-issued");
    // A signature made with the wrong access key secret.
    let forger = management(&emu, "not-the-access-key-secret");
    for (mut s, secret) in [
        (
            stranger.subscribe_with("x", fast()),
            "not-a-token-the-emulator-issued",
        ),
        (
            forger.subscribe_with("x", fast()),
            "not-the-access-key-secret",
        ),
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
        let text = format!("{err} {err:?}");
        assert!(!text.contains(secret), "{text}");
        assert_no_secret(&text, &token);
        assert!(next(&mut s).await.is_none());
    }
    assert_eq!(emu.event_connections_accepted(), 0);

    // Publishing with the unknown token is an API error without the token.
    let err = stranger.put_event("x", &1).await.unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(!text.contains("not-a-token-the-emulator-issued"), "{text}");
    assert_eq!(
        err.as_api().map(|e| e.status_code.code()),
        Some(401),
        "{text}"
    );
}

#[tokio::test]
async fn publish_bodies_are_checked() {
    let emu = emulator().await;
    let (_auth, token) = signed_in(&emu).await;
    let bearer = format!("Bearer {}", token.expose());
    let url = format!("{}/api/v3/pub-userEvent", emu.url());
    let headers = [("authorization", bearer.as_str())];
    for body in [
        json!({"eventData": "1"}),
        json!({"eventType": " ", "eventData": "1"}),
        json!({"eventType": "x"}),
    ] {
        let reply = raw_json("POST", &url, &headers, &body).await;
        assert_eq!(reply["statusCode"], 400, "{body}: {reply}");
    }
    // `eventData` is any JSON in the API description: a string or an object.
    for data in [json!("1"), json!({"an": "object"})] {
        let reply = raw_json(
            "POST",
            &url,
            &headers,
            &json!({"eventType": "x", "eventData": data}),
        )
        .await;
        assert_eq!(reply["statusCode"], 200, "{reply}");
        assert_eq!(reply["data"]["success"], true, "{reply}");
    }

    // `pub-event` wants the management token, not the user's.
    let reply = raw_json(
        "POST",
        &format!("{}/api/v3/pub-event", emu.url()),
        &headers,
        &json!({"eventType": "x", "eventData": "1"}),
    )
    .await;
    assert_eq!(reply["statusCode"], 401, "{reply}");
}
