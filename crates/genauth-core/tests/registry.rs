//! The operation registry: lookup by route, validation messages, samples;
//! and, as modules, the fuzz harness and its seeded mutation tests (one test
//! binary for both).

mod fuzz_harness;
#[path = "fuzz_harness/mutation.rs"]
mod mutation;

use bytes::Bytes;
use genauth_core::ops::registry::{self, ClientKind};
use genauth_core::{AuthKind, Encoding, Error};

fn name(method: &str, path: &str) -> Option<&'static str> {
    registry::find(method, path).map(|m| m.name)
}

#[test]
fn lists_every_operation_sorted_by_client_then_name() {
    let all = registry::all();
    assert_eq!(all.len(), 435);
    let auth = all
        .iter()
        .filter(|m| m.client == ClientKind::Authentication)
        .count();
    assert_eq!(auth, 85);
    assert!(all
        .windows(2)
        .all(|w| (w[0].client, w[0].name) < (w[1].client, w[1].name)));
}

#[test]
fn finds_operations_by_method_and_sent_path() {
    assert_eq!(name("GET", "/api/v3/get-user"), Some("get_user"));
    assert_eq!(name("get", "/api/v3/get-user?userId=1"), Some("get_user"));
    assert_eq!(name("POST", "/api/v3/list-users"), Some("list_users"));
    assert_eq!(name("GET", "/api/v3/list-users"), Some("list_users_legacy"));
    assert_eq!(
        name("DELETE", "/api/v3/ip-list/abc%2F1"),
        Some("delete_by_id")
    );
    assert_eq!(
        name("POST", "/api/v3/webauthn/remove-credential/c-1"),
        Some("remove_credential")
    );
    assert_eq!(name("DELETE", "/api/v3/ip-list/"), None);
    assert_eq!(name("DELETE", "/api/v3/ip-list/a/b"), None);
    assert_eq!(name("PUT", "/api/v3/get-user"), None);
    assert_eq!(name("GET", "/api/v3/no-such-thing"), None);
}

#[test]
fn validation_names_the_missing_or_invalid_field() {
    let get_user = registry::by_name(ClientKind::Management, "get_user").unwrap();
    assert_eq!(get_user.encoding, Encoding::Query);
    assert_eq!(get_user.auth, AuthKind::ManagementToken);
    assert!((get_user.validate)(Some("userId=u1&withCustomData=true"), b"").is_ok());
    let err = (get_user.validate)(Some("withCustomData=true"), b"").unwrap_err();
    assert!(err.contains("userId"), "{err}");
    let err = (get_user.validate)(Some("userId=u1&withCustomData=maybe"), b"").unwrap_err();
    assert!(!err.is_empty());

    let sign_in = registry::by_name(ClientKind::Authentication, "sign_in_by_credentials").unwrap();
    assert_eq!(sign_in.auth, AuthKind::AppBasicOrToken);
    let err = (sign_in.validate)(None, b"{}").unwrap_err();
    assert!(err.contains("connection"), "{err}");
    let err =
        (sign_in.validate)(None, br#"{"connection":"PASSWORD","passwordPayload":{}}"#).unwrap_err();
    assert!(
        err.contains("passwordPayload") && err.contains("password"),
        "{err}"
    );
    assert!((sign_in.validate)(
        None,
        br#"{"connection":"PASSWORD","passwordPayload":{"password":"p","email":"a@b.c"}}"#
    )
    .is_ok());

    let verify = registry::by_name(ClientKind::Authentication, "verify_mfa_token").unwrap();
    assert_eq!(verify.encoding, Encoding::Form);
    assert!(!verify.envelope);
    assert!((verify.validate)(None, b"token=abc").is_ok());
    let err = (verify.validate)(None, b"").unwrap_err();
    assert!(err.contains("token"), "{err}");
}

#[test]
fn sample_outputs_decode_through_their_operation() {
    for m in registry::all() {
        let sample = (m.sample_output)();
        let body = if m.envelope {
            serde_json::json!({"statusCode": 200, "message": "", "data": sample})
        } else {
            sample
        };
        let resp = http::Response::new(Bytes::from(serde_json::to_vec(&body).unwrap()));
        (m.decode)(resp).unwrap_or_else(|e| panic!("{}: {e}", m.name));
    }
    let get_user = registry::by_name(ClientKind::Management, "get_user").unwrap();
    assert!((get_user.sample_output)()
        .get("userId")
        .is_some_and(|v| v.is_string()));
}

#[test]
fn decode_reports_api_errors() {
    let m = registry::by_name(ClientKind::Management, "get_user").unwrap();
    let resp = http::Response::new(Bytes::from_static(
        br#"{"statusCode":404,"apiCode":2004,"message":"no such user","requestId":"r"}"#,
    ));
    match (m.decode)(resp).unwrap_err() {
        Error::Api(e) => {
            assert_eq!(e.status_code, 404);
            assert_eq!(e.api_code.map(|c| c.code()), Some(2004));
            assert_eq!(e.operation, Some("get_user"));
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}
