//! Corrections to errors in the API description, applied to the spec before
//! the model is built. Each entry says why; an entry that no longer matches
//! the description is an error, so a fixed description retires its entry.

use serde_json::Value;

/// Fields the description lists as required that the service takes without:
/// `(schema, field, why)`.
pub const NOT_REQUIRED: &[(&str, &str, &str)] = &[(
    "UpdateFunctionModelDto",
    "showFieldKey",
    "update_model: the official SDKs have no parameter for it and the service takes the call without it",
)];

/// Authentication operations the description marks as sent with the user's
/// token (`x-auth: user-token`) that the service answers without a login:
/// `(path, why)`. The registry says so (`OperationMeta::login_free`); the
/// clients still send the token when one is set, as the official SDKs do.
pub const LOGIN_FREE: &[(&str, &str)] = &[
    ("/api/v3/signup", "signing up happens before any login"),
    (
        "/api/v3/send-sms",
        "pass codes are sent to sign in or sign up",
    ),
    (
        "/api/v3/send-email",
        "pass codes are sent to sign in or sign up",
    ),
    (
        "/api/v3/reset-password",
        "password reset is for users who cannot sign in",
    ),
    (
        "/api/v3/verify-reset-password-request",
        "password reset is for users who cannot sign in",
    ),
    (
        "/api/v3/pre-check-code",
        "checks a pass code before the sign-in that uses it",
    ),
    (
        "/api/v3/get-country-list",
        "a public list for the sign-in form",
    ),
    ("/api/v3/system", "public facts about the service"),
    (
        "/api/v3/get-application-enabled-extidps",
        "the login page lists them before a login",
    ),
    (
        "/api/v3/gene-qrcode",
        "QR-code login starts without a login",
    ),
    (
        "/api/v3/check-qrcode-status",
        "QR-code login polls before the login completes",
    ),
    (
        "/api/v3/get-app-login-qrcode-status",
        "QR-code login polls before the login completes",
    ),
    (
        "/api/v3/check-pushcode-status",
        "push login polls before the login completes",
    ),
    ("/api/v3/signin-by-push", "push login is a sign-in"),
    (
        "/api/v3/decrypt-wechat-miniprogram-data",
        "WeChat mini-program login runs before the login",
    ),
    (
        "/api/v3/get-wechat-access-token",
        "answered with the app's credentials",
    ),
    (
        "/api/v3/get-wechat-access-token-info",
        "answered with the app's credentials",
    ),
    (
        "/api/v3/get-alipay-authinfo",
        "Alipay mobile login runs before the login",
    ),
    (
        "/api/v2/ecConn/wechatMobile/authByCodeIdentity",
        "WeChat mobile login is a sign-in",
    ),
    (
        "/api/v2/ecConn/wechatMobile/byAccount",
        "WeChat mobile login is a sign-in",
    ),
    (
        "/api/v2/ecConn/wechatMobile/byAccountId",
        "WeChat mobile login is a sign-in",
    ),
    (
        "/api/v2/ecConn/wechatMobile/byEmailCode",
        "WeChat mobile login is a sign-in",
    ),
    (
        "/api/v2/ecConn/wechatMobile/byPhoneCode",
        "WeChat mobile login is a sign-in",
    ),
    (
        "/api/v2/ecConn/wechatMobile/register",
        "WeChat mobile login is a sign-up",
    ),
    (
        "/api/v2/ecConn/wechatMobile/select",
        "WeChat mobile login picks the account to sign in",
    ),
    (
        "/api/v3/webauthn/authentication",
        "WebAuthn login is a sign-in",
    ),
    (
        "/api/v3/webauthn/check-valid-credentials-by-credIds",
        "WebAuthn login checks credentials before the login",
    ),
    (
        "/mfa/token/introspection",
        "checks an MFA token, which exists before the login completes",
    ),
];

/// Applies the corrections to `spec`.
pub fn apply(spec: &mut Value) -> Result<(), String> {
    for (path, _why) in LOGIN_FREE {
        let item = spec["paths"][*path].as_object_mut().ok_or_else(|| {
            format!("override: {path} is not in the description any more; remove the override")
        })?;
        let mut user_token_ops = 0;
        for op in item.values_mut().filter_map(Value::as_object_mut) {
            if op.get("x-auth").and_then(Value::as_str) == Some("user-token") {
                op.insert("x-login-free".into(), Value::Bool(true));
                user_token_ops += 1;
            }
        }
        if user_token_ops == 0 {
            return Err(format!(
                "override: {path} is not sent with the user's token in the description any more; remove the override"
            ));
        }
    }
    for (schema, field, _why) in NOT_REQUIRED {
        let required = spec["components"]["schemas"][*schema]["required"]
            .as_array_mut()
            .ok_or_else(|| format!("override: schema {schema} has no required list"))?;
        let before = required.len();
        required.retain(|f| f.as_str() != Some(*field));
        if required.len() == before {
            return Err(format!(
                "override: {schema}.{field} is not required in the description any more; remove the override"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A spec with every listed login-free path as a user-token operation.
    fn spec_with_login_free() -> Value {
        let mut paths = serde_json::Map::new();
        for (path, _) in LOGIN_FREE {
            paths.insert(
                (*path).to_owned(),
                serde_json::json!({"post": {"x-auth": "user-token"}}),
            );
        }
        serde_json::json!({"paths": paths, "components": {"schemas": {
            "UpdateFunctionModelDto": {"required": ["showFieldKey", "id"]}
        }}})
    }

    #[test]
    fn login_free_operations_are_marked_and_stale_entries_are_errors() {
        let mut spec = spec_with_login_free();
        spec["paths"]["/api/v3/get-profile"] = serde_json::json!({"get": {"x-auth": "user-token"}});
        apply(&mut spec).unwrap();
        assert_eq!(
            spec["paths"]["/api/v3/signup"]["post"]["x-login-free"],
            true
        );
        assert!(spec["paths"]["/api/v3/get-profile"]["get"]
            .get("x-login-free")
            .is_none());

        let mut gone = spec_with_login_free();
        gone["paths"]
            .as_object_mut()
            .unwrap()
            .remove("/api/v3/system");
        assert!(apply(&mut gone).unwrap_err().contains("/api/v3/system"));

        let mut not_user = spec_with_login_free();
        not_user["paths"]["/api/v3/system"]["post"]["x-auth"] = "none".into();
        let err = apply(&mut not_user).unwrap_err();
        assert!(err.contains("/api/v3/system") && err.contains("remove the override"));
    }

    #[test]
    fn a_listed_field_becomes_optional_and_a_stale_entry_is_an_error() {
        let mut spec = spec_with_login_free();
        apply(&mut spec).unwrap();
        assert_eq!(
            spec["components"]["schemas"]["UpdateFunctionModelDto"]["required"],
            serde_json::json!(["id"])
        );
        assert!(apply(&mut spec)
            .unwrap_err()
            .contains("remove the override"));
    }
}
