//! An in-memory events feed for local servers: tests, examples, emulators.
//!
//! [`EventHub`] accepts subscriptions over websockets, checks their
//! credentials the way the service does (the user token of the authentication
//! client, the access key signature of the management client), and fans out
//! every published event to the subscribers of its code. It plugs into any
//! hyper server ([`EventHub::handle`], [`EventHub::handle_upgrade`]) or runs
//! one of its own on a `TcpListener` ([`EventHub::serve`]).
//!
//! Frames go out as `{"eventType": <code>, "eventData": <the eventData string
//! as published>}`, which [`Event::decode`](genauth_core::events::Event::decode)
//! reads back.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use bytes::Bytes;
use futures_util::{SinkExt as _, StreamExt as _};
use genauth_core::events::{
    encode_frame, parse_incoming, switching_protocols_headers, verify_websocket_signature,
    Credential, IncomingError, IncomingSubscription, PUB_EVENT_PATH, PUB_USER_EVENT_PATH,
};
use genauth_core::SecretString;
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// The largest publish body the hub reads.
const MAX_PUBLISH_BODY: usize = 1 << 20;

/// A check of a bearer credential (a user token or a management token).
pub type TokenCheck = Arc<dyn Fn(&str) -> bool + Send + Sync>;

enum Outgoing {
    Frame(String),
    Drop,
}

struct Subscriber {
    id: u64,
    tx: mpsc::UnboundedSender<Outgoing>,
}

#[derive(Default)]
struct Inner {
    access_keys: RwLock<HashMap<String, SecretString>>,
    user_tokens: RwLock<Option<TokenCheck>>,
    management_tokens: RwLock<Option<TokenCheck>>,
    subscribers: Mutex<HashMap<String, Vec<Subscriber>>>,
    next_id: AtomicU64,
    accepted: AtomicU64,
}

/// An in-memory events feed. Cloning is cheap; clones share subscribers.
///
/// It accepts nobody until told how: [`EventHub::with_access_key`] for
/// management subscriptions, [`EventHub::with_user_tokens`] for end-user
/// subscriptions and publishes, [`EventHub::with_management_tokens`] for
/// management publishes.
#[derive(Clone, Default)]
pub struct EventHub {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for EventHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<String> = read(&self.inner.access_keys).keys().cloned().collect();
        f.debug_struct("EventHub")
            .field("access_key_ids", &keys)
            .field("accepted", &self.connections_accepted())
            .finish_non_exhaustive()
    }
}

fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|e| e.into_inner())
}
fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|e| e.into_inner())
}

impl EventHub {
    /// A hub that accepts nobody yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Accepts management subscriptions signed with this access key.
    pub fn with_access_key(
        self,
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<SecretString>,
    ) -> Self {
        write(&self.inner.access_keys).insert(access_key_id.into(), access_key_secret.into());
        self
    }

    /// Accepts end-user subscriptions and publishes whose token passes `check`.
    pub fn with_user_tokens(self, check: impl Fn(&str) -> bool + Send + Sync + 'static) -> Self {
        *write(&self.inner.user_tokens) = Some(Arc::new(check));
        self
    }

    /// Accepts management publishes whose bearer token passes `check`.
    pub fn with_management_tokens(
        self,
        check: impl Fn(&str) -> bool + Send + Sync + 'static,
    ) -> Self {
        *write(&self.inner.management_tokens) = Some(Arc::new(check));
        self
    }

    /// Whether the credential of `sub` is accepted.
    pub fn authorize(&self, sub: &IncomingSubscription) -> bool {
        match &sub.credential {
            Some(Credential::UserToken(t)) => check(&self.inner.user_tokens, t.expose()),
            Some(Credential::Signature {
                access_key_id,
                signature,
            }) => read(&self.inner.access_keys)
                .get(access_key_id)
                .is_some_and(|secret| {
                    verify_websocket_signature(secret.expose(), signature.expose())
                }),
            None => false,
        }
    }

    /// Sends the event to every subscriber of `event_code`; `event_data` is the
    /// `eventData` string as published. Returns how many subscribers it reached.
    pub fn publish(&self, event_code: &str, event_data: &str) -> usize {
        let frame = encode_frame(event_code, event_data);
        let subs = self.lock_subscribers();
        subs.get(event_code).map_or(0, |list| {
            list.iter()
                .filter(|s| s.tx.send(Outgoing::Frame(frame.clone())).is_ok())
                .count()
        })
    }

    /// Publishes the body of a `pub-event` / `pub-userEvent` call
    /// (`{"eventType": "<code>", "eventData": <data>}`, `eventData` normally a
    /// JSON string) and returns how many subscribers it reached. For servers
    /// that check the caller themselves and have the body in hand.
    pub fn publish_json(&self, body: &[u8]) -> Result<usize, PublishBodyError> {
        let v: serde_json::Value =
            serde_json::from_slice(body).map_err(|_| PublishBodyError::NotJson)?;
        let code = v
            .get("eventType")
            .and_then(|c| c.as_str())
            .filter(|c| !c.trim().is_empty())
            .ok_or(PublishBodyError::MissingEventType)?;
        let data = match v.get("eventData") {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => return Err(PublishBodyError::MissingEventData),
        };
        let reached = self.publish(code, &data);
        tracing::debug!(event_code = %code, reached, "event hub: published");
        Ok(reached)
    }

    /// How many sockets are subscribed to `event_code` now.
    pub fn subscriber_count(&self, event_code: &str) -> usize {
        self.lock_subscribers().get(event_code).map_or(0, Vec::len)
    }

    /// How many subscriptions were accepted since the hub was made.
    pub fn connections_accepted(&self) -> u64 {
        self.inner.accepted.load(Ordering::SeqCst)
    }

    /// Drops every socket at once, without a closing handshake, as a network
    /// failure would. Returns how many there were.
    pub fn disconnect_all(&self) -> usize {
        let subs = self.lock_subscribers();
        subs.values()
            .flatten()
            .filter(|s| s.tx.send(Outgoing::Drop).is_ok())
            .count()
    }

    fn lock_subscribers(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Subscriber>>> {
        self.inner
            .subscribers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Answers a websocket upgrade at `/events/v1/{authentication,management}/sub`:
    /// `101 Switching Protocols` and a spawned task serving the socket, or
    /// 400/401/404. Call it from a hyper service running on tokio.
    pub fn handle_upgrade<B>(&self, mut req: Request<B>) -> Response<Full<Bytes>> {
        let sub = match parse_incoming(req.method(), req.uri(), req.headers()) {
            Ok(s) => s,
            Err(IncomingError::NotFound) => return plain(StatusCode::NOT_FOUND, "not found"),
            Err(e) => return plain(StatusCode::BAD_REQUEST, &e.to_string()),
        };
        if !self.authorize(&sub) {
            return plain(StatusCode::UNAUTHORIZED, "invalid credentials");
        }
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return plain(StatusCode::INTERNAL_SERVER_ERROR, "no tokio runtime");
        };
        let on_upgrade = hyper::upgrade::on(&mut req);
        let hub = self.clone();
        let code = sub.event_code.clone();
        rt.spawn(async move {
            if let Ok(upgraded) = on_upgrade.await {
                let ws =
                    WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None)
                        .await;
                hub.serve_socket(code, ws).await;
            }
        });
        let mut resp = Response::new(Full::new(Bytes::new()));
        *resp.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        *resp.headers_mut() = switching_protocols_headers(&sub.key);
        resp
    }

    async fn serve_socket<S>(&self, code: String, mut ws: WebSocketStream<S>)
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let id = self.inner.next_id.fetch_add(1, Ordering::SeqCst);
        self.lock_subscribers()
            .entry(code.clone())
            .or_default()
            .push(Subscriber { id, tx });
        self.inner.accepted.fetch_add(1, Ordering::SeqCst);
        loop {
            tokio::select! {
                out = rx.recv() => match out {
                    Some(Outgoing::Frame(text)) => {
                        if ws.send(Message::text(text)).await.is_err() {
                            break;
                        }
                    }
                    Some(Outgoing::Drop) | None => break,
                },
                msg = ws.next() => match msg {
                    Some(Ok(Message::Close(_))) => {
                        let _ = ws.close(None).await;
                        break;
                    }
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => break,
                },
            }
        }
        let mut subs = self.lock_subscribers();
        if let Some(list) = subs.get_mut(&code) {
            list.retain(|s| s.id != id);
            if list.is_empty() {
                subs.remove(&code);
            }
        }
    }

    /// Routes one request of a hyper server: subscribe upgrades, and
    /// `POST /api/v3/pub-event` (management bearer token) and
    /// `POST /api/v3/pub-userEvent` (user token) into [`EventHub::publish`].
    /// Anything else is a 404.
    pub async fn handle<B>(&self, req: Request<B>) -> Response<Full<Bytes>>
    where
        B: http_body::Body + Send,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let path = req.uri().path();
        if req.method() == Method::POST && (path == PUB_EVENT_PATH || path == PUB_USER_EVENT_PATH) {
            let management = path == PUB_EVENT_PATH;
            self.handle_publish(req, management).await
        } else {
            self.handle_upgrade(req)
        }
    }

    async fn handle_publish<B>(&self, req: Request<B>, management: bool) -> Response<Full<Bytes>>
    where
        B: http_body::Body + Send,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let credential = req
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).trim().to_owned())
            .unwrap_or_default();
        let checker = if management {
            &self.inner.management_tokens
        } else {
            &self.inner.user_tokens
        };
        if credential.is_empty() || !check(checker, &credential) {
            return envelope(
                StatusCode::UNAUTHORIZED,
                401,
                Some(2020),
                "unauthorized",
                None,
            );
        }
        let body = match Limited::new(req.into_body(), MAX_PUBLISH_BODY)
            .collect()
            .await
        {
            Ok(b) => b.to_bytes(),
            Err(_) => return envelope(StatusCode::BAD_REQUEST, 400, None, "unreadable body", None),
        };
        if let Err(e) = self.publish_json(&body) {
            return envelope(StatusCode::OK, 400, None, &e.to_string(), None);
        }
        envelope(
            StatusCode::OK,
            200,
            None,
            "ok",
            Some(serde_json::json!({ "success": true })),
        )
    }

    /// Serves the hub alone on `listener` (HTTP/1.1 with upgrades): every
    /// request goes to [`EventHub::handle`]. Runs until accepting fails.
    pub async fn serve(&self, listener: TcpListener) -> std::io::Result<()> {
        loop {
            let (stream, _) = listener.accept().await?;
            let hub = self.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<hyper::body::Incoming>| {
                    let hub = hub.clone();
                    async move { Ok::<_, Infallible>(hub.handle(req).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .with_upgrades()
                    .await;
            });
        }
    }
}

/// Why a publish body was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PublishBodyError {
    /// The body is not JSON.
    #[error("the body is not JSON")]
    NotJson,
    /// `eventType` is missing, empty or not a string.
    #[error("eventType is required")]
    MissingEventType,
    /// `eventData` is missing.
    #[error("eventData is required")]
    MissingEventData,
}

fn check(checker: &RwLock<Option<TokenCheck>>, token: &str) -> bool {
    read(checker).as_ref().is_some_and(|f| f(token))
}

fn plain(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(text.to_owned())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

fn envelope(
    status: StatusCode,
    code: i64,
    api_code: Option<i64>,
    message: &str,
    data: Option<serde_json::Value>,
) -> Response<Full<Bytes>> {
    let mut body = serde_json::json!({ "statusCode": code, "message": message });
    if let Some(a) = api_code {
        body["apiCode"] = a.into();
    }
    if let Some(d) = data {
        body["data"] = d;
    }
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_bodies_are_checked() {
        let hub = EventHub::new();
        assert_eq!(hub.publish_json(b"nope"), Err(PublishBodyError::NotJson));
        assert_eq!(
            hub.publish_json(br#"{"eventData":"1"}"#),
            Err(PublishBodyError::MissingEventType)
        );
        assert_eq!(
            hub.publish_json(br#"{"eventType":" ","eventData":"1"}"#),
            Err(PublishBodyError::MissingEventType)
        );
        assert_eq!(
            hub.publish_json(br#"{"eventType":"x"}"#),
            Err(PublishBodyError::MissingEventData)
        );
        // No subscriber yet: accepted, reaches nobody.
        assert_eq!(
            hub.publish_json(br#"{"eventType":"x","eventData":{"a":1}}"#),
            Ok(0)
        );
    }

    #[test]
    fn nobody_is_accepted_until_configured() {
        let hub = EventHub::new();
        let token = IncomingSubscription {
            side: genauth_core::events::Side::Authentication,
            event_code: "x".into(),
            credential: Some(Credential::UserToken("t".into())),
            key: "k".into(),
        };
        assert!(!hub.authorize(&token));
        let hub = hub.with_user_tokens(|t| t == "t");
        assert!(hub.authorize(&token));
        let sig = IncomingSubscription {
            side: genauth_core::events::Side::Management,
            event_code: "x".into(),
            credential: Some(Credential::Signature {
                access_key_id: "ak".into(),
                // base64(HMAC-SHA1("test-access-key-secret", "websocket\n")), from Python.
                signature: "deZSHJfeiJNXp8KS1k+d7KtsnZI=".into(),
            }),
            key: "k".into(),
        };
        assert!(!hub.authorize(&sig));
        let hub = hub.with_access_key("ak", "test-access-key-secret");
        assert!(hub.authorize(&sig));
        let other = hub.clone().with_access_key("ak", "another-secret");
        assert!(!other.authorize(&sig));
        assert!(!format!("{hub:?}").contains("test-access-key-secret"));
    }
}
