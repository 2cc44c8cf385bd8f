//! OIDC, OAuth 2.0 and CAS on the authentication client: the requests of
//! `genauth_core::protocol`, sent, and a key-set cache for token verification.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::time::Instant;

use genauth_core::protocol::cas::{parse_service_validate_response, parse_validate_v1_response};
use genauth_core::protocol::token::{
    parse_introspection_response, parse_revocation_response, parse_token_response,
};
use genauth_core::protocol::userinfo::parse_user_info_response;
use genauth_core::protocol::verify::{
    decode_header, parse_discovery_response, parse_jwks_response,
};
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
pub const DEFAULT_JWKS_MIN_REFRESH: Duration = Duration::from_secs(60);

#[derive(Default)]
struct CacheState {
    keys: Option<Arc<KeySet>>,
    /// When the last refresh caused by an unknown `kid` was attempted.
    last_refresh: Option<Instant>,
    discovery: Option<Arc<DiscoveryDocument>>,
    /// The `JwksCache::generation` this state belongs to.
    generation: u64,
}

/// The app's key set, fetched on first use and kept.
///
/// When a token names a `kid` the cached set does not have (the server rotated
/// its keys), the set is fetched again, but such refreshes happen at most once
/// per [`JwksCache::set_min_refresh_interval`] (60 s by default), so forged
/// tokens with random key ids cannot make the client hammer the server.
/// Concurrent callers share one fetch.
pub struct JwksCache {
    location: RwLock<JwksLocation>,
    use_discovery: RwLock<bool>,
    min_refresh: RwLock<Duration>,
    state: tokio::sync::Mutex<CacheState>,
    fetches: AtomicU64,
    /// Bumped by `forget`; a state of an older generation is dropped on next use.
    generation: AtomicU64,
}

impl std::fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwksCache")
            .field("location", &*read(&self.location))
            .field("use_discovery", &*read(&self.use_discovery))
            .field("min_refresh", &*read(&self.min_refresh))
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
            location: RwLock::new(JwksLocation::default()),
            use_discovery: RwLock::new(false),
            min_refresh: RwLock::new(DEFAULT_JWKS_MIN_REFRESH),
            state: tokio::sync::Mutex::new(CacheState::default()),
            fetches: AtomicU64::new(0),
            generation: AtomicU64::new(0),
        }
    }
}

impl JwksCache {
    /// Where to fetch the key set from (default `/oidc/.well-known/jwks.json`);
    /// forgets the cached keys.
    pub fn set_location(&self, location: JwksLocation) {
        *write(&self.location) = location;
        self.forget();
    }

    /// Whether to find the key set through OIDC discovery: the `jwks_uri` of
    /// `/oidc/.well-known/openid-configuration`, whose `issuer` is then accepted
    /// too. Forgets the cached keys.
    pub fn set_use_discovery(&self, on: bool) {
        *write(&self.use_discovery) = on;
        self.forget();
    }

    /// The shortest time between two fetches caused by an unknown `kid`.
    pub fn set_min_refresh_interval(&self, interval: Duration) {
        *write(&self.min_refresh) = interval;
    }

    /// How many key-set fetches were attempted so far.
    pub fn fetch_count(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// Forgets the cached keys and discovery document (the next verification
    /// fetches them again).
    pub fn forget(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Locks the state, dropping it if `forget` was called since it was filled.
    async fn lock(&self) -> tokio::sync::MutexGuard<'_, CacheState> {
        let mut st = self.state.lock().await;
        let generation = self.generation.load(Ordering::SeqCst);
        if st.generation != generation {
            *st = CacheState {
                generation,
                ..CacheState::default()
            };
        }
        st
    }

    async fn fetch_locked(
        &self,
        st: &mut CacheState,
        client: &AuthenticationClient,
    ) -> Result<Arc<KeySet>, Error> {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let location = if *read(&self.use_discovery) {
            let doc = match &st.discovery {
                Some(d) => d.clone(),
                None => {
                    let d = Arc::new(client.get_discovery_document().await?);
                    st.discovery = Some(d.clone());
                    d
                }
            };
            JwksLocation::Url(doc.jwks_uri.clone())
        } else {
            read(&self.location).clone()
        };
        let req = client.config().jwks_request(&location)?;
        let keys = Arc::new(parse_jwks_response(client.send_http(req).await?)?);
        st.keys = Some(keys.clone());
        Ok(keys)
    }

    async fn keys(&self, client: &AuthenticationClient) -> Result<Arc<KeySet>, Error> {
        let mut st = self.lock().await;
        match &st.keys {
            Some(k) => Ok(k.clone()),
            None => self.fetch_locked(&mut st, client).await,
        }
    }

    /// A newer key set than `seen`, if one is cached or a fetch is allowed now.
    async fn refresh(
        &self,
        client: &AuthenticationClient,
        seen: &Arc<KeySet>,
    ) -> Result<Option<Arc<KeySet>>, Error> {
        let mut st = self.lock().await;
        if let Some(k) = &st.keys {
            if !Arc::ptr_eq(k, seen) {
                return Ok(Some(k.clone()));
            }
        }
        let min = *read(&self.min_refresh);
        if st.last_refresh.is_some_and(|at| at.elapsed() < min) {
            return Ok(None);
        }
        st.last_refresh = Some(Instant::now());
        self.fetch_locked(&mut st, client).await.map(Some)
    }

    async fn discovered_issuer(&self) -> Option<String> {
        self.lock()
            .await
            .discovery
            .as_ref()
            .map(|d| d.issuer.clone())
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

    async fn verify_token(
        &self,
        token: &str,
        kind: TokenKind,
        nonce: Option<&str>,
    ) -> Result<JwtClaims, Error> {
        let cache = self.jwks_cache();
        // An HMAC token without a key id needs no key set; anything else does,
        // and so does discovery (for the advertised issuer).
        let header = decode_header(token)?;
        let needs_keys = !(header.alg.starts_with("HS") && header.kid.is_none());
        let keys = if needs_keys || *read(&cache.use_discovery) {
            cache.keys(self).await?
        } else {
            Arc::new(KeySet::new())
        };
        let mut verifier = self.token_verifier();
        if let Some(iss) = cache.discovered_issuer().await {
            if !verifier.issuers().contains(&iss) {
                verifier = verifier.also_accept_issuer(iss);
            }
        }
        let check = |keys: &KeySet| match kind {
            TokenKind::Id => verifier.verify_id_token(token, keys, nonce),
            TokenKind::Access => verifier.verify_access_token(token, keys),
        };
        match check(&keys) {
            Err(VerifyError::UnknownKid(kid)) if needs_keys => {
                match cache.refresh(self, &keys).await? {
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
        let req = self.config().get_access_token_by_code_request(
            &code,
            Some(&transaction.redirect_uri),
            transaction.code_verifier.as_ref(),
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
