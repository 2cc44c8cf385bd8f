//! Hand-written operations of the first vertical slice.

use http::Method;
use serde::Serialize;

use crate::operation::{AuthKind, Encoding, Operation};
use genauth_types::page::Page;
use genauth_types::slice::*;

/// `GET /api/v3/get-alipay-authinfo`: the auth-info string for Alipay login.
#[derive(Debug, Clone, Serialize)]
pub struct GetAlipayAuthInfo {
    /// The identifier of the Alipay identity source connection.
    #[serde(rename = "extIdpConnidentifier")]
    pub ext_idp_connidentifier: String,
}

impl Operation for GetAlipayAuthInfo {
    const NAME: &'static str = "get_alipay_auth_info";
    const METHOD: Method = Method::GET;
    const PATH: &'static str = "/api/v3/get-alipay-authinfo";
    const AUTH: AuthKind = AuthKind::UserToken;
    const ENCODING: Encoding = Encoding::Query;
    const IDEMPOTENT: bool = true;
    type Output = AlipayAuthInfoDataDto;
}

/// `POST /api/v3/signin`: sign in with credentials.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct SignInByCredentials(pub SigninByCredentialsDto);

impl Operation for SignInByCredentials {
    const NAME: &'static str = "sign_in_by_credentials";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = "/api/v3/signin";
    const AUTH: AuthKind = AuthKind::AppBasicOrToken;
    const ENCODING: Encoding = Encoding::Json;
    const IDEMPOTENT: bool = false;
    type Output = LoginTokenResponseDataDto;
}

/// `POST /api/v3/signup`: register a new user.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct SignUp(pub SignUpDto);

impl Operation for SignUp {
    const NAME: &'static str = "sign_up";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = "/api/v3/signup";
    const AUTH: AuthKind = AuthKind::UserToken;
    const ENCODING: Encoding = Encoding::Json;
    const IDEMPOTENT: bool = false;
    type Output = UserDto;
}

/// `GET /api/v3/get-user`: one user.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GetUser {
    /// The user's id.
    pub user_id: String,
    /// Include custom data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub with_custom_data: Option<bool>,
}

impl Operation for GetUser {
    const NAME: &'static str = "get_user";
    const METHOD: Method = Method::GET;
    const PATH: &'static str = "/api/v3/get-user";
    const AUTH: AuthKind = AuthKind::ManagementToken;
    const ENCODING: Encoding = Encoding::Query;
    const IDEMPOTENT: bool = true;
    type Output = UserDto;
}

/// `POST /api/v3/list-users`: one page of users.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(transparent)]
pub struct ListUsers(pub ListUsersRequestDto);

impl Operation for ListUsers {
    const NAME: &'static str = "list_users";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = "/api/v3/list-users";
    const AUTH: AuthKind = AuthKind::ManagementToken;
    const ENCODING: Encoding = Encoding::Json;
    const IDEMPOTENT: bool = true;
    type Output = Page<UserDto>;
}

/// `DELETE /api/v3/ip-list/{id}`: remove an IP list entry (a path parameter example).
#[derive(Debug, Clone, Serialize)]
pub struct DeleteById {
    /// The entry's id.
    #[serde(skip)]
    pub id: String,
}

impl Operation for DeleteById {
    const NAME: &'static str = "delete_by_id";
    const METHOD: Method = Method::DELETE;
    const PATH: &'static str = "/api/v3/ip-list/{id}";
    const AUTH: AuthKind = AuthKind::ManagementToken;
    const ENCODING: Encoding = Encoding::Query;
    const IDEMPOTENT: bool = false;
    type Output = serde_json::Value;

    fn path_param(&self, name: &str) -> Option<&str> {
        match name {
            "id" => Some(&self.id),
            _ => None,
        }
    }
}
