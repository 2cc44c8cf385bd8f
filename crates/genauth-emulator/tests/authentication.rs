//! Sign-up, sign-in, profile and account binding through the AuthenticationClient.

use crate::common::{authentication, Tokens, User as UserDto};
use genauth_emulator::{Emulator, TestUser, DEFAULT_APP_ID, DEFAULT_APP_SECRET};
use serde_json::{json, Value};

op!(SignUp, POST, "/api/v3/signup", UserToken, Json, UserDto);
op!(
    SignIn,
    POST,
    "/api/v3/signin",
    AppBasicOrToken,
    Json,
    Tokens
);
op!(SendSms, POST, "/api/v3/send-sms", UserToken, Json, Value);
op!(
    SendEmail,
    POST,
    "/api/v3/send-email",
    UserToken,
    Json,
    Value
);
op!(
    GetProfile,
    GET,
    "/api/v3/get-profile",
    UserToken,
    Query,
    UserDto
);
op!(
    UpdateProfile,
    POST,
    "/api/v3/update-profile",
    UserToken,
    Json,
    Value
);
op!(
    UpdatePassword,
    POST,
    "/api/v3/update-password",
    UserToken,
    Json,
    Value
);
op!(
    BindEmail,
    POST,
    "/api/v3/bind-email",
    UserToken,
    Json,
    Value
);

fn password_sign_in(email: &str, password: &str) -> SignIn {
    SignIn(
        json!({"connection": "PASSWORD", "passwordPayload": {"email": email, "password": password},
            "client_id": DEFAULT_APP_ID, "client_secret": DEFAULT_APP_SECRET}),
    )
}

#[tokio::test]
async fn sign_up_sign_in_profile_and_password_change() {
    let emu = Emulator::builder().start().await.unwrap();
    let client = authentication(&emu);
    let user = client
        .send(&SignUp(json!({
            "connection": "PASSWORD",
            "passwordPayload": {"email": "bob@example.com", "password": "first-pass"},
            "profile": {"nickname": "bobby"}
        })))
        .await
        .unwrap();
    assert_eq!(user.email.as_deref(), Some("bob@example.com"));
    assert_eq!(
        emu.user_id("bob@example.com").as_deref(),
        Some(user.user_id.as_str())
    );

    // Without a token, the profile is refused with 401 / 2020.
    let err = client.send(&GetProfile(vec![])).await.unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(
        (api.status_code.code(), api.api_code.map(|c| c.code())),
        (401, Some(2020))
    );

    let err = client
        .send(&password_sign_in("bob@example.com", "wrong"))
        .await
        .unwrap_err();
    assert_eq!(err.as_api().unwrap().api_code.map(|c| c.code()), Some(2006));

    let tokens = client
        .send(&password_sign_in("bob@example.com", "first-pass"))
        .await
        .unwrap();
    assert_eq!(tokens.token_type, "Bearer");
    assert!(tokens.expire_in > 0);
    assert!(tokens.id_token.is_some());
    client.set_access_token(tokens.access_token);

    let me = client.send(&GetProfile(vec![])).await.unwrap();
    assert_eq!(me.user_id, user.user_id);
    let updated = client
        .send(&UpdateProfile(
            json!({"nickname": "Bob B.", "company": "ACME"}),
        ))
        .await
        .unwrap();
    assert_eq!(updated["nickname"], "Bob B.");
    assert_eq!(updated["company"], "ACME");

    let err = client
        .send(&UpdatePassword(
            json!({"newPassword": "second-pass", "oldPassword": "nope"}),
        ))
        .await
        .unwrap_err();
    assert_eq!(err.as_api().unwrap().api_code.map(|c| c.code()), Some(2203));
    client
        .send(&UpdatePassword(
            json!({"newPassword": "second-pass", "oldPassword": "first-pass"}),
        ))
        .await
        .unwrap();
    assert!(client
        .send(&password_sign_in("bob@example.com", "first-pass"))
        .await
        .is_err());
    client
        .send(&password_sign_in("bob@example.com", "second-pass"))
        .await
        .unwrap();

    // A body of the wrong type is an invalid-argument envelope naming the field.
    let err = client
        .send(&SignUp(
            json!({"connection": "PASSWORD", "passwordPayload": {"email": "x@example.com"}}),
        ))
        .await
        .unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.status_code, 400);
    assert!(api.message.contains("password"), "{}", api.message);
}

#[tokio::test]
async fn passcodes_sign_up_sign_in_and_bind() {
    let emu = Emulator::builder().start().await.unwrap();
    let client = authentication(&emu);
    client
        .send(&SendSms(
            json!({"channel": "CHANNEL_REGISTER", "phoneNumber": "+15550100"}),
        ))
        .await
        .unwrap();
    let code = emu.last_passcode("+15550100").unwrap();
    assert_eq!(code.len(), 6);
    let err = client
        .send(&SignUp(json!({"connection": "PASSCODE", "passCodePayload": {"phone": "+15550100", "passCode": "not-it"}})))
        .await
        .unwrap_err();
    assert_eq!(err.as_api().unwrap().api_code.map(|c| c.code()), Some(2001));
    let user = client
        .send(&SignUp(json!({"connection": "PASSCODE", "passCodePayload": {"phone": "+15550100", "passCode": code}})))
        .await
        .unwrap();
    assert_eq!(user.phone.as_deref(), Some("+15550100"));
    assert_eq!(
        emu.last_passcode("+15550100"),
        None,
        "a passcode is used once"
    );

    client
        .send(&SendSms(
            json!({"channel": "CHANNEL_LOGIN", "phoneNumber": "+15550100"}),
        ))
        .await
        .unwrap();
    let code = emu.last_passcode("+15550100").unwrap();
    let tokens = client
        .send(&SignIn(json!({"connection": "PASSCODE",
            "passCodePayload": {"phone": "+15550100", "passCode": code},
            "client_id": DEFAULT_APP_ID, "client_secret": DEFAULT_APP_SECRET})))
        .await
        .unwrap();
    client.set_access_token(tokens.access_token);

    client
        .send(&SendEmail(
            json!({"channel": "CHANNEL_BIND_EMAIL", "email": "phone.user@example.com"}),
        ))
        .await
        .unwrap();
    let code = emu.last_passcode("phone.user@example.com").unwrap();
    client
        .send(&BindEmail(
            json!({"email": "phone.user@example.com", "passCode": code}),
        ))
        .await
        .unwrap();
    let me = client.send(&GetProfile(vec![])).await.unwrap();
    assert_eq!(me.email.as_deref(), Some("phone.user@example.com"));
}

#[tokio::test]
async fn sign_in_checks_the_app() {
    let emu = Emulator::builder()
        .user(TestUser::email("c@example.com").with_password("pw-c-1234"))
        .start()
        .await
        .unwrap();
    let other = genauth_tower::AuthenticationClient::new(
        genauth_core::AuthenticationClientOptions::new("unknown-app", emu.url()),
    )
    .unwrap();
    let err = other
        .send(&SignIn(json!({"connection": "PASSWORD",
            "passwordPayload": {"email": "c@example.com", "password": "pw-c-1234"},
            "client_id": "unknown-app", "client_secret": "s"})))
        .await
        .unwrap_err();
    assert_eq!(err.as_api().unwrap().api_code.map(|c| c.code()), Some(2011));
    // client_secret_basic with the right secret works.
    let basic = genauth_tower::AuthenticationClient::new(
        genauth_core::AuthenticationClientOptions::new(genauth_emulator::DEFAULT_APP_ID, emu.url())
            .app_secret(genauth_emulator::DEFAULT_APP_SECRET)
            .token_endpoint_auth_method(genauth_core::TokenEndpointAuthMethod::ClientSecretBasic),
    )
    .unwrap();
    basic
        .send(&password_sign_in("c@example.com", "pw-c-1234"))
        .await
        .unwrap();
}

#[tokio::test]
async fn expired_access_tokens_are_refused() {
    let emu = Emulator::builder()
        .user(TestUser::email("e@example.com").with_password("pw-e-1234"))
        .lifetimes(genauth_emulator::Lifetimes {
            access_token: std::time::Duration::ZERO,
            ..Default::default()
        })
        .start()
        .await
        .unwrap();
    let client = authentication(&emu);
    let tokens = client
        .send(&password_sign_in("e@example.com", "pw-e-1234"))
        .await
        .unwrap();
    client.set_access_token(tokens.access_token);
    let err = client.send(&GetProfile(vec![])).await.unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(
        (api.status_code.code(), api.api_code.map(|c| c.code())),
        (401, Some(2206))
    );
}
