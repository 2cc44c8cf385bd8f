//! Bounds the time a request may take, failing with [`Error::Timeout`].

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tower_layer::Layer;
use tower_service::Service;

use crate::{BoxError, HttpRequest};
use genauth_core::Error;

/// Layer that fails a request with [`Error::Timeout`] when the service below
/// has not answered within a time limit.
///
/// The default stack uses it twice: once around the whole call (retries and a
/// token refresh included; the client options' `timeout`, 10 s by default) and,
/// when configured, once around each attempt, below the retry layer.
#[derive(Debug, Clone, Copy)]
pub struct TimeoutLayer {
    duration: Duration,
}

impl TimeoutLayer {
    /// Requests taking longer than `duration` fail with [`Error::Timeout`].
    pub fn new(duration: Duration) -> Self {
        Self { duration }
    }
}

impl<S> Layer<S> for TimeoutLayer {
    type Service = Timeout<S>;
    fn layer(&self, inner: S) -> Timeout<S> {
        Timeout {
            inner,
            duration: self.duration,
        }
    }
}

/// Service made by [`TimeoutLayer`].
#[derive(Debug, Clone)]
pub struct Timeout<S> {
    inner: S,
    duration: Duration,
}

impl<S> Service<HttpRequest> for Timeout<S>
where
    S: Service<HttpRequest>,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
    S::Response: 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, req: HttpRequest) -> Self::Future {
        let fut = self.inner.call(req);
        let duration = self.duration;
        Box::pin(async move {
            match tokio::time::timeout(duration, fut).await {
                Ok(result) => result.map_err(Into::into),
                Err(_) => Err(Box::new(Error::Timeout(duration)) as BoxError),
            }
        })
    }
}
