//! A cheap look at a response's GenAuth envelope, shared by the layers.
//!
//! The token, retry and tracing layers need the body's `statusCode`,
//! `apiCode` and `requestId`. [`response_meta`] reads them once per response
//! and keeps the result in the response's extensions. The retry and token
//! layers need only the two codes: they take them from that cache when it is
//! there, and otherwise read them with the direct scan without keeping
//! anything (for a plain envelope, the scan costs less than the cache). The
//! scan stops at the `data` member of a success envelope, so a large page of
//! users costs no more to probe than a small one.

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
    meta_ref(resp).clone()
}

/// [`response_meta`] without the clone (the layers only read a field or two,
/// and cloning would copy the request id on every call).
pub(crate) fn meta_ref(resp: &mut HttpResponse) -> &ResponseMeta {
    if resp.extensions().get::<ResponseMeta>().is_none() {
        let meta = read_meta(resp);
        return resp.extensions_mut().get_or_insert(meta);
    }
    // Present: this inserts nothing.
    resp.extensions_mut()
        .get_or_insert_with(ResponseMeta::default)
}

/// The envelope's `statusCode` and `apiCode` (`request_id` left `None`), for
/// the layers that need only those (retry classification, token rejection):
/// the cached [`ResponseMeta`] when a layer already read it; otherwise the
/// fast scan without keeping anything (no request id copied, nothing put in
/// the extensions, which cost more than the scan itself); and when the scan
/// gives up, the full read, cached, as [`meta_ref`] does.
pub(crate) fn meta_codes(resp: &mut HttpResponse) -> ResponseMeta {
    if let Some(meta) = resp.extensions().get::<ResponseMeta>() {
        return codes_of(meta);
    }
    if let Some(meta) = scan_plain(resp.body(), false) {
        return meta;
    }
    codes_of(meta_ref(resp))
}

fn codes_of(meta: &ResponseMeta) -> ResponseMeta {
    ResponseMeta {
        status_code: meta.status_code,
        api_code: meta.api_code,
        request_id: None,
    }
}

fn read_meta(resp: &HttpResponse) -> ResponseMeta {
    let body = resp.body();
    // The plain envelopes the service sends are read by a direct scan; any
    // other shape goes through serde, whose reading is the reference (the
    // fast scan gives up rather than guess, and a test checks that both agree).
    let mut meta = match scan_plain(body, true) {
        Some(meta) => meta,
        None => probe_serde(body),
    };
    if meta.request_id.is_none() {
        meta.request_id = resp
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
    }
    meta
}

/// The envelope facts as serde reads them (lenient numbers and strings, any
/// JSON), stopping at the `data` of a success.
fn probe_serde(body: &[u8]) -> ResponseMeta {
    let mut meta = ResponseMeta::default();
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
    meta
}

/// A direct scan of a top-level object in the plain shape: keys without
/// escapes; `statusCode` and `apiCode` plain integers or null; `requestId` a
/// string without escapes, or null; every other member before the `data` of
/// a success a string without escapes, a plain integer, `true`, `false` or
/// `null`. It returns `None` as soon as anything else turns up (an escape, a
/// nested value, a float, a numeric string, invalid UTF-8, malformed JSON),
/// and the caller then asks serde; where it returns `Some`, the result is the
/// one [`probe_serde`] gives. The serde probe costs several thousand
/// instructions per response (a visitor per member, an error value to stop
/// early); this scan a few hundred (docs/performance.md).
///
/// Without `keep_request_id`, `requestId` is checked the same way but not
/// copied (the result's `request_id` is `None`).
fn scan_plain(body: &[u8], keep_request_id: bool) -> Option<ResponseMeta> {
    scan_usual(body, keep_request_id).or_else(|| scan_general(body, keep_request_id))
}

/// [`scan_plain`] for any member order.
fn scan_general(body: &[u8], keep_request_id: bool) -> Option<ResponseMeta> {
    let mut meta = ResponseMeta::default();
    let mut s = Scanner { b: body, i: 0 };
    s.ws();
    s.eat(b'{')?;
    s.ws();
    if s.peek()? == b'}' {
        return Some(meta);
    }
    loop {
        let key = s.string()?;
        s.ws();
        s.eat(b':')?;
        s.ws();
        match key {
            b"statusCode" => meta.status_code = s.int_or_null()?,
            b"apiCode" => meta.api_code = s.int_or_null()?,
            b"requestId" => {
                meta.request_id = s.request_id(keep_request_id)?;
            }
            // A success: nothing in `data` matters to the layers.
            b"data" if meta.status_code == Some(200) => return Some(meta),
            _ => s.scalar()?,
        }
        s.ws();
        match s.peek()? {
            b',' => {
                s.i += 1;
                s.ws();
            }
            b'}' => return Some(meta),
            _ => return None,
        }
    }
}

/// The success envelope exactly as the service writes it, without
/// whitespace: `{"statusCode":200`, then `message`, `apiCode` and
/// `requestId` when present, in that order, then `"data":`. Each member is
/// read by the same rules as in [`scan_plain`], so where this answers, its
/// answer is the general scan's; anything else (another order, whitespace, an
/// error code, another member) returns `None` and the general scan reads the
/// body from the start. It spares the general scan's reading and matching of
/// each key, about half of its cost per response (docs/performance.md).
fn scan_usual(body: &[u8], keep_request_id: bool) -> Option<ResponseMeta> {
    let mut s = Scanner { b: body, i: 0 };
    if !s.literal(b"{\"statusCode\":") || s.int()? != 200 {
        return None;
    }
    let mut meta = ResponseMeta {
        status_code: Some(200),
        ..ResponseMeta::default()
    };
    if s.literal(b",\"message\":") {
        s.scalar()?;
    }
    if s.literal(b",\"apiCode\":") {
        meta.api_code = s.int_or_null()?;
    }
    if s.literal(b",\"requestId\":") {
        meta.request_id = s.request_id(keep_request_id)?;
    }
    s.literal(b",\"data\":").then_some(meta)
}

/// The cursor of [`scan_plain`].
struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }
    fn literal(&mut self, word: &[u8]) -> bool {
        let found = self.b.get(self.i..self.i + word.len()) == Some(word);
        if found {
            self.i += word.len();
        }
        found
    }
    fn null(&mut self) -> bool {
        self.literal(b"null")
    }
    /// A string without escapes or control characters, in valid UTF-8; its contents.
    fn string(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let rest = self.b.get(self.i..)?;
        // Escapes go to serde: the string must end at a quote before any
        // backslash (found with `memchr`'s vector search).
        let len = memchr::memchr2(b'"', b'\\', rest)?;
        if rest[len] != b'"' {
            return None;
        }
        let s = &rest[..len];
        // Printable ASCII (one pass, without early exit, which the compiler
        // vectorizes) is the usual case. Otherwise control characters go to
        // serde, and so does invalid UTF-8 (it stops there).
        let printable_ascii = s
            .iter()
            .fold(true, |ok, &c| ok & (c.wrapping_sub(0x20) < 0x60));
        if !printable_ascii && (s.iter().any(|&c| c < 0x20) || std::str::from_utf8(s).is_err()) {
            return None;
        }
        self.i += len + 1;
        Some(s)
    }
    /// A JSON integer without fraction or exponent that fits an `i64`.
    fn int(&mut self) -> Option<i64> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let digits = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        let n = self.i - digits;
        // No digits, a leading zero, or possibly out of range: serde decides.
        if n == 0 || n > 18 || (n > 1 && self.b[digits] == b'0') {
            return None;
        }
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        // At most 18 digits: no overflow.
        let magnitude = self.b[digits..self.i]
            .iter()
            .fold(0i64, |n, d| n * 10 + i64::from(d - b'0'));
        Some(if digits > start {
            -magnitude
        } else {
            magnitude
        })
    }
    /// A `requestId` value: `null`, or a string, copied when `keep` is set.
    fn request_id(&mut self, keep: bool) -> Option<Option<String>> {
        if self.null() {
            return Some(None);
        }
        let id = self.string()?;
        if !keep {
            return Some(None);
        }
        // `string` only returns valid UTF-8.
        Some(Some(std::str::from_utf8(id).ok()?.to_owned()))
    }
    fn int_or_null(&mut self) -> Option<Option<i64>> {
        if self.null() {
            return Some(None);
        }
        self.int().map(Some)
    }
    /// Skips a string, an integer, `true`, `false` or `null`.
    fn scalar(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'-' | b'0'..=b'9' => self.int().map(drop),
            _ if self.literal(b"true") || self.literal(b"false") || self.null() => Some(()),
            _ => None,
        }
    }
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
    fn the_codes_alone_are_read_without_caching_a_plain_envelope() {
        let mut r = resp(r#"{"statusCode":503,"apiCode":2021,"requestId":"r-1"}"#);
        let codes = meta_codes(&mut r);
        assert_eq!((codes.status_code, codes.api_code), (Some(503), Some(2021)));
        assert_eq!(codes.request_id, None);
        assert!(r.extensions().get::<ResponseMeta>().is_none());
        // Once a layer cached the full read, the codes come from it.
        assert_eq!(response_meta(&mut r).request_id.as_deref(), Some("r-1"));
        *r.body_mut() = bytes::Bytes::new();
        assert_eq!(meta_codes(&mut r).status_code, Some(503));
        // A shape the scan leaves to serde: read once, cached.
        let mut r = resp(r#"{"statusCode":"503","apiCode":"2021"}"#);
        let codes = meta_codes(&mut r);
        assert_eq!((codes.status_code, codes.api_code), (Some(503), Some(2021)));
        assert!(r.extensions().get::<ResponseMeta>().is_some());
    }

    #[test]
    fn stops_at_the_data_of_a_success() {
        // The data is broken JSON: the probe never reads it.
        let mut r = resp(r#"{"statusCode":200,"requestId":"r-2","data":{"list":[1,2,"#);
        let m = response_meta(&mut r);
        assert_eq!(m.status_code, Some(200));
        assert_eq!(m.request_id.as_deref(), Some("r-2"));
    }

    /// The fast scan, where it answers, says what the serde probe says.
    fn agree(body: &str) -> bool {
        // Where the shortcut for the usual success answers, the general scan
        // (without it) answers the same.
        for keep in [true, false] {
            if let Some(usual) = scan_usual(body.as_bytes(), keep) {
                assert_eq!(Some(usual), scan_general(body.as_bytes(), keep), "{body}");
            }
        }
        let fast = scan_plain(body.as_bytes(), true);
        if let Some(fast) = &fast {
            assert_eq!(*fast, probe_serde(body.as_bytes()), "{body}");
        }
        // Without the request id, the same answer less the id.
        let codes = scan_plain(body.as_bytes(), false);
        assert_eq!(codes, fast.as_ref().map(codes_of), "{body}");
        fast.is_some()
    }

    #[test]
    fn the_usual_success_is_read_by_the_shortcut() {
        let ok = |status, api, id: Option<&str>| ResponseMeta {
            status_code: Some(status),
            api_code: api,
            request_id: id.map(str::to_owned),
        };
        for (body, want) in [
            (
                r#"{"statusCode":200,"message":"","apiCode":0,"requestId":"r-1","data":{"a":1}}"#,
                ok(200, Some(0), Some("r-1")),
            ),
            (
                r#"{"statusCode":200,"message":"ok","requestId":"r","data":[]}"#,
                ok(200, None, Some("r")),
            ),
            (
                r#"{"statusCode":200,"message":null,"requestId":null,"data":null}"#,
                ok(200, None, None),
            ),
            (r#"{"statusCode":200,"data":{}}"#, ok(200, None, None)),
        ] {
            assert_eq!(scan_usual(body.as_bytes(), true), Some(want), "{body}");
            assert!(agree(body));
        }
        // Anything else is left to the general scan, which reads it as before.
        for (body, general) in [
            (r#"{"statusCode":2001,"message":"x"}"#, Some(2001)),
            (r#"{"statusCode":200.5,"data":{}}"#, None),
            (
                r#"{"statusCode":503,"message":"busy","data":null}"#,
                Some(503),
            ),
            (r#"{ "statusCode":200,"data":{}}"#, Some(200)),
            (
                r#"{"statusCode":200,"message":"","statusCode":503,"data":null}"#,
                Some(503),
            ),
            (
                r#"{"statusCode":200,"requestId":"r","message":"","data":{}}"#,
                Some(200),
            ),
            (r#"{"statusCode":200,"message":"a\"b","data":{}}"#, None),
            (r#"{"statusCode":200,"message":""}"#, Some(200)),
        ] {
            assert_eq!(scan_usual(body.as_bytes(), true), None, "{body}");
            assert_eq!(
                scan_plain(body.as_bytes(), true).and_then(|m| m.status_code),
                general,
                "{body}"
            );
            agree(body);
        }
    }

    #[test]
    fn the_fast_scan_agrees_with_serde() {
        // Plain envelopes: the scan answers.
        for body in [
            r#"{"statusCode":200,"message":"","apiCode":0,"requestId":"r-1","data":{"a":[1,{"b":"\u0041"}]}}"#,
            r#"{"statusCode":200,"message":"操作成功","requestId":"r","data":{}}"#,
            "{ \"statusCode\" : 503 ,\n\t\"message\":\"busy\", \"apiCode\": -2021, \"requestId\": null }",
            r#"{"statusCode":400,"apiCode":2004,"message":"x","data":null,"extra":true,"f":false}"#,
            r#"{"statusCode":null,"apiCode":null}"#,
            r#"{"statusCode":200,"statusCode":503}"#,
            r#"{"data":1,"statusCode":200}"#,
            r#"{"statusCode":0,"requestId":""}"#,
            r#"{}"#,
            r#"{"statusCode":200} trailing"#,
        ] {
            assert!(agree(body), "the fast scan should answer {body}");
        }
        // Other shapes: the scan gives up and serde decides.
        for body in [
            r#"{"statusCode":"200","data":{}}"#,
            r#"{"statusCode":200.0}"#,
            r#"{"statusCode":1e2}"#,
            r#"{"statusCode":007}"#,
            r#"{"statusCode":99999999999999999999}"#,
            r#"{"statusCode":true}"#,
            r#"{"message":"a \"quote\"","statusCode":503}"#,
            r#"{"st\u0061tusCode":503}"#,
            r#"{"data":{"x":1},"statusCode":200}"#,
            r#"{"statusCode":503,"data":[1]}"#,
            r#"{"requestId":42}"#,
            r#"{"statusCode":200,}"#,
            r#"{"statusCode":200"#,
            r#"{"statusCode":-}"#,
            "[1]",
            "<html>bad gateway</html>",
            "",
        ] {
            assert!(!agree(body), "the fast scan should leave {body} to serde");
        }
        // Invalid UTF-8 inside a string.
        let mut bad = br#"{"message":""#.to_vec();
        bad.extend([0xff, b'"', b'}']);
        assert_eq!(scan_plain(&bad, true), None);
        assert_eq!(scan_plain(&bad, false), None);
        // A control character inside a string, at any place (the vector
        // check looks at the whole string, the first and last bytes too).
        assert_eq!(scan_plain(b"{\"message\":\"a\nb\"}", true), None);
        for body in [
            "{\"requestId\":\"\tr\",\"statusCode\":503}",
            "{\"requestId\":\"r\u{1f}\",\"statusCode\":503}",
            "{\"message\":\"0123456789abcdef0123456789abcdef\u{0}x\",\"statusCode\":503}",
        ] {
            assert!(!agree(body), "a control character goes to serde: {body:?}");
        }
        // Printable bytes at the edges of the ASCII range, and non-ASCII text
        // after a long ASCII run, are read by the scan.
        for body in [
            "{\"message\":\" ~\u{7f}\",\"statusCode\":503,\"requestId\":\"\u{7f}\"}",
            "{\"message\":\"0123456789abcdef0123456789abcdef\u{e9}\",\"statusCode\":429}",
        ] {
            assert!(agree(body), "the fast scan should answer {body:?}");
        }
    }

    /// Drops the whitespace outside strings, keeping the key order.
    fn minify(json: &str) -> String {
        let (mut out, mut in_string, mut escaped) = (String::new(), false, false);
        for c in json.chars() {
            if in_string {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_string = false;
                }
            } else if c.is_whitespace() {
                continue;
            } else {
                in_string = c == '"';
            }
            out.push(c);
        }
        out
    }

    /// Every documented sample response (when the shared corpus is beside the
    /// workspace, as in CI): the scan agrees with serde, compact or indented.
    #[test]
    fn the_fast_scan_agrees_on_the_documented_samples() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/conformance/docs-samples");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!(
                "note: {} is absent; only the crafted cases ran",
                dir.display()
            );
            return;
        };
        let (mut seen, mut fast, mut usual) = (0, 0, 0);
        for entry in entries.flatten() {
            let Ok(text) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            // The raw text keeps the documented key order (statusCode first,
            // as the service sends it); a `Value` would sort the keys.
            #[derive(serde::Deserialize)]
            struct Doc<'a> {
                #[serde(borrow)]
                response_sample: Option<&'a serde_json::value::RawValue>,
            }
            let Ok(Doc {
                response_sample: Some(sample),
            }) = serde_json::from_str::<Doc<'_>>(&text)
            else {
                continue;
            };
            for body in [minify(sample.get()), sample.get().to_owned()] {
                seen += 1;
                fast += usize::from(agree(&body));
                usual += usize::from(scan_usual(body.as_bytes(), true).is_some());
            }
        }
        assert!(
            seen > 100,
            "only {seen} samples read from {}",
            dir.display()
        );
        // Most documented envelopes are plain; the scan must cover them.
        assert!(
            fast * 10 > seen * 8,
            "the fast scan answered {fast} of {seen}"
        );
        // The minified successes (half of `seen`) mostly take the shortcut.
        println!("the shortcut answered {usual} of {seen} sample bodies");
        assert!(
            usual * 10 > seen * 3,
            "the shortcut answered {usual} of {seen}"
        );
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
