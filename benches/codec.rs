//! Encoding requests and decoding responses, beside bare serde on the same bytes.
//!
//! `cargo bench --bench codec`. Each group pairs the SDK's work with the bare
//! serde cost of the same bytes:
//!
//! - `encode/genauth`: `ManagementConfig::request` (path, query or JSON body,
//!   headers, token headers, operation info) → `http::Request`;
//!   `encode/bare`: only the serde step (`serde_html_form` for the GET query,
//!   `serde_json::to_vec` for the POST body).
//! - `decode/genauth`: `decode_response` (envelope check, field-path errors,
//!   lenient fields) → the typed output; `decode/bare`: `serde_json::from_slice`
//!   into `Envelope<T>` with the same DTO types.

use std::hint::black_box;
use std::time::Duration;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use genauth::core::ops::{GetUser, ListUsers};
use genauth::core::{decode_response, ManagementClientOptions, ManagementToken};
use genauth::types::envelope::Envelope;
use genauth::types::page::Page;
use genauth::types::{ListUsersOptionsDto, ListUsersRequestDto, PaginationDto, UserDto};
use genauth::SecretString;

fn config() -> genauth::core::ManagementConfig {
    genauth::core::ManagementConfig::new(
        ManagementClientOptions::new("bench-access-key", "bench-secret")
            .host("https://api.genauth.ai"),
    )
    .expect("valid options")
}

fn token() -> ManagementToken {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let jwt = format!(
        "{}.{}.{}",
        b64.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64.encode(br#"{"scoped_userpool_id":"62e22721c889dd44bad1dda2","exp":1999999999}"#),
        b64.encode([7u8; 32])
    );
    ManagementToken::new(SecretString::new(jwt), Duration::from_secs(7200)).expect("a valid token")
}

/// One user as the management API returns it.
pub fn user_json(i: usize) -> serde_json::Value {
    serde_json::json!({
        "userId": format!("6229ffaxxxxxxxxcade{i:05}"),
        "createdAt": "2022-07-03T02:20:30.000Z",
        "updatedAt": "2022-07-03T02:20:30.000Z",
        "status": "Activated",
        "workStatus": "Active",
        "externalId": format!("ext-{i}"),
        "email": format!("user{i}@example.com"),
        "phone": format!("188{i:08}"),
        "phoneCountryCode": "+86",
        "username": format!("user{i}"),
        "name": "Zhang San",
        "nickname": "zs",
        "photo": "https://files.authing.co/authing-console/default-user-avatar.png",
        "loginsCount": i % 50,
        "lastLogin": "2022-07-03T02:20:30.000Z",
        "lastIp": "127.0.0.1",
        "gender": "M",
        "emailVerified": true,
        "phoneVerified": true,
        "passwordLastSetAt": "2022-07-03T02:20:30.000Z",
        "birthdate": "2022-06-03",
        "country": "CN",
        "province": "BJ",
        "city": "BJ",
        "address": "Beijing Chaoyang",
        "company": "Example Inc.",
        "browser": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)",
        "device": "iOS",
        "givenName": "San",
        "familyName": "Zhang",
        "identityNumber": "",
        "customData": {"school": "Peking", "age": 22},
        "statusChangedAt": "2022-07-03T02:20:30.000Z",
        "tenantIds": ["623c20b2a062aaaaf41b17da"],
        "identities": [{"identityId": "62299d8b866d2dab79a89fc4", "extIdpId": "6076bacxxxxxxxxd80d993b5", "provider": "wechat"}]
    })
}

fn envelope(data: serde_json::Value) -> Bytes {
    Bytes::from(
        serde_json::to_vec(&serde_json::json!({
            "statusCode": 200,
            "message": "",
            "apiCode": 0,
            "requestId": "934108e5-9fbf-4d24-8da1-c330328abd6c",
            "data": data
        }))
        .expect("JSON"),
    )
}

fn get_user(c: &mut Criterion) {
    let config = config();
    let token = token();
    let mut op = GetUser::new("6229ffaxxxxxxxxcade3e3d9".into());
    op.with_custom_data = Some(true);
    let body = envelope(user_json(1));
    let mut g = c.benchmark_group("get_user");
    g.bench_function("encode/genauth", |b| {
        b.iter(|| {
            config
                .request(black_box(&op), Some(&token))
                .expect("encodes")
        })
    });
    g.bench_function("encode/bare", |b| {
        b.iter(|| serde_html_form::to_string(black_box(&op)).expect("encodes"))
    });
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function("decode/genauth", |b| {
        b.iter(|| {
            decode_response::<GetUser>(http::Response::new(black_box(body.clone())))
                .expect("decodes")
        })
    });
    g.bench_function("decode/bare", |b| {
        b.iter(|| serde_json::from_slice::<Envelope<UserDto>>(black_box(&body)).expect("decodes"))
    });
    g.finish();
}

fn list_users(c: &mut Criterion) {
    let config = config();
    let token = token();
    let op = ListUsers(ListUsersRequestDto {
        keywords: Some("zhang".into()),
        options: Some(ListUsersOptionsDto {
            pagination: Some(PaginationDto {
                page: Some(1),
                limit: Some(1000),
            }),
            with_custom_data: Some(true),
            ..Default::default()
        }),
        ..Default::default()
    });
    let list: Vec<_> = (0..1000).map(user_json).collect();
    let body = envelope(serde_json::json!({"totalCount": 1000, "list": list}));
    let mut g = c.benchmark_group("list_users_1000");
    g.bench_function("encode/genauth", |b| {
        b.iter(|| {
            config
                .request(black_box(&op), Some(&token))
                .expect("encodes")
        })
    });
    g.bench_function("encode/bare", |b| {
        b.iter(|| serde_json::to_vec(black_box(&op)).expect("encodes"))
    });
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function("decode/genauth", |b| {
        b.iter(|| {
            decode_response::<ListUsers>(http::Response::new(black_box(body.clone())))
                .expect("decodes")
        })
    });
    g.bench_function("decode/bare", |b| {
        b.iter(|| {
            serde_json::from_slice::<Envelope<Page<UserDto>>>(black_box(&body)).expect("decodes")
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = get_user, list_users
}
criterion_main!(benches);
