//! The production transport: token single flight and refresh, retries,
//! timeouts, the response size limit and tracing, against servers on
//! 127.0.0.1 and in-process services.

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::stack::*;
use crate::support::{json_response, management_jwt, TestServer};
use bytes::Bytes;
use genauth::core::Body;
use genauth::layers::RetryPolicy;
use genauth::types::SigninByCredentialsDtoConnection;
use genauth::{AuthenticationClient, ClientBuilder, Error, ManagementClient};
use http_body_util::Full;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

// ---------------------------------------------------------------- tokens

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_calls_on_a_cold_cache_send_one_token_request() {
    let token_calls = Arc::new(AtomicUsize::new(0));
    let tc = token_calls.clone();
    let server = TestServer::start(move |r| match r.path.as_str() {
        "/api/v3/get-management-token" => {
            tc.fetch_add(1, Ordering::SeqCst);
            json_response(200, token_body("pool-7", 7200))
        }
        _ => json_response(200, user_body("u1")),
    })
    .await;
    let client = ManagementClient::new(mgmt_options(&server.url())).unwrap();
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.get_user("u1").await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        let user = t.await.unwrap().unwrap();
        assert_eq!(user.user_id, "u1");
        ok += 1;
    }
    assert_eq!(ok, 1000);
    assert_eq!(token_calls.load(Ordering::SeqCst), 1);
    assert_eq!(client.token_cache().fetch_count(), 1);
    let reqs = server.requests();
    let users: Vec<_> = reqs
        .iter()
        .filter(|r| r.path == "/api/v3/get-user")
        .collect();
    assert_eq!(users.len(), 1000);
    let bearer = format!("Bearer {}", management_jwt("pool-7"));
    assert!(users
        .iter()
        .all(|r| r.header("authorization") == Some(bearer.as_str())
            && r.header("x-genauth-userpool-id") == Some("pool-7")));
}

#[tokio::test(start_paused = true)]
async fn a_thousand_calls_after_expiry_send_one_refresh() {
    let fetches = Arc::new(AtomicUsize::new(0));
    let f = fetches.clone();
    let svc = tower::service_fn(move |req: http::Request<Body>| {
        let f = f.clone();
        async move {
            if req.uri().path() == "/api/v3/get-management-token" {
                let n = f.fetch_add(1, Ordering::SeqCst) + 1;
                // A slow token endpoint: every caller piles up behind the refresh.
                tokio::time::sleep(Duration::from_millis(50)).await;
                return Ok::<_, Infallible>(json_response(
                    200,
                    token_body(&format!("pool-{n}"), 120),
                ));
            }
            let pool = req
                .headers()
                .get("x-genauth-userpool-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("none")
                .to_owned();
            Ok(json_response(200, user_body(&pool)))
        }
    });
    let client = ManagementClient::with_service(mgmt_options("https://api.example"), svc).unwrap();
    assert_eq!(client.get_user("u").await.unwrap().user_id, "pool-1");
    assert_eq!(fetches.load(Ordering::SeqCst), 1);

    // 120 s lifetime, refreshed 12 s ahead of expiry.
    tokio::time::advance(Duration::from_secs(100)).await;
    assert_eq!(client.get_user("u").await.unwrap().user_id, "pool-1");
    assert_eq!(fetches.load(Ordering::SeqCst), 1, "still fresh at 100 s");

    tokio::time::advance(Duration::from_secs(9)).await;
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.get_user("u").await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().user_id, "pool-2");
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
}

/// A management mock whose first token is rejected by `reject`.
fn rejecting_service(
    reject: Resp,
    fetches: Arc<AtomicUsize>,
    calls: Arc<AtomicUsize>,
    always: bool,
) -> impl tower::Service<
    http::Request<Body>,
    Response = Resp,
    Error = Infallible,
    Future = impl Send + 'static,
> + Clone
       + Send
       + Sync
       + 'static {
    let reject = Arc::new(Mutex::new(reject));
    mock(move |req| {
        if req.uri().path() == "/api/v3/get-management-token" {
            let n = fetches.fetch_add(1, Ordering::SeqCst) + 1;
            return json_response(200, token_body(&format!("pool-{n}"), 7200));
        }
        calls.fetch_add(1, Ordering::SeqCst);
        let pool = req.headers()["x-genauth-userpool-id"].to_str().unwrap();
        if pool == "pool-1" || always {
            let r = reject.lock().unwrap();
            let mut out = http::Response::new(r.body().clone());
            *out.status_mut() = r.status();
            return out;
        }
        json_response(200, user_body(pool))
    })
}

#[tokio::test]
async fn a_rejected_token_is_refreshed_once_and_the_call_replayed_once() {
    let rejections = [
        json_response(401, json!({"statusCode":401,"message":"unauthorized"})),
        json_response(
            200,
            json!({"statusCode":401,"message":"token expired","apiCode":2206}),
        ),
        json_response(
            200,
            json!({"statusCode":400,"message":"login invalid","apiCode":2021}),
        ),
    ];
    for reject in rejections {
        let fetches = Arc::new(AtomicUsize::new(0));
        let calls = Arc::new(AtomicUsize::new(0));
        let svc = rejecting_service(reject, fetches.clone(), calls.clone(), false);
        let client =
            ManagementClient::with_service(mgmt_options("https://api.example"), svc).unwrap();
        let user = client.get_user("u").await.unwrap();
        assert_eq!(user.user_id, "pool-2", "replayed with the new token");
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    // A token rejected again after the refresh is not refreshed a third time.
    let fetches = Arc::new(AtomicUsize::new(0));
    let calls = Arc::new(AtomicUsize::new(0));
    let reject = json_response(
        200,
        json!({"statusCode":401,"message":"token expired","apiCode":2206}),
    );
    let svc = rejecting_service(reject, fetches.clone(), calls.clone(), true);
    let client = ManagementClient::with_service(mgmt_options("https://api.example"), svc).unwrap();
    let err = client.get_user("u").await.unwrap_err();
    assert_eq!(
        err.as_api().and_then(|a| a.api_code).map(|c| c.code()),
        Some(2206)
    );
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setting_the_access_token_while_others_send_is_safe() {
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let s = seen.clone();
    let svc = mock(move |req| {
        let auth = req
            .headers()
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        s.lock().unwrap().push(auth);
        json_response(200, json!({"statusCode":200,"data":{"authInfo":"x"}}))
    });
    let client = AuthenticationClient::with_service(
        auth_options("https://app.example").access_token("user-token-0"),
        svc,
    )
    .unwrap();
    let setter = {
        let c = client.clone();
        tokio::spawn(async move {
            for i in 1..=200 {
                c.set_access_token(format!("user-token-{i}"));
                tokio::task::yield_now().await;
            }
        })
    };
    let senders: Vec<_> = (0..8)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move {
                for _ in 0..50 {
                    c.get_alipay_auth_info("conn").await.unwrap();
                }
            })
        })
        .collect();
    setter.await.unwrap();
    for s in senders {
        s.await.unwrap();
    }
    client.get_alipay_auth_info("conn").await.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 401);
    let valid: Vec<String> = (0..=200).map(|i| format!("user-token-{i}")).collect();
    assert!(seen.iter().all(|t| valid.contains(t)), "every token whole");
    assert_eq!(seen.last().map(String::as_str), Some("user-token-200"));
}

// ---------------------------------------------------------------- retries

#[tokio::test]
async fn a_503_is_retried_until_success_for_a_read() {
    let n = Arc::new(AtomicUsize::new(0));
    let c = n.clone();
    let server = TestServer::start(move |_| {
        if c.fetch_add(1, Ordering::SeqCst) < 2 {
            json_response(503, json!({"statusCode":503,"message":"busy"}))
        } else {
            json_response(200, json!({"statusCode":200,"data":{"authInfo":"ok"}}))
        }
    })
    .await;
    let client = ClientBuilder::new()
        .retry(fast_retries())
        .authentication(auth_options(&server.url()))
        .unwrap();
    assert_eq!(
        client.get_alipay_auth_info("c").await.unwrap().auth_info,
        "ok"
    );
    assert_eq!(server.requests().len(), 3);
}

/// The client sends a call at once when its stack is ready, and otherwise
/// waits for readiness: a per-attempt concurrency limit of one makes every
/// call but the first wait, and all of them still arrive.
#[tokio::test]
async fn a_stack_that_is_not_ready_at_once_is_waited_for() {
    let server = TestServer::start(move |_| {
        json_response(200, json!({"statusCode":200,"data":{"authInfo":"ok"}}))
    })
    .await;
    let client = ClientBuilder::new()
        .layer(tower::limit::ConcurrencyLimitLayer::new(1))
        .authentication(auth_options(&server.url()))
        .unwrap();
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.get_alipay_auth_info("c").await })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap().auth_info, "ok");
    }
    assert_eq!(server.requests().len(), 8);
}

/// A service whose readiness fails: the call gives that error, as it would
/// through `tower::ServiceExt::oneshot`, and sends nothing.
#[tokio::test]
async fn a_readiness_failure_is_the_calls_error() {
    #[derive(Clone)]
    struct Closed;
    impl tower::Service<http::Request<Body>> for Closed {
        type Response = http::Response<Full<Bytes>>;
        type Error = std::io::Error;
        type Future = std::future::Ready<Result<Self::Response, std::io::Error>>;
        fn poll_ready(
            &mut self,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Result<(), std::io::Error>> {
            std::task::Poll::Ready(Err(std::io::Error::other("the test service is closed")))
        }
        fn call(&mut self, _: http::Request<Body>) -> Self::Future {
            unreachable!("never called: it is never ready")
        }
    }
    let client =
        AuthenticationClient::with_service(auth_options("http://127.0.0.1:9"), Closed).unwrap();
    let err = client.get_alipay_auth_info("c").await.unwrap_err();
    assert!(
        err.to_string().contains("the test service is closed"),
        "{err}"
    );
}

#[tokio::test]
async fn a_busy_status_in_the_body_is_retried_too() {
    let n = Arc::new(AtomicUsize::new(0));
    let c = n.clone();
    let svc = mock(move |_| {
        if c.fetch_add(1, Ordering::SeqCst) == 0 {
            json_response(200, json!({"statusCode":502,"message":"upstream"}))
        } else {
            json_response(200, json!({"statusCode":200,"data":{"authInfo":"ok"}}))
        }
    });
    let client = ClientBuilder::new()
        .retry(fast_retries())
        .authentication_with_service(auth_options("https://app.example"), svc)
        .unwrap();
    assert_eq!(
        client.get_alipay_auth_info("c").await.unwrap().auth_info,
        "ok"
    );
    assert_eq!(n.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured() {
    let n = Arc::new(AtomicUsize::new(0));
    let c = n.clone();
    let svc = mock(move |_| {
        if c.fetch_add(1, Ordering::SeqCst) == 0 {
            http::Response::builder()
                .status(429)
                .header("retry-after", "3")
                .body(Full::new(Bytes::from_static(b"slow down")))
                .unwrap()
        } else {
            json_response(200, json!({"statusCode":200,"data":{"authInfo":"ok"}}))
        }
    });
    let client =
        AuthenticationClient::with_service(auth_options("https://app.example"), svc).unwrap();
    let start = tokio::time::Instant::now();
    assert_eq!(
        client.get_alipay_auth_info("c").await.unwrap().auth_info,
        "ok"
    );
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(3) && waited < Duration::from_millis(3100),
        "{waited:?}"
    );
    assert_eq!(n.load(Ordering::SeqCst), 2);

    // A Retry-After beyond the policy's maximum is handed back at once.
    let svc = mock(|_| {
        http::Response::builder()
            .status(429)
            .header("retry-after", "3600")
            .body(Full::new(Bytes::new()))
            .unwrap()
    });
    let client =
        AuthenticationClient::with_service(auth_options("https://app.example"), svc).unwrap();
    let start = tokio::time::Instant::now();
    match client.get_alipay_auth_info("c").await.unwrap_err() {
        Error::Http(e) => assert_eq!(e.status, 429),
        other => panic!("{other:?}"),
    }
    assert!(start.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn a_write_is_not_retried_on_503() {
    let server =
        TestServer::start(|_| json_response(503, json!({"statusCode":503,"message":"busy"}))).await;
    let client = ClientBuilder::new()
        .retry(fast_retries())
        .authentication(auth_options(&server.url()))
        .unwrap();
    let err = client
        .sign_in_by_credentials(SigninByCredentialsDtoConnection::Password)
        .password_payload(password_payload())
        .await
        .unwrap_err();
    assert_eq!(err.as_api().map(|a| a.status_code.code()), Some(503));
    assert_eq!(server.requests().len(), 1);
}

/// A server that reads each request and closes the connection without answering.
async fn hang_up_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let a = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            a.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                drop(stream);
            });
        }
    });
    (format!("http://{addr}"), accepted)
}

#[tokio::test]
async fn a_dropped_connection_after_sending_is_retried_only_for_reads() {
    let (url, accepted) = hang_up_server().await;
    let client = ClientBuilder::new()
        .retry(fast_retries())
        .authentication(auth_options(&url))
        .unwrap();
    let err = client
        .sign_in_by_credentials(SigninByCredentialsDtoConnection::Password)
        .password_payload(password_payload())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        1,
        "the write went out once"
    );

    let (url, accepted) = hang_up_server().await;
    let client = ClientBuilder::new()
        .retry(fast_retries())
        .authentication(auth_options(&url))
        .unwrap();
    let err = client.get_alipay_auth_info("c").await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        3,
        "the read was tried 3 times"
    );
}

/// A layer counting the attempts that reach the transport.
fn counting_layer(
    count: Arc<AtomicUsize>,
) -> tower::layer::util::Stack<
    tower::util::MapRequestLayer<impl FnMut(http::Request<Body>) -> http::Request<Body> + Clone>,
    tower::layer::util::Identity,
> {
    tower::ServiceBuilder::new()
        .map_request(move |req: http::Request<Body>| {
            count.fetch_add(1, Ordering::SeqCst);
            req
        })
        .into_inner()
}

#[tokio::test]
async fn a_refused_connection_is_retried_and_the_attempt_limit_holds() {
    let url = refused_url().await;
    for (policy, sign_in, expected) in [
        (fast_retries(), false, 3),
        (fast_retries().max_attempts(5), false, 5),
        (fast_retries(), true, 3),
        (fast_retries().retry_unsent_writes(false), true, 1),
        (RetryPolicy::never(), false, 1),
    ] {
        let attempts = Arc::new(AtomicUsize::new(0));
        let client = ClientBuilder::new()
            .retry(policy)
            .layer(counting_layer(attempts.clone()))
            .authentication(auth_options(&url))
            .unwrap();
        let err = if sign_in {
            client
                .sign_in_by_credentials(SigninByCredentialsDtoConnection::Password)
                .password_payload(password_payload())
                .await
                .unwrap_err()
        } else {
            client.get_alipay_auth_info("c").await.unwrap_err()
        };
        assert!(matches!(err, Error::Transport { .. }), "{err:?}");
        assert_eq!(
            attempts.load(Ordering::SeqCst),
            expected,
            "sign_in={sign_in}"
        );
    }
}

#[tokio::test]
async fn a_server_that_stays_busy_gets_at_most_max_attempts() {
    let server = TestServer::start(|_| {
        json_response(504, json!({"statusCode":504,"message":"gateway timeout"}))
    })
    .await;
    let client = ClientBuilder::new()
        .retry(fast_retries().max_attempts(4))
        .authentication(auth_options(&server.url()))
        .unwrap();
    let err = client.get_alipay_auth_info("c").await.unwrap_err();
    assert_eq!(err.as_api().map(|a| a.status_code.code()), Some(504));
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn the_retry_budget_stops_a_retry_storm() {
    let server =
        TestServer::start(|_| json_response(503, json!({"statusCode":503,"message":"busy"}))).await;
    let client = ClientBuilder::new()
        .retry(
            fast_retries()
                .max_attempts(10)
                .budget(Duration::from_secs(10), 1, 0.0),
        )
        .authentication(auth_options(&server.url()))
        .unwrap();
    for _ in 0..3 {
        let _ = client.get_alipay_auth_info("c").await.unwrap_err();
    }
    // 3 first attempts plus at most the budget's reserve of retries (1/s over 10 s).
    let n = server.requests().len();
    assert!((3..=13).contains(&n), "{n} requests");
    assert!(n < 30, "without a budget there would be 30");
}

// ---------------------------------------------------------------- timeouts, limits

/// A server that accepts connections and never answers.
async fn silent_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            open.push(stream);
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_slow_server_gives_a_timeout_error() {
    let url = silent_server().await;
    let client =
        AuthenticationClient::new(auth_options(&url).timeout(Duration::from_millis(150))).unwrap();
    let err = client.get_alipay_auth_info("c").await.unwrap_err();
    assert!(
        matches!(err, Error::Timeout(d) if d == Duration::from_millis(150)),
        "{err:?}"
    );

    // A per-attempt limit: each attempt of a read times out and is retried.
    let attempts = Arc::new(AtomicUsize::new(0));
    let client = ClientBuilder::new()
        .retry(fast_retries())
        .attempt_timeout(Duration::from_millis(50))
        .layer(counting_layer(attempts.clone()))
        .authentication(auth_options(&url))
        .unwrap();
    let err = client.get_alipay_auth_info("c").await.unwrap_err();
    assert!(
        matches!(err, Error::Timeout(d) if d == Duration::from_millis(50)),
        "{err:?}"
    );
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn an_endless_body_stops_at_the_limit() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let written = Arc::new(AtomicU64::new(0));
    let w = written.clone();
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        let _ = stream.read(&mut buf).await;
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
        stream.write_all(head.as_bytes()).await.unwrap();
        let chunk = vec![b'x'; 64 * 1024];
        let framed = [
            format!("{:x}\r\n", chunk.len()).into_bytes(),
            chunk,
            b"\r\n".to_vec(),
        ]
        .concat();
        loop {
            if stream.write_all(&framed).await.is_err() {
                return;
            }
            w.fetch_add(64 * 1024, Ordering::SeqCst);
            if w.load(Ordering::SeqCst) > 512 * 1024 * 1024 {
                return; // the client never stopped reading
            }
        }
    });
    let client = ClientBuilder::new()
        .body_limit(1024 * 1024)
        .authentication(auth_options(&format!("http://{addr}")))
        .unwrap();
    let err = client.get_alipay_auth_info("c").await.unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit } if limit == 1024 * 1024),
        "{err:?}"
    );
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server stops once the client hangs up")
        .unwrap();
    let total = written.load(Ordering::SeqCst);
    assert!(total < 64 * 1024 * 1024, "{total} bytes were sent");
}

// ---------------------------------------------------------------- tracing

// ---------------------------------------------------------------- defaults

#[tokio::test(start_paused = true)]
async fn the_default_stack_times_out_after_ten_seconds() {
    let svc = tower::service_fn(|_req: http::Request<Body>| async {
        std::future::pending::<()>().await;
        Ok::<Resp, Infallible>(json_response(200, json!({})))
    });
    let client =
        AuthenticationClient::with_service(auth_options("https://app.example"), svc).unwrap();
    let start = tokio::time::Instant::now();
    let err = client.get_alipay_auth_info("c").await.unwrap_err();
    assert!(
        matches!(err, Error::Timeout(d) if d == Duration::from_secs(10)),
        "{err:?}"
    );
    assert_eq!(start.elapsed(), Duration::from_secs(10));
}

#[tokio::test]
async fn the_default_body_limit_is_16_mib() {
    let limit = 16 * 1024 * 1024;
    let svc = mock(move |req| {
        let size = if req.uri().query() == Some("extIdpConnidentifier=big") {
            limit + 1
        } else {
            limit - 64
        };
        let mut body = br#"{"statusCode":200,"data":{"authInfo":""#.to_vec();
        body.resize(size - 3, b'a');
        body.extend_from_slice(br#""}}"#);
        http::Response::new(Full::new(Bytes::from(body)))
    });
    let client =
        AuthenticationClient::with_service(auth_options("https://app.example"), svc).unwrap();
    let info = client.get_alipay_auth_info("small").await.unwrap();
    assert!(info.auth_info.len() > limit - 200 && info.auth_info.bytes().all(|b| b == b'a'));
    let err = client.get_alipay_auth_info("big").await.unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit: l } if l == limit),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_token_request_is_retried_when_the_service_is_busy() {
    let token_calls = Arc::new(AtomicUsize::new(0));
    let tc = token_calls.clone();
    let svc = mock(move |req| {
        if req.uri().path() == "/api/v3/get-management-token" {
            if tc.fetch_add(1, Ordering::SeqCst) == 0 {
                return json_response(503, json!({"statusCode":503,"message":"busy"}));
            }
            return json_response(200, token_body("pool-3", 7200));
        }
        json_response(200, user_body("u1"))
    });
    let client = ClientBuilder::new()
        .retry(fast_retries())
        .management_with_service(mgmt_options("https://api.example"), svc)
        .unwrap();
    assert_eq!(client.get_user("u1").await.unwrap().user_id, "u1");
    assert_eq!(token_calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_connect_timeout_is_a_timeout_error_after_retries() {
    // A listener that never accepts, with its accept queue filled: further
    // connection attempts get no answer.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..4 {
        let connect = tokio::net::TcpStream::connect(addr);
        if let Ok(Ok(s)) = tokio::time::timeout(Duration::from_millis(50), connect).await {
            fillers.push(s);
        }
    }
    let attempts = Arc::new(AtomicUsize::new(0));
    let client = ClientBuilder::new()
        .retry(fast_retries())
        .timeout(Duration::from_secs(3))
        .connect_timeout(Duration::from_millis(100))
        .layer(counting_layer(attempts.clone()))
        .authentication(auth_options(&format!("http://{addr}")))
        .unwrap();
    // A write: the connection never opened, so it is retried too.
    let err = client
        .sign_in_by_credentials(SigninByCredentialsDtoConnection::Password)
        .password_payload(password_payload())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Timeout(d) if d == Duration::from_millis(100)),
        "{err:?}"
    );
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    drop(listener);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_calls_rejected_at_once_share_one_refresh() {
    let fetches = Arc::new(AtomicUsize::new(0));
    let calls = Arc::new(AtomicUsize::new(0));
    let reject = json_response(
        200,
        json!({"statusCode":401,"message":"token expired","apiCode":2206}),
    );
    let svc = rejecting_service(reject, fetches.clone(), calls.clone(), false);
    let client = ManagementClient::with_service(mgmt_options("https://api.example"), svc).unwrap();
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.get_user("u").await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().user_id, "pool-2");
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 2, "one fetch, one refresh");
    // Calls that went out with the first token were replayed once; later ones
    // found the new token already there.
    let sent = calls.load(Ordering::SeqCst);
    assert!((1001..=2000).contains(&sent), "{sent} requests");
}
