//! The signed-in user's own profile, password, bindings, roles and groups.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{signed_in_user, user_not_found, ApiResult};
use crate::http_util::{check_email, get, now_secs, ApiErr, Req};
use crate::keys::secret_eq;
use crate::store::{RoleRec, UserRec};
use crate::Shared;

pub(super) fn get_profile(shared: &Shared, req: &Req) -> ApiResult {
    let id = signed_in_user(shared, req)?;
    let store = shared.store();
    store
        .users
        .get(&id)
        .map(UserRec::to_dto)
        .ok_or_else(user_not_found)
}

const PROFILE_FIELDS: &[&str] = &[
    "address",
    "birthdate",
    "city",
    "company",
    "country",
    "customData",
    "externalId",
    "gender",
    "identityNumber",
    "name",
    "nickname",
    "photo",
    "postalCode",
    "province",
    "streetAddress",
    "username",
];

pub(super) fn update_profile(shared: &Shared, req: &Req) -> ApiResult {
    let id = signed_in_user(shared, req)?;
    let body: Map<String, Value> = req.json()?;
    for (k, v) in &body {
        if !v.is_string() && k != "customData" && !v.is_null() {
            return Err(ApiErr::invalid(format!("{k}: must be a string")));
        }
    }
    let fields: Map<String, Value> = body
        .into_iter()
        .filter(|(k, _)| PROFILE_FIELDS.contains(&k.as_str()))
        .collect();
    let mut store = shared.store();
    store.update_user(&id, &fields)?;
    Ok(store
        .users
        .get(&id)
        .map(UserRec::to_dto)
        .unwrap_or_default())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdatePassword {
    new_password: String,
    #[serde(default)]
    old_password: Option<String>,
}

pub(super) fn update_password(shared: &Shared, req: &Req) -> ApiResult {
    let id = signed_in_user(shared, req)?;
    let body: UpdatePassword = req.json()?;
    let mut store = shared.store();
    let user = store.users.get_mut(&id).ok_or_else(user_not_found)?;
    if let Some(current) = &user.password {
        let old = body
            .old_password
            .ok_or_else(|| ApiErr::new(400, Some(2201), "the current password is required"))?;
        if !secret_eq(current, &old) {
            return Err(ApiErr::new(
                400,
                Some(2203),
                "the current password is wrong",
            ));
        }
    }
    user.password = Some(body.new_password);
    user.doc.insert(
        "passwordLastSetAt".into(),
        json!(crate::http_util::iso8601(now_secs())),
    );
    Ok(Value::Null)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BindEmail {
    email: String,
    pass_code: String,
}

pub(super) fn bind_email(shared: &Shared, req: &Req) -> ApiResult {
    let id = signed_in_user(shared, req)?;
    let body: BindEmail = req.json()?;
    check_email("email", &body.email)?;
    let mut store = shared.store();
    let fields = Map::from_iter([
        ("email".to_owned(), json!(body.email)),
        ("emailVerified".to_owned(), json!(true)),
    ]);
    store.check_unique(Some(&id), &fields)?;
    store.take_passcode(&body.email, &body.pass_code)?;
    store.update_user(&id, &fields)?;
    Ok(Value::Null)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BindPhone {
    phone_number: String,
    pass_code: String,
}

pub(super) fn bind_phone(shared: &Shared, req: &Req) -> ApiResult {
    let id = signed_in_user(shared, req)?;
    let body: BindPhone = req.json()?;
    let mut store = shared.store();
    let fields = Map::from_iter([
        ("phone".to_owned(), json!(body.phone_number)),
        ("phoneVerified".to_owned(), json!(true)),
    ]);
    store.check_unique(Some(&id), &fields)?;
    store.take_passcode(&body.phone_number, &body.pass_code)?;
    store.update_user(&id, &fields)?;
    Ok(Value::Null)
}

pub(super) fn my_roles(shared: &Shared, req: &Req) -> ApiResult {
    let id = signed_in_user(shared, req)?;
    let q = req.query_pairs();
    let ns = get(&q, "namespace");
    let store = shared.store();
    let roles: Vec<Value> = store
        .roles
        .iter()
        .filter(|r| r.members.contains(&id) && ns.is_none_or(|n| n == r.namespace))
        .map(RoleRec::to_dto)
        .collect();
    Ok(json!(roles))
}

pub(super) fn my_groups(shared: &Shared, req: &Req) -> ApiResult {
    let id = signed_in_user(shared, req)?;
    let store = shared.store();
    let groups: Vec<Value> = store
        .groups
        .iter()
        .filter(|g| g.members.contains(&id))
        .map(|g| store.group_dto(g))
        .collect();
    Ok(json!(groups))
}
