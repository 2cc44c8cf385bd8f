//! `ClientBuilder`: the default layer stack, configurable.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tower::ServiceExt as _;
use tower_layer::Layer;
use tower_service::Service;

use crate::client::{AuthenticationClient, Composed, ManagementClient, Stack};
use crate::layers::{
    CollectBody, CollectBodyLayer, ManagementTokenLayer, RetryLayer, RetryPolicy, TimeoutLayer,
    TraceLayer, DEFAULT_BODY_LIMIT,
};
use crate::{BoxError, HttpRequest, HttpResponse, HttpService};
use genauth_core::{
    AuthenticationClientOptions, AuthenticationConfig, Error, ManagementClientOptions,
    ManagementConfig,
};

type LayerFn = Arc<dyn Fn(HttpService) -> HttpService + Send + Sync>;

/// Builds clients over the default layer stack, with every part configurable.
///
/// The stack, from the caller down to the transport (see [`crate::layers`]):
/// tracing span → whole-call timeout → management token (management client)
/// → retries → your layers → per-attempt timeout (when set) → body collection
/// with a size limit → transport.
///
/// The defaults, which [`AuthenticationClient::new`] and
/// [`ManagementClient::new`] use: [`RetryPolicy::default`] (three attempts for
/// idempotent calls, with a budget), the options' `timeout` (10 s) for the
/// whole call, no per-attempt timeout, a 16 MiB response limit, tracing on.
///
/// ```no_run
/// use std::time::Duration;
/// use genauth_tower::{ClientBuilder, layers::RetryPolicy};
/// use genauth_core::ManagementClientOptions;
///
/// # fn f() -> Result<(), genauth_core::Error> {
/// let client = ClientBuilder::new()
///     .retry(RetryPolicy::new().max_attempts(5))
///     .timeout(Duration::from_secs(30))
///     .attempt_timeout(Duration::from_secs(5))
///     .body_limit(4 << 20)
///     .management(ManagementClientOptions::new("ACCESS_KEY_ID", "ACCESS_KEY_SECRET"))?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ClientBuilder {
    retry: RetryPolicy,
    timeout: Option<Duration>,
    attempt_timeout: Option<Duration>,
    body_limit: usize,
    tracing: bool,
    layers: Vec<LayerFn>,
    #[cfg(feature = "hyper")]
    transport: genauth_hyper::TransportOptions,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("ClientBuilder");
        d.field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("body_limit", &self.body_limit)
            .field("tracing", &self.tracing)
            .field("extra_layers", &self.layers.len());
        #[cfg(feature = "hyper")]
        d.field("transport", &self.transport);
        d.finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::default(),
            timeout: None,
            attempt_timeout: None,
            body_limit: DEFAULT_BODY_LIMIT,
            tracing: true,
            layers: Vec::new(),
            #[cfg(feature = "hyper")]
            transport: genauth_hyper::TransportOptions::default(),
        }
    }
}

/// Reports the hyper transport's connect timeout as [`Error::Timeout`] once the
/// retries below have given up (they still see it as a connection failure, so
/// a write that never left may be retried).
fn connect_timeout_error(connect_timeout: Duration, err: BoxError) -> BoxError {
    #[cfg(feature = "hyper")]
    if genauth_hyper::is_connect_timeout(err.as_ref()) {
        return Box::new(Error::Timeout(connect_timeout));
    }
    #[cfg(not(feature = "hyper"))]
    let _ = connect_timeout;
    err
}

fn into_box<E: Into<BoxError>>(e: E) -> BoxError {
    e.into()
}

/// The service a [`ClientBuilder::body_layer`] wraps: the stack below, with
/// the read response body as `http_body_util::Full<Bytes>`.
pub type FullBodyService = tower::util::MapResponse<
    HttpService,
    fn(HttpResponse) -> http::Response<http_body_util::Full<Bytes>>,
>;

fn full_body(resp: HttpResponse) -> http::Response<http_body_util::Full<Bytes>> {
    resp.map(http_body_util::Full::new)
}

/// Reads the body a user layer hands back (already in memory below it) into `Bytes`.
async fn read_body<B>(resp: http::Response<B>) -> Result<HttpResponse, BoxError>
where
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    use http_body_util::BodyExt as _;
    let (parts, body) = resp.into_parts();
    let bytes = body.collect().await.map_err(Into::into)?.to_bytes();
    Ok(http::Response::from_parts(parts, bytes))
}

impl ClientBuilder {
    /// A builder with the default stack.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the retry policy.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Turns retries off.
    pub fn no_retries(self) -> Self {
        self.retry(RetryPolicy::never())
    }

    /// The time limit of a whole call, retries and token refresh included;
    /// replaces the client options' `timeout`.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The time limit of each attempt (default none). An attempt that runs out
    /// of time is retried when the call is idempotent.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// The largest response body accepted, in bytes (default 16 MiB).
    pub fn body_limit(mut self, limit: usize) -> Self {
        self.body_limit = limit;
        self
    }

    /// Whether each call gets a `tracing` span (default true; without a
    /// subscriber interested in it, a span costs next to nothing).
    pub fn tracing(mut self, enabled: bool) -> Self {
        self.tracing = enabled;
        self
    }

    /// Adds a layer of your own, run once per attempt, below the retry layer
    /// and above the body collection (e.g. `tower::limit::ConcurrencyLimitLayer`,
    /// header injection, metrics). The first layer added is the outermost.
    ///
    /// The layer's service receives an [`HttpRequest`] and the response with
    /// its body already read (`http::Response<Bytes>`) and must answer with
    /// the same type. A layer that changes the body type, or that needs the response body to implement `http_body::Body` (tower-http's
    /// `TraceLayer`, for one: `Bytes` does not implement it) goes in with
    /// [`body_layer`](Self::body_layer) instead. To run a layer under the whole
    /// stack (seeing the transport's streaming body), wrap the transport and
    /// pass it to [`management_with_service`](Self::management_with_service).
    /// Each is shown, compiled, in [`crate::middleware`].
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<HttpService> + Send + Sync + 'static,
        L::Service: Service<HttpRequest, Response = HttpResponse> + Clone + Send + Sync + 'static,
        <L::Service as Service<HttpRequest>>::Error: Into<BoxError>,
        <L::Service as Service<HttpRequest>>::Future: Send + 'static,
    {
        self.layers.push(Arc::new(move |inner: HttpService| {
            HttpService::new(layer.layer(inner).map_err(into_box))
        }));
        self
    }

    /// Like [`layer`](Self::layer), for layers written against `http_body::Body`
    /// services (tower-http's `TraceLayer`, `SetRequestHeaderLayer`, ...): the
    /// layer's service answers with the read body as
    /// `http_body_util::Full<Bytes>`, and whatever body the layer returns is
    /// read back into `Bytes` above it.
    pub fn body_layer<L, B>(mut self, layer: L) -> Self
    where
        L: Layer<FullBodyService> + Send + Sync + 'static,
        L::Service:
            Service<HttpRequest, Response = http::Response<B>> + Clone + Send + Sync + 'static,
        <L::Service as Service<HttpRequest>>::Error: Into<BoxError>,
        <L::Service as Service<HttpRequest>>::Future: Send + 'static,
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        self.layers.push(Arc::new(move |inner: HttpService| {
            let inner: FullBodyService = inner.map_response(full_body);
            HttpService::new(
                layer
                    .layer(inner)
                    .map_err(into_box)
                    .and_then(read_body::<B>),
            )
        }));
        self
    }

    /// The time allowed to open a TCP connection in the hyper transport (default 5 s).
    #[cfg(feature = "hyper")]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.transport.connect_timeout = timeout;
        self
    }

    /// All settings of the hyper transport.
    #[cfg(feature = "hyper")]
    pub fn transport_options(mut self, options: genauth_hyper::TransportOptions) -> Self {
        self.transport = options;
        self
    }

    /// An authentication client over the hyper transport.
    #[cfg(feature = "hyper")]
    pub fn authentication(
        &self,
        options: AuthenticationClientOptions,
    ) -> Result<AuthenticationClient, Error> {
        let transport = genauth_hyper::transport_with(&self.transport)?;
        let timeout = self.timeout.unwrap_or(options.timeout);
        let token = options.access_token.clone();
        let config = AuthenticationConfig::new(options)?;
        let stack = self.stack(
            self.collect(transport),
            timeout,
            None,
            Some(self.transport.connect_timeout),
        );
        Ok(AuthenticationClient::from_parts(config, stack, token))
    }

    /// A management client over the hyper transport.
    #[cfg(feature = "hyper")]
    pub fn management(&self, options: ManagementClientOptions) -> Result<ManagementClient, Error> {
        let transport = genauth_hyper::transport_with(&self.transport)?;
        self.management_over(
            options,
            self.collect(transport),
            Some(self.transport.connect_timeout),
        )
    }

    /// An authentication client with this stack over `service`: any tower
    /// service taking `http::Request<genauth_core::Body>` and returning a
    /// response with any body.
    pub fn authentication_with_service<S, B>(
        &self,
        options: AuthenticationClientOptions,
        service: S,
    ) -> Result<AuthenticationClient, Error>
    where
        S: Service<HttpRequest, Response = http::Response<B>> + Clone + Send + Sync + 'static,
        S::Error: Into<BoxError>,
        S::Future: Send + 'static,
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        let timeout = self.timeout.unwrap_or(options.timeout);
        let token = options.access_token.clone();
        let config = AuthenticationConfig::new(options)?;
        let stack = self.stack(self.collect(service), timeout, None, None);
        Ok(AuthenticationClient::from_parts(config, stack, token))
    }

    /// A management client with this stack over `service`.
    pub fn management_with_service<S, B>(
        &self,
        options: ManagementClientOptions,
        service: S,
    ) -> Result<ManagementClient, Error>
    where
        S: Service<HttpRequest, Response = http::Response<B>> + Clone + Send + Sync + 'static,
        S::Error: Into<BoxError>,
        S::Future: Send + 'static,
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        self.management_over(options, self.collect(service), None)
    }

    fn management_over<P>(
        &self,
        options: ManagementClientOptions,
        collected: P,
        connect_timeout: Option<Duration>,
    ) -> Result<ManagementClient, Error>
    where
        P: Service<HttpRequest, Response = HttpResponse, Error = BoxError>
            + Clone
            + Send
            + Sync
            + 'static,
        P::Future: Send + 'static,
    {
        let timeout = self.timeout.unwrap_or(options.timeout);
        let config = Arc::new(ManagementConfig::new(options)?);
        let token_layer = ManagementTokenLayer::new(config.clone());
        let tokens = token_layer.cache().clone();
        // Signed requests: each attempt is signed last, right above the body
        // collection, and no token is fetched.
        let stack = match crate::layers::signing_for(&config) {
            Some(signing) => self.stack(
                HttpService::new(signing.layer(HttpService::new(collected))),
                timeout,
                None,
                connect_timeout,
            ),
            None => self.stack(collected, timeout, Some(token_layer), connect_timeout),
        };
        Ok(ManagementClient::from_parts(config, stack, tokens))
    }

    fn collect<S, B>(&self, service: S) -> CollectBody<S>
    where
        S: Service<HttpRequest, Response = http::Response<B>> + Clone + Send + Sync + 'static,
        S::Error: Into<BoxError>,
        S::Future: Send + 'static,
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        CollectBodyLayer::new(self.body_limit).layer(service)
    }

    /// Stacks the layers over a body-collecting service. The layers above the
    /// retries are composed statically and erased once, so a call clones and
    /// boxes as little as possible; without per-attempt layers the service
    /// under the retries stays a concrete type too (no boxed clone per call).
    fn stack<P>(
        &self,
        collected: P,
        timeout: Duration,
        token: Option<ManagementTokenLayer>,
        connect_timeout: Option<Duration>,
    ) -> Stack
    where
        P: Service<HttpRequest, Response = HttpResponse, Error = BoxError>
            + Clone
            + Send
            + Sync
            + 'static,
        P::Future: Send + 'static,
    {
        if self.attempt_timeout.is_none() && self.layers.is_empty() {
            return self.above_retries(collected, timeout, token, connect_timeout);
        }
        let mut per_attempt = HttpService::new(collected);
        if let Some(t) = self.attempt_timeout {
            per_attempt = HttpService::new(TimeoutLayer::new(t).layer(per_attempt));
        }
        for layer in self.layers.iter().rev() {
            per_attempt = layer(per_attempt);
        }
        self.above_retries(per_attempt, timeout, token, connect_timeout)
    }

    /// Tracing, the connect-timeout mapping, the call timeout, the token layer
    /// and the retries over `per_attempt`, erased once behind a trait object.
    fn above_retries<P>(
        &self,
        per_attempt: P,
        timeout: Duration,
        token: Option<ManagementTokenLayer>,
        connect_timeout: Option<Duration>,
    ) -> Stack
    where
        P: Service<HttpRequest, Response = HttpResponse, Error = BoxError>
            + Clone
            + Send
            + Sync
            + 'static,
        P::Future: Send + 'static,
    {
        let retry = (self.retry.attempts() > 1).then(|| RetryLayer::new(self.retry.clone()));
        let above = tower::ServiceBuilder::new()
            .option_layer(self.tracing.then(TraceLayer::new))
            .option_layer(connect_timeout.map(|d| {
                tower::util::MapErrLayer::new(move |e: BoxError| connect_timeout_error(d, e))
            }))
            .layer(TimeoutLayer::new(timeout));
        // Two concrete stacks rather than an optional token layer: with
        // `option_layer` the authentication client's future would be as large
        // as the token layer's (which holds its own replay template), although
        // it never has a token layer. Each call boxes that future once.
        match token {
            Some(token) => Stack::Composed(Box::new(Composed(
                above.layer(token).option_layer(retry).service(per_attempt),
            ))),
            None => Stack::Composed(Box::new(Composed(
                above.option_layer(retry).service(per_attempt),
            ))),
        }
    }
}
