//! OIDC, OAuth 2.0 and CAS on the authentication client: the requests of
//! `genauth_core::protocol`, sent, and a key-set cache for token verification.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use genauth_core::protocol::cas::{parse_service_validate_response, parse_validate_v1_response};
use genauth_core::protocol::token::{
    parse_introspection_response, parse_revocation_response, parse_token_response,
};
use genauth_core::protocol::userinfo::parse_user_info_response;
use genauth_core::protocol::verify::{parse_discovery_response, parse_jwks_response};
use genauth_core::protocol::{
    AuthorizeParams, AuthorizeUrl, CallbackParams, CasFormat, JwksLocation, KeySet, LoginCallback,
    LoginTransaction, LogoutParams, RedirectLogin, TokenPlacement, TokenVerifier, UserInfoMethod,
};
use genauth_core::types::protocol::{
    CasSuccess, DiscoveryDocument, Introspection, JwtClaims, TokenSet, UserInfo,
};
use genauth_core::{Error, SecretString, VerifyError};

use crate::AuthenticationClient;

/// The default shortest time between two key-set fetches triggered by an unknown `kid`.
pub const DEFAULT_JWKS_MIN_REFRESH: Duration = Duration::from_secs(10);
/// The default bound of one key-set fetch, and of every wait for it.
pub const DEFAULT_JWKS_FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// The default first pause after a failed fetch (doubled per further failure).
pub const DEFAULT_JWKS_BACKOFF_MIN: Duration = Duration::from_secs(1);
/// The default longest pause after failed fetches.
pub const DEFAULT_JWKS_BACKOFF_MAX: Duration = Duration::from_secs(60);

type FetchOutcome = Option<Result<Arc<KeySet>, VerifyError>>;

#[derive(Default)]
struct Slot {
    keys: Option<Arc<KeySet>>,
    discovery: Option<Arc<DiscoveryDocument>>,
    /// The fetch in flight, if any: every caller waits on this one.
    in_flight: Option<watch::Receiver<FetchOutcome>>,
    /// When the last refresh for an unknown `kid` started.
    last_refresh: Option<Instant>,
    /// Consecutive failed fetches, and no fetch before `retry_at`.
    failures: u32,
    retry_at: Option<Instant>,
    last_error: Option<String>,
    /// Bumped by `forget`; a fetch of an older generation stores nothing.
    generation: u64,
}

#[derive(Clone)]
struct Settings {
    location: JwksLocation,
    use_discovery: bool,
    min_refresh: Duration,
    fetch_timeout: Duration,
    backoff_min: Duration,
    backoff_max: Duration,
}

/// The app's key set, fetched on first use and kept.
///
/// - At most one fetch is in flight; concurrent callers wait for it, each for
///   at most the fetch timeout (5 s by default), and no lock is held while the
///   fetch runs (it runs as its own task when a tokio runtime is present, so a
///   caller that gives up does not cancel it for the others).
/// - A failed fetch is remembered: the next one waits for a backoff (1 s,
///   doubling up to 60 s), whatever the traffic; meanwhile callers get the last
///   good keys, or [`VerifyError::KeySetUnavailable`] at once when there are none.
/// - The last good keys are kept while the endpoint fails.
/// - A token naming a `kid` the cached set does not have (the server rotated
///   its keys) triggers a refresh, at most once per
///   [`JwksCache::set_min_refresh_interval`] (10 s by default), so forged key
///   ids cannot make the client hammer the server.
/// - [`AuthenticationClient::spawn_jwks_refresh`] refreshes in the background.
/// - [`JwksCache::fetch_count`] counts fetches, for tests and metrics.
pub struct JwksCache {
    settings: RwLock<Settings>,
    slot: Mutex<Slot>,
    fetches: AtomicU64,
}

impl std::fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = read(&self.settings);
        f.debug_struct("JwksCache")
            .field("location", &s.location)
            .field("use_discovery", &s.use_discovery)
            .field("min_refresh", &s.min_refresh)
            .field("fetch_timeout", &s.fetch_timeout)
            .field("fetches", &self.fetch_count())
            .finish_non_exhaustive()
    }
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}

impl Default for JwksCache {
    fn default() -> Self {
        Self {
            settings: RwLock::new(Settings {
                location: JwksLocation::default(),
                use_discovery: false,
                min_refresh: DEFAULT_JWKS_MIN_REFRESH,
                fetch_timeout: DEFAULT_JWKS_FETCH_TIMEOUT,
                backoff_min: DEFAULT_JWKS_BACKOFF_MIN,
                backoff_max: DEFAULT_JWKS_BACKOFF_MAX,
            }),
            slot: Mutex::new(Slot::default()),
            fetches: AtomicU64::new(0),
        }
    }
}

/// What a caller does after looking at the slot.
enum Next {
    Ready(Arc<KeySet>),
    Wait(watch::Receiver<FetchOutcome>),
    Start(
        watch::Receiver<FetchOutcome>,
        watch::Sender<FetchOutcome>,
        u64,
    ),
    Fail(VerifyError),
    Skip,
}

impl JwksCache {
    /// Where to fetch the key set from (default `/oidc/.well-known/jwks.json`);
    /// forgets the cached keys.
    pub fn set_location(&self, location: JwksLocation) {
        write(&self.settings).location = location;
        self.forget();
    }

    /// Whether to find the key set through OIDC discovery: the `jwks_uri` of
    /// `/oidc/.well-known/openid-configuration`, whose `issuer` is then accepted
    /// too. Forgets the cached keys.
    pub fn set_use_discovery(&self, on: bool) {
        write(&self.settings).use_discovery = on;
        self.forget();
    }

    /// The shortest time between two fetches caused by an unknown `kid` (default 10 s).
    pub fn set_min_refresh_interval(&self, interval: Duration) {
        write(&self.settings).min_refresh = interval;
    }

    /// The bound of one fetch and of every wait for it (default 5 s).
    pub fn set_fetch_timeout(&self, timeout: Duration) {
        write(&self.settings).fetch_timeout = timeout;
    }

    /// The pause after a first failed fetch, doubled per further failure up to `max`.
    pub fn set_failure_backoff(&self, min: Duration, max: Duration) {
        let mut s = write(&self.settings);
        s.backoff_min = min;
        s.backoff_max = max.max(min);
    }

    /// How many key-set fetches were started so far.
    pub fn fetch_count(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// Forgets the cached keys, discovery document and failures (the next
    /// verification fetches again).
    pub fn forget(&self) {
        let mut slot = self.lock();
        let generation = slot.generation.wrapping_add(1);
        *slot = Slot {
            generation,
            ..Slot::default()
        };
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The cached keys, without any I/O.
    pub fn cached(&self) -> Option<Arc<KeySet>> {
        self.lock().keys.clone()
    }

    fn settings(&self) -> Settings {
        read(&self.settings).clone()
    }

    /// Runs one fetch and records its outcome.
    async fn run_fetch(
        &self,
        client: &AuthenticationClient,
        generation: u64,
        tx: watch::Sender<FetchOutcome>,
    ) {
        let settings = self.settings();
        let discovery = self.lock().discovery.clone();
        let fetch = async {
            let (location, doc) = if settings.use_discovery {
                let doc = match discovery {
                    Some(d) => d,
                    None => Arc::new(client.get_discovery_document().await?),
                };
                (JwksLocation::Url(doc.jwks_uri.clone()), Some(doc))
            } else {
                (settings.location.clone(), None)
            };
            let req = client.config().jwks_request(&location)?;
            let keys = parse_jwks_response(client.send_http(req).await?)?;
            Ok::<_, Error>((Arc::new(keys), doc))
        };
        let result = match tokio::time::timeout(settings.fetch_timeout, fetch).await {
            Ok(Ok(ok)) => Ok(ok),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!(
                "the key-set fetch took longer than {:?}",
                settings.fetch_timeout
            )),
        };
        let outcome = {
            let mut slot = self.lock();
            let current = slot.generation == generation;
            if current {
                slot.in_flight = None;
            }
            match result {
                Ok((keys, doc)) => {
                    if current {
                        slot.keys = Some(keys.clone());
                        if doc.is_some() {
                            slot.discovery = doc;
                        }
                        slot.failures = 0;
                        slot.retry_at = None;
                        slot.last_error = None;
                    }
                    Ok(keys)
                }
                Err(reason) => {
                    if current {
                        slot.failures = slot.failures.saturating_add(1);
                        let factor = 1u32 << (slot.failures - 1).min(16);
                        let pause = settings
                            .backoff_min
                            .saturating_mul(factor)
                            .min(settings.backoff_max);
                        slot.retry_at = Some(Instant::now() + pause);
                        slot.last_error = Some(reason.clone());
                    }
                    Err(VerifyError::KeySetUnavailable(reason))
                }
            }
        };
        let _ = tx.send(Some(outcome));
    }

    /// Decides, under the lock, whether to use the cache, join or start a
    /// fetch, or fail fast; `refresh_from` is the set a caller found lacking.
    fn next(&self, client: &AuthenticationClient, refresh_from: Option<&Arc<KeySet>>) -> Next {
        // The fast path (keys cached) takes only the slot's lock.
        {
            let slot = self.lock();
            match (refresh_from, &slot.keys) {
                (None, Some(k)) => return Next::Ready(k.clone()),
                (Some(seen), Some(k)) if !Arc::ptr_eq(seen, k) => return Next::Ready(k.clone()),
                _ => {}
            }
        }
        let settings = self.settings();
        let mut slot = self.lock();
        match (refresh_from, &slot.keys) {
            (None, Some(k)) => return Next::Ready(k.clone()),
            (Some(seen), Some(k)) if !Arc::ptr_eq(seen, k) => return Next::Ready(k.clone()),
            _ => {}
        }
        if let Some(rx) = &slot.in_flight {
            return Next::Wait(rx.clone());
        }
        let now = Instant::now();
        if slot.retry_at.is_some_and(|at| now < at) {
            return match (&slot.keys, refresh_from) {
                (Some(_), Some(_)) => Next::Skip,
                (Some(k), None) => Next::Ready(k.clone()),
                (None, _) => Next::Fail(VerifyError::KeySetUnavailable(format!(
                    "the last fetch failed ({}); the next is not before the backoff ends",
                    slot.last_error.as_deref().unwrap_or("unknown error")
                ))),
            };
        }
        if refresh_from.is_some() {
            if slot
                .last_refresh
                .is_some_and(|at| now.duration_since(at) < settings.min_refresh)
            {
                return Next::Skip;
            }
            slot.last_refresh = Some(now);
        }
        let (tx, rx) = watch::channel(None);
        slot.in_flight = Some(rx.clone());
        let generation = slot.generation;
        drop(slot);
        self.fetches.fetch_add(1, Ordering::Relaxed);
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                let client = client.clone();
                handle.spawn(async move {
                    client.jwks_cache().run_fetch(&client, generation, tx).await;
                });
                Next::Wait(rx)
            }
            // Without a runtime to spawn on, the caller runs the fetch itself.
            Err(_) => Next::Start(rx, tx, generation),
        }
    }

    /// Follows a decision to its key set (or its error).
    async fn follow(
        &self,
        client: &AuthenticationClient,
        next: Next,
    ) -> Result<Option<Arc<KeySet>>, VerifyError> {
        match next {
            Next::Ready(k) => Ok(Some(k)),
            Next::Wait(rx) => self.wait(rx).await.map(Some),
            Next::Start(rx, tx, generation) => {
                self.run_fetch(client, generation, tx).await;
                self.wait(rx).await.map(Some)
            }
            Next::Fail(e) => Err(e),
            Next::Skip => Ok(None),
        }
    }

    async fn wait(
        &self,
        mut rx: watch::Receiver<FetchOutcome>,
    ) -> Result<Arc<KeySet>, VerifyError> {
        let timeout = self.settings().fetch_timeout;
        match tokio::time::timeout(timeout, rx.wait_for(|o| o.is_some())).await {
            Ok(Ok(outcome)) => match outcome.as_ref() {
                Some(r) => r.clone(),
                None => Err(VerifyError::KeySetUnavailable(
                    "the fetch ended without an answer".into(),
                )),
            },
            Ok(Err(_)) => Err(VerifyError::KeySetUnavailable(
                "the fetch was cancelled".into(),
            )),
            Err(_) => Err(VerifyError::KeySetUnavailable(format!(
                "no key set within {timeout:?}"
            ))),
        }
    }

    async fn keys(&self, client: &AuthenticationClient) -> Result<Arc<KeySet>, Error> {
        let next = self.next(client, None);
        match self.follow(client, next).await? {
            Some(k) => Ok(k),
            None => Err(VerifyError::KeySetUnavailable("no key set".into()).into()),
        }
    }

    /// A newer key set than `seen`, if one is cached or a fetch is allowed now.
    /// A failed refresh keeps the last good keys: the caller then reports its
    /// unknown `kid`.
    async fn refresh(
        &self,
        client: &AuthenticationClient,
        seen: &Arc<KeySet>,
    ) -> Option<Arc<KeySet>> {
        let next = self.next(client, Some(seen));
        self.follow(client, next).await.ok().flatten()
    }

    /// The issuer of the discovery document, when there is one and it is not
    /// among `known` (copied only then).
    fn discovered_issuer_not_in(&self, known: &[String]) -> Option<String> {
        let slot = self.lock();
        let issuer = &slot.discovery.as_ref()?.issuer;
        (!known.contains(issuer)).then(|| issuer.clone())
    }
}

/// Protocol state kept by the authentication client.
pub(crate) struct ProtocolState {
    pub(crate) jwks: JwksCache,
    pub(crate) verifier: RwLock<Option<TokenVerifier>>,
}

impl ProtocolState {
    pub(crate) fn new() -> Self {
        Self {
            jwks: JwksCache::default(),
            verifier: RwLock::new(None),
        }
    }
}

#[derive(Clone, Copy)]
enum TokenKind {
    Id,
    Access,
}

// Names follow the official Python SDK where it has the method.
impl AuthenticationClient {
    /// The login URL of the client's protocol, with the `state` and `nonce` it
    /// carries (see [`genauth_core::AuthenticationConfig::build_authorize_url`]).
    pub fn build_authorize_url(&self, params: AuthorizeParams) -> Result<AuthorizeUrl, Error> {
        self.config().build_authorize_url(params)
    }

    /// The logout URL of the client's protocol.
    pub fn build_logout_url(&self, params: LogoutParams) -> String {
        self.config().build_logout_url(params)
    }

    /// Trades an authorization code for tokens. The redirect URI is the
    /// client's; pass the PKCE verifier when the login URL carried a challenge.
    pub async fn get_access_token_by_code(
        &self,
        code: &str,
        code_verifier: Option<&SecretString>,
    ) -> Result<TokenSet, Error> {
        let req = self
            .config()
            .get_access_token_by_code_request(code, None, code_verifier)?;
        parse_token_response(self.send_http(req).await?)
    }

    /// Gets new tokens with a refresh token.
    pub async fn get_new_access_token_by_refresh_token(
        &self,
        refresh_token: &SecretString,
    ) -> Result<TokenSet, Error> {
        let req = self
            .config()
            .get_new_access_token_by_refresh_token_request(refresh_token)?;
        parse_token_response(self.send_http(req).await?)
    }

    /// Gets a machine-to-machine token with a programmatic access key pair.
    pub async fn get_access_token_by_client_credentials(
        &self,
        scope: &str,
        access_key: &str,
        access_secret: &SecretString,
    ) -> Result<TokenSet, Error> {
        let req = self
            .config()
            .get_access_token_by_client_credentials_request(scope, access_key, access_secret)?;
        parse_token_response(self.send_http(req).await?)
    }

    /// The user's claims from the userinfo endpoint (`GET`, token in the
    /// `authorization: Bearer` header).
    pub async fn get_user_info_by_access_token(
        &self,
        access_token: &SecretString,
    ) -> Result<UserInfo, Error> {
        self.get_user_info_with(access_token, UserInfoMethod::Get, TokenPlacement::Header)
            .await
    }

    /// The userinfo call with a chosen method and token placement.
    pub async fn get_user_info_with(
        &self,
        access_token: &SecretString,
        method: UserInfoMethod,
        placement: TokenPlacement,
    ) -> Result<UserInfo, Error> {
        let req = self
            .config()
            .get_user_info_request(access_token, method, placement)?;
        parse_user_info_response(self.send_http(req).await?)
    }

    /// Asks the server whether a token is active (RFC 7662).
    pub async fn introspect_token(&self, token: &SecretString) -> Result<Introspection, Error> {
        let req = self.config().introspect_token_request(token, None)?;
        parse_introspection_response(self.send_http(req).await?)
    }

    /// Revokes an access or refresh token (RFC 7009).
    pub async fn revoke_token(&self, token: &SecretString) -> Result<(), Error> {
        let req = self.config().revoke_token_request(token, None)?;
        parse_revocation_response(self.send_http(req).await?)
    }

    /// Fetches the OIDC discovery document.
    pub async fn get_discovery_document(&self) -> Result<DiscoveryDocument, Error> {
        let req = self.config().discovery_request()?;
        parse_discovery_response(self.send_http(req).await?)
    }

    /// The key-set cache used by token verification (to choose the key-set
    /// location, turn on discovery, or change the refresh interval).
    pub fn jwks_cache(&self) -> &JwksCache {
        &self.inner.protocol.jwks
    }

    /// The rules tokens are verified with: by default issuer `{app_host}/oidc`,
    /// audience the app id, 30 s leeway, and the app secret for `HS256` ID tokens.
    pub fn token_verifier(&self) -> TokenVerifier {
        read(&self.inner.protocol.verifier)
            .clone()
            .unwrap_or_else(|| self.config().token_verifier())
    }

    /// Replaces the rules tokens are verified with.
    pub fn set_token_verifier(&self, verifier: TokenVerifier) {
        *write(&self.inner.protocol.verifier) = Some(verifier);
    }

    /// The app's current key set, fetched if not cached yet.
    pub async fn get_jwks(&self) -> Result<Arc<KeySet>, Error> {
        self.jwks_cache().keys(self).await
    }

    /// Refreshes the key set every `interval` in a background task (on the
    /// current tokio runtime), so that rotated keys are known before a token
    /// needs them. Failures follow the cache's backoff and keep the last good
    /// keys. The task holds no strong reference: it ends when the last clone
    /// of the client is dropped, or when the handle is aborted.
    pub fn spawn_jwks_refresh(&self, interval: Duration) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(interval).await;
                let Some(inner) = weak.upgrade() else { break };
                let client = AuthenticationClient { inner };
                let cache = client.jwks_cache();
                let next = match cache.cached() {
                    Some(seen) => cache.next(&client, Some(&seen)),
                    None => cache.next(&client, None),
                };
                let _ = cache.follow(&client, next).await;
            }
        })
    }

    /// Verifies an access token with `verifier` instead of the client's rules,
    /// using the client's key-set cache (what the `guard` feature's `Guard` does).
    pub async fn verify_access_token_with(
        &self,
        access_token: &str,
        verifier: &TokenVerifier,
    ) -> Result<JwtClaims, Error> {
        self.verify_token_with(access_token, TokenKind::Access, None, Some(verifier))
            .await
    }

    async fn verify_token(
        &self,
        token: &str,
        kind: TokenKind,
        nonce: Option<&str>,
    ) -> Result<JwtClaims, Error> {
        self.verify_token_with(token, kind, nonce, None).await
    }

    async fn verify_token_with(
        &self,
        token: &str,
        kind: TokenKind,
        nonce: Option<&str>,
        with: Option<&TokenVerifier>,
    ) -> Result<JwtClaims, Error> {
        let cache = self.jwks_cache();
        let own;
        let mut verifier = match with {
            Some(v) => std::borrow::Cow::Borrowed(v),
            None => {
                own = self.token_verifier();
                std::borrow::Cow::Borrowed(&own)
            }
        };
        // The header is read once (size cap first) and verified with the token.
        let read_token = verifier.read(token)?;
        let header = read_token.header();
        // An HMAC token without a key id needs no key set; anything else does,
        // and so does discovery (for the advertised issuer).
        let needs_keys = !(header.alg.starts_with("HS") && header.kid.is_none());
        let keys = if needs_keys || read(&cache.settings).use_discovery {
            cache.keys(self).await?
        } else {
            Arc::new(KeySet::new())
        };
        if let Some(iss) = cache.discovered_issuer_not_in(verifier.issuers()) {
            verifier = std::borrow::Cow::Owned(verifier.into_owned().also_accept_issuer(iss));
        }
        let check = |keys: &KeySet| match kind {
            TokenKind::Id => verifier.verify_read_id_token(&read_token, keys, nonce),
            TokenKind::Access => verifier.verify_read_access_token(&read_token, keys),
        };
        match check(&keys) {
            Err(VerifyError::UnknownKid(kid)) if needs_keys => {
                match cache.refresh(self, &keys).await {
                    Some(fresh) => Ok(check(&fresh)?),
                    None => Err(VerifyError::UnknownKid(kid).into()),
                }
            }
            other => Ok(other?),
        }
    }

    /// Verifies an ID token: its signature (`RS256` with the app's key set, or
    /// `HS256` with the app secret), `iss`, `aud`, `exp`, `nbf`, `iat`, and the
    /// `nonce` when one is given.
    pub async fn verify_id_token(
        &self,
        id_token: &str,
        nonce: Option<&str>,
    ) -> Result<JwtClaims, Error> {
        self.verify_token(id_token, TokenKind::Id, nonce).await
    }

    /// Verifies an access token of the app (for resource servers): `RS256`
    /// signature with the app's key set, `iss`, `aud`, `exp`, `nbf`, `iat`.
    pub async fn verify_access_token(&self, access_token: &str) -> Result<JwtClaims, Error> {
        self.verify_token(access_token, TokenKind::Access, None)
            .await
    }

    /// The official SDK's name for checking an access token locally: the same
    /// as [`AuthenticationClient::verify_access_token`].
    pub async fn introspect_token_offline(&self, access_token: &str) -> Result<JwtClaims, Error> {
        self.verify_access_token(access_token).await
    }

    /// Starts a redirect login: the URL to send the user to and the transaction
    /// to store until the callback (state, nonce, PKCE verifier, redirect URI).
    #[doc(alias = "login_with_redirect")]
    pub fn start_redirect_login(&self, params: AuthorizeParams) -> Result<RedirectLogin, Error> {
        self.config().start_redirect_login(params)
    }

    /// Handles the login callback: rejects an `error` parameter, a missing code
    /// and a `state` that does not match the transaction, exchanges the code
    /// with the stored verifier and redirect URI, and verifies the returned ID
    /// token with the stored nonce. A login that asked for `openid` must get
    /// an ID token ([`genauth_core::ProtocolError::MissingIdToken`] otherwise);
    /// its verified claims are returned with the tokens.
    pub async fn handle_redirect_callback(
        &self,
        callback_query: &str,
        transaction: &LoginTransaction,
    ) -> Result<LoginCallback, Error> {
        let params = CallbackParams::from_query(callback_query)?;
        let code = transaction.check_callback(&params)?;
        let req = self.config().get_access_token_by_code_request_with(
            &code,
            Some(&transaction.redirect_uri),
            transaction.code_verifier.as_ref(),
            &transaction.token_params(),
        )?;
        let tokens = parse_token_response(self.send_http(req).await?)?;
        let id_claims = match &tokens.id_token {
            Some(id_token) => Some(
                self.verify_id_token(id_token.expose(), transaction.nonce.as_deref())
                    .await?,
            ),
            None if transaction.expects_id_token() => {
                return Err(genauth_core::ProtocolError::MissingIdToken.into())
            }
            None => None,
        };
        Ok(LoginCallback { tokens, id_claims })
    }

    /// CAS 1.0 ticket validation: the user name, or
    /// [`genauth_core::ProtocolError::TicketRejected`].
    pub async fn validate_ticket_v1(&self, ticket: &str, service: &str) -> Result<String, Error> {
        let req = self.config().validate_ticket_v1_request(ticket, service)?;
        parse_validate_v1_response(self.send_http(req).await?)
    }

    /// CAS 2.0/3.0 ticket validation (`/serviceValidate`) in the given format:
    /// the user and attributes, or
    /// [`genauth_core::ProtocolError::TicketRejected`] with the CAS error code.
    pub async fn validate_ticket_v2(
        &self,
        ticket: &str,
        service: &str,
        format: CasFormat,
    ) -> Result<CasSuccess, Error> {
        let req = self
            .config()
            .validate_ticket_v2_request(ticket, service, format)?;
        parse_service_validate_response(self.send_http(req).await?)
    }

    /// The SAML IdP-initiated login URL.
    pub fn saml_login_url(&self) -> String {
        self.config().saml_login_url()
    }

    /// The SAML IdP metadata URL.
    pub fn saml_metadata_url(&self) -> String {
        self.config().saml_metadata_url()
    }
}
