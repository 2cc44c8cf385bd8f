//! A cheap look at a response's GenAuth envelope, shared by the layers.
//!
//! The token, retry and tracing layers all need the body's `statusCode`,
//! `apiCode` and `requestId`. [`response_meta`] reads them once per response
//! and keeps the result in the response's extensions. The scan stops at the
//! `data` member of a success envelope, so a large page of users costs no more
//! to probe than a small one.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;

use crate::HttpResponse;

/// What the envelope of a response says, as far as the layers care.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseMeta {
    /// The body's `statusCode`, when the body is a JSON object that has one.
    pub status_code: Option<i64>,
    /// The body's `apiCode`.
    pub api_code: Option<i64>,
    /// The body's `requestId`, or else the `x-request-id` header.
    pub request_id: Option<String>,
}

/// The envelope facts of `resp`, read on first use and cached in its extensions.
pub fn response_meta(resp: &mut HttpResponse) -> ResponseMeta {
    if resp.extensions().get::<ResponseMeta>().is_none() {
        let meta = read_meta(resp);
        resp.extensions_mut().insert(meta);
    }
    resp.extensions()
        .get::<ResponseMeta>()
        .cloned()
        .unwrap_or_default()
}

fn read_meta(resp: &HttpResponse) -> ResponseMeta {
    let mut meta = ResponseMeta::default();
    let body = resp.body();
    let starts_with_object = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    if starts_with_object {
        let mut de = serde_json::Deserializer::from_slice(body);
        // The visitor stops early with an error once it has what it needs; the
        // fields it read before are kept either way.
        let _ = ProbeSeed(&mut meta).deserialize(&mut de);
    }
    if meta.request_id.is_none() {
        meta.request_id = resp
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
    }
    meta
}

struct ProbeSeed<'a>(&'a mut ResponseMeta);

impl<'de> DeserializeSeed<'de> for ProbeSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

/// The members the probe reads.
enum Key {
    StatusCode,
    ApiCode,
    RequestId,
    Data,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "statusCode" => Key::StatusCode,
                    "apiCode" => Key::ApiCode,
                    "requestId" => Key::RequestId,
                    "data" => Key::Data,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

#[derive(Deserialize)]
struct LenientI64(#[serde(deserialize_with = "genauth_types::lenient::opt_i64")] Option<i64>);

#[derive(Deserialize)]
struct LenientString(
    #[serde(deserialize_with = "genauth_types::lenient::opt_string")] Option<String>,
);

impl<'de> Visitor<'de> for ProbeSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a GenAuth envelope")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::StatusCode => self.0.status_code = map.next_value::<LenientI64>()?.0,
                Key::ApiCode => self.0.api_code = map.next_value::<LenientI64>()?.0,
                Key::RequestId => self.0.request_id = map.next_value::<LenientString>()?.0,
                Key::Data if self.0.status_code == Some(200) => {
                    // A success: nothing in `data` matters to the layers.
                    return Err(de::Error::custom("probe done"));
                }
                Key::Data | Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(body: &str) -> HttpResponse {
        http::Response::new(bytes::Bytes::from(body.to_owned()))
    }

    #[test]
    fn reads_codes_and_request_id() {
        let mut r =
            resp(r#"{"statusCode":"503","message":"busy","apiCode":2021,"requestId":"r-1"}"#);
        let m = response_meta(&mut r);
        assert_eq!(m.status_code, Some(503));
        assert_eq!(m.api_code, Some(2021));
        assert_eq!(m.request_id.as_deref(), Some("r-1"));
        assert_eq!(r.extensions().get::<ResponseMeta>(), Some(&m));
    }

    #[test]
    fn stops_at_the_data_of_a_success() {
        // The data is broken JSON: the probe never reads it.
        let mut r = resp(r#"{"statusCode":200,"requestId":"r-2","data":{"list":[1,2,"#);
        let m = response_meta(&mut r);
        assert_eq!(m.status_code, Some(200));
        assert_eq!(m.request_id.as_deref(), Some("r-2"));
    }

    #[test]
    fn non_json_bodies_give_nothing_but_the_header() {
        let mut r = resp("<html>bad gateway</html>");
        r.headers_mut()
            .insert("x-request-id", http::HeaderValue::from_static("h-1"));
        let m = response_meta(&mut r);
        assert_eq!(m.status_code, None);
        assert_eq!(m.request_id.as_deref(), Some("h-1"));
        assert_eq!(response_meta(&mut resp("[1,2]")), ResponseMeta::default());
    }
}
