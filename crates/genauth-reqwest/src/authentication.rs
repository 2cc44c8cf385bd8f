//! The authentication client over reqwest.

use std::sync::Arc;

use genauth_core::{
    AuthenticationClientOptions, AuthenticationConfig, Error, Operation, SecretString,
};

use crate::Transport;

/// The end-user authentication API over a `reqwest::Client`: one cheap
/// cloneable value, shared by all tasks.
#[derive(Debug, Clone)]
pub struct AuthenticationClient {
    inner: Arc<Inner>,
    body_limit: usize,
}

#[derive(Debug)]
struct Inner {
    transport: Transport,
    config: AuthenticationConfig,
}

impl AuthenticationClient {
    /// A client over [`default_client`](crate::default_client).
    ///
    /// Errors: invalid options ([`Error::Config`]), or a TLS setup failure.
    pub fn new(options: AuthenticationClientOptions) -> Result<Self, Error> {
        Self::with_client(crate::default_client()?, options)
    }

    /// A client sending through `http` (build it without redirects, see the
    /// [crate documentation](crate)).
    ///
    /// Errors: invalid options ([`Error::Config`]).
    pub fn with_client(
        http: reqwest::Client,
        options: AuthenticationClientOptions,
    ) -> Result<Self, Error> {
        let timeout = options.timeout;
        let config = AuthenticationConfig::new(options)?;
        let host = config.base_url().to_owned();
        Ok(Self {
            inner: Arc::new(Inner {
                transport: Transport {
                    http,
                    timeout,
                    host,
                },
                config,
            }),
            body_limit: crate::DEFAULT_BODY_LIMIT,
        })
    }

    /// Reads response bodies up to `limit` bytes (default
    /// [`DEFAULT_BODY_LIMIT`](crate::DEFAULT_BODY_LIMIT)).
    #[must_use]
    pub fn body_limit(mut self, limit: usize) -> Self {
        self.body_limit = limit;
        self
    }

    /// The validated options requests are encoded with.
    pub fn config(&self) -> &AuthenticationConfig {
        &self.inner.config
    }

    /// Sends `op` without a user token (sign-in, sign-up, public reads).
    pub async fn call<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        self.send(op, None).await
    }

    /// Sends `op` with the end user's access token (profile, MFA, logout...).
    pub async fn call_with_token<O: Operation>(
        &self,
        op: &O,
        access_token: &SecretString,
    ) -> Result<O::Output, Error> {
        self.send(op, Some(access_token)).await
    }

    async fn send<O: Operation>(
        &self,
        op: &O,
        access_token: Option<&SecretString>,
    ) -> Result<O::Output, Error> {
        let req = self.inner.config.request(op, access_token)?;
        let response = self
            .inner
            .transport
            .send(req, O::NAME, self.body_limit)
            .await?;
        genauth_core::decode_response::<O>(response)
            .map_err(|e| e.with_context(Some(O::NAME), Some(&self.inner.transport.host)))
    }
}
