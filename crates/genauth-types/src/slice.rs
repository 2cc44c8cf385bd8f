//! Hand-written DTOs of the first vertical slice (sign-in, Alipay info, users).
//!
//! These stand until the generated types cover every operation.

use serde::{Deserialize, Serialize};

use crate::page::Pagination;
use crate::SecretString;

/// Which kind of credential a sign-in carries (`SigninByCredentialsDto.connection`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SigninByCredentialsDtoConnection {
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

/// The earlier name of [`SigninByCredentialsDtoConnection`].
pub type Connection = SigninByCredentialsDtoConnection;

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

/// Passcode credentials: an email or phone number plus the one-time code.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInByPassCodePayloadDto {
    /// The one-time passcode (redacted in `Debug`).
    pub pass_code: SecretString,
    /// Sign in by email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Sign in by phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The phone's country code, e.g. `+86`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_country_code: Option<String>,
}

/// LDAP credentials.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SignInByLdapPayloadDto {
    /// The password (redacted in `Debug`).
    pub password: SecretString,
    /// The directory account name.
    #[serde(rename = "sAMAccountName")]
    pub s_am_account_name: String,
}

/// Active Directory credentials.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SignInByAdPayloadDto {
    /// The password (redacted in `Debug`).
    pub password: SecretString,
    /// The directory account name.
    #[serde(rename = "sAMAccountName")]
    pub s_am_account_name: String,
}

/// How a password is encrypted before it is sent (`SignInOptionsDto.passwordEncryptType`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInOptionsDtoPasswordEncryptType {
    /// SM2 public-key encryption.
    #[serde(rename = "sm2")]
    Sm2,
    /// RSA public-key encryption.
    #[serde(rename = "rsa")]
    Rsa,
    /// Sent as typed.
    #[serde(rename = "none")]
    None,
}

/// Options of a sign-in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInOptionsDto {
    /// Register the user when the account does not exist yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_register: Option<bool>,
    /// The answer to a graphical captcha.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captcha_code: Option<String>,
    /// The captcha's token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captcha_token: Option<String>,
    /// The end user's IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_ip: Option<String>,
    /// Extra context passed to pipelines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<serde_json::Value>,
    /// Custom data of the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_data: Option<serde_json::Value>,
    /// How the password was encrypted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_encrypt_type: Option<SignInOptionsDtoPasswordEncryptType>,
    /// The scope of the tokens to issue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The tenant to sign in to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
}

/// The body of `POST /api/v3/signin`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SigninByCredentialsDto {
    /// Which credential kind is sent.
    pub connection: SigninByCredentialsDtoConnection,
    /// Password credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_payload: Option<SignInByPasswordPayloadDto>,
    /// Passcode credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_code_payload: Option<SignInByPassCodePayloadDto>,
    /// Active Directory credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ad_payload: Option<SignInByAdPayloadDto>,
    /// LDAP credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ldap_payload: Option<SignInByLdapPayloadDto>,
    /// Sign-in options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<SignInOptionsDto>,
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

/// Which kind of credential a sign-up carries (`SignUpDto.connection`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignUpDtoConnection {
    /// Account and password.
    #[serde(rename = "PASSWORD")]
    Password,
    /// Email or phone with a one-time passcode.
    #[serde(rename = "PASSCODE")]
    Passcode,
}

/// Password sign-up data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignUpByPasswordDto {
    /// The password (redacted in `Debug`).
    pub password: SecretString,
    /// Sign up with an email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Sign up with a username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// Passcode sign-up data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignUpByPassCodeDto {
    /// The one-time passcode (redacted in `Debug`).
    pub pass_code: SecretString,
    /// Sign up with an email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Sign up with a phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The phone's country code, e.g. `+86`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_country_code: Option<String>,
}

/// The profile of a new user (a subset of the spec's fields; the rest go in `extra`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignUpProfileDto {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Nickname.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Custom data of the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_data: Option<serde_json::Value>,
    /// Other profile fields, by wire name.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Options of a sign-up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignUpOptionsDto {
    /// The end user's IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_ip: Option<String>,
    /// Extra context passed to pipelines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<serde_json::Value>,
    /// How the password was encrypted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_encrypt_type: Option<SignInOptionsDtoPasswordEncryptType>,
}

/// The body of `POST /api/v3/signup`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignUpDto {
    /// Which credential kind is sent.
    pub connection: SignUpDtoConnection,
    /// Password sign-up data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_payload: Option<SignUpByPasswordDto>,
    /// Passcode sign-up data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_code_payload: Option<SignUpByPassCodeDto>,
    /// The new user's profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<SignUpProfileDto>,
    /// Sign-up options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<SignUpOptionsDto>,
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
