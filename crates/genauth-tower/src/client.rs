//! The two clients.

use std::sync::{Arc, RwLock};

use bytes::Bytes;
use tower::ServiceExt as _;
use tower_layer::Layer;

use crate::call::{CallFuture, SendOperation};
use crate::layers::{ManagementTokenLayer, TokenCache};
use crate::ClientBuilder;
use crate::{BoxError, HttpRequest, HttpResponse, HttpService};
use genauth_core::{
    decode_response, AuthKind, AuthenticationClientOptions, AuthenticationConfig, Error,
    ManagementClientOptions, ManagementConfig, Operation, SecretString,
};

/// The service stack a client sends through.
pub(crate) enum Stack {
    /// A stack the caller erased into an [`HttpService`]: each call clones it
    /// (a boxed clone) and drives it to readiness.
    Boxed(HttpService),
    /// A stack [`ClientBuilder`] composed: its concrete type stays behind one
    /// trait object, so each call clones the stack itself (reference counts,
    /// no allocation) and boxes one future, instead of cloning a boxed
    /// service and boxing its future too (docs/performance.md).
    Composed(Box<dyn SendHttp>),
}

/// Sends one request through a shared, composed stack (see [`Stack::Composed`]).
pub(crate) trait SendHttp: Send + Sync {
    fn send(&self, req: HttpRequest) -> crate::layers::LayerFuture;
    /// The size of the future a call boxes (tests keep it small).
    #[cfg(all(test, feature = "hyper"))]
    fn future_size(&self) -> usize;
}

/// A composed stack of concrete type `S`.
pub(crate) struct Composed<S>(pub(crate) S);

impl<S> SendHttp for Composed<S>
where
    S: tower_service::Service<HttpRequest, Response = HttpResponse, Error = BoxError>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
{
    fn send(&self, req: HttpRequest) -> crate::layers::LayerFuture {
        let mut service = self.0.clone();
        // The layers and the usual transports are ready at once: then only
        // the call's future is boxed, not the service and the request beside
        // it (`Oneshot`). One that is not ready (a concurrency limit, say) is
        // driven to readiness by `oneshot` with the task's own waker; asking
        // `poll_ready` again is allowed, and a no-op waker never wakes anyone.
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match service.poll_ready(&mut cx) {
            std::task::Poll::Ready(Ok(())) => Box::pin(service.call(req)),
            std::task::Poll::Ready(Err(e)) => Box::pin(std::future::ready(Err(e))),
            std::task::Poll::Pending => Box::pin(service.oneshot(req)),
        }
    }

    #[cfg(all(test, feature = "hyper"))]
    fn future_size(&self) -> usize {
        std::mem::size_of::<S::Future>()
    }
}

/// Sends one request through `service`; a transport or HTTP error is told
/// which operation failed and which host it was sent to. Not an `async fn`:
/// the returned future holds only the stack's boxed future and what an error
/// names, not the request beside them, which keeps every call's future small
/// (docs/performance.md).
fn send_request(service: &Stack, req: HttpRequest) -> Sent {
    let operation = req
        .extensions()
        .get::<genauth_core::request::OperationInfo>()
        .map(|i| i.name);
    // Kept as parts (reference-counted, no allocation) and formatted only
    // when the call fails.
    let host = (req.uri().scheme().cloned(), req.uri().authority().cloned());
    let response = match service {
        Stack::Boxed(service) => Box::pin(service.clone().oneshot(req)),
        Stack::Composed(stack) => stack.send(req),
    };
    Sent {
        response,
        operation,
        host,
    }
}

/// The future of [`send_request`].
struct Sent {
    response: crate::layers::LayerFuture,
    operation: Option<&'static str>,
    host: (Option<http::uri::Scheme>, Option<http::uri::Authority>),
}

impl std::future::Future for Sent {
    type Output = Result<HttpResponse, Error>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let result = std::task::ready!(self.response.as_mut().poll(cx));
        std::task::Poll::Ready(result.map_err(|e| {
            let host = match &self.host {
                (Some(scheme), Some(authority)) => Some(format!("{scheme}://{authority}")),
                _ => None,
            };
            Error::from_boxed(e).with_context(self.operation, host.as_deref())
        }))
    }
}

/// Logs one warning when a client is built for a plain-http host that is not
/// this machine (allowed only by `allow_insecure_http`).
fn warn_if_in_clear(in_clear: bool, host: &str) {
    if in_clear {
        tracing::warn!(
            host,
            "GenAuth client built with a plain http host: credentials and tokens cross the network unencrypted"
        );
    }
}

/// The end user's token with its `authorization` value, made once when the
/// token is set instead of on every call (before: a `String` clone, a
/// `format!` and a header value per call before).
struct UserToken {
    token: SecretString,
    /// `token_header("", token)`; `None` when the token cannot be a header
    /// value, and then each call reports that as encoding did before.
    header: Option<http::HeaderValue>,
}

impl UserToken {
    fn new(token: SecretString) -> Arc<Self> {
        let header = genauth_core::request::token_header("", &token).ok();
        Arc::new(Self { token, header })
    }
}

pub(crate) struct AuthInner {
    config: AuthenticationConfig,
    service: Stack,
    access_token: RwLock<Option<Arc<UserToken>>>,
    #[cfg(feature = "protocols")]
    pub(crate) protocol: crate::protocol::ProtocolState,
}

/// The end-user client: sign-in, profile, MFA, account binding and every other
/// operation of the authentication API, plus the OIDC/OAuth/CAS helpers.
///
/// A sign-in can stop at a step of the login flow (MFA required, an account to
/// bind, a profile to complete) instead of failing: the call then returns an
/// error for which `Error::flow_step()` gives the `ApiError`, whose
/// `flow_data()` holds what the next call needs (see `docs/errors.md`).
///
/// Cloning is cheap and clones share the access token.
#[derive(Clone)]
pub struct AuthenticationClient {
    pub(crate) inner: Arc<AuthInner>,
}

impl std::fmt::Debug for AuthenticationClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthenticationClient")
            .field("config", &self.inner.config)
            .field("has_access_token", &self.access_token().is_some())
            .finish_non_exhaustive()
    }
}

impl AuthenticationClient {
    /// A client over the default hyper transport and the default layer stack
    /// (retries, the options' timeout, a 16 MiB response limit, tracing); see
    /// [`ClientBuilder`] to change them.
    #[cfg(feature = "hyper")]
    pub fn new(options: AuthenticationClientOptions) -> Result<Self, Error> {
        ClientBuilder::new().authentication(options)
    }

    /// A client with the default layer stack over `service`: any tower service
    /// taking `http::Request<genauth_core::Body>` and returning a response with
    /// any body.
    pub fn with_service<S, B>(
        options: AuthenticationClientOptions,
        service: S,
    ) -> Result<Self, Error>
    where
        S: tower_service::Service<HttpRequest, Response = http::Response<B>>
            + Clone
            + Send
            + Sync
            + 'static,
        S::Error: Into<BoxError>,
        S::Future: Send + 'static,
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        ClientBuilder::new().authentication_with_service(options, service)
    }

    /// A client over a complete stack of your own whose bodies are collected:
    /// the client adds no layer (no retries, no timeout, no tracing, no size
    /// limit unless your stack has them).
    pub fn with_http_service(
        options: AuthenticationClientOptions,
        service: HttpService,
    ) -> Result<Self, Error> {
        let token = options.access_token.clone();
        let config = AuthenticationConfig::new(options)?;
        Ok(Self::from_parts(config, Stack::Boxed(service), token))
    }

    pub(crate) fn from_parts(
        config: AuthenticationConfig,
        service: Stack,
        access_token: Option<SecretString>,
    ) -> Self {
        warn_if_in_clear(config.sends_in_clear(), config.base_url());
        Self {
            inner: Arc::new(AuthInner {
                config,
                service,
                access_token: RwLock::new(access_token.map(UserToken::new)),
                #[cfg(feature = "protocols")]
                protocol: crate::protocol::ProtocolState::new(),
            }),
        }
    }

    /// The validated configuration.
    pub fn config(&self) -> &AuthenticationConfig {
        &self.inner.config
    }

    /// Sets the end user's access token for every later call, on this client and
    /// its clones. Safe while other tasks are sending.
    pub fn set_access_token(&self, token: impl Into<SecretString>) {
        *self
            .inner
            .access_token
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Some(UserToken::new(token.into()));
    }

    /// Forgets the end user's access token.
    pub fn clear_access_token(&self) {
        *self
            .inner
            .access_token
            .write()
            .unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// The end user's access token, if set.
    pub fn access_token(&self) -> Option<SecretString> {
        self.user_token().map(|t| t.token.clone())
    }

    fn user_token(&self) -> Option<Arc<UserToken>> {
        self.inner
            .access_token
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Encodes `op` with the end user's token, read once.
    fn encode<O: Operation>(&self, op: &O) -> Result<HttpRequest, Error> {
        let token = self.user_token();
        match (O::AUTH, token.as_deref()) {
            // The common case, without rebuilding the header: core sends the
            // token of a `UserToken` operation as the raw `authorization`
            // value, which `UserToken::header` holds ready.
            (
                AuthKind::UserToken,
                Some(UserToken {
                    header: Some(value),
                    ..
                }),
            ) => {
                let mut req = self.inner.config.request(op, None)?;
                req.headers_mut()
                    .insert(http::header::AUTHORIZATION, value.clone());
                Ok(req)
            }
            (_, token) => self.inner.config.request(op, token.map(|t| &t.token)),
        }
    }

    /// Encodes and sends `op`, then decodes its output.
    pub async fn send<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        let req = self.encode(op)?;
        let resp = self.send_http(req).await?;
        decode_response::<O>(resp).map_err(|e| e.with_context(None, Some(self.config().base_url())))
    }

    /// Encodes and sends `op` on behalf of the end user whose access token is
    /// `user_token` (instead of the client's own token), then decodes its
    /// output. Shares the pool and the layers; takes no lock and clones nothing.
    /// The same as `client.<operation>(…).user_token(&token).await`.
    pub async fn send_as<O: Operation>(
        &self,
        op: &O,
        user_token: &SecretString,
    ) -> Result<O::Output, Error> {
        let req = self.inner.config.request(op, Some(user_token))?;
        let resp = self.send_http(req).await?;
        decode_response::<O>(resp)
    }

    /// Sends a request built by `genauth-core` (e.g. a protocol helper's) and
    /// returns the response with its body read. The request enters the layer
    /// stack when this is called, and goes out when the future is polled.
    pub fn send_http(
        &self,
        req: HttpRequest,
    ) -> impl std::future::Future<Output = Result<HttpResponse, Error>> + Send + 'static {
        send_request(&self.inner.service, req)
    }
}

impl SendOperation for AuthenticationClient {
    fn send_operation<'a, O>(&'a self, op: O) -> CallFuture<'a, O::Output>
    where
        O: Operation + Send + Sync + 'a,
        O::Output: Send + 'a,
    {
        Box::pin(async move { self.send(&op).await })
    }
}

struct MgmtInner {
    config: Arc<ManagementConfig>,
    service: Stack,
    tokens: Arc<TokenCache>,
}

/// The admin client: users, organizations, roles, groups, apps, permissions,
/// tenants, logs and every other operation of the management API.
///
/// It fetches the management token with the access key on first use, caches
/// it, and refreshes it before it expires. Cloning is cheap and clones share the
/// token.
#[derive(Clone)]
pub struct ManagementClient {
    inner: Arc<MgmtInner>,
}

impl std::fmt::Debug for ManagementClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManagementClient")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl ManagementClient {
    /// A client over the default hyper transport and the default layer stack
    /// (management token, retries, the options' timeout, a 16 MiB response
    /// limit, tracing); see [`ClientBuilder`] to change them.
    #[cfg(feature = "hyper")]
    pub fn new(options: ManagementClientOptions) -> Result<Self, Error> {
        ClientBuilder::new().management(options)
    }

    /// A client with the default layer stack over `service`: any tower service
    /// taking `http::Request<genauth_core::Body>` and returning a response with
    /// any body.
    pub fn with_service<S, B>(options: ManagementClientOptions, service: S) -> Result<Self, Error>
    where
        S: tower_service::Service<HttpRequest, Response = http::Response<B>>
            + Clone
            + Send
            + Sync
            + 'static,
        S::Error: Into<BoxError>,
        S::Future: Send + 'static,
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        ClientBuilder::new().management_with_service(options, service)
    }

    /// A client over a complete stack of your own whose bodies are collected;
    /// only the management token layer (or, for signed requests, the signing
    /// layer) is stacked on top of it (no retries,
    /// no timeout, no tracing unless your stack has them).
    pub fn with_http_service(
        options: ManagementClientOptions,
        service: HttpService,
    ) -> Result<Self, Error> {
        let config = Arc::new(ManagementConfig::new(options)?);
        let token_layer = ManagementTokenLayer::new(config.clone());
        let tokens = token_layer.cache().clone();
        let service = match crate::layers::signing_for(&config) {
            Some(signing) => HttpService::new(signing.layer(service)),
            None => HttpService::new(token_layer.layer(service)),
        };
        Ok(Self::from_parts(config, Stack::Boxed(service), tokens))
    }

    pub(crate) fn from_parts(
        config: Arc<ManagementConfig>,
        service: Stack,
        tokens: Arc<TokenCache>,
    ) -> Self {
        warn_if_in_clear(config.sends_in_clear(), config.base_url());
        Self {
            inner: Arc::new(MgmtInner {
                config,
                service,
                tokens,
            }),
        }
    }

    /// The validated configuration.
    pub fn config(&self) -> &ManagementConfig {
        &self.inner.config
    }

    /// The management token cache (e.g. to see how many tokens were fetched).
    pub fn token_cache(&self) -> &Arc<TokenCache> {
        &self.inner.tokens
    }

    /// Encodes and sends `op`, then decodes its output.
    pub async fn send<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        let req = self.inner.config.request(op, None)?;
        let resp = self.send_http(req).await?;
        decode_response::<O>(resp).map_err(|e| e.with_context(None, Some(self.config().base_url())))
    }

    /// Sends a request built by `genauth-core`; management operations get the
    /// token from the cache. The request enters the layer stack when this is
    /// called, and goes out when the future is polled.
    pub fn send_http(
        &self,
        req: HttpRequest,
    ) -> impl std::future::Future<Output = Result<HttpResponse, Error>> + Send + 'static {
        send_request(&self.inner.service, req)
    }
}

impl SendOperation for ManagementClient {
    fn send_operation<'a, O>(&'a self, op: O) -> CallFuture<'a, O::Output>
    where
        O: Operation + Send + Sync + 'a,
        O::Output: Send + 'a,
    {
        Box::pin(async move { self.send(&op).await })
    }
}

#[cfg(all(test, feature = "hyper"))]
mod tests {
    use super::*;

    fn future_size(stack: &Stack) -> usize {
        match stack {
            Stack::Composed(s) => s.future_size(),
            Stack::Boxed(_) => panic!("the default client composes its stack"),
        }
    }

    /// Each call boxes its stack's future once. glibc serves blocks of up to
    /// 1032 bytes from its per-thread cache; a larger block takes the slower
    /// path on every call, and every byte is copied as the future is built
    /// (docs/performance.md). The authentication client once boxed
    /// 1,656 bytes: an optional token layer it never uses, and a clone of the
    /// transport in the retry future.
    #[test]
    fn the_default_stacks_box_small_futures() {
        let auth = AuthenticationClient::new(AuthenticationClientOptions::new(
            "app-id",
            "https://example.genauth.ai",
        ))
        .expect("client");
        let mgmt = ManagementClient::new(
            ManagementClientOptions::new("key-id", "key-secret").host("https://api.genauth.ai"),
        )
        .expect("client");
        let (a, m) = (
            future_size(&auth.inner.service),
            future_size(&mgmt.inner.service),
        );
        println!("authentication {a} bytes, management {m} bytes");
        assert!(
            a <= 768,
            "the authentication client's call future is {a} bytes"
        );
        assert!(
            m <= 1024,
            "the management client's call future is {m} bytes"
        );
        // The future of `send` (which an operation's call boxes) holds the
        // stack's boxed future, not the request beside it: it was 1,208 bytes
        // when `send_http` was an `async fn`.
        let op = genauth_core::ops::authentication::GetAlipayAuthInfo::new("alipay".into());
        let send = std::mem::size_of_val(&auth.send(&op));
        println!("send {send} bytes");
        assert!(send <= 256, "the future of `send` is {send} bytes");
    }
}
