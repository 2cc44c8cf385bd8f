//! Organizations: listed and read.

use serde_json::{json, Value};

use super::ApiResult;
use crate::http_util::{flag, int, required, ApiErr, Req};
use crate::store::{paginate, Store};

pub(super) fn list_organizations(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let all: Vec<Value> = store.orgs.iter().map(|o| o.to_dto(store)).collect();
    let fetch_all = flag(&q, "fetchAll");
    let (list, total) = if fetch_all {
        let n = all.len();
        (all, n)
    } else {
        paginate(
            all,
            int(&q, "page")?.unwrap_or(1),
            int(&q, "limit")?.unwrap_or(10),
        )
    };
    Ok(json!({"list": list, "totalCount": total}))
}

pub(super) fn get_organization(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let code = required(&q, "organizationCode")?;
    store
        .orgs
        .iter()
        .find(|o| o.code == code)
        .map(|o| o.to_dto(store))
        .ok_or_else(|| ApiErr::not_found(None, "the organization does not exist"))
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
