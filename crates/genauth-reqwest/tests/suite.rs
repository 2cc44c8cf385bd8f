//! The reqwest transport against the GenAuth emulator on 127.0.0.1: typed
//! answers, the shared management token (one fetch for concurrent calls, a
//! replay after a rejection), timeouts, body limits, transport errors,
//! redirects not followed, and secrets kept out of `Debug`.

use std::time::Duration;

use genauth_core::management_token::PATH as TOKEN_PATH;
use genauth_core::ops::{CreateUser, GetProfile, GetUser, SignInByCredentials};
use genauth_core::types::{
    CreateUserReqDto, SignInByPasswordPayloadDto, SigninByCredentialsDtoConnection,
};
use genauth_core::{AuthenticationClientOptions, Error, ManagementClientOptions};
use genauth_emulator::{
    Emulator, Fault, RunningEmulator, TestUser, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET,
    DEFAULT_APP_ID, DEFAULT_APP_SECRET,
};
use genauth_reqwest::{AuthenticationClient, ManagementClient};

fn management(emulator: &RunningEmulator) -> ManagementClient {
    ManagementClient::new(
        ManagementClientOptions::new(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
            .host(emulator.url()),
    )
    .unwrap()
}

fn create(email: &str) -> CreateUser {
    CreateUser(CreateUserReqDto {
        email: Some(email.into()),
        ..Default::default()
    })
}

#[tokio::test]
async fn management_calls_share_one_token_and_return_typed_answers() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = management(&emulator);
    let created = client.call(&create("ann@example.com")).await.unwrap();
    let user = client
        .call(&GetUser::new(created.user_id.clone()))
        .await
        .unwrap();
    assert_eq!(user.user_id, created.user_id);
    assert_eq!(user.email.as_deref(), Some("ann@example.com"));
    // A clone shares the token.
    let again = client.clone().call(&GetUser::new(created.user_id)).await;
    assert!(again.is_ok(), "{again:?}");
    assert_eq!(emulator.request_count(TOKEN_PATH), 1);
    assert_eq!(client.token_fetch_count(), 1);
    let token = client.token().expect("a token is kept");
    assert_eq!(token.userpool_id, emulator.userpool_id());
}

#[tokio::test]
async fn concurrent_first_calls_wait_for_a_single_token_fetch() {
    let emulator = Emulator::builder()
        .fault(Fault::on(TOKEN_PATH).latency(Duration::from_millis(200)))
        .start()
        .await
        .unwrap();
    let client = management(&emulator);
    let calls = (0..8).map(|i| {
        let client = client.clone();
        tokio::spawn(async move { client.call(&create(&format!("u{i}@example.com"))).await })
    });
    for call in calls.collect::<Vec<_>>() {
        call.await.unwrap().unwrap();
    }
    assert_eq!(emulator.request_count(TOKEN_PATH), 1);
    assert_eq!(emulator.request_count("/api/v3/create-user"), 8);
}

#[tokio::test]
async fn a_rejected_token_is_replaced_and_the_call_replayed_once() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = management(&emulator);
    let created = client.call(&create("bob@example.com")).await.unwrap();
    let first = client.token().unwrap();
    emulator.add_fault(
        Fault::on("/api/v3/get-user")
            .api_error(401, Some(2020), "token expired")
            .times(1),
    );
    let user = client
        .call(&GetUser::new(created.user_id.clone()))
        .await
        .unwrap();
    assert_eq!(user.user_id, created.user_id);
    assert_eq!(emulator.request_count(TOKEN_PATH), 2);
    assert_eq!(emulator.request_count("/api/v3/get-user"), 2);
    let second = client.token().unwrap();
    assert_ne!(first.access_token.expose(), second.access_token.expose());

    // A second rejection in a row is the answer, not a loop.
    emulator.add_fault(
        Fault::on("/api/v3/get-user")
            .api_error(401, Some(2020), "token expired")
            .times(2),
    );
    let err = client
        .call(&GetUser::new(created.user_id))
        .await
        .unwrap_err();
    assert!(err.is_token_invalid(), "{err:?}");
    assert_eq!(emulator.request_count(TOKEN_PATH), 3);
    assert_eq!(emulator.request_count("/api/v3/get-user"), 4);
}

#[tokio::test]
async fn a_wrong_access_key_is_the_token_endpoints_typed_error() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = ManagementClient::new(
        ManagementClientOptions::new(DEFAULT_ACCESS_KEY_ID, "not-the-secret-1")
            .host(emulator.url()),
    )
    .unwrap();
    let err = client.call(&create("c@example.com")).await.unwrap_err();
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert_eq!(emulator.request_count("/api/v3/create-user"), 0);
    assert!(!format!("{err} {err:?}").contains("not-the-secret-1"));
    assert!(client.token().is_none());
}

#[tokio::test]
async fn the_options_timeout_bounds_each_request() {
    let emulator = Emulator::builder()
        .fault(Fault::on("/api/v3/get-user").latency(Duration::from_secs(5)))
        .start()
        .await
        .unwrap();
    let client = ManagementClient::new(
        ManagementClientOptions::new(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
            .host(emulator.url())
            .timeout(Duration::from_millis(300)),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let err = client
        .call(&GetUser::new("u-1".to_owned()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Timeout(d) if d == Duration::from_millis(300)),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused() {
    let emulator = Emulator::builder()
        .fault(Fault::on("/api/v3/get-user").oversized(64 * 1024))
        .start()
        .await
        .unwrap();
    let client = management(&emulator).body_limit(16 * 1024);
    let err = client
        .call(&GetUser::new("u-1".to_owned()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit: 16384 }),
        "{err:?}"
    );

    let emulator = Emulator::builder()
        .fault(Fault::on("/api/v3/get-user").endless())
        .start()
        .await
        .unwrap();
    let client = management(&emulator).body_limit(16 * 1024);
    let err = client
        .call(&GetUser::new("u-1".to_owned()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err:?}");
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error_naming_operation_and_host() {
    // A port that was just free: bind, read the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let host = format!("http://127.0.0.1:{port}");
    let client = ManagementClient::new(
        ManagementClientOptions::new(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
            .host(host.clone()),
    )
    .unwrap();
    let err = client
        .call(&GetUser::new("u-1".to_owned()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("get_management_token could not reach {host}")),
        "{text}"
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn redirects_are_not_followed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // The second server counts the connections it gets.
    let target = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target_addr = target.local_addr().unwrap();
    let reached = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = reached.clone();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = target.accept().await {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let _ = s.shutdown().await;
        }
    });
    let redirector = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redirector_addr = redirector.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = redirector.accept().await {
            let mut buf = vec![0u8; 8192];
            let _ = s.read(&mut buf).await;
            let answer = format!(
                "HTTP/1.1 307 Temporary Redirect\r\nlocation: http://{target_addr}/api/v3/get-management-token\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
            let _ = s.write_all(answer.as_bytes()).await;
        }
    });
    let client = ManagementClient::new(
        ManagementClientOptions::new(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
            .host(format!("http://{redirector_addr}")),
    )
    .unwrap();
    let err = client
        .call(&GetUser::new("u-1".to_owned()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Http(ref e) if e.status == 307),
        "{err:?}"
    );
    assert_eq!(reached.load(std::sync::atomic::Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_clients_debug_output_holds_no_secret() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = management(&emulator);
    client.call(&create("dee@example.com")).await.unwrap();
    let token = client.token().unwrap();
    let text = format!("{client:?}");
    assert!(!text.contains(DEFAULT_ACCESS_KEY_SECRET), "{text}");
    assert!(!text.contains(token.access_token.expose()), "{text}");

    let auth = AuthenticationClient::new(
        AuthenticationClientOptions::new(DEFAULT_APP_ID, emulator.url())
            .app_secret(DEFAULT_APP_SECRET),
    )
    .unwrap();
    let text = format!("{auth:?}");
    assert!(!text.contains(DEFAULT_APP_SECRET), "{text}");
}

#[tokio::test]
async fn sign_in_then_read_the_profile_with_the_users_token() {
    let emulator = Emulator::builder()
        .user(TestUser::email("eve@example.com").with_password("pw-eve-1234"))
        .start()
        .await
        .unwrap();
    let http = genauth_reqwest::default_client().unwrap();
    let client = AuthenticationClient::with_client(
        http,
        AuthenticationClientOptions::new(DEFAULT_APP_ID, emulator.url())
            .app_secret(DEFAULT_APP_SECRET),
    )
    .unwrap();

    let mut payload = SignInByPasswordPayloadDto::new("pw-eve-1234");
    payload.email = Some("eve@example.com".into());
    // The app's client credentials go in the body (client_secret_post).
    let mut dto = client
        .config()
        .sign_in_body(SigninByCredentialsDtoConnection::Password);
    assert_eq!(dto.client_id.as_deref(), Some(DEFAULT_APP_ID));
    dto.password_payload = Some(payload);
    let tokens = client
        .call(&SignInByCredentials(dto.clone()))
        .await
        .unwrap();
    let access_token = tokens.access_token.clone().expect("an access token");

    let profile = client
        .call_with_token(&GetProfile::default(), &access_token)
        .await
        .unwrap();
    assert_eq!(profile.email.as_deref(), Some("eve@example.com"));

    // Without the token the profile is a typed API error, not a panic.
    let err = client.call(&GetProfile::default()).await.unwrap_err();
    assert!(
        err.as_api().is_some() || matches!(err, Error::Http(_)),
        "{err:?}"
    );

    // A wrong password is the service's typed error.
    let mut bad = dto;
    if let Some(p) = bad.password_payload.as_mut() {
        p.password = "wrong-password-1".into();
    }
    let err = client.call(&SignInByCredentials(bad)).await.unwrap_err();
    assert!(err.as_api().is_some(), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("wrong-password-1"));
}
