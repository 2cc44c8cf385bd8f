//! The fuzz targets of genauth-core, shared by the cargo-fuzz targets in
//! `fuzz/` (nightly, coverage-guided) and the stable seeded mutation tests
//! in `mutation.rs` beside this file (CI, a module of the `registry` test
//! binary). Each target feeds arbitrary bytes to one reader
//! of untrusted input; any panic is a finding. Results are consumed (errors
//! are printed into a sink) so that `Display` impls are exercised too, and no
//! error message may contain the secrets the harness planted.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::sync::OnceLock;

use bytes::Bytes;
use genauth_core::ops::registry;
use genauth_core::protocol::{
    cas, token, userinfo, verify, CallbackParams, KeySet, LoginTransaction, TokenVerifier,
};
use genauth_core::response::decode_with;
use genauth_core::SecretString;

/// A secret the harness configures; it must never show in an error.
pub const PLANTED_SECRET: &str = "planted-hs256-secret-value";

/// A fixed RSA public key (no private half exists anywhere) and the planted
/// HS256 secret give the verifier every code path to walk.
pub const JWKS: &str = r#"{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"k1","e":"AQAB","n":"nNHcxaAvddU9ooStlaAdoVyqwH99I9K9_Le6z9pMvGdgzawdQGmgYP2t6Cqklaw6fSJXK3z3kAliJOPis0MjRYZ6jkBRRSX7FrHljg26wdlvLyRWuEDpjeMbOIH_dkhlSTlbaqDSumsmuLFB3mfZm80L9b-ZgPoWGZSGMXh8HRyv8OqwhLOGVK71-U2IznpsSnIVw2mTt7WaW-Pd8SmoF-lJU4JmKmDojhRrx24p3Z0_hxS9ad2ol-mZbF6i0-7-AthqUEcERp2ASrX2v1SOHPDtrgFWzce1ajo4IF3slPaWwSWuhEAECH6hnD4MvwwDvgPeTn8dzJu6Vfp2PQ2D9Q"}]}"#;

fn keys() -> &'static KeySet {
    static KEYS: OnceLock<KeySet> = OnceLock::new();
    KEYS.get_or_init(|| KeySet::from_json(JWKS.as_bytes()).expect("the fixed JWKS reads"))
}

fn sink<T, E: std::fmt::Display + std::fmt::Debug>(r: Result<T, E>) {
    sink_unless_echoed(false, r);
}

/// [`sink`], for a target where the input may carry the secret outside the
/// place it belongs (`echoed`): an error that quotes that input is no leak.
fn sink_unless_echoed<T, E: std::fmt::Display + std::fmt::Debug>(echoed: bool, r: Result<T, E>) {
    if let Err(e) = r {
        let mut s = String::new();
        let _ = write!(s, "{e} {e:?}");
        assert!(
            echoed || !s.contains(PLANTED_SECRET),
            "an error shows the secret: {s}"
        );
    }
}

fn response(status: u16, data: &[u8]) -> http::Response<Bytes> {
    let mut r = http::Response::new(Bytes::copy_from_slice(data));
    *r.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK);
    r
}

/// The envelope decoder, into a few output shapes, and the excerpt maker.
pub fn envelope(data: &[u8]) {
    sink(decode_with::<serde_json::Value>(
        "fuzz",
        true,
        response(200, data),
    ));
    sink(decode_with::<()>("fuzz", true, response(200, data)));
    sink(decode_with::<genauth_core::types::Page<String>>(
        "fuzz",
        true,
        response(200, data),
    ));
    sink(decode_with::<serde_json::Value>(
        "fuzz",
        false,
        response(502, data),
    ));
    let e = genauth_core::excerpt::excerpt(data);
    assert!(e.chars().count() <= genauth_core::excerpt::EXCERPT_CHARS + 1);
}

/// Every operation's decoder: the first two bytes pick the operation, the
/// third the HTTP status, the rest is the body.
pub fn operations(data: &[u8]) {
    let all = registry::all();
    if data.len() < 3 || all.is_empty() {
        return;
    }
    let index = usize::from(u16::from_le_bytes([data[0], data[1]])) % all.len();
    let status = [200, 200, 200, 400, 401, 404, 500, 502][usize::from(data[2] % 8)];
    sink((all[index].decode)(response(status, &data[3..])));
}

/// Decodes `data` with the decoder of every operation (for the seeded test:
/// one input, all operations).
pub fn every_operation(data: &[u8]) {
    for op in registry::all() {
        sink((op.decode)(response(200, data)));
    }
}

/// The JWT verifier: header decoding, key choice, signature and claims.
pub fn jwt(data: &[u8]) {
    let token = String::from_utf8_lossy(data);
    let verifier = TokenVerifier::new("https://demo.genauth.ai/oidc", "app-1")
        .hs256_secret(Some(SecretString::new(PLANTED_SECRET)));
    sink(verify::decode_header(&token));
    sink(verifier.verify_id_token(&token, keys(), Some("nonce-1")));
    sink(verifier.verify_access_token(&token, keys()));
}

/// The key-set reader and the discovery document reader.
pub fn jwks(data: &[u8]) {
    sink(KeySet::from_json(data));
    sink(verify::parse_jwks_response(response(200, data)));
    sink(verify::parse_discovery_response(response(200, data)));
}

/// The CAS 1.0 and 2.0/3.0 (XML and JSON) validation readers.
pub fn cas(data: &[u8]) {
    sink(cas::parse_validate_v1_response(response(200, data)));
    sink(cas::parse_service_validate_response(response(200, data)));
}

/// The login callback: query parsing, the check against a stored
/// transaction, and the transaction cookie reader.
pub fn callback(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let tx = LoginTransaction {
        state: "state-0123456789abcdef".into(),
        nonce: Some("nonce-0123456789abcdef".into()),
        code_verifier: None,
        redirect_uri: "https://app.example.com/cb".into(),
        scope: Some("openid profile".into()),
        resources: Vec::new(),
    };
    if let Ok(params) = CallbackParams::from_query(&text) {
        sink(tx.check_callback(&params));
    }
    sink(LoginTransaction::from_cookie_value(&text));
}

/// The OAuth token, introspection, revocation and userinfo readers: the first
/// byte picks the HTTP status, the rest is the body.
pub fn token_responses(data: &[u8]) {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let status = [200, 200, 400, 401, 500][usize::from(first % 5)];
    sink(token::parse_token_response(response(status, body)));
    sink(token::parse_introspection_response(response(status, body)));
    sink(token::parse_revocation_response(response(status, body)));
    sink(userinfo::parse_user_info_response(response(status, body)));
}

/// A webhook delivery: header lines (`name: value`), an empty line, the body.
/// Checked against the planted secret, then decoded without the check.
pub fn webhook(data: &[u8]) {
    let split = data
        .windows(2)
        .position(|w| w == b"\n\n")
        .map_or((&data[..0], data), |i| (&data[..i], &data[i + 2..]));
    let mut headers = http::HeaderMap::new();
    let has_secret = |bytes: &[u8]| {
        bytes
            .windows(PLANTED_SECRET.len())
            .any(|w| w == PLANTED_SECRET.as_bytes())
    };
    // The secret in the body or in another header is input the errors may quote.
    let mut echoed = has_secret(split.1);
    for line in split.0.split(|b| *b == b'\n') {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let name = String::from_utf8_lossy(&line[..colon]).to_ascii_lowercase();
        if !name.ends_with("-webhook-secret") && has_secret(line) {
            echoed = true;
        }
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(&line[..colon]),
            http::HeaderValue::from_bytes(line[colon + 1..].trim_ascii()),
        ) {
            headers.append(name, value);
        }
    }
    let secret = SecretString::new(PLANTED_SECRET);
    sink_unless_echoed(
        echoed,
        genauth_core::webhook::verify_with_limit(&headers, split.1, &secret, 64 * 1024),
    );
    sink_unless_echoed(echoed, genauth_core::webhook::decode(split.1));
}

/// The readers of the event subscription's headers and paths.
pub fn events(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = genauth_core::events::parse_management_authorization(&text);
    let _ = genauth_core::events::Side::from_path(&text);
    let _ = genauth_core::events::verify_websocket_signature(PLANTED_SECRET, &text);
    sink(genauth_core::events::websocket_base(&text));
}
