//! Operations without state are answered from an operation table: the
//! request is validated, then a default output is returned.

use crate::common;

use genauth_core::AuthKind;
use genauth_emulator::{Emulator, StaticTable, TableEntry};
use serde_json::{json, Value};

op!(AddIp, POST, "/api/v3/ip-list", ManagementToken, Json, Value);
op!(
    Unknown,
    POST,
    "/api/v3/not-an-operation",
    ManagementToken,
    Json,
    Value
);

fn validate_ip(_: Option<&str>, body: &[u8]) -> Result<(), String> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Req {
        ip_address: String,
    }
    serde_json::from_slice::<Req>(body)
        .map(|_| ())
        .map_err(|e| format!("ipAddress: {e}"))
}

fn accept(_: Option<&str>, _: &[u8]) -> Result<(), String> {
    Ok(())
}

fn table() -> StaticTable {
    StaticTable::new(vec![
        (
            "POST",
            "/api/v3/ip-list",
            TableEntry {
                name: "add_ip",
                auth: AuthKind::ManagementToken,
                login_free: false,
                envelope: true,
                validate: validate_ip,
                sample_output: || json!({"id": "", "ipAddress": ""}),
            },
        ),
        (
            "DELETE",
            "/api/v3/ip-list/{id}",
            TableEntry {
                name: "delete_by_id",
                auth: AuthKind::ManagementToken,
                login_free: false,
                envelope: true,
                validate: accept,
                sample_output: || json!({"success": true}),
            },
        ),
    ])
}

#[tokio::test]
async fn table_operations_validate_then_answer_a_default() {
    let emu = Emulator::builder()
        .operations(table())
        .start()
        .await
        .unwrap();
    let client = common::management(&emu);
    let out = client
        .send(&AddIp(json!({"ipAddress": "10.0.0.1"})))
        .await
        .unwrap();
    assert_eq!(out, json!({"id": "", "ipAddress": ""}));

    let err = client
        .send(&AddIp(json!({"ipAddress": 7})))
        .await
        .unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.status_code, 400);
    assert!(api.message.starts_with("ipAddress"), "{}", api.message);

    let req = http::Request::delete(format!("{}/api/v3/ip-list/abc", emu.url()))
        .body(genauth_core::Body::from(bytes::Bytes::new()))
        .unwrap();
    let resp = client.send_http(req).await.unwrap();
    let body: Value = serde_json::from_slice(resp.body()).unwrap();
    assert_eq!(
        body["statusCode"], 401,
        "management auth is checked first: {body}"
    );

    let err = client.send(&Unknown(json!({}))).await.unwrap_err();
    assert_eq!(err.as_api().unwrap().status_code, 404);
}

/// `DELETE /api/v3/ip-list/{id}`, with its path parameter.
#[derive(serde::Serialize)]
struct DeleteIp {
    #[serde(skip)]
    id: String,
}

impl genauth_core::Operation for DeleteIp {
    const NAME: &'static str = "delete_by_id";
    const METHOD: http::Method = http::Method::DELETE;
    const PATH: &'static str = "/api/v3/ip-list/{id}";
    const AUTH: AuthKind = AuthKind::ManagementToken;
    const ENCODING: genauth_core::Encoding = genauth_core::Encoding::Query;
    const IDEMPOTENT: bool = false;
    type Output = Value;
    fn path_param(&self, name: &str) -> Option<&str> {
        (name == "id").then_some(self.id.as_str())
    }
}

#[tokio::test]
async fn templated_paths_match_segment_by_segment() {
    let emu = Emulator::builder()
        .operations(table())
        .start()
        .await
        .unwrap();
    let client = common::management(&emu);
    let out = client
        .send(&DeleteIp {
            id: "entry-1".into(),
        })
        .await
        .unwrap();
    assert_eq!(out, json!({"success": true}));
    assert_eq!(emu.request_count("/api/v3/ip-list/entry-1"), 1);
}

op!(
    ListUsersRaw,
    POST,
    "/api/v3/list-users",
    ManagementToken,
    Json,
    Value
);

#[tokio::test]
async fn table_only_answers_stateful_paths_from_the_table() {
    let t = StaticTable::new(vec![(
        "POST",
        "/api/v3/list-users",
        TableEntry {
            name: "list_users",
            auth: AuthKind::ManagementToken,
            login_free: false,
            envelope: true,
            validate: accept,
            sample_output: || json!({"list": [], "totalCount": 0, "fromTable": true}),
        },
    )]);
    let emu = Emulator::builder()
        .operations(t)
        .table_only(true)
        .start()
        .await
        .unwrap();
    let client = common::management(&emu);
    let out = client.send(&ListUsersRaw(json!({}))).await.unwrap();
    assert_eq!(out["fromTable"], true);
}

fn reject(_: Option<&str>, _: &[u8]) -> Result<(), String> {
    Err("code: rejected by the table".into())
}

#[tokio::test]
async fn stateful_operations_are_checked_against_the_table_first() {
    let t = StaticTable::new(vec![(
        "POST",
        "/api/v3/list-users",
        TableEntry {
            name: "list_users",
            auth: AuthKind::ManagementToken,
            login_free: false,
            envelope: true,
            validate: reject,
            sample_output: || json!({}),
        },
    )]);
    let emu = Emulator::builder().operations(t).start().await.unwrap();
    let client = common::management(&emu);
    let err = client.send(&ListUsersRaw(json!({}))).await.unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.status_code, 400);
    assert_eq!(api.message, "code: rejected by the table");
}

#[tokio::test]
async fn a_login_free_user_token_entry_needs_no_token() {
    let entry = |name, login_free| TableEntry {
        name,
        auth: AuthKind::UserToken,
        login_free,
        envelope: true,
        validate: accept,
        sample_output: || json!({"success": true}),
    };
    let t = StaticTable::new(vec![
        ("GET", "/api/v3/public-thing", entry("public_thing", true)),
        (
            "GET",
            "/api/v3/private-thing",
            entry("private_thing", false),
        ),
    ]);
    let emu = Emulator::builder().operations(t).start().await.unwrap();
    let (_, _, body) = common::raw_get(&format!("{}/api/v3/public-thing", emu.url())).await;
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["statusCode"], 200, "{v}");
    let (_, _, body) = common::raw_get(&format!("{}/api/v3/private-thing", emu.url())).await;
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["statusCode"], 401, "{v}");
    assert_eq!(v["apiCode"], 2020);
}

#[test]
fn the_registry_table_carries_the_login_free_flag() {
    use genauth_emulator::fallback::{OperationTable, RegistryTable};
    let signup = RegistryTable.find("POST", "/api/v3/signup").unwrap();
    assert_eq!(signup.auth, AuthKind::UserToken);
    assert!(signup.login_free);
    let profile = RegistryTable.find("GET", "/api/v3/get-profile").unwrap();
    assert_eq!(profile.auth, AuthKind::UserToken);
    assert!(!profile.login_free);
    // The override list: 29 operations on 28 paths, all sent with the user's token.
    let free: Vec<_> = genauth_core::ops::registry::all()
        .iter()
        .filter(|m| m.login_free)
        .collect();
    assert_eq!(free.len(), 29);
    assert!(free.iter().all(|m| m.auth == AuthKind::UserToken));
    let paths: std::collections::BTreeSet<_> = free.iter().map(|m| m.path).collect();
    assert_eq!(paths.len(), 28);
}
