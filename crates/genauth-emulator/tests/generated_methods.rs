//! The stateful flows through the generated client methods: the emulator's
//! answers decode into the generated types, and calls have their effects.

use crate::common;

use genauth_emulator::{Emulator, TestUser};
use genauth_types::{
    SignInByPasswordPayloadDto, SignUpByPasswordDto, SignUpDtoConnection,
    SigninByCredentialsDtoConnection, TargetDto, TargetDtoTargetType,
};

#[tokio::test]
async fn admin_users_and_roles_with_generated_methods() {
    let emu = Emulator::builder()
        .user(TestUser::email("seed@example.com").with_password("pw-seed-1"))
        .start()
        .await
        .unwrap();
    let admin = common::management(&emu);
    let created = admin
        .create_user()
        .email("gen@example.com")
        .name("Generated")
        .await
        .unwrap();
    assert_eq!(created.email.as_deref(), Some("gen@example.com"));
    let page = admin.list_users().await.unwrap();
    assert_eq!(page.total_count, 2);
    assert!(page.list.iter().any(|u| u.user_id == created.user_id));
    let fetched = admin.get_user(created.user_id.clone()).await.unwrap();
    assert_eq!(fetched.user_id, created.user_id);

    let role = admin.create_role("auditor").await.unwrap();
    assert_eq!(role.code, "auditor");
    admin
        .assign_role(
            vec![TargetDto::new(
                created.user_id.clone(),
                TargetDtoTargetType::User,
            )],
            "auditor",
        )
        .await
        .unwrap();
    let roles = admin.get_user_roles(created.user_id.clone()).await.unwrap();
    assert_eq!(roles.list.len(), 1);
    assert_eq!(roles.list[0].code, "auditor");

    admin
        .delete_users_batch(vec![created.user_id.clone()])
        .await
        .unwrap();
    assert!(admin.get_user(created.user_id.clone()).await.is_err());
    assert_eq!(admin.list_users().await.unwrap().total_count, 1);
}

#[tokio::test]
async fn sign_up_sign_in_profile_with_generated_methods() {
    let emu = Emulator::builder().start().await.unwrap();
    let auth = common::authentication(&emu);
    let mut payload = SignUpByPasswordDto::new("pw-gen-123");
    payload.email = Some("new@example.com".into());
    let user = auth
        .sign_up(SignUpDtoConnection::Password)
        .password_payload(payload)
        .await
        .unwrap();
    let mut creds = SignInByPasswordPayloadDto::new("pw-gen-123");
    creds.email = Some("new@example.com".into());
    let tokens = auth
        .sign_in_by_credentials(SigninByCredentialsDtoConnection::Password)
        .password_payload(creds)
        .client_id(genauth_emulator::DEFAULT_APP_ID)
        .client_secret(genauth_emulator::DEFAULT_APP_SECRET)
        .await
        .unwrap();
    assert_eq!(tokens.token_type, "Bearer");
    auth.set_access_token(tokens.access_token.unwrap());
    let me = auth.get_profile().await.unwrap();
    assert_eq!(me.user_id, user.user_id);
    assert_eq!(me.email.as_deref(), Some("new@example.com"));
}
