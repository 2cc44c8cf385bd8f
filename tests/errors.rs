//! Typed error codes end to end: the management token is refreshed on a
//! token-invalid `apiCode`, other failures surface as typed errors, and a
//! login-flow step hands its data to the caller without printing it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::support::{json_response, management_jwt, TestServer};
use genauth::types::{SignInByPasswordPayloadDto, SigninByCredentialsDtoConnection};
use genauth::{
    ApiCode, AuthenticationClient, AuthenticationClientOptions, ManagementClient,
    ManagementClientOptions,
};
use serde_json::json;

#[tokio::test]
async fn a_token_invalid_api_code_refreshes_the_management_token_once() {
    let token_calls = Arc::new(AtomicUsize::new(0));
    let user_calls = Arc::new(AtomicUsize::new(0));
    let (tokens, users) = (token_calls.clone(), user_calls.clone());
    let server = TestServer::start(move |r| match r.path.as_str() {
        "/api/v3/get-management-token" => {
            tokens.fetch_add(1, Ordering::SeqCst);
            json_response(
                200,
                json!({"statusCode":200,"data":{"access_token": management_jwt("pool-1"),"expires_in":7200}}),
            )
        }
        _ => {
            if users.fetch_add(1, Ordering::SeqCst) == 0 {
                // 2206: login credentials expired (a token-invalid code).
                json_response(200, json!({"statusCode":400,"apiCode":"2206","message":"expired"}))
            } else {
                json_response(200, json!({"statusCode":200,"data":{"userId":"u1"}}))
            }
        }
    })
    .await;
    let client = ManagementClient::new(
        ManagementClientOptions::new("ak", "sk-very-secret").host(server.url()),
    )
    .unwrap();
    let user = client.get_user("u1").await.unwrap();
    assert_eq!(user.user_id, "u1");
    assert_eq!(token_calls.load(Ordering::SeqCst), 2, "refreshed once");
    assert_eq!(user_calls.load(Ordering::SeqCst), 2, "replayed once");
}

#[tokio::test]
async fn a_business_error_is_not_a_token_problem() {
    let token_calls = Arc::new(AtomicUsize::new(0));
    let tokens = token_calls.clone();
    let server = TestServer::start(move |r| match r.path.as_str() {
        "/api/v3/get-management-token" => {
            tokens.fetch_add(1, Ordering::SeqCst);
            json_response(
                200,
                json!({"statusCode":200,"data":{"access_token": management_jwt("pool-1"),"expires_in":7200}}),
            )
        }
        _ => json_response(
            200,
            json!({"statusCode":404,"apiCode":2004,"message":"user not found","requestId":"rq-5"}),
        ),
    })
    .await;
    let client = ManagementClient::new(
        ManagementClientOptions::new("ak", "sk-very-secret").host(server.url()),
    )
    .unwrap();
    let err = client.get_user("nobody").await.unwrap_err();
    assert_eq!(token_calls.load(Ordering::SeqCst), 1, "no refresh on 2004");
    assert_eq!(err.api_code(), Some(ApiCode::UserNotFound));
    assert!(!err.is_retryable() && !err.is_token_invalid() && !err.is_flow_step());
    let text = err.to_string();
    assert!(text.contains("\"user not found\""), "{text}");
    assert!(text.contains("apiCode 2004 UserNotFound: "), "{text}");
    assert!(text.contains("Request id: rq-5."), "{text}");
    assert!(
        !text.contains("sk-very-secret"),
        "no secret in the message: {text}"
    );
}

#[tokio::test]
async fn an_mfa_step_hands_its_data_to_the_caller() {
    let server = TestServer::start(|_| {
        json_response(
            200,
            json!({"statusCode":302,"apiCode":1636,"message":"MFA required","requestId":"rq-mfa",
                   "data":{"mfaToken":"mfa-token-do-not-print","applicationMfa":[{"mfaPolicy":"SMS"}]}}),
        )
    })
    .await;
    let client =
        AuthenticationClient::new(AuthenticationClientOptions::new("app-1", server.url())).unwrap();
    let mut payload = SignInByPasswordPayloadDto::new("pw-secret");
    payload.account = Some("ann".into());
    let err = client
        .sign_in_by_credentials(SigninByCredentialsDtoConnection::Password)
        .password_payload(payload)
        .await
        .unwrap_err();
    let step = err.flow_step().expect("MFA is a flow step, not a failure");
    assert!(matches!(step.api_code, Some(ApiCode::AppMfaRequired)));
    let data = step.flow_data().expect("the data of the next step");
    assert_eq!(data["mfaToken"], "mfa-token-do-not-print");
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains("mfa-token-do-not-print"), "{text}");
        assert!(!text.contains("pw-secret"), "{text}");
    }
    assert!(err
        .to_string()
        .contains("needs another step of the login flow"));
}
