//! Signed management requests: the access key signs each request with
//! HMAC-SHA1, as an alternative to the management token.
//!
//! This is the scheme of the official Node SDK (`authing-node-sdk`): the
//! string to sign is
//!
//! ```text
//! <METHOD>\n
//! <name>:<value>\n        for `date` and every `x-<brand>-*` header, sorted by name
//! <path>[?<k>=<v>&…]      the request's parameters sorted by key, unencoded
//! ```
//!
//! The parameters are the query's for `GET` and the top-level keys of the JSON
//! body otherwise. A string is written as it is, a number, boolean or `null` as
//! JavaScript prints it, and an object or array as its compact JSON. A query
//! key repeated or ending in `[]` is a list. The signature is the base64 of
//! HMAC-SHA1 keyed with the access key secret, sent as
//! `authorization: <brand> <access key id>:<signature>` with the headers
//! `x-<brand>-signature-nonce`, `x-<brand>-signature-method: HMAC-SHA1`,
//! `x-<brand>-signature-version: 1.0` and `date`, which are all signed too.
//!
//! Everything here is sans-IO: the caller supplies the nonce and the date
//! (`genauth-tower` draws a fresh nonce and reads the clock for each attempt).
//! `crates/genauth-core/tests/signing.rs` checks this module byte for byte
//! against requests recorded from the Node SDK itself.

use std::cmp::Ordering;
use std::fmt::{self, Write as _};

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use http::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, DATE};
use http::Method;
use percent_encoding::percent_decode_str;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use sha1::Sha1;

use crate::brand::Brand;
use crate::error::Error;
use crate::SecretString;

/// The value of `x-<brand>-signature-method`.
pub const SIGNATURE_METHOD: &str = "HMAC-SHA1";
/// The value of `x-<brand>-signature-version`.
pub const SIGNATURE_VERSION: &str = "1.0";

type HmacSha1 = hmac::Hmac<Sha1>;

/// How the management client authenticates its calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ManagementAuth {
    /// A management token fetched with the access key, cached and refreshed
    /// (the default, as in the Python and Go SDKs).
    #[default]
    Token,
    /// Each request signed with the access key (HMAC-SHA1), as the Node SDK
    /// does: no token request, no user pool header.
    SignedRequests,
}

impl crate::ManagementConfig {
    /// The key that signs this client's requests (brand, access key id and secret).
    pub fn signing_key(&self) -> SigningKey {
        SigningKey::new(
            self.options.brand,
            self.options.access_key_id.clone(),
            self.options.access_key_secret.clone(),
        )
    }

    /// Encodes a management operation and signs it with the access key,
    /// `nonce` and `date` (an HTTP date, e.g. `Fri, 02 Jan 2026 03:04:05 GMT`).
    /// A transport sending it more than once must sign each attempt anew.
    pub fn signed_request<O: crate::Operation>(
        &self,
        op: &O,
        nonce: &str,
        date: &str,
    ) -> Result<http::Request<crate::Body>, Error> {
        let mut req = self.request(op, None)?;
        self.signing_key().sign(&mut req, nonce, date)?;
        Ok(req)
    }
}

/// Why a signed request could not be signed or was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The request has no `authorization: <brand> <id>:<signature>` header.
    #[error(
        "the request is not signed: no `authorization: <brand> <access key id>:<signature>` header"
    )]
    NotSigned,
    /// A header the signature needs is missing or empty.
    #[error("the signed request has no `{0}` header")]
    MissingHeader(String),
    /// The signature method or version is not `HMAC-SHA1` / `1.0`.
    #[error("the signature {what} `{value}` is not supported (expected `{expected}`)")]
    Unsupported {
        /// `method` or `version`.
        what: &'static str,
        /// What the request says.
        value: String,
        /// What is supported.
        expected: &'static str,
    },
    /// The body of a non-GET request is not a JSON object.
    #[error("the body of a signed request must be empty or a JSON object: {0}")]
    Body(String),
    /// The access key id is not known to the verifier.
    #[error("the access key id `{0}` is not known")]
    UnknownKey(String),
    /// The signature does not match the request.
    #[error("the signature does not match the request (wrong access key secret, or the request was changed after signing)")]
    Mismatch,
    /// The `date` header is unreadable or too far from the verifier's clock.
    #[error("the signed request's date is {0}")]
    Date(String),
    /// The nonce was already used.
    #[error("the signature nonce was already used: the request is a replay")]
    Replayed,
}

impl From<SignatureError> for Error {
    fn from(e: SignatureError) -> Self {
        Error::invalid_input("signature", e.to_string())
    }
}

/// The access key that signs requests. `Debug` hides the secret.
#[derive(Clone)]
pub struct SigningKey {
    brand: Brand,
    access_key_id: String,
    secret: SecretString,
    scheme: String,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("brand", &self.brand)
            .field("access_key_id", &self.access_key_id)
            .field("secret", &self.secret)
            .finish()
    }
}

impl SigningKey {
    /// The key `access_key_id` / `secret`, signing for `brand`.
    pub fn new(brand: Brand, access_key_id: impl Into<String>, secret: SecretString) -> Self {
        let access_key_id = access_key_id.into();
        Self {
            scheme: format!("{} {access_key_id}:", brand.name()),
            brand,
            access_key_id,
            secret,
        }
    }

    /// The brand whose headers are signed.
    pub fn brand(&self) -> Brand {
        self.brand
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The base64 HMAC-SHA1 of `string_to_sign`.
    pub fn signature(&self, string_to_sign: &str) -> String {
        signature(&self.secret, string_to_sign)
    }

    /// Signs `req` in place: sets the nonce, method, version and `date`
    /// headers, then `authorization` (marked sensitive). Call it last, after
    /// every `x-<brand>-*` header is set, and again for each attempt with a
    /// fresh nonce.
    pub fn sign(
        &self,
        req: &mut http::Request<crate::Body>,
        nonce: &str,
        date: &str,
    ) -> Result<(), Error> {
        let value = |name: &'static str, v: &str| {
            HeaderValue::from_str(v)
                .map_err(|_| Error::invalid_input(name, "cannot be sent in a header"))
        };
        let b = self.brand;
        let nonce = value("signature nonce", nonce)?;
        let date = value("date", date)?;
        let h = req.headers_mut();
        h.remove(AUTHORIZATION);
        h.remove(b.userpool_id_header());
        h.insert(b.signature_nonce_header(), nonce);
        h.insert(
            b.signature_method_header(),
            HeaderValue::from_static(SIGNATURE_METHOD),
        );
        h.insert(
            b.signature_version_header(),
            HeaderValue::from_static(SIGNATURE_VERSION),
        );
        h.insert(DATE, date);
        let params = request_params(req.method(), req.uri().query(), req.body().as_bytes())?;
        let text = string_to_sign(b, req.method(), req.uri().path(), req.headers(), &params);
        let sig = self.signature(&text);
        let mut auth = HeaderValue::from_str(&format!("{}{sig}", self.scheme))
            .map_err(|_| Error::invalid_input("access_key_id", "cannot be sent in a header"))?;
        auth.set_sensitive(true);
        req.headers_mut().insert(AUTHORIZATION, auth);
        Ok(())
    }
}

/// base64(HMAC-SHA1(key = `secret`, message = `string_to_sign`)).
pub fn signature(secret: &SecretString, string_to_sign: &str) -> String {
    let mut mac = mac(secret.expose());
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn mac(secret: &str) -> HmacSha1 {
    // HMAC accepts keys of any length; the fallback is never taken.
    HmacSha1::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| HmacSha1::new(&Default::default()))
}

/// JavaScript's default string order: by UTF-16 code units.
fn js_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// The string to sign of a request: the method, the signed headers of
/// `brand` (and `date`), and the path with the sorted parameters.
pub fn string_to_sign(
    brand: Brand,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    params: &[(String, String)],
) -> String {
    let prefix = brand.header_prefix();
    let mut signed: Vec<(&str, String)> = headers
        .keys()
        .filter(|k| k.as_str().starts_with(prefix) || *k == DATE)
        .map(|k| {
            let v = headers
                .get_all(k)
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect::<Vec<_>>()
                .join(",");
            let v: String = v
                .chars()
                .map(|c| match c {
                    '\t' | '\n' | '\r' | '\u{c}' => ' ',
                    c => c,
                })
                .collect();
            (k.as_str(), v.trim().to_owned())
        })
        .collect();
    signed.sort_by(|a, b| js_cmp(a.0, b.0));
    let mut out = String::with_capacity(256);
    out.push_str(method.as_str());
    out.push('\n');
    for (k, v) in &signed {
        let _ = writeln!(out, "{k}:{v}");
    }
    out.push_str(path);
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort_by(|a, b| js_cmp(&a.0, &b.0));
    for (i, (k, v)) in sorted.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// The signed parameters of a request: the query's for `GET`, the JSON body's
/// top-level keys otherwise (none for an empty body).
pub fn request_params(
    method: &Method,
    query: Option<&str>,
    body: &[u8],
) -> Result<Vec<(String, String)>, SignatureError> {
    if method == Method::GET {
        return Ok(query_params(query.unwrap_or("")));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let params = de
        .deserialize_map(TopLevel)
        .map_err(|e| SignatureError::Body(e.to_string()))?;
    de.end().map_err(|e| SignatureError::Body(e.to_string()))?;
    Ok(params)
}

fn form_decode(s: &str) -> String {
    let spaced = s.replace('+', " ");
    percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}

/// Query pairs as the Node SDK saw them before encoding: `k[]=a&k[]=b` and
/// `k=a&k=b` are the list `["a","b"]`.
fn query_params(query: &str) -> Vec<(String, String)> {
    let mut keys: Vec<(String, Vec<String>, bool)> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (form_decode(k), form_decode(v));
        let (k, list) = match k.strip_suffix("[]") {
            Some(base) => (base.to_owned(), true),
            None => (k, false),
        };
        match keys.iter_mut().find(|e| e.0 == k) {
            Some(e) => {
                e.1.push(v);
                e.2 = true;
            }
            None => keys.push((k, vec![v], list)),
        }
    }
    keys.into_iter()
        .map(|(k, mut vs, list)| {
            let v = if list {
                serde_json::to_string(&vs).unwrap_or_default()
            } else {
                vs.pop().unwrap_or_default()
            };
            (k, v)
        })
        .collect()
}

/// A number as JavaScript's `String(n)` prints it.
fn js_number(out: &mut String, n: f64) {
    if n == 0.0 {
        out.push('0');
    } else if !n.is_finite() {
        out.push_str("null");
    } else if (1e-6..1e21).contains(&n.abs()) {
        let _ = write!(out, "{n}");
    } else {
        let e = format!("{n:e}");
        match e.split_once('e') {
            Some((m, x)) if !x.starts_with('-') => {
                let _ = write!(out, "{m}e+{x}");
            }
            _ => out.push_str(&e),
        }
    }
}

/// Visits the body's top-level object into signed `(key, value)` pairs.
struct TopLevel;

impl<'de> Visitor<'de> for TopLevel {
    type Value = Vec<(String, String)>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out: Vec<(String, String)> = Vec::new();
        while let Some(k) = map.next_key::<String>()? {
            let mut v = String::new();
            map.next_value_seed(Canon {
                out: &mut v,
                top: true,
            })?;
            // A repeated key keeps its last value, as `JSON.parse` does.
            out.retain(|(old, _)| *old != k);
            out.push((k, v));
        }
        Ok(out)
    }
}

/// Writes one JSON value as `JSON.stringify` would (compact, key order kept);
/// at the top level a string is written bare, as a template literal does.
struct Canon<'a> {
    out: &'a mut String,
    top: bool,
}

impl<'de> DeserializeSeed<'de> for Canon<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Canon<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        if v.unsigned_abs() < (1 << 53) {
            let _ = write!(self.out, "{v}");
        } else {
            js_number(self.out, v as f64);
        }
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        if v < (1 << 53) {
            let _ = write!(self.out, "{v}");
        } else {
            js_number(self.out, v as f64);
        }
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        js_number(self.out, v);
        Ok(())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        if self.top {
            self.out.push_str(v);
        } else {
            self.out
                .push_str(&serde_json::to_string(v).map_err(E::custom)?);
        }
        Ok(())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<(), E> {
        self.visit_str(&v)
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.out.push_str("null");
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.out.push('[');
        let mut first = true;
        loop {
            if !first {
                self.out.push(',');
            }
            let mark = self.out.len();
            let more = seq.next_element_seed(Canon {
                out: self.out,
                top: false,
            })?;
            if more.is_none() {
                if !first {
                    // Remove the comma written before learning the end.
                    self.out.truncate(mark - 1);
                }
                break;
            }
            first = false;
        }
        self.out.push(']');
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.out.push('{');
        let mut first = true;
        while let Some(k) = map.next_key::<String>()? {
            if !first {
                self.out.push(',');
            }
            first = false;
            self.out
                .push_str(&serde_json::to_string(&k).map_err(de::Error::custom)?);
            self.out.push(':');
            map.next_value_seed(Canon {
                out: self.out,
                top: false,
            })?;
        }
        self.out.push('}');
        Ok(())
    }
}

/// The parts of a signed request's `authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization<'a> {
    /// The brand named by the scheme word.
    pub brand: Brand,
    /// The access key id.
    pub access_key_id: &'a str,
    /// The base64 signature.
    pub signature: &'a str,
}

/// Reads `authorization: <genauth|authing> <access key id>:<signature>`;
/// `None` when the header is absent or has another scheme (e.g. `Bearer`).
pub fn parse_authorization(headers: &HeaderMap) -> Option<Authorization<'_>> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, rest) = value.split_once(' ')?;
    let brand = Brand::ALL
        .into_iter()
        .find(|b| scheme.eq_ignore_ascii_case(b.name()))?;
    let (id, sig) = rest.trim().split_once(':')?;
    (!id.is_empty() && !sig.is_empty()).then_some(Authorization {
        brand,
        access_key_id: id,
        signature: sig,
    })
}

/// What a verified request was signed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The brand of the scheme word and the signed headers.
    pub brand: Brand,
    /// The access key id.
    pub access_key_id: String,
    /// The nonce (to refuse replays).
    pub nonce: String,
    /// The `date` header (to refuse stale requests).
    pub date: String,
}

/// Checks a signed request against the secret of its access key: the
/// signature method and version, the presence of the nonce and date, and the
/// signature itself (compared in constant time). Freshness of the date and
/// uniqueness of the nonce are the caller's to check with [`Verified`].
pub fn verify_request(
    method: &Method,
    uri: &http::Uri,
    headers: &HeaderMap,
    body: &[u8],
    secret_of: impl FnOnce(&str) -> Option<SecretString>,
) -> Result<Verified, SignatureError> {
    let auth = parse_authorization(headers).ok_or(SignatureError::NotSigned)?;
    let b = auth.brand;
    let get = |name: HeaderName| -> Result<String, SignatureError> {
        headers
            .get(&name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| SignatureError::MissingHeader(name.as_str().to_owned()))
    };
    let method_h = get(b.signature_method_header())?;
    if method_h != SIGNATURE_METHOD {
        return Err(SignatureError::Unsupported {
            what: "method",
            value: method_h,
            expected: SIGNATURE_METHOD,
        });
    }
    let version = get(b.signature_version_header())?;
    if version != SIGNATURE_VERSION {
        return Err(SignatureError::Unsupported {
            what: "version",
            value: version,
            expected: SIGNATURE_VERSION,
        });
    }
    let nonce = get(b.signature_nonce_header())?;
    let date = get(DATE)?;
    let secret = secret_of(auth.access_key_id)
        .ok_or_else(|| SignatureError::UnknownKey(auth.access_key_id.to_owned()))?;
    let params = request_params(method, uri.query(), body)?;
    let text = string_to_sign(b, method, uri.path(), headers, &params);
    let given = base64::engine::general_purpose::STANDARD
        .decode(auth.signature)
        .map_err(|_| SignatureError::Mismatch)?;
    let mut mac = mac(secret.expose());
    mac.update(text.as_bytes());
    mac.verify_slice(&given)
        .map_err(|_| SignatureError::Mismatch)?;
    Ok(Verified {
        brand: b,
        access_key_id: auth.access_key_id.to_owned(),
        nonce,
        date,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(body: &str) -> Vec<(String, String)> {
        request_params(&Method::POST, None, body.as_bytes()).unwrap()
    }

    #[test]
    fn body_values_are_written_as_javascript_does() {
        let p = params(
            r#"{"s":"a \"q\" é","n":1.0,"f":1.5,"big":1e21,"tiny":1e-7,"i":-3,"t":true,"z":null,
               "o":{"b":[1.0, "x", {"k":null}],"a":{}},"e":[]}"#,
        );
        let get = |k: &str| p.iter().find(|(key, _)| key == k).unwrap().1.clone();
        assert_eq!(get("s"), "a \"q\" é");
        assert_eq!(get("n"), "1");
        assert_eq!(get("f"), "1.5");
        assert_eq!(get("big"), "1e+21");
        assert_eq!(get("tiny"), "1e-7");
        assert_eq!(get("i"), "-3");
        assert_eq!(get("t"), "true");
        assert_eq!(get("z"), "null");
        assert_eq!(get("o"), r#"{"b":[1,"x",{"k":null}],"a":{}}"#);
        assert_eq!(get("e"), "[]");
    }

    #[test]
    fn bad_bodies_are_typed_errors() {
        for b in ["[1,2]", "\"x\"", "{", "{} x"] {
            assert!(
                matches!(
                    request_params(&Method::POST, None, b.as_bytes()),
                    Err(SignatureError::Body(_))
                ),
                "{b}"
            );
        }
        assert_eq!(params("  "), vec![]);
    }

    #[test]
    fn query_lists_and_decoding() {
        let p = query_params("a%5B%5D=1&a%5B%5D=2&b=x+y%26&c=1&c=2&d[]=only");
        assert_eq!(
            p,
            vec![
                ("a".into(), r#"["1","2"]"#.into()),
                ("b".into(), "x y&".into()),
                ("c".into(), r#"["1","2"]"#.into()),
                ("d".into(), r#"["only"]"#.into()),
            ]
        );
    }

    #[test]
    fn keys_sort_by_utf16_code_units_like_javascript() {
        // U+FF5E sorts after U+1F600 in UTF-8 byte order but before it in UTF-16.
        let text = string_to_sign(
            Brand::GenAuth,
            &Method::POST,
            "/p",
            &HeaderMap::new(),
            &[("😀".into(), "1".into()), ("～".into(), "2".into())],
        );
        assert_eq!(text, "POST\n/p?😀=1&～=2");
        assert_eq!(js_cmp("😀", "～"), Ordering::Less);
    }

    #[test]
    fn signing_key_debug_hides_the_secret() {
        let k = SigningKey::new(
            Brand::Authing,
            "ak",
            SecretString::from("s3cr3t".to_owned()),
        );
        assert!(!format!("{k:?}").contains("s3cr3t"));
    }
}
