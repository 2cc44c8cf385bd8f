//! The GenAuth events feed as async streams.
//!
//! [`SubscribeExt::subscribe`] on either client opens a websocket to the
//! events host and returns an [`EventStream`]: a [`futures_util::Stream`] of
//! [`Event`]s (the event code, the payload as JSON, and the raw frame text).
//! The management client signs the upgrade with its access key; the
//! authentication client sends the end user's access token.
//!
//! The stream reconnects by itself when the connection drops, with exponential
//! backoff and full jitter, up to the limit of its [`ReconnectPolicy`]; each
//! reconnect is reported through `tracing` (never with a token or signature).
//! It ends with an error only when it gives up ([`EventsError::GaveUp`]) or
//! when reconnecting cannot help (refused credentials, no token). Several
//! subscriptions can share one client, and dropping a stream closes its socket.
//!
//! Publishing is a plain API call, so it lives on the clients themselves:
//! `client.put_event(code, &payload)` (in `genauth-tower`).
//!
//! ```no_run
//! use futures_util::StreamExt as _;
//! use genauth_events::SubscribeExt as _;
//! # async fn run(client: genauth_tower::ManagementClient) -> Result<(), Box<dyn std::error::Error>> {
//! let mut events = client.subscribe("myapp.order.paid");
//! while let Some(event) = events.next().await {
//!     let event = event?;
//!     println!("{}: {}", event.code, event.payload);
//! }
//! # Ok(()) }
//! ```
//!
//! With the `hub` feature, `hub::EventHub` is an in-memory feed that a local
//! server (tests, an emulator) can mount.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod connect;
mod error;
#[cfg(feature = "hub")]
pub mod hub;
mod policy;
mod stream;

pub use connect::{set_tls_config, MAX_EVENT_SIZE};
pub use error::EventsError;
pub use genauth_core::events::{Event, HandshakeError, PublishResult};
pub use policy::ReconnectPolicy;
pub use stream::{ConnectionState, EventStream, SubscribeExt};

/// A pseudo-random `u64` for backoff jitter and websocket nonces (neither
/// needs cryptographic strength).
pub(crate) fn random_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    RandomState::new().hash_one(COUNTER.fetch_add(1, Ordering::Relaxed))
}
