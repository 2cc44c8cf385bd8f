//! The `/api/v3` operations with state: sign-up, sign-in, profile, the
//! management token, users, roles and groups.

use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::http_util::{
    envelope_err, envelope_ok, get, int, now_secs, required, ApiErr, Reply, Req,
};
use crate::keys::{random_digits, secret_eq};
use crate::store::{paginate, GroupRec, RoleRec, Store, TokenKind, UserRec};
use crate::Shared;

type ApiResult = Result<Value, ApiErr>;

/// Answers `req` when it is an operation with state; `None` otherwise.
pub(crate) fn handle(shared: &Shared, req: &Req) -> Option<Reply> {
    let result = match (req.method.as_str(), req.path.as_str()) {
        ("POST", "/api/v3/get-management-token") => management_token(shared, req),
        // Authentication API.
        ("POST", "/api/v3/signup") => sign_up(shared, req),
        ("POST", "/api/v3/signin") => sign_in(shared, req),
        ("POST", "/api/v3/send-sms") => send_sms(shared, req),
        ("POST", "/api/v3/send-email") => send_email(shared, req),
        ("GET", "/api/v3/get-profile") => get_profile(shared, req),
        ("POST", "/api/v3/update-profile") => update_profile(shared, req),
        ("POST", "/api/v3/update-password") => update_password(shared, req),
        ("POST", "/api/v3/bind-email") => bind_email(shared, req),
        ("POST", "/api/v3/bind-phone") => bind_phone(shared, req),
        ("GET", "/api/v3/get-my-role-list") => my_roles(shared, req),
        ("GET", "/api/v3/get-my-group-list") => my_groups(shared, req),
        // Management API.
        (m, p) => {
            let op: fn(&mut Store, &Req) -> ApiResult = match (m, p) {
                ("POST", "/api/v3/create-user") => create_user,
                ("GET", "/api/v3/get-user") => get_user,
                ("GET", "/api/v3/get-user-batch") => get_user_batch,
                ("POST", "/api/v3/list-users") => list_users,
                ("GET", "/api/v3/list-users") => list_users_legacy,
                ("POST", "/api/v3/update-user") => update_user,
                ("POST", "/api/v3/delete-users-batch") => delete_users,
                ("POST", "/api/v3/create-role") => create_role,
                ("GET", "/api/v3/get-role") => get_role,
                ("GET", "/api/v3/list-roles") => list_roles,
                ("POST", "/api/v3/delete-roles-batch") => delete_roles,
                ("POST", "/api/v3/assign-role") => assign_role,
                ("POST", "/api/v3/revoke-role") => revoke_role,
                ("GET", "/api/v3/get-user-roles") => get_user_roles,
                ("GET", "/api/v3/list-role-members") => list_role_members,
                ("POST", "/api/v3/create-group") => create_group,
                ("GET", "/api/v3/get-group") => get_group,
                ("GET", "/api/v3/list-groups") => list_groups,
                ("POST", "/api/v3/delete-groups-batch") => delete_groups,
                ("POST", "/api/v3/add-group-members") => add_group_members,
                ("POST", "/api/v3/remove-group-members") => remove_group_members,
                ("GET", "/api/v3/list-group-members") => list_group_members,
                ("GET", "/api/v3/get-user-groups") => get_user_groups,
                ("GET", "/api/v3/list-organizations") => list_organizations,
                ("GET", "/api/v3/get-organization") => get_organization,
                ("GET", "/api/v3/get-organization-batch") => get_organizations_batch,
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

/// The signed-in user's id, from the raw access token in `authorization`.
pub(crate) fn signed_in_user(shared: &Shared, req: &Req) -> Result<String, ApiErr> {
    let raw = req
        .header("authorization")
        .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).trim())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiErr::new(401, Some(2020), "the caller is not signed in"))?;
    user_of_token(shared, raw).ok_or_else(|| {
        ApiErr::new(
            401,
            Some(2206),
            "the login has expired or the token is not valid",
        )
    })
}

fn user_not_found() -> ApiErr {
    ApiErr::not_found(Some(2004), "the user does not exist")
}

// ------------------------------------------------------------ management token

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenReq {
    access_key_id: String,
    access_key_secret: String,
}

fn management_token(shared: &Shared, req: &Req) -> ApiResult {
    let body: TokenReq = req.json()?;
    let ok = shared.access_keys.iter().any(|k| {
        k.id == body.access_key_id && secret_eq(k.secret.expose(), &body.access_key_secret)
    });
    if !ok {
        return Err(ApiErr::new(
            401,
            None,
            "the access key id or secret is wrong",
        ));
    }
    let now = now_secs();
    let ttl = shared.lifetimes.management_token.as_secs();
    let claims = json!({
        "scoped_userpool_id": shared.userpool_id,
        "sub": body.access_key_id,
        "iss": shared.base_url,
        "iat": now,
        "exp": now + ttl,
        "jti": crate::keys::random_hex(12),
    });
    let token = shared
        .key
        .sign(&claims)
        .map_err(|_| ApiErr::new(500, None, "cannot sign the token"))?;
    shared
        .store()
        .management_tokens
        .insert(token.clone(), now + ttl);
    Ok(json!({"access_token": token, "expires_in": ttl}))
}

// ------------------------------------------------------------ authentication

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PasswordPayload {
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    username: Option<String>,
    password: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PassCodePayload {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    pass_code: String,
}

#[derive(Deserialize)]
enum Connection {
    #[serde(rename = "PASSWORD")]
    Password,
    #[serde(rename = "PASSCODE")]
    PassCode,
    #[serde(rename = "LDAP")]
    Ldap,
    #[serde(rename = "AD")]
    Ad,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignUpReq {
    connection: Connection,
    #[serde(default)]
    password_payload: Option<PasswordPayload>,
    #[serde(default)]
    pass_code_payload: Option<PassCodePayload>,
    #[serde(default)]
    profile: Option<Map<String, Value>>,
}

fn sign_up(shared: &Shared, req: &Req) -> ApiResult {
    let body: SignUpReq = req.json()?;
    let mut fields = body.profile.unwrap_or_default();
    let mut store = shared.store();
    let password = match body.connection {
        Connection::Password => {
            let p = body
                .password_payload
                .ok_or_else(|| ApiErr::invalid("passwordPayload: is required"))?;
            if p.email.is_none() && p.username.is_none() {
                return Err(ApiErr::new(
                    400,
                    Some(2028),
                    "passwordPayload: an email or a username is required",
                ));
            }
            if let Some(e) = p.email {
                fields.insert("email".into(), json!(e));
            }
            if let Some(u) = p.username {
                fields.insert("username".into(), json!(u));
            }
            Some(p.password)
        }
        Connection::PassCode => {
            let p = body
                .pass_code_payload
                .ok_or_else(|| ApiErr::invalid("passCodePayload: is required"))?;
            let (target, field, verified) = match (&p.email, &p.phone) {
                (Some(e), _) => (e.clone(), "email", "emailVerified"),
                (None, Some(ph)) => (ph.clone(), "phone", "phoneVerified"),
                _ => {
                    return Err(ApiErr::new(
                        400,
                        Some(2028),
                        "passCodePayload: an email or a phone is required",
                    ))
                }
            };
            store.check_unique(None, &Map::from_iter([(field.into(), json!(target))]))?;
            store.take_passcode(&target, &p.pass_code)?;
            fields.insert(field.into(), json!(target));
            fields.insert(verified.into(), json!(true));
            None
        }
        Connection::Ldap | Connection::Ad => {
            return Err(ApiErr::invalid(
                "connection: only PASSWORD and PASSCODE sign-up are supported",
            ))
        }
    };
    let id = store.create_user(&fields, password, "register")?;
    Ok(store
        .users
        .get(&id)
        .map(UserRec::to_dto)
        .unwrap_or_default())
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct SignInOptions {
    #[serde(default)]
    scope: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignInReq {
    connection: Connection,
    #[serde(default)]
    password_payload: Option<PasswordPayload>,
    #[serde(default)]
    pass_code_payload: Option<PassCodePayload>,
    #[serde(default)]
    options: Option<SignInOptions>,
    #[serde(default, rename = "client_id")]
    client_id: Option<String>,
    #[serde(default, rename = "client_secret")]
    client_secret: Option<String>,
}

/// Decodes `authorization: Basic` into (id, secret).
pub(crate) fn basic_credentials(req: &Req) -> Option<(String, String)> {
    let b64 = req.header("authorization")?.strip_prefix("Basic ")?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (id, secret) = text.split_once(':')?;
    let decode = |s: &str| {
        serde_html_form::from_str::<Vec<(String, String)>>(&format!("v={s}"))
            .ok()
            .and_then(|v| v.into_iter().next())
            .map(|(_, v)| v)
            .unwrap_or_else(|| s.to_owned())
    };
    Some((decode(id), decode(secret)))
}

/// The app a sign-in call is for, checking the client credentials it carries.
fn sign_in_app(
    shared: &Shared,
    req: &Req,
    client_id: Option<&str>,
    client_secret: Option<&str>,
) -> Result<String, ApiErr> {
    let (id, secret) = match basic_credentials(req) {
        Some((id, secret)) => (id, Some(secret)),
        None => match client_id.or(req.header("x-genauth-app-id")) {
            Some(id) => (id.to_owned(), client_secret.map(str::to_owned)),
            None => return Err(ApiErr::invalid("x-genauth-app-id: is required")),
        },
    };
    let app = shared
        .app(&id)
        .ok_or_else(|| ApiErr::not_found(Some(2011), "the application does not exist"))?;
    if let Some(given) = secret {
        let ok = app
            .secret
            .as_ref()
            .is_some_and(|s| secret_eq(s.expose(), &given));
        if !ok {
            return Err(ApiErr::new(401, None, "the app credentials are wrong"));
        }
    }
    Ok(id)
}

fn sign_in(shared: &Shared, req: &Req) -> ApiResult {
    let body: SignInReq = req.json()?;
    let app_id = sign_in_app(
        shared,
        req,
        body.client_id.as_deref(),
        body.client_secret.as_deref(),
    )?;
    let scope = body
        .options
        .and_then(|o| o.scope)
        .unwrap_or_else(|| "openid profile".to_owned());
    let user_id = {
        let mut store = shared.store();
        let id = match body.connection {
            Connection::Password => {
                let p = body
                    .password_payload
                    .ok_or_else(|| ApiErr::invalid("passwordPayload: is required"))?;
                let user = p
                    .account
                    .as_deref()
                    .and_then(|a| store.find_by_account(a))
                    .or_else(|| {
                        p.email
                            .as_deref()
                            .and_then(|e| store.find_user(e, Some("email")))
                    })
                    .or_else(|| {
                        p.phone
                            .as_deref()
                            .and_then(|e| store.find_user(e, Some("phone")))
                    })
                    .or_else(|| {
                        p.username
                            .as_deref()
                            .and_then(|e| store.find_user(e, Some("username")))
                    })
                    .ok_or_else(user_not_found)?;
                let ok = user
                    .password
                    .as_deref()
                    .is_some_and(|pw| secret_eq(pw, &p.password));
                if !ok {
                    return Err(ApiErr::new(400, Some(2006), "the password is wrong"));
                }
                user.id().to_owned()
            }
            Connection::PassCode => {
                let p = body
                    .pass_code_payload
                    .ok_or_else(|| ApiErr::invalid("passCodePayload: is required"))?;
                let (target, field) = match (&p.email, &p.phone) {
                    (Some(e), _) => (e.clone(), "email"),
                    (None, Some(ph)) => (ph.clone(), "phone"),
                    _ => {
                        return Err(ApiErr::new(
                            400,
                            Some(2028),
                            "passCodePayload: an email or a phone is required",
                        ))
                    }
                };
                let id = store
                    .find_user(&target, Some(field))
                    .map(|u| u.id().to_owned())
                    .ok_or_else(user_not_found)?;
                store.take_passcode(&target, &p.pass_code)?;
                id
            }
            Connection::Ldap | Connection::Ad => {
                return Err(ApiErr::invalid(
                    "connection: LDAP and AD sign-in are not emulated",
                ))
            }
        };
        store.record_login(&id, &app_id);
        id
    };
    let issued = crate::oidc::issue_tokens(shared, &app_id, Some(&user_id), &scope, None)?;
    let mut data = json!({
        "access_token": issued.access_token,
        "expire_in": issued.expires_in,
        "token_type": "Bearer",
        "scope": issued.scope,
    });
    if let Some(t) = issued.id_token {
        data["id_token"] = json!(t);
    }
    if let Some(t) = issued.refresh_token {
        data["refresh_token"] = json!(t);
    }
    Ok(data)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SendSms {
    #[allow(dead_code)]
    channel: String,
    phone_number: String,
}

fn send_sms(shared: &Shared, req: &Req) -> ApiResult {
    let body: SendSms = req.json()?;
    shared
        .store()
        .passcodes
        .insert(body.phone_number, random_digits(6));
    Ok(Value::Null)
}

#[derive(Deserialize)]
struct SendEmail {
    #[allow(dead_code)]
    channel: String,
    email: String,
}

fn send_email(shared: &Shared, req: &Req) -> ApiResult {
    let body: SendEmail = req.json()?;
    shared
        .store()
        .passcodes
        .insert(body.email, random_digits(6));
    Ok(Value::Null)
}

fn get_profile(shared: &Shared, req: &Req) -> ApiResult {
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

fn update_profile(shared: &Shared, req: &Req) -> ApiResult {
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

fn update_password(shared: &Shared, req: &Req) -> ApiResult {
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

fn bind_email(shared: &Shared, req: &Req) -> ApiResult {
    let id = signed_in_user(shared, req)?;
    let body: BindEmail = req.json()?;
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

fn bind_phone(shared: &Shared, req: &Req) -> ApiResult {
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

fn my_roles(shared: &Shared, req: &Req) -> ApiResult {
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

fn my_groups(shared: &Shared, req: &Req) -> ApiResult {
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

// ------------------------------------------------------------------ users

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
    if let Some(g) = body.get("gender").and_then(Value::as_str) {
        if !["M", "F", "U"].contains(&g) {
            return Err(ApiErr::invalid("gender: must be M, F or U"));
        }
    }
    Ok(())
}

fn create_user(store: &mut Store, req: &Req) -> ApiResult {
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

fn get_user(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let id = required(&q, "userId")?;
    store
        .find_user(id, get(&q, "userIdType"))
        .map(UserRec::to_dto)
        .ok_or_else(user_not_found)
}

fn get_user_batch(store: &mut Store, req: &Req) -> ApiResult {
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

fn list_users(store: &mut Store, req: &Req) -> ApiResult {
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

fn list_users_legacy(store: &mut Store, req: &Req) -> ApiResult {
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

fn update_user(store: &mut Store, req: &Req) -> ApiResult {
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

fn delete_users(store: &mut Store, req: &Req) -> ApiResult {
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

// ------------------------------------------------------------------ roles

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

fn create_role(store: &mut Store, req: &Req) -> ApiResult {
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

fn get_role(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let code = required(&q, "code")?;
    let ns = default_ns(get(&q, "namespace").map(str::to_owned));
    store
        .role_mut(&ns, code)
        .map(|r| r.to_dto())
        .ok_or_else(role_not_found)
}

fn list_roles(store: &mut Store, req: &Req) -> ApiResult {
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
struct CodeList {
    code_list: Vec<String>,
    #[serde(default)]
    namespace: Option<String>,
}

fn delete_roles(store: &mut Store, req: &Req) -> ApiResult {
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

fn assign_role(store: &mut Store, req: &Req) -> ApiResult {
    role_targets(store, req, true)
}

fn revoke_role(store: &mut Store, req: &Req) -> ApiResult {
    role_targets(store, req, false)
}

fn get_user_roles(store: &mut Store, req: &Req) -> ApiResult {
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

fn list_role_members(store: &mut Store, req: &Req) -> ApiResult {
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

// ------------------------------------------------------------------ groups

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

fn create_group(store: &mut Store, req: &Req) -> ApiResult {
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

fn get_group(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let code = required(&q, "code")?;
    let g = store
        .groups
        .iter()
        .find(|g| g.code == code)
        .ok_or_else(group_not_found)?;
    Ok(store.group_dto(g))
}

fn list_groups(store: &mut Store, req: &Req) -> ApiResult {
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

fn delete_groups(store: &mut Store, req: &Req) -> ApiResult {
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

fn add_group_members(store: &mut Store, req: &Req) -> ApiResult {
    group_members(store, req, true)
}

fn remove_group_members(store: &mut Store, req: &Req) -> ApiResult {
    group_members(store, req, false)
}

fn list_group_members(store: &mut Store, req: &Req) -> ApiResult {
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

fn get_user_groups(store: &mut Store, req: &Req) -> ApiResult {
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

// ------------------------------------------------------------ organizations

fn list_organizations(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let all: Vec<Value> = store.orgs.iter().map(|o| o.to_dto(store)).collect();
    let fetch_all = get(&q, "fetchAll") == Some("true");
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

fn get_organization(store: &mut Store, req: &Req) -> ApiResult {
    let q = req.query_pairs();
    let code = required(&q, "organizationCode")?;
    store
        .orgs
        .iter()
        .find(|o| o.code == code)
        .map(|o| o.to_dto(store))
        .ok_or_else(|| ApiErr::not_found(None, "the organization does not exist"))
}

fn get_organizations_batch(store: &mut Store, req: &Req) -> ApiResult {
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
