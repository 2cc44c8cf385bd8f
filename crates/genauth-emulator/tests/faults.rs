//! Fault injection as the SDK's layers see it: statuses, envelopes, drops,
//! latency against the timeout, and bodies against the size limit.

use crate::common;

use std::time::Duration;

use genauth_core::{Error, ManagementClientOptions};
use genauth_emulator::{Emulator, Fault, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET};
use genauth_tower::layers::CollectBodyLayer;
use genauth_tower::{HttpService, ManagementClient};
use tower_layer::Layer;

use serde_json::{json, Value};

op!(
    ListUsers,
    POST,
    "/api/v3/list-users",
    ManagementToken,
    Json,
    Value
);

const LIST: &str = "/api/v3/list-users";

#[tokio::test]
async fn status_faults_apply_the_given_number_of_times() {
    let emu = Emulator::builder()
        .fault(Fault::on(LIST).status(503).times(2))
        .start()
        .await
        .unwrap();
    let client = common::management(&emu);
    for _ in 0..2 {
        match client.send(&ListUsers(json!({}))).await.unwrap_err() {
            Error::Http(h) => assert_eq!(h.status, 503),
            other => panic!("expected HTTP 503, got {other:?}"),
        }
    }
    client.send(&ListUsers(json!({}))).await.unwrap();
    assert_eq!(emu.request_count(LIST), 3);
}

#[tokio::test]
async fn api_error_faults_and_prefix_paths() {
    let emu = Emulator::builder().start().await.unwrap();
    let client = common::management(&emu);
    emu.add_fault(
        Fault::on("/api/v3/list-*")
            .api_error(429, Some(1002), "slow down")
            .times(1),
    );
    let err = client.send(&ListUsers(json!({}))).await.unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(
        (
            api.status_code.code(),
            api.api_code.map(|c| c.code()),
            api.message.as_str()
        ),
        (429, Some(1002), "slow down")
    );
    client.send(&ListUsers(json!({}))).await.unwrap();
}

#[tokio::test]
async fn dropped_connections_are_transport_errors() {
    let emu = Emulator::builder().start().await.unwrap();
    let client = common::management(&emu);
    client.send(&ListUsers(json!({}))).await.unwrap();
    emu.add_fault(Fault::on(LIST).drop_connection().times(1));
    let err = client.send(&ListUsers(json!({}))).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    client.send(&ListUsers(json!({}))).await.unwrap();
}

#[tokio::test]
async fn latency_meets_the_client_timeout() {
    let emu = Emulator::builder().start().await.unwrap();
    let client = ManagementClient::new(
        ManagementClientOptions::new(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
            .host(emu.url())
            .timeout(Duration::from_millis(150)),
    )
    .unwrap();
    client.send(&ListUsers(json!({}))).await.unwrap();
    emu.add_fault(Fault::on(LIST).latency(Duration::from_millis(600)).times(1));
    let err = client.send(&ListUsers(json!({}))).await.unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    emu.clear_faults();
    emu.add_fault(Fault::all().latency(Duration::from_millis(20)));
    client.send(&ListUsers(json!({}))).await.unwrap();
}

#[tokio::test]
async fn oversized_and_endless_bodies_hit_the_size_limit() {
    let emu = Emulator::builder().start().await.unwrap();
    let service = HttpService::new(
        CollectBodyLayer::new(64 * 1024).layer(genauth_hyper::transport().unwrap()),
    );
    let client = ManagementClient::with_http_service(
        ManagementClientOptions::new(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
            .host(emu.url()),
        service,
    )
    .unwrap();
    client.send(&ListUsers(json!({}))).await.unwrap();
    emu.add_fault(Fault::on(LIST).oversized(200 * 1024).times(1));
    let err = client.send(&ListUsers(json!({}))).await.unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit: 65536 }),
        "{err:?}"
    );
    emu.add_fault(Fault::on(LIST).endless().times(1));
    let err = client.send(&ListUsers(json!({}))).await.unwrap_err();
    assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err:?}");
    // A body under the limit still decodes as an envelope.
    client.send(&ListUsers(json!({}))).await.unwrap();
}

/// The default client stack retries an idempotent call through transient
/// faults, and never retries a write.
#[tokio::test]
async fn the_default_retry_layer_rides_out_faults_for_reads_only() {
    let emu = Emulator::builder()
        .fault(Fault::on(LIST).status(503).times(2))
        .fault(Fault::on("/api/v3/create-user").status(503).times(1))
        .start()
        .await
        .unwrap();
    let client = common::management(&emu);

    // `list_users` is a read (a `list-` path): two 503s, then success, in one call.
    let page = client.list_users().await.unwrap();
    assert_eq!(page.total_count as usize, page.list.len());
    assert_eq!(emu.request_count(LIST), 3);

    // `create_user` is a write: the 503 comes straight back, sent once.
    match client.create_user().await.unwrap_err() {
        Error::Http(h) => assert_eq!(h.status, 503),
        other => panic!("expected HTTP 503, got {other:?}"),
    }
    assert_eq!(emu.request_count("/api/v3/create-user"), 1);
}
