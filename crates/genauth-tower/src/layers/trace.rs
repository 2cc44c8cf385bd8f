//! One `tracing` span per call, with what is safe to record.

use std::task::{Context, Poll};
use std::time::Instant;

use tower_layer::Layer;
use tower_service::Service;
use tracing::field::Empty;
use tracing::Instrument as _;

use super::meta::meta_ref;
use super::retry::AttemptCounter;
use crate::{BoxError, HttpRequest, HttpResponse};
use genauth_core::request::OperationInfo;
use genauth_core::Error;

/// The name of the span opened for every call.
pub const SPAN_NAME: &str = "genauth.call";

/// Layer that opens one `tracing` span per call, named [`SPAN_NAME`], at INFO level.
///
/// Fields: `operation` (the official method name), `method`, `path` (without
/// the query string), and once the call ends `status` (HTTP), `status_code`
/// and `api_code` (from the envelope), `request_id`, `attempts` (set by the
/// retry layer below, 1 without retries), `elapsed_ms` and, on failure,
/// `error` (the error kind: `timeout`, `transport`, `response_too_large`, ...).
///
/// It never records headers, query strings or bodies, so tokens, secrets and
/// personal data stay out of traces. Put it above the retry layer so a span
/// covers every attempt.
#[derive(Debug, Clone, Copy, Default)]
pub struct TraceLayer;

impl TraceLayer {
    /// The layer.
    pub fn new() -> Self {
        Self
    }
}

impl<S> Layer<S> for TraceLayer {
    type Service = Trace<S>;
    fn layer(&self, inner: S) -> Trace<S> {
        Trace { inner }
    }
}

/// Service made by [`TraceLayer`].
#[derive(Debug, Clone)]
pub struct Trace<S> {
    inner: S,
}

/// A short, stable name for the kind of a failure.
pub fn error_kind(err: &BoxError) -> &'static str {
    match err.downcast_ref::<Error>() {
        Some(Error::Timeout(_)) => "timeout",
        Some(Error::Transport { .. }) | None => "transport",
        Some(Error::ResponseTooLarge { .. }) => "response_too_large",
        Some(Error::Api(_)) => "api",
        Some(Error::Http(_)) => "http",
        Some(Error::Decode(_)) => "decode",
        Some(Error::InvalidInput { .. }) => "invalid_input",
        Some(Error::Config(_)) => "config",
        Some(_) => "other",
    }
}

impl<S> Service<HttpRequest> for Trace<S>
where
    S: Service<HttpRequest, Response = HttpResponse, Error = BoxError>,
    S::Future: Send + 'static,
{
    type Response = HttpResponse;
    type Error = BoxError;
    /// The inner future as it is when no subscriber wants the span (no box,
    /// no extra allocation), or the instrumented, boxed future when one does.
    type Future = futures_util::future::Either<S::Future, super::LayerFuture>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: HttpRequest) -> Self::Future {
        use futures_util::future::Either;
        let operation = req
            .extensions()
            .get::<OperationInfo>()
            .map_or("http", |i| i.name);
        let span = tracing::info_span!(
            SPAN_NAME,
            operation,
            method = req.method().as_str(),
            path = req.uri().path(),
            status = Empty,
            status_code = Empty,
            api_code = Empty,
            request_id = Empty,
            attempts = Empty,
            elapsed_ms = Empty,
            error = Empty,
        );
        if span.is_disabled() {
            return Either::Left(self.inner.call(req));
        }
        let counter = AttemptCounter::new();
        req.extensions_mut().insert(counter.clone());
        let start = Instant::now();
        let fut = {
            let _entered = span.enter();
            self.inner.call(req)
        };
        Either::Right(Box::pin(async move {
            let mut result = fut.instrument(span.clone()).await;
            span.record("attempts", counter.get().max(1));
            span.record(
                "elapsed_ms",
                u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX),
            );
            match &mut result {
                Ok(resp) => {
                    span.record("status", resp.status().as_u16());
                    let meta = meta_ref(resp);
                    if let Some(code) = meta.status_code {
                        span.record("status_code", code);
                    }
                    if let Some(code) = meta.api_code {
                        span.record("api_code", code);
                    }
                    if let Some(id) = &meta.request_id {
                        span.record("request_id", id.as_str());
                    }
                }
                Err(e) => {
                    span.record("error", error_kind(e));
                }
            }
            result
        }))
    }
}
