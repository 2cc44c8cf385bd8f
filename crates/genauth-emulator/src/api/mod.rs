//! The `/api/v3` operations with state, one file per domain:
//!
//! - `management_token`: access keys exchanged for management tokens;
//! - `signin`: sign-up, sign-in and the pass codes they use;
//! - `profile`: the signed-in user's own profile, password and bindings;
//! - `users`, `roles`, `groups`, `orgs` (organizations and departments): the
//!   management API over them.
//!
//! This file holds the routing table and the credential checks they share.

mod groups;
mod management_token;
mod mfa;
mod orgs;
mod profile;
mod roles;
mod signin;
mod users;

use serde_json::Value;

use crate::http_util::{envelope_err, envelope_ok, now_secs, ApiErr, Reply, Req};
use crate::store::{Store, TokenKind};
use crate::Shared;

pub(crate) use mfa::MfaState;
pub(crate) use signin::basic_credentials;

type ApiResult = Result<Value, ApiErr>;

/// Answers `req` when it is an operation with state; `None` otherwise.
pub(crate) fn handle(shared: &Shared, req: &Req) -> Option<Reply> {
    let result = match (req.method.as_str(), req.path.as_str()) {
        ("POST", "/api/v3/get-management-token") => management_token::management_token(shared, req),
        // Authentication API.
        ("POST", "/api/v3/signup") => signin::sign_up(shared, req),
        ("POST", "/api/v3/signin") => signin::sign_in(shared, req),
        ("POST", "/api/v3/send-sms") => signin::send_sms(shared, req),
        ("POST", "/api/v3/send-email") => signin::send_email(shared, req),
        ("GET", "/api/v3/get-profile") => profile::get_profile(shared, req),
        ("POST", "/api/v3/update-profile") => profile::update_profile(shared, req),
        ("POST", "/api/v3/update-password") => profile::update_password(shared, req),
        ("POST", "/api/v3/bind-email") => profile::bind_email(shared, req),
        ("POST", "/api/v3/bind-phone") => profile::bind_phone(shared, req),
        ("GET", "/api/v3/get-my-role-list") => profile::my_roles(shared, req),
        ("GET", "/api/v3/get-my-group-list") => profile::my_groups(shared, req),
        // MFA.
        ("POST", "/api/v3/send-enroll-factor-request") => {
            mfa::send_enroll_factor_request(shared, req)
        }
        ("POST", "/api/v3/enroll-factor") => mfa::enroll_factor(shared, req),
        ("GET", "/api/v3/list-enrolled-factors") => mfa::list_enrolled_factors(shared, req),
        ("GET", "/api/v3/get-factor") => mfa::get_factor(shared, req),
        ("POST", "/api/v3/reset-factor") => mfa::reset_factor(shared, req),
        ("GET", "/api/v3/list-factors-to-enroll") => mfa::list_factors_to_enroll(shared, req),
        ("POST", "/api/v3/mfa-totp-verify") => mfa::mfa_totp_verify(shared, req),
        ("POST", "/api/v2/mfa/totp/verify") => mfa::complete(shared, req, mfa::FactorType::Otp),
        ("POST", "/api/v2/applications/mfa/sms/verify") => {
            mfa::complete(shared, req, mfa::FactorType::Sms)
        }
        ("POST", "/api/v2/applications/mfa/email/verify") => {
            mfa::complete(shared, req, mfa::FactorType::Email)
        }
        // A bare answer, no envelope.
        ("POST", "/mfa/token/introspection") => {
            return Some(match mfa::introspect(shared, req) {
                Ok(v) => crate::http_util::json_reply(http::StatusCode::OK, &v),
                Err(e) => envelope_err(&e),
            })
        }
        // Management API.
        (m, p) => {
            let op: fn(&mut Store, &Req) -> ApiResult = match (m, p) {
                ("POST", "/api/v3/create-user") => users::create_user,
                ("GET", "/api/v3/get-user") => users::get_user,
                ("GET", "/api/v3/get-user-batch") => users::get_user_batch,
                ("POST", "/api/v3/list-users") => users::list_users,
                ("GET", "/api/v3/list-users") => users::list_users_legacy,
                ("POST", "/api/v3/update-user") => users::update_user,
                ("POST", "/api/v3/delete-users-batch") => users::delete_users,
                ("POST", "/api/v3/create-role") => roles::create_role,
                ("GET", "/api/v3/get-role") => roles::get_role,
                ("GET", "/api/v3/list-roles") => roles::list_roles,
                ("POST", "/api/v3/delete-roles-batch") => roles::delete_roles,
                ("POST", "/api/v3/assign-role") => roles::assign_role,
                ("POST", "/api/v3/revoke-role") => roles::revoke_role,
                ("GET", "/api/v3/get-user-roles") => roles::get_user_roles,
                ("GET", "/api/v3/list-role-members") => roles::list_role_members,
                ("POST", "/api/v3/create-group") => groups::create_group,
                ("GET", "/api/v3/get-group") => groups::get_group,
                ("GET", "/api/v3/list-groups") => groups::list_groups,
                ("POST", "/api/v3/delete-groups-batch") => groups::delete_groups,
                ("POST", "/api/v3/add-group-members") => groups::add_group_members,
                ("POST", "/api/v3/remove-group-members") => groups::remove_group_members,
                ("GET", "/api/v3/list-group-members") => groups::list_group_members,
                ("GET", "/api/v3/get-user-groups") => groups::get_user_groups,
                ("GET", "/api/v3/list-organizations") => orgs::list_organizations,
                ("GET", "/api/v3/get-organization") => orgs::get_organization,
                ("GET", "/api/v3/get-organization-batch") => orgs::get_organizations_batch,
                // Not in the V3 API description: the Node SDK's paths.
                ("GET", "/api/v3/search-organizations") => orgs::search_organizations,
                ("POST", "/api/v3/create-organization") => orgs::create_organization,
                ("POST", "/api/v3/update-organization") => orgs::update_organization,
                ("POST", "/api/v3/delete-organization") => orgs::delete_organization,
                ("GET", "/api/v3/get-department") => orgs::get_department,
                ("POST", "/api/v3/create-department") => orgs::create_department,
                ("POST", "/api/v3/update-department") => orgs::update_department,
                ("POST", "/api/v3/delete-department") => orgs::delete_department,
                ("GET", "/api/v3/list-children-departments") => orgs::list_children_departments,
                ("GET", "/api/v3/get-all-departments") => orgs::get_all_departments,
                ("GET", "/api/v3/get-parent-department") => orgs::get_parent_department,
                ("POST", "/api/v3/add-department-members") => orgs::add_department_members,
                ("POST", "/api/v3/remove-department-members") => orgs::remove_department_members,
                ("GET", "/api/v3/list-department-members") => orgs::list_department_members,
                ("GET", "/api/v3/search-department-members") => orgs::search_department_members,
                ("GET", "/api/v3/list-department-member-ids") => orgs::list_department_member_ids,
                ("GET", "/api/v3/is-user-in-department") => orgs::is_user_in_department,
                _ => return None,
            };
            check_management(shared, req).and_then(|()| op(&mut shared.store(), req))
        }
    };
    Some(match result {
        Ok(data) => envelope_ok(data),
        Err(e) => envelope_err(&e),
    })
}

// ---------------------------------------------------------------- auth checks

/// Checks `authorization: Bearer <management token>` and the user pool header.
pub(crate) fn check_management(shared: &Shared, req: &Req) -> Result<(), ApiErr> {
    if crate::signed::admitted(req) {
        return Ok(());
    }
    let unauthorized = |why: &str| ApiErr::new(401, None, why);
    let token = req
        .header("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| unauthorized("a management token is required"))?;
    let live = shared
        .store()
        .management_tokens
        .get(token.trim())
        .is_some_and(|exp| *exp > now_secs());
    if !live {
        return Err(unauthorized(
            "the management token is not valid or has expired",
        ));
    }
    match req.header("x-genauth-userpool-id") {
        Some(p) if p == shared.userpool_id => Ok(()),
        Some(_) => Err(ApiErr::new(
            403,
            None,
            "the token is not for this user pool",
        )),
        None => Err(ApiErr::invalid("x-genauth-userpool-id: is required")),
    }
}

/// The id of the user a live access token was issued to.
pub(crate) fn user_of_token(shared: &Shared, raw: &str) -> Option<String> {
    let store = shared.store();
    store
        .live_token(raw, TokenKind::Access)
        .and_then(|t| t.user_id.clone())
        .filter(|id| store.users.contains_key(id))
}

/// The raw access token in `authorization` (a `Bearer ` prefix is allowed).
pub(crate) fn user_token(req: &Req) -> Result<&str, ApiErr> {
    req.header("authorization")
        .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).trim())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiErr::new(401, Some(2020), "the caller is not signed in"))
}

/// The signed-in user's id, from the raw access token in `authorization`.
pub(crate) fn signed_in_user(shared: &Shared, req: &Req) -> Result<String, ApiErr> {
    let raw = user_token(req)?;
    user_of_token(shared, raw).ok_or_else(|| {
        ApiErr::new(
            401,
            Some(2206),
            "the login has expired or the token is not valid",
        )
    })
}

pub(super) fn user_not_found() -> ApiErr {
    ApiErr::not_found(Some(2004), "the user does not exist")
}
