//! Signed management requests, byte for byte against the official Node SDK.
//!
//! `tests/data/node-signature-vectors.json` holds requests that
//! `authing-node-sdk` 4.0.1 sent to a loopback recorder with a fixed nonce and
//! date (made by `scripts/node-signature-vectors/run.sh`), together with the
//! string it signed. Each one is replayed through our signer and verifier.

use genauth_core::ops::{GetUser, GetUserBatch};
use genauth_core::signing::{self, SignatureError, SigningKey};
use genauth_core::types::generated::GetUserUserIdType;
use genauth_core::{Brand, ManagementClientOptions, ManagementConfig, SecretString};
use serde::Deserialize;

#[derive(Deserialize)]
struct Doc {
    access_key_id: String,
    access_key_secret: String,
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    name: String,
    method: String,
    url: String,
    headers: std::collections::BTreeMap<String, String>,
    body: String,
    string_to_sign: String,
}

fn doc() -> Doc {
    serde_json::from_str(include_str!("data/node-signature-vectors.json")).unwrap()
}

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

/// The recorded request, without its `authorization` unless `keep_auth`.
fn request(v: &Vector, keep_auth: bool) -> http::Request<genauth_core::Body> {
    let mut b = http::Request::builder()
        .method(v.method.as_str())
        .uri(v.url.as_str());
    for (k, val) in &v.headers {
        if keep_auth || k != "authorization" {
            b = b.header(k, val);
        }
    }
    b.body(genauth_core::Body::from(v.body.clone().into_bytes()))
        .unwrap()
}

fn params(req: &http::Request<genauth_core::Body>) -> Vec<(String, String)> {
    signing::request_params(req.method(), req.uri().query(), req.body().as_bytes()).unwrap()
}

#[test]
fn our_string_to_sign_is_the_node_sdks() {
    let d = doc();
    assert!(d.vectors.len() >= 6);
    for v in &d.vectors {
        let req = request(v, true);
        let ours = signing::string_to_sign(
            Brand::Authing,
            req.method(),
            req.uri().path(),
            req.headers(),
            &params(&req),
        );
        assert_eq!(ours, v.string_to_sign, "{}", v.name);
    }
}

#[test]
fn our_signature_is_the_node_sdks_byte_for_byte() {
    let d = doc();
    let key = SigningKey::new(
        Brand::Authing,
        &d.access_key_id,
        secret(&d.access_key_secret),
    );
    for v in &d.vectors {
        let mut req = request(v, false);
        let nonce = &v.headers["x-authing-signature-nonce"];
        let date = &v.headers["date"];
        key.sign(&mut req, nonce, date).unwrap();
        // Every header the Node SDK sent, ours included, is the same.
        let ours: std::collections::BTreeMap<String, String> = req
            .headers()
            .iter()
            .map(|(k, val)| (k.to_string(), val.to_str().unwrap().to_owned()))
            .collect();
        assert_eq!(ours, v.headers, "{}", v.name);
        assert!(req.headers()["authorization"].is_sensitive());
    }
}

#[test]
fn node_requests_verify_and_changed_ones_do_not() {
    let d = doc();
    let lookup = |id: &str| (id == d.access_key_id).then(|| secret(&d.access_key_secret));
    for v in &d.vectors {
        let req = request(v, true);
        let ok = signing::verify_request(
            req.method(),
            req.uri(),
            req.headers(),
            req.body().as_bytes(),
            lookup,
        )
        .unwrap();
        assert_eq!(ok.brand, Brand::Authing);
        assert_eq!(ok.access_key_id, d.access_key_id);
        assert_eq!(ok.nonce, v.headers["x-authing-signature-nonce"]);

        // Another secret.
        let wrong = signing::verify_request(
            req.method(),
            req.uri(),
            req.headers(),
            req.body().as_bytes(),
            |_| Some(secret("another-secret")),
        );
        assert_eq!(wrong.unwrap_err(), SignatureError::Mismatch, "{}", v.name);

        // A changed signed header.
        let mut changed = req.headers().clone();
        changed.insert("x-authing-lang", "xx".parse().unwrap());
        let e = signing::verify_request(
            req.method(),
            req.uri(),
            &changed,
            req.body().as_bytes(),
            lookup,
        );
        assert_eq!(e.unwrap_err(), SignatureError::Mismatch, "{}", v.name);

        // A changed parameter (query for GET, body otherwise).
        let e = if req.method() == http::Method::GET {
            let uri: http::Uri = format!("{}&extra=1", req.uri()).parse().unwrap();
            signing::verify_request(req.method(), &uri, req.headers(), b"", lookup)
        } else {
            signing::verify_request(
                req.method(),
                req.uri(),
                req.headers(),
                br#"{"extra":1}"#,
                lookup,
            )
        };
        assert_eq!(e.unwrap_err(), SignatureError::Mismatch, "{}", v.name);
    }
}

#[test]
fn verification_errors_are_typed() {
    let d = doc();
    let v = &d.vectors[0];
    let req = request(v, true);
    let check = |headers: &http::HeaderMap| {
        signing::verify_request(req.method(), req.uri(), headers, b"", |_| {
            Some(secret(&d.access_key_secret))
        })
    };
    let mut h = req.headers().clone();
    h.remove("x-authing-signature-nonce");
    assert_eq!(
        check(&h).unwrap_err(),
        SignatureError::MissingHeader("x-authing-signature-nonce".into())
    );
    let mut h = req.headers().clone();
    h.remove("date");
    assert_eq!(
        check(&h).unwrap_err(),
        SignatureError::MissingHeader("date".into())
    );
    let mut h = req.headers().clone();
    h.insert("x-authing-signature-method", "HMAC-SHA256".parse().unwrap());
    assert!(matches!(
        check(&h).unwrap_err(),
        SignatureError::Unsupported { what: "method", .. }
    ));
    let mut h = req.headers().clone();
    h.insert("authorization", "Bearer abc".parse().unwrap());
    assert_eq!(check(&h).unwrap_err(), SignatureError::NotSigned);
    let e = signing::verify_request(req.method(), req.uri(), req.headers(), b"", |_| None);
    assert_eq!(
        e.unwrap_err(),
        SignatureError::UnknownKey(d.access_key_id.clone())
    );
    // The error text never carries the secret.
    assert!(!format!("{:?}", check(&h)).contains(&d.access_key_secret));
}

/// Our own operations, encoded by the SDK, sign the same parameters as the
/// Node SDK's methods called with the same arguments.
#[test]
fn our_operations_sign_the_node_sdks_parameters() {
    let d = doc();
    let cfg = ManagementConfig::new(
        ManagementClientOptions::new(&d.access_key_id, d.access_key_secret.as_str())
            .brand(Brand::Authing),
    )
    .unwrap();
    let last_line = |s: &str| s.rsplit('\n').next().unwrap().to_owned();
    let find = |name: &str| d.vectors.iter().find(|v| v.name == name).unwrap();

    let mut get_user = GetUser::new("u-1".into());
    get_user.user_id_type = Some(GetUserUserIdType::UserId);
    get_user.flat_custom_data = Some(false);
    get_user.with_custom_data = Some(false);
    get_user.with_post = Some(false);
    get_user.with_identities = Some(false);
    get_user.with_department_ids = Some(false);
    let mut special = get_user.clone();
    special.user_id = "a&b=c d/é中".into();
    special.user_id_type = Some(GetUserUserIdType::Username);
    let mut batch = GetUserBatch::new(vec!["u-1".into(), "u-2".into()]);
    batch.user_id_type = Some(GetUserUserIdType::UserId);
    batch.with_custom_data = Some(false);
    batch.flat_custom_data = Some(false);
    batch.with_identities = Some(false);
    batch.with_department_ids = Some(false);

    let cases = [
        ("get_user_query", cfg.request(&get_user, None).unwrap()),
        (
            "get_user_query_special_characters",
            cfg.request(&special, None).unwrap(),
        ),
        (
            "get_user_batch_list_query",
            cfg.request(&batch, None).unwrap(),
        ),
    ];
    for (name, req) in cases {
        let ours = signing::string_to_sign(
            Brand::Authing,
            req.method(),
            req.uri().path(),
            req.headers(),
            &params(&req),
        );
        assert_eq!(
            last_line(&ours),
            last_line(&find(name).string_to_sign),
            "{name}"
        );
    }
}
