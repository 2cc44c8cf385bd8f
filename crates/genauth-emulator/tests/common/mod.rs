//! Helpers of the emulator's tests: clients, hand-made operations, raw HTTP.
#![allow(dead_code)]

use bytes::Bytes;
use genauth_emulator::{
    RunningEmulator, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
};
use genauth_tower::{AuthenticationClient, ManagementClient};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub fn management(emu: &RunningEmulator) -> ManagementClient {
    ManagementClient::new(
        genauth_core::ManagementClientOptions::new(
            DEFAULT_ACCESS_KEY_ID,
            DEFAULT_ACCESS_KEY_SECRET,
        )
        .host(emu.url()),
    )
    .unwrap()
}

pub fn authentication(emu: &RunningEmulator) -> AuthenticationClient {
    AuthenticationClient::new(
        genauth_core::AuthenticationClientOptions::new(DEFAULT_APP_ID, emu.url())
            .app_secret(DEFAULT_APP_SECRET),
    )
    .unwrap()
}

/// Defines an operation over a JSON body or query pairs, for calls that have
/// no generated method yet.
#[macro_export]
macro_rules! op {
    ($name:ident, $method:ident, $path:literal, $auth:ident, Json, $out:ty) => {
        #[derive(serde::Serialize)]
        #[serde(transparent)]
        struct $name(serde_json::Value);
        impl genauth_core::Operation for $name {
            const NAME: &'static str = stringify!($name);
            const METHOD: http::Method = http::Method::$method;
            const PATH: &'static str = $path;
            const AUTH: genauth_core::AuthKind = genauth_core::AuthKind::$auth;
            const ENCODING: genauth_core::Encoding = genauth_core::Encoding::Json;
            const IDEMPOTENT: bool = false;
            type Output = $out;
        }
    };
    ($name:ident, $method:ident, $path:literal, $auth:ident, Query, $out:ty) => {
        #[derive(serde::Serialize)]
        #[serde(transparent)]
        struct $name(Vec<(&'static str, String)>);
        impl genauth_core::Operation for $name {
            const NAME: &'static str = stringify!($name);
            const METHOD: http::Method = http::Method::$method;
            const PATH: &'static str = $path;
            const AUTH: genauth_core::AuthKind = genauth_core::AuthKind::$auth;
            const ENCODING: genauth_core::Encoding = genauth_core::Encoding::Query;
            const IDEMPOTENT: bool = true;
            type Output = $out;
        }
    };
}

/// One HTTP exchange without any SDK logic.
pub async fn raw(
    req: http::Request<genauth_core::Body>,
) -> (http::StatusCode, http::HeaderMap, Bytes) {
    let resp = genauth_hyper::transport()
        .unwrap()
        .oneshot(req)
        .await
        .unwrap();
    let (parts, body) = resp.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    (parts.status, parts.headers, body)
}

pub async fn raw_get(url: &str) -> (http::StatusCode, http::HeaderMap, Bytes) {
    raw(http::Request::get(url)
        .body(genauth_core::Body::from(Bytes::new()))
        .unwrap())
    .await
}

pub async fn raw_json(method: &str, url: &str, headers: &[(&str, &str)], body: &Value) -> Value {
    let mut b = http::Request::builder()
        .method(method)
        .uri(url)
        .header("content-type", "application/json");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let (_, _, bytes) = raw(b
        .body(genauth_core::Body::from(Bytes::from(body.to_string())))
        .unwrap())
    .await;
    serde_json::from_slice(&bytes).unwrap()
}

pub async fn raw_form(
    url: &str,
    basic: Option<&str>,
    pairs: &[(&str, &str)],
) -> (http::StatusCode, Value) {
    let mut b =
        http::Request::post(url).header("content-type", "application/x-www-form-urlencoded");
    if let Some(v) = basic {
        b = b.header("authorization", v);
    }
    let body = serde_html_form::to_string(pairs).unwrap();
    let (status, _, bytes) =
        raw(b.body(genauth_core::Body::from(Bytes::from(body))).unwrap()).await;
    let v = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    };
    (status, v)
}

pub fn location(headers: &http::HeaderMap) -> String {
    headers
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}

/// The value of `name` in the query of `url`.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    let pairs: Vec<(String, String)> = serde_html_form::from_str(q).ok()?;
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// The fields of a user the tests look at.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub user_id: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// One page of a list.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub list: Vec<T>,
    pub total_count: i64,
}

/// What sign-in returns.
#[derive(Debug, serde::Deserialize)]
pub struct Tokens {
    pub access_token: String,
    #[serde(default)]
    pub id_token: Option<String>,
    #[serde(default)]
    pub refresh_token: Option<String>,
    pub expire_in: i64,
    pub token_type: String,
}
