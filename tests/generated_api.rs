//! Generated operations with special wire rules, end to end through the hyper
//! transport against a recording server on 127.0.0.1: real path parameters,
//! the MFA token form body, the security settings field name, array query
//! parameters, enum values both ways, and required parameters checked before I/O.

use crate::support::{json_response, management_jwt, Recorded, TestServer};
use genauth::types::{
    GetUserUserIdType, ListDataPolicyTargetsTargetType, SignInByPasswordPayloadDto, UserDtoStatus,
};
use genauth::{
    AuthenticationClient, AuthenticationClientOptions, Error, ManagementClient,
    ManagementClientOptions,
};
use serde_json::json;

fn auth_client(server: &TestServer) -> AuthenticationClient {
    let client =
        AuthenticationClient::new(AuthenticationClientOptions::new("app-1", server.url())).unwrap();
    client.set_access_token("user-token-1");
    client
}

fn mgmt_client(server: &TestServer) -> ManagementClient {
    ManagementClient::new(ManagementClientOptions::new("ak-1", "sk-1").host(server.url())).unwrap()
}

/// Answers the management token request, and `data` for everything else.
fn mgmt_handler(
    data: serde_json::Value,
) -> impl Fn(&Recorded) -> http::Response<http_body_util::Full<bytes::Bytes>> + Send + Sync + 'static
{
    move |r| {
        if r.path.ends_with("/get-management-token") {
            json_response(
                200,
                json!({"statusCode":200,"data":{"access_token": management_jwt("pool-1"),"expires_in":7200}}),
            )
        } else {
            json_response(200, json!({"statusCode":200,"message":"ok","data": data}))
        }
    }
}

fn last(server: &TestServer) -> Recorded {
    server.requests().last().cloned().expect("a request")
}

#[tokio::test]
async fn path_parameters_are_real_and_percent_encoded() {
    let server = TestServer::start(mgmt_handler(json!(null))).await;
    let client = mgmt_client(&server);
    client.delete_by_id("entry 1/ä").await.unwrap();
    let r = last(&server);
    assert_eq!(r.method, http::Method::DELETE);
    assert_eq!(r.path, "/api/v3/ip-list/entry%201%2F%C3%A4");
    assert_eq!(r.query, None);
    assert_eq!(r.header("x-genauth-userpool-id"), Some("pool-1"));

    let server = TestServer::start(|_| {
        json_response(200, json!({"statusCode":200,"data":{"success":true}}))
    })
    .await;
    let client = auth_client(&server);
    // The official SDK has no argument for this path variable; here it is required.
    client.remove_credential("cred/42").await.unwrap();
    let r = last(&server);
    assert_eq!(r.method, http::Method::POST);
    assert_eq!(r.path, "/api/v3/webauthn/remove-credential/cred%2F42");
    assert_eq!(r.header("authorization"), Some("user-token-1"));
}

#[tokio::test]
async fn an_empty_required_path_parameter_fails_before_any_io() {
    let server = TestServer::start(mgmt_handler(json!(null))).await;
    let client = mgmt_client(&server);
    match client.delete_by_id("").await.unwrap_err() {
        Error::InvalidInput { parameter, .. } => assert_eq!(parameter, "id"),
        other => panic!("expected invalid input, got {other:?}"),
    }
    assert!(server.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn verify_mfa_token_sends_its_form_body_and_decodes_the_bare_answer() {
    let server = TestServer::start(|_| {
        json_response(
            200,
            json!({"active": "true", "userId": "u-1", "userPoolId": "p-1", "exp": "1700000000", "extra": 1}),
        )
    })
    .await;
    let client = auth_client(&server);
    let out = client.verify_mfa_token("mfa-token-1").await.unwrap();
    assert!(out.active);
    assert_eq!(out.exp, Some(1_700_000_000));
    let r = last(&server);
    assert_eq!(r.path, "/mfa/token/introspection");
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(std::str::from_utf8(&r.body).unwrap(), "token=mfa-token-1");
}

#[tokio::test]
async fn update_security_settings_sends_the_field_name_of_the_spec() {
    let server = TestServer::start(mgmt_handler(json!({"verifyCodeLength": 6}))).await;
    let client = mgmt_client(&server);
    client
        .update_security_settings()
        .genauth_token_expires_in(3600)
        .verify_code_length(6)
        .await
        .unwrap();
    assert_eq!(
        last(&server).json(),
        json!({"genauthTokenExpiresIn": 3600, "verifyCodeLength": 6})
    );
}

#[tokio::test]
async fn enums_go_out_as_wire_values_and_unknown_ones_come_back() {
    let server = TestServer::start(mgmt_handler(
        json!({"userId": "u-1", "status": "Frozen", "emailVerified": "1"}),
    ))
    .await;
    let client = mgmt_client(&server);
    let user = client
        .get_user("ann@example.com")
        .user_id_type(GetUserUserIdType::Email)
        .with_custom_data(true)
        .await
        .unwrap();
    assert_eq!(user.status, UserDtoStatus::Unknown("Frozen".into()));
    assert!(user.email_verified);
    assert_eq!(
        last(&server).query.as_deref(),
        Some("userId=ann%40example.com&userIdType=email&withCustomData=true")
    );
}

#[tokio::test]
async fn array_query_parameters_repeat_their_key() {
    let server = TestServer::start(mgmt_handler(json!({"list": [], "totalCount": 0}))).await;
    let client = mgmt_client(&server);
    let page = client
        .list_data_policy_targets("policy-1")
        .target_type(vec![
            ListDataPolicyTargetsTargetType::User,
            ListDataPolicyTargetsTargetType::Role,
        ])
        .await
        .unwrap();
    assert_eq!(page.total_count, 0);
    assert_eq!(
        last(&server).query.as_deref(),
        Some("policyId=policy-1&targetType=USER&targetType=ROLE")
    );
}

#[tokio::test]
async fn a_structure_error_names_the_field_path() {
    let server = TestServer::start(mgmt_handler(
        json!({"userId": "u-1", "identities": {"not": "a list"}}),
    ))
    .await;
    let client = mgmt_client(&server);
    match client.get_user("u-1").await.unwrap_err() {
        Error::Decode(d) => {
            assert_eq!(d.operation, "get_user");
            assert_eq!(d.path, "data.identities");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn secret_fields_are_redacted_in_debug() {
    let payload = SignInByPasswordPayloadDto::new("hunter2-password");
    let dump = format!("{payload:?}");
    assert!(!dump.contains("hunter2"), "{dump}");
    assert_eq!(
        serde_json::to_value(&payload).unwrap(),
        json!({"password": "hunter2-password"})
    );
}
