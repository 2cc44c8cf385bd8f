//! Signs management calls with the access key (HMAC-SHA1), once per attempt,
//! as the alternative to the management token.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::SystemTime;

use genauth_core::request::OperationInfo;
use genauth_core::signing::SigningKey;
use genauth_core::AuthKind;
use tower_layer::Layer;
use tower_service::Service;

use crate::{BoxError, HttpRequest, HttpResponse};

/// A fresh nonce: 32 hex digits from two process-keyed hashes of a counter
/// and the clock. Nonces only need to be unique (the secret protects the
/// signature), and a counter never repeats within a process.
pub fn nonce() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let t = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let a = RandomState::new().hash_one((n, t));
    let b = RandomState::new().hash_one((t, n, a));
    format!("{a:016x}{b:016x}")
}

/// The signing layer of a management client configured for signed requests
/// ([`ManagementAuth::SignedRequests`](genauth_core::ManagementAuth)), `None`
/// for the token.
pub fn signing_for(config: &genauth_core::ManagementConfig) -> Option<SigningLayer> {
    (config.options().auth == genauth_core::ManagementAuth::SignedRequests)
        .then(|| SigningLayer::new(config.signing_key()))
}

/// Layer that signs requests of management operations with the access key.
///
/// Stack it below the retry layer (the default client stack does), so every
/// attempt carries its own nonce and date: a server refuses a replayed nonce.
#[derive(Debug, Clone)]
pub struct SigningLayer {
    key: Arc<SigningKey>,
}

impl SigningLayer {
    /// A layer signing with `key`.
    pub fn new(key: SigningKey) -> Self {
        Self { key: Arc::new(key) }
    }
}

impl<S> Layer<S> for SigningLayer {
    type Service = Signing<S>;
    fn layer(&self, inner: S) -> Self::Service {
        Signing {
            inner,
            key: self.key.clone(),
        }
    }
}

/// Service made by [`SigningLayer`].
#[derive(Debug, Clone)]
pub struct Signing<S> {
    inner: S,
    key: Arc<SigningKey>,
}

impl<S> Service<HttpRequest> for Signing<S>
where
    S: Service<HttpRequest, Response = HttpResponse, Error = BoxError>,
{
    type Response = HttpResponse;
    type Error = BoxError;
    type Future =
        futures_util::future::Either<S::Future, std::future::Ready<Result<HttpResponse, BoxError>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: HttpRequest) -> Self::Future {
        let signed = req
            .extensions()
            .get::<OperationInfo>()
            .is_some_and(|i| i.auth == AuthKind::ManagementToken);
        if signed {
            let date = httpdate::fmt_http_date(SystemTime::now());
            if let Err(e) = self.key.sign(&mut req, &nonce(), &date) {
                let e: BoxError = Box::new(e);
                return futures_util::future::Either::Right(std::future::ready(Err(e)));
            }
        }
        futures_util::future::Either::Left(self.inner.call(req))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_32_hex_digits_and_differ() {
        let a = nonce();
        let b = nonce();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
