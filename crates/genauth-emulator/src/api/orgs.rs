//! Organizations and their departments: created, read, listed, updated and
//! deleted, with their members.
//!
//! The V3 API description has only the three read operations of
//! organizations; the other paths and bodies are those the official Node SDK
//! (`authing-node-sdk`) sends.

use serde::Deserialize;
use serde_json::{json, Value};

use super::{user_not_found, ApiResult};
use crate::http_util::{boolean, get, int, iso8601, now_secs, required, ApiErr, Req};
use crate::org_tree::{dept_not_found, org_not_found, DeptIdType, DeptRec, OrgRec};
use crate::store::{paginate, Store, UserRec};

// ------------------------------------------------------------------ helpers

/// A required, non-empty string of a JSON body.
fn non_empty(field: &str, value: &str) -> Result<(), ApiErr> {
    if value.trim().is_empty() {
        return Err(ApiErr::invalid(format!("{field}: must not be empty")));
    }
    Ok(())
}

fn org_index(store: &Store, code: &str) -> Result<usize, ApiErr> {
    store
        .orgs
        .iter()
        .position(|o| o.code == code)
        .ok_or_else(|| org_not_found(code))
}

fn check_users(store: &Store, ids: &[String]) -> Result<(), ApiErr> {
    if ids.iter().any(|id| !store.users.contains_key(id)) {
        return Err(user_not_found());
    }
    Ok(())
}

/// `value` unless another department of `org` (other than `except`) already
/// has it as its code (`open` false) or open id (`open` true).
fn check_unique_dept_key(
    org: &OrgRec,
    except: Option<usize>,
    field: &str,
    value: &str,
    open: bool,
) -> Result<(), ApiErr> {
    let taken = org.depts.iter().enumerate().any(|(i, d)| {
        Some(i) != except
            && if open {
                d.open_id.as_deref() == Some(value)
            } else {
                d.code.as_deref() == Some(value)
            }
    });
    if taken {
        return Err(ApiErr::new(
            409,
            None,
            format!("{field}: another department of the organization has {value:?}"),
        ));
    }
    Ok(())
}

fn now() -> String {
    iso8601(now_secs())
}

// ------------------------------------------------------------ organizations

fn org_page(store: &Store, q: &[(String, String)], keywords: Option<&str>) -> ApiResult {
    let all: Vec<Value> = store
        .orgs
        .iter()
        .filter(|o| keywords.is_none_or(|k| o.code.contains(k) || o.root().name.contains(k)))
        .map(|o| o.to_dto(store))
        .collect();
    let (list, total) = if boolean(q, "fetchAll")?.unwrap_or(false) {
        let n = all.len();
        (all, n)
    } else {
        paginate(
            all,
            int(q, "page")?.unwrap_or(1),
            int(q, "limit")?.unwrap_or(10),
        )
    };
    Ok(json!({"list": list, "totalCount": total}))
}

pub(super) fn list_organizations(store: &mut Store, req: &Req) -> ApiResult {
    org_page(store, &req.query_pairs(), None)
}

pub(super) fn search_organizations(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let keywords = required(&q, "keywords")?.to_owned();
    org_page(store, &q, Some(&keywords))
}

pub(super) fn get_organization(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let code = required(&q, "organizationCode")?;
    let i = org_index(store, code)?;
    Ok(store.orgs[i].to_dto(store))
}

pub(super) fn get_organizations_batch(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let codes: Vec<&str> = q
        .iter()
        .filter(|(k, _)| k == "organizationCodeList")
        .flat_map(|(_, v)| v.split(','))
        .filter(|s| !s.is_empty())
        .collect();
    if codes.is_empty() {
        return Err(ApiErr::invalid("organizationCodeList: is required"));
    }
    let list: Vec<Value> = store
        .orgs
        .iter()
        .filter(|o| codes.contains(&o.code.as_str()))
        .map(|o| o.to_dto(store))
        .collect();
    Ok(json!(list))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateOrganization {
    organization_name: String,
    organization_code: String,
    description: Option<String>,
    open_department_id: Option<String>,
}

pub(super) fn create_organization(store: &mut Store, req: &Req) -> ApiResult {
    let body: CreateOrganization = req.json()?;
    non_empty("organizationCode", &body.organization_code)?;
    non_empty("organizationName", &body.organization_name)?;
    if store.orgs.iter().any(|o| o.code == body.organization_code) {
        return Err(ApiErr::new(
            409,
            None,
            format!(
                "organizationCode: an organization with code {:?} already exists",
                body.organization_code
            ),
        ));
    }
    let id = store.new_id();
    let mut root = DeptRec::new(id, None, body.organization_name, now());
    root.description = body.description;
    root.open_id = body.open_department_id.filter(|s| !s.is_empty());
    store.orgs.push(OrgRec {
        code: body.organization_code,
        depts: vec![root],
    });
    let org = store.orgs.last().expect("just pushed");
    Ok(org.to_dto(store))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateOrganization {
    organization_code: String,
    organization_new_code: Option<String>,
    organization_name: Option<String>,
    description: Option<String>,
    open_department_id: Option<String>,
    leader_user_ids: Option<Vec<String>>,
}

pub(super) fn update_organization(store: &mut Store, req: &Req) -> ApiResult {
    let body: UpdateOrganization = req.json()?;
    let i = org_index(store, &body.organization_code)?;
    if let Some(code) = &body.organization_new_code {
        non_empty("organizationNewCode", code)?;
        if store
            .orgs
            .iter()
            .enumerate()
            .any(|(j, o)| j != i && &o.code == code)
        {
            return Err(ApiErr::new(
                409,
                None,
                format!("organizationNewCode: an organization with code {code:?} already exists"),
            ));
        }
    }
    if let Some(name) = &body.organization_name {
        non_empty("organizationName", name)?;
    }
    if let Some(leaders) = &body.leader_user_ids {
        check_users(store, leaders)?;
    }
    if let Some(open) = body.open_department_id.as_deref().filter(|s| !s.is_empty()) {
        check_unique_dept_key(&store.orgs[i], Some(0), "openDepartmentId", open, true)?;
    }
    let org = &mut store.orgs[i];
    let root = &mut org.depts[0];
    if let Some(name) = body.organization_name {
        root.name = name;
    }
    if let Some(d) = body.description {
        root.description = Some(d);
    }
    if let Some(o) = body.open_department_id {
        root.open_id = Some(o).filter(|s| !s.is_empty());
    }
    if let Some(l) = body.leader_user_ids {
        root.leaders = l;
    }
    root.updated_at = now();
    if let Some(code) = body.organization_new_code {
        org.code = code;
    }
    Ok(store.orgs[i].to_dto(store))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrganizationCode {
    organization_code: String,
}

pub(super) fn delete_organization(store: &mut Store, req: &Req) -> ApiResult {
    let body: OrganizationCode = req.json()?;
    let i = org_index(store, &body.organization_code)?;
    let org = store.orgs.remove(i);
    for d in &org.depts {
        for user in d.members.keys() {
            store.link_department(user, &d.id, false);
        }
    }
    Ok(json!({"success": true}))
}

// -------------------------------------------------------------- departments

/// The organization and department a query names (`organizationCode`,
/// `departmentId` and `departmentIdType`).
fn locate(store: &Store, q: &[(String, String)]) -> Result<(usize, usize), ApiErr> {
    let kind = DeptIdType::parse(get(q, "departmentIdType"))?;
    let code = required(q, "organizationCode")?;
    let dept = required(q, "departmentId")?;
    let o = org_index(store, code)?;
    Ok((o, store.orgs[o].resolve(dept, kind)?))
}

pub(super) fn get_department(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let with_custom = boolean(&q, "withCustomData")?.unwrap_or(false);
    let kind = DeptIdType::parse(get(&q, "departmentIdType"))?;
    let (id, kind) = match (get(&q, "departmentId"), get(&q, "departmentCode")) {
        (Some(id), _) => (id, kind),
        (None, Some(code)) => (code, DeptIdType::Code),
        (None, None) => {
            return Err(ApiErr::invalid(
                "departmentId: departmentId or departmentCode is required",
            ))
        }
    };
    let found = match get(&q, "organizationCode") {
        Some(code) => {
            let o = org_index(store, code)?;
            store.orgs[o].find(id, kind).map(|d| (o, d))
        }
        // Without an organization, a department id is looked up everywhere.
        None if id == "root" => {
            return Err(ApiErr::invalid(
                "organizationCode: is required to name a root department",
            ))
        }
        None => store
            .orgs
            .iter()
            .enumerate()
            .find_map(|(o, org)| org.find(id, kind).map(|d| (o, d))),
    };
    let (o, d) = found.ok_or_else(|| dept_not_found(id))?;
    Ok(store.orgs[o].dept_dto(d, store, with_custom))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateDepartment {
    organization_code: String,
    name: String,
    parent_department_id: String,
    open_department_id: Option<String>,
    description: Option<String>,
    code: Option<String>,
    #[serde(default)]
    is_virtual_node: bool,
    custom_data: Option<Value>,
    department_id_type: Option<String>,
}

pub(super) fn create_department(store: &mut Store, req: &Req) -> ApiResult {
    let body: CreateDepartment = req.json()?;
    non_empty("name", &body.name)?;
    non_empty("parentDepartmentId", &body.parent_department_id)?;
    let kind = DeptIdType::parse(body.department_id_type.as_deref())?;
    let o = org_index(store, &body.organization_code)?;
    let parent = store.orgs[o].resolve(&body.parent_department_id, kind)?;
    if let Some(c) = body.code.as_deref().filter(|s| !s.is_empty()) {
        check_unique_dept_key(&store.orgs[o], None, "code", c, false)?;
    }
    if let Some(c) = body.open_department_id.as_deref().filter(|s| !s.is_empty()) {
        check_unique_dept_key(&store.orgs[o], None, "openDepartmentId", c, true)?;
    }
    if body.custom_data.as_ref().is_some_and(|v| !v.is_object()) {
        return Err(ApiErr::invalid("customData: an object is required"));
    }
    let id = store.new_id();
    let parent_id = store.orgs[o].depts[parent].id.clone();
    let mut d = DeptRec::new(id, Some(parent_id), body.name, now());
    d.code = body.code.filter(|s| !s.is_empty());
    d.open_id = body.open_department_id.filter(|s| !s.is_empty());
    d.description = body.description;
    d.virtual_node = body.is_virtual_node;
    d.custom_data = body.custom_data;
    let org = &mut store.orgs[o];
    org.depts.push(d);
    Ok(store.orgs[o].dept_dto(store.orgs[o].depts.len() - 1, store, true))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateDepartment {
    organization_code: String,
    department_id: String,
    name: Option<String>,
    code: Option<String>,
    description: Option<String>,
    parent_department_id: Option<String>,
    leader_user_ids: Option<Vec<String>>,
    status: Option<bool>,
    custom_data: Option<Value>,
    department_id_type: Option<String>,
}

pub(super) fn update_department(store: &mut Store, req: &Req) -> ApiResult {
    let body: UpdateDepartment = req.json()?;
    let kind = DeptIdType::parse(body.department_id_type.as_deref())?;
    let o = org_index(store, &body.organization_code)?;
    let d = store.orgs[o].resolve(&body.department_id, kind)?;
    if let Some(name) = &body.name {
        non_empty("name", name)?;
    }
    if let Some(c) = body.code.as_deref().filter(|s| !s.is_empty()) {
        check_unique_dept_key(&store.orgs[o], Some(d), "code", c, false)?;
    }
    if let Some(leaders) = &body.leader_user_ids {
        check_users(store, leaders)?;
    }
    if body.custom_data.as_ref().is_some_and(|v| !v.is_object()) {
        return Err(ApiErr::invalid("customData: an object is required"));
    }
    let new_parent = match body
        .parent_department_id
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(p) => {
            let org = &store.orgs[o];
            if d == 0 {
                return Err(ApiErr::invalid(
                    "parentDepartmentId: the root department cannot be moved",
                ));
            }
            let p = org.resolve(p, kind)?;
            if p == d || org.descendants(d).contains(&p) {
                return Err(ApiErr::invalid(
                    "parentDepartmentId: a department cannot move under itself or a department under it",
                ));
            }
            Some(org.depts[p].id.clone())
        }
    };
    let dept = &mut store.orgs[o].depts[d];
    if let Some(name) = body.name {
        dept.name = name;
    }
    if let Some(c) = body.code {
        dept.code = Some(c).filter(|s| !s.is_empty());
    }
    if let Some(x) = body.description {
        dept.description = Some(x);
    }
    if let Some(l) = body.leader_user_ids {
        dept.leaders = l;
    }
    if let Some(s) = body.status {
        dept.status = s;
    }
    if let Some(c) = body.custom_data {
        dept.custom_data = Some(c);
    }
    if new_parent.is_some() {
        dept.parent = new_parent;
    }
    dept.updated_at = now();
    Ok(store.orgs[o].dept_dto(d, store, true))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DepartmentRef {
    organization_code: String,
    department_id: String,
    department_id_type: Option<String>,
}

pub(super) fn delete_department(store: &mut Store, req: &Req) -> ApiResult {
    let body: DepartmentRef = req.json()?;
    let kind = DeptIdType::parse(body.department_id_type.as_deref())?;
    let o = org_index(store, &body.organization_code)?;
    let d = store.orgs[o].resolve(&body.department_id, kind)?;
    if d == 0 {
        return Err(ApiErr::invalid(
            "departmentId: the root department cannot be deleted (delete the organization instead)",
        ));
    }
    // The department goes with every department under it.
    let mut gone = store.orgs[o].descendants(d);
    gone.push(d);
    gone.sort_unstable();
    let mut removed = Vec::new();
    for i in gone.into_iter().rev() {
        removed.push(store.orgs[o].depts.remove(i));
    }
    for dept in &removed {
        for user in dept.members.keys() {
            store.link_department(user, &dept.id, false);
        }
    }
    Ok(json!({"success": true}))
}

fn filter_children(
    store: &Store,
    q: &[(String, String)],
    o: usize,
    indexes: Vec<usize>,
) -> ApiResult {
    let exclude_virtual = boolean(q, "excludeVirtualNode")?.unwrap_or(false);
    let only_virtual = boolean(q, "onlyVirtualNode")?.unwrap_or(false);
    let status = boolean(q, "status")?;
    let with_custom = boolean(q, "withCustomData")?.unwrap_or(false);
    let org = &store.orgs[o];
    let list: Vec<Value> = indexes
        .into_iter()
        .filter(|&i| {
            let d = &org.depts[i];
            let virtual_ok = if d.virtual_node {
                !exclude_virtual
            } else {
                !only_virtual
            };
            virtual_ok && status.is_none_or(|s| s == d.status)
        })
        .map(|i| org.dept_dto(i, store, with_custom))
        .collect();
    Ok(json!({"list": list, "totalCount": list.len()}))
}

pub(super) fn list_children_departments(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let (o, d) = locate(store, &q)?;
    let children = store.orgs[o].children(d);
    filter_children(store, &q, o, children)
}

pub(super) fn get_all_departments(store: &mut Store, req: &Req) -> ApiResult {
    let mut q = req.query_pairs();
    if get(&q, "departmentId").is_none() {
        q.push(("departmentId".into(), "root".into()));
    }
    let (o, d) = locate(store, &q)?;
    let all = store.orgs[o].descendants(d);
    filter_children(store, &q, o, all)
}

pub(super) fn get_parent_department(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let with_custom = boolean(&q, "withCustomData")?.unwrap_or(false);
    let (o, d) = locate(store, &q)?;
    let org = &store.orgs[o];
    let parent = org.depts[d]
        .parent
        .as_deref()
        .and_then(|p| org.index_of(p))
        .ok_or_else(|| {
            ApiErr::invalid("departmentId: the root department has no parent department")
        })?;
    Ok(org.dept_dto(parent, store, with_custom))
}

// ------------------------------------------------------------------ members

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DepartmentMembers {
    user_ids: Vec<String>,
    organization_code: String,
    department_id: String,
    department_id_type: Option<String>,
}

fn department_members(store: &mut Store, req: &Req, add: bool) -> ApiResult {
    let body: DepartmentMembers = req.json()?;
    if body.user_ids.is_empty() {
        return Err(ApiErr::invalid("userIds: at least one user id is required"));
    }
    let kind = DeptIdType::parse(body.department_id_type.as_deref())?;
    let o = org_index(store, &body.organization_code)?;
    let d = store.orgs[o].resolve(&body.department_id, kind)?;
    if add {
        check_users(store, &body.user_ids)?;
    }
    let dept_id = store.orgs[o].depts[d].id.clone();
    for user in &body.user_ids {
        if add {
            if store.orgs[o].depts[d].members.contains_key(user) {
                continue;
            }
            let seq = store.next_seq();
            store.orgs[o].depts[d].members.insert(user.clone(), seq);
        } else if store.orgs[o].depts[d].members.remove(user).is_none() {
            continue;
        }
        store.link_department(user, &dept_id, add);
    }
    Ok(json!({"success": true}))
}

pub(super) fn add_department_members(store: &mut Store, req: &Req) -> ApiResult {
    department_members(store, req, true)
}

pub(super) fn remove_department_members(store: &mut Store, req: &Req) -> ApiResult {
    department_members(store, req, false)
}

/// The members of the department a query names, in the order it asks for.
fn sorted_members<'s>(
    store: &'s Store,
    q: &[(String, String)],
    o: usize,
    d: usize,
) -> Result<Vec<&'s UserRec>, ApiErr> {
    let deep = boolean(q, "includeChildrenDepartments")?.unwrap_or(false);
    let members = store.orgs[o].members_of(d, deep);
    let mut users: Vec<(u64, &UserRec)> = members
        .iter()
        .filter_map(|(id, seq)| store.users.get(id).map(|u| (*seq, u)))
        .collect();
    let sort_by = get(q, "sortBy").unwrap_or("JoinDepartmentAt");
    let field = match sort_by {
        "Default" | "JoinDepartmentAt" => None,
        "userId" => Some("userId"),
        "createAt" => Some("createdAt"),
        "updatedAt" => Some("updatedAt"),
        other => {
            return Err(ApiErr::invalid(format!(
                "sortBy: {other:?} is not one of Default, JoinDepartmentAt, userId, createAt, updatedAt"
            )))
        }
    };
    let desc = match get(q, "orderBy").unwrap_or("Desc") {
        "Desc" => true,
        "Asc" => false,
        other => {
            return Err(ApiErr::invalid(format!(
                "orderBy: {other:?} is not one of Asc, Desc"
            )))
        }
    };
    match field {
        None => users.sort_by_key(|(seq, _)| *seq),
        Some(f) => users.sort_by(|a, b| a.1.field(f).cmp(&b.1.field(f)).then(a.0.cmp(&b.0))),
    }
    if desc {
        users.reverse();
    }
    Ok(users.into_iter().map(|(_, u)| u).collect())
}

fn member_page(store: &Store, q: &[(String, String)], users: Vec<&UserRec>, o: usize) -> ApiResult {
    let with_department_ids = boolean(q, "withDepartmentIds")?.unwrap_or(false);
    let (list, total) = paginate(
        users,
        int(q, "page")?.unwrap_or(1),
        int(q, "limit")?.unwrap_or(10),
    );
    let org = &store.orgs[o];
    let list: Vec<Value> = list
        .into_iter()
        .map(|u| {
            let mut v = u.to_dto();
            if with_department_ids {
                let ids: Vec<&str> = org
                    .depts
                    .iter()
                    .filter(|d| d.members.contains_key(u.id()))
                    .map(|d| d.id.as_str())
                    .collect();
                v["departmentIds"] = json!(ids);
            }
            v
        })
        .collect();
    Ok(json!({"list": list, "totalCount": total}))
}

pub(super) fn list_department_members(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let (o, d) = locate(store, &q)?;
    let users = sorted_members(store, &q, o, d)?;
    member_page(store, &q, users, o)
}

pub(super) fn search_department_members(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let keywords = required(&q, "keywords")?.to_owned();
    let (o, d) = locate(store, &q)?;
    let users: Vec<&UserRec> = sorted_members(store, &q, o, d)?
        .into_iter()
        .filter(|u| {
            ["username", "email", "phone", "name", "nickname"]
                .iter()
                .any(|f| u.field(f).is_some_and(|v| v.contains(&keywords)))
        })
        .collect();
    member_page(store, &q, users, o)
}

pub(super) fn list_department_member_ids(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let (o, d) = locate(store, &q)?;
    let ids: Vec<&String> = store.orgs[o].depts[d]
        .members
        .keys()
        .filter(|id| store.users.contains_key(*id))
        .collect();
    Ok(json!(ids))
}

pub(super) fn is_user_in_department(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let user = required(&q, "userId")?;
    if !store.users.contains_key(user) {
        return Err(user_not_found());
    }
    let deep = boolean(&q, "includeChildrenDepartments")?.unwrap_or(false);
    let (o, d) = locate(store, &q)?;
    let inside = store.orgs[o].members_of(d, deep).contains_key(user);
    Ok(json!({"inDepartment": inside}))
}
