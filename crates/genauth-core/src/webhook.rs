//! Webhooks: check that a delivery comes from GenAuth (or Authing) and decode
//! its event.
//!
//! The service POSTs each event to the URL configured in the console, with
//! the request secret configured there in the `x-genauth-webhook-secret`
//! header (`x-authing-webhook-secret` for Authing), the user pool in
//! `x-<brand>-userpool-id`, and a JSON body `{"eventName": …, "data": …}`.
//!
//! [`verify`] compares the secret in constant time, refuses a missing, wrong
//! or oversized delivery with a typed [`WebhookError`], and decodes the body:
//! the documented events into typed structs ([`WebhookEvent`]), any other
//! event name into [`WebhookEvent::Other`] with its raw JSON data. A
//! documented event whose data does not have the documented shape is an error
//! naming the field, never a struct filled with defaults.
//!
//! ```
//! use genauth_core::webhook::{self, WebhookEvent};
//! use genauth_core::SecretString;
//!
//! let mut headers = http::HeaderMap::new();
//! headers.insert("x-genauth-webhook-secret", "s3cret".parse().unwrap());
//! let body = br#"{"eventName":"user:password-changed","data":{"userId":"u-1"}}"#;
//! let delivery = webhook::verify(&headers, body, &SecretString::from("s3cret".to_owned())).unwrap();
//! match delivery.event {
//!     WebhookEvent::PasswordChanged(p) => assert_eq!(p.user_id, "u-1"),
//!     other => panic!("unexpected {other:?}"),
//! }
//! ```

use http::header::{HeaderMap, CONTENT_TYPE};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use crate::brand::Brand;
use crate::SecretString;

/// The largest body [`verify`] accepts: 1 MiB. Use [`verify_with_limit`] for another bound.
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// The header suffix of the request secret: `x-<brand>-webhook-secret`.
const SECRET_SUFFIX: &str = "webhook-secret";

/// The documented event names.
pub mod names {
    /// A user signed in (successfully or not).
    pub const LOGIN: &str = "login";
    /// A user signed up, or an administrator created one.
    pub const REGISTER: &str = "register";
    /// A user verified an MFA code.
    pub const MFA_VERIFY: &str = "mfaVerify";
    /// A user's profile changed.
    pub const USER_UPDATED: &str = "user:updated";
    /// A user's password changed.
    pub const PASSWORD_CHANGED: &str = "user:password-changed";
    /// A user's email was verified.
    pub const EMAIL_VERIFIED: &str = "user:email-verified";
    /// A permission was granted.
    pub const PERMISSION_ADD: &str = "permission:add";
    /// A permission was revoked.
    pub const PERMISSION_REVOKE: &str = "permission:revoke";
    /// The console's "test" button.
    pub const TEST: &str = "test";
}

/// Why a webhook delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The receiver was given an empty secret: it could not tell a forged
    /// delivery from a real one.
    #[error("the webhook secret to check against is empty; set the request secret configured in the console")]
    NoSecretConfigured,
    /// The delivery carries no `x-genauth-webhook-secret` (or
    /// `x-authing-webhook-secret`) header.
    #[error("the webhook request has no `x-genauth-webhook-secret` or `x-authing-webhook-secret` header")]
    MissingSecret,
    /// The secret header does not match.
    #[error("the webhook request's secret header does not match the configured secret")]
    WrongSecret,
    /// The body is larger than the limit.
    #[error("the webhook body is {len} bytes, more than the {limit}-byte limit")]
    Oversized {
        /// The body's length.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// The body is not JSON (the console can also send form-encoded bodies,
    /// which this receiver does not read: choose `application/json`).
    #[error(
        "the webhook body has content type `{0}`; configure the webhook to send application/json"
    )]
    UnsupportedContentType(String),
    /// The body is not a JSON object with a string `eventName`.
    #[error("the webhook body is not an event: {message} (body starts: {excerpt})")]
    Malformed {
        /// What is wrong.
        message: String,
        /// The start of the body, secrets redacted.
        excerpt: String,
    },
    /// A documented event's data does not have the documented shape.
    #[error("the `{event}` webhook's data is invalid at `{path}`: {message}")]
    Payload {
        /// The event name.
        event: String,
        /// The field path inside `data`.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// A verified delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The brand whose secret header carried the secret.
    pub brand: Brand,
    /// The user pool (`x-<brand>-userpool-id`), when sent.
    pub userpool_id: Option<String>,
    /// The event.
    pub event: WebhookEvent,
}

/// A webhook event: the documented ones typed, the rest raw.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WebhookEvent {
    /// `login`: a user signed in (the data is the user).
    Login(Box<WebhookUser>),
    /// `register`: a user signed up or was created (the data is the user).
    Register(Box<WebhookUser>),
    /// `user:updated`: the user after the change, and the changed fields.
    UserUpdated(Box<UserUpdated>),
    /// `user:password-changed`.
    PasswordChanged(UserRef),
    /// `user:email-verified`.
    EmailVerified(EmailVerified),
    /// `mfaVerify`.
    MfaVerify(MfaVerify),
    /// `permission:add`.
    PermissionAdd(PermissionChange),
    /// `permission:revoke`.
    PermissionRevoke(PermissionChange),
    /// `test`: the console's test delivery.
    Test(TestEvent),
    /// Any other event: its name and its data as sent.
    Other {
        /// The `eventName`.
        event_name: String,
        /// The `data`, as sent (`null` when absent).
        data: Value,
    },
}

impl WebhookEvent {
    /// The event name as sent.
    pub fn name(&self) -> &str {
        match self {
            WebhookEvent::Login(_) => names::LOGIN,
            WebhookEvent::Register(_) => names::REGISTER,
            WebhookEvent::UserUpdated(_) => names::USER_UPDATED,
            WebhookEvent::PasswordChanged(_) => names::PASSWORD_CHANGED,
            WebhookEvent::EmailVerified(_) => names::EMAIL_VERIFIED,
            WebhookEvent::MfaVerify(_) => names::MFA_VERIFY,
            WebhookEvent::PermissionAdd(_) => names::PERMISSION_ADD,
            WebhookEvent::PermissionRevoke(_) => names::PERMISSION_REVOKE,
            WebhookEvent::Test(_) => names::TEST,
            WebhookEvent::Other { event_name, .. } => event_name,
        }
    }
}

/// The user object of `login`, `register` and `user:updated`.
///
/// `id` is required; the other documented fields are `None` when absent or
/// `null`, and every other field is kept in `other`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "RawUser")]
pub struct WebhookUser {
    /// The user id (`id`, or `userId` in V3-style payloads; `id` wins when
    /// both are sent).
    pub id: String,
    /// The user pool.
    #[serde(default)]
    pub user_pool_id: Option<String>,
    /// The username.
    #[serde(default)]
    pub username: Option<String>,
    /// The email.
    #[serde(default)]
    pub email: Option<String>,
    /// Whether the email is verified.
    #[serde(default)]
    pub email_verified: Option<bool>,
    /// The phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// Whether the phone is verified.
    #[serde(default)]
    pub phone_verified: Option<bool>,
    /// The nickname.
    #[serde(default)]
    pub nickname: Option<String>,
    /// The avatar URL.
    #[serde(default)]
    pub photo: Option<String>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// [`WebhookUser`] as sent, before the id is settled.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawUser {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    user_pool_id: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_verified: Option<bool>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    phone_verified: Option<bool>,
    #[serde(default)]
    nickname: Option<String>,
    #[serde(default)]
    photo: Option<String>,
    #[serde(flatten)]
    other: Map<String, Value>,
}

impl TryFrom<RawUser> for WebhookUser {
    type Error = String;
    fn try_from(r: RawUser) -> Result<Self, String> {
        let id =
            r.id.or(r.user_id)
                .filter(|id| !id.is_empty())
                .ok_or("missing field `id` (or `userId`): the user has no id")?;
        Ok(Self {
            id,
            user_pool_id: r.user_pool_id,
            username: r.username,
            email: r.email,
            email_verified: r.email_verified,
            phone: r.phone,
            phone_verified: r.phone_verified,
            nickname: r.nickname,
            photo: r.photo,
            other: r.other,
        })
    }
}

/// `user:updated` data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserUpdated {
    /// The user after the change.
    pub user: WebhookUser,
    /// The fields that changed, with their new values.
    #[serde(default)]
    pub updates: Map<String, Value>,
}

/// Data naming one user (`user:password-changed`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRef {
    /// The user id.
    pub user_id: String,
}

/// `user:email-verified` data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailVerified {
    /// The user id.
    pub user_id: String,
    /// The verified email.
    pub email: String,
}

/// `mfaVerify` data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MfaVerify {
    /// The user id.
    pub user_id: String,
    /// Whether the code was right.
    pub is_valid: bool,
}

/// `permission:add` / `permission:revoke` data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionChange {
    /// The user pool.
    #[serde(default)]
    pub user_pool_id: Option<String>,
    /// The policy ids granted or revoked.
    pub policies: Vec<String>,
    /// `USER`, `ROLE`, `GROUP` or `ORG`.
    pub target_type: String,
    /// The ids of the targets.
    pub target_identifiers: Vec<String>,
    /// The permission namespace of the policies.
    #[serde(default)]
    pub namespace: Option<String>,
}

/// `test` data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestEvent {
    /// The test's description.
    #[serde(default)]
    pub description: Option<String>,
}

/// The envelope of every delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookBody {
    /// The event name.
    pub event_name: String,
    /// The event data.
    #[serde(default)]
    pub data: Value,
}

/// Checks a delivery against `secret` and decodes its event, with bodies up to
/// [`DEFAULT_MAX_BODY`].
pub fn verify(
    headers: &HeaderMap,
    body: &[u8],
    secret: &SecretString,
) -> Result<Delivery, WebhookError> {
    verify_with_limit(headers, body, secret, DEFAULT_MAX_BODY)
}

/// [`verify`] with a body limit of `max_body` bytes.
///
/// Order of the checks: the configured secret is not empty, the body is not
/// larger than `max_body`, the secret header is present and equal to `secret`
/// (constant time), the content type is JSON (or absent), and the body decodes.
pub fn verify_with_limit(
    headers: &HeaderMap,
    body: &[u8],
    secret: &SecretString,
    max_body: usize,
) -> Result<Delivery, WebhookError> {
    if secret.expose().is_empty() {
        return Err(WebhookError::NoSecretConfigured);
    }
    if body.len() > max_body {
        return Err(WebhookError::Oversized {
            len: body.len(),
            limit: max_body,
        });
    }
    let brand = check_secret(headers, secret)?;
    if let Some(ct) = headers.get(CONTENT_TYPE) {
        let ct = String::from_utf8_lossy(ct.as_bytes()).into_owned();
        let essence = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if essence != "application/json" && !essence.ends_with("+json") {
            return Err(WebhookError::UnsupportedContentType(ct));
        }
    }
    let event = decode(body)?;
    let userpool_id = headers
        .get(brand.userpool_id_header())
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Ok(Delivery {
        brand,
        userpool_id,
        event,
    })
}

/// Finds the secret header of either brand and compares it in constant time.
/// When both brands' headers are present, both must match.
fn check_secret(headers: &HeaderMap, secret: &SecretString) -> Result<Brand, WebhookError> {
    let mut found = None;
    for brand in Brand::ALL {
        let name = format!("{}{SECRET_SUFFIX}", brand.header_prefix());
        for value in headers.get_all(name.as_str()) {
            let given = value.as_bytes();
            if !bool::from(given.ct_eq(secret.expose().as_bytes())) {
                return Err(WebhookError::WrongSecret);
            }
            found.get_or_insert(brand);
        }
    }
    found.ok_or(WebhookError::MissingSecret)
}

/// Decodes a webhook body (without checking any secret: use [`verify`] on
/// requests from the network).
pub fn decode(body: &[u8]) -> Result<WebhookEvent, WebhookError> {
    let malformed = |message: String| WebhookError::Malformed {
        message,
        excerpt: crate::excerpt::excerpt(body),
    };
    let envelope: WebhookBody = serde_json::from_slice(body).map_err(|e| {
        malformed(if e.is_data() {
            format!("expected {{\"eventName\": string, \"data\": …}}: {e}")
        } else {
            format!("not JSON: {e}")
        })
    })?;
    let WebhookBody { event_name, data } = envelope;
    fn typed<T: serde::de::DeserializeOwned>(event: &str, data: Value) -> Result<T, WebhookError> {
        serde_path_to_error::deserialize(data).map_err(|e| WebhookError::Payload {
            event: event.to_owned(),
            path: e.path().to_string(),
            message: e.inner().to_string(),
        })
    }
    let name = event_name.as_str();
    Ok(match name {
        names::LOGIN => WebhookEvent::Login(Box::new(typed(name, data)?)),
        names::REGISTER => WebhookEvent::Register(Box::new(typed(name, data)?)),
        names::USER_UPDATED => WebhookEvent::UserUpdated(Box::new(typed(name, data)?)),
        names::PASSWORD_CHANGED => WebhookEvent::PasswordChanged(typed(name, data)?),
        names::EMAIL_VERIFIED => WebhookEvent::EmailVerified(typed(name, data)?),
        names::MFA_VERIFY => WebhookEvent::MfaVerify(typed(name, data)?),
        names::PERMISSION_ADD => WebhookEvent::PermissionAdd(typed(name, data)?),
        names::PERMISSION_REVOKE => WebhookEvent::PermissionRevoke(typed(name, data)?),
        names::TEST => WebhookEvent::Test(typed(name, data)?),
        _ => WebhookEvent::Other { event_name, data },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> SecretString {
        SecretString::from("hook-secret-1".to_owned())
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                http::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    const LOGIN: &[u8] = br#"{"eventName":"login","data":{"id":"u-1","userPoolId":"p-1","username":"ann","email":null,"loginsCount":4,"registerSource":["social:github"]}}"#;

    #[test]
    fn documented_events_decode_into_types() {
        let d = verify(
            &headers(&[
                ("x-authing-webhook-secret", "hook-secret-1"),
                ("x-authing-userpool-id", "p-1"),
                ("content-type", "application/json; charset=utf-8"),
            ]),
            LOGIN,
            &secret(),
        )
        .unwrap();
        assert_eq!(d.brand, Brand::Authing);
        assert_eq!(d.userpool_id.as_deref(), Some("p-1"));
        let WebhookEvent::Login(u) = d.event else {
            panic!("{:?}", d.event)
        };
        assert_eq!(u.id, "u-1");
        assert_eq!(u.username.as_deref(), Some("ann"));
        assert_eq!(u.email, None);
        assert_eq!(u.other["loginsCount"], 4);

        let e = decode(br#"{"eventName":"user:updated","data":{"user":{"userId":"u-2"},"updates":{"nickname":"x"}}}"#).unwrap();
        let WebhookEvent::UserUpdated(up) = e else {
            panic!()
        };
        assert_eq!(up.user.id, "u-2");
        let e = decode(
            br#"{"eventName":"register","data":{"id":"u-4","userId":"u-4","email":"a@b.c"}}"#,
        )
        .unwrap();
        assert!(matches!(e, WebhookEvent::Register(ref u) if u.id == "u-4"));
        assert_eq!(up.updates["nickname"], "x");

        let e = decode(br#"{"eventName":"permission:revoke","data":{"policies":["p"],"targetType":"ROLE","targetIdentifiers":["r1"],"namespace":"ns"}}"#).unwrap();
        assert!(matches!(e, WebhookEvent::PermissionRevoke(ref p) if p.target_type == "ROLE"));
        assert_eq!(e.name(), "permission:revoke");
    }

    #[test]
    fn unknown_events_keep_their_raw_data() {
        let e =
            decode(br#"{"eventName":"user:deleted","data":{"userId":"u-3","extra":[1]}}"#).unwrap();
        assert_eq!(
            e,
            WebhookEvent::Other {
                event_name: "user:deleted".into(),
                data: serde_json::json!({"userId":"u-3","extra":[1]}),
            }
        );
        assert_eq!(e.name(), "user:deleted");
    }

    #[test]
    fn a_documented_event_with_bad_data_names_the_field() {
        let e = decode(br#"{"eventName":"login","data":{"username":"no id"}}"#).unwrap_err();
        assert!(
            matches!(&e, WebhookError::Payload { event, message, .. } if event == "login" && message.contains("id")),
            "{e}"
        );
        let e = decode(br#"{"eventName":"mfaVerify","data":{"userId":"u","isValid":"yes"}}"#)
            .unwrap_err();
        assert!(
            matches!(&e, WebhookError::Payload { path, .. } if path == "isValid"),
            "{e}"
        );
    }

    #[test]
    fn missing_wrong_oversized_and_malformed_are_refused() {
        let ok = [("x-genauth-webhook-secret", "hook-secret-1")];
        assert_eq!(
            verify(&headers(&[]), LOGIN, &secret()).unwrap_err(),
            WebhookError::MissingSecret
        );
        assert_eq!(
            verify(
                &headers(&[("x-genauth-webhook-secret", "hook-secret-2")]),
                LOGIN,
                &secret()
            )
            .unwrap_err(),
            WebhookError::WrongSecret
        );
        // A prefix of the secret, or the secret with more after it, is wrong too.
        for wrong in ["hook-secret-", "hook-secret-11", ""] {
            assert_eq!(
                verify(
                    &headers(&[("x-genauth-webhook-secret", wrong)]),
                    LOGIN,
                    &secret()
                )
                .unwrap_err(),
                WebhookError::WrongSecret,
                "{wrong:?}"
            );
        }
        // One right and one wrong header: refused.
        assert_eq!(
            verify(
                &headers(&[
                    ("x-genauth-webhook-secret", "hook-secret-1"),
                    ("x-authing-webhook-secret", "nope"),
                ]),
                LOGIN,
                &secret()
            )
            .unwrap_err(),
            WebhookError::WrongSecret
        );
        assert_eq!(
            verify_with_limit(&headers(&ok), LOGIN, &secret(), 10).unwrap_err(),
            WebhookError::Oversized {
                len: LOGIN.len(),
                limit: 10
            }
        );
        assert_eq!(
            verify(&headers(&ok), LOGIN, &SecretString::from(String::new())).unwrap_err(),
            WebhookError::NoSecretConfigured
        );
        assert!(matches!(
            verify(
                &headers(&[ok[0], ("content-type", "application/x-www-form-urlencoded")]),
                b"eventName=login",
                &secret()
            )
            .unwrap_err(),
            WebhookError::UnsupportedContentType(_)
        ));
        for bad in [&b"not json"[..], br#"{"data":{}}"#, br#"[1]"#] {
            assert!(
                matches!(
                    verify(&headers(&ok), bad, &secret()).unwrap_err(),
                    WebhookError::Malformed { .. }
                ),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn errors_never_show_the_secret() {
        let e = verify(
            &headers(&[("x-genauth-webhook-secret", "hook-secret-1")]),
            br#"{"eventName":"login","data":{"id":"u","password":"hunter2"}"#,
            &secret(),
        )
        .unwrap_err();
        let text = format!("{e} {e:?}");
        assert!(!text.contains("hook-secret-1"), "{text}");
    }
}
