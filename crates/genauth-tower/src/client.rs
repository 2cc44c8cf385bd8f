//! The two clients.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use bytes::Bytes;
use tower::ServiceExt as _;
use tower_layer::Layer;

use crate::call::{CallFuture, SendOperation};
use crate::layers::{CollectBodyLayer, ManagementTokenLayer, TokenCache};
use crate::{BoxError, HttpRequest, HttpResponse, HttpService};
use genauth_core::{
    decode_response, AuthenticationClientOptions, AuthenticationConfig, Error,
    ManagementClientOptions, ManagementConfig, Operation, SecretString,
};

/// Sends one request through `service`, bounded by `timeout`.
async fn send_request(
    service: &HttpService,
    timeout: Duration,
    req: HttpRequest,
) -> Result<HttpResponse, Error> {
    let svc = service.clone();
    let fut = svc.oneshot(req);
    match tokio::time::timeout(timeout, fut).await {
        Ok(Ok(resp)) => Ok(resp),
        Ok(Err(e)) => Err(Error::from_boxed(e)),
        Err(_) => Err(Error::Timeout(timeout)),
    }
}

/// Erases a user's service into the client's service type, collecting bodies.
fn erase<S, B>(service: S) -> HttpService
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
    HttpService::new(CollectBodyLayer::default().layer(service))
}

pub(crate) struct AuthInner {
    config: AuthenticationConfig,
    service: HttpService,
    access_token: RwLock<Option<SecretString>>,
    #[cfg(feature = "protocols")]
    pub(crate) protocol: crate::protocol::ProtocolState,
}

/// The end-user client: sign-in, profile, MFA, account binding and every other
/// operation of the authentication API, plus the OIDC/OAuth/CAS helpers.
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
    /// A client over the default hyper transport.
    #[cfg(feature = "hyper")]
    pub fn new(options: AuthenticationClientOptions) -> Result<Self, Error> {
        Self::with_service(options, genauth_hyper::transport()?)
    }

    /// A client over `service`: any tower service taking
    /// `http::Request<genauth_core::Body>` and returning a response with any body.
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
        Self::with_http_service(options, erase(service))
    }

    /// A client over an already type-erased service whose bodies are collected.
    pub fn with_http_service(
        options: AuthenticationClientOptions,
        service: HttpService,
    ) -> Result<Self, Error> {
        let token = options.access_token.clone();
        let config = AuthenticationConfig::new(options)?;
        Ok(Self {
            inner: Arc::new(AuthInner {
                config,
                service,
                access_token: RwLock::new(token),
                #[cfg(feature = "protocols")]
                protocol: crate::protocol::ProtocolState::new(),
            }),
        })
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
            .unwrap_or_else(|e| e.into_inner()) = Some(token.into());
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
        self.inner
            .access_token
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Encodes and sends `op`, then decodes its output.
    pub async fn send<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        let req = self
            .inner
            .config
            .request(op, self.access_token().as_ref())?;
        let resp = self.send_http(req).await?;
        decode_response::<O>(resp)
    }

    /// Sends a request built by `genauth-core` (e.g. a protocol helper's) and
    /// returns the response with its body read.
    pub async fn send_http(&self, req: HttpRequest) -> Result<HttpResponse, Error> {
        send_request(
            &self.inner.service,
            self.inner.config.options().timeout,
            req,
        )
        .await
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
    service: HttpService,
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
    /// A client over the default hyper transport.
    #[cfg(feature = "hyper")]
    pub fn new(options: ManagementClientOptions) -> Result<Self, Error> {
        Self::with_service(options, genauth_hyper::transport()?)
    }

    /// A client over `service`: any tower service taking
    /// `http::Request<genauth_core::Body>` and returning a response with any body.
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
        Self::with_http_service(options, erase(service))
    }

    /// A client over an already type-erased service whose bodies are collected;
    /// the management token layer is stacked on top of it.
    pub fn with_http_service(
        options: ManagementClientOptions,
        service: HttpService,
    ) -> Result<Self, Error> {
        let config = Arc::new(ManagementConfig::new(options)?);
        let token_layer = ManagementTokenLayer::new(config.clone());
        let tokens = token_layer.cache().clone();
        let service = HttpService::new(token_layer.layer(service));
        Ok(Self {
            inner: Arc::new(MgmtInner {
                config,
                service,
                tokens,
            }),
        })
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
        decode_response::<O>(resp)
    }

    /// Sends a request built by `genauth-core`; management operations get the
    /// token from the cache.
    pub async fn send_http(&self, req: HttpRequest) -> Result<HttpResponse, Error> {
        send_request(
            &self.inner.service,
            self.inner.config.options().timeout,
            req,
        )
        .await
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

// The slice's methods, named as in the official Python SDK.
impl AuthenticationClient {
    /// `GET /api/v3/get-alipay-authinfo`: the auth-info string for Alipay login.
    pub fn get_alipay_auth_info(
        &self,
        ext_idp_connidentifier: impl Into<String>,
    ) -> crate::Call<'_, Self, genauth_core::ops::slice::GetAlipayAuthInfo> {
        crate::Call::new(
            self,
            genauth_core::ops::slice::GetAlipayAuthInfo {
                ext_idp_connidentifier: ext_idp_connidentifier.into(),
            },
        )
    }

    /// `POST /api/v3/signin`: sign in with credentials.
    pub fn sign_in_by_credentials(
        &self,
        body: genauth_types::slice::SigninByCredentialsDto,
    ) -> crate::Call<'_, Self, genauth_core::ops::slice::SignInByCredentials> {
        crate::Call::new(self, genauth_core::ops::slice::SignInByCredentials(body))
    }
}

impl ManagementClient {
    /// `GET /api/v3/get-user`: one user by id.
    pub fn get_user(
        &self,
        user_id: impl Into<String>,
    ) -> crate::Call<'_, Self, genauth_core::ops::slice::GetUser> {
        crate::Call::new(
            self,
            genauth_core::ops::slice::GetUser {
                user_id: user_id.into(),
                with_custom_data: None,
            },
        )
    }

    /// `POST /api/v3/list-users`: one page of users.
    pub fn list_users(&self) -> crate::Call<'_, Self, genauth_core::ops::slice::ListUsers> {
        crate::Call::new(self, genauth_core::ops::slice::ListUsers::default())
    }
}
