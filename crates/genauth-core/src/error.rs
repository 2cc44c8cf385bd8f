//! The one error type of the SDK.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

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
    #[error("transport error: {source}")]
    Transport {
        /// The underlying error.
        #[source]
        source: BoxError,
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
}

/// Why a JWT was not accepted. Each rejection has its own variant; none of them
/// carries the token itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
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
}

impl Error {
    /// A transport error wrapping `source`.
    pub fn transport(source: impl Into<BoxError>) -> Self {
        Error::Transport {
            source: source.into(),
        }
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

    /// Turns a boxed error from a tower stack back into an [`Error`]: our own
    /// errors are unboxed, anything else becomes [`Error::Transport`].
    pub fn from_boxed(err: BoxError) -> Self {
        match err.downcast::<Error>() {
            Ok(e) => *e,
            Err(other) => Error::Transport { source: other },
        }
    }
}

/// An error envelope returned by the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status of the response (usually 200: the V3 API reports errors in the body).
    pub http_status: u16,
    /// The body's `statusCode`.
    pub status_code: i64,
    /// The body's `apiCode`, when present.
    pub api_code: Option<i64>,
    /// The server's message.
    pub message: String,
    /// The service's id for this request.
    pub request_id: Option<String>,
    /// The operation that failed, when known.
    pub operation: Option<&'static str>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(op) = self.operation {
            write!(f, "{op} failed: ")?;
        } else {
            f.write_str("GenAuth call failed: ")?;
        }
        let message = if self.message.is_empty() {
            "(no message)"
        } else {
            &self.message
        };
        write!(f, "{message} (statusCode {}", self.status_code)?;
        if let Some(code) = self.api_code {
            write!(f, ", apiCode {code}")?;
        }
        f.write_str(")")?;
        if let Some(id) = &self.request_id {
            write!(f, "; request id {id}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

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
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(op) = self.operation {
            write!(f, " from {op}")?;
        }
        if let Some(ct) = &self.content_type {
            write!(f, " ({ct})")?;
        }
        if !self.excerpt.is_empty() {
            write!(f, ": {}", self.excerpt)?;
        }
        Ok(())
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

/// Whether an `apiCode` means the caller's token is expired or invalid
/// (2020 not logged in, 2021 login invalid, 2206 credentials expired, 2207 credentials invalid).
pub fn is_token_invalid_api_code(code: i64) -> bool {
    matches!(code, 2020 | 2021 | 2206 | 2207)
}
