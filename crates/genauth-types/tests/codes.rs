//! The generated `StatusCode` / `ApiCode`: decoding, flags and Display.

use std::path::PathBuf;

use genauth_types::{ApiCode, Envelope, StatusCode};
use serde_json::{json, Value};

#[test]
fn decodes_numbers_numeric_strings_and_unknown_codes() {
    let from_number: ApiCode = serde_json::from_value(json!(2004)).unwrap();
    assert!(matches!(from_number, ApiCode::UserNotFound));
    let from_string: ApiCode = serde_json::from_value(json!("2011")).unwrap();
    assert!(matches!(from_string, ApiCode::AppNotFound));
    let padded: ApiCode = serde_json::from_value(json!(" 2020 ")).unwrap();
    assert!(matches!(padded, ApiCode::NotLoggedIn));
    let float: StatusCode = serde_json::from_value(json!(429.0)).unwrap();
    assert!(matches!(float, StatusCode::Throttled));

    let unknown: ApiCode = serde_json::from_value(json!(987654)).unwrap();
    assert!(matches!(unknown, ApiCode::Other(987654)));
    assert!(!unknown.is_known());
    assert_eq!(unknown.name(), None);
    assert!(!unknown.is_retryable() && !unknown.is_token_invalid() && !unknown.is_flow_step());
    let unknown_string: StatusCode = serde_json::from_value(json!("418")).unwrap();
    assert!(matches!(unknown_string, StatusCode::Other(418)));

    for bad in [
        json!("abc"),
        json!(""),
        json!(1.5),
        json!(true),
        json!(null),
        json!([2004]),
    ] {
        assert!(
            serde_json::from_value::<ApiCode>(bad.clone()).is_err(),
            "{bad} must not decode as an apiCode"
        );
    }
    let too_big = serde_json::from_str::<ApiCode>("18446744073709551615");
    assert!(too_big.is_err());
}

#[test]
fn serializes_as_a_number_and_round_trips() {
    assert_eq!(
        serde_json::to_value(ApiCode::UserNotFound).unwrap(),
        json!(2004)
    );
    assert_eq!(serde_json::to_value(ApiCode::Other(42)).unwrap(), json!(42));
    assert_eq!(
        serde_json::to_value(StatusCode::Throttled).unwrap(),
        json!(429)
    );
    let codes: Vec<ApiCode> = serde_json::from_str(r#"[0, "1635", 2207, 5]"#).unwrap();
    let back = serde_json::to_string(&codes).unwrap();
    assert_eq!(back, "[0,1635,2207,5]");
}

#[test]
fn conversions_and_equality_go_by_number() {
    assert_eq!(ApiCode::from_code(2004), ApiCode::UserNotFound);
    assert_eq!(ApiCode::UserNotFound.code(), 2004);
    assert_eq!(i64::from(ApiCode::UserNotFound), 2004);
    assert_eq!(ApiCode::from(2004), 2004);
    assert_eq!(2004, ApiCode::UserNotFound);
    // A hand-built Other of a listed number still equals the named variant.
    assert_eq!(ApiCode::Other(2004), ApiCode::UserNotFound);
    assert!(ApiCode::Other(2004).is_known());
    assert_ne!(StatusCode::from_code(400), StatusCode::NotFound);
    assert!(StatusCode::Ok.is_success() && !StatusCode::NotFound.is_success());
    assert!(ApiCode::SystemBusy < ApiCode::UserNotFound);
}

#[test]
fn display_shows_number_and_name() {
    assert_eq!(ApiCode::UserNotFound.to_string(), "2004 (UserNotFound)");
    assert_eq!(ApiCode::Other(77).to_string(), "77");
    assert_eq!(StatusCode::Unauthorized.to_string(), "401 (Unauthorized)");
}

#[test]
fn flags_of_the_codes_the_transport_relies_on() {
    // Management-token refresh: statusCode 401 or a token-invalid apiCode.
    assert!(StatusCode::Unauthorized.is_token_invalid());
    for code in [2020, 2021, 2206, 2207] {
        assert!(ApiCode::from_code(code).is_token_invalid(), "{code}");
    }
    assert!(!ApiCode::UserNotFound.is_token_invalid());
    // Rate limits.
    assert!(StatusCode::Throttled.is_rate_limited());
    for code in [1002, 2080, 2100] {
        assert!(ApiCode::from_code(code).is_rate_limited(), "{code}");
    }
    // Quota codes are not rate limits and do not clear on retry.
    assert!(!ApiCode::from_code(2002).is_rate_limited());
    assert!(!ApiCode::from_code(2002).is_retryable());
    // Retry on server trouble, never on bad input.
    assert!(StatusCode::ServiceUnavailable.is_retryable());
    assert!(!StatusCode::InvalidArgument.is_retryable());
    assert!(ApiCode::SystemBusy.is_retryable());
    // Flow steps are not failures.
    assert!(ApiCode::PersonalMfaRequired.is_flow_step());
    assert!(ApiCode::FederatedBindOrCreate.is_flow_step());
    assert!(!ApiCode::UserNotFound.is_flow_step());
    assert!(StatusCode::Other(302).is_flow_step());
    assert!(!StatusCode::BadGateway.is_flow_step());
}

#[test]
fn known_tables_are_sorted_and_match_the_variants() {
    for table in [StatusCode::KNOWN, ApiCode::KNOWN] {
        assert!(table.windows(2).all(|w| w[0].code < w[1].code));
    }
    for info in StatusCode::KNOWN {
        let code = StatusCode::from_code(info.code);
        assert!(!matches!(code, StatusCode::Other(_)), "{}", info.code);
        assert_eq!(code.name(), Some(info.name));
        assert_eq!(
            format!("{code:?}"),
            info.name,
            "the variant is named as listed"
        );
    }
    for info in ApiCode::KNOWN {
        let code = ApiCode::from_code(info.code);
        assert!(!matches!(code, ApiCode::Other(_)), "{}", info.code);
        assert_eq!(format!("{code:?}"), info.name);
        assert_eq!(code.info(), Some(info));
    }
}

#[test]
fn envelope_codes_convert_to_typed_codes() {
    let env: Envelope<Value> =
        serde_json::from_str(r#"{"statusCode":"401","apiCode":"2206","message":"expired"}"#)
            .unwrap();
    assert!(StatusCode::from_code(env.status_code).is_token_invalid());
    assert!(env
        .api_code
        .map(ApiCode::from_code)
        .is_some_and(ApiCode::is_token_invalid));
}

/// Finds `error-codes.json` next to the workspace: `GENAUTH_ERROR_CODES_JSON`,
/// else `../shared/api` from the workspace root or from its parent.
fn catalogue_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("GENAUTH_ERROR_CODES_JSON") {
        return Some(PathBuf::from(p));
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    [
        root.join("../shared/api/error-codes.json"),
        root.join("../../shared/api/error-codes.json"),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

fn flag(entry: &Value, key: &str) -> Option<bool> {
    entry.get(key).and_then(Value::as_bool)
}

#[test]
fn every_code_of_the_catalogue_round_trips_with_its_flags() {
    let Some(path) = catalogue_path() else {
        eprintln!("notice: error-codes.json not found next to the workspace; skipping");
        return;
    };
    let text = std::fs::read_to_string(&path).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();

    let status = json["status_codes"].as_array().unwrap();
    assert_eq!(status.len(), StatusCode::KNOWN.len(), "regenerate codes.rs");
    for entry in status {
        let n = entry["code"].as_i64().unwrap();
        let code: StatusCode = serde_json::from_value(json!(n.to_string())).unwrap();
        assert_eq!(serde_json::to_value(code).unwrap(), json!(n));
        assert_eq!(code.name(), entry["name"].as_str(), "statusCode {n}");
        assert_eq!(code.meaning(), entry["meaning"].as_str(), "statusCode {n}");
        assert_eq!(
            code.retryable(),
            entry["retryable"].as_bool(),
            "statusCode {n}"
        );
        // The status list has no rate-limit / token flags; the notes name 429
        // and 401.
        let rate = flag(entry, "rate_limit").unwrap_or(n == 429);
        let token = flag(entry, "token_invalid").unwrap_or(n == 401);
        assert_eq!(code.is_rate_limited(), rate, "statusCode {n}");
        assert_eq!(code.is_token_invalid(), token, "statusCode {n}");
        let flow = entry.get("kind").and_then(Value::as_str) == Some("flow");
        assert_eq!(
            code.is_flow_step(),
            flow || (300..400).contains(&n),
            "statusCode {n}"
        );
        assert_eq!(code.is_retryable(), entry["retryable"] == json!(true));
    }

    let api = json["api_codes"].as_array().unwrap();
    assert_eq!(api.len(), ApiCode::KNOWN.len(), "regenerate codes.rs");
    for entry in api {
        let n = entry["code"].as_i64().unwrap();
        let code: ApiCode = serde_json::from_value(json!(n)).unwrap();
        let from_string: ApiCode = serde_json::from_value(json!(n.to_string())).unwrap();
        assert_eq!(code, from_string);
        assert!(code.is_known(), "apiCode {n}");
        assert_eq!(serde_json::to_value(code).unwrap(), json!(n));
        assert_eq!(code.name(), entry["name"].as_str(), "apiCode {n}");
        assert_eq!(code.meaning(), entry["meaning"].as_str(), "apiCode {n}");
        assert_eq!(
            code.retryable(),
            entry["retryable"].as_bool(),
            "apiCode {n}"
        );
        assert_eq!(code.is_retryable(), entry["retryable"] == json!(true));
        assert_eq!(
            code.is_rate_limited(),
            flag(entry, "rate_limit").unwrap_or(false),
            "apiCode {n}"
        );
        assert_eq!(
            code.is_token_invalid(),
            flag(entry, "token_invalid").unwrap_or(false),
            "apiCode {n}"
        );
        let flow = entry.get("kind").and_then(Value::as_str) == Some("flow");
        assert_eq!(code.is_flow_step(), flow, "apiCode {n}");
        let info = code.info().unwrap();
        assert_eq!(
            info.auth_related,
            flag(entry, "auth_related").unwrap_or(false)
        );
        assert_eq!(Some(info.source), entry["source"].as_str());
    }

    // Client-side codes are never sent by the server, so they are not variants.
    for entry in json["client_local_codes"].as_array().into_iter().flatten() {
        let n = entry["code"].as_i64().unwrap();
        assert!(
            matches!(ApiCode::from_code(n), ApiCode::Other(_)),
            "client-local code {n} should not be an ApiCode variant"
        );
    }
}
