//! Reads response bodies into memory, refusing bodies over a size limit.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::{Bytes, BytesMut};
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
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Response = HttpResponse;
    type Error = BoxError;
    type Future = CollectFuture<S::Future, B>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, req: HttpRequest) -> Self::Future {
        CollectFuture {
            state: State::Waiting {
                response: self.inner.call(req),
            },
            limit: self.limit,
        }
    }
}

pin_project_lite::pin_project! {
    /// The future of [`CollectBody`]: the inner service's response, then its
    /// body read frame by frame up to the limit. A body that comes in one
    /// frame (the usual case) is handed on as it is, without a copy.
    pub struct CollectFuture<F, B> {
        #[pin]
        state: State<F, B>,
        limit: usize,
    }
}

pin_project_lite::pin_project! {
    #[project = StateProj]
    enum State<F, B> {
        Waiting {
            #[pin]
            response: F,
        },
        Reading {
            parts: Option<http::response::Parts>,
            #[pin]
            body: B,
            first: Bytes,
            more: Option<BytesMut>,
        },
    }
}

impl<F, B, E> Future for CollectFuture<F, B>
where
    F: Future<Output = Result<http::Response<B>, E>>,
    E: Into<BoxError>,
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Output = Result<HttpResponse, BoxError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let limit = *this.limit;
        loop {
            match this.state.as_mut().project() {
                StateProj::Waiting { response } => {
                    let resp = ready!(response.poll(cx)).map_err(Into::into)?;
                    let (parts, body) = resp.into_parts();
                    this.state.set(State::Reading {
                        parts: Some(parts),
                        body,
                        first: Bytes::new(),
                        more: None,
                    });
                }
                StateProj::Reading {
                    parts,
                    mut body,
                    first,
                    more,
                } => loop {
                    let frame = match ready!(body.as_mut().poll_frame(cx)) {
                        Some(Ok(frame)) => frame,
                        Some(Err(e)) => return Poll::Ready(Err(transport(e.into()))),
                        None => {
                            let bytes = match more.take() {
                                Some(all) => all.freeze(),
                                None => std::mem::take(first),
                            };
                            let parts =
                                parts.take().expect("CollectFuture polled after completion");
                            return Poll::Ready(Ok(http::Response::from_parts(parts, bytes)));
                        }
                    };
                    // Trailers are dropped, as `Collected::to_bytes` does.
                    let Ok(data) = frame.into_data() else {
                        continue;
                    };
                    let seen = first.len() + more.as_ref().map_or(0, BytesMut::len);
                    if data.len() > limit.saturating_sub(seen) {
                        return Poll::Ready(Err(Box::new(Error::ResponseTooLarge { limit })));
                    }
                    if data.is_empty() {
                        continue;
                    }
                    match more {
                        Some(all) => all.extend_from_slice(&data),
                        None if first.is_empty() => *first = data,
                        None => {
                            let mut all = BytesMut::with_capacity(first.len() + data.len());
                            all.extend_from_slice(first);
                            all.extend_from_slice(&data);
                            *first = Bytes::new();
                            *more = Some(all);
                        }
                    }
                },
            }
        }
    }
}

fn transport(e: BoxError) -> BoxError {
    Box::new(Error::transport(e))
}
