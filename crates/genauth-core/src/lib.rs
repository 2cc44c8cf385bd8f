//! Sans-IO core of the GenAuth SDK.
//!
//! `genauth-core` turns typed operations into [`http::Request`]s and turns
//! [`http::Response`]s back into typed results or a typed [`Error`]. It opens no
//! socket and needs no async runtime, so any HTTP stack can carry its requests:
//! the `genauth-tower` and `genauth-hyper` crates are two such stacks.
//!
//! The flow of one call:
//! 1. an [`Operation`] value holds the call's parameters;
//! 2. [`AuthenticationConfig::request`] or [`ManagementConfig::request`] encodes it
//!    into an `http::Request<Body>` with the SDK's headers and the right auth;
//! 3. a transport sends it and collects the body;
//! 4. [`decode_response`] checks the envelope and decodes the operation's output.
//!
//! The [`protocol`] module (feature `protocols`, on by default) does the same for
//! OIDC, OAuth 2.0, SAML and CAS: login and logout URLs, PKCE, token-endpoint
//! requests and their typed answers, JWT verification against a key set, and
//! CAS ticket validation.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod body;
pub mod brand;
pub mod error;
pub mod events;
pub mod excerpt;
pub mod management_token;
pub mod operation;
pub mod ops;
pub mod options;
pub mod paginate;
#[cfg(feature = "protocols")]
pub mod protocol;
pub mod request;
pub mod response;
pub mod session;
pub mod signing;
mod transport_error;
pub mod validate;
pub mod webhook;

pub use body::Body;
pub use brand::Brand;
pub use error::{
    ApiError, ConfigError, DecodeError, Error, ErrorData, HttpError, ProtocolError, VerifyError,
};
pub use genauth_types as types;
pub use genauth_types::codes::{ApiCode, StatusCode};
pub use genauth_types::SecretString;
pub use management_token::ManagementToken;
pub use operation::{AuthKind, Encoding, Operation};
pub use options::{
    AuthenticationClientOptions, AuthenticationConfig, Lang, ManagementClientOptions,
    ManagementConfig, Protocol, TokenEndpointAuthMethod,
};
pub use paginate::Paginated;
pub use response::decode_response;
pub use signing::ManagementAuth;

/// The SDK version sent in the `x-<brand>-sdk-version` header, as `rust:<version>`.
pub const SDK_VERSION_HEADER_VALUE: &str = concat!("rust:", env!("CARGO_PKG_VERSION"));
