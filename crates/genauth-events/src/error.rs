//! The error type of subscriptions.

use std::time::Duration;

use genauth_core::events::HandshakeError;

/// Why a subscription failed. No variant carries the token or the signature.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventsError {
    /// The subscription could not be built (empty event code, invalid host, ...).
    #[error(transparent)]
    Sdk(#[from] genauth_core::Error),
    /// The authentication client has no access token to subscribe with.
    #[error("the authentication client has no access token; set one before subscribing")]
    MissingToken,
    /// The TCP connection to the events host failed.
    #[error("could not connect to the events server: {0}")]
    Connect(#[source] std::io::Error),
    /// The TLS handshake failed.
    #[error("the TLS handshake with the events server failed: {0}")]
    Tls(#[source] std::io::Error),
    /// The HTTP exchange of the upgrade failed.
    #[error("the websocket upgrade failed: {0}")]
    Http(#[source] hyper::Error),
    /// The server refused the upgrade or broke the handshake rules.
    #[error(transparent)]
    Handshake(#[from] HandshakeError),
    /// Opening the connection took longer than the policy allows.
    #[error("connecting to the events server timed out after {0:?}")]
    Timeout(Duration),
    /// The websocket failed after it was open.
    #[error("the events connection failed: {0}")]
    WebSocket(#[source] tokio_tungstenite::tungstenite::Error),
    /// The server closed the connection.
    #[error("the events server closed the connection")]
    Closed,
    /// The server stopped answering pings.
    #[error("the events server stopped answering for {0:?}")]
    Stale(Duration),
    /// The stream was polled outside a tokio runtime.
    #[error("subscribing needs a tokio runtime")]
    NoRuntime,
    /// The connection kept failing and the reconnect limit was reached.
    #[error("gave up on the events feed after {retries} reconnect attempts: {last}")]
    GaveUp {
        /// How many reconnects were tried.
        retries: u32,
        /// The last failure.
        #[source]
        last: Box<EventsError>,
    },
}

impl EventsError {
    /// Whether trying again cannot help: refused credentials, a missing token,
    /// invalid input, no runtime.
    pub fn is_fatal(&self) -> bool {
        match self {
            EventsError::Sdk(_) | EventsError::MissingToken | EventsError::NoRuntime => true,
            EventsError::Handshake(h) => h.is_unauthorized(),
            EventsError::GaveUp { .. } => true,
            _ => false,
        }
    }
}
