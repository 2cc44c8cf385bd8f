//! tower's concurrency and rate limits under a GenAuth client.
//!
//! Starts a local server on 127.0.0.1 that notes how many requests it serves
//! at once, then sends 40 concurrent `get_user` calls twice:
//!
//! 1. with `tower::limit::ConcurrencyLimitLayer` (at most 4 in flight), added
//!    per attempt with `ClientBuilder::layer`;
//! 2. with `tower::limit::RateLimitLayer` (10 requests per 100 ms) behind a
//!    `tower::buffer::BufferLayer`, which makes the limiter shared by all clones.
//!
//! Run with `cargo run --example limits`; it needs no network.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use genauth::{ClientBuilder, ManagementClient, ManagementClientOptions};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// Counts requests in flight and remembers the most seen at once.
#[derive(Default)]
struct Gauge {
    now: AtomicUsize,
    max: AtomicUsize,
    total: AtomicUsize,
}

fn token() -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.sig",
        b64.encode(br#"{"alg":"none"}"#),
        b64.encode(br#"{"scoped_userpool_id":"demo-pool"}"#)
    )
}

async fn serve(gauge: Arc<Gauge>) -> std::io::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let token_body = format!(
        r#"{{"statusCode":200,"data":{{"access_token":"{}","expires_in":7200}}}}"#,
        token()
    );
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let gauge = gauge.clone();
            let token_body = token_body.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req: http::Request<Incoming>| {
                    let gauge = gauge.clone();
                    let token_body = token_body.clone();
                    async move {
                        if req.uri().path() == "/api/v3/get-management-token" {
                            return Ok::<_, Infallible>(http::Response::new(Full::new(
                                Bytes::from(token_body),
                            )));
                        }
                        let now = gauge.now.fetch_add(1, Ordering::SeqCst) + 1;
                        gauge.max.fetch_max(now, Ordering::SeqCst);
                        gauge.total.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        gauge.now.fetch_sub(1, Ordering::SeqCst);
                        Ok(http::Response::new(Full::new(Bytes::from_static(
                            br#"{"statusCode":200,"data":{"userId":"u1"}}"#,
                        ))))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    Ok(format!("http://{addr}"))
}

async fn burst(client: &ManagementClient, calls: usize) -> Result<Duration, genauth::Error> {
    let start = Instant::now();
    let tasks: Vec<_> = (0..calls)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.get_user("u1").await })
        })
        .collect();
    for t in tasks {
        t.await
            .map_err(|e| genauth::Error::transport(e.to_string()))??;
    }
    Ok(start.elapsed())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let gauge = Arc::new(Gauge::default());
    let url = serve(gauge.clone()).await?;
    let options = ManagementClientOptions::new("demo-key", "demo-secret").host(url);

    // 1. At most 4 requests in flight, shared by every clone of the client.
    let limited = ClientBuilder::new()
        .layer(tower::limit::ConcurrencyLimitLayer::new(4))
        .management(options.clone())?;
    let took = burst(&limited, 40).await?;
    println!(
        "concurrency limit 4: 40 calls in {took:?}, at most {} in flight at the server",
        gauge.max.load(Ordering::SeqCst)
    );

    // 2. At most 10 requests per 100 ms. `RateLimit` keeps its state per
    //    service value, so a `Buffer` in front of it shares one limiter.
    gauge.max.store(0, Ordering::SeqCst);
    gauge.total.store(0, Ordering::SeqCst);
    let rate_limited = ClientBuilder::new()
        .layer(
            tower::ServiceBuilder::new()
                .layer(tower::buffer::BufferLayer::new(256))
                .layer(tower::limit::RateLimitLayer::new(
                    10,
                    Duration::from_millis(100),
                ))
                .into_inner(),
        )
        .management(options)?;
    let took = burst(&rate_limited, 40).await?;
    println!(
        "rate limit 10 per 100 ms: {} calls in {took:?} (at least 300 ms expected)",
        gauge.total.load(Ordering::SeqCst)
    );
    Ok(())
}
