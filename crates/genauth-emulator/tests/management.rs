//! The management API through the real ManagementClient over hyper.

use std::time::Instant;

use crate::common::{management, raw_json, Page, User as UserDto};
use genauth_emulator::{Emulator, TestUser};
use serde_json::{json, Value};

op!(
    GetUser,
    GET,
    "/api/v3/get-user",
    ManagementToken,
    Query,
    UserDto
);
op!(
    CreateUser,
    POST,
    "/api/v3/create-user",
    ManagementToken,
    Json,
    UserDto
);
op!(
    UpdateUser,
    POST,
    "/api/v3/update-user",
    ManagementToken,
    Json,
    UserDto
);
op!(
    DeleteUsers,
    POST,
    "/api/v3/delete-users-batch",
    ManagementToken,
    Json,
    Value
);
op!(
    ListUsers,
    POST,
    "/api/v3/list-users",
    ManagementToken,
    Json,
    Page<UserDto>
);
op!(
    GetUserBatch,
    GET,
    "/api/v3/get-user-batch",
    ManagementToken,
    Query,
    Vec<UserDto>
);
op!(
    CreateRole,
    POST,
    "/api/v3/create-role",
    ManagementToken,
    Json,
    Value
);
op!(
    ListRoles,
    GET,
    "/api/v3/list-roles",
    ManagementToken,
    Query,
    Value
);
op!(
    AssignRole,
    POST,
    "/api/v3/assign-role",
    ManagementToken,
    Json,
    Value
);
op!(
    RevokeRole,
    POST,
    "/api/v3/revoke-role",
    ManagementToken,
    Json,
    Value
);
op!(
    GetUserRoles,
    GET,
    "/api/v3/get-user-roles",
    ManagementToken,
    Query,
    Value
);
op!(
    CreateGroup,
    POST,
    "/api/v3/create-group",
    ManagementToken,
    Json,
    Value
);
op!(
    AddGroupMembers,
    POST,
    "/api/v3/add-group-members",
    ManagementToken,
    Json,
    Value
);
op!(
    ListGroupMembers,
    GET,
    "/api/v3/list-group-members",
    ManagementToken,
    Query,
    Page<UserDto>
);
op!(
    GetUserGroups,
    GET,
    "/api/v3/get-user-groups",
    ManagementToken,
    Query,
    Value
);

#[tokio::test]
async fn starts_in_milliseconds_and_serves_the_management_token() {
    let t = Instant::now();
    let emu = Emulator::builder().start().await.unwrap();
    let elapsed = t.elapsed();
    assert!(elapsed.as_millis() < 2000, "start took {elapsed:?}");
    let client = management(&emu);
    let page = client.send(&ListUsers(json!({}))).await.unwrap();
    assert_eq!(page.total_count, 0);
    assert_eq!(client.token_cache().fetch_count(), 1);
}

#[tokio::test]
async fn wrong_access_key_and_missing_token_are_refused() {
    let emu = Emulator::builder()
        .access_key("ak-1", "sk-1")
        .start()
        .await
        .unwrap();
    let bad = genauth_tower::ManagementClient::new(
        genauth_core::ManagementClientOptions::new("ak-1", "not-the-secret").host(emu.url()),
    )
    .unwrap();
    let err = bad.send(&ListUsers(json!({}))).await.unwrap_err();
    assert_eq!(err.as_api().unwrap().status_code, 401, "{err}");

    // A management call without a token: HTTP 200, statusCode 401.
    let body = raw_json(
        "POST",
        &format!("{}/api/v3/list-users", emu.url()),
        &[],
        &json!({}),
    )
    .await;
    assert_eq!(body["statusCode"], 401);
    assert!(body["requestId"].is_string());
    let forged = raw_json(
        "POST",
        &format!("{}/api/v3/list-users", emu.url()),
        &[
            ("authorization", "Bearer a.b.c"),
            ("x-genauth-userpool-id", emu.userpool_id()),
        ],
        &json!({}),
    )
    .await;
    assert_eq!(forged["statusCode"], 401);
}

#[tokio::test]
async fn users_are_created_listed_filtered_updated_and_deleted() {
    let emu = Emulator::builder()
        .user(TestUser::email("seed@example.com").with_password("pw-123456"))
        .start()
        .await
        .unwrap();
    let client = management(&emu);
    let mut ids = Vec::new();
    for i in 0..5 {
        let u = client
            .send(&CreateUser(json!({"email": format!("u{i}@example.com"), "name": format!("User {i}"), "password": "x-123456"})))
            .await
            .unwrap();
        assert_eq!(
            u.email.as_deref(),
            Some(format!("u{i}@example.com").as_str())
        );
        ids.push(u.user_id);
    }
    // Duplicate email: conflict envelope.
    let err = client
        .send(&CreateUser(json!({"email": "u1@example.com"})))
        .await
        .unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(
        (api.status_code.code(), api.api_code.map(|c| c.code())),
        (409, Some(2026))
    );
    // Wrong type: invalid-argument envelope naming the field.
    let err = client
        .send(&CreateUser(json!({"email": 42})))
        .await
        .unwrap_err();
    assert_eq!(err.as_api().unwrap().status_code, 400);
    assert!(err.as_api().unwrap().message.contains("email"), "{err}");

    let all = client.send(&ListUsers(json!({}))).await.unwrap();
    assert_eq!(all.total_count, 6);
    assert_eq!(all.list.len(), 6);

    let page2 = client
        .send(&ListUsers(
            json!({"options": {"pagination": {"page": 2, "limit": 4}}}),
        ))
        .await
        .unwrap();
    assert_eq!((page2.total_count, page2.list.len()), (6, 2));

    let found = client
        .send(&ListUsers(json!({"keywords": "u3@"})))
        .await
        .unwrap();
    assert_eq!(found.list.len(), 1);
    assert_eq!(found.list[0].user_id, ids[3]);

    let filtered = client
        .send(&ListUsers(
            json!({"advancedFilter": [{"field": "name", "operator": "CONTAINS", "value": "User"}]}),
        ))
        .await
        .unwrap();
    assert_eq!(filtered.total_count, 5);

    let one = client
        .send(&GetUser(vec![("userId", ids[0].clone())]))
        .await
        .unwrap();
    assert_eq!(one.email.as_deref(), Some("u0@example.com"));
    let batch = client
        .send(&GetUserBatch(vec![
            ("userIds", ids[1].clone()),
            ("userIds", ids[2].clone()),
        ]))
        .await
        .unwrap();
    assert_eq!(batch.len(), 2);

    let updated = client
        .send(&UpdateUser(json!({"userId": ids[0], "username": "zero"})))
        .await
        .unwrap();
    assert_eq!(updated.username.as_deref(), Some("zero"));

    client
        .send(&DeleteUsers(json!({"userIds": [ids[0], ids[1]]})))
        .await
        .unwrap();
    let err = client
        .send(&GetUser(vec![("userId", ids[0].clone())]))
        .await
        .unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(
        (api.status_code.code(), api.api_code.map(|c| c.code())),
        (404, Some(2004))
    );
    let all = client.send(&ListUsers(json!({}))).await.unwrap();
    assert_eq!(all.total_count, 4);
    assert!(all
        .list
        .iter()
        .all(|u| u.user_id != ids[0] && u.user_id != ids[1]));
}

#[tokio::test]
async fn roles_and_groups_hold_their_members() {
    let emu = Emulator::builder().start().await.unwrap();
    let client = management(&emu);
    let user = client
        .send(&CreateUser(json!({"username": "ann"})))
        .await
        .unwrap();
    let role = client
        .send(&CreateRole(json!({"code": "admin", "name": "Admin"})))
        .await
        .unwrap();
    assert_eq!(role["namespace"], "default");
    let err = client
        .send(&CreateRole(json!({"name": "no code"})))
        .await
        .unwrap_err();
    assert!(err.as_api().unwrap().message.contains("code"), "{err}");
    let roles = client.send(&ListRoles(vec![])).await.unwrap();
    assert_eq!(roles["totalCount"], 1);

    let target = json!([{"targetType": "USER", "targetIdentifier": user.user_id}]);
    client
        .send(&AssignRole(json!({"code": "admin", "targets": target})))
        .await
        .unwrap();
    let mine = client
        .send(&GetUserRoles(vec![("userId", user.user_id.clone())]))
        .await
        .unwrap();
    assert_eq!(mine["list"][0]["code"], "admin");
    client
        .send(&RevokeRole(json!({"code": "admin", "targets": target})))
        .await
        .unwrap();
    let mine = client
        .send(&GetUserRoles(vec![("userId", user.user_id.clone())]))
        .await
        .unwrap();
    assert_eq!(mine["totalCount"], 0);
    let err = client
        .send(&AssignRole(json!({"code": "nope", "targets": target})))
        .await
        .unwrap_err();
    assert_eq!(err.as_api().unwrap().status_code, 404);

    client
        .send(&CreateGroup(
            json!({"code": "eng", "name": "Engineering", "description": "", "type": "static"}),
        ))
        .await
        .unwrap();
    client
        .send(&AddGroupMembers(
            json!({"code": "eng", "userIds": [user.user_id]}),
        ))
        .await
        .unwrap();
    let members = client
        .send(&ListGroupMembers(vec![("code", "eng".into())]))
        .await
        .unwrap();
    assert_eq!(members.list[0].user_id, user.user_id);
    let groups = client
        .send(&GetUserGroups(vec![("userId", user.user_id.clone())]))
        .await
        .unwrap();
    assert_eq!(groups["list"][0]["code"], "eng");
}

op!(
    ListOrganizations,
    GET,
    "/api/v3/list-organizations",
    ManagementToken,
    Query,
    Page<Value>
);
op!(
    GetOrganization,
    GET,
    "/api/v3/get-organization",
    ManagementToken,
    Query,
    Value
);

#[tokio::test]
async fn seeded_organizations_count_their_members() {
    use genauth_emulator::Organization;
    let emu = Emulator::builder()
        .user(TestUser::email("a@example.com"))
        .user(TestUser::username("b"))
        .organization(
            Organization::new("acme", "ACME")
                .member("a@example.com")
                .member("b"),
        )
        .organization(Organization::new("empty", "Empty Inc."))
        .start()
        .await
        .unwrap();
    let client = management(&emu);
    let orgs = client.send(&ListOrganizations(vec![])).await.unwrap();
    assert_eq!(orgs.total_count, 2);
    let acme = client
        .send(&GetOrganization(vec![("organizationCode", "acme".into())]))
        .await
        .unwrap();
    assert_eq!(acme["membersCount"], 2);
    let dept = acme["departmentId"].as_str().unwrap().to_owned();
    let id = emu.user_id("b").unwrap();
    let user = client
        .send(&GetUser(vec![("userId", id.clone())]))
        .await
        .unwrap();
    assert_eq!(user.user_id, id);
    let raw = client
        .send(&GetUserRaw(vec![("userId", id.clone())]))
        .await
        .unwrap();
    assert_eq!(raw["departmentIds"], serde_json::json!([dept]));
    client
        .send(&DeleteUsers(json!({"userIds": [id]})))
        .await
        .unwrap();
    let acme = client
        .send(&GetOrganization(vec![("organizationCode", "acme".into())]))
        .await
        .unwrap();
    assert_eq!(acme["membersCount"], 1);
    let err = client
        .send(&GetOrganization(vec![("organizationCode", "nope".into())]))
        .await
        .unwrap_err();
    assert_eq!(err.as_api().unwrap().status_code, 404);

    let bad = Emulator::builder()
        .organization(Organization::new("x", "X").member("ghost@example.com"))
        .start()
        .await;
    assert!(matches!(bad, Err(genauth_emulator::StartError::Config(_))));
}

op!(
    GetUserRaw,
    GET,
    "/api/v3/get-user",
    ManagementToken,
    Query,
    Value
);
