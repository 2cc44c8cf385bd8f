//! Sign-up, sign-in and the pass codes they use (`send-sms`, `send-email`).

use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{user_not_found, ApiResult};
use crate::http_util::{check_email, ApiErr, Req};
use crate::keys::{random_digits, secret_eq};
use crate::store::UserRec;
use crate::Shared;

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

pub(super) fn sign_up(shared: &Shared, req: &Req) -> ApiResult {
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
                check_email("passwordPayload.email", &e)?;
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
                (Some(e), _) => {
                    check_email("passCodePayload.email", e)?;
                    (e.clone(), "email", "emailVerified")
                }
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

#[derive(Deserialize)]
struct DirectoryPayload {
    #[serde(rename = "sAMAccountName")]
    account: String,
    password: String,
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
    ldap_payload: Option<DirectoryPayload>,
    #[serde(default)]
    ad_payload: Option<DirectoryPayload>,
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
    match secret {
        Some(given) => {
            let ok = app
                .secret
                .as_ref()
                .is_some_and(|s| secret_eq(s.expose(), &given));
            if !ok {
                return Err(ApiErr::new(401, None, "the app credentials are wrong"));
            }
        }
        // An app that authenticates with its secret must send it.
        None if app.auth_method != genauth_core::TokenEndpointAuthMethod::None => {
            return Err(ApiErr::new(
                401,
                None,
                "client_secret: is required, as the app authenticates with client_secret_post \
                 or client_secret_basic (send client_id and client_secret, or Basic credentials)",
            ));
        }
        None => {}
    }
    Ok(id)
}

pub(super) fn sign_in(shared: &Shared, req: &Req) -> ApiResult {
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
                let (field, payload) = match body.connection {
                    Connection::Ldap => ("ldapPayload", body.ldap_payload),
                    _ => ("adPayload", body.ad_payload),
                };
                let p = payload.ok_or_else(|| ApiErr::invalid(format!("{field}: is required")))?;
                let kind = match body.connection {
                    Connection::Ldap => crate::config::Directory::Ldap,
                    _ => crate::config::Directory::Ad,
                };
                directory_user(shared, &mut store, kind, &p)?
            }
        };
        id
    };
    super::mfa::second_factor_step(shared, &user_id, &app_id, &scope)?;
    token_set(shared, &app_id, &user_id, &scope)
}

/// Signs a directory account in: its password is checked against the
/// configured directory users; the first sign-in creates the user (username
/// = the account name).
fn directory_user(
    shared: &Shared,
    store: &mut crate::store::Store,
    kind: crate::config::Directory,
    p: &DirectoryPayload,
) -> Result<String, ApiErr> {
    let entry = shared
        .directory
        .iter()
        .find(|d| d.kind == kind && d.account == p.account)
        .filter(|d| secret_eq(d.password.expose(), &p.password))
        .ok_or_else(|| {
            ApiErr::new(
                400,
                Some(2006),
                "the directory account or its password is wrong",
            )
        })?;
    if let Some(u) = store.find_user(&entry.account, Some("username")) {
        return Ok(u.id().to_owned());
    }
    let mut fields = Map::new();
    fields.insert("username".into(), json!(entry.account));
    if let Some(e) = &entry.email {
        fields.insert("email".into(), json!(e));
    }
    let source = match kind {
        crate::config::Directory::Ldap => "ldap",
        crate::config::Directory::Ad => "ad",
    };
    store.create_user(&fields, None, source)
}

/// What `/api/v3/signin` answers once the user is known: the login is
/// recorded and tokens are issued for `app_id`.
pub(super) fn token_set(shared: &Shared, app_id: &str, user_id: &str, scope: &str) -> ApiResult {
    shared.store().record_login(user_id, app_id);
    let issued = crate::oidc::issue_tokens(shared, app_id, Some(user_id), scope, None)?;
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

pub(super) fn send_sms(shared: &Shared, req: &Req) -> ApiResult {
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

pub(super) fn send_email(shared: &Shared, req: &Req) -> ApiResult {
    let body: SendEmail = req.json()?;
    shared
        .store()
        .passcodes
        .insert(body.email, random_digits(6));
    Ok(Value::Null)
}
