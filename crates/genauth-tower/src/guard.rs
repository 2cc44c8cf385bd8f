//! A bearer-token guard for services: a tower [`Layer`](tower_layer::Layer)
//! that verifies `Authorization: Bearer` access tokens before the request
//! reaches the service.
//!
//! ```no_run
//! # fn f(auth: genauth_tower::AuthenticationClient) {
//! use genauth_tower::guard::{Guard, VerifyMode};
//! let guard = Guard::new(auth.clone())
//!     .verifier(auth.token_verifier().require_scope("orders:read"))
//!     .mode(VerifyMode::Local);
//! let layer = guard.layer(); // wrap an axum Router, a tonic server, any tower service
//! # let _ = layer; }
//! ```
//!
//! A verified request carries a [`BearerClaims`] in its extensions. A refused
//! one never reaches the service; it gets:
//! - 401 with `WWW-Authenticate: Bearer` when there is no `Authorization` header;
//! - 401 with `WWW-Authenticate: Bearer error="invalid_token"` for a malformed
//!   header, a non-UTF-8 one, an oversized, forged, expired, revoked token, an
//!   ID token, another audience... (RFC 6750 §3.1);
//! - 403 with `error="insufficient_scope"` when the token is valid but lacks a
//!   required scope, role or claim;
//! - 503 when the key set cannot be had (the token was not judged).
//!
//! gRPC requests (`content-type: application/grpc…`) get the same verdict as a
//! gRPC status in the headers of an HTTP 200 (`grpc-status` 16 UNAUTHENTICATED,
//! 7 PERMISSION_DENIED or 14 UNAVAILABLE), which tonic clients read as such.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{Request, Response, StatusCode};
use tokio::time::Instant;

use genauth_core::protocol::TokenVerifier;
use genauth_core::types::protocol::{Introspection, JwtClaims};
use genauth_core::{Error, SecretString, VerifyError};

use crate::AuthenticationClient;

/// The verified claims of the request's bearer token, in its extensions.
#[derive(Debug, Clone)]
pub struct BearerClaims(pub Arc<JwtClaims>);

impl std::ops::Deref for BearerClaims {
    type Target = JwtClaims;
    fn deref(&self) -> &JwtClaims {
        &self.0
    }
}

/// How a token is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VerifyMode {
    /// Signature and claims against the app's key set; no call per request (the default).
    #[default]
    Local,
    /// RFC 7662 introspection at GenAuth for every token not in the cache
    /// (opaque tokens; sees revocation).
    Introspect,
    /// Local verification, then introspection of tokens that passed it, to
    /// refuse revoked ones.
    LocalThenIntrospect,
}

/// Why a request was refused.
#[derive(Debug)]
#[non_exhaustive]
pub enum Rejection {
    /// No `Authorization` header.
    Missing,
    /// The header is not `Bearer <token>` in visible ASCII.
    Malformed(&'static str),
    /// The token was refused, or could not be checked.
    Token(Error),
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rejection::Missing => {
                f.write_str("no bearer token: the Authorization header is missing")
            }
            Rejection::Malformed(why) => write!(f, "the Authorization header is malformed: {why}"),
            Rejection::Token(e) => write!(f, "the bearer token was refused: {e}"),
        }
    }
}

impl std::error::Error for Rejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Rejection::Token(e) => Some(e),
            _ => None,
        }
    }
}

impl Rejection {
    fn verify_error(&self) -> Option<&VerifyError> {
        match self {
            Rejection::Token(Error::Verify(v)) => Some(v),
            _ => None,
        }
    }

    /// 401, 403 (insufficient scope, role or claim) or 503 (key set unavailable,
    /// or introspection could not be made).
    pub fn status(&self) -> StatusCode {
        match self {
            Rejection::Missing | Rejection::Malformed(_) => StatusCode::UNAUTHORIZED,
            Rejection::Token(Error::Verify(v)) if v.is_insufficient() => StatusCode::FORBIDDEN,
            Rejection::Token(Error::Verify(v)) if v.is_unavailable() => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Rejection::Token(Error::Verify(_)) => StatusCode::UNAUTHORIZED,
            Rejection::Token(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The `WWW-Authenticate` challenge (RFC 6750 §3), if the status has one.
    pub fn www_authenticate(&self) -> Option<HeaderValue> {
        let v = match self {
            Rejection::Missing => "Bearer".to_owned(),
            Rejection::Malformed(_) => "Bearer error=\"invalid_token\"".to_owned(),
            Rejection::Token(Error::Verify(v)) if v.is_insufficient() => match v {
                VerifyError::MissingScope(s) if is_token68ish(s) => {
                    format!("Bearer error=\"insufficient_scope\", scope=\"{s}\"")
                }
                _ => "Bearer error=\"insufficient_scope\"".to_owned(),
            },
            Rejection::Token(Error::Verify(v)) if v.is_unavailable() => return None,
            Rejection::Token(Error::Verify(_)) => "Bearer error=\"invalid_token\"".to_owned(),
            Rejection::Token(_) => return None,
        };
        HeaderValue::from_str(&v).ok()
    }

    /// The response a refused request gets (an HTTP or a gRPC one).
    pub fn into_response<B: Default>(self, grpc: bool) -> Response<B> {
        let mut resp = Response::new(B::default());
        let status = self.status();
        if let Some(v) = self.www_authenticate() {
            resp.headers_mut().insert(WWW_AUTHENTICATE, v);
        }
        if grpc {
            let code = match status {
                StatusCode::FORBIDDEN => "7",
                StatusCode::SERVICE_UNAVAILABLE => "14",
                _ => "16",
            };
            let h = resp.headers_mut();
            h.insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
            h.insert("grpc-status", HeaderValue::from_static(code));
            let msg = match self.verify_error() {
                Some(v) => v.to_string(),
                None => self.to_string(),
            };
            let msg: String = msg
                .chars()
                .filter(|c| c.is_ascii() && !c.is_ascii_control())
                .collect();
            if let Ok(v) = HeaderValue::from_str(&msg.replace('%', "%25")) {
                h.insert("grpc-message", v);
            }
        } else {
            *resp.status_mut() = status;
        }
        resp.extensions_mut().insert(Arc::new(self));
        resp
    }
}

fn is_token68ish(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
}

/// The default size cap of the introspection cache.
pub const DEFAULT_INTROSPECTION_CACHE_ENTRIES: usize = 10_000;
/// The default longest time an introspection result is reused.
pub const DEFAULT_INTROSPECTION_TTL: Duration = Duration::from_secs(60);

struct IntrospectionCache {
    max_entries: usize,
    ttl: Duration,
    entries: Mutex<HashMap<String, (Arc<JwtClaims>, Instant)>>,
}

impl IntrospectionCache {
    fn get(&self, token: &str) -> Option<Arc<JwtClaims>> {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(token) {
            Some((c, until)) if Instant::now() < *until => Some(c.clone()),
            _ => None,
        }
    }

    /// Keeps an active result until the earlier of the TTL and the token's `exp`.
    fn put(&self, token: &str, claims: Arc<JwtClaims>) {
        let now_unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let left = claims.exp.saturating_sub(now_unix);
        if left <= 0 {
            return;
        }
        let ttl = self.ttl.min(Duration::from_secs(left as u64));
        let now = Instant::now();
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= self.max_entries {
            map.retain(|_, (_, until)| *until > now);
        }
        if map.len() < self.max_entries {
            map.insert(token.to_owned(), (claims, now + ttl));
        }
    }

    fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

struct GuardInner {
    client: AuthenticationClient,
    verifier: TokenVerifier,
    mode: VerifyMode,
    optional: bool,
    cache: IntrospectionCache,
    resource: Option<genauth_core::protocol::ProtectedResource>,
}

/// Verifies bearer tokens for a service; cheap to clone.
#[derive(Clone)]
pub struct Guard {
    inner: Arc<GuardInner>,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard")
            .field("verifier", &self.inner.verifier)
            .field("mode", &self.inner.mode)
            .field("optional", &self.inner.optional)
            .finish_non_exhaustive()
    }
}

impl Guard {
    /// A guard over the app of `client` (its key set, its verifier's issuer
    /// and audience), verifying locally.
    pub fn new(client: AuthenticationClient) -> Self {
        let verifier = client.token_verifier();
        Self {
            inner: Arc::new(GuardInner {
                client,
                verifier,
                mode: VerifyMode::Local,
                optional: false,
                cache: IntrospectionCache {
                    max_entries: DEFAULT_INTROSPECTION_CACHE_ENTRIES,
                    ttl: DEFAULT_INTROSPECTION_TTL,
                    entries: Mutex::new(HashMap::new()),
                },
                resource: None,
            }),
        }
    }

    fn edit(mut self, f: impl FnOnce(&mut GuardInner)) -> Self {
        match Arc::get_mut(&mut self.inner) {
            Some(inner) => f(inner),
            None => {
                let old = &self.inner;
                let mut inner = GuardInner {
                    client: old.client.clone(),
                    verifier: old.verifier.clone(),
                    mode: old.mode,
                    optional: old.optional,
                    cache: IntrospectionCache {
                        max_entries: old.cache.max_entries,
                        ttl: old.cache.ttl,
                        entries: Mutex::new(HashMap::new()),
                    },
                    resource: old.resource.clone(),
                };
                f(&mut inner);
                self.inner = Arc::new(inner);
            }
        }
        self
    }

    /// The rules tokens must meet (issuer, audience, leeway, required scopes,
    /// roles and claims): e.g. `client.token_verifier().require_scope("x")`.
    pub fn verifier(self, verifier: TokenVerifier) -> Self {
        self.edit(|g| g.verifier = verifier)
    }

    /// Local verification, introspection, or both (default [`VerifyMode::Local`]).
    pub fn mode(self, mode: VerifyMode) -> Self {
        self.edit(|g| g.mode = mode)
    }

    /// Makes the guard speak for `resource` (RFC 9728): its 401 and 403
    /// challenges carry `resource_metadata="…"`, the URL of the resource's
    /// metadata (serve it with [`MetadataService`](crate::resource::MetadataService)),
    /// and a 401 for a missing token names the verifier's required scopes.
    /// The audience check stays the verifier's: set it to the resource URI with
    /// `.verifier(client.token_verifier().audience(resource.uri()))`.
    pub fn protected_resource(self, resource: &genauth_core::protocol::ProtectedResource) -> Self {
        let resource = resource.clone();
        self.edit(|g| g.resource = Some(resource))
    }

    /// Lets requests without an `Authorization` header through, without
    /// claims (a header that is present must still be valid).
    pub fn optional(self) -> Self {
        self.edit(|g| g.optional = true)
    }

    /// The size cap and the longest reuse of introspection results (defaults
    /// 10,000 entries and 60 s). A result is never reused past the token's `exp`.
    pub fn introspection_cache(self, max_entries: usize, ttl: Duration) -> Self {
        self.edit(|g| {
            g.cache.max_entries = max_entries;
            g.cache.ttl = ttl;
        })
    }

    /// How many introspection results are cached now.
    pub fn introspection_cache_len(&self) -> usize {
        self.inner.cache.len()
    }

    /// The layer to wrap a service with.
    pub fn layer(&self) -> GuardLayer {
        GuardLayer {
            guard: self.clone(),
        }
    }

    /// Verifies one bearer token as the layer does.
    pub async fn verify(&self, token: &str) -> Result<Arc<JwtClaims>, Error> {
        let g = &*self.inner;
        match g.mode {
            VerifyMode::Local => Ok(Arc::new(
                g.client
                    .verify_access_token_with(token, &g.verifier)
                    .await?,
            )),
            VerifyMode::Introspect => self.introspect(token).await,
            VerifyMode::LocalThenIntrospect => {
                let local = g
                    .client
                    .verify_access_token_with(token, &g.verifier)
                    .await?;
                // Only the answer `active` matters: the local claims are kept.
                self.introspect(token).await?;
                Ok(Arc::new(local))
            }
        }
    }

    async fn introspect(&self, token: &str) -> Result<Arc<JwtClaims>, Error> {
        let g = &*self.inner;
        let max = DEFAULT_MAX_LEN;
        if token.len() > max {
            return Err(VerifyError::TooLarge {
                len: token.len(),
                max,
            }
            .into());
        }
        if let Some(c) = g.cache.get(token) {
            return Ok(c);
        }
        let answer = g.client.introspect_token(&SecretString::new(token)).await?;
        // An answer without `iss` comes from the issuer that was asked.
        let issuer = g.verifier.issuers().first().cloned();
        let claims = Arc::new(introspected_claims(answer, issuer)?);
        g.verifier.check_requirements(&claims)?;
        g.cache.put(token, claims.clone());
        Ok(claims)
    }

    async fn check(&self, header: Option<HeaderValue>) -> Result<Option<BearerClaims>, Rejection> {
        let Some(value) = header else {
            return if self.inner.optional {
                Ok(None)
            } else {
                Err(Rejection::Missing)
            };
        };
        let value = value
            .to_str()
            .map_err(|_| Rejection::Malformed("not visible ASCII"))?;
        let (scheme, token) = value
            .split_once(' ')
            .ok_or(Rejection::Malformed("expected `Bearer <token>`"))?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(Rejection::Malformed("the scheme is not Bearer"));
        }
        let token = token.trim_matches(' ');
        if token.is_empty() || token.contains(' ') {
            return Err(Rejection::Malformed("expected one token after `Bearer`"));
        }
        let claims = self.verify(token).await.map_err(Rejection::Token)?;
        Ok(Some(BearerClaims(claims)))
    }
}

/// The longest token introspection sends (the verifier's default cap).
const DEFAULT_MAX_LEN: usize = genauth_core::protocol::verify::DEFAULT_MAX_TOKEN_LEN;

/// The claims of an active introspection answer; an inactive one is an error,
/// and so is one without `iss` when no issuer was asked.
fn introspected_claims(i: Introspection, asked: Option<String>) -> Result<JwtClaims, Error> {
    if !i.active {
        return Err(VerifyError::Inactive.into());
    }
    let mut c = JwtClaims {
        iss: i
            .iss
            .or(asked)
            .ok_or(VerifyError::MissingClaim("iss".into()))?,
        sub: i.sub,
        aud: i.aud,
        exp: i.exp.ok_or(VerifyError::MissingClaim("exp".into()))?,
        iat: i.iat,
        nbf: i.nbf,
        scope: i.scope,
        jti: i.jti,
        client_id: i.client_id,
        ..JwtClaims::default()
    };
    c.extra = i.extra;
    if let Some(u) = i.username {
        c.preferred_username = Some(u);
    }
    Ok(c)
}

/// Wraps a service with a [`Guard`].
#[derive(Debug, Clone)]
pub struct GuardLayer {
    guard: Guard,
}

impl<S> tower_layer::Layer<S> for GuardLayer {
    type Service = GuardService<S>;
    fn layer(&self, inner: S) -> GuardService<S> {
        GuardService {
            inner,
            guard: self.guard.clone(),
        }
    }
}

/// A service behind a [`Guard`].
#[derive(Debug, Clone)]
pub struct GuardService<S> {
    inner: S,
    guard: Guard,
}

impl<S, ReqB, ResB> tower_service::Service<Request<ReqB>> for GuardService<S>
where
    S: tower_service::Service<Request<ReqB>, Response = Response<ResB>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ReqB: Send + 'static,
    ResB: Default + Send + 'static,
{
    type Response = Response<ResB>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<ResB>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<ReqB>) -> Self::Future {
        // The clone waits for readiness again; the ready one serves this request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let guard = self.guard.clone();
        let header = req.headers().get(AUTHORIZATION).cloned();
        let grpc = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/grpc"));
        Box::pin(async move {
            match guard.check(header).await {
                Ok(claims) => {
                    if let Some(c) = claims {
                        req.extensions_mut().insert(c);
                    }
                    inner.call(req).await
                }
                Err(rejection) => Ok(crate::resource::refusal(
                    rejection,
                    grpc,
                    guard.inner.resource.as_ref(),
                    guard.inner.verifier.required_scopes(),
                )),
            }
        })
    }
}
