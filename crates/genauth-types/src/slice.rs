//! Hand-written DTOs of the first vertical slice (sign-in, Alipay info, users).
//!
//! These stand until the generated types cover every operation.

use serde::{Deserialize, Serialize};

use crate::page::Pagination;
use crate::SecretString;

/// Which kind of credential a sign-in carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Connection {
    /// Account and password.
    #[serde(rename = "PASSWORD")]
    Password,
    /// Email or phone with a one-time passcode.
    #[serde(rename = "PASSCODE")]
    Passcode,
    /// An LDAP directory account.
    #[serde(rename = "LDAP")]
    Ldap,
    /// An Active Directory account.
    #[serde(rename = "AD")]
    Ad,
}

/// Password credentials: one of the identifiers plus the password.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInByPasswordPayloadDto {
    /// The password (redacted in `Debug`).
    pub password: SecretString,
    /// Sign in by email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Sign in by phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Sign in by username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Sign in by any account identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

/// The body of `POST /api/v3/signin`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SigninByCredentialsDto {
    /// Which credential kind is sent.
    pub connection: Connection,
    /// Password credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_payload: Option<SignInByPasswordPayloadDto>,
    /// The app id, when the app authenticates with `client_secret_post`.
    #[serde(default, rename = "client_id", skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The app secret, when the app authenticates with `client_secret_post`.
    #[serde(
        default,
        rename = "client_secret",
        skip_serializing_if = "Option::is_none"
    )]
    pub client_secret: Option<SecretString>,
}

/// The tokens a sign-in returns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoginTokenResponseDataDto {
    /// The access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<SecretString>,
    /// The ID token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<SecretString>,
    /// The refresh token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<SecretString>,
    /// Lifetime of the access token, in seconds.
    #[serde(default, deserialize_with = "crate::lenient::i64")]
    pub expire_in: i64,
    /// The token type, usually `Bearer`.
    #[serde(default, deserialize_with = "crate::lenient::string")]
    pub token_type: String,
    /// The granted scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// What `get_alipay_auth_info` returns: the signed auth-info string for the Alipay SDK.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlipayAuthInfoDataDto {
    /// The auth-info string to hand to the Alipay client.
    #[serde(default, deserialize_with = "crate::lenient::string")]
    pub auth_info: String,
}

/// A user as the management API shows it (the slice keeps a subset of fields).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserDto {
    /// The user's id.
    #[serde(default, deserialize_with = "crate::lenient::string")]
    pub user_id: String,
    /// The username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The account status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// Options of `list_users`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListUsersOptionsDto {
    /// Which page to fetch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Pagination>,
    /// Include custom data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_custom_data: Option<bool>,
}

/// The body of `POST /api/v3/list-users`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListUsersRequestDto {
    /// Fuzzy search keywords.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keywords: Option<String>,
    /// Paging and output options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<ListUsersOptionsDto>,
}
