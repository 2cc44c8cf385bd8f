//! Organizations as trees of departments, and the wire shapes they answer.
//!
//! An organization is its root department plus the departments under it;
//! the organization's name, description, open id and leaders are the root's.
//! Members belong to departments; an organization's members are those of all
//! its departments.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use crate::http_util::ApiErr;
use crate::store::Store;

/// One department of an organization (the root included).
pub(crate) struct DeptRec {
    pub id: String,
    /// `None` for the root department.
    pub parent: Option<String>,
    pub name: String,
    pub code: Option<String>,
    pub description: Option<String>,
    pub open_id: Option<String>,
    pub leaders: Vec<String>,
    pub virtual_node: bool,
    pub status: bool,
    pub custom_data: Option<Value>,
    pub created_at: String,
    pub updated_at: String,
    /// Member user id -> the order in which it joined (a store-wide sequence).
    pub members: BTreeMap<String, u64>,
}

impl DeptRec {
    pub fn new(id: String, parent: Option<String>, name: String, now: String) -> Self {
        Self {
            id,
            parent,
            name,
            code: None,
            description: None,
            open_id: None,
            leaders: Vec::new(),
            virtual_node: false,
            status: true,
            custom_data: None,
            created_at: now.clone(),
            updated_at: now,
            members: BTreeMap::new(),
        }
    }
}

/// An organization: `depts[0]` is its root department.
pub(crate) struct OrgRec {
    pub code: String,
    pub depts: Vec<DeptRec>,
}

/// How a request names a department (`departmentIdType`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeptIdType {
    Id,
    OpenId,
    Code,
}

impl DeptIdType {
    /// Reads `departmentIdType`; the service's `sync_relation` and
    /// `custom_field` kinds name things the emulator does not keep.
    pub fn parse(value: Option<&str>) -> Result<Self, ApiErr> {
        match value.unwrap_or("department_id") {
            "department_id" => Ok(Self::Id),
            "open_department_id" => Ok(Self::OpenId),
            "code" => Ok(Self::Code),
            "sync_relation" | "custom_field" => Err(ApiErr::invalid(format!(
                "departmentIdType: {} is not emulated (use department_id, open_department_id or code)",
                value.unwrap_or_default()
            ))),
            other => Err(ApiErr::invalid(format!(
                "departmentIdType: {other:?} is not one of department_id, open_department_id, sync_relation, custom_field, code"
            ))),
        }
    }
}

pub(crate) fn org_not_found(code: &str) -> ApiErr {
    ApiErr::not_found(None, format!("the organization {code:?} does not exist"))
}

pub(crate) fn dept_not_found(id: &str) -> ApiErr {
    ApiErr::not_found(None, format!("the department {id:?} does not exist"))
}

impl OrgRec {
    pub fn root(&self) -> &DeptRec {
        &self.depts[0]
    }

    /// The index of the department `id` names (`root` names the root).
    pub fn find(&self, id: &str, kind: DeptIdType) -> Option<usize> {
        if id == "root" {
            return Some(0);
        }
        self.depts.iter().position(|d| match kind {
            DeptIdType::Id => d.id == id,
            DeptIdType::OpenId => d.open_id.as_deref() == Some(id),
            DeptIdType::Code => d.code.as_deref() == Some(id),
        })
    }

    /// Like [`find`](Self::find), with a 404 envelope when nothing matches.
    pub fn resolve(&self, id: &str, kind: DeptIdType) -> Result<usize, ApiErr> {
        self.find(id, kind).ok_or_else(|| dept_not_found(id))
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.depts.iter().position(|d| d.id == id)
    }

    /// The indexes of the departments directly under `idx`.
    pub fn children(&self, idx: usize) -> Vec<usize> {
        let id = &self.depts[idx].id;
        (0..self.depts.len())
            .filter(|&i| self.depts[i].parent.as_deref() == Some(id))
            .collect()
    }

    /// The indexes of every department under `idx`, breadth first.
    pub fn descendants(&self, idx: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut next = self.children(idx);
        while !next.is_empty() {
            let mut deeper = Vec::new();
            for i in next {
                deeper.extend(self.children(i));
                out.push(i);
            }
            next = deeper;
        }
        out
    }

    /// The members of `idx` (and of the departments under it when `deep`).
    pub fn members_of(&self, idx: usize, deep: bool) -> BTreeMap<String, u64> {
        let mut out = self.depts[idx].members.clone();
        if deep {
            for i in self.descendants(idx) {
                for (id, seq) in &self.depts[i].members {
                    out.entry(id.clone()).or_insert(*seq);
                }
            }
        }
        out
    }

    /// Every member of every department.
    pub fn all_members(&self) -> BTreeSet<&String> {
        self.depts.iter().flat_map(|d| d.members.keys()).collect()
    }

    pub fn to_dto(&self, store: &Store) -> Value {
        let root = self.root();
        let count = self
            .all_members()
            .into_iter()
            .filter(|id| store.users.contains_key(*id))
            .count();
        let mut v = json!({
            "organizationCode": self.code, "organizationName": root.name,
            "departmentId": root.id,
            "hasChildren": !self.children(0).is_empty(), "isVirtualNode": false,
            "membersCount": count, "leaderUserIds": root.leaders, "postIdList": [],
            "createdAt": root.created_at, "updatedAt": root.updated_at,
        });
        if let Some(d) = &root.description {
            v["description"] = json!(d);
        }
        if let Some(o) = &root.open_id {
            v["openDepartmentId"] = json!(o);
        }
        v
    }

    pub fn dept_dto(&self, idx: usize, store: &Store, with_custom_data: bool) -> Value {
        let d = &self.depts[idx];
        let parent = d.parent.as_deref().and_then(|p| self.index_of(p));
        let count = d
            .members
            .keys()
            .filter(|id| store.users.contains_key(*id))
            .count();
        let mut v = json!({
            "organizationCode": self.code, "departmentId": d.id, "name": d.name,
            "parentDepartmentId": parent.map(|p| self.depts[p].id.as_str()).unwrap_or(""),
            "parentDepartmentCode": parent
                .and_then(|p| self.depts[p].code.as_deref())
                .unwrap_or(""),
            "membersCount": count, "hasChildren": !self.children(idx).is_empty(),
            "isVirtualNode": d.virtual_node, "leaderUserIds": d.leaders,
            "status": d.status, "postIdList": [],
            "createdAt": d.created_at, "updatedAt": d.updated_at,
        });
        if let Some(c) = &d.code {
            v["code"] = json!(c);
        }
        if let Some(x) = &d.description {
            v["description"] = json!(x);
        }
        if let Some(o) = &d.open_id {
            v["openDepartmentId"] = json!(o);
        }
        if with_custom_data {
            v["customData"] = d.custom_data.clone().unwrap_or_else(|| json!({}));
        }
        v
    }
}

impl Store {
    /// Records on the user's profile (`departmentIds`, `mainDepartmentId`)
    /// that it joined or left department `dept`.
    pub fn link_department(&mut self, user: &str, dept: &str, joined: bool) {
        let Some(u) = self.users.get_mut(user) else {
            return;
        };
        let mut ids: Vec<Value> = u
            .doc
            .get("departmentIds")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        ids.retain(|v| v.as_str() != Some(dept));
        if joined {
            ids.push(json!(dept));
        }
        let main = u.doc.get("mainDepartmentId").and_then(Value::as_str);
        if joined && main.is_none() {
            u.doc.insert("mainDepartmentId".into(), json!(dept));
        } else if !joined && main == Some(dept) {
            match ids.first().cloned() {
                Some(first) => {
                    u.doc.insert("mainDepartmentId".into(), first);
                }
                None => {
                    u.doc.remove("mainDepartmentId");
                }
            }
        }
        u.doc.insert("departmentIds".into(), Value::Array(ids));
    }
}
