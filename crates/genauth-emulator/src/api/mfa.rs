//! MFA: enrolling TOTP (RFC 6238, through `totp-rs`), SMS and email
//! factors, verifying them, and the sign-in step that asks for a second
//! factor and its completion with an MFA token.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{json, Value};
use totp_rs::{Algorithm, Secret, TOTP};

use super::{signed_in_user, ApiResult};
use crate::http_util::{get, now_secs, required, ApiErr, Req};
use crate::keys::{random_digits, random_hex, random_token};
use crate::Shared;

/// How long an enrollment token and an MFA token live.
const ENROLLMENT_SECS: u64 = 600;
const MFA_TOKEN_SECS: u64 = 600;

#[derive(Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub(crate) enum FactorType {
    Otp,
    Sms,
    Email,
    Face,
}

impl FactorType {
    fn name(self) -> &'static str {
        match self {
            FactorType::Otp => "OTP",
            FactorType::Sms => "SMS",
            FactorType::Email => "EMAIL",
            FactorType::Face => "FACE",
        }
    }
}

pub(crate) struct FactorRec {
    id: String,
    user_id: String,
    kind: FactorType,
    /// `{phoneNumber}` or `{email}`; `{}` for OTP.
    profile: Value,
    /// The TOTP key (OTP only).
    secret: Vec<u8>,
}

struct EnrollmentRec {
    user_id: String,
    kind: FactorType,
    profile: Value,
    secret: Vec<u8>,
    exp: u64,
}

struct MfaTokenRec {
    user_id: String,
    app_id: String,
    scope: String,
    iat: u64,
    exp: u64,
}

/// The MFA state of the store.
#[derive(Default)]
pub(crate) struct MfaState {
    factors: Vec<FactorRec>,
    enrollments: HashMap<String, EnrollmentRec>,
    tokens: HashMap<String, MfaTokenRec>,
}

impl MfaState {
    /// Forgets everything about a deleted user.
    pub(crate) fn forget_user(&mut self, user_id: &str) {
        self.factors.retain(|f| f.user_id != user_id);
        self.enrollments.retain(|_, e| e.user_id != user_id);
        self.tokens.retain(|_, t| t.user_id != user_id);
    }
}

fn totp(secret: &[u8]) -> Result<TOTP, ApiErr> {
    TOTP::new(Algorithm::SHA1, 6, 1, 30, secret.to_vec())
        .map_err(|_| ApiErr::new(500, None, "cannot set up the TOTP key"))
}

fn totp_ok(secret: &[u8], code: &str) -> Result<bool, ApiErr> {
    Ok(totp(secret)?.check_current(code.trim()).unwrap_or(false))
}

fn factor_dto(f: &FactorRec) -> Value {
    json!({"factorId": f.id, "factorType": f.kind.name(), "profile": f.profile})
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Profile {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone_number: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SendEnroll {
    profile: Profile,
    factor_type: FactorType,
}

/// `send-enroll-factor-request`: starts enrolling a factor. OTP answers the
/// key as an `otpauth://` URI; SMS and email send a passcode
/// (`last_passcode`).
pub(super) fn send_enroll_factor_request(shared: &Shared, req: &Req) -> ApiResult {
    let user_id = signed_in_user(shared, req)?;
    let body: SendEnroll = req.json()?;
    let mut store = shared.store();
    let account = store
        .users
        .get(&user_id)
        .map(|u| u.login_name())
        .unwrap_or_default();
    let token = random_token(24);
    let (profile, secret, otp_data) = match body.factor_type {
        FactorType::Otp => {
            let mut secret = vec![0u8; 20];
            aws_lc_rs::rand::fill(&mut secret)
                .map_err(|_| ApiErr::new(500, None, "cannot make a TOTP key"))?;
            let encoded = Secret::Raw(secret.clone()).to_encoded().to_string();
            let label = percent_encoding::utf8_percent_encode(
                &format!("GenAuth emulator:{account}"),
                percent_encoding::NON_ALPHANUMERIC,
            )
            .to_string();
            let uri = format!(
                "otpauth://totp/{label}?secret={encoded}&issuer=GenAuth%20emulator&algorithm=SHA1&digits=6&period=30"
            );
            let data =
                json!({"qrCodeUri": uri, "qrCodeDataUrl": "", "recoveryCode": random_hex(16)});
            (json!({}), secret, Some(data))
        }
        FactorType::Sms => {
            let phone = body
                .profile
                .phone_number
                .ok_or_else(|| ApiErr::invalid("profile.phoneNumber: is required for SMS"))?;
            store.passcodes.insert(phone.clone(), random_digits(6));
            (json!({"phoneNumber": phone}), Vec::new(), None)
        }
        FactorType::Email => {
            let email = body
                .profile
                .email
                .ok_or_else(|| ApiErr::invalid("profile.email: is required for EMAIL"))?;
            crate::http_util::check_email("profile.email", &email)?;
            store.passcodes.insert(email.clone(), random_digits(6));
            (json!({"email": email}), Vec::new(), None)
        }
        FactorType::Face => {
            return Err(ApiErr::invalid(
                "factorType: FACE is not emulated (OTP, SMS and EMAIL are)",
            ))
        }
    };
    store.mfa.enrollments.insert(
        token.clone(),
        EnrollmentRec {
            user_id,
            kind: body.factor_type,
            profile,
            secret,
            exp: now_secs() + ENROLLMENT_SECS,
        },
    );
    let mut data = json!({"enrollmentToken": token});
    if let Some(otp) = otp_data {
        data["otpData"] = otp;
    }
    Ok(data)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EnrollmentData {
    pass_code: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Enroll {
    enrollment_data: EnrollmentData,
    enrollment_token: String,
    factor_type: FactorType,
}

/// `enroll-factor`: completes an enrollment with the code the factor shows.
pub(super) fn enroll_factor(shared: &Shared, req: &Req) -> ApiResult {
    let user_id = signed_in_user(shared, req)?;
    let body: Enroll = req.json()?;
    let mut store = shared.store();
    let e = store
        .mfa
        .enrollments
        .remove(&body.enrollment_token)
        .filter(|e| e.user_id == user_id && e.exp > now_secs() && e.kind == body.factor_type)
        .ok_or_else(|| {
            ApiErr::invalid("enrollmentToken: is unknown, expired or for another factor type")
        })?;
    let code = body.enrollment_data.pass_code;
    match e.kind {
        FactorType::Otp => {
            if !totp_ok(&e.secret, &code)? {
                return Err(ApiErr::invalid(
                    "enrollmentData.passCode: the TOTP code is wrong",
                ));
            }
        }
        FactorType::Sms | FactorType::Email => {
            let target = e.profile["phoneNumber"]
                .as_str()
                .or(e.profile["email"].as_str())
                .unwrap_or_default()
                .to_owned();
            store.take_passcode(&target, &code)?;
        }
        FactorType::Face => return Err(ApiErr::invalid("factorType: FACE is not emulated")),
    }
    let id = store.new_id();
    let mfa = &mut store.mfa;
    mfa.factors
        .retain(|f| !(f.user_id == user_id && f.kind == e.kind));
    mfa.factors.push(FactorRec {
        id,
        user_id,
        kind: e.kind,
        profile: e.profile,
        secret: e.secret,
    });
    Ok(Value::Null)
}

pub(super) fn list_enrolled_factors(shared: &Shared, req: &Req) -> ApiResult {
    let user_id = signed_in_user(shared, req)?;
    let store = shared.store();
    let list: Vec<Value> = store
        .mfa
        .factors
        .iter()
        .filter(|f| f.user_id == user_id)
        .map(factor_dto)
        .collect();
    Ok(json!(list))
}

fn factor_not_found() -> ApiErr {
    ApiErr::not_found(None, "the factor does not exist")
}

pub(super) fn get_factor(shared: &Shared, req: &Req) -> ApiResult {
    let user_id = signed_in_user(shared, req)?;
    let q = req.query_pairs();
    let id = required(&q, "factorId")?;
    let store = shared.store();
    store
        .mfa
        .factors
        .iter()
        .find(|f| f.user_id == user_id && f.id == id)
        .map(factor_dto)
        .ok_or_else(factor_not_found)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FactorId {
    factor_id: String,
}

pub(super) fn reset_factor(shared: &Shared, req: &Req) -> ApiResult {
    let user_id = signed_in_user(shared, req)?;
    let body: FactorId = req.json()?;
    let mut store = shared.store();
    let before = store.mfa.factors.len();
    store
        .mfa
        .factors
        .retain(|f| !(f.user_id == user_id && f.id == body.factor_id));
    if store.mfa.factors.len() == before {
        return Err(factor_not_found());
    }
    Ok(Value::Null)
}

pub(super) fn list_factors_to_enroll(shared: &Shared, req: &Req) -> ApiResult {
    let user_id = signed_in_user(shared, req)?;
    let store = shared.store();
    let list: Vec<Value> = [FactorType::Otp, FactorType::Sms, FactorType::Email]
        .into_iter()
        .filter(|k| {
            !store
                .mfa
                .factors
                .iter()
                .any(|f| f.user_id == user_id && f.kind == *k)
        })
        .map(|k| json!({"factorType": k.name()}))
        .collect();
    Ok(json!(list))
}

#[derive(Deserialize)]
struct Totp {
    totp: String,
}

fn check_user_totp(shared: &Shared, user_id: &str, code: &str) -> Result<(), ApiErr> {
    let store = shared.store();
    let f = store
        .mfa
        .factors
        .iter()
        .find(|f| f.user_id == user_id && f.kind == FactorType::Otp)
        .ok_or_else(|| ApiErr::invalid("totp: the user has no OTP factor enrolled"))?;
    if totp_ok(&f.secret, code)? {
        Ok(())
    } else {
        Err(ApiErr::invalid("totp: the code is wrong"))
    }
}

/// `mfa-totp-verify`: checks a code of the signed-in user's TOTP factor.
pub(super) fn mfa_totp_verify(shared: &Shared, req: &Req) -> ApiResult {
    let user_id = signed_in_user(shared, req)?;
    let body: Totp = req.json()?;
    check_user_totp(shared, &user_id, &body.totp)?;
    Ok(json!({"verified": true}))
}

// ------------------------------------------------------------ sign-in step

/// When the user has a factor, sign-in stops here: an error envelope with
/// statusCode 302 (a flow step, as GenAuth's hosted login reads 3xx),
/// `apiCode` 1635 and `data: {mfaToken, factors}`.
pub(super) fn second_factor_step(
    shared: &Shared,
    user_id: &str,
    app_id: &str,
    scope: &str,
) -> Result<(), ApiErr> {
    let mut store = shared.store();
    let factors: Vec<Value> = store
        .mfa
        .factors
        .iter()
        .filter(|f| f.user_id == user_id)
        .map(|f| json!({"factorType": f.kind.name(), "profile": f.profile}))
        .collect();
    if factors.is_empty() {
        return Ok(());
    }
    let token = random_token(32);
    let now = now_secs();
    store.mfa.tokens.insert(
        token.clone(),
        MfaTokenRec {
            user_id: user_id.to_owned(),
            app_id: app_id.to_owned(),
            scope: scope.to_owned(),
            iat: now,
            exp: now + MFA_TOKEN_SECS,
        },
    );
    Err(ApiErr::new(
        302,
        Some(1635),
        "a second factor is required: complete the sign-in with the mfaToken",
    )
    .with_data(json!({"mfaToken": token, "factors": factors})))
}

fn mfa_token(req: &Req) -> Result<String, ApiErr> {
    req.header("authorization")
        .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).trim().to_owned())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiErr::new(401, None, "authorization: the mfaToken is required"))
}

#[derive(Deserialize)]
struct PhoneCode {
    phone: String,
    code: String,
}

#[derive(Deserialize)]
struct EmailCode {
    email: String,
    code: String,
}

/// Completes a sign-in that stopped for a second factor:
/// `POST /api/v2/mfa/totp/verify` (`{totp}`),
/// `POST /api/v2/applications/mfa/sms/verify` (`{phone, code}`) or
/// `POST /api/v2/applications/mfa/email/verify` (`{email, code}`), with
/// `authorization: Bearer <mfaToken>`. Answers what `/api/v3/signin` does.
pub(super) fn complete(shared: &Shared, req: &Req, kind: FactorType) -> ApiResult {
    let token = mfa_token(req)?;
    let rec = {
        let store = shared.store();
        let rec = store
            .mfa
            .tokens
            .get(&token)
            .filter(|t| t.exp > now_secs())
            .ok_or_else(|| ApiErr::new(401, None, "the mfaToken is unknown or has expired"))?;
        (rec.user_id.clone(), rec.app_id.clone(), rec.scope.clone())
    };
    let (user_id, app_id, scope) = rec;
    let has_factor = |store: &crate::store::Store, target: Option<&str>| {
        store.mfa.factors.iter().any(|f| {
            f.user_id == user_id
                && f.kind == kind
                && target.is_none_or(|t| {
                    f.profile["phoneNumber"].as_str() == Some(t)
                        || f.profile["email"].as_str() == Some(t)
                })
        })
    };
    match kind {
        FactorType::Otp => {
            let body: Totp = req.json()?;
            check_user_totp(shared, &user_id, &body.totp)?;
        }
        FactorType::Sms => {
            let body: PhoneCode = req.json()?;
            let mut store = shared.store();
            if !has_factor(&store, Some(&body.phone)) {
                return Err(ApiErr::invalid("phone: is not an enrolled SMS factor"));
            }
            store.take_passcode(&body.phone, &body.code)?;
        }
        FactorType::Email => {
            let body: EmailCode = req.json()?;
            let mut store = shared.store();
            if !has_factor(&store, Some(&body.email)) {
                return Err(ApiErr::invalid("email: is not an enrolled EMAIL factor"));
            }
            store.take_passcode(&body.email, &body.code)?;
        }
        FactorType::Face => return Err(ApiErr::invalid("FACE is not emulated")),
    }
    shared.store().mfa.tokens.remove(&token);
    super::signin::token_set(shared, &app_id, &user_id, &scope)
}

/// `/mfa/token/introspection` (form `token`): whether an MFA token is live.
pub(super) fn introspect(shared: &Shared, req: &Req) -> ApiResult {
    let p = req.form_pairs();
    let token = get(&p, "token").ok_or_else(|| ApiErr::invalid("token: is required"))?;
    let store = shared.store();
    Ok(
        match store.mfa.tokens.get(token).filter(|t| t.exp > now_secs()) {
            Some(t) => json!({"active": true, "userId": t.user_id,
            "userPoolId": shared.userpool_id, "iat": t.iat, "exp": t.exp}),
            None => json!({"active": false}),
        },
    )
}
