//! # genauth
//!
//! The Rust SDK for [GenAuth](https://www.genauth.ai), the identity cloud.
//!
//! - [`AuthenticationClient`]: the end-user API (sign-in in all its forms, QR
//!   code login, profile, MFA, account binding, ...) and the OIDC / OAuth 2.0 /
//!   CAS / SAML helpers.
//! - [`ManagementClient`]: the admin API (users, organizations, roles, groups,
//!   apps, permissions, tenants, logs, ...), with the management token fetched,
//!   cached and refreshed for you.
//!
//! Method names match the official Python SDK (`get_user`, `list_users`,
//! `sign_in_by_credentials`, ...). Required parameters are arguments; optional
//! ones are chained setters; `.await` sends the call.
//!
//! ```no_run
//! use genauth::{ManagementClient, ManagementClientOptions};
//!
//! # async fn run() -> Result<(), genauth::Error> {
//! let client = ManagementClient::new(ManagementClientOptions::new("ACCESS_KEY_ID", "ACCESS_KEY_SECRET"))?;
//! let page = client.list_users().await?;
//! println!("{} users", page.total_count);
//! # Ok(()) }
//! ```
//!
//! The crates underneath: `genauth-types` (serde DTOs), `genauth-core` (sans-IO
//! request building and response parsing), `genauth-tower` (the clients over
//! any tower service) and `genauth-hyper` (the default transport).
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "protocols")]
pub use genauth_core::protocol;
pub use genauth_core::{
    self as core, ApiCode, ApiError, AuthKind, AuthenticationClientOptions, Brand, ConfigError,
    DecodeError, Error, ErrorData, HttpError, Lang, ManagementAuth, ManagementClientOptions,
    Operation, Protocol, ProtocolError, SecretString, StatusCode, TokenEndpointAuthMethod,
    VerifyError,
};
pub use genauth_tower::{
    self as tower, layers, paginate, AuthenticationClient, Call, ClientBuilder, ManagementClient,
};
pub use genauth_types as types;

#[cfg(feature = "hyper")]
pub use genauth_hyper as hyper;

/// The events feed (feature `events`): `subscribe` on both clients through
/// [`events::SubscribeExt`], as async streams over websockets.
#[cfg(feature = "events")]
pub use genauth_events as events;
