//! The one error type of the SDK.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::time::Duration;

use genauth_types::codes::{ApiCode, CodeInfo, StatusCode};
use genauth_types::secret::REDACTED;

/// A boxed error from a transport or middleware.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong with a GenAuth call.
///
/// No variant ever carries a secret: tokens, app secrets, access key secrets
/// and passwords are kept out of messages and body excerpts.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The service answered with an error envelope (`statusCode` other than 200).
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The HTTP status was not a success and the body was no GenAuth envelope
    /// (a proxy's HTML error page, an empty 502, ...).
    #[error(transparent)]
    Http(Box<HttpError>),
    /// The response body could not be decoded into the operation's output.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// The connection failed, or a transport or middleware error occurred.
    ///
    /// `Display` is one sentence: the operation, the host, the cause (the
    /// whole chain of the source error, e.g. "connection refused") and what to
    /// check. The source error itself is kept and returned by `source()`.
    #[error("{}", crate::transport_error::describe(*.operation, .host.as_deref(), .source.as_ref()))]
    Transport {
        /// The underlying error.
        #[source]
        source: BoxError,
        /// The operation whose request failed, when known.
        operation: Option<&'static str>,
        /// The scheme and authority the request was sent to, when known.
        host: Option<String>,
    },
    /// The request took longer than the configured timeout.
    #[error("the request timed out after {0:?}")]
    Timeout(Duration),
    /// The response body was larger than the configured limit.
    #[error("the response body is larger than the limit of {limit} bytes")]
    ResponseTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A parameter was missing or invalid; nothing was sent.
    #[error("invalid input for `{parameter}`: {reason}")]
    InvalidInput {
        /// Which parameter.
        parameter: Cow<'static, str>,
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// The client options are invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// An OIDC, OAuth 2.0 or CAS exchange failed: an OAuth error response, a
    /// rejected CAS ticket, a bad login callback, an unreadable protocol response.
    #[error(transparent)]
    Protocol(Box<ProtocolError>),
    /// A JWT (ID token or access token) failed verification.
    #[error(transparent)]
    Verify(#[from] VerifyError),
}

impl From<ProtocolError> for Error {
    fn from(e: ProtocolError) -> Self {
        Error::Protocol(Box::new(e))
    }
}

/// A failed OIDC, OAuth 2.0 or CAS exchange.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// The server answered with an OAuth 2.0 error (RFC 6749 §5.2), e.g.
    /// `invalid_grant` for a used or expired code.
    #[error("{endpoint} answered with OAuth error `{error}`{}{} (HTTP {status})",
        .description.as_deref().map(|d| format!(": {d}")).unwrap_or_default(),
        .uri.as_deref().map(|u| format!(", see {u}")).unwrap_or_default())]
    OAuth {
        /// Which endpoint answered (`token`, `introspection`, `revocation`, `userinfo`).
        endpoint: &'static str,
        /// The HTTP status.
        status: u16,
        /// The `error` code, e.g. `invalid_grant`.
        error: String,
        /// The `error_description`, when sent.
        description: Option<String>,
        /// The `error_uri`, when sent.
        uri: Option<String>,
    },
    /// The login callback carried an `error` parameter instead of a code.
    #[error("the login was refused: `{error}`{}",
        .description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    AuthorizationDenied {
        /// The `error` code, e.g. `access_denied`.
        error: String,
        /// The `error_description`, when sent.
        description: Option<String>,
    },
    /// The login callback carried no `code`.
    #[error("the login callback has no `code` parameter")]
    MissingCode,
    /// The login callback's `state` is missing or differs from the stored one
    /// (a forged or replayed callback).
    #[error("the login callback's `state` does not match the stored transaction")]
    StateMismatch,
    /// The CAS server rejected the ticket.
    #[error("the CAS ticket was rejected: {code}{}",
        if .message.is_empty() { String::new() } else { format!(": {}", .message) })]
    TicketRejected {
        /// The CAS error code (`INVALID_TICKET`, ...); `INVALID_TICKET` for CAS 1.0's `no`.
        code: genauth_types::protocol::CasErrorCode,
        /// The server's message.
        message: String,
    },
    /// A protocol response could not be read.
    #[error("could not read the {what}: {reason}")]
    Malformed {
        /// What was being read.
        what: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The system's secure random generator failed.
    #[error("the secure random generator failed")]
    Random,
    /// The token endpoint answered an `openid` code exchange without an
    /// `id_token`, so the login's nonce could not be checked.
    #[error("the token endpoint answered the `openid` login without an `id_token`")]
    MissingIdToken,
}

/// Why a JWT was not accepted. Each rejection has its own variant; none of them
/// carries the token itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// genauth-core was built without a signature backend for JWTs.
    #[error("no JWT signature backend: enable the `aws-lc-rs` or `rust-crypto` feature of genauth-core (or `aws-lc-rs` / `ring` of genauth)")]
    NoCryptoBackend,
    /// The token is not three base64url parts with a JSON header and payload.
    #[error("the token is malformed: {0}")]
    Malformed(String),
    /// The token's header says `alg: none` (an unsigned token).
    #[error("unsigned tokens (`alg: none`) are never accepted")]
    AlgorithmNone,
    /// The token uses an algorithm this verifier does not accept here.
    #[error("the algorithm `{0}` is not accepted for this token")]
    AlgorithmNotAllowed(String),
    /// The token names a key that is not meant for its algorithm, such as an
    /// `HS256` token pointing at an RSA key (the key-confusion attack).
    #[error("the key `{kid}` is not meant for `{alg}`")]
    KeyMismatch {
        /// The token's algorithm.
        alg: String,
        /// The key id the token named.
        kid: String,
    },
    /// No key of the key set has the token's `kid`, even after a refresh.
    #[error("no key with id `{0}` in the key set")]
    UnknownKid(String),
    /// The token has no `kid` and the key set has more than one candidate key.
    #[error("the token names no key and the key set has {0} candidate keys")]
    MissingKid(usize),
    /// The key set has no usable key.
    #[error("the key set has no usable key")]
    NoKeys,
    /// The key set or a key in it could not be read.
    #[error("invalid key set: {0}")]
    InvalidKeySet(String),
    /// The signature does not match.
    #[error("the token's signature is invalid")]
    InvalidSignature,
    /// The token has expired (`exp`, with the leeway).
    #[error("the token has expired")]
    Expired,
    /// The token is not valid yet (`nbf`, with the leeway).
    #[error("the token is not valid yet")]
    NotYetValid,
    /// The token was issued in the future (`iat`, with the leeway).
    #[error("the token was issued in the future")]
    IssuedInFuture,
    /// The issuer is not the expected one.
    #[error("unexpected issuer `{0}`")]
    InvalidIssuer(String),
    /// The audience does not include the expected one (the app id).
    #[error("the token is not meant for this audience")]
    InvalidAudience,
    /// A required claim is absent.
    #[error("the required claim `{0}` is missing")]
    MissingClaim(String),
    /// The `nonce` claim differs from the expected one, or is absent.
    #[error("the nonce does not match")]
    NonceMismatch,
    /// The key is needed but not configured, e.g. an `HS256` ID token without an app secret.
    #[error("cannot verify `{0}` tokens: no key is configured for it")]
    NoKeyForAlgorithm(String),
    /// The header's `crit` lists parameters this verifier does not implement,
    /// or is malformed (RFC 7515 §4.1.11 says reject the token).
    #[error("the token marks header parameters {0:?} as critical, which this verifier does not implement")]
    UnsupportedCritical(Vec<String>),
    /// The token is of the other kind: an ID token presented as an access
    /// token, or the reverse (see `docs/protocols.md` for how they differ).
    #[error("expected {expected}, but the token is {found}")]
    WrongTokenKind {
        /// The kind that was asked for (`an access token` or `an ID token`).
        expected: &'static str,
        /// What the token is, as far as its header and claims say.
        found: &'static str,
    },
    /// `azp` is absent while `aud` holds several audiences, or names another
    /// client (OIDC Core 3.1.3.7).
    #[error("the token's authorized party (`azp`) is missing or is not this client")]
    InvalidAuthorizedParty,
    /// A required scope is not granted by the token's `scope` claim.
    #[error("the token does not grant the required scope `{0}`")]
    MissingScope(String),
    /// A required role is not in the token's `roles` claim.
    #[error("the token does not carry the required role `{0}`")]
    MissingRole(String),
    /// A claim requirement set with `TokenVerifier::require_claim` refused the token.
    #[error("the token does not meet the requirement `{0}`")]
    ClaimRejected(String),
    /// The token is longer than the verifier accepts.
    #[error("the token is {len} bytes long; at most {max} are accepted")]
    TooLarge {
        /// The token's length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The key set could not be fetched and no earlier copy of it is known.
    #[error("the key set is unavailable: {0}")]
    KeySetUnavailable(String),
    /// The token is not active (introspection said `active: false`: revoked,
    /// expired or unknown to the server).
    #[error("the token is not active")]
    Inactive,
}

impl VerifyError {
    /// Whether the token itself is valid but does not grant what is required
    /// (a scope, a role, a claim requirement): HTTP 403 `insufficient_scope`
    /// rather than 401 `invalid_token` (RFC 6750 §3.1).
    pub fn is_insufficient(&self) -> bool {
        matches!(
            self,
            VerifyError::MissingScope(_)
                | VerifyError::MissingRole(_)
                | VerifyError::ClaimRejected(_)
        )
    }

    /// Whether the failure is on the verifier's side (the key set could not
    /// be had), not the token's: a 503 or a retry is the honest answer.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, VerifyError::KeySetUnavailable(_))
    }
}

impl Error {
    /// A transport error wrapping `source`.
    pub fn transport(source: impl Into<BoxError>) -> Self {
        Error::Transport {
            source: source.into(),
            operation: None,
            host: None,
        }
    }

    /// Fills in the operation and the host of a transport or HTTP error when
    /// they are not known yet, so that its message says what failed where.
    pub fn with_context(mut self, op: Option<&'static str>, target: Option<&str>) -> Self {
        match &mut self {
            Error::Transport {
                operation, host, ..
            } => {
                if operation.is_none() {
                    *operation = op;
                }
                if host.is_none() {
                    *host = target.map(str::to_owned);
                }
            }
            Error::Http(e) => {
                if e.operation.is_none() {
                    e.operation = op;
                }
                if e.host.is_none() {
                    e.host = target.map(str::to_owned);
                }
            }
            _ => {}
        }
        self
    }

    /// An invalid-input error.
    pub fn invalid_input(
        parameter: impl Into<Cow<'static, str>>,
        reason: impl Into<Cow<'static, str>>,
    ) -> Self {
        Error::InvalidInput {
            parameter: parameter.into(),
            reason: reason.into(),
        }
    }

    /// The API error, when this is one.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The `apiCode` of an API error.
    pub fn api_code(&self) -> Option<ApiCode> {
        self.as_api().and_then(|e| e.api_code)
    }

    /// The API error, when it is a step of a login flow rather than a
    /// failure; its [`ApiError::flow_data`] holds what the next call needs.
    pub fn flow_step(&self) -> Option<&ApiError> {
        self.as_api().filter(|e| e.is_flow_step())
    }

    /// Whether sending the same request again, after a pause, may succeed:
    /// a retryable API error ([`ApiError::is_retryable`]), a retryable HTTP
    /// status without an envelope (429, 500, 502, 503, 504, ...), a timeout, or a
    /// transport error (a failed connection). Whether the operation is safe
    /// to repeat (idempotent) is for the caller to decide.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => e.is_retryable(),
            Error::Http(e) => {
                let status = StatusCode::from_code(i64::from(e.status));
                status.is_retryable() && !status.is_token_invalid()
            }
            Error::Timeout(_) | Error::Transport { .. } => true,
            _ => false,
        }
    }

    /// Whether the service says the caller is sending too often: an API error
    /// with a rate-limit code, or HTTP 429.
    pub fn is_rate_limited(&self) -> bool {
        match self {
            Error::Api(e) => e.is_rate_limited(),
            Error::Http(e) => StatusCode::from_code(i64::from(e.status)).is_rate_limited(),
            _ => false,
        }
    }

    /// Whether the service says the caller's token is expired or not
    /// accepted: an API error with a token-invalid code, or HTTP 401.
    pub fn is_token_invalid(&self) -> bool {
        match self {
            Error::Api(e) => e.is_token_invalid(),
            Error::Http(e) => StatusCode::from_code(i64::from(e.status)).is_token_invalid(),
            _ => false,
        }
    }

    /// Whether this is a step of a login flow (see [`Error::flow_step`]).
    pub fn is_flow_step(&self) -> bool {
        self.flow_step().is_some()
    }

    /// Turns a boxed error from a tower stack back into an [`Error`]: our own
    /// errors are unboxed, anything else becomes [`Error::Transport`].
    pub fn from_boxed(err: BoxError) -> Self {
        match err.downcast::<Error>() {
            Ok(e) => *e,
            Err(other) => Error::transport(other),
        }
    }
}

/// An error envelope returned by the service.
///
/// The codes are typed: [`ApiError::status_code`] and [`ApiError::api_code`]
/// name every code of the catalogue and keep unknown numbers in their `Other`
/// variant (the raw number is always `.code()`). Match on them, or ask the
/// helpers what the error wants from the caller: [`ApiError::is_retryable`],
/// [`ApiError::is_rate_limited`], [`ApiError::is_token_invalid`] and
/// [`ApiError::is_flow_step`].
///
/// A flow step (MFA required, account binding needed, ...) is not a failure:
/// the login must go on with another call, and what that call needs (an MFA
/// token, the accounts to pick from, ...) is in the envelope's `data`, kept in
/// [`ApiError::data`] and returned by [`ApiError::flow_data`]. Since it may hold
/// tokens, `Debug` and `Display` never print it.
///
/// `Display` is one sentence meant for a developer: the operation, the server's
/// message, each code with its name and meaning, what to do about it, and the
/// request id to quote to support.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status of the response (usually 200: the V3 API reports errors in the body).
    pub http_status: u16,
    /// The body's `statusCode` (the raw number is `status_code.code()`).
    pub status_code: StatusCode,
    /// The body's `apiCode`, when present (the raw number is `code()`).
    pub api_code: Option<ApiCode>,
    /// The server's message.
    pub message: String,
    /// The service's id for this request.
    pub request_id: Option<String>,
    /// The operation that failed, when known.
    pub operation: Option<&'static str>,
    /// The envelope's `data`, when the error response carried one that is not
    /// `null`. Redacted in `Debug`; see [`ApiError::flow_data`].
    pub data: Option<ErrorData>,
}

impl ApiError {
    /// An API error with the given codes and message, and no request id,
    /// operation or data.
    pub fn new(
        http_status: u16,
        status_code: impl Into<StatusCode>,
        api_code: Option<ApiCode>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            http_status,
            status_code: status_code.into(),
            api_code,
            message: message.into(),
            request_id: None,
            operation: None,
            data: None,
        }
    }

    /// The `apiCode` when it is one the catalogue lists.
    fn known_api_code(&self) -> Option<ApiCode> {
        self.api_code.filter(|c| c.is_known())
    }

    /// Whether sending the same request again, after a pause, may succeed:
    /// the `apiCode`'s verdict when the catalogue has one, else the
    /// `statusCode`'s. Token-invalid errors and flow steps are not retryable
    /// this way: they need a new token, or the next step of the flow, first.
    pub fn is_retryable(&self) -> bool {
        if self.is_token_invalid() || self.is_flow_step() {
            return false;
        }
        match self.known_api_code().and_then(ApiCode::retryable) {
            Some(verdict) => verdict,
            None => self.status_code.is_retryable(),
        }
    }

    /// Whether the service says the caller is sending too often
    /// (`statusCode` 429, or a rate-limit `apiCode`).
    pub fn is_rate_limited(&self) -> bool {
        self.status_code.is_rate_limited() || self.api_code.is_some_and(ApiCode::is_rate_limited)
    }

    /// Whether the service says the caller's token is expired or not accepted
    /// (`statusCode` 401, or a token-invalid `apiCode` such as 2020 or 2206).
    pub fn is_token_invalid(&self) -> bool {
        self.status_code.is_token_invalid() || self.api_code.is_some_and(ApiCode::is_token_invalid)
    }

    /// Whether this is a step of a login flow (MFA required, account binding,
    /// profile completion, ...) rather than a failure. Continue the flow with
    /// [`ApiError::flow_data`].
    pub fn is_flow_step(&self) -> bool {
        match self.known_api_code() {
            Some(code) => code.is_flow_step(),
            None => self.status_code.is_flow_step(),
        }
    }

    /// The envelope's `data` when this is a flow step: what the next call of
    /// the flow needs (for example an MFA token, or the accounts to choose
    /// from). It may hold tokens: do not log it.
    pub fn flow_data(&self) -> Option<&serde_json::Value> {
        if self.is_flow_step() {
            self.data.as_ref().map(ErrorData::expose)
        } else {
            None
        }
    }

    /// What the caller should do next, as a short sentence, when the codes say.
    fn advice(&self) -> Option<&'static str> {
        if self.is_flow_step() {
            Some("Continue the login flow with the data of the error (ApiError::flow_data).")
        } else if self.is_token_invalid() {
            Some("Get a new token, then try again.")
        } else if self.is_rate_limited() {
            Some("Slow down: wait, then try again.")
        } else if self.is_retryable() {
            Some("This may clear up: try again later.")
        } else {
            None
        }
    }
}

/// The longest part of the server's message that `Display` prints.
const MESSAGE_LIMIT: usize = 300;
/// The longest part of the request id that `Display` prints.
const REQUEST_ID_LIMIT: usize = 100;

/// Writes text that came from the server on one line, cut after `limit` characters.
fn write_server_text(f: &mut fmt::Formatter<'_>, text: &str, limit: usize) -> fmt::Result {
    for (i, c) in text.chars().enumerate() {
        if i == limit {
            return f.write_str("...");
        }
        f.write_char(if c.is_control() { ' ' } else { c })?;
    }
    Ok(())
}

/// Writes `code name: meaning`, or just the code when it is not listed.
fn write_code(
    f: &mut fmt::Formatter<'_>,
    field: &str,
    code: i64,
    info: Option<&'static CodeInfo>,
) -> fmt::Result {
    match info {
        Some(i) => write!(f, "{field} {code} {}: {}", i.name, i.meaning),
        None => write!(f, "{field} {code}, which the SDK does not know"),
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = self.operation.unwrap_or("the GenAuth call");
        if self.is_flow_step() {
            write!(f, "{op} needs another step of the login flow: ")?;
        } else {
            write!(f, "{op} failed: ")?;
        }
        let message = self.message.trim();
        if message.is_empty() {
            f.write_str("the server gave no message")?;
        } else {
            // The message comes from the server: keep it on one line and short.
            f.write_str("\"")?;
            write_server_text(f, message, MESSAGE_LIMIT)?;
            f.write_str("\"")?;
        }
        f.write_str(" (")?;
        if let Some(code) = self.api_code {
            write_code(f, "apiCode", code.code(), code.info())?;
            f.write_str("; ")?;
        }
        write_code(
            f,
            "statusCode",
            self.status_code.code(),
            self.status_code.info(),
        )?;
        if self.http_status != 200 {
            write!(f, "; HTTP {}", self.http_status)?;
        }
        f.write_str(").")?;
        if let Some(advice) = self.advice() {
            write!(f, " {advice}")?;
        }
        if let Some(id) = &self.request_id {
            f.write_str(" Request id: ")?;
            write_server_text(f, id, REQUEST_ID_LIMIT)?;
            f.write_str(".")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// The `data` of an error envelope, kept for flow steps.
///
/// It may hold tokens (an MFA token, a binding ticket), so `Debug` prints
/// [`REDACTED`] in its place; [`ErrorData::expose`] gives the value.
#[derive(Clone, PartialEq, Eq)]
pub struct ErrorData(serde_json::Value);

impl ErrorData {
    /// Wraps an envelope's `data`.
    pub fn new(value: serde_json::Value) -> Self {
        Self(value)
    }

    /// The JSON value. It may hold tokens: do not log it.
    pub fn expose(&self) -> &serde_json::Value {
        &self.0
    }

    /// The JSON value, taken out of the wrapper.
    pub fn into_inner(self) -> serde_json::Value {
        self.0
    }
}

impl fmt::Debug for ErrorData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ErrorData({REDACTED})")
    }
}

/// A non-success HTTP status whose body was not a GenAuth envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError {
    /// The HTTP status.
    pub status: u16,
    /// The operation, when known.
    pub operation: Option<&'static str>,
    /// The content type the server declared.
    pub content_type: Option<String>,
    /// A short, redacted start of the body.
    pub excerpt: String,
    /// The scheme and authority the request went to, when known.
    pub host: Option<String>,
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} got HTTP {} ",
            self.operation.unwrap_or("the GenAuth call"),
            self.status
        )?;
        match &self.host {
            Some(h) => write!(f, "from {h}")?,
            None => f.write_str("from the server")?,
        }
        f.write_str(", without a GenAuth answer")?;
        if let Some(ct) = &self.content_type {
            write!(f, " ({ct})")?;
        }
        if !self.excerpt.is_empty() {
            write!(f, ": {}", self.excerpt)?;
        }
        f.write_str(".")?;
        let advice = match self.status {
            404 | 405 => " Check the host: it must be your GenAuth app domain (authentication) or API host (management), with no path.",
            407 => " A proxy between you and GenAuth wants credentials.",
            502..=504 => " A proxy or the service is unavailable: try again later.",
            500..=599 => " The service failed: try again later, and quote the request id to support if it persists.",
            _ => "",
        };
        f.write_str(advice)
    }
}

impl std::error::Error for HttpError {}

/// A response body that did not decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// The operation whose output failed to decode.
    pub operation: &'static str,
    /// The path of the failing field, e.g. `data.list[3].userId` (`.` for the root).
    pub path: String,
    /// What serde reported.
    pub message: String,
    /// A short, redacted start of the body.
    pub excerpt: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not decode the response of {} at `{}`: {}",
            self.operation, self.path, self.message
        )?;
        if !self.excerpt.is_empty() {
            write!(f, "; body starts with: {}", self.excerpt)?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}

/// Invalid client options, reported when the client is built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required option is missing or empty.
    #[error("the option `{0}` is required and must not be empty")]
    Missing(&'static str),
    /// A host option is not an `http(s)://` URL.
    #[error("the option `{option}` is not a valid http(s) URL: {reason}")]
    InvalidUrl {
        /// Which option.
        option: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// An option has a value that is not allowed.
    #[error("the option `{option}` is invalid: {reason}")]
    Invalid {
        /// Which option.
        option: &'static str,
        /// Why it was rejected.
        reason: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn api(status: i64, api_code: Option<i64>) -> ApiError {
        ApiError::new(200, status, api_code.map(ApiCode::from_code), "msg")
    }

    #[test]
    fn display_is_a_sentence_with_message_codes_meanings_and_request_id() {
        let mut e = ApiError::new(200, 400, Some(ApiCode::UserNotFound), "user not found");
        e.request_id = Some("req-77".into());
        e.operation = Some("get_user");
        assert_eq!(
            e.to_string(),
            "get_user failed: \"user not found\" (apiCode 2004 UserNotFound: No such user; \
             statusCode 400 InvalidArgument: Request parameters are badly formed). \
             Request id: req-77."
        );
    }

    #[test]
    fn display_gives_advice_and_handles_unknown_codes_and_odd_messages() {
        let mut e = ApiError::new(503, 401, Some(ApiCode::from_code(2206)), "");
        e.operation = Some("list_users");
        let text = e.to_string();
        assert!(
            text.starts_with(
                "list_users failed: the server gave no message (apiCode 2206 LoginExpired: "
            ),
            "{text}"
        );
        assert!(text.contains("statusCode 401 Unauthorized: "), "{text}");
        assert!(text.contains("; HTTP 503)."), "{text}");
        assert!(text.ends_with("Get a new token, then try again."), "{text}");

        let mut e = ApiError::new(200, 429, None, "slow\ndown");
        e.request_id = Some("r\n1".into());
        let text = e.to_string();
        assert!(
            text.starts_with("the GenAuth call failed: \"slow down\" (statusCode 429 Throttled: "),
            "{text}"
        );
        assert!(
            text.ends_with("Slow down: wait, then try again. Request id: r 1."),
            "{text}"
        );

        let e = ApiError::new(
            200,
            499,
            Some(ApiCode::from_code(987_654)),
            "x".repeat(1000),
        );
        let text = e.to_string();
        assert!(
            text.contains("apiCode 987654, which the SDK does not know"),
            "{text}"
        );
        assert!(text.len() < 600, "long messages are cut: {}", text.len());
    }

    #[test]
    fn flags_combine_status_and_api_codes() {
        assert!(api(401, None).is_token_invalid());
        assert!(api(400, Some(2020)).is_token_invalid());
        assert!(!api(400, Some(2004)).is_token_invalid());
        // Token-invalid errors need a new token before a retry helps.
        assert!(!api(401, None).is_retryable());
        assert!(api(503, None).is_retryable());
        assert!(api(500, Some(1000)).is_retryable());
        // A known apiCode's verdict wins over the statusCode's.
        assert!(!api(500, Some(2004)).is_retryable());
        // An unknown apiCode falls back to the statusCode.
        assert!(api(502, Some(987_654)).is_retryable());
        assert!(api(429, None).is_rate_limited());
        assert!(api(400, Some(2100)).is_rate_limited());
        assert!(!api(400, Some(2002)).is_rate_limited());
        assert!(api(200, Some(1636)).is_flow_step());
        assert!(api(302, None).is_flow_step());
        assert!(!api(400, Some(2004)).is_flow_step());
        assert!(
            !api(200, Some(1636)).is_retryable(),
            "flow steps are not retried"
        );
    }

    #[test]
    fn error_helpers_cover_http_timeouts_and_transport() {
        let http = |status| {
            Error::Http(Box::new(HttpError {
                status,
                operation: None,
                content_type: None,
                excerpt: String::new(),
                host: None,
            }))
        };
        assert!(http(503).is_retryable() && http(504).is_retryable());
        assert!(!http(400).is_retryable() && !http(401).is_retryable());
        assert!(http(429).is_rate_limited() && http(401).is_token_invalid());
        assert!(Error::Timeout(Duration::from_secs(1)).is_retryable());
        assert!(Error::transport("connection reset").is_retryable());
        assert!(!Error::invalid_input("user_id", "empty").is_retryable());
        let err = Error::Api(Box::new(api(400, Some(2004))));
        assert_eq!(err.api_code(), Some(ApiCode::UserNotFound));
        assert!(err.flow_step().is_none() && !err.is_flow_step());
    }

    #[test]
    fn flow_data_is_kept_but_never_printed() {
        let body = json!({
            "statusCode": 200,
            "apiCode": "1635",
            "message": "MFA needed",
            "requestId": "req-mfa",
            "data": {"mfaToken": "mfa-token-SECRET-42", "nextStep": "totp"}
        });
        let resp = http::Response::builder()
            .status(200)
            .body(bytes::Bytes::from(body.to_string()))
            .unwrap();
        // statusCode 200 is a success; flow steps arrive with another statusCode.
        assert!(crate::response::decode_with::<serde_json::Value>("sign_in", true, resp).is_ok());

        let body = json!({
            "statusCode": 302,
            "apiCode": "1635",
            "message": "MFA needed",
            "requestId": "req-mfa",
            "data": {"mfaToken": "mfa-token-SECRET-42", "nextStep": "totp"}
        });
        let resp = http::Response::builder()
            .status(200)
            .body(bytes::Bytes::from(body.to_string()))
            .unwrap();
        let err =
            crate::response::decode_with::<serde_json::Value>("sign_in", true, resp).unwrap_err();
        let step = err.flow_step().expect("a flow step");
        assert!(matches!(step.api_code, Some(ApiCode::PersonalMfaRequired)));
        assert_eq!(
            step.flow_data().and_then(|d| d["mfaToken"].as_str()),
            Some("mfa-token-SECRET-42")
        );
        let display = err.to_string();
        let debug = format!("{err:?} {step:?} {:?}", step.data);
        for text in [&display, &debug] {
            assert!(!text.contains("mfa-token-SECRET-42"), "{text}");
        }
        assert!(debug.contains(REDACTED), "{debug}");
        assert!(display.starts_with("sign_in needs another step of the login flow: \"MFA needed\" (apiCode 1635 PersonalMfaRequired: "), "{display}");
        assert!(
            display.ends_with("(ApiError::flow_data). Request id: req-mfa."),
            "{display}"
        );
    }

    #[test]
    fn failures_keep_data_but_do_not_offer_it_as_flow_data() {
        let body = json!({"statusCode": 400, "apiCode": 2004, "message": "no", "data": {"k": 1}});
        let resp = http::Response::builder()
            .status(200)
            .body(bytes::Bytes::from(body.to_string()))
            .unwrap();
        let err =
            crate::response::decode_with::<serde_json::Value>("get_user", true, resp).unwrap_err();
        let api = err.as_api().unwrap();
        assert_eq!(
            api.data.as_ref().map(ErrorData::expose),
            Some(&json!({"k": 1}))
        );
        assert_eq!(api.flow_data(), None);
        let body = json!({"statusCode": 400, "message": "no", "data": null});
        let resp = http::Response::builder()
            .status(200)
            .body(bytes::Bytes::from(body.to_string()))
            .unwrap();
        let err =
            crate::response::decode_with::<serde_json::Value>("get_user", true, resp).unwrap_err();
        assert_eq!(err.as_api().unwrap().data, None);
    }
}
