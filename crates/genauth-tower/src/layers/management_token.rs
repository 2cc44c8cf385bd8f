//! Adds the management token to management calls: cached, refreshed ahead of
//! expiry by a single task, and refreshed once more when the service says the
//! token is no longer valid.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::Instant;
use tower::ServiceExt as _;
use tower_layer::Layer;
use tower_service::Service;

use crate::{BoxError, HttpRequest, HttpResponse};
use genauth_core::request::OperationInfo;
use genauth_core::{AuthKind, ManagementConfig, ManagementToken};
use genauth_types::codes::{ApiCode, StatusCode};

/// Boxes one of our errors so that `Error::from_boxed` gets it back.
fn boxed(e: genauth_core::Error) -> BoxError {
    Box::new(e)
}

/// How long before expiry a token is refreshed: a tenth of its lifetime, at most a minute.
fn refresh_margin(lifetime: Duration) -> Duration {
    (lifetime / 10).min(Duration::from_secs(60))
}

/// When a token fetched at `now` that lives `lifetime` is refreshed. The
/// lifetime is clamped to [`genauth_core::management_token::MAX_TOKEN_LIFETIME`]
/// and the sum is checked, so no answer of the service can make it overflow.
fn refresh_at(now: Instant, lifetime: Duration) -> Instant {
    let lifetime = genauth_core::management_token::clamp_lifetime(lifetime);
    let ahead = lifetime.saturating_sub(refresh_margin(lifetime));
    now.checked_add(ahead).unwrap_or(now)
}

/// A cached token and when to stop using it.
#[derive(Debug)]
struct Cached {
    token: ManagementToken,
    refresh_at: Instant,
    generation: u64,
}

/// The shared management token cache of one client.
///
/// Reading a fresh token takes a read lock only. When the token is missing or
/// due, one task fetches a new one while the others wait for it (single flight).
#[derive(Debug)]
pub struct TokenCache {
    config: Arc<ManagementConfig>,
    current: RwLock<Option<Arc<Cached>>>,
    refresh: tokio::sync::Mutex<()>,
    fetches: AtomicU64,
}

impl TokenCache {
    /// An empty cache for the access key in `config`.
    pub fn new(config: Arc<ManagementConfig>) -> Self {
        Self {
            config,
            current: RwLock::new(None),
            refresh: tokio::sync::Mutex::new(()),
            fetches: AtomicU64::new(0),
        }
    }

    /// How many token requests this cache has sent.
    pub fn fetch_count(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    fn fresh(&self) -> Option<Arc<Cached>> {
        let guard = self.current.read().unwrap_or_else(|e| e.into_inner());
        guard
            .as_ref()
            .filter(|c| Instant::now() < c.refresh_at)
            .cloned()
    }

    /// Drops the cached token if it is still the one of `generation`.
    fn invalidate(&self, generation: u64) {
        let mut guard = self.current.write().unwrap_or_else(|e| e.into_inner());
        if guard.as_ref().is_some_and(|c| c.generation == generation) {
            *guard = None;
        }
    }

    /// Returns a fresh token, fetching one through `service` when needed.
    async fn get<S>(&self, service: &mut S) -> Result<Arc<Cached>, BoxError>
    where
        S: Service<HttpRequest, Response = HttpResponse, Error = BoxError>,
    {
        if let Some(c) = self.fresh() {
            return Ok(c);
        }
        let _guard = self.refresh.lock().await;
        // Another task may have refreshed while this one waited.
        if let Some(c) = self.fresh() {
            return Ok(c);
        }
        let generation = self.fetches.fetch_add(1, Ordering::Relaxed) + 1;
        let req = self.config.token_request().map_err(boxed)?;
        let resp = service.ready().await?.call(req).await?;
        let token = self.config.parse_token_response(resp).map_err(boxed)?;
        let cached = Arc::new(Cached {
            refresh_at: refresh_at(Instant::now(), token.expires_in),
            token,
            generation,
        });
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(cached.clone());
        Ok(cached)
    }
}

/// Layer that adds the management token to requests of management operations.
#[derive(Debug, Clone)]
pub struct ManagementTokenLayer {
    cache: Arc<TokenCache>,
}

impl ManagementTokenLayer {
    /// A layer with a new, empty cache for `config`'s access key.
    pub fn new(config: Arc<ManagementConfig>) -> Self {
        Self {
            cache: Arc::new(TokenCache::new(config)),
        }
    }

    /// The layer's token cache.
    pub fn cache(&self) -> &Arc<TokenCache> {
        &self.cache
    }
}

impl<S: Clone> Layer<S> for ManagementTokenLayer {
    type Service = ManagementTokenService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        ManagementTokenService {
            spare: Arc::new(inner.clone()),
            inner,
            cache: self.cache.clone(),
        }
    }
}

/// Service made by [`ManagementTokenLayer`].
#[derive(Debug, Clone)]
pub struct ManagementTokenService<S> {
    inner: S,
    /// A clone of `inner` kept aside: a call's future holds this reference,
    /// and clones the service out of it only to replay a rejected call.
    spare: Arc<S>,
    cache: Arc<TokenCache>,
}

/// Whether a response says the management token is expired or invalid: an
/// HTTP status or body `statusCode` that the catalogue flags as token-invalid
/// (401), or a token-invalid `apiCode` (2020, 2021, 2206, 2207, ...).
pub fn token_rejected(resp: &mut HttpResponse) -> bool {
    if StatusCode::from_code(i64::from(resp.status().as_u16())).is_token_invalid() {
        return true;
    }
    let meta = super::meta::meta_codes(resp);
    meta.status_code
        .is_some_and(|c| StatusCode::from_code(c).is_token_invalid())
        || meta
            .api_code
            .is_some_and(|c| ApiCode::from_code(c).is_token_invalid())
}

/// Whether a token rejection proves the service did not execute the call, so
/// that a write may be sent again with a new token: only an envelope whose
/// `apiCode` is 2020 (`NotLoggedIn`, "the caller is not signed in, so the
/// request is refused"). A bare HTTP 401, a `statusCode` 401 without that code,
/// and the other token codes (2021, 2206, 2207) do not say when the check ran,
/// so a write that met them is never replayed (reads always are, once).
pub fn refused_before_processing(resp: &mut HttpResponse) -> bool {
    super::meta::response_meta(resp).api_code == Some(ApiCode::NotLoggedIn.code())
}

impl<S> Service<HttpRequest> for ManagementTokenService<S>
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
    type Future = TokenFuture<S>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: HttpRequest) -> Self::Future {
        let info = req.extensions().get::<OperationInfo>();
        let needs_token = info.is_some_and(|i| i.auth == AuthKind::ManagementToken);
        let idempotent = info.is_some_and(|i| i.idempotent);
        if !needs_token {
            return TokenFuture {
                state: TokenState::Sent {
                    response: self.inner.call(req),
                    check: None,
                },
            };
        }
        let Some(cached) = self.cache.fresh() else {
            // No fresh token: fetch one first (single flight), boxed.
            let inner = super::take_ready(&mut self.inner);
            let cache = self.cache.clone();
            return TokenFuture {
                state: TokenState::Boxed {
                    future: Box::pin(fetch_and_send(inner, cache, req, idempotent)),
                },
            };
        };
        // The usual case: the cached token, no await before the call.
        let replay = super::Replay::of(&req);
        cached.token.apply(req.headers_mut());
        let check = Check {
            replay,
            cached,
            inner: self.spare.clone(),
            cache: self.cache.clone(),
            idempotent,
        };
        TokenFuture {
            state: TokenState::Sent {
                response: self.inner.call(req),
                check: Some(check),
            },
        }
    }
}

/// What the token future keeps to replay a call whose token the service
/// rejected.
struct Check<S> {
    replay: super::Replay,
    cached: Arc<Cached>,
    inner: Arc<S>,
    cache: Arc<TokenCache>,
    idempotent: bool,
}

pin_project_lite::pin_project! {
    /// The future of [`ManagementTokenService`]: the call sent with the cached
    /// token, polled in place; a replay after a rejection, and a call that
    /// must wait for a token first, are boxed.
    pub struct TokenFuture<S>
    where
        S: Service<HttpRequest>,
    {
        #[pin]
        state: TokenState<S>,
    }
}

pin_project_lite::pin_project! {
    #[project = TokenStateProj]
    enum TokenState<S>
    where
        S: Service<HttpRequest>,
    {
        Sent {
            #[pin]
            response: S::Future,
            check: Option<Check<S>>,
        },
        Boxed {
            future: super::LayerFuture,
        },
    }
}

impl<S> std::future::Future for TokenFuture<S>
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
                TokenStateProj::Sent { response, check } => {
                    let mut resp = match std::task::ready!(response.poll(cx)) {
                        Ok(resp) => resp,
                        Err(e) => return Poll::Ready(Err(e)),
                    };
                    if check.is_none() || !token_rejected(&mut resp) {
                        return Poll::Ready(Ok(resp));
                    }
                    let Some(check) = check.take() else {
                        return Poll::Ready(Ok(resp));
                    };
                    this.state.set(TokenState::Boxed {
                        future: Box::pin(after_rejection(check, resp)),
                    });
                }
                TokenStateProj::Boxed { future } => return future.as_mut().poll(cx),
            }
        }
    }
}

/// A call for which no fresh token was cached: fetch one, then send it as
/// the usual case does.
async fn fetch_and_send<S>(
    mut inner: S,
    cache: Arc<TokenCache>,
    mut req: HttpRequest,
    idempotent: bool,
) -> Result<HttpResponse, BoxError>
where
    S: Service<HttpRequest, Response = HttpResponse, Error = BoxError> + Clone,
{
    let replay = super::Replay::of(&req);
    let cached = cache.get(&mut inner).await?;
    cached.token.apply(req.headers_mut());
    let mut resp = inner.ready().await?.call(req).await?;
    if !token_rejected(&mut resp) {
        return Ok(resp);
    }
    let check = Check {
        replay,
        cached,
        inner: Arc::new(inner),
        cache,
        idempotent,
    };
    after_rejection(check, resp).await
}

/// The service rejected the token of a call: drop it, and replay the call
/// once with a new one when that is safe.
async fn after_rejection<S>(
    check: Check<S>,
    mut resp: HttpResponse,
) -> Result<HttpResponse, BoxError>
where
    S: Service<HttpRequest, Response = HttpResponse, Error = BoxError> + Clone,
{
    let Check {
        replay,
        cached,
        inner,
        cache,
        idempotent,
    } = check;
    let mut inner = S::clone(&inner);
    cache.invalidate(cached.generation);
    if !idempotent && !refused_before_processing(&mut resp) {
        // The write may have been executed: give the answer to the
        // caller; the next call fetches a new token.
        tracing::debug!("management token rejected on a write; not replaying it");
        return Ok(resp);
    }
    tracing::debug!("management token rejected; refreshing it and replaying once");
    let mut replay = replay.into_request();
    let cached = cache.get(&mut inner).await?;
    cached.token.apply(replay.headers_mut());
    inner.ready().await?.call(replay).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn resp(status: u16, body: &str) -> HttpResponse {
        http::Response::builder()
            .status(status)
            .body(Bytes::from(body.to_owned()))
            .unwrap()
    }

    #[test]
    fn token_rejected_follows_the_catalogue_flags() {
        assert!(token_rejected(&mut resp(401, "")));
        assert!(token_rejected(&mut resp(
            200,
            r#"{"statusCode":401,"message":"x"}"#
        )));
        for code in ["2020", "2021", "2206", "2207"] {
            let body = format!(r#"{{"statusCode":400,"apiCode":"{code}"}}"#);
            assert!(token_rejected(&mut resp(200, &body)), "{code}");
        }
        assert!(!token_rejected(&mut resp(
            200,
            r#"{"statusCode":400,"apiCode":2004}"#
        )));
        assert!(!token_rejected(&mut resp(200, r#"{"statusCode":429}"#)));
        assert!(!token_rejected(&mut resp(502, "<html>bad gateway</html>")));
        assert!(!token_rejected(&mut resp(
            200,
            r#"{"statusCode":200,"data":{}}"#
        )));
    }
}
