//! GenAuth calls over [reqwest]: for applications that already have a
//! `reqwest::Client` and want no second HTTP stack.
//!
//! `genauth-core` encodes each operation into an `http::Request` and decodes
//! the `http::Response`; this crate sends those requests through a
//! `reqwest::Client` (yours, or one set up by [`default_client`]) and, for the
//! [`ManagementClient`], keeps the management token with
//! [`genauth_core::session::ManagementSession`]: fetched once for all
//! concurrent calls, refreshed ahead of expiry, and fetched again (once) with
//! the call replayed when the service rejects it.
//!
//! The operations are the values of [`genauth_core::ops`]; each call returns
//! the operation's typed output or a [`genauth_core::Error`].
//!
//! ```no_run
//! use genauth_core::{ops::GetUser, ManagementClientOptions};
//! use genauth_reqwest::ManagementClient;
//!
//! # async fn run() -> Result<(), genauth_core::Error> {
//! let http = reqwest::Client::builder()
//!     .redirect(reqwest::redirect::Policy::none())
//!     .build()
//!     .expect("a reqwest client");
//! let client = ManagementClient::with_client(
//!     http,
//!     ManagementClientOptions::new("access key id", "access key secret"),
//! )?;
//! let user = client.call(&GetUser::new("user id".to_owned())).await?;
//! println!("{}", user.user_id);
//! # Ok(()) }
//! ```
//!
//! What this transport does and does not do, compared with the default
//! hyper/tower stack of the `genauth` crate:
//!
//! - every request gets the client options' timeout (default 10 s) for the
//!   whole exchange, body included, whatever the `reqwest::Client`'s own;
//!   a timeout is [`Error::Timeout`];
//! - response bodies are read up to a limit ([`DEFAULT_BODY_LIMIT`], see
//!   `body_limit`), past which the call fails with
//!   [`Error::ResponseTooLarge`];
//! - no call is retried (use your own retry around `call` for idempotent
//!   operations, [`Operation::IDEMPOTENT`](genauth_core::Operation::IDEMPOTENT));
//! - [`default_client`] never follows redirects, so credentials never go to
//!   another host. A client you pass in is used as it is: build it with
//!   `redirect(reqwest::redirect::Policy::none())`.
//!
//! TLS is rustls with the Mozilla roots (webpki-roots) and the aws-lc-rs
//! provider (feature `aws-lc-rs`, the default) or ring (feature `ring`,
//! which builds no AWS-LC).
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// With neither client feature only `default_client` is left.
#![cfg_attr(
    not(any(feature = "authentication", feature = "management")),
    allow(dead_code, unused_imports)
)]

use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use genauth_core::{Body, Error};

#[cfg(feature = "authentication")]
mod authentication;
#[cfg(feature = "management")]
mod management;

#[cfg(feature = "authentication")]
pub use authentication::AuthenticationClient;
#[cfg(feature = "management")]
pub use management::ManagementClient;

pub use reqwest;

/// The default response size limit: 16 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024 * 1024;
/// The connect timeout of [`default_client`].
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A `reqwest::Client` set up for GenAuth calls: rustls with the Mozilla
/// roots, HTTP/2 and HTTP/1.1, a 5 s connect timeout, no redirects followed,
/// no proxy read from the environment.
pub fn default_client() -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .use_preconfigured_tls(tls_config()?)
        .connect_timeout(DEFAULT_CONNECT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .map_err(Error::transport)
}

/// The rustls configuration of [`default_client`].
fn tls_config() -> Result<rustls::ClientConfig, Error> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let mut config = rustls::ClientConfig::builder_with_provider(crypto_provider()?)
        .with_safe_default_protocol_versions()
        .map_err(Error::transport)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// A reqwest client with the per-request settings of one SDK client.
#[derive(Debug, Clone)]
struct Transport {
    http: reqwest::Client,
    timeout: Duration,
    /// The scheme and authority requests go to, for error messages.
    host: String,
}

impl Transport {
    /// Sends `req` and reads the whole answer (up to the body limit).
    async fn send(
        &self,
        req: http::Request<Body>,
        operation: &'static str,
        body_limit: usize,
    ) -> Result<http::Response<Bytes>, Error> {
        let context = |e: Error| e.with_context(Some(operation), Some(&self.host));
        let mut request = reqwest::Request::try_from(req.map(Body::into_bytes))
            .map_err(|e| context(Error::transport(e)))?;
        *request.timeout_mut() = Some(self.timeout);
        let mut response = self
            .http
            .execute(request)
            .await
            .map_err(|e| context(self.error(e)))?;

        let mut out = http::Response::builder()
            .status(response.status())
            .version(response.version());
        if let Some(headers) = out.headers_mut() {
            *headers = std::mem::take(response.headers_mut());
        }
        if response
            .content_length()
            .is_some_and(|n| n > body_limit as u64)
        {
            return Err(Error::ResponseTooLarge { limit: body_limit });
        }
        let mut body = BytesMut::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| context(self.error(e)))? {
            if body.len() + chunk.len() > body_limit {
                return Err(Error::ResponseTooLarge { limit: body_limit });
            }
            body.extend_from_slice(&chunk);
        }
        out.body(body.freeze())
            .map_err(|e| context(Error::transport(e)))
    }

    fn error(&self, e: reqwest::Error) -> Error {
        if e.is_timeout() {
            Error::Timeout(self.timeout)
        } else {
            Error::transport(e)
        }
    }
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
