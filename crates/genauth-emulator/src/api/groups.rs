//! Management of groups and their members.

use serde::Deserialize;
use serde_json::{json, Value};

use super::roles::CodeList;
use super::{user_not_found, ApiResult};
use crate::http_util::{get, int, required, ApiErr, Req};
use crate::store::{paginate, GroupRec, Store, UserRec};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateGroup {
    code: String,
    description: String,
    name: String,
    #[serde(rename = "type")]
    kind: String,
}

fn group_not_found() -> ApiErr {
    ApiErr::not_found(None, "the group does not exist")
}

pub(super) fn create_group(store: &mut Store, req: &Req) -> ApiResult {
    let body: CreateGroup = req.json()?;
    if store.groups.iter().any(|g| g.code == body.code) {
        return Err(ApiErr::new(
            409,
            None,
            "a group with this code already exists",
        ));
    }
    let g = GroupRec {
        id: store.new_id(),
        code: body.code,
        name: body.name,
        description: body.description,
        kind: body.kind,
        members: Default::default(),
    };
    let dto = store.group_dto(&g);
    store.groups.push(g);
    Ok(dto)
}

pub(super) fn get_group(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let code = required(&q, "code")?;
    let g = store
        .groups
        .iter()
        .find(|g| g.code == code)
        .ok_or_else(group_not_found)?;
    Ok(store.group_dto(g))
}

pub(super) fn list_groups(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let kw = get(&q, "keywords");
    let groups: Vec<&GroupRec> = store
        .groups
        .iter()
        .filter(|g| kw.is_none_or(|k| g.code.contains(k) || g.name.contains(k)))
        .collect();
    let (list, total) = paginate(
        groups,
        int(&q, "page")?.unwrap_or(1),
        int(&q, "limit")?.unwrap_or(10),
    );
    let list: Vec<Value> = list.into_iter().map(|g| store.group_dto(g)).collect();
    Ok(json!({"list": list, "totalCount": total}))
}

pub(super) fn delete_groups(store: &mut Store, req: &Req) -> ApiResult {
    let body: CodeList = req.json()?;
    store.groups.retain(|g| !body.code_list.contains(&g.code));
    Ok(json!({"success": true}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupMembers {
    code: String,
    user_ids: Vec<String>,
}

fn group_members(store: &mut Store, req: &Req, add: bool) -> ApiResult {
    let body: GroupMembers = req.json()?;
    if add && body.user_ids.iter().any(|id| !store.users.contains_key(id)) {
        return Err(user_not_found());
    }
    let g = store
        .groups
        .iter_mut()
        .find(|g| g.code == body.code)
        .ok_or_else(group_not_found)?;
    for id in body.user_ids {
        if add {
            g.members.insert(id);
        } else {
            g.members.remove(&id);
        }
    }
    Ok(json!({"success": true}))
}

pub(super) fn add_group_members(store: &mut Store, req: &Req) -> ApiResult {
    group_members(store, req, true)
}

pub(super) fn remove_group_members(store: &mut Store, req: &Req) -> ApiResult {
    group_members(store, req, false)
}

pub(super) fn list_group_members(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let code = required(&q, "code")?;
    let g = store
        .groups
        .iter()
        .find(|g| g.code == code)
        .ok_or_else(group_not_found)?;
    let users: Vec<&UserRec> = g
        .members
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

pub(super) fn get_user_groups(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let id = required(&q, "userId")?;
    let uid = store
        .find_user(id, get(&q, "userIdType"))
        .map(|u| u.id().to_owned())
        .ok_or_else(user_not_found)?;
    let list: Vec<Value> = store
        .groups
        .iter()
        .filter(|g| g.members.contains(&uid))
        .map(|g| store.group_dto(g))
        .collect();
    Ok(json!({"totalCount": list.len(), "list": list}))
}
