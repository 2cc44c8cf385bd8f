//! Subscriptions: the background task that keeps a socket open and the
//! stream that hands its events out.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::{SinkExt as _, Stream, StreamExt as _};
use genauth_core::events::{Event, SubscribeRequest};
use genauth_tower::{AuthenticationClient, ManagementClient};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use crate::connect::{open, Socket};
use crate::{EventsError, ReconnectPolicy};

/// How many received events may wait in a stream before the socket stops
/// being read.
const BUFFER: usize = 64;
/// How long a closing handshake may take when a stream is dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(1);
/// A connection open this long counts as healthy even if nothing arrived.
const STABLE_AFTER: Duration = Duration::from_secs(60);

/// Where a subscription stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    /// Opening the first connection.
    Connecting,
    /// The socket is open and events flow.
    Connected,
    /// The connection dropped; waiting for or making reconnect attempt `attempt`.
    Reconnecting {
        /// The attempt number, from 1.
        attempt: u32,
    },
    /// The subscription ended (the stream yields or yielded the reason, if any).
    Closed,
}

/// The events of one subscription, as a [`Stream`] of results.
///
/// Transient failures are retried in the background and never show up as
/// items; an `Err` item is final and the stream ends after it. Dropping the
/// stream closes the socket.
#[must_use = "a subscription does nothing unless its stream is polled"]
pub struct EventStream {
    event_code: String,
    rx: mpsc::Receiver<Result<Event, EventsError>>,
    state: watch::Receiver<ConnectionState>,
}

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("event_code", &self.event_code)
            .field("state", &*self.state.borrow())
            .finish()
    }
}

impl EventStream {
    /// The event code subscribed to.
    pub fn event_code(&self) -> &str {
        &self.event_code
    }

    /// Where the subscription stands now.
    pub fn state(&self) -> ConnectionState {
        *self.state.borrow()
    }

    /// Waits until the socket is open (e.g. before publishing an event the
    /// subscription must see). Returns `false` when the subscription ended
    /// instead; the stream then yields why.
    pub async fn wait_connected(&mut self) -> bool {
        let state = self
            .state
            .wait_for(|s| matches!(s, ConnectionState::Connected | ConnectionState::Closed))
            .await;
        matches!(state.as_deref(), Ok(ConnectionState::Connected))
    }

    /// A stream that yields `err` and ends.
    fn failed(event_code: String, err: EventsError) -> Self {
        let (tx, rx) = mpsc::channel(1);
        let _ = tx.try_send(Err(err));
        let (_, state) = watch::channel(ConnectionState::Closed);
        Self {
            event_code,
            rx,
            state,
        }
    }
}

impl Stream for EventStream {
    type Item = Result<Event, EventsError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

/// What a subscription is opened for.
#[derive(Clone)]
enum Source {
    Authentication(AuthenticationClient),
    Management(ManagementClient),
}

impl Source {
    /// Builds the upgrade afresh, so a renewed user token is picked up on reconnect.
    fn request(&self, event_code: &str) -> Result<SubscribeRequest, EventsError> {
        match self {
            Source::Authentication(c) => {
                let token = c.access_token().ok_or(EventsError::MissingToken)?;
                Ok(c.config().subscribe_request(event_code, &token)?)
            }
            Source::Management(c) => Ok(c.config().subscribe_request(event_code)?),
        }
    }
}

/// Subscribing to the events feed, for both clients.
pub trait SubscribeExt {
    /// Subscribes to `event_code` with the default [`ReconnectPolicy`].
    ///
    /// Call it inside a tokio runtime: the socket is driven by a spawned task,
    /// which ends when the returned stream is dropped.
    fn subscribe(&self, event_code: impl Into<String>) -> EventStream {
        self.subscribe_with(event_code, ReconnectPolicy::default())
    }

    /// Subscribes to `event_code`, reconnecting as `policy` says.
    fn subscribe_with(&self, event_code: impl Into<String>, policy: ReconnectPolicy)
        -> EventStream;
}

impl SubscribeExt for AuthenticationClient {
    fn subscribe_with(
        &self,
        event_code: impl Into<String>,
        policy: ReconnectPolicy,
    ) -> EventStream {
        spawn(
            Source::Authentication(self.clone()),
            event_code.into(),
            policy,
        )
    }
}

impl SubscribeExt for ManagementClient {
    fn subscribe_with(
        &self,
        event_code: impl Into<String>,
        policy: ReconnectPolicy,
    ) -> EventStream {
        spawn(Source::Management(self.clone()), event_code.into(), policy)
    }
}

fn spawn(source: Source, event_code: String, policy: ReconnectPolicy) -> EventStream {
    // Check what can be checked now, so obvious mistakes fail fast.
    if let Err(e) = source.request(&event_code) {
        return EventStream::failed(event_code, e);
    }
    let Ok(handle) = tokio::runtime::Handle::try_current() else {
        return EventStream::failed(event_code, EventsError::NoRuntime);
    };
    let (tx, rx) = mpsc::channel(BUFFER);
    let (state_tx, state) = watch::channel(ConnectionState::Connecting);
    let task = Task {
        source,
        event_code: event_code.clone(),
        policy,
        tx,
        state: state_tx,
    };
    handle.spawn(task.run());
    EventStream {
        event_code,
        rx,
        state,
    }
}

struct Task {
    source: Source,
    event_code: String,
    policy: ReconnectPolicy,
    tx: mpsc::Sender<Result<Event, EventsError>>,
    state: watch::Sender<ConnectionState>,
}

/// How an open connection ended.
enum End {
    /// The stream was dropped: stop.
    Unsubscribed,
    /// The connection was lost.
    Lost(EventsError),
}

impl Task {
    async fn run(self) {
        let mut retries: u32 = 0;
        loop {
            let result = match self.source.request(&self.event_code) {
                Ok(sub) => tokio::select! {
                    r = open(&sub, &self.policy) => r,
                    _ = self.tx.closed() => return self.finish(None).await,
                },
                Err(e) => Err(e),
            };
            let err = match result {
                Ok(socket) => {
                    self.state.send_replace(ConnectionState::Connected);
                    tracing::debug!(event_code = %self.event_code, "events feed: subscribed");
                    let opened = Instant::now();
                    let mut received = false;
                    let end = self.pump(socket, &mut received).await;
                    // A connection that proved itself restarts the count, so a
                    // server that accepts and then drops at once is not retried
                    // forever.
                    if received || opened.elapsed() >= STABLE_AFTER {
                        retries = 0;
                    }
                    match end {
                        End::Unsubscribed => return self.finish(None).await,
                        End::Lost(e) => e,
                    }
                }
                Err(e) if e.is_fatal() => {
                    tracing::warn!(event_code = %self.event_code, error = %e, "events feed: subscription failed");
                    return self.finish(Some(e)).await;
                }
                Err(e) => e,
            };
            if retries >= self.policy.max_retries {
                tracing::warn!(
                    event_code = %self.event_code,
                    retries,
                    error = %err,
                    "events feed: giving up"
                );
                return self
                    .finish(Some(EventsError::GaveUp {
                        retries,
                        last: Box::new(err),
                    }))
                    .await;
            }
            retries += 1;
            let delay = self.policy.backoff(retries);
            tracing::warn!(
                event_code = %self.event_code,
                attempt = retries,
                max_retries = self.policy.max_retries,
                delay_ms = delay.as_millis() as u64,
                error = %err,
                "events feed: connection lost, reconnecting"
            );
            self.state
                .send_replace(ConnectionState::Reconnecting { attempt: retries });
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = self.tx.closed() => return self.finish(None).await,
            }
        }
    }

    /// Ends the subscription, handing out `err` first. Waits for room in the
    /// buffer so a final error is never lost behind unread events (the wait
    /// ends at once if the stream was dropped).
    async fn finish(&self, err: Option<EventsError>) {
        self.state.send_replace(ConnectionState::Closed);
        if let Some(e) = err {
            let _ = self.tx.send(Err(e)).await;
        }
    }

    /// Reads the socket until it ends or the stream is dropped.
    /// Sets `received` once anything arrives from the server.
    async fn pump(&self, mut socket: Socket, received: &mut bool) -> End {
        // A zero or absurdly long interval means no pings (and no panic).
        let ping = self
            .policy
            .ping_interval
            .filter(|d| !d.is_zero() && Instant::now().checked_add(d.saturating_mul(2)).is_some());
        let mut ticker = ping.map(|d| tokio::time::interval_at(Instant::now() + d, d));
        let mut last_seen = Instant::now();
        loop {
            let tick = async {
                match ticker.as_mut() {
                    Some(t) => {
                        t.tick().await;
                    }
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = self.tx.closed() => {
                    let _ = tokio::time::timeout(CLOSE_GRACE, socket.close(None)).await;
                    return End::Unsubscribed;
                }
                msg = socket.next() => {
                    last_seen = Instant::now();
                    if matches!(msg, Some(Ok(_))) {
                        *received = true;
                    }
                    let text = match msg {
                        Some(Ok(Message::Text(t))) => t.as_str().to_owned(),
                        Some(Ok(Message::Binary(b))) => match String::from_utf8(b.to_vec()) {
                            Ok(t) => t,
                            Err(_) => {
                                tracing::debug!(
                                    event_code = %self.event_code,
                                    len = b.len(),
                                    "events feed: skipped a binary frame"
                                );
                                continue;
                            }
                        },
                        Some(Ok(Message::Close(_))) | None => {
                            return End::Lost(EventsError::Closed)
                        }
                        Some(Ok(_)) => continue,
                        Some(Err(e)) => return End::Lost(EventsError::WebSocket(e)),
                    };
                    let event = Event::decode(&self.event_code, text);
                    tokio::select! {
                        sent = self.tx.send(Ok(event)) => if sent.is_err() {
                            let _ = tokio::time::timeout(CLOSE_GRACE, socket.close(None)).await;
                            return End::Unsubscribed;
                        },
                        // A slow consumer holds the socket back, but a dropped
                        // stream must still be noticed.
                        _ = self.tx.closed() => {
                            let _ = tokio::time::timeout(CLOSE_GRACE, socket.close(None)).await;
                            return End::Unsubscribed;
                        }
                    }
                }
                _ = tick => {
                    if let Some(interval) = ping {
                        let silent = last_seen.elapsed();
                        if silent >= interval.saturating_mul(2) {
                            return End::Lost(EventsError::Stale(silent));
                        }
                        // A dead peer can leave the send hanging: bound it too.
                        let ping = socket.send(Message::Ping(Default::default()));
                        match tokio::time::timeout(interval, ping).await {
                            Ok(Ok(())) => {}
                            Ok(Err(e)) => return End::Lost(EventsError::WebSocket(e)),
                            Err(_) => return End::Lost(EventsError::Stale(last_seen.elapsed())),
                        }
                    }
                }
            }
        }
    }
}
