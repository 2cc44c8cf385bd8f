//! `.page(n)` and `.page_size(n)` on paginated calls put the numbers where
//! each operation carries them on the wire (query string, string-typed query,
//! the body itself, the body's `options.pagination`); a walk starts at the
//! page set; `collect_all` and the re-exported stream traits need no
//! `futures-util` in the application.

use crate::support::{json_response, management_jwt, Recorded, TestServer};
use genauth::paginate::prelude::*;
use genauth::types::ListUsersOptionsDto;
use genauth::{
    AuthenticationClient, AuthenticationClientOptions, ManagementClient, ManagementClientOptions,
};
use serde_json::{json, Value};

/// Item `n` of the list at `path`, with the ids the service always sends.
fn item(path: &str, n: i64) -> Value {
    match path {
        "/api/v3/list-roles" => {
            json!({"id": format!("role-id-{n}"), "code": format!("role-{n}"), "namespace": "default"})
        }
        "/api/v3/list-tenants" => json!({"tenantId": format!("tenant-{n}"), "name": "Tenant"}),
        "/api/v3/get-webhook-logs" => json!({
            "webhookId": "hook-1",
            "eventName": "user:created",
            "timestamp": format!("2026-12-01T10:00:{n:02}.000+0000"),
            "success": true,
        }),
        // The signed-in user's logins: one user, one entry per login.
        "/api/v3/get-my-login-history" => json!({
            "userId": "user-1",
            "appId": "app-1",
            "loginAt": format!("2026-12-01T10:00:{n:02}.000Z"),
            "success": true,
        }),
        _ => json!({"userId": format!("user-{n}"), "status": "Activated"}),
    }
}

/// The page `page` of `limit` items out of the numbers 1..=total.
fn page_of(path: &str, page: i64, limit: i64, total: i64) -> Value {
    let start = (page - 1) * limit + 1;
    let list: Vec<Value> = (start..=(start + limit - 1).min(total))
        .map(|n| item(path, n))
        .collect();
    json!({"statusCode": 200, "message": "", "data": {"list": list, "totalCount": total}})
}

fn query_value(r: &Recorded, key: &str) -> Option<String> {
    r.query
        .as_deref()?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.to_owned())
}

/// A management client against a server that answers the token request and
/// pages of 7 users, reading the paging from the body's options or the query.
async fn mgmt_server() -> (TestServer, ManagementClient) {
    let server = TestServer::start(|r| {
        if r.path == "/api/v3/get-management-token" {
            return json_response(
                200,
                json!({"statusCode":200,"message":"","data":{"access_token": management_jwt("pool-1"),"expires_in":7200}}),
            );
        }
        let (page, limit) = if r.path == "/api/v3/list-users" {
            let p = &r.json()["options"]["pagination"];
            (p["page"].as_i64().unwrap_or(1), p["limit"].as_i64().unwrap_or(10))
        } else if r.method == http::Method::POST {
            let b = r.json();
            (b["page"].as_i64().unwrap_or(1), b["limit"].as_i64().unwrap_or(10))
        } else {
            let n = |k| query_value(r, k).and_then(|v| v.parse().ok());
            (n("page").unwrap_or(1), n("limit").unwrap_or(10))
        };
        json_response(200, page_of(&r.path, page, limit, 7))
    })
    .await;
    let client =
        ManagementClient::new(ManagementClientOptions::new("ak", "sk").host(server.url())).unwrap();
    (server, client)
}

fn requests_to(server: &TestServer, path: &str) -> Vec<Recorded> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.path == path)
        .collect()
}

#[tokio::test]
async fn list_users_page_and_page_size_go_to_options_pagination() {
    let (server, client) = mgmt_server().await;
    let page = client
        .list_users()
        .options(ListUsersOptionsDto {
            with_custom_data: Some(true),
            ..Default::default()
        })
        .page(2)
        .page_size(3)
        .await
        .unwrap();
    let ids: Vec<_> = page.list.iter().map(|u| u.user_id.clone()).collect();
    assert_eq!(ids, ["user-4", "user-5", "user-6"]);
    let sent = requests_to(&server, "/api/v3/list-users");
    assert_eq!(sent.len(), 1);
    let body = sent[0].json();
    assert_eq!(
        body["options"]["pagination"],
        json!({"page": 2, "limit": 3})
    );
    assert_eq!(
        body["options"]["withCustomData"], true,
        "the other options are kept"
    );
}

#[tokio::test]
async fn a_query_list_sends_page_and_limit_in_the_query() {
    let (server, client) = mgmt_server().await;
    client.list_roles().page(3).page_size(2).await.unwrap();
    let sent = requests_to(&server, "/api/v3/list-roles");
    assert_eq!(query_value(&sent[0], "page").as_deref(), Some("3"));
    assert_eq!(query_value(&sent[0], "limit").as_deref(), Some("2"));
}

#[tokio::test]
async fn a_string_typed_query_list_sends_the_numbers_as_text() {
    let (server, client) = mgmt_server().await;
    client.list_tenants().page(2).page_size(10).await.unwrap();
    let sent = requests_to(&server, "/api/v3/list-tenants");
    assert_eq!(query_value(&sent[0], "page").as_deref(), Some("2"));
    assert_eq!(query_value(&sent[0], "limit").as_deref(), Some("10"));
}

#[tokio::test]
async fn a_body_list_sends_page_and_limit_in_the_body() {
    let (server, client) = mgmt_server().await;
    client
        .get_webhook_logs("hook-1")
        .page(2)
        .page_size(4)
        .await
        .unwrap();
    let sent = requests_to(&server, "/api/v3/get-webhook-logs");
    let body = sent[0].json();
    assert_eq!(
        (body["page"].clone(), body["limit"].clone()),
        (json!(2), json!(4))
    );
    assert_eq!(body["webhookId"], "hook-1");
}

#[tokio::test]
async fn a_walk_starts_at_the_page_set_and_still_ends_at_the_total() {
    let (server, client) = mgmt_server().await;
    let pages: Vec<_> = client
        .list_users()
        .page(2)
        .page_size(3)
        .pages()
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<_> = pages.iter().map(|p| p.list.len()).collect();
    assert_eq!(sizes, [3, 1], "pages 2 and 3 of 7 items by 3");
    let asked: Vec<_> = requests_to(&server, "/api/v3/list-users")
        .iter()
        .map(|r| r.json()["options"]["pagination"].clone())
        .collect();
    assert_eq!(
        asked,
        [
            json!({"page": 2, "limit": 3}),
            json!({"page": 3, "limit": 3})
        ]
    );
}

#[tokio::test]
async fn collect_all_gathers_every_item_without_a_stream_trait() {
    let (server, client) = mgmt_server().await;
    let users = client
        .list_users()
        .page_size(3)
        .collect_all()
        .await
        .unwrap();
    let ids: Vec<_> = users.iter().map(|u| u.user_id.clone()).collect();
    let want: Vec<_> = (1..=7).map(|n| format!("user-{n}")).collect();
    assert_eq!(ids, want);
    assert_eq!(requests_to(&server, "/api/v3/list-users").len(), 3);
}

#[tokio::test]
async fn the_authentication_list_takes_page_and_page_size_too() {
    let server = TestServer::start(|r| {
        let n = |k| query_value(r, k).and_then(|v| v.parse().ok()).unwrap_or(1);
        json_response(200, page_of(&r.path, n("page"), n("limit"), 7))
    })
    .await;
    let client =
        AuthenticationClient::new(AuthenticationClientOptions::new("app-1", server.url())).unwrap();
    client.set_access_token("user-token");
    let first_two: Vec<_> = client
        .get_login_history()
        .page_size(2)
        .items()
        .take(3)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first_two.len(), 3);
    let asked: Vec<_> = server
        .requests()
        .iter()
        .map(|r| (query_value(r, "page"), query_value(r, "limit")))
        .collect();
    assert_eq!(
        asked,
        [
            (Some("1".into()), Some("2".into())),
            (Some("2".into()), Some("2".into()))
        ],
        "taking 3 items of pages of 2 sends two requests"
    );
}
