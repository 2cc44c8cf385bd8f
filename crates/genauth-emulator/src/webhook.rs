//! Webhook deliveries: with a webhook configured, the emulator POSTs an
//! event to its URL whenever a user is created, updated, deleted or signs in,
//! as the service does, so a webhook receiver can be run and tested offline.
//!
//! Each delivery is `POST <url>` with `content-type: application/json`,
//! `user-agent: genauth-emulator-webhook`, `x-<brand>-webhook-secret: <secret>`,
//! `x-<brand>-userpool-id: <pool>` and the body `{"eventName": …, "data": …}`:
//!
//! | what happened | `eventName` | `data` |
//! | --- | --- | --- |
//! | `create-user`, `signup` | `register` | the user |
//! | `update-user`, `update-profile` | `user:updated` | `{"user": …, "updates": {…}}` |
//! | `delete-users-batch` | `user:deleted` | `{"userId": …}` per user |
//! | `signin` | `login` | the user |
//!
//! `user:deleted` is not among the documented event names; receivers see it
//! as a raw event. Users are sent with `id` (the user id), `userPoolId` and
//! every `UserDto` field. Deliveries go out one at a time, in order, over
//! plain HTTP (the URL must be `http://`), with a 5-second limit each; a
//! failed delivery is counted and not retried.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use genauth_core::{Brand, SecretString};
use serde_json::{json, Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

use crate::http_util::{EmuBody, Reply, Req};
use crate::Shared;

/// Where and how the emulator delivers webhook events.
#[derive(Clone)]
pub struct Webhook {
    url: String,
    secret: SecretString,
    brand: Brand,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("url", &self.url)
            .field("secret", &self.secret)
            .field("brand", &self.brand)
            .finish()
    }
}

impl Webhook {
    /// Deliveries to `url` (an `http://` URL) carrying `secret`, with
    /// GenAuth's header names.
    pub fn new(url: impl Into<String>, secret: impl Into<SecretString>) -> Self {
        Self {
            url: url.into(),
            secret: secret.into(),
            brand: Brand::GenAuth,
        }
    }

    /// Sends the headers of `brand` (`x-authing-webhook-secret`, …) instead.
    pub fn brand(mut self, brand: Brand) -> Self {
        self.brand = brand;
        self
    }
}

/// The delivery queue of one emulator.
pub(crate) struct Deliverer {
    target: Arc<Webhook>,
    userpool_id: String,
    queue: OnceLock<mpsc::UnboundedSender<Vec<u8>>>,
    counts: Arc<Counts>,
}

#[derive(Default)]
struct Counts {
    delivered: AtomicU64,
    failed: AtomicU64,
}

impl Deliverer {
    pub(crate) fn new(target: Webhook, userpool_id: String) -> Self {
        Self {
            target: Arc::new(target),
            userpool_id,
            queue: OnceLock::new(),
            counts: Arc::default(),
        }
    }

    /// Queues one event; the worker starts on the first one.
    fn send(&self, event_name: &str, data: Value) {
        let body = json!({"eventName": event_name, "data": data}).to_string();
        let tx = self.queue.get_or_init(|| {
            let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
            let target = self.target.clone();
            let pool = self.userpool_id.clone();
            let counts = self.counts.clone();
            tokio::spawn(async move {
                while let Some(body) = rx.recv().await {
                    let ok =
                        tokio::time::timeout(Duration::from_secs(5), post(&target, &pool, &body))
                            .await
                            .is_ok_and(|r| r.is_ok());
                    let c = if ok {
                        &counts.delivered
                    } else {
                        &counts.failed
                    };
                    c.fetch_add(1, Ordering::SeqCst);
                }
            });
            tx
        });
        let _ = tx.send(body.into_bytes());
    }
}

/// One delivery over a fresh connection; `Ok` when the receiver answered 2xx.
async fn post(target: &Webhook, userpool_id: &str, body: &[u8]) -> std::io::Result<()> {
    let bad = |why: &str| std::io::Error::new(std::io::ErrorKind::InvalidInput, why.to_owned());
    let uri: http::Uri = target.url.parse().map_err(|_| bad("bad webhook URL"))?;
    if uri.scheme_str() != Some("http") {
        return Err(bad("the emulator delivers webhooks over http:// only"));
    }
    let host = uri.host().ok_or_else(|| bad("no host"))?;
    let port = uri.port_u16().unwrap_or(80);
    let target_path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut stream = tokio::net::TcpStream::connect((host, port)).await?;
    let b = target.brand;
    let head = format!(
        "POST {target_path} HTTP/1.1\r\nhost: {host}:{port}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nuser-agent: genauth-emulator-webhook\r\n\
         {}webhook-secret: {}\r\n{}: {userpool_id}\r\nconnection: close\r\n\r\n",
        body.len(),
        b.header_prefix(),
        target.secret.expose(),
        b.userpool_id_header(),
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    let status = answer
        .split(|c| *c == b' ')
        .nth(1)
        .and_then(|s| std::str::from_utf8(s).ok())
        .and_then(|s| s.parse::<u16>().ok())
        .unwrap_or(0);
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "the receiver answered {status}"
        )))
    }
}

/// The `data` of a successful envelope reply.
fn reply_data(reply: &Reply) -> Option<Value> {
    let EmuBody::Full(Some(bytes)) = reply.body() else {
        return None;
    };
    let v: Value = serde_json::from_slice(bytes).ok()?;
    (v.get("statusCode").and_then(Value::as_i64) == Some(200))
        .then(|| v.get("data").cloned())
        .flatten()
}

/// A user DTO as webhook data: `id` and `userPoolId` first, then every field.
fn user_data(shared: &Shared, dto: &Value) -> Option<Value> {
    let obj = dto.as_object()?;
    let id = obj.get("userId")?.clone();
    let mut out = Map::new();
    out.insert("id".into(), id);
    out.insert("userPoolId".into(), json!(shared.userpool_id));
    for (k, v) in obj {
        out.entry(k.clone()).or_insert_with(|| v.clone());
    }
    Some(Value::Object(out))
}

/// Delivers the events a handled request caused, when a webhook is set.
pub(crate) fn observe(shared: &Shared, req: &Req, reply: &Reply) {
    let Some(d) = &shared.webhook else {
        return;
    };
    if req.method != http::Method::POST {
        return;
    }
    let Some(data) = reply_data(reply) else {
        return;
    };
    match req.path.as_str() {
        "/api/v3/create-user" | "/api/v3/signup" => {
            if let Some(u) = user_data(shared, &data) {
                d.send("register", u);
            }
        }
        "/api/v3/update-user" | "/api/v3/update-profile" => {
            let mut updates: Map<String, Value> =
                serde_json::from_slice(&req.body).unwrap_or_default();
            updates.remove("userId");
            updates.remove("options");
            if let Some(u) = user_data(shared, &data) {
                d.send("user:updated", json!({"user": u, "updates": updates}));
            }
        }
        "/api/v3/delete-users-batch" => {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
            for id in body["userIds"].as_array().into_iter().flatten() {
                d.send("user:deleted", json!({"userId": id}));
            }
        }
        "/api/v3/signin" => {
            let user = data["access_token"]
                .as_str()
                .and_then(|t| crate::api::user_of_token(shared, t))
                .and_then(|id| shared.store().users.get(&id).map(|u| u.to_dto()));
            if let Some(u) = user.as_ref().and_then(|u| user_data(shared, u)) {
                d.send("login", u);
            }
        }
        _ => {}
    }
}

impl crate::RunningEmulator {
    /// How many webhook deliveries the receiver acknowledged (2xx) so far.
    pub fn webhook_deliveries(&self) -> u64 {
        self.shared
            .webhook
            .as_ref()
            .map_or(0, |d| d.counts.delivered.load(Ordering::SeqCst))
    }

    /// How many webhook deliveries failed (no connection, timeout, non-2xx).
    pub fn webhook_failures(&self) -> u64 {
        self.shared
            .webhook
            .as_ref()
            .map_or(0, |d| d.counts.failed.load(Ordering::SeqCst))
    }
}

impl crate::EmulatorBuilder {
    /// Delivers webhook events (user created, updated, deleted, signed in) to
    /// `webhook`'s URL.
    pub fn webhook(mut self, webhook: Webhook) -> Self {
        self.webhook = Some(webhook);
        self
    }
}
