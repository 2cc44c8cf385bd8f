//! The emulator's in-memory state.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{json, Map, Value};

use crate::config::{Fault, TestUser};
use crate::http_util::{iso8601, now_secs, ApiErr};
use crate::keys::random_hex;

/// A user: its `UserDto` fields and its password.
pub(crate) struct UserRec {
    pub doc: Map<String, Value>,
    pub password: Option<String>,
}

impl UserRec {
    pub fn id(&self) -> &str {
        self.doc.get("userId").and_then(Value::as_str).unwrap_or("")
    }
    pub fn field(&self, name: &str) -> Option<&str> {
        self.doc
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }
    /// The name CAS and logs know the user by.
    pub fn login_name(&self) -> String {
        self.field("username")
            .or_else(|| self.field("email"))
            .or_else(|| self.field("phone"))
            .unwrap_or_else(|| self.id())
            .to_owned()
    }
    pub fn to_dto(&self) -> Value {
        Value::Object(self.doc.clone())
    }
}

pub(crate) struct RoleRec {
    pub id: String,
    pub namespace: String,
    pub code: String,
    pub name: String,
    pub description: String,
    pub members: BTreeSet<String>,
}

impl RoleRec {
    pub fn to_dto(&self) -> Value {
        json!({
            "id": self.id, "code": self.code, "name": self.name,
            "description": self.description, "namespace": self.namespace,
            "namespaceName": self.namespace, "status": "ENABLE",
            "enablePermissionApply": false,
        })
    }
}

pub(crate) struct GroupRec {
    pub id: String,
    pub code: String,
    pub name: String,
    pub description: String,
    pub kind: String,
    pub members: BTreeSet<String>,
}

pub(crate) use crate::org_tree::OrgRec;

/// What a token is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum TokenKind {
    Access,
    Refresh,
}

pub(crate) struct TokenRec {
    pub kind: TokenKind,
    pub user_id: Option<String>,
    pub client_id: String,
    pub scope: String,
    pub iat: u64,
    pub exp: u64,
    pub revoked: bool,
    pub nonce: Option<String>,
    /// The resources the token is for (RFC 8707); empty: the client itself.
    pub audience: Vec<String>,
}

pub(crate) struct CodeRec {
    pub client_id: String,
    pub redirect_uri: String,
    pub user_id: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub challenge: Option<(String, String)>,
    pub exp: u64,
    /// The resources asked for at the authorization endpoint (RFC 8707).
    pub resources: Vec<String>,
}

pub(crate) struct TicketRec {
    pub app_id: String,
    pub service: String,
    pub user_id: String,
    pub exp: u64,
}

pub(crate) struct FaultRec {
    pub fault: Fault,
    pub remaining: Option<usize>,
}

#[derive(Default)]
pub(crate) struct Store {
    pub users: BTreeMap<String, UserRec>,
    pub roles: Vec<RoleRec>,
    pub groups: Vec<GroupRec>,
    pub orgs: Vec<OrgRec>,
    pub passcodes: HashMap<String, String>,
    pub tokens: HashMap<String, TokenRec>,
    pub codes: HashMap<String, CodeRec>,
    pub tickets: HashMap<String, TicketRec>,
    pub management_tokens: HashMap<String, u64>,
    pub faults: Vec<FaultRec>,
    pub counts: HashMap<String, usize>,
    pub mfa: crate::api::MfaState,
    seq: u64,
}

/// The `UserDto` fields a caller may set when creating or updating a user.
const USER_FIELDS: &[&str] = &[
    "address",
    "birthdate",
    "browser",
    "city",
    "company",
    "country",
    "customData",
    "departmentIds",
    "device",
    "email",
    "emailVerified",
    "externalId",
    "familyName",
    "formatted",
    "gender",
    "givenName",
    "identityNumber",
    "locale",
    "middleName",
    "name",
    "nickname",
    "phone",
    "phoneCountryCode",
    "phoneVerified",
    "photo",
    "postalCode",
    "preferredUsername",
    "profile",
    "province",
    "region",
    "status",
    "streetAddress",
    "username",
    "website",
    "zoneinfo",
];

/// Fields that must be unique across users.
const UNIQUE_FIELDS: &[&str] = &["email", "phone", "username", "externalId"];

impl Store {
    /// A new ObjectId-like id (24 hex digits), increasing with creation order.
    /// The next value of the store-wide sequence (e.g. members' join order).
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub fn new_id(&mut self) -> String {
        self.seq += 1;
        format!("{:08x}{:08x}{}", now_secs(), self.seq, random_hex(4))
    }

    /// Creates a user from `fields` (wire names of `UserDto`).
    pub fn create_user(
        &mut self,
        fields: &Map<String, Value>,
        password: Option<String>,
        source: &str,
    ) -> Result<String, ApiErr> {
        self.check_unique(None, fields)?;
        let id = self.new_id();
        let now = iso8601(now_secs());
        let mut doc = Map::new();
        doc.insert("userId".into(), json!(id));
        doc.insert("createdAt".into(), json!(now));
        doc.insert("updatedAt".into(), json!(now));
        doc.insert("status".into(), json!("Activated"));
        doc.insert("workStatus".into(), json!("Active"));
        doc.insert("userSourceType".into(), json!(source));
        doc.insert("emailVerified".into(), json!(false));
        doc.insert("phoneVerified".into(), json!(false));
        doc.insert("gender".into(), json!("U"));
        doc.insert("loginsCount".into(), json!(0));
        doc.insert("registerSource".into(), json!([source]));
        if password.is_some() {
            doc.insert("passwordLastSetAt".into(), json!(now));
        }
        merge_user_fields(&mut doc, fields);
        self.users.insert(id.clone(), UserRec { doc, password });
        Ok(id)
    }

    /// Adds a configured test user.
    pub fn add_test_user(&mut self, u: &TestUser) -> Result<String, ApiErr> {
        let mut f = Map::new();
        for (k, v) in [
            ("email", &u.email),
            ("username", &u.username),
            ("phone", &u.phone),
            ("name", &u.name),
        ] {
            if let Some(v) = v {
                f.insert(k.into(), json!(v));
            }
        }
        if u.email.is_some() {
            f.insert("emailVerified".into(), json!(true));
        }
        if u.phone.is_some() {
            f.insert("phoneVerified".into(), json!(true));
        }
        let pw = u.password.as_ref().map(|p| p.expose().to_owned());
        self.create_user(&f, pw, "adminCreated")
    }

    /// Fails with a conflict when another user already has one of the unique fields.
    pub fn check_unique(
        &self,
        except: Option<&str>,
        fields: &Map<String, Value>,
    ) -> Result<(), ApiErr> {
        for name in UNIQUE_FIELDS {
            let Some(v) = fields.get(*name).and_then(Value::as_str) else {
                continue;
            };
            if v.is_empty() {
                continue;
            }
            let clash = self
                .users
                .values()
                .any(|u| Some(u.id()) != except && u.field(name) == Some(v));
            if clash {
                return Err(ApiErr::new(
                    409,
                    Some(2026),
                    format!("a user with this {name} already exists"),
                ));
            }
        }
        Ok(())
    }

    /// Updates a user's fields; `Err` on a uniqueness clash.
    pub fn update_user(&mut self, id: &str, fields: &Map<String, Value>) -> Result<(), ApiErr> {
        self.check_unique(Some(id), fields)?;
        let user = self
            .users
            .get_mut(id)
            .ok_or_else(|| ApiErr::not_found(Some(2004), "the user does not exist"))?;
        merge_user_fields(&mut user.doc, fields);
        user.doc
            .insert("updatedAt".into(), json!(iso8601(now_secs())));
        Ok(())
    }

    /// The user whose `id_type` field is `id` (`user_id` by default).
    pub fn find_user(&self, id: &str, id_type: Option<&str>) -> Option<&UserRec> {
        let field = match id_type.unwrap_or("user_id") {
            "user_id" => return self.users.get(id),
            "external_id" => "externalId",
            "phone" => "phone",
            "email" => "email",
            "username" => "username",
            _ => return None,
        };
        self.users.values().find(|u| u.field(field) == Some(id))
    }

    /// The user signing in with `account`: matched on email, phone or username.
    pub fn find_by_account(&self, account: &str) -> Option<&UserRec> {
        self.users.values().find(|u| {
            u.field("email") == Some(account)
                || u.field("phone") == Some(account)
                || u.field("username") == Some(account)
        })
    }

    /// Deletes a user and everything that points at it.
    pub fn delete_user(&mut self, id: &str) -> bool {
        if self.users.remove(id).is_none() {
            return false;
        }
        for r in &mut self.roles {
            r.members.remove(id);
        }
        for g in &mut self.groups {
            g.members.remove(id);
        }
        for o in &mut self.orgs {
            for d in &mut o.depts {
                d.members.remove(id);
                d.leaders.retain(|l| l != id);
            }
        }
        self.tokens.retain(|_, t| t.user_id.as_deref() != Some(id));
        self.codes.retain(|_, c| c.user_id != id);
        self.mfa.forget_user(id);
        true
    }

    /// Adds a configured organization; its members must be configured users.
    pub fn add_organization(&mut self, org: &crate::config::Organization) -> Result<(), ApiErr> {
        let mut members = BTreeSet::new();
        for account in &org.members {
            let id = self
                .find_by_account(account)
                .map(|u| u.id().to_owned())
                .ok_or_else(|| {
                    ApiErr::invalid(format!(
                        "organization member {account} is not a configured user"
                    ))
                })?;
            members.insert(id);
        }
        let department_id = self.new_id();
        let mut root = crate::org_tree::DeptRec::new(
            department_id.clone(),
            None,
            org.name.clone(),
            iso8601(now_secs()),
        );
        for id in &members {
            root.members.insert(id.clone(), self.next_seq());
            self.link_department(id, &department_id, true);
        }
        self.orgs.push(OrgRec {
            code: org.code.clone(),
            depts: vec![root],
        });
        Ok(())
    }

    /// Records a sign-in on the user.
    pub fn record_login(&mut self, id: &str, app_id: &str) {
        if let Some(u) = self.users.get_mut(id) {
            let n = u
                .doc
                .get("loginsCount")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            u.doc.insert("loginsCount".into(), json!(n + 1));
            u.doc.insert("lastLogin".into(), json!(iso8601(now_secs())));
            u.doc.insert("lastLoginApp".into(), json!(app_id));
        }
    }

    pub fn role_mut(&mut self, namespace: &str, code: &str) -> Option<&mut RoleRec> {
        self.roles
            .iter_mut()
            .find(|r| r.namespace == namespace && r.code == code)
    }

    pub fn group_dto(&self, g: &GroupRec) -> Value {
        let members: Vec<Value> = g
            .members
            .iter()
            .filter_map(|id| self.users.get(id))
            .map(UserRec::to_dto)
            .collect();
        json!({
            "id": g.id, "code": g.code, "name": g.name, "description": g.description,
            "type": g.kind, "metadataSource": [], "members": members,
        })
    }

    /// Takes the passcode last sent to `target` if it equals `code`.
    pub fn take_passcode(&mut self, target: &str, code: &str) -> Result<(), ApiErr> {
        match self.passcodes.get(target) {
            Some(c) if crate::keys::secret_eq(c, code) => {
                self.passcodes.remove(target);
                Ok(())
            }
            _ => Err(ApiErr::new(
                400,
                Some(2001),
                "the verification code is wrong or has expired",
            )),
        }
    }

    /// The live token record of `token`, of kind `kind`.
    pub fn live_token(&self, token: &str, kind: TokenKind) -> Option<&TokenRec> {
        let now = now_secs();
        self.tokens
            .get(token)
            .filter(|t| t.kind == kind && !t.revoked && t.exp > now)
    }

    /// The first fault matching `path` that still applies; counts it down.
    pub fn take_fault(&mut self, path: &str) -> Option<Fault> {
        let idx = self
            .faults
            .iter()
            .position(|f| f.fault.matches(path) && f.remaining != Some(0))?;
        let rec = &mut self.faults[idx];
        if let Some(n) = rec.remaining.as_mut() {
            *n -= 1;
        }
        Some(rec.fault.clone())
    }
}

fn merge_user_fields(doc: &mut Map<String, Value>, fields: &Map<String, Value>) {
    for name in USER_FIELDS {
        if let Some(v) = fields.get(*name) {
            if !v.is_null() {
                doc.insert((*name).to_owned(), v.clone());
            }
        }
    }
}

/// Pages `items`: `page` counts from 1.
pub(crate) fn paginate<T>(items: Vec<T>, page: i64, limit: i64) -> (Vec<T>, usize) {
    let total = items.len();
    let limit = limit.clamp(1, 1000) as usize;
    let skip = (page.max(1) as usize - 1).saturating_mul(limit);
    (items.into_iter().skip(skip).take(limit).collect(), total)
}
