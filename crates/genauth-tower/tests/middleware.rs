//! Both insertion points for user middleware: `ClientBuilder::layer` (per
//! attempt, including layers that change the response body type, such as
//! tower-http's `TraceLayer`) and a wrapped transport under the whole stack.
//! The transport is an in-process `service_fn`: no socket.
//!
//! The calls are management calls, so the file needs that feature.
#![cfg(feature = "management")]

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use genauth_tower::core::ManagementClientOptions;
use genauth_tower::{ClientBuilder, HttpRequest};
use http::HeaderValue;
use http_body_util::Full;
use tower::util::MapRequestLayer;
use tower::ServiceBuilder;
use tower_http::trace::TraceLayer;

/// A JWT whose payload is `{"scoped_userpool_id":"pool-1"}`.
const TOKEN: &str =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzY29wZWRfdXNlcnBvb2xfaWQiOiJwb29sLTEifQ.c2ln";

type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A fake service answering the token request and `get_user`, recording the
/// path and the `x-request-source` header of each request.
fn transport(
    seen: Seen,
) -> impl tower::Service<
    HttpRequest,
    Response = http::Response<Full<Bytes>>,
    Error = Infallible,
    Future = impl Send,
> + Clone
       + Send
       + Sync
       + 'static {
    tower::service_fn(move |req: HttpRequest| {
        let seen = seen.clone();
        async move {
            let path = req.uri().path().to_owned();
            let source = req
                .headers()
                .get("x-request-source")
                .map(|v| v.to_str().unwrap().to_owned());
            seen.lock().unwrap().push((path.clone(), source));
            let body = if path == "/api/v3/get-management-token" {
                format!(
                    r#"{{"statusCode":200,"message":"","data":{{"access_token":"{TOKEN}","expires_in":7200}}}}"#
                )
            } else {
                r#"{"statusCode":200,"message":"","data":{"userId":"u-1","email":"ann@example.com"}}"#
                    .to_owned()
            };
            Ok::<_, Infallible>(
                http::Response::builder()
                    .header("content-type", "application/json")
                    .body(Full::new(Bytes::from(body)))
                    .unwrap(),
            )
        }
    })
}

fn options() -> ManagementClientOptions {
    ManagementClientOptions::new("ak", "sk").host("http://127.0.0.1:9")
}

#[tokio::test]
async fn per_attempt_layers_see_every_request_and_may_change_the_body_type() {
    let seen = Seen::default();
    let client = ClientBuilder::new()
        .layer(MapRequestLayer::new(|mut req: HttpRequest| {
            req.headers_mut()
                .insert("x-request-source", HeaderValue::from_static("job-1"));
            req
        }))
        // Its response body is tower-http's ResponseBody, not Bytes.
        .body_layer(TraceLayer::new_for_http())
        .management_with_service(options(), transport(seen.clone()))
        .unwrap();
    let user = client.get_user("u-1").await.unwrap();
    assert_eq!(user.email.as_deref(), Some("ann@example.com"));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            (
                "/api/v3/get-management-token".to_owned(),
                Some("job-1".to_owned())
            ),
            ("/api/v3/get-user".to_owned(), Some("job-1".to_owned())),
        ],
        "the layer ran for the token request and the call"
    );
}

#[tokio::test]
async fn a_layer_under_the_stack_wraps_the_transport() {
    let seen = Seen::default();
    let wrapped = ServiceBuilder::new()
        .layer(TraceLayer::new_for_http())
        .layer(MapRequestLayer::new(|mut req: HttpRequest| {
            req.headers_mut()
                .insert("x-request-source", HeaderValue::from_static("transport"));
            req
        }))
        .service(transport(seen.clone()));
    let client = ClientBuilder::new()
        .management_with_service(options(), wrapped)
        .unwrap();
    let user = client.get_user("u-1").await.unwrap();
    assert_eq!(user.user_id, "u-1");
    assert!(seen
        .lock()
        .unwrap()
        .iter()
        .all(|(_, s)| s.as_deref() == Some("transport")));
}
