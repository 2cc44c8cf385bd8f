//! Lazy pagination: `Call::pages` and `Call::items` walk a list one request
//! per page, on the wire (query or body), stop at the end, and stop on errors.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::support::{json_response, management_jwt, Recorded, TestServer};
use futures_util::{StreamExt, TryStreamExt};
use genauth::types::{ListUsersOptionsDto, PaginationDto};
use genauth::{
    AuthenticationClient, AuthenticationClientOptions, Error, ManagementClient,
    ManagementClientOptions,
};
use serde_json::{json, Value};

/// Item `n` of the list at `path`, with the ids the service always sends.
fn item(path: &str, n: i64) -> Value {
    match path {
        // The signed-in user's logins: one user, one entry per login.
        "/api/v3/get-my-login-history" => json!({
            "userId": "user-1",
            "appId": "app-1",
            "loginAt": login_at(n),
            "success": true,
        }),
        _ => json!({"userId": format!("user-{n}"), "status": "Activated"}),
    }
}

/// The `loginAt` of the `n`th login.
fn login_at(n: i64) -> String {
    format!("2026-12-01T10:00:{n:02}.000Z")
}

/// The page `page` of `limit` items out of the numbers 1..=total.
fn page_of(path: &str, page: i64, limit: i64, total: i64) -> Value {
    let start = (page - 1) * limit + 1;
    let list: Vec<Value> = (start..=(start + limit - 1).min(total))
        .map(|n| item(path, n))
        .collect();
    json!({"statusCode": 200, "message": "", "data": {"list": list, "totalCount": total}})
}

/// `page` and `limit` from a query string.
fn query_paging(r: &Recorded) -> (i64, i64) {
    let q = r.query.clone().unwrap_or_default();
    let get = |k: &str| {
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(key, _)| *key == k)
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0)
    };
    (get("page"), get("limit"))
}

/// `options.pagination` from a list_users body.
fn body_paging(r: &Recorded) -> (i64, i64) {
    let p = &r.json()["options"]["pagination"];
    (
        p["page"].as_i64().unwrap_or(0),
        p["limit"].as_i64().unwrap_or(0),
    )
}

async fn auth_server(total: i64) -> (TestServer, AuthenticationClient) {
    let server = TestServer::start(move |r| {
        let (page, limit) = query_paging(r);
        json_response(200, page_of(&r.path, page, limit, total))
    })
    .await;
    let client =
        AuthenticationClient::new(AuthenticationClientOptions::new("app-1", server.url())).unwrap();
    client.set_access_token("user-token");
    (server, client)
}

#[tokio::test]
async fn a_get_list_walks_three_pages_with_page_and_limit_in_the_query() {
    let (server, client) = auth_server(7).await;
    let items: Vec<_> = client
        .get_login_history()
        .limit(3)
        .items()
        .try_collect()
        .await
        .unwrap();
    let logins: Vec<_> = items.iter().map(|h| h.login_at.clone()).collect();
    let want: Vec<_> = (1..=7).map(login_at).collect();
    assert_eq!(logins, want);

    let reqs = server.requests();
    let paging: Vec<_> = reqs.iter().map(query_paging).collect();
    assert_eq!(paging, vec![(1, 3), (2, 3), (3, 3)]);
    assert!(reqs
        .iter()
        .all(|r| r.path == "/api/v3/get-my-login-history"));
}

#[tokio::test]
async fn pages_yields_each_page_and_keeps_the_other_parameters() {
    let (server, client) = auth_server(7).await;
    let pages: Vec<_> = client
        .get_login_history()
        .app_id("app-9")
        .limit(3)
        .pages()
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<_> = pages.iter().map(|p| p.list.len()).collect();
    assert_eq!(sizes, vec![3, 3, 1]);
    assert!(pages.iter().all(|p| p.total_count == 7));
    assert!(server.requests().iter().all(|r| r
        .query
        .as_deref()
        .unwrap_or("")
        .contains("appId=app-9")));
}

#[tokio::test]
async fn the_default_page_size_is_50() {
    let (server, client) = auth_server(7).await;
    let n = client.get_login_history().items().count().await;
    assert_eq!(n, 7);
    let paging: Vec<_> = server.requests().iter().map(query_paging).collect();
    assert_eq!(paging, vec![(1, 50)], "a short first page ends the walk");
}

#[tokio::test]
async fn items_is_lazy_taking_two_items_sends_one_request() {
    let (server, client) = auth_server(7).await;
    let stream = client.get_login_history().limit(3).items();
    fn assert_send<T: Send>(_: &T) {}
    assert_send(&stream);
    assert!(
        server.requests().is_empty(),
        "nothing is sent before polling"
    );
    let two: Vec<_> = stream.take(2).try_collect().await.unwrap();
    assert_eq!(two.len(), 2);
    assert_eq!(server.requests().len(), 1);
}

/// A server that caps the page size at 2 whatever is asked, and reports 5 in all.
#[tokio::test]
async fn a_capped_page_size_does_not_end_the_walk_early() {
    let server = TestServer::start(|r| {
        let (page, _) = query_paging(r);
        json_response(200, page_of(&r.path, page, 2, 5))
    })
    .await;
    let client =
        AuthenticationClient::new(AuthenticationClientOptions::new("app-1", server.url())).unwrap();
    client.set_access_token("user-token");
    let n = client.get_login_history().limit(3).items().count().await;
    assert_eq!(n, 5);
    assert_eq!(server.requests().len(), 3);
}

/// Without a total, a short page is the last.
#[tokio::test]
async fn without_a_total_a_short_page_ends_the_walk() {
    let server = TestServer::start(|r| {
        let (page, limit) = query_paging(r);
        let mut body = page_of(&r.path, page, limit, 5);
        body["data"]["totalCount"] = json!(0);
        json_response(200, body)
    })
    .await;
    let client =
        AuthenticationClient::new(AuthenticationClientOptions::new("app-1", server.url())).unwrap();
    client.set_access_token("user-token");
    let n = client.get_login_history().limit(3).items().count().await;
    assert_eq!(n, 5);
    let paging: Vec<_> = server.requests().iter().map(query_paging).collect();
    assert_eq!(paging, vec![(1, 3), (2, 3)]);
}

#[tokio::test]
async fn an_empty_first_page_gives_no_items_after_one_request() {
    let (server, client) = auth_server(0).await;
    let items: Vec<_> = client
        .get_login_history()
        .limit(3)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert!(items.is_empty());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn an_error_on_page_two_is_yielded_once_and_ends_the_stream() {
    let server = TestServer::start(|r| {
        let (page, limit) = query_paging(r);
        if page == 2 {
            json_response(
                200,
                json!({"statusCode": 400, "apiCode": 2001, "message": "bad page"}),
            )
        } else {
            json_response(200, page_of(&r.path, page, limit, 7))
        }
    })
    .await;
    let client =
        AuthenticationClient::new(AuthenticationClientOptions::new("app-1", server.url())).unwrap();
    client.set_access_token("user-token");
    let got: Vec<_> = client.get_login_history().limit(3).items().collect().await;
    assert_eq!(got.len(), 4, "three items, then the error, then nothing");
    assert!(got[..3].iter().all(Result::is_ok));
    assert!(matches!(got[3], Err(Error::Api(_))), "{:?}", got[3]);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn list_users_pages_through_options_pagination_in_the_body() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let server = TestServer::start(move |r| {
        if r.path == "/api/v3/get-management-token" {
            return json_response(
                200,
                json!({"statusCode":200,"message":"","data":{"access_token": management_jwt("pool-1"),"expires_in":7200}}),
            );
        }
        seen.fetch_add(1, Ordering::SeqCst);
        let (page, limit) = body_paging(r);
        json_response(200, page_of(&r.path, page, limit, 7))
    })
    .await;
    let client =
        ManagementClient::new(ManagementClientOptions::new("ak", "sk").host(server.url())).unwrap();
    let options = ListUsersOptionsDto {
        pagination: Some(PaginationDto {
            limit: Some(3),
            page: None,
        }),
        with_custom_data: Some(true),
        ..Default::default()
    };
    let users: Vec<_> = client
        .list_users()
        .keywords("ann")
        .options(options)
        .items()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = users.iter().map(|u| u.user_id.clone()).collect();
    let want: Vec<_> = (1..=7).map(|n| format!("user-{n}")).collect();
    assert_eq!(ids, want);
    assert_eq!(calls.load(Ordering::SeqCst), 3);

    let lists: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/v3/list-users")
        .collect();
    let paging: Vec<_> = lists.iter().map(body_paging).collect();
    assert_eq!(paging, vec![(1, 3), (2, 3), (3, 3)]);
    for r in &lists {
        let body = r.json();
        assert_eq!(body["keywords"], "ann");
        assert_eq!(body["options"]["withCustomData"], true);
    }
}

#[tokio::test]
async fn list_users_without_options_creates_the_pagination_object() {
    let server = TestServer::start(|r| {
        if r.path == "/api/v3/get-management-token" {
            return json_response(
                200,
                json!({"statusCode":200,"message":"","data":{"access_token": management_jwt("pool-1"),"expires_in":7200}}),
            );
        }
        let (page, limit) = body_paging(r);
        json_response(200, page_of(&r.path, page, limit, 2))
    })
    .await;
    let client =
        ManagementClient::new(ManagementClientOptions::new("ak", "sk").host(server.url())).unwrap();
    let pages: Vec<_> = client.list_users().pages().try_collect().await.unwrap();
    assert_eq!(pages.len(), 1);
    let list = server
        .requests()
        .into_iter()
        .find(|r| r.path == "/api/v3/list-users")
        .unwrap();
    assert_eq!(
        list.json()["options"]["pagination"],
        json!({"page": 1, "limit": 50})
    );
}

#[tokio::test]
async fn the_emulator_list_users_pages_through_five_users() {
    let emu = genauth_emulator::Emulator::builder().start().await.unwrap();
    let client = ManagementClient::new(
        ManagementClientOptions::new(
            genauth_emulator::DEFAULT_ACCESS_KEY_ID,
            genauth_emulator::DEFAULT_ACCESS_KEY_SECRET,
        )
        .host(emu.url()),
    )
    .unwrap();
    for n in 0..5 {
        client
            .create_user()
            .email(format!("pager{n}@example.com"))
            .await
            .unwrap();
    }
    let options = ListUsersOptionsDto {
        pagination: Some(PaginationDto {
            limit: Some(2),
            page: None,
        }),
        ..Default::default()
    };
    let pages: Vec<_> = client
        .list_users()
        .keywords("pager")
        .options(options)
        .pages()
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<_> = pages.iter().map(|p| p.list.len()).collect();
    assert_eq!(sizes, vec![2, 2, 1]);
    let mut emails: Vec<_> = pages
        .iter()
        .flat_map(|p| p.list.iter().filter_map(|u| u.email.clone()))
        .collect();
    emails.sort();
    let want: Vec<_> = (0..5).map(|n| format!("pager{n}@example.com")).collect();
    assert_eq!(emails, want);
}
