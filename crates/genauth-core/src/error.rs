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
