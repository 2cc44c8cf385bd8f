//! Helpers shared by the transport tests: client options, canned bodies, an
//! in-process mock service, fast retry policies.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use genauth::core::Body;
use genauth::layers::RetryPolicy;
use genauth::types::SignInByPasswordPayloadDto;
use genauth::{AuthenticationClientOptions, ManagementClientOptions};
use http_body_util::Full;
use serde_json::json;
use tokio::net::TcpListener;

use super::management_jwt;

pub type Resp = http::Response<Full<Bytes>>;

pub fn auth_options(host: &str) -> AuthenticationClientOptions {
    AuthenticationClientOptions::new("app-1", host).app_secret("app-secret-value")
}

pub fn mgmt_options(host: &str) -> ManagementClientOptions {
    ManagementClientOptions::new("ak-1", "sk-secret-1").host(host)
}

pub fn token_body(pool: &str, expires_in: u64) -> serde_json::Value {
    json!({"statusCode":200,"message":"","data":{"access_token": management_jwt(pool),"expires_in":expires_in}})
}

pub fn user_body(id: &str) -> serde_json::Value {
    json!({"statusCode":200,"message":"","requestId":"req-1","data":{"userId":id}})
}

/// Quick retries for tests that run in real time.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::new()
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
        .no_budget()
}

pub fn password_payload() -> SignInByPasswordPayloadDto {
    let mut payload = SignInByPasswordPayloadDto::new("user-password-1");
    payload.email = Some("ann@example.com".into());
    payload
}

/// An in-process service answering with `f`.
pub fn mock(
    f: impl Fn(&http::Request<Body>) -> Resp + Send + Sync + 'static,
) -> impl tower::Service<
    http::Request<Body>,
    Response = Resp,
    Error = Infallible,
    Future = impl Send + 'static,
> + Clone
       + Send
       + Sync
       + 'static {
    let f = Arc::new(f);
    tower::service_fn(move |req: http::Request<Body>| {
        let resp = f(&req);
        async move { Ok::<_, Infallible>(resp) }
    })
}

pub async fn refused_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}
