//! The management client over reqwest, with the management token shared by
//! all its calls.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use genauth_core::session::{ManagementSession, Step};
use genauth_core::{
    management_token, AuthKind, Error, ManagementClientOptions, ManagementConfig, ManagementToken,
    Operation,
};

use crate::Transport;

/// The admin management API over a `reqwest::Client`: one cheap cloneable
/// value, shared by all tasks, whose clones share one management token.
///
/// The token is fetched before the first management call and again when it
/// is about to expire ([`ManagementToken::needs_refresh`]); concurrent calls
/// that find no usable token wait for a single fetch (bounded by the request
/// timeout) instead of each sending one. A call whose token the service
/// rejects is sent once more with a new token.
#[derive(Debug, Clone)]
pub struct ManagementClient {
    inner: Arc<Inner>,
    body_limit: usize,
}

#[derive(Debug)]
struct Inner {
    transport: Transport,
    config: Arc<ManagementConfig>,
    /// The shared token; reading it takes a read lock only.
    current: RwLock<Option<Arc<Cached>>>,
    /// Held by the one task fetching a token.
    refresh: tokio::sync::Mutex<()>,
    fetches: AtomicU64,
}

#[derive(Debug)]
struct Cached {
    token: ManagementToken,
    /// Which fetch it came from (1, 2, ...).
    generation: u64,
}

impl ManagementClient {
    /// A client over [`default_client`](crate::default_client).
    ///
    /// Errors: invalid options ([`Error::Config`]), or a TLS setup failure.
    pub fn new(options: ManagementClientOptions) -> Result<Self, Error> {
        Self::with_client(crate::default_client()?, options)
    }

    /// A client sending through `http` (build it without redirects, see the
    /// [crate documentation](crate)).
    ///
    /// Errors: invalid options ([`Error::Config`]).
    pub fn with_client(
        http: reqwest::Client,
        options: ManagementClientOptions,
    ) -> Result<Self, Error> {
        let timeout = options.timeout;
        let config = ManagementConfig::new(options)?;
        let host = config.base_url().to_owned();
        Ok(Self {
            inner: Arc::new(Inner {
                transport: Transport {
                    http,
                    timeout,
                    host,
                },
                config: Arc::new(config),
                current: RwLock::new(None),
                refresh: tokio::sync::Mutex::new(()),
                fetches: AtomicU64::new(0),
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
    pub fn config(&self) -> &ManagementConfig {
        &self.inner.config
    }

    /// The management token the calls use now, if one was fetched.
    pub fn token(&self) -> Option<ManagementToken> {
        self.current().map(|c| c.token.clone())
    }

    /// How many token requests this client (and its clones) has sent.
    pub fn token_fetch_count(&self) -> u64 {
        self.inner.fetches.load(Ordering::Relaxed)
    }

    /// Sends `op` with the management token and returns its typed answer.
    ///
    /// Errors: the service's error envelope ([`Error::Api`]), an HTTP error,
    /// a decode error, [`Error::Timeout`], [`Error::ResponseTooLarge`], a
    /// transport error, or the token endpoint's error when no token could be
    /// fetched.
    pub async fn call<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        let host = &self.inner.transport.host;
        let context = |e: Error| e.with_context(Some(O::NAME), Some(host));
        let mut used = if O::AUTH == AuthKind::ManagementToken {
            self.current().filter(|c| usable(c, None))
        } else {
            None
        };
        let mut session = ManagementSession::shared(
            self.inner.config.clone(),
            used.as_ref().map(|c| c.token.clone()),
        );
        let (mut call, mut req) = session.call(op, SystemTime::now())?;
        loop {
            if call.needs_token() {
                // No usable token, or the service rejected the one sent.
                let fresh = self
                    .fetch_token(used.as_ref().map(|c| c.generation))
                    .await?;
                req = call.provide_token(fresh.token.clone())?;
                used = Some(fresh);
                continue;
            }
            let response = self
                .inner
                .transport
                .send(req, O::NAME, self.body_limit)
                .await?;
            match call.receive(response, SystemTime::now()).map_err(context)? {
                Step::Send(next) => req = next,
                Step::Done(output) => return Ok(output),
            }
        }
    }

    fn current(&self) -> Option<Arc<Cached>> {
        let guard = self.inner.current.read().unwrap_or_else(|e| e.into_inner());
        guard.clone()
    }

    /// A usable token other than the `rejected` one: the shared one when it
    /// is, otherwise one fetched by this task while the others wait.
    async fn fetch_token(&self, rejected: Option<u64>) -> Result<Arc<Cached>, Error> {
        if let Some(c) = self.current().filter(|c| usable(c, rejected)) {
            return Ok(c);
        }
        let _single = self.inner.refresh.lock().await;
        // Another task may have fetched one while this one waited.
        if let Some(c) = self.current().filter(|c| usable(c, rejected)) {
            return Ok(c);
        }
        let mut session = ManagementSession::shared(self.inner.config.clone(), None);
        let request = session.token_request()?;
        let sent_at = SystemTime::now();
        let generation = self.inner.fetches.fetch_add(1, Ordering::Relaxed) + 1;
        let response = self
            .inner
            .transport
            .send(request, management_token::NAME, self.body_limit)
            .await?;
        let token = session
            .receive_token(response, sent_at)
            .map_err(|e| {
                e.with_context(
                    Some(management_token::NAME),
                    Some(&self.inner.transport.host),
                )
            })?
            .clone();
        let cached = Arc::new(Cached { token, generation });
        *self
            .inner
            .current
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Some(cached.clone());
        Ok(cached)
    }
}

/// Whether `c` may be sent now: not the rejected one, not about to expire.
fn usable(c: &Cached, rejected: Option<u64>) -> bool {
    Some(c.generation) != rejected && !c.token.needs_refresh(SystemTime::now())
}
