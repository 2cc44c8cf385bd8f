//! The default GenAuth transport: hyper 1.x over a pooled hyper-util client,
//! TLS by rustls (aws-lc-rs provider, or ring with the `ring` feature; Mozilla
//! roots), HTTP/1.1 and HTTP/2.
//!
//! [`transport`] returns a `tower::Service` that `genauth-tower`'s clients send
//! through. It never follows redirects, so credentials are never forwarded to
//! another host, and it bounds connection setup with a connect timeout.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

use std::sync::Arc;
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
    /// The client options decide which plain hosts are acceptable (loopback
    /// ones, others only with `allow_insecure_http`).
    pub allow_http: bool,
    /// Root certificates trusted in addition to the Mozilla roots (DER): the
    /// CA of a private deployment or of a corporate TLS proxy.
    pub root_certificates: Vec<rustls::pki_types::CertificateDer<'static>>,
    /// A whole rustls configuration to use instead of the default one (its
    /// ALPN protocols are replaced by HTTP/2 and HTTP/1.1). When set,
    /// `root_certificates` is ignored.
    pub tls_config: Option<Arc<rustls::ClientConfig>>,
}

impl TransportOptions {
    /// Trusts `certificate` (DER) in addition to the Mozilla roots.
    pub fn root_certificate(
        mut self,
        certificate: rustls::pki_types::CertificateDer<'static>,
    ) -> Self {
        self.root_certificates.push(certificate);
        self
    }

    /// Uses `config` for TLS instead of the default configuration.
    pub fn tls_config(mut self, config: Arc<rustls::ClientConfig>) -> Self {
        self.tls_config = Some(config);
        self
    }
}

impl Default for TransportOptions {
    fn default() -> Self {
        Self {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            pool_idle_timeout: DEFAULT_POOL_IDLE_TIMEOUT,
            pool_max_idle_per_host: usize::MAX,
            allow_http: true,
            root_certificates: Vec::new(),
            tls_config: None,
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
    let builder = hyper_rustls::HttpsConnectorBuilder::new();
    let builder = match (&options.tls_config, options.root_certificates.is_empty()) {
        (Some(config), _) => {
            let mut config = rustls::ClientConfig::clone(config);
            // The builder sets ALPN itself and refuses a config that has some.
            config.alpn_protocols.clear();
            builder.with_tls_config(config)
        }
        (None, false) => builder.with_tls_config(config_with_roots(&options.root_certificates)?),
        (None, true) => builder
            .with_provider_and_webpki_roots(crypto_provider()?)
            .map_err(Error::transport)?,
    };
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

/// The default TLS configuration with `extra` roots trusted besides Mozilla's.
fn config_with_roots(
    extra: &[rustls::pki_types::CertificateDer<'static>],
) -> Result<rustls::ClientConfig, Error> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for (i, cert) in extra.iter().enumerate() {
        roots.add(cert.clone()).map_err(|e| {
            Error::invalid_input(
                "root_certificates",
                format!("certificate {i} is not a usable root: {e}"),
            )
        })?;
    }
    Ok(
        rustls::ClientConfig::builder_with_provider(crypto_provider()?)
            .with_safe_default_protocol_versions()
            .map_err(Error::transport)?
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

/// The rustls crypto provider the features chose: aws-lc-rs (feature
/// `aws-lc-rs`, the default) or ring (feature `ring`); with neither, the
/// process default the application installed.
fn crypto_provider() -> Result<Arc<rustls::crypto::CryptoProvider>, Error> {
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
            .ok_or_else(|| Error::transport("no TLS crypto provider: enable the `aws-lc-rs` or `ring` feature, or install a rustls CryptoProvider as the process default"))
    }
}

/// Whether `err`, or an error in its source chain, is a failed TLS handshake:
/// a rustls error (an untrusted or invalid certificate, a peer that does not
/// speak TLS, ...). The same server would fail the same way again, so such a
/// failure is final.
pub fn is_tls_error(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(err);
    let mut depth = 0;
    while let Some(e) = current {
        depth += 1;
        if depth > 16 {
            return false;
        }
        if e.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        current = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    false
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
