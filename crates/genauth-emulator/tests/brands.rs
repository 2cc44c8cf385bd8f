//! Both brands against the emulator: Authing clients (`x-authing-*` headers)
//! and GenAuth clients (`x-genauth-*`) are served alike.

use crate::common::{Tokens, User as UserDto};
use genauth_core::{AuthenticationClientOptions, Brand, ManagementClientOptions};
use genauth_emulator::{
    Emulator, TestUser, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
};
use genauth_tower::{AuthenticationClient, ManagementClient};
use serde_json::json;

op!(
    CreateUser,
    POST,
    "/api/v3/create-user",
    ManagementToken,
    Json,
    UserDto
);
op!(
    GetUser,
    GET,
    "/api/v3/get-user",
    ManagementToken,
    Query,
    UserDto
);
op!(
    SignIn,
    POST,
    "/api/v3/signin",
    AppBasicOrToken,
    Json,
    Tokens
);
op!(
    GetProfile,
    GET,
    "/api/v3/get-profile",
    UserToken,
    Query,
    UserDto
);

#[tokio::test]
async fn both_brands_are_served() {
    let emu = Emulator::builder()
        .user(TestUser::email("brand@example.com").with_password("pw-brand-1"))
        .start()
        .await
        .unwrap();
    for brand in Brand::ALL {
        let mgmt = ManagementClient::new(
            ManagementClientOptions::new(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
                .brand(brand)
                .host(emu.url()),
        )
        .unwrap();
        let email = format!("{}@example.com", brand.name());
        let created = mgmt
            .send(&CreateUser(
                json!({"email": email, "password": "pw-x-12345"}),
            ))
            .await
            .unwrap();
        let got = mgmt
            .send(&GetUser(vec![("userId", created.user_id.clone())]))
            .await
            .unwrap();
        assert_eq!(got.email.as_deref(), Some(email.as_str()), "{brand}");

        let auth = AuthenticationClient::new(
            AuthenticationClientOptions::new(DEFAULT_APP_ID, emu.url())
                .app_secret(DEFAULT_APP_SECRET)
                .brand(brand),
        )
        .unwrap();
        let tokens = auth
            .send(&SignIn(json!({
                "connection": "PASSWORD",
                "passwordPayload": {"email": "brand@example.com", "password": "pw-brand-1"},
                "client_id": DEFAULT_APP_ID,
                "client_secret": DEFAULT_APP_SECRET
            })))
            .await
            .unwrap();
        auth.set_access_token(tokens.access_token);
        let me = auth.send(&GetProfile(vec![])).await.unwrap();
        assert_eq!(me.email.as_deref(), Some("brand@example.com"), "{brand}");
    }
}
