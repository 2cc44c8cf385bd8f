//! Reads response bodies into memory, refusing bodies over a size limit.

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use std::task::{Context, Poll};
use tower_layer::Layer;
use tower_service::Service;

use crate::{BoxError, HttpRequest, HttpResponse};
use genauth_core::Error;

/// The default response size limit: 16 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Layer that turns a streaming response body into `Bytes`, with a size limit.
#[derive(Debug, Clone, Copy)]
pub struct CollectBodyLayer {
    limit: usize,
}

impl CollectBodyLayer {
    /// Collects bodies of at most `limit` bytes; a larger one fails with
    /// [`Error::ResponseTooLarge`] as soon as the limit is passed, without
    /// reading the rest.
    pub fn new(limit: usize) -> Self {
        Self { limit }
    }
}

impl Default for CollectBodyLayer {
    fn default() -> Self {
        Self::new(DEFAULT_BODY_LIMIT)
    }
}

impl<S> Layer<S> for CollectBodyLayer {
    type Service = CollectBody<S>;
    fn layer(&self, inner: S) -> CollectBody<S> {
        CollectBody {
            inner,
            limit: self.limit,
        }
    }
}

/// Service made by [`CollectBodyLayer`].
#[derive(Debug, Clone)]
pub struct CollectBody<S> {
    inner: S,
    limit: usize,
}

impl<S, B> Service<HttpRequest> for CollectBody<S>
where
    S: Service<HttpRequest, Response = http::Response<B>>,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = HttpResponse;
    type Error = BoxError;
    type Future = super::LayerFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, req: HttpRequest) -> Self::Future {
        let fut = self.inner.call(req);
        let limit = self.limit;
        Box::pin(async move {
            let resp = fut.await.map_err(Into::into)?;
            let (parts, body) = resp.into_parts();
            let collected = Limited::new(body, limit).collect().await.map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    Box::new(Error::ResponseTooLarge { limit }) as BoxError
                } else {
                    Box::new(Error::transport(e)) as BoxError
                }
            })?;
            Ok(http::Response::from_parts(parts, collected.to_bytes()))
        })
    }
}
