//! Management of users: create, get, list, filter, update, delete.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{user_not_found, ApiResult};
use crate::http_util::{check_email, get, int, required, ApiErr, Req};
use crate::store::{paginate, Store, UserRec};

fn user_fields(body: &Map<String, Value>) -> Result<(), ApiErr> {
    for (k, v) in body {
        let ok = match k.as_str() {
            "emailVerified" | "phoneVerified" => v.is_boolean() || v.is_null(),
            "customData" | "options" | "otp" | "identities" | "metadataSource" | "metadata"
            | "departmentIds" | "tenantIds" => true,
            _ => v.is_string() || v.is_null(),
        };
        if !ok {
            return Err(ApiErr::invalid(format!("{k}: has the wrong type")));
        }
    }
    if let Some(e) = body.get("email").and_then(Value::as_str) {
        check_email("email", e)?;
    }
    if let Some(g) = body.get("gender").and_then(Value::as_str) {
        if !["M", "F", "U"].contains(&g) {
            return Err(ApiErr::invalid("gender: must be M, F or U"));
        }
    }
    Ok(())
}

pub(super) fn create_user(store: &mut Store, req: &Req) -> ApiResult {
    let body: Map<String, Value> = req.json()?;
    user_fields(&body)?;
    let password = body
        .get("password")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let id = store.create_user(&body, password, "adminCreated")?;
    Ok(store
        .users
        .get(&id)
        .map(UserRec::to_dto)
        .unwrap_or_default())
}

pub(super) fn get_user(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let id = required(&q, "userId")?;
    store
        .find_user(id, get(&q, "userIdType"))
        .map(UserRec::to_dto)
        .ok_or_else(user_not_found)
}

pub(super) fn get_user_batch(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let ids: Vec<&str> = q
        .iter()
        .filter(|(k, _)| k == "userIds")
        .flat_map(|(_, v)| v.split(','))
        .filter(|s| !s.is_empty())
        .collect();
    if ids.is_empty() {
        return Err(ApiErr::invalid("userIds: is required"));
    }
    if ids.len() > 80 {
        return Err(ApiErr::new(400, Some(2030), "at most 80 users at once"));
    }
    let id_type = get(&q, "userIdType");
    let users: Vec<Value> = ids
        .iter()
        .filter_map(|id| store.find_user(id, id_type))
        .map(UserRec::to_dto)
        .collect();
    Ok(json!(users))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Filter {
    field: String,
    operator: String,
    #[serde(default)]
    value: Value,
}

#[derive(Deserialize, Default)]
struct Pagination {
    #[serde(default)]
    page: Option<i64>,
    #[serde(default)]
    limit: Option<i64>,
}

#[derive(Deserialize)]
struct Sorting {
    field: String,
    order: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ListOptions {
    #[serde(default)]
    pagination: Option<Pagination>,
    #[serde(default)]
    sort: Option<Vec<Sorting>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ListUsersReq {
    #[serde(default)]
    keywords: Option<String>,
    #[serde(default)]
    advanced_filter: Option<Vec<Filter>>,
    #[serde(default)]
    options: Option<ListOptions>,
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn filter_matches(user: &UserRec, f: &Filter) -> Result<bool, ApiErr> {
    let field = if f.field == "id" { "userId" } else { &f.field };
    let have = user.doc.get(field).filter(|v| !v.is_null());
    let have_text = have.map(value_text).unwrap_or_default();
    let want = value_text(&f.value);
    Ok(match f.operator.as_str() {
        "EQUAL" => have.is_some() && have_text == want,
        "NOT_EQUAL" => have_text != want,
        "CONTAINS" => have_text.contains(&want),
        "NOT_CONTAINS" => !have_text.contains(&want),
        "IS_NULL" => have.is_none(),
        "NOT_NULL" => have.is_some(),
        "IN" => f
            .value
            .as_array()
            .is_some_and(|vs| vs.iter().any(|v| value_text(v) == have_text)),
        "GREATER" | "LESSER" => {
            let (a, b) = (have.and_then(Value::as_f64), f.value.as_f64());
            match (a, b) {
                (Some(a), Some(b)) if f.operator == "GREATER" => a > b,
                (Some(a), Some(b)) => a < b,
                _ => have_text.as_str() > want.as_str() && f.operator == "GREATER",
            }
        }
        "BETWEEN" => match f.value.as_array().map(Vec::as_slice) {
            Some([lo, hi]) => {
                let t = have_text.as_str();
                t >= value_text(lo).as_str() && t <= value_text(hi).as_str()
            }
            _ => {
                return Err(ApiErr::invalid(
                    "advancedFilter.value: BETWEEN needs two values",
                ))
            }
        },
        other => {
            return Err(ApiErr::invalid(format!(
                "advancedFilter.operator: unknown operator {other}"
            )))
        }
    })
}

const KEYWORD_FIELDS: &[&str] = &[
    "userId",
    "email",
    "phone",
    "username",
    "name",
    "nickname",
    "externalId",
];

pub(super) fn list_users(store: &mut Store, req: &Req) -> ApiResult {
    let body: ListUsersReq = req.json()?;
    let mut users: Vec<&UserRec> = Vec::new();
    for u in store.users.values() {
        if let Some(k) = body.keywords.as_deref().filter(|k| !k.is_empty()) {
            if !KEYWORD_FIELDS
                .iter()
                .any(|f| u.field(f).is_some_and(|v| v.contains(k)))
            {
                continue;
            }
        }
        let mut keep = true;
        for f in body.advanced_filter.as_deref().unwrap_or_default() {
            keep &= filter_matches(u, f)?;
        }
        if keep {
            users.push(u);
        }
    }
    let opts = body.options.unwrap_or_default();
    for s in opts.sort.unwrap_or_default().iter().rev() {
        let field = if s.field == "id" { "userId" } else { &s.field };
        users.sort_by(|a, b| {
            let (x, y) = (a.doc.get(field), b.doc.get(field));
            let ord = match (x.and_then(Value::as_f64), y.and_then(Value::as_f64)) {
                (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
                _ => x.map(value_text).cmp(&y.map(value_text)),
            };
            if s.order == "desc" {
                ord.reverse()
            } else {
                ord
            }
        });
    }
    let p = opts.pagination.unwrap_or_default();
    let (list, total) = paginate(users, p.page.unwrap_or(1), p.limit.unwrap_or(10));
    let list: Vec<Value> = list.into_iter().map(UserRec::to_dto).collect();
    Ok(json!({"list": list, "totalCount": total}))
}

pub(super) fn list_users_legacy(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let status = get(&q, "status");
    let users: Vec<&UserRec> = store
        .users
        .values()
        .filter(|u| status.is_none_or(|s| u.field("status") == Some(s)))
        .collect();
    let (list, total) = paginate(
        users,
        int(&q, "page")?.unwrap_or(1),
        int(&q, "limit")?.unwrap_or(10),
    );
    let list: Vec<Value> = list.into_iter().map(UserRec::to_dto).collect();
    Ok(json!({"list": list, "totalCount": total}))
}

pub(super) fn update_user(store: &mut Store, req: &Req) -> ApiResult {
    let body: Map<String, Value> = req.json()?;
    user_fields(&body)?;
    let id = body
        .get("userId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiErr::invalid("userId: is required"))?
        .to_owned();
    if !store.users.contains_key(&id) {
        return Err(user_not_found());
    }
    store.update_user(&id, &body)?;
    if let Some(pw) = body.get("password").and_then(Value::as_str) {
        if let Some(u) = store.users.get_mut(&id) {
            u.password = Some(pw.to_owned());
        }
    }
    Ok(store
        .users
        .get(&id)
        .map(UserRec::to_dto)
        .unwrap_or_default())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IdTypeOption {
    #[serde(default)]
    user_id_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeleteUsers {
    user_ids: Vec<String>,
    #[serde(default)]
    options: Option<IdTypeOption>,
}

pub(super) fn delete_users(store: &mut Store, req: &Req) -> ApiResult {
    let body: DeleteUsers = req.json()?;
    let id_type = body.options.and_then(|o| o.user_id_type);
    for id in &body.user_ids {
        let found = store
            .find_user(id, id_type.as_deref())
            .map(|u| u.id().to_owned());
        if let Some(uid) = found {
            store.delete_user(&uid);
        }
    }
    Ok(json!({"success": true}))
}
