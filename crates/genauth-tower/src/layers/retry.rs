//! Retries idempotent calls on transient failures, with backoff and a budget.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use tower::retry::budget::{Budget as _, TpsBudget};
use tower::util::rng::{HasherRng, Rng as _};
use tower::ServiceExt as _;
use tower_layer::Layer;
use tower_service::Service;

use super::meta::meta_codes;
use crate::{BoxError, HttpRequest, HttpResponse};
use genauth_core::request::OperationInfo;
use genauth_core::Error;

/// Whether a status (the HTTP status, or the envelope's `statusCode`) marks a
/// transient failure worth retrying, as the generated error-code catalogue
/// flags it, less two: token-invalid statuses (401) are left to the management
/// token layer, which refreshes instead, and a plain 500 is not assumed to be
/// transient. That leaves 408, 429, 502, 503 and 504.
///
/// This is the one place where retryable statuses are decided; the retry
/// layer asks it about both the HTTP status and the body's `statusCode`.
pub fn is_retryable_status(code: i64) -> bool {
    // Every success answers 200 (HTTP status and envelope alike): skip the
    // catalogue lookup for it.
    if code == 200 {
        return false;
    }
    let status = genauth_types::codes::StatusCode::from_code(code);
    status.is_retryable() && !status.is_token_invalid() && code != 500
}

/// How the retry layer sees the outcome of one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A final response: a success, or an error that a retry would not change.
    Done,
    /// A response saying the service is busy or unavailable
    /// ([`is_retryable_status`] of the HTTP status or the body's `statusCode`).
    RetryableResponse,
    /// A failure before the request was sent (the connection could not be
    /// opened): retrying cannot repeat a write.
    NotSent,
    /// A failure after the request may have reached the server (a reset
    /// connection, an attempt timeout): only idempotent calls are retried.
    MaybeSent,
    /// A failure that a retry cannot fix (e.g. a response over the size limit).
    Fatal,
}

/// Classifies one attempt's result.
pub fn classify(result: &mut Result<HttpResponse, BoxError>) -> Outcome {
    match result {
        Ok(resp) => {
            if is_retryable_status(i64::from(resp.status().as_u16())) {
                return Outcome::RetryableResponse;
            }
            match meta_codes(resp).status_code {
                Some(code) if is_retryable_status(code) => Outcome::RetryableResponse,
                _ => Outcome::Done,
            }
        }
        Err(err) if is_tls_failure(err.as_ref()) => Outcome::Fatal,
        Err(err) => match err.downcast_ref::<Error>() {
            Some(Error::Timeout(_)) => Outcome::MaybeSent,
            Some(Error::Transport { source, .. }) => {
                if not_sent(source.as_ref()) {
                    Outcome::NotSent
                } else {
                    Outcome::MaybeSent
                }
            }
            Some(_) => Outcome::Fatal,
            None if not_sent(err.as_ref()) => Outcome::NotSent,
            None => Outcome::MaybeSent,
        },
    }
}

/// Whether an error, or one in its source chain, is a failed TLS handshake (a
/// certificate that is not trusted, a server that does not speak TLS): a
/// retry would meet the same certificate, so it is final, writes and reads alike.
fn is_tls_failure(err: &(dyn std::error::Error + 'static)) -> bool {
    #[cfg(feature = "hyper")]
    if genauth_hyper::is_tls_error(err) {
        return true;
    }
    #[cfg(not(feature = "hyper"))]
    let _ = err;
    false
}

/// Whether an error, or one in its source chain, proves the request never left:
/// a refused connection, or the hyper transport's connect failure.
fn not_sent(err: &(dyn std::error::Error + 'static)) -> bool {
    #[cfg(feature = "hyper")]
    if genauth_hyper::is_connect_error(err) {
        return true;
    }
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::AddrNotAvailable
            ) {
                return true;
            }
        }
        current = e.source();
    }
    false
}

/// The delay a `Retry-After` header asks for: delta-seconds or an HTTP date
/// (a date in the past means no delay). `None` when absent or unreadable.
pub fn retry_after(headers: &http::HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// When and how often the retry layer retries.
///
/// Only idempotent calls are retried after their request may have reached the
/// server: GET operations and the read-only POST ones, as the operation's
/// [`OperationInfo::idempotent`] says (requests without it count as idempotent
/// when their method is GET, HEAD or OPTIONS). A request that provably never
/// left (the connection could not be opened) may be retried whatever it is.
///
/// Cloning a policy shares its retry budget.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
    retry_unsent_writes: bool,
    budget: Option<Arc<TpsBudget>>,
}

impl Default for RetryPolicy {
    /// Three attempts in all; backoff from 100 ms up to 5 s with full jitter;
    /// `Retry-After` honoured up to 30 s; retries limited to 20 % of requests
    /// (plus 10 per second) over a 10 s window.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
            retry_unsent_writes: true,
            budget: Some(Arc::new(TpsBudget::new(Duration::from_secs(10), 10, 0.2))),
        }
    }
}

impl RetryPolicy {
    /// The default policy (see [`RetryPolicy::default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// A policy that never retries.
    pub fn never() -> Self {
        Self::default().max_attempts(1)
    }

    /// The most attempts per call, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Backoff before retry `n` is a random time between zero and
    /// `min(max, base * 2^(n-1))` ("full jitter").
    pub fn backoff(mut self, base: Duration, max: Duration) -> Self {
        self.base_backoff = base;
        self.max_backoff = max.max(base);
        self
    }

    /// The longest `Retry-After` to wait for; a response asking for more is
    /// returned to the caller instead of being retried.
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// Whether writes whose connection could not even be opened are retried
    /// (default true: such a request never reached the server).
    pub fn retry_unsent_writes(mut self, yes: bool) -> Self {
        self.retry_unsent_writes = yes;
        self
    }

    /// Limits retries to `retry_percent` (0.0 to 1000.0) of the requests made
    /// in the last `ttl` (1 to 60 s), plus `min_per_sec` retries per second, so
    /// that an outage does not multiply the load on the service. Values out of
    /// range are clamped into it (a NaN percentage counts as 0).
    pub fn budget(mut self, ttl: Duration, min_per_sec: u32, retry_percent: f32) -> Self {
        let ttl = ttl.clamp(Duration::from_secs(1), Duration::from_secs(60));
        let min_per_sec = min_per_sec.min(i32::MAX as u32 - 1);
        let retry_percent = if retry_percent.is_nan() {
            0.0
        } else {
            retry_percent.clamp(0.0, 1000.0)
        };
        self.budget = Some(Arc::new(TpsBudget::new(ttl, min_per_sec, retry_percent)));
        self
    }

    /// Removes the retry budget: only the attempt limit bounds retries.
    pub fn no_budget(mut self) -> Self {
        self.budget = None;
        self
    }

    /// The attempt limit.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The backoff before attempt `attempt + 1`, without jitter: the upper bound.
    fn backoff_ceiling(&self, attempt: u32) -> Duration {
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.base_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }

    /// Whether to retry after `attempt` ended with `outcome`, and after how long.
    fn delay(
        &self,
        outcome: Outcome,
        idempotent: bool,
        attempt: u32,
        result: &Result<HttpResponse, BoxError>,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let allowed = match outcome {
            Outcome::Done | Outcome::Fatal => false,
            Outcome::RetryableResponse | Outcome::MaybeSent => idempotent,
            Outcome::NotSent => idempotent || self.retry_unsent_writes,
        };
        if !allowed {
            return None;
        }
        if let Ok(resp) = result {
            if let Some(wait) = retry_after(resp.headers(), SystemTime::now()) {
                return (wait <= self.max_retry_after).then_some(wait);
            }
        }
        let ceiling = self.backoff_ceiling(attempt);
        let jitter = HasherRng::new().next_f64();
        Some(ceiling.mul_f64(jitter))
    }
}

/// The number of the attempt a request is, set by the retry layer in each
/// attempt's extensions (1 for the first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptNumber(pub u32);

/// A counter that the retry layer updates with the latest attempt number,
/// when a layer above put it in the request's extensions (the tracing layer does).
#[derive(Debug, Clone, Default)]
pub struct AttemptCounter(Arc<AtomicU32>);

impl AttemptCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        Self::default()
    }
    /// The latest attempt number (0 when the retry layer never saw the request).
    pub fn get(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }
    fn set(&self, n: u32) {
        self.0.store(n, Ordering::Relaxed);
    }
}

/// Layer that retries calls as its [`RetryPolicy`] allows.
#[derive(Debug, Clone)]
pub struct RetryLayer {
    policy: Arc<RetryPolicy>,
}

impl RetryLayer {
    /// A layer retrying by `policy`.
    pub fn new(policy: RetryPolicy) -> Self {
        Self {
            policy: Arc::new(policy),
        }
    }
}

impl<S: Clone> Layer<S> for RetryLayer {
    type Service = Retry<S>;
    fn layer(&self, inner: S) -> Retry<S> {
        Retry {
            spare: Arc::new(inner.clone()),
            inner,
            policy: self.policy.clone(),
        }
    }
}

/// Service made by [`RetryLayer`].
#[derive(Debug, Clone)]
pub struct Retry<S> {
    inner: S,
    /// A clone of `inner` kept aside: a call's future holds this reference
    /// and clones the service out of it only when it retries, so the future
    /// of a call that needs no retry does not carry a whole service.
    spare: Arc<S>,
    policy: Arc<RetryPolicy>,
}

fn is_idempotent(req: &HttpRequest) -> bool {
    match req.extensions().get::<OperationInfo>() {
        Some(info) => info.idempotent,
        None => matches!(
            *req.method(),
            http::Method::GET | http::Method::HEAD | http::Method::OPTIONS
        ),
    }
}

fn mark(req: &mut HttpRequest, attempt: u32) {
    if let Some(counter) = req.extensions().get::<AttemptCounter>() {
        counter.set(attempt);
    }
    req.extensions_mut().insert(AttemptNumber(attempt));
}

impl<S> Service<HttpRequest> for Retry<S>
where
    S: Service<HttpRequest, Response = HttpResponse, Error = BoxError>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send,
{
    type Response = HttpResponse;
    type Error = BoxError;
    type Future = RetryFuture<S>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: HttpRequest) -> Self::Future {
        let policy = &self.policy;
        let replay = (policy.max_attempts > 1).then(|| {
            if let Some(budget) = &policy.budget {
                budget.deposit();
            }
            // The template is copied before `AttemptNumber` goes in, so it
            // has one extension less to copy; every replay is marked anew.
            Replays {
                idempotent: is_idempotent(&req),
                template: super::Replay::of(&req),
                inner: self.spare.clone(),
                policy: policy.clone(),
            }
        });
        mark(&mut req, 1);
        RetryFuture {
            state: RetryState::First {
                attempt: self.inner.call(req),
                replays: replay,
            },
        }
    }
}

/// What the retry future keeps to send a call again after its first attempt.
struct Replays<S> {
    idempotent: bool,
    template: super::Replay,
    inner: Arc<S>,
    policy: Arc<RetryPolicy>,
}

pin_project_lite::pin_project! {
    /// The future of [`Retry`]: the first attempt, polled in place; when the
    /// policy asks for a retry, the retries, boxed (so that a call that needs
    /// none allocates no future of its own).
    pub struct RetryFuture<S>
    where
        S: Service<HttpRequest>,
    {
        #[pin]
        state: RetryState<S>,
    }
}

pin_project_lite::pin_project! {
    #[project = RetryStateProj]
    enum RetryState<S>
    where
        S: Service<HttpRequest>,
    {
        First {
            #[pin]
            attempt: S::Future,
            replays: Option<Replays<S>>,
        },
        Again {
            retries: super::LayerFuture,
        },
    }
}

impl<S> std::future::Future for RetryFuture<S>
where
    S: Service<HttpRequest, Response = HttpResponse, Error = BoxError>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send,
{
    type Output = Result<HttpResponse, BoxError>;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                RetryStateProj::First { attempt, replays } => {
                    let mut result = std::task::ready!(attempt.poll(cx));
                    // Looked at in place: the template moves only for a retry.
                    let Some(r) = replays.as_ref() else {
                        return Poll::Ready(result);
                    };
                    let outcome = classify(&mut result);
                    let Some(delay) = r.policy.delay(outcome, r.idempotent, 1, &result) else {
                        return Poll::Ready(result);
                    };
                    let Some(replays) = replays.take() else {
                        return Poll::Ready(result);
                    };
                    this.state.set(RetryState::Again {
                        retries: Box::pin(retry(replays, outcome, delay, result)),
                    });
                }
                RetryStateProj::Again { retries } => return retries.as_mut().poll(cx),
            }
        }
    }
}

/// The attempts after the first: `first` ended with `outcome`, and the policy
/// asked for another attempt after `delay`.
async fn retry<S>(
    replays: Replays<S>,
    mut outcome: Outcome,
    mut delay: Duration,
    mut result: Result<HttpResponse, BoxError>,
) -> Result<HttpResponse, BoxError>
where
    S: Service<HttpRequest, Response = HttpResponse, Error = BoxError> + Clone,
{
    let Replays {
        idempotent,
        template,
        inner,
        policy,
    } = replays;
    let mut inner = S::clone(&inner);
    let mut attempt = 1;
    loop {
        if let Some(budget) = &policy.budget {
            if !budget.withdraw() {
                tracing::debug!(attempt, "retry budget exhausted; not retrying");
                return result;
            }
        }
        tracing::debug!(
            attempt,
            ?outcome,
            ?delay,
            "retrying after a transient failure"
        );
        drop(result);
        tokio::time::sleep(delay).await;
        attempt += 1;
        let mut next = template.request();
        mark(&mut next, attempt);
        result = match inner.ready().await {
            Ok(svc) => svc.call(next).await,
            Err(e) => Err(e),
        };
        outcome = classify(&mut result);
        match policy.delay(outcome, idempotent, attempt, &result) {
            Some(d) => delay = d,
            None => return result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut h = http::HeaderMap::new();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(retry_after(&h, now), None);
        h.insert("retry-after", http::HeaderValue::from_static(" 7 "));
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(42));
        h.insert("retry-after", http::HeaderValue::from_str(&later).unwrap());
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(42)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(42));
        h.insert(
            "retry-after",
            http::HeaderValue::from_str(&earlier).unwrap(),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::ZERO));
        h.insert("retry-after", http::HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h, now), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::new().backoff(Duration::from_millis(100), Duration::from_secs(1));
        assert_eq!(p.backoff_ceiling(1), Duration::from_millis(100));
        assert_eq!(p.backoff_ceiling(2), Duration::from_millis(200));
        assert_eq!(p.backoff_ceiling(4), Duration::from_millis(800));
        assert_eq!(p.backoff_ceiling(5), Duration::from_secs(1));
        assert_eq!(p.backoff_ceiling(60), Duration::from_secs(1));
        let resp: Result<HttpResponse, BoxError> = Ok(http::Response::new(bytes::Bytes::new()));
        for _ in 0..100 {
            let d = p.delay(Outcome::RetryableResponse, true, 2, &resp).unwrap();
            assert!(d <= Duration::from_millis(200), "{d:?}");
        }
    }

    #[test]
    fn classification() {
        // The shortcut for 200 gives the catalogue's answer.
        let ok = genauth_types::codes::StatusCode::from_code(200);
        assert!(!ok.is_retryable() || ok.is_token_invalid());
        assert!(!is_retryable_status(200));
        let status = |s: u16, body: &str| -> Result<HttpResponse, BoxError> {
            let mut r = http::Response::new(bytes::Bytes::from(body.to_owned()));
            *r.status_mut() = http::StatusCode::from_u16(s).unwrap();
            Ok(r)
        };
        for s in [408, 429, 502, 503, 504] {
            assert_eq!(classify(&mut status(s, "")), Outcome::RetryableResponse);
        }
        for s in [200, 400, 401, 404, 500] {
            assert_eq!(classify(&mut status(s, "")), Outcome::Done);
        }
        assert_eq!(
            classify(&mut status(200, r#"{"statusCode":503,"message":"busy"}"#)),
            Outcome::RetryableResponse
        );
        assert_eq!(
            classify(&mut status(200, r#"{"statusCode":400,"apiCode":2004}"#)),
            Outcome::Done
        );
        let refused: BoxError =
            Box::new(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert_eq!(classify(&mut Err(refused)), Outcome::NotSent);
        let reset: BoxError = Box::new(std::io::Error::from(std::io::ErrorKind::ConnectionReset));
        assert_eq!(classify(&mut Err(reset)), Outcome::MaybeSent);
        let wrapped: BoxError = Box::new(Error::transport(std::io::Error::from(
            std::io::ErrorKind::ConnectionRefused,
        )));
        assert_eq!(classify(&mut Err(wrapped)), Outcome::NotSent);
        let timeout: BoxError = Box::new(Error::Timeout(Duration::from_secs(1)));
        assert_eq!(classify(&mut Err(timeout)), Outcome::MaybeSent);
        let big: BoxError = Box::new(Error::ResponseTooLarge { limit: 1 });
        assert_eq!(classify(&mut Err(big)), Outcome::Fatal);
    }

    #[test]
    fn writes_are_retried_only_when_unsent() {
        let p = RetryPolicy::new();
        let ok: Result<HttpResponse, BoxError> = Ok(http::Response::new(bytes::Bytes::new()));
        assert!(p.delay(Outcome::RetryableResponse, false, 1, &ok).is_none());
        assert!(p.delay(Outcome::MaybeSent, false, 1, &ok).is_none());
        assert!(p.delay(Outcome::NotSent, false, 1, &ok).is_some());
        assert!(p
            .clone()
            .retry_unsent_writes(false)
            .delay(Outcome::NotSent, false, 1, &ok)
            .is_none());
        assert!(p.delay(Outcome::MaybeSent, true, 1, &ok).is_some());
        assert!(
            p.delay(Outcome::MaybeSent, true, 3, &ok).is_none(),
            "attempt limit"
        );
        assert!(p.delay(Outcome::Fatal, true, 1, &ok).is_none());
    }
}
