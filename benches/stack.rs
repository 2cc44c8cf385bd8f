//! The CPU cost of one call through the client's layer stack, over an
//! in-memory service that answers at once, so that only the SDK's own work is
//! measured (no socket, no kernel, no server).
//!
//! ```text
//! cargo bench --bench stack                       # every variant, ns per call (noisy on a shared machine)
//! cargo bench --bench stack -- default --calls 20000 --concurrency 64
//! scripts/stack-instructions.sh                   # every variant under callgrind: instructions per call
//! ```
//!
//! Wall-clock figures move with the machine's load; the instruction counts
//! that `scripts/stack-instructions.sh` reads from callgrind do not. The
//! measured calls run inside `measured_calls`, the function callgrind is told
//! to count (`--toggle-collect`), after a warm-up that opens nothing but fills
//! the caches (token, allocator, tracing's callsite interest).
//!
//! Variants (each sends `get_alipay_auth_info` of the authentication client,
//! or `get_user` of the management client for the `mgmt-*` ones):
//!
//! - `raw`: what a bare hyper client does per call: a request built with
//!   `http::Request::builder` and the same headers, the service called
//!   directly, the body collected, the JSON envelope decoded with serde.
//! - `encode`: `AuthenticationConfig::request` alone (path, query, headers,
//!   token header, operation info).
//! - `decode`: `decode_response` alone on a ready response.
//! - `no-layers`: the client over body collection alone
//!   (`AuthenticationClient::with_http_service`): encode, send, decode.
//! - `trace`, `timeout`, `retry`: `no-layers` plus that one layer.
//! - `default`: `ClientBuilder::new().authentication_with_service`, the stack
//!   `AuthenticationClient::new` builds (tracing, call timeout, retries, size limit).
//! - `mgmt-raw`: management encode with the cached token, send, decode by hand.
//! - `mgmt-token`: `ManagementClient::with_http_service` (token layer only).
//! - `mgmt-default`: `ClientBuilder::new().management_with_service`.

use std::convert::Infallible;
use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::Bytes;
use genauth::core::ops::{GetAlipayAuthInfo, GetUser};
use genauth::core::{decode_response, AuthenticationConfig, ManagementToken};
use genauth::layers::{CollectBodyLayer, RetryLayer, RetryPolicy, TimeoutLayer, TraceLayer};
use genauth::tower::{HttpRequest, HttpService};
use genauth::types::envelope::Envelope;
use genauth::types::AlipayAuthInfoDataDto;
use genauth::{
    AuthenticationClient, AuthenticationClientOptions, ClientBuilder, ManagementClient,
    ManagementClientOptions, SecretString,
};
use http_body_util::{BodyExt as _, Full};
use tower::{Layer as _, Service as _, ServiceExt as _};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const HOST: &str = "http://127.0.0.1:9";

fn jwt() -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.c2lnbmF0dXJl",
        b64.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64.encode(br#"{"scoped_userpool_id":"62e22721c889dd44bad1dda2"}"#)
    )
}

fn alipay_body() -> Bytes {
    Bytes::from_static(
        br#"{"statusCode":200,"message":"","apiCode":0,"requestId":"934108e5-9fbf-4d24-8da1-c330328abd6c","data":{"authInfo":"apiname=com.alipay.account.auth&app_id=2021000000000000&app_name=mc&auth_type=AUTHACCOUNT&biz_type=openservice&method=alipay.open.auth.sdk.code.get&pid=2088000000000000&product_id=APP_FAST_LOGIN&scope=kuaijie&sign_type=RSA2&target_id=1669000000000&sign=abc"}}"#,
    )
}

fn user_body() -> Bytes {
    // In wire order, as the service sends it (`statusCode` first, `data`
    // last), so the envelope probe's fast scan applies as it does in
    // production; `serde_json::json!` would sort the keys and put `data` first.
    Bytes::from_static(
        br#"{"statusCode":200,"message":"","apiCode":0,"requestId":"934108e5-9fbf-4d24-8da1-c330328abd6c","data":{"userId":"6229ffaxxxxxxxxcade3e3d9","createdAt":"2022-07-03T02:20:30.000Z","updatedAt":"2022-07-03T02:20:30.000Z","status":"Activated","email":"test@example.com","phone":"188xxxx8888","username":"bob","name":"Zhang San","nickname":"zs","loginsCount":3,"lastLogin":"2022-07-03T02:20:30.000Z","lastIp":"127.0.0.1","gender":"M","emailVerified":true,"phoneVerified":true}}"#,
    )
}

/// The in-memory server: answers every request at once with a fixed JSON body
/// (the token endpoint with a token), as a streaming `Full` body, like hyper's.
#[derive(Clone)]
struct Memory {
    token: Bytes,
    data: Bytes,
}

impl tower::Service<HttpRequest> for Memory {
    type Response = http::Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Infallible>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: HttpRequest) -> Self::Future {
        let body = if req.uri().path() == "/api/v3/get-management-token" {
            self.token.clone()
        } else {
            self.data.clone()
        };
        let mut resp = http::Response::new(Full::new(body));
        resp.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        std::future::ready(Ok(resp))
    }
}

fn memory(data: Bytes) -> Memory {
    Memory {
        token: Bytes::from(format!(
            r#"{{"statusCode":200,"message":"","data":{{"access_token":"{}","expires_in":7200}}}}"#,
            jwt()
        )),
        data,
    }
}

fn auth_options() -> AuthenticationClientOptions {
    AuthenticationClientOptions::new("62e22721c889dd44bad1dda2", HOST).access_token(jwt())
}

fn mgmt_options() -> ManagementClientOptions {
    ManagementClientOptions::new("bench-key", "bench-secret").host(HOST)
}

type CallFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), BoxError>>>>;
type Caller = std::rc::Rc<dyn Fn() -> CallFuture>;

fn auth_caller(client: AuthenticationClient) -> Caller {
    std::rc::Rc::new(move || {
        let client = client.clone();
        Box::pin(async move {
            let out = client.get_alipay_auth_info("alipay").await?;
            black_box(out);
            Ok(())
        })
    })
}

fn mgmt_caller(client: ManagementClient) -> Caller {
    std::rc::Rc::new(move || {
        let client = client.clone();
        Box::pin(async move {
            let out = client.get_user("6229ffaxxxxxxxxcade3e3d9").await?;
            black_box(out);
            Ok(())
        })
    })
}

/// The client over `layer(collect(memory))`, with nothing else added.
fn auth_over(service: HttpService) -> Result<Caller, BoxError> {
    Ok(auth_caller(AuthenticationClient::with_http_service(
        auth_options(),
        service,
    )?))
}

fn collected(data: Bytes) -> HttpService {
    HttpService::new(CollectBodyLayer::default().layer(memory(data)))
}

fn caller(variant: &str) -> Result<Caller, BoxError> {
    let alipay = alipay_body();
    Ok(match variant {
        "raw" => {
            let svc = memory(alipay);
            let uri: http::Uri =
                format!("{HOST}/api/v3/get-alipay-authinfo?extIdpConnidentifier=alipay").parse()?;
            let token = jwt();
            std::rc::Rc::new(move || {
                let req = http::Request::get(uri.clone())
                    .header("authorization", token.as_str())
                    .header("x-genauth-app-id", "62e22721c889dd44bad1dda2")
                    .header("x-genauth-request-from", "sdk")
                    .header("x-genauth-sdk-version", "rust:0.1.0")
                    .body(genauth::core::Body::from(Bytes::new()));
                let fut = req.map(|r| svc.clone().call(r));
                Box::pin(async move {
                    let resp = fut?.await?;
                    let body = resp.into_body().collect().await?.to_bytes();
                    let env: Envelope<AlipayAuthInfoDataDto> = serde_json::from_slice(&body)?;
                    black_box(env);
                    Ok(())
                })
            })
        }
        "encode" => {
            let config = AuthenticationConfig::new(auth_options())?;
            let token = SecretString::new(jwt());
            std::rc::Rc::new(move || {
                let req = config.request(&GetAlipayAuthInfo::new("alipay".into()), Some(&token));
                black_box(req.map(drop).is_ok());
                Box::pin(std::future::ready(Ok(())))
            })
        }
        "decode" => {
            let mut resp = http::Response::new(alipay);
            resp.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            );
            std::rc::Rc::new(move || {
                let mut r = http::Response::new(resp.body().clone());
                *r.headers_mut() = resp.headers().clone();
                let out = decode_response::<GetAlipayAuthInfo>(r);
                black_box(out.map(drop).is_ok());
                Box::pin(std::future::ready(Ok(())))
            })
        }
        "no-layers" => auth_over(collected(alipay))?,
        "trace" => auth_over(HttpService::new(TraceLayer::new().layer(collected(alipay))))?,
        "timeout" => auth_over(HttpService::new(
            TimeoutLayer::new(Duration::from_secs(10)).layer(collected(alipay)),
        ))?,
        "retry" => auth_over(HttpService::new(
            RetryLayer::new(RetryPolicy::default()).layer(collected(alipay)),
        ))?,
        "default" => auth_caller(
            ClientBuilder::new().authentication_with_service(auth_options(), memory(alipay))?,
        ),
        "mgmt-raw" => {
            let config = genauth::core::ManagementConfig::new(mgmt_options())?;
            let token = ManagementToken::new(SecretString::new(jwt()), Duration::from_secs(7200))?;
            let service = collected(user_body());
            let ctx = std::rc::Rc::new((config, token, service));
            std::rc::Rc::new(move || {
                let ctx = ctx.clone();
                Box::pin(async move {
                    let (config, token, service) = &*ctx;
                    let req = config.request(
                        &GetUser::new("6229ffaxxxxxxxxcade3e3d9".into()),
                        Some(token),
                    )?;
                    let resp = service.clone().oneshot(req).await?;
                    black_box(decode_response::<GetUser>(resp)?);
                    Ok(())
                })
            })
        }
        "mgmt-token" => mgmt_caller(ManagementClient::with_http_service(
            mgmt_options(),
            collected(user_body()),
        )?),
        "mgmt-default" => mgmt_caller(
            ClientBuilder::new().management_with_service(mgmt_options(), memory(user_body()))?,
        ),
        other => return Err(format!("unknown variant {other}").into()),
    })
}

const VARIANTS: &[&str] = &[
    "raw",
    "encode",
    "decode",
    "no-layers",
    "trace",
    "timeout",
    "retry",
    "default",
    "mgmt-raw",
    "mgmt-token",
    "mgmt-default",
];

/// Runs `calls` calls spread over `concurrency` tasks. Callgrind counts the
/// instructions executed inside this function only.
#[inline(never)]
fn measured_calls(
    rt: &tokio::runtime::Runtime,
    call: &Caller,
    calls: usize,
    concurrency: usize,
) -> Result<(), BoxError> {
    let result = run(rt, call, calls, concurrency);
    // Not a tail call: callgrind counts only while this frame is live, and a
    // tail call would leave it before the calls run.
    black_box(&result);
    result
}

fn run(
    rt: &tokio::runtime::Runtime,
    call: &Caller,
    calls: usize,
    concurrency: usize,
) -> Result<(), BoxError> {
    let local = tokio::task::LocalSet::new();
    local.block_on(rt, async {
        let per_task = calls / concurrency.max(1);
        let tasks: Vec<_> = (0..concurrency.max(1))
            .map(|_| {
                let call = call.clone();
                tokio::task::spawn_local(async move {
                    for _ in 0..per_task {
                        call().await?;
                    }
                    Ok::<_, BoxError>(())
                })
            })
            .collect();
        for t in tasks {
            t.await.map_err(|e| e.to_string())??;
        }
        Ok(())
    })
}

fn main() -> Result<(), BoxError> {
    let mut variants: Vec<String> = Vec::new();
    let mut calls = 20_000usize;
    let mut concurrency = 1usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--calls" => calls = args.next().ok_or("--calls needs a number")?.parse()?,
            "--concurrency" => {
                concurrency = args.next().ok_or("--concurrency needs a number")?.parse()?
            }
            // What `cargo bench` passes to every bench target.
            "--bench" => {}
            other if other.starts_with('-') => return Err(format!("unknown flag {other}").into()),
            other => variants.push(other.to_owned()),
        }
    }
    if variants.is_empty() {
        variants = VARIANTS.iter().map(|v| (*v).to_owned()).collect();
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    println!("| variant | calls | concurrency | ns per call |");
    println!("|---|---|---|---|");
    for v in &variants {
        let call = caller(v)?;
        run(&rt, &call, 1_000, concurrency)?; // warm-up: token fetch, callsite interest
        let start = Instant::now();
        measured_calls(&rt, &call, calls, concurrency)?;
        let ns = start.elapsed().as_nanos() as f64 / calls as f64;
        println!("| {v} | {calls} | {concurrency} | {ns:.0} |");
    }
    Ok(())
}
