//! Request and response plumbing shared by the handlers.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE, LOCATION};
use http::{HeaderMap, Method, StatusCode};
use http_body::Frame;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::keys::random_hex;

/// The body of every emulator response.
pub(crate) enum EmuBody {
    Full(Option<Bytes>),
    Endless,
}

impl http_body::Body for EmuBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            EmuBody::Full(b) => Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            EmuBody::Endless => {
                Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(&[b' '; 16384])))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, EmuBody::Full(None))
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match self {
            EmuBody::Full(Some(b)) => http_body::SizeHint::with_exact(b.len() as u64),
            EmuBody::Full(None) => http_body::SizeHint::with_exact(0),
            EmuBody::Endless => http_body::SizeHint::default(),
        }
    }
}

pub(crate) type Reply = http::Response<EmuBody>;

/// One request, with its body read.
pub(crate) struct Req {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The query string's pairs.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.query
            .as_deref()
            .and_then(|q| serde_html_form::from_str(q).ok())
            .unwrap_or_default()
    }

    /// The form body's pairs, or the query's when there is no body.
    pub fn form_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = self.query_pairs();
        if !self.body.is_empty() {
            if let Ok(more) = serde_html_form::from_bytes::<Vec<(String, String)>>(&self.body) {
                pairs.extend(more);
            }
        }
        pairs
    }

    /// The JSON body as `T`, or an invalid-argument error naming the field.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiErr> {
        let body: &[u8] = if self.body.is_empty() {
            b"{}"
        } else {
            &self.body
        };
        let mut de = serde_json::Deserializer::from_slice(body);
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            ApiErr::invalid(format!("{path}: {}", e.into_inner()))
        })
    }
}

/// The value of `name` in `pairs`.
pub(crate) fn get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// `query` with every value spelled `True`/`FALSE`/... written `true`/`false`,
/// the spelling the typed parameters read; the official Python SDK sends
/// Python's `True` and `False`.
pub(crate) fn lowercase_booleans(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if v.eq_ignore_ascii_case("true") => format!("{k}=true"),
            Some((k, v)) if v.eq_ignore_ascii_case("false") => format!("{k}=false"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// An optional boolean query value: `true`/`false` in any letter case
/// (`True` from Python); anything else is refused naming the parameter.
pub(crate) fn boolean(pairs: &[(String, String)], name: &str) -> Result<Option<bool>, ApiErr> {
    match get(pairs, name) {
        None => Ok(None),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(_) => Err(ApiErr::invalid(format!("{name}: must be true or false"))),
    }
}

/// Whether `s` has the shape of an email address: one `@` between a
/// non-empty local part and a domain with a dot, no spaces.
pub(crate) fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}

/// `Err` naming `field` when `value` is not an email address.
pub(crate) fn check_email(field: &str, value: &str) -> Result<(), ApiErr> {
    if is_email(value) {
        Ok(())
    } else {
        Err(ApiErr::new(
            400,
            Some(2028),
            format!("{field}: is not a valid email address"),
        ))
    }
}

/// A required query value.
pub(crate) fn required<'a>(pairs: &'a [(String, String)], name: &str) -> Result<&'a str, ApiErr> {
    get(pairs, name).ok_or_else(|| ApiErr::invalid(format!("{name}: is required")))
}

/// An optional integer query value.
pub(crate) fn int(pairs: &[(String, String)], name: &str) -> Result<Option<i64>, ApiErr> {
    get(pairs, name)
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| ApiErr::invalid(format!("{name}: must be an integer")))
        })
        .transpose()
}

/// A GenAuth error answer: HTTP 200 with the outcome in the envelope.
#[derive(Debug, Clone)]
pub(crate) struct ApiErr {
    pub status_code: i64,
    pub api_code: Option<i64>,
    pub message: String,
    /// `data` of the error envelope (e.g. the MFA token of a sign-in step).
    pub data: Option<Value>,
}

impl ApiErr {
    pub fn new(status_code: i64, api_code: Option<i64>, message: impl Into<String>) -> Self {
        Self {
            status_code,
            api_code,
            message: message.into(),
            data: None,
        }
    }
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(400, None, message)
    }
    pub fn not_found(api_code: Option<i64>, message: impl Into<String>) -> Self {
        Self::new(404, api_code, message)
    }
}

pub(crate) fn request_id() -> String {
    random_hex(12)
}

pub(crate) fn bytes_reply(status: StatusCode, content_type: &str, body: Bytes) -> Reply {
    let mut r = http::Response::new(EmuBody::Full(Some(body)));
    *r.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(content_type) {
        r.headers_mut().insert(CONTENT_TYPE, v);
    }
    r
}

pub(crate) fn json_reply(status: StatusCode, value: &Value) -> Reply {
    bytes_reply(
        status,
        "application/json; charset=utf-8",
        Bytes::from(value.to_string()),
    )
}

pub(crate) fn text_reply(status: StatusCode, content_type: &str, text: String) -> Reply {
    bytes_reply(status, content_type, Bytes::from(text))
}

pub(crate) fn redirect(location: &str) -> Reply {
    let mut r = http::Response::new(EmuBody::Full(None));
    *r.status_mut() = StatusCode::FOUND;
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(LOCATION, v);
    }
    r
}

/// `{statusCode: 200, message, requestId, data}`; `data` is left out when null.
pub(crate) fn envelope_ok(data: Value) -> Reply {
    let mut env = json!({"statusCode": 200, "message": "success", "requestId": request_id()});
    if !data.is_null() {
        env["data"] = data;
    }
    json_reply(StatusCode::OK, &env)
}

pub(crate) fn envelope_err(e: &ApiErr) -> Reply {
    let mut env =
        json!({"statusCode": e.status_code, "message": e.message, "requestId": request_id()});
    if let Some(code) = e.api_code {
        env["apiCode"] = json!(code);
    }
    if let Some(data) = &e.data {
        env["data"] = data.clone();
    }
    json_reply(StatusCode::OK, &env)
}

/// Appends `params` to `base` as a query string.
pub(crate) fn with_query(base: &str, params: &[(&str, &str)]) -> String {
    let q = serde_html_form::to_string(params).unwrap_or_default();
    if q.is_empty() {
        return base.to_owned();
    }
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{q}")
}

/// Escapes text for HTML.
pub(crate) fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Seconds since the Unix epoch.
pub(crate) fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The calendar day (UTC) of `secs` since the epoch: year, month, day.
pub(crate) fn civil_date(secs: u64) -> (i64, u8, u8) {
    let days = (secs / 86_400) as i64;
    // Civil date from days since 1970-01-01 (proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    // 1 <= m <= 12 and 1 <= d <= 31 by construction.
    (y, m as u8, d as u8)
}

/// `secs` since the epoch as an ISO 8601 UTC time, e.g. `2024-03-01T12:00:00.000Z`.
pub(crate) fn iso8601(secs: u64) -> String {
    let (y, m, d) = civil_date(secs);
    let rem = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso8601(1_700_000_000), "2023-11-14T22:13:20.000Z");
    }

    #[test]
    fn booleans_in_any_case_are_lowercased() {
        assert_eq!(
            lowercase_booleans("withCustomData=True&x=FALSE&name=Trueman&b=true"),
            "withCustomData=true&x=false&name=Trueman&b=true"
        );
        let pairs = vec![
            ("fetchAll".to_owned(), "True".to_owned()),
            ("status".to_owned(), "FALSE".to_owned()),
            ("bad".to_owned(), "yes".to_owned()),
        ];
        assert_eq!(boolean(&pairs, "fetchAll").unwrap(), Some(true));
        assert_eq!(boolean(&pairs, "status").unwrap(), Some(false));
        assert_eq!(boolean(&pairs, "other").unwrap(), None);
        assert!(boolean(&pairs, "bad")
            .unwrap_err()
            .message
            .starts_with("bad: "));
    }

    #[test]
    fn emails_are_checked_for_shape() {
        assert!(is_email("ann@example.com"));
        for bad in [
            "email-value",
            "@example.com",
            "ann@",
            "ann@localhost",
            "a b@x.io",
            "a@b@c.io",
            "a@.io",
            "a@x.",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn query_is_appended() {
        assert_eq!(
            with_query("http://x/cb", &[("code", "a b"), ("state", "s")]),
            "http://x/cb?code=a+b&state=s"
        );
        assert_eq!(
            with_query("http://x/cb?k=1", &[("c", "1")]),
            "http://x/cb?k=1&c=1"
        );
    }
}
