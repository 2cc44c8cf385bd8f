//! Decoding `http::Response`s into typed results.

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;

use genauth_types::codes::{ApiCode, StatusCode};

use crate::error::{ApiError, DecodeError, Error, ErrorData, HttpError};
use crate::excerpt::excerpt;
use crate::operation::Operation;

/// The envelope with its `data` left undecoded.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEnvelope<'a> {
    #[serde(default, deserialize_with = "genauth_types::lenient::opt_i64")]
    status_code: Option<i64>,
    #[serde(default, deserialize_with = "genauth_types::lenient::opt_string")]
    message: Option<String>,
    #[serde(default, deserialize_with = "genauth_types::lenient::opt_i64")]
    api_code: Option<i64>,
    #[serde(default, deserialize_with = "genauth_types::lenient::opt_string")]
    request_id: Option<String>,
    #[serde(default, borrow)]
    data: Option<&'a RawValue>,
}

fn decode_error(
    operation: &'static str,
    prefix: &str,
    err: serde_path_to_error::Error<serde_json::Error>,
    body: &[u8],
) -> Error {
    let inner = err.path().to_string();
    let mut path = match (prefix.is_empty(), inner.as_str()) {
        (true, p) => p.to_owned(),
        (false, ".") => prefix.to_owned(),
        (false, p) if p.starts_with('[') => format!("{prefix}{p}"),
        (false, p) => format!("{prefix}.{p}"),
    };
    let message = err.into_inner().to_string();
    // serde reports an absent field at the object that lacks it; the path
    // names the field itself (`data.userId`, not `data`).
    if let Some(field) = missing_field(&message) {
        if path.is_empty() || path == "." {
            path = field.to_owned();
        } else {
            path = format!("{path}.{field}");
        }
    }
    Error::Decode(Box::new(DecodeError {
        operation,
        path,
        message,
        excerpt: excerpt(body),
    }))
}

/// The field named by serde's "missing field `name`" message, if it is one.
fn missing_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split_once('`').map(|(field, _)| field)
}

/// Deserializes `T` from `json`, reporting the failing field path on error.
pub fn decode_json<T: DeserializeOwned>(
    operation: &'static str,
    prefix: &str,
    json: &str,
    body: &[u8],
) -> Result<T, Error> {
    let mut de = serde_json::Deserializer::from_str(json);
    let value = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| decode_error(operation, prefix, e, body))?;
    de.end().map_err(|e| {
        Error::Decode(Box::new(DecodeError {
            operation,
            path: prefix.to_owned(),
            message: e.to_string(),
            excerpt: excerpt(body),
        }))
    })?;
    Ok(value)
}

/// Operations whose output is not unit but whose success answer the service
/// documents without `data` (`shared/conformance/docs-samples`): for them a
/// missing `data` still decodes as an empty object.
const DATA_MAY_BE_ABSENT: &[&str] = &[
    "add_tenant_users",
    "change_into_public_account",
    "delete_webhook",
    "update_email",
    "update_phone",
    "update_tenant_user",
];

/// Decodes an output from a missing or `null` payload. Only outputs that
/// accept `null` (unit, `Option`) decode: a success envelope without `data`
/// for any other output is a decode error, never a default value, except for
/// the operations of [`DATA_MAY_BE_ABSENT`].
fn decode_absent<T: DeserializeOwned>(operation: &'static str, body: &[u8]) -> Result<T, Error> {
    let lenient = DATA_MAY_BE_ABSENT.contains(&operation);
    serde_json::from_str::<T>("null")
        .or_else(|e| {
            if lenient {
                serde_json::from_str::<T>("{}").or_else(|_| serde_json::from_str::<T>("[]"))
            } else {
                Err(e)
            }
        })
        .map_err(|_| {
            Error::Decode(Box::new(DecodeError {
                operation,
                path: "data".to_owned(),
                message: "the success response has no `data`, and this operation returns a value"
                    .to_owned(),
                excerpt: excerpt(body),
            }))
        })
}

fn content_type(parts: &http::response::Parts) -> Option<String> {
    parts
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn api_error(
    operation: &'static str,
    http_status: u16,
    env: &RawEnvelope<'_>,
    status_code: i64,
) -> Error {
    // Flow steps put what the next call needs in `data`; keep it (redacted in
    // Debug and Display). Data that is not JSON cannot occur here, since the
    // envelope itself parsed.
    let data = env
        .data
        .filter(|d| d.get() != "null")
        .and_then(|d| serde_json::from_str::<serde_json::Value>(d.get()).ok())
        .map(ErrorData::new);
    Error::Api(Box::new(ApiError {
        http_status,
        status_code: StatusCode::from_code(status_code),
        api_code: env.api_code.map(ApiCode::from_code),
        message: env.message.clone().unwrap_or_default(),
        request_id: env.request_id.clone(),
        operation: Some(operation),
        data,
    }))
}

/// A success envelope read in one pass, without field paths.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FastEnvelope<T> {
    #[serde(default, deserialize_with = "genauth_types::lenient::opt_i64")]
    status_code: Option<i64>,
    #[serde(default = "Option::default")]
    data: Option<T>,
}

/// The fast path of a successful call: one pass of plain serde over the body.
/// `None` sends the caller down the careful path (two passes, field paths in
/// errors), which also decides what any failure means.
fn decode_fast<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    match serde_json::from_slice::<FastEnvelope<T>>(body) {
        Ok(FastEnvelope {
            status_code: None | Some(200),
            data: Some(data),
        }) => Some(data),
        _ => None,
    }
}

/// Turns a response into the output of `O`, or a typed error:
/// - an envelope whose `statusCode` is not 200 gives [`Error::Api`], whatever the HTTP status;
/// - a non-2xx status without an envelope gives [`Error::Http`];
/// - a body that does not decode gives [`Error::Decode`] naming the field path.
pub fn decode_response<O: Operation>(response: http::Response<Bytes>) -> Result<O::Output, Error> {
    decode_with::<O::Output>(O::NAME, O::ENVELOPE, response)
}

/// The untyped-operation form of [`decode_response`].
pub fn decode_with<T: DeserializeOwned>(
    operation: &'static str,
    envelope: bool,
    response: http::Response<Bytes>,
) -> Result<T, Error> {
    if envelope && response.status().is_success() {
        if let Some(data) = decode_fast::<T>(response.body()) {
            return Ok(data);
        }
    }
    let (parts, body) = response.into_parts();
    let status = parts.status;
    let text = std::str::from_utf8(&body).ok();
    let raw: Option<RawEnvelope<'_>> = text.and_then(|t| serde_json::from_str(t).ok());
    if let Some(env) = &raw {
        if let Some(code) = env.status_code {
            if code != 200 {
                return Err(api_error(operation, status.as_u16(), env, code));
            }
        }
    }
    if !status.is_success() {
        return Err(match &raw {
            Some(env) if env.message.is_some() || env.api_code.is_some() => {
                api_error(operation, status.as_u16(), env, i64::from(status.as_u16()))
            }
            _ => Error::Http(Box::new(HttpError {
                status: status.as_u16(),
                operation: Some(operation),
                content_type: content_type(&parts),
                excerpt: excerpt(&body),
                host: None,
            })),
        });
    }
    let Some(text) = text else {
        return Err(Error::Decode(Box::new(DecodeError {
            operation,
            path: ".".into(),
            message: "the body is not UTF-8".into(),
            excerpt: excerpt(&body),
        })));
    };
    if envelope {
        match raw {
            Some(env) => match env.data {
                Some(data) if data.get() != "null" => {
                    decode_json(operation, "data", data.get(), &body)
                }
                _ => decode_absent(operation, &body),
            },
            // Not an envelope: decode again with paths to report where it breaks.
            None => match decode_json::<serde_json::Value>(operation, "", text, &body) {
                Err(e) => Err(e),
                Ok(_) => Err(Error::Decode(Box::new(DecodeError {
                    operation,
                    path: ".".into(),
                    message: "expected a JSON object with statusCode and data".into(),
                    excerpt: excerpt(&body),
                }))),
            },
        }
    } else {
        decode_json(operation, "", text, &body)
    }
}
