//! The tower layers the clients stack over a transport.
//!
//! The default stack, from the caller down to the transport:
//!
//! 1. [`TraceLayer`]: one `tracing` span per call.
//! 2. [`TimeoutLayer`]: the whole call's time limit (retries included).
//! 3. [`ManagementTokenLayer`] (management client only): adds the cached
//!    token, refreshes it once and replays when the service rejects it.
//! 4. [`RetryLayer`]: retries idempotent calls on transient failures.
//! 5. Your own layers, added with [`ClientBuilder::layer`](crate::ClientBuilder::layer): once per attempt.
//! 6. [`TimeoutLayer`] per attempt, when configured.
//! 7. [`SigningLayer`] (management client with signed requests only, in place
//!    of the token layer): signs each attempt with a fresh nonce and date.
//! 8. [`CollectBodyLayer`]: reads the body, with a size limit.
//!
//! Each is an ordinary tower layer, usable on its own in a stack of your own.

mod collect;
mod management_token;
mod meta;
mod replay;
mod retry;
mod signing;
mod timeout;
mod trace;

pub use collect::{CollectBody, CollectBodyLayer, CollectFuture, DEFAULT_BODY_LIMIT};
pub use management_token::{
    refused_before_processing, token_rejected, ManagementTokenLayer, ManagementTokenService,
    TokenCache, TokenFuture,
};
pub use meta::{response_meta, ResponseMeta};
pub use replay::Replay;
pub use retry::{
    classify, is_retryable_status, retry_after, AttemptCounter, AttemptNumber, Outcome, Retry,
    RetryFuture, RetryLayer, RetryPolicy,
};
pub use signing::{nonce as signature_nonce, signing_for, Signing, SigningLayer};
pub use timeout::{Timeout, TimeoutFuture, TimeoutLayer};
pub use trace::{error_kind, Trace, TraceLayer, SPAN_NAME};

/// The boxed future the layers of this module return.
pub(crate) type LayerFuture = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<crate::HttpResponse, crate::BoxError>> + Send>,
>;

/// Takes the service that `poll_ready` drove to readiness out of `slot`,
/// leaving a clone behind for the next call (the usual tower pattern for
/// services whose future outlives `&mut self`).
pub(crate) fn take_ready<S: Clone>(slot: &mut S) -> S {
    let clone = slot.clone();
    std::mem::replace(slot, clone)
}

/// Copies a request: method, URI, version, headers, body and extensions.
/// Used to replay a request; the body is reference-counted, so this is cheap.
pub fn clone_request(req: &crate::HttpRequest) -> crate::HttpRequest {
    let mut out = http::Request::new(req.body().clone());
    *out.method_mut() = req.method().clone();
    *out.uri_mut() = req.uri().clone();
    *out.version_mut() = req.version();
    *out.headers_mut() = req.headers().clone();
    *out.extensions_mut() = req.extensions().clone();
    out
}
