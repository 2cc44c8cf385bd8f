//! The envelope every `/api/v3` JSON response is wrapped in.

use serde::{Deserialize, Serialize};

/// The outer object of a V3 API response: `{statusCode, message, apiCode, requestId, data}`.
///
/// The service answers HTTP 200 for most outcomes and puts the real result in
/// `statusCode`; only `200` means the call worked. `apiCode` is present when a
/// failure has a business meaning. Decoding is tolerant: every field may be
/// missing, and codes may arrive as strings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope<T> {
    /// The outcome: `200` on success, otherwise an HTTP-like error class.
    #[serde(default, deserialize_with = "crate::lenient::i64")]
    pub status_code: i64,
    /// The server's human-readable message.
    #[serde(default, deserialize_with = "crate::lenient::string")]
    pub message: String,
    /// The business error code, when the failure has one.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::lenient::opt_i64"
    )]
    pub api_code: Option<i64>,
    /// The id the service gave this request, for support tickets and logs.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::lenient::opt_string"
    )]
    pub request_id: Option<String>,
    /// The payload of a successful call.
    #[serde(default = "Option::default", skip_serializing_if = "Option::is_none")]
    pub data: Option<T>,
}

impl<T> Envelope<T> {
    /// A successful envelope around `data`.
    pub fn ok(data: T) -> Self {
        Self {
            status_code: 200,
            message: String::from("success"),
            api_code: None,
            request_id: None,
            data: Some(data),
        }
    }

    /// Whether `statusCode` says the call worked.
    pub fn is_success(&self) -> bool {
        self.status_code == 200
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_string_codes_and_missing_fields() {
        let e: Envelope<serde_json::Value> =
            serde_json::from_str(r#"{"statusCode":"400","apiCode":"2011","message":"bad"}"#)
                .unwrap();
        assert_eq!(e.status_code, 400);
        assert_eq!(e.api_code, Some(2011));
        assert!(e.data.is_none());
        assert!(!e.is_success());
    }

    #[test]
    fn round_trips() {
        let e = Envelope::ok(vec![1, 2, 3]);
        let s = serde_json::to_string(&e).unwrap();
        let back: Envelope<Vec<i32>> = serde_json::from_str(&s).unwrap();
        assert_eq!(back, e);
    }
}
