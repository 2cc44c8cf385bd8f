//! Loopback load benchmark: requests per second and p50/p99 latency at
//! concurrency 1 and 64, for the SDK's hyper clients and for a bare hyper-util
//! client sending the same requests, against a local server.
//!
//! Two pairs are compared, each in the same interleaved rounds:
//!
//! - `get_alipay_auth_info` of the default `AuthenticationClient` (typed
//!   decode) against raw hyper-util sending the same request and decoding the
//!   same envelope with serde (the per-call overhead comparison);
//! - `get_user` of the default `ManagementClient` against raw hyper-util
//!   reading the body without decoding it (the floor of any client).
//!
//! After the table it prints, per pair and concurrency, the median over the
//! rounds of the SDK's rate divided by raw hyper's rate in the same round.
//!
//! ```text
//! cargo run --release --example loadbench -- [--duration SECS] [--rounds N] [--concurrency 1,64]
//! cargo run --release --example loadbench -- --url http://127.0.0.1:8080   # another server (e.g. nginx)
//! cargo run --release --example loadbench -- --serve   # only the server, for scripts/bench-python.sh
//! cargo run --release --example loadbench -- --only "(get_alipay_auth_info)"   # the clients whose label has this text
//! ```
//!
//! The server runs on its own OS thread with a single-threaded tokio runtime;
//! the clients run on another single-threaded runtime, so on a 2-core machine
//! each side has a core. See docs/performance.md.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use genauth::{ManagementClient, ManagementClientOptions};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tower::Layer as _;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A JWT-shaped token; its payload has no `-` or `_` in base64url, so that
/// the Python SDK (which decodes it with the standard alphabet) reads it too.
fn token() -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.c2lnbmF0dXJl",
        b64.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64.encode(br#"{"scoped_userpool_id":"62e22721c889dd44bad1dda2"}"#)
    )
}

fn user_body() -> Bytes {
    // In wire order, as the service sends it (`statusCode` first, `data`
    // last); `serde_json::json!` would sort the keys and put `data` before
    // `statusCode`, which sends the SDK's envelope probe down its slow path.
    Bytes::from_static(
        br#"{"statusCode":200,"message":"","apiCode":0,"requestId":"934108e5-9fbf-4d24-8da1-c330328abd6c","data":{"userId":"6229ffaxxxxxxxxcade3e3d9","createdAt":"2022-07-03T02:20:30.000Z","updatedAt":"2022-07-03T02:20:30.000Z","status":"Activated","email":"test@example.com","phone":"188xxxx8888","username":"bob","name":"Zhang San","nickname":"zs","loginsCount":3,"photo":"https://files.authing.co/authing-console/default-user-avatar.png","lastLogin":"2022-07-03T02:20:30.000Z","lastIp":"127.0.0.1","gender":"M","emailVerified":true,"phoneVerified":true,"country":"CN","customData":{"school":"Peking","age":22}}}"#,
    )
}

/// The `get-alipay-authinfo` envelope (a small one).
fn alipay_body() -> Bytes {
    Bytes::from_static(
        br#"{"statusCode":200,"message":"","apiCode":0,"requestId":"934108e5-9fbf-4d24-8da1-c330328abd6c","data":{"authInfo":"apiname=com.alipay.account.auth&app_id=2021000000000000&app_name=mc&auth_type=AUTHACCOUNT&biz_type=openservice&method=alipay.open.auth.sdk.code.get&pid=2088000000000000&product_id=APP_FAST_LOGIN&scope=kuaijie&sign_type=RSA2&target_id=1669000000000&sign=abc"}}"#,
    )
}

/// Starts the server on a thread of its own; returns its address.
fn start_server() -> Result<SocketAddr, BoxError> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => {
                let _ = tx.send(Err(e.to_string()));
                return;
            }
        };
        rt.block_on(async move {
            let listener = match TcpListener::bind("127.0.0.1:0").await {
                Ok(l) => l,
                Err(e) => {
                    let _ = tx.send(Err(e.to_string()));
                    return;
                }
            };
            let _ = tx.send(listener.local_addr().map_err(|e| e.to_string()));
            let token_body = Bytes::from(format!(
                r#"{{"statusCode":200,"message":"","data":{{"access_token":"{}","expires_in":7200}}}}"#,
                token()
            ));
            let user = user_body();
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                let (token_body, user) = (token_body.clone(), user.clone());
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req: http::Request<Incoming>| {
                        let body = match req.uri().path() {
                            "/api/v3/get-management-token" => token_body.clone(),
                            "/api/v3/get-alipay-authinfo" => alipay_body(),
                            _ => user.clone(),
                        };
                        async move {
                            // Read the request body, as a real server would.
                            let _ = req.into_body().collect().await;
                            Ok::<_, Infallible>(
                                http::Response::builder()
                                    .header("content-type", "application/json")
                                    .body(Full::new(body))
                                    .unwrap_or_default(),
                            )
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
    });
    let addr = rx.recv()??;
    Ok(addr)
}

/// Latency figures of one run.
struct Figures {
    requests: usize,
    rps: f64,
    p50: Duration,
    p99: Duration,
}

/// Runs `concurrency` loops of `call` for `duration`; returns the figures.
async fn measure<F, Fut>(
    concurrency: usize,
    duration: Duration,
    call: F,
) -> Result<Figures, BoxError>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Result<(), BoxError>> + Send,
{
    // Warm up: open the connections, fetch the token.
    let warm = Instant::now() + Duration::from_millis(300);
    run(concurrency, warm, call.clone()).await?;
    let start = Instant::now();
    let mut lat = run(concurrency, start + duration, call).await?;
    let wall = start.elapsed();
    lat.sort_unstable();
    let pick = |q: f64| {
        let i = ((lat.len() as f64 * q).ceil() as usize).clamp(1, lat.len().max(1)) - 1;
        lat.get(i).copied().unwrap_or_default()
    };
    Ok(Figures {
        requests: lat.len(),
        rps: lat.len() as f64 / wall.as_secs_f64(),
        p50: pick(0.50),
        p99: pick(0.99),
    })
}

async fn run<F, Fut>(concurrency: usize, until: Instant, call: F) -> Result<Vec<Duration>, BoxError>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Result<(), BoxError>> + Send,
{
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let call = call.clone();
            tokio::spawn(async move {
                let mut lat = Vec::with_capacity(1 << 14);
                while Instant::now() < until {
                    let t = Instant::now();
                    call().await?;
                    lat.push(t.elapsed());
                }
                Ok::<_, BoxError>(lat)
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(all)
}

fn print_row(client: &str, concurrency: usize, f: &Figures) {
    println!(
        "| {client} | {concurrency} | {} | {:.0} | {:.3} | {:.3} |",
        f.requests,
        f.rps,
        f.p50.as_secs_f64() * 1e3,
        f.p99.as_secs_f64() * 1e3
    );
}

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut duration = Duration::from_secs(2);
    let mut levels = vec![1usize, 64];
    let mut serve = false;
    let mut rounds = 3usize;
    let mut url = None;
    let mut only: Option<String> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--serve" => serve = true,
            "--rounds" => rounds = it.next().ok_or("--rounds needs a number")?.parse()?,
            "--url" => url = Some(it.next().ok_or("--url needs a base URL")?.clone()),
            "--only" => only = Some(it.next().ok_or("--only needs a client name")?.clone()),
            "--duration" => {
                let v: f64 = it.next().ok_or("--duration needs seconds")?.parse()?;
                duration = Duration::from_secs_f64(v);
            }
            "--concurrency" => {
                levels = it
                    .next()
                    .ok_or("--concurrency needs a list")?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?;
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let url = match url {
        Some(u) if !serve => u.trim_end_matches('/').to_owned(),
        _ => format!("http://{}", start_server()?),
    };
    if serve {
        println!("listening on {url}");
        loop {
            std::thread::park();
        }
    }

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let mut callers = callers(&url)?;
        if let Some(only) = &only {
            // Profiling aid: keep the clients whose label contains the text.
            callers.retain(|(name, _)| name.contains(only.as_str()));
            if callers.is_empty() {
                return Err(format!("no client label contains {only:?}").into());
            }
        }
        let mut ratios = Vec::new();
        println!("| client | concurrency | requests | req/s | p50 ms | p99 ms |");
        println!("|---|---|---|---|---|---|");
        for &c in &levels {
            // Interleave the clients round by round, so that noise from other
            // processes spreads over all of them; report each one's median round.
            let mut results: Vec<Vec<Figures>> = callers.iter().map(|_| Vec::new()).collect();
            for round in 0..rounds {
                // Every other round runs the clients in reverse order, so that
                // a drift of the machine during a round does not always favour
                // the client that runs first.
                let mut order: Vec<usize> = (0..callers.len()).collect();
                if round % 2 == 1 {
                    order.reverse();
                }
                for i in order {
                    let call = callers[i].1.clone();
                    results[i].push(measure(c, duration, move || call()).await?);
                }
            }
            for (name, sdk, raw) in PAIRS {
                let (Some(s), Some(r)) = (index(&callers, sdk), index(&callers, raw)) else {
                    continue;
                };
                let mut per_round: Vec<f64> = results[s]
                    .iter()
                    .zip(&results[r])
                    .map(|(a, b)| a.rps / b.rps)
                    .collect();
                per_round.sort_by(f64::total_cmp);
                if let Some(m) = per_round.get(per_round.len() / 2) {
                    ratios.push(format!(
                        "| {name} | {c} | {m:.2} | {} |",
                        per_round
                            .iter()
                            .map(|x| format!("{x:.2}"))
                            .collect::<Vec<_>>()
                            .join(" ")
                    ));
                }
            }
            for ((name, _), mut figures) in callers.iter().zip(results) {
                figures.sort_by(|a, b| a.rps.total_cmp(&b.rps));
                if let Some(median) = figures.get(figures.len() / 2) {
                    print_row(name, c, median);
                }
            }
        }
        println!();
        println!("| SDK / raw hyper-util, same round | concurrency | median | rounds |");
        println!("|---|---|---|---|");
        for line in ratios {
            println!("{line}");
        }
        Ok::<_, BoxError>(())
    })
}

/// The pairs whose rates are compared round by round: (label, SDK row, raw row).
const PAIRS: [(&str, &str, &str); 2] = [
    (
        "get_alipay_auth_info, typed decode on both sides",
        AUTH_DEFAULT,
        RAW_DECODE,
    ),
    ("get_user, raw side decodes nothing", MGMT_DEFAULT, RAW),
];
const AUTH_DEFAULT: &str = "genauth auth client, default stack (get_alipay_auth_info)";
const RAW_DECODE: &str = "raw hyper-util + serde decode (get_alipay_auth_info)";
const MGMT_DEFAULT: &str = "genauth (hyper), default stack";
const RAW: &str = "raw hyper-util";

fn index(callers: &[(&'static str, Caller)], name: &str) -> Option<usize> {
    callers.iter().position(|(n, _)| *n == name)
}

type CallFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), BoxError>> + Send>>;
type Caller = std::sync::Arc<dyn Fn() -> CallFuture + Send + Sync>;

/// The clients under test, each as a function sending one `get_user`.
fn callers(url: &str) -> Result<Vec<(&'static str, Caller)>, BoxError> {
    let options = ManagementClientOptions::new("bench-key", "bench-secret").host(url);

    // The SDK: encode, token from the cache, the default layer stack
    // (tracing, timeout, token, retry, body limit), decode into UserDto.
    let full = ManagementClient::new(options.clone())?;

    // The SDK with only the token layer and body collection: the difference
    // to the row above is the cost of the other layers.
    let bare = genauth::tower::HttpService::new(
        genauth::layers::CollectBodyLayer::default().layer(genauth::hyper::transport()?),
    );
    let lean = ManagementClient::with_http_service(options, bare)?;

    // Bare hyper-util: the same request line and headers, body read into
    // memory, nothing decoded.
    let raw = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Full<Bytes>>();
    let uri: http::Uri =
        format!("{url}/api/v3/get-user?userId=6229ffaxxxxxxxxcade3e3d9").parse()?;
    let bearer = format!("Bearer {}", token());

    let sdk = |client: ManagementClient| -> Caller {
        std::sync::Arc::new(move || {
            let client = client.clone();
            Box::pin(async move {
                let user = client.get_user("6229ffaxxxxxxxxcade3e3d9").await?;
                std::hint::black_box(user);
                Ok(())
            })
        })
    };
    // The end-user client, as the overhead comparison measures it: `get_alipay_auth_info`
    // with an access token, decoded into its typed output.
    let auth = genauth::AuthenticationClient::new(
        genauth::AuthenticationClientOptions::new("62e22721c889dd44bad1dda2", url)
            .access_token(token()),
    )?;
    let auth_caller: Caller = std::sync::Arc::new(move || {
        let auth = auth.clone();
        Box::pin(async move {
            let info = auth.get_alipay_auth_info("alipay").await?;
            std::hint::black_box(info);
            Ok(())
        })
    });
    // Raw hyper-util sending the same request as the end-user client and
    // decoding the same envelope into the same type with serde.
    let alipay_uri: http::Uri =
        format!("{url}/api/v3/get-alipay-authinfo?extIdpConnidentifier=alipay").parse()?;
    let raw_decode: Caller = {
        let raw = raw.clone();
        let access_token = token();
        std::sync::Arc::new(move || {
            let raw = raw.clone();
            let req = http::Request::get(alipay_uri.clone())
                .header("authorization", access_token.as_str())
                .header("x-genauth-app-id", "62e22721c889dd44bad1dda2")
                .header("x-genauth-request-from", "sdk")
                .header("x-genauth-sdk-version", "rust:0.1.0")
                .body(Full::new(Bytes::new()));
            Box::pin(async move {
                let resp = raw.request(req?).await?;
                if !resp.status().is_success() {
                    return Err(format!("status {}", resp.status()).into());
                }
                let body = resp.into_body().collect().await?.to_bytes();
                let env: genauth::types::Envelope<genauth::types::AlipayAuthInfoDataDto> =
                    serde_json::from_slice(&body)?;
                std::hint::black_box(env);
                Ok(())
            })
        })
    };
    let raw_caller: Caller = std::sync::Arc::new(move || {
        let raw = raw.clone();
        let req = http::Request::get(uri.clone())
            .header("authorization", bearer.as_str())
            .header("x-genauth-userpool-id", "62e22721c889dd44bad1dda2")
            .header("x-genauth-request-from", "sdk")
            .header("x-genauth-sdk-version", "rust:0.1.0")
            .body(Full::new(Bytes::new()));
        Box::pin(async move {
            let resp = raw.request(req?).await?;
            if !resp.status().is_success() {
                return Err(format!("status {}", resp.status()).into());
            }
            let body = resp.into_body().collect().await?.to_bytes();
            std::hint::black_box(body);
            Ok(())
        })
    });
    Ok(vec![
        (AUTH_DEFAULT, auth_caller),
        (RAW_DECODE, raw_decode),
        (MGMT_DEFAULT, sdk(full)),
        ("genauth, token layer only", sdk(lean)),
        (RAW, raw_caller),
    ])
}
