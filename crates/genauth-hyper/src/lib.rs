//! The default GenAuth transport: hyper 1.x over a pooled hyper-util client,
//! TLS by rustls (aws-lc-rs provider, Mozilla roots), HTTP/1.1 and HTTP/2.
//!
//! [`transport`] returns a `tower::Service` that `genauth-tower`'s clients send
//! through. It never follows redirects, so credentials are never forwarded to
//! another host, and it bounds connection setup with a connect timeout.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

use std::time::Duration;

use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use genauth_core::Error;

/// The default time allowed to open a TCP connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long an idle pooled connection is kept.
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// The transport service: a pooled hyper client with rustls.
pub type HyperTransport = Client<HttpsConnector<HttpConnector>, genauth_core::Body>;

/// Settings of the hyper transport.
#[derive(Debug, Clone)]
pub struct TransportOptions {
    /// Time allowed to open a TCP connection (default 5 s).
    pub connect_timeout: Duration,
    /// How long an idle connection stays in the pool (default 90 s).
    pub pool_idle_timeout: Duration,
    /// The most idle connections kept per host (default unlimited).
    pub pool_max_idle_per_host: usize,
    /// Whether plain `http://` hosts are allowed (default true, for local emulators).
    pub allow_http: bool,
}

impl Default for TransportOptions {
    fn default() -> Self {
        Self {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            pool_idle_timeout: DEFAULT_POOL_IDLE_TIMEOUT,
            pool_max_idle_per_host: usize::MAX,
            allow_http: true,
        }
    }
}

/// The transport with default settings.
pub fn transport() -> Result<HyperTransport, Error> {
    transport_with(&TransportOptions::default())
}

/// The transport with the given settings.
pub fn transport_with(options: &TransportOptions) -> Result<HyperTransport, Error> {
    let mut http = HttpConnector::new();
    http.set_connect_timeout(Some(options.connect_timeout));
    http.set_nodelay(true);
    http.enforce_http(false);
    let builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_webpki_roots(rustls::crypto::aws_lc_rs::default_provider())
        .map_err(Error::transport)?;
    let builder = if options.allow_http {
        builder.https_or_http()
    } else {
        builder.https_only()
    };
    let https = builder.enable_http1().enable_http2().wrap_connector(http);
    Ok(Client::builder(TokioExecutor::new())
        .pool_idle_timeout(options.pool_idle_timeout)
        .pool_max_idle_per_host(options.pool_max_idle_per_host)
        .build(https))
}

/// Whether `err`, or an error in its source chain, is the hyper client's
/// failure to open a connection. Such a request never left this process, so
/// retrying it is safe even for a write.
pub fn is_connect_error(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(err);
    while let Some(e) = current {
        if e.downcast_ref::<hyper_util::client::legacy::Error>()
            .is_some_and(hyper_util::client::legacy::Error::is_connect)
        {
            return true;
        }
        current = e.source();
    }
    false
}

/// Whether `err` is the hyper client's connect timeout
/// ([`TransportOptions::connect_timeout`]) running out.
pub fn is_connect_timeout(err: &(dyn std::error::Error + 'static)) -> bool {
    if !is_connect_error(err) {
        return false;
    }
    let mut current = Some(err);
    while let Some(e) = current {
        if e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        {
            return true;
        }
        current = e.source();
    }
    false
}
