//! axum 0.8 integration for GenAuth.
//!
//! - [`Claims`] and `Option<Claims>`: extractors for the claims of the
//!   request's bearer token, as verified by the
//!   [`GuardLayer`](genauth_tower::guard::GuardLayer) in front of the routes.
//!   Without verified claims, [`Claims`] refuses the request with 401 and
//!   `WWW-Authenticate: Bearer`.
//! - [`WebLogin`] with the [`login`], [`callback`] and [`logout`] handlers: the
//!   server-side redirect login (authorization code + PKCE + nonce). The login
//!   transaction waits for the callback in a cookie encrypted and signed with
//!   the app's [`Key`] (AES-256-GCM, `cookie`'s private jar); after the callback
//!   the verified ID-token claims are kept in a session cookie sealed the same
//!   way, read back with the [`Session`] extractor.
//!
//! ```no_run
//! use axum::{routing::get, Router};
//! use genauth_axum::{callback, login, logout, Claims, Key, Session, WebLogin};
//! # fn f(client: genauth_tower::AuthenticationClient) {
//! let guard = genauth_tower::guard::Guard::new(client.clone());
//! let api = Router::new()
//!     .route("/api/me", get(|c: Claims| async move { c.sub.clone().unwrap_or_default() }))
//!     .layer(guard.layer());
//! let web = WebLogin::new(client, Key::generate());
//! let app: Router = Router::new()
//!     .route("/login", get(login))
//!     .route("/callback", get(callback))
//!     .route("/logout", get(logout))
//!     .route("/", get(|s: Session| async move { s.sub.clone().unwrap_or_default() }))
//!     .with_state(web)
//!     .merge(api);
//! # let _ = app; }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts, RawQuery, State};
use axum::response::{IntoResponse, Response};
use cookie::{Cookie, CookieJar, SameSite};
use http::header::{HeaderValue, COOKIE, LOCATION, SET_COOKIE, WWW_AUTHENTICATE};
use http::request::Parts;
use http::{HeaderMap, StatusCode};

use genauth_core::protocol::{AuthorizeParams, LoginCallback, LoginTransaction, LogoutParams};
use genauth_core::types::protocol::JwtClaims;
use genauth_tower::guard::BearerClaims;
use genauth_tower::AuthenticationClient;

mod resource;
pub use resource::protected_resource_routes;

/// The key that encrypts and signs the login and session cookies (64 bytes;
/// AES-256-GCM). Load it from a secret store, or `Key::generate()` for a
/// single process; [`WebLogin`]'s `Debug` output never shows it.
pub use cookie::Key;

/// The name of the cookie that holds the login transaction until the callback.
pub const LOGIN_COOKIE: &str = "genauth_login";
/// The name of the cookie that holds the session (the verified ID-token claims).
pub const SESSION_COOKIE: &str = "genauth_session";
/// The name of the cookie that keeps the session's raw ID token, sent as
/// `id_token_hint` by [`logout`] (encrypted like the others).
pub const ID_TOKEN_COOKIE: &str = "genauth_id_token";
/// How long a login may take between the redirect and the callback.
pub const LOGIN_TTL: Duration = Duration::from_secs(10 * 60);

/// The verified claims of the request's bearer token.
///
/// Put a [`GuardLayer`](genauth_tower::guard::GuardLayer) in front of the
/// route: it verifies the token and leaves the claims in the request's
/// extensions; this extractor reads them. With no verified claims (no guard,
/// or an optional guard and no `Authorization` header) it refuses the request
/// with [`ClaimsRejection`] (401). Use `Option<Claims>` for routes open to
/// anonymous callers.
#[derive(Debug, Clone)]
pub struct Claims(pub BearerClaims);

impl std::ops::Deref for Claims {
    type Target = JwtClaims;
    fn deref(&self) -> &JwtClaims {
        &self.0
    }
}

/// No verified bearer claims on the request: 401 with `WWW-Authenticate: Bearer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimsRejection;

impl fmt::Display for ClaimsRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "no verified bearer token on the request (is the guard layer in front of this route?)",
        )
    }
}

impl std::error::Error for ClaimsRejection {}

impl IntoResponse for ClaimsRejection {
    fn into_response(self) -> Response {
        (
            StatusCode::UNAUTHORIZED,
            [(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))],
            "a bearer token is required",
        )
            .into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Claims {
    type Rejection = ClaimsRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<BearerClaims>()
            .cloned()
            .map(Claims)
            .ok_or(ClaimsRejection)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for Claims {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<BearerClaims>().cloned().map(Claims))
    }
}

/// The redirect login of a web app: the client, the cookie key and where to
/// send the user afterwards. Cheap to clone; use it as (or inside) the
/// router's state, with [`FromRef`] for a larger state.
#[derive(Clone)]
pub struct WebLogin {
    inner: Arc<Inner>,
}

struct Inner {
    client: AuthenticationClient,
    key: Key,
    params: AuthorizeParams,
    after_login: String,
    after_logout: Option<String>,
}

impl fmt::Debug for WebLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebLogin")
            .field("key", &"<redacted>")
            .field("after_login", &self.inner.after_login)
            .field("after_logout", &self.inner.after_logout)
            .finish_non_exhaustive()
    }
}

impl WebLogin {
    /// A login with the client's redirect URI (the route of [`callback`]),
    /// default authorize parameters, and `/` after login.
    pub fn new(client: AuthenticationClient, key: Key) -> Self {
        Self {
            inner: Arc::new(Inner {
                client,
                key,
                params: AuthorizeParams::new(),
                after_login: "/".to_owned(),
                after_logout: None,
            }),
        }
    }

    fn edit(self, f: impl FnOnce(&mut Inner)) -> Self {
        let mut inner = Arc::try_unwrap(self.inner).unwrap_or_else(|a| Inner {
            client: a.client.clone(),
            key: a.key.clone(),
            params: a.params.clone(),
            after_login: a.after_login.clone(),
            after_logout: a.after_logout.clone(),
        });
        f(&mut inner);
        Self {
            inner: Arc::new(inner),
        }
    }

    /// The authorize parameters of every login (scope, prompt...).
    pub fn authorize_params(self, params: AuthorizeParams) -> Self {
        self.edit(|i| i.params = params)
    }

    /// Where [`callback`] sends the user once logged in (a path of the app).
    pub fn after_login(self, path: impl Into<String>) -> Self {
        let path = path.into();
        self.edit(|i| i.after_login = path)
    }

    /// Where GenAuth sends the user after [`logout`] (must be registered as a
    /// logout redirect URI of the app); by default the client's own.
    pub fn after_logout(self, url: impl Into<String>) -> Self {
        let url = url.into();
        self.edit(|i| i.after_logout = Some(url))
    }

    /// The client.
    pub fn client(&self) -> &AuthenticationClient {
        &self.inner.client
    }

    /// Starts a login: a 303 to the authorize URL, with the transaction in an
    /// encrypted login cookie (HttpOnly, SameSite=Lax, 10 minutes, Secure unless
    /// the redirect URI is on a loopback host).
    pub fn start(&self) -> Result<Response, LoginError> {
        let login = self
            .inner
            .client
            .start_redirect_login(self.inner.params.clone())
            .map_err(LoginError::Start)?;
        let cookie = self.sealed(
            LOGIN_COOKIE,
            login.transaction.to_cookie_value(),
            LOGIN_TTL,
            secure_for(&login.transaction.redirect_uri),
        );
        let mut resp = redirect(&login.url)?;
        resp.headers_mut().append(SET_COOKIE, cookie);
        Ok(resp)
    }

    /// Finishes a login from the callback's headers and query: opens the login
    /// cookie (missing, expired or tampered: [`LoginError::NoTransaction`]),
    /// checks the state, exchanges the code with the PKCE verifier, and
    /// verifies the ID token with the nonce. Returns the tokens and the
    /// verified ID-token claims, for apps that keep their own session.
    pub async fn finish(
        &self,
        headers: &HeaderMap,
        query: &str,
    ) -> Result<LoginCallback, LoginError> {
        let tx = self.transaction(headers)?;
        self.inner
            .client
            .handle_redirect_callback(query, &tx)
            .await
            .map_err(LoginError::Callback)
    }

    fn transaction(&self, headers: &HeaderMap) -> Result<LoginTransaction, LoginError> {
        let value = self
            .open(headers, LOGIN_COOKIE)
            .ok_or(LoginError::NoTransaction)?;
        LoginTransaction::from_cookie_value(&value).map_err(|_| LoginError::NoTransaction)
    }

    /// The session of the request, if it has a valid, unexpired session cookie.
    pub fn session(&self, headers: &HeaderMap) -> Option<Session> {
        let value = self.open(headers, SESSION_COOKIE)?;
        let claims: JwtClaims = serde_json::from_str(&value).ok()?;
        (claims.exp > now_secs()).then(|| Session(Arc::new(claims)))
    }

    fn open(&self, headers: &HeaderMap, name: &str) -> Option<String> {
        let mut jar = CookieJar::new();
        for h in headers.get_all(COOKIE) {
            let Ok(s) = h.to_str() else { continue };
            for c in Cookie::split_parse(s.to_owned()).flatten() {
                if c.name() == name {
                    jar.add_original(c);
                }
            }
        }
        jar.private(&self.inner.key)
            .get(name)
            .map(|c| c.value().to_owned())
    }

    fn sealed(
        &self,
        name: &'static str,
        value: String,
        ttl: Duration,
        secure: bool,
    ) -> HeaderValue {
        let mut jar = CookieJar::new();
        let max_age = cookie::time::Duration::seconds(ttl.as_secs().min(i64::MAX as u64) as i64);
        let c = Cookie::build((name, value))
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Lax)
            .max_age(max_age)
            .build();
        jar.private_mut(&self.inner.key).add(c);
        let c = jar.get(name).map(|c| c.to_string()).unwrap_or_default();
        // Base64 and cookie attributes only: always a valid header value.
        HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
    }
}

fn removal(name: &'static str) -> HeaderValue {
    let c = Cookie::build((name, ""))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::ZERO)
        .build();
    HeaderValue::from_str(&c.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Whether cookies for an app at `url` get `Secure`: always, except on
/// loopback hosts (`localhost`, `127.0.0.0/8`, `[::1]`) served over plain HTTP.
fn secure_for(url: &str) -> bool {
    let Ok(uri) = url.parse::<http::Uri>() else {
        return true;
    };
    let host = uri.host().unwrap_or("");
    let loopback = host == "localhost"
        || host == "[::1]"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback());
    !(loopback && uri.scheme_str() == Some("http"))
}

fn redirect(url: &str) -> Result<Response, LoginError> {
    let loc = HeaderValue::from_str(url).map_err(|_| LoginError::BadRedirect)?;
    Ok((StatusCode::SEE_OTHER, [(LOCATION, loc)]).into_response())
}

/// Why a login, its callback or a logout failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoginError {
    /// The authorize URL could not be built (client configuration).
    Start(genauth_core::Error),
    /// The callback came without a valid login cookie: missing, expired,
    /// tampered with, or sealed with another key.
    NoTransaction,
    /// The callback was refused: an `error` from GenAuth, a state mismatch,
    /// a failed code exchange or an ID token that did not verify.
    Callback(genauth_core::Error),
    /// A redirect target is not a valid header value.
    BadRedirect,
    /// The verified claims could not be written into the session cookie.
    SessionEncoding,
}

impl fmt::Display for LoginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoginError::Start(e) => write!(f, "the login could not start: {e}"),
            LoginError::NoTransaction => f.write_str(
                "the login callback has no valid login cookie (missing, expired or tampered with): start the login again",
            ),
            LoginError::Callback(e) => write!(f, "the login callback was refused: {e}"),
            LoginError::BadRedirect => f.write_str("the redirect target is not a valid URL"),
            LoginError::SessionEncoding => {
                f.write_str("the verified claims could not be written into the session cookie")
            }
        }
    }
}

impl std::error::Error for LoginError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoginError::Start(e) | LoginError::Callback(e) => Some(e),
            _ => None,
        }
    }
}

impl IntoResponse for LoginError {
    /// 400 for a callback without a valid login cookie, 401 for a refused
    /// callback, 500 for a configuration error. The body is the sentence.
    fn into_response(self) -> Response {
        let status = match self {
            LoginError::NoTransaction => StatusCode::BAD_REQUEST,
            LoginError::Callback(_) => StatusCode::UNAUTHORIZED,
            LoginError::Start(_) | LoginError::BadRedirect | LoginError::SessionEncoding => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let mut resp = (status, self.to_string()).into_response();
        resp.headers_mut().append(SET_COOKIE, removal(LOGIN_COOKIE));
        resp
    }
}

/// The login handler: redirects to GenAuth's authorize page.
pub async fn login(State(web): State<WebLogin>) -> Result<Response, LoginError> {
    web.start()
}

/// The callback handler (at the client's redirect URI): finishes the login,
/// keeps the verified ID-token claims in an encrypted session cookie (until
/// the ID token expires), clears the login cookie and redirects to
/// [`WebLogin::after_login`]. Apps keeping their own session (tower-sessions,
/// a database) call [`WebLogin::finish`] in their own handler instead.
pub async fn callback(
    State(web): State<WebLogin>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, LoginError> {
    let tx = web.transaction(&headers)?;
    let done = web
        .inner
        .client
        .handle_redirect_callback(query.as_deref().unwrap_or(""), &tx)
        .await
        .map_err(LoginError::Callback)?;
    let claims = done.id_claims.ok_or(LoginError::Callback(
        genauth_core::ProtocolError::MissingIdToken.into(),
    ))?;
    let ttl = Duration::from_secs(u64::try_from(claims.exp - now_secs()).unwrap_or(0));
    let secure = secure_for(&tx.redirect_uri);
    // JwtClaims always serializes (plain strings, numbers and JSON values).
    let json = serde_json::to_string(&claims).map_err(|_| LoginError::SessionEncoding)?;
    let session = web.sealed(SESSION_COOKIE, json, ttl, secure);
    let mut resp = redirect(&web.inner.after_login)?;
    resp.headers_mut().append(SET_COOKIE, session);
    if let Some(id_token) = &done.tokens.id_token {
        let hint = web.sealed(ID_TOKEN_COOKIE, id_token.expose().to_owned(), ttl, secure);
        resp.headers_mut().append(SET_COOKIE, hint);
    }
    resp.headers_mut().append(SET_COOKIE, removal(LOGIN_COOKIE));
    Ok(resp)
}

/// The logout handler: clears the session cookie and redirects to GenAuth's
/// logout endpoint, which ends the GenAuth session and returns the user to
/// [`WebLogin::after_logout`]. The session's ID token (kept encrypted since
/// the callback) goes along as `id_token_hint`, which GenAuth needs to honour
/// a post-logout redirect.
pub async fn logout(
    State(web): State<WebLogin>,
    headers: HeaderMap,
) -> Result<Response, LoginError> {
    let mut params = LogoutParams::new();
    if let Some(u) = &web.inner.after_logout {
        params = params.redirect_uri(u.clone());
    }
    if let Some(id_token) = web.open(&headers, ID_TOKEN_COOKIE) {
        params = params.id_token(id_token);
    }
    let url = web.inner.client.build_logout_url(params);
    let mut resp = redirect(&url)?;
    resp.headers_mut()
        .append(SET_COOKIE, removal(SESSION_COOKIE));
    resp.headers_mut()
        .append(SET_COOKIE, removal(ID_TOKEN_COOKIE));
    Ok(resp)
}

/// The logged-in user of a browser session: the verified ID-token claims kept
/// by [`callback`]. Refused with [`SessionRejection`] (401) without a valid,
/// unexpired session cookie; use `Option<Session>` for pages open to all.
#[derive(Debug, Clone)]
pub struct Session(pub Arc<JwtClaims>);

impl std::ops::Deref for Session {
    type Target = JwtClaims;
    fn deref(&self) -> &JwtClaims {
        &self.0
    }
}

/// No valid session cookie: 401 (log in at the login route).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionRejection;

impl fmt::Display for SessionRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not logged in: no valid session cookie")
    }
}

impl std::error::Error for SessionRejection {}

impl IntoResponse for SessionRejection {
    fn into_response(self) -> Response {
        (StatusCode::UNAUTHORIZED, self.to_string()).into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Session
where
    WebLogin: FromRef<S>,
{
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        WebLogin::from_ref(state)
            .session(&parts.headers)
            .ok_or(SessionRejection)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for Session
where
    WebLogin: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(WebLogin::from_ref(state).session(&parts.headers))
    }
}
