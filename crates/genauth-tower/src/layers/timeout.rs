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
    type Future = TimeoutFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, req: HttpRequest) -> Self::Future {
        TimeoutFuture {
            inner: tokio::time::timeout(self.duration, self.inner.call(req)),
            duration: self.duration,
        }
    }
}

pin_project_lite::pin_project! {
    /// The future of [`Timeout`]: the inner future under a deadline, without
    /// a box.
    #[must_use = "futures do nothing unless polled"]
    pub struct TimeoutFuture<F> {
        #[pin]
        inner: tokio::time::Timeout<F>,
        duration: Duration,
    }
}

impl<F, T, E> Future for TimeoutFuture<F>
where
    F: Future<Output = Result<T, E>>,
    E: Into<BoxError>,
{
    type Output = Result<T, BoxError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        match this.inner.poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(result)) => Poll::Ready(result.map_err(Into::into)),
            Poll::Ready(Err(_)) => Poll::Ready(Err(Box::new(Error::Timeout(*this.duration)))),
        }
    }
}
