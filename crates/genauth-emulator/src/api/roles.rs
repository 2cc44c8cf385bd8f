//! Management of roles and their members.

use serde::Deserialize;
use serde_json::{json, Value};

use super::{user_not_found, ApiResult};
use crate::http_util::{get, int, required, ApiErr, Req};
use crate::store::{paginate, RoleRec, Store, UserRec};

fn default_ns(ns: Option<String>) -> String {
    ns.filter(|s| !s.is_empty())
        .unwrap_or_else(|| "default".to_owned())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateRole {
    code: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    namespace: Option<String>,
}

pub(super) fn create_role(store: &mut Store, req: &Req) -> ApiResult {
    let body: CreateRole = req.json()?;
    let namespace = default_ns(body.namespace);
    if body.code.is_empty() {
        return Err(ApiErr::invalid("code: must not be empty"));
    }
    if store.role_mut(&namespace, &body.code).is_some() {
        return Err(ApiErr::new(
            409,
            None,
            "a role with this code already exists",
        ));
    }
    let role = RoleRec {
        id: store.new_id(),
        name: body.name.unwrap_or_else(|| body.code.clone()),
        code: body.code,
        namespace,
        description: body.description.unwrap_or_default(),
        members: Default::default(),
    };
    let dto = role.to_dto();
    store.roles.push(role);
    Ok(dto)
}

fn role_not_found() -> ApiErr {
    ApiErr::not_found(None, "the role does not exist")
}

pub(super) fn get_role(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let code = required(&q, "code")?;
    let ns = default_ns(get(&q, "namespace").map(str::to_owned));
    store
        .role_mut(&ns, code)
        .map(|r| r.to_dto())
        .ok_or_else(role_not_found)
}

pub(super) fn list_roles(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let ns = get(&q, "namespace");
    let kw = get(&q, "keywords");
    let roles: Vec<&RoleRec> = store
        .roles
        .iter()
        .filter(|r| ns.is_none_or(|n| r.namespace == n))
        .filter(|r| kw.is_none_or(|k| r.code.contains(k) || r.name.contains(k)))
        .collect();
    let (list, total) = paginate(
        roles,
        int(&q, "page")?.unwrap_or(1),
        int(&q, "limit")?.unwrap_or(10),
    );
    let list: Vec<Value> = list.into_iter().map(RoleRec::to_dto).collect();
    Ok(json!({"list": list, "totalCount": total}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CodeList {
    pub(super) code_list: Vec<String>,
    #[serde(default)]
    pub(super) namespace: Option<String>,
}

pub(super) fn delete_roles(store: &mut Store, req: &Req) -> ApiResult {
    let body: CodeList = req.json()?;
    let ns = default_ns(body.namespace);
    store
        .roles
        .retain(|r| !(r.namespace == ns && body.code_list.contains(&r.code)));
    Ok(json!({"success": true}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Target {
    target_identifier: String,
    target_type: TargetType,
}

#[derive(Deserialize, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
enum TargetType {
    User,
    Role,
    Group,
    Department,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoleTargets {
    code: String,
    #[serde(default)]
    namespace: Option<String>,
    targets: Vec<Target>,
}

fn role_targets(store: &mut Store, req: &Req, assign: bool) -> ApiResult {
    let body: RoleTargets = req.json()?;
    let ns = default_ns(body.namespace);
    let mut users = Vec::new();
    for t in &body.targets {
        if t.target_type == TargetType::User {
            if !store.users.contains_key(&t.target_identifier) {
                return Err(user_not_found());
            }
            users.push(t.target_identifier.clone());
        }
    }
    let role = store.role_mut(&ns, &body.code).ok_or_else(role_not_found)?;
    for u in users {
        if assign {
            role.members.insert(u);
        } else {
            role.members.remove(&u);
        }
    }
    Ok(json!({"success": true}))
}

pub(super) fn assign_role(store: &mut Store, req: &Req) -> ApiResult {
    role_targets(store, req, true)
}

pub(super) fn revoke_role(store: &mut Store, req: &Req) -> ApiResult {
    role_targets(store, req, false)
}

pub(super) fn get_user_roles(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let id = required(&q, "userId")?;
    let uid = store
        .find_user(id, get(&q, "userIdType"))
        .map(|u| u.id().to_owned())
        .ok_or_else(user_not_found)?;
    let ns = get(&q, "namespace");
    let list: Vec<Value> = store
        .roles
        .iter()
        .filter(|r| r.members.contains(&uid) && ns.is_none_or(|n| n == r.namespace))
        .map(RoleRec::to_dto)
        .collect();
    Ok(json!({"totalCount": list.len(), "list": list}))
}

pub(super) fn list_role_members(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let code = required(&q, "code")?;
    let ns = default_ns(get(&q, "namespace").map(str::to_owned));
    let members: Vec<String> = store
        .role_mut(&ns, code)
        .ok_or_else(role_not_found)?
        .members
        .iter()
        .cloned()
        .collect();
    let users: Vec<&UserRec> = members
        .iter()
        .filter_map(|id| store.users.get(id))
        .collect();
    let (list, total) = paginate(
        users,
        int(&q, "page")?.unwrap_or(1),
        int(&q, "limit")?.unwrap_or(10),
    );
    let list: Vec<Value> = list.into_iter().map(UserRec::to_dto).collect();
    Ok(json!({"list": list, "totalCount": total}))
}
