//! Opening one websocket for a subscription: TCP, TLS (rustls with the
//! aws-lc-rs provider and the Mozilla roots) for `wss://`, then the HTTP/1.1
//! upgrade through hyper, checked with `genauth-core`.
//!
//! The upgrade goes through hyper rather than tungstenite's own client so that
//! the request, which holds the token or the signature, is never written to a
//! log.

use std::sync::{Arc, OnceLock, RwLock};

use bytes::Bytes;
use genauth_core::events::{check_upgrade_response, websocket_key, SubscribeRequest};
use http_body_util::Empty;
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;

use crate::policy::ReconnectPolicy;
use crate::EventsError;

/// The largest event frame accepted; events are small, so a larger one is
/// a broken or hostile server (the connection fails and is retried).
pub const MAX_EVENT_SIZE: usize = 4 << 20;

/// An open subscription socket.
pub(crate) type Socket = WebSocketStream<TokioIo<Upgraded>>;

/// Opens the socket of `sub` within the policy's connect timeout.
pub(crate) async fn open(
    sub: &SubscribeRequest,
    policy: &ReconnectPolicy,
) -> Result<Socket, EventsError> {
    match tokio::time::timeout(policy.connect_timeout, open_inner(sub)).await {
        Ok(r) => r,
        Err(_) => Err(EventsError::Timeout(policy.connect_timeout)),
    }
}

fn nonce() -> [u8; 16] {
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&crate::random_u64().to_le_bytes());
    out[8..].copy_from_slice(&crate::random_u64().to_le_bytes());
    out
}

async fn open_inner(sub: &SubscribeRequest) -> Result<Socket, EventsError> {
    let url = sub.url();
    let key = websocket_key(nonce());
    let req = sub.upgrade_request(&key)?;
    // hyper writes the URI as given: send the origin form (path and query).
    let (mut parts, ()) = req.into_parts();
    let origin = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_else(|| "/".to_owned());
    parts.uri = origin
        .parse()
        .map_err(|_| genauth_core::Error::invalid_input("websocket_host", "invalid URL"))?;
    let req = http::Request::from_parts(parts, Empty::<Bytes>::new());

    let tcp = TcpStream::connect((url.host(), url.port()))
        .await
        .map_err(EventsError::Connect)?;
    // Small frames matter more than throughput here.
    let _ = tcp.set_nodelay(true);
    if url.is_tls() {
        let name =
            rustls::pki_types::ServerName::try_from(url.host().to_owned()).map_err(|_| {
                genauth_core::Error::invalid_input(
                    "websocket_host",
                    "is not a valid TLS server name",
                )
            })?;
        let tls = tokio_rustls::TlsConnector::from(tls_config()?)
            .connect(name, tcp)
            .await
            .map_err(EventsError::Tls)?;
        upgrade(TokioIo::new(tls), req, &key).await
    } else {
        upgrade(TokioIo::new(tcp), req, &key).await
    }
}

async fn upgrade<I>(
    io: I,
    req: http::Request<Empty<Bytes>>,
    key: &str,
) -> Result<Socket, EventsError>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(EventsError::Http)?;
    // The connection task ends when the upgrade hands the socket over, or
    // when the exchange fails and `sender` is dropped.
    tokio::spawn(async move {
        let _ = conn.with_upgrades().await;
    });
    let resp = sender.send_request(req).await.map_err(EventsError::Http)?;
    check_upgrade_response(key, resp.status(), resp.headers())?;
    let upgraded = hyper::upgrade::on(resp).await.map_err(EventsError::Http)?;
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_EVENT_SIZE))
        .max_frame_size(Some(MAX_EVENT_SIZE));
    Ok(WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Client, Some(config)).await)
}

/// A TLS configuration set with [`set_tls_config`], used instead of the default.
static CUSTOM_TLS: RwLock<Option<Arc<rustls::ClientConfig>>> = RwLock::new(None);

/// Replaces the TLS client configuration of `wss://` subscriptions opened from
/// now on, e.g. to trust a private certificate authority; `None` restores the
/// default (rustls with the aws-lc-rs provider, or ring with the `ring` feature,
/// and the Mozilla roots).
///
/// The configuration should not offer ALPN protocols other than `http/1.1`:
/// the upgrade is an HTTP/1.1 exchange.
pub fn set_tls_config(config: Option<Arc<rustls::ClientConfig>>) {
    *CUSTOM_TLS.write().unwrap_or_else(|e| e.into_inner()) = config;
}

/// The TLS client configuration: the one set with [`set_tls_config`], or the
/// default one, built once: rustls with the aws-lc-rs provider, TLS 1.2 and
/// 1.3, and the Mozilla root certificates.
pub(crate) fn tls_config() -> Result<Arc<rustls::ClientConfig>, EventsError> {
    if let Some(custom) = CUSTOM_TLS.read().unwrap_or_else(|e| e.into_inner()).clone() {
        return Ok(custom);
    }
    static CONFIG: OnceLock<Result<Arc<rustls::ClientConfig>, String>> = OnceLock::new();
    let built = CONFIG.get_or_init(|| {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        crypto_provider()
            .and_then(|p| {
                rustls::ClientConfig::builder_with_provider(p)
                    .with_safe_default_protocol_versions()
                    .map_err(|e| e.to_string())
            })
            .map(|b| Arc::new(b.with_root_certificates(roots).with_no_client_auth()))
    });
    built.clone().map_err(|reason| {
        EventsError::Tls(std::io::Error::other(format!(
            "cannot build the TLS configuration: {reason}"
        )))
    })
}

/// The rustls crypto provider the features chose: aws-lc-rs (feature
/// `aws-lc-rs`, the default) or ring (feature `ring`); with neither, the
/// process default the application installed.
fn crypto_provider() -> Result<Arc<rustls::crypto::CryptoProvider>, String> {
    #[cfg(feature = "aws-lc-rs")]
    {
        Ok(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
    }
    #[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
    {
        Ok(Arc::new(rustls::crypto::ring::default_provider()))
    }
    #[cfg(not(any(feature = "aws-lc-rs", feature = "ring")))]
    {
        rustls::crypto::CryptoProvider::get_default()
            .cloned()
            .ok_or_else(|| "no TLS crypto provider: enable the `aws-lc-rs` or `ring` feature, or install a rustls CryptoProvider as the process default".to_owned())
    }
}
