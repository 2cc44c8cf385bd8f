//! The management token: how to ask for it and how to read the answer.

use std::time::{Duration, SystemTime};

use base64::Engine as _;
use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, Error};
use crate::excerpt::excerpt;
use crate::options::{ManagementConfig, USERPOOL_ID};
use crate::SecretString;

/// The path of the token endpoint.
pub const PATH: &str = "/api/v3/get-management-token";
/// The name used for this call in errors and traces.
pub const NAME: &str = "get_management_token";
/// The longest lifetime the SDK believes a management token has. A larger
/// `expires_in` (a hostile or broken answer such as `9223372036854775807`) is
/// cut down to this; the service issues tokens for hours, not days.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// A management token and the user pool it is scoped to.
#[derive(Clone)]
pub struct ManagementToken {
    /// The token (redacted in `Debug`).
    pub access_token: SecretString,
    /// The user pool id from the token's `scoped_userpool_id` claim.
    pub userpool_id: String,
    /// How long the token lives from when it was issued.
    pub expires_in: Duration,
    /// When the token was issued, as this process saw it: the time the token
    /// response was read (see [`with_issued_at`](Self::with_issued_at)).
    pub issued_at: SystemTime,
    authorization: HeaderValue,
    userpool_header: HeaderValue,
    userpool_header_name: HeaderName,
}

impl std::fmt::Debug for ManagementToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManagementToken")
            .field("access_token", &self.access_token)
            .field("userpool_id", &self.userpool_id)
            .field("expires_in", &self.expires_in)
            .field("issued_at", &self.issued_at)
            .finish_non_exhaustive()
    }
}

impl ManagementToken {
    /// A token from its parts; the user pool id is read from the JWT payload.
    /// Its issue time is now (the system clock); a transport that knows
    /// better sets it with [`with_issued_at`](Self::with_issued_at).
    pub fn new(access_token: SecretString, expires_in: Duration) -> Result<Self, Error> {
        let userpool_id = scoped_userpool_id(access_token.expose())?;
        let authorization = crate::request::token_header("Bearer ", &access_token)?;
        let userpool_header = HeaderValue::from_str(&userpool_id).map_err(|_| {
            Error::invalid_input("scoped_userpool_id", "cannot be sent in a header")
        })?;
        Ok(Self {
            access_token,
            userpool_id,
            expires_in,
            issued_at: SystemTime::now(),
            authorization,
            userpool_header,
            userpool_header_name: USERPOOL_ID,
        })
    }

    /// The same token, issued at `issued_at` (for example the moment the
    /// token request was sent, which errs on the early side).
    #[must_use]
    pub fn with_issued_at(mut self, issued_at: SystemTime) -> Self {
        self.issued_at = issued_at;
        self
    }

    /// When the token stops being valid: its issue time plus `expires_in`.
    pub fn expires_at(&self) -> SystemTime {
        self.issued_at
            .checked_add(self.expires_in)
            .unwrap_or(self.issued_at)
    }

    /// Whether the token has expired at `now` (at or after
    /// [`expires_at`](Self::expires_at)). A token with no lifetime
    /// (`expires_in` 0) is expired from the start.
    pub fn is_expired(&self, now: SystemTime) -> bool {
        now >= self.expires_at()
    }

    /// Whether the token should be replaced at `now`: it expires within a
    /// tenth of its lifetime (at most a minute), so a request sent now does
    /// not arrive with a token that expired on the way.
    pub fn needs_refresh(&self, now: SystemTime) -> bool {
        let margin = (self.expires_in / 10).min(Duration::from_secs(60));
        match self.expires_at().checked_sub(margin) {
            Some(at) => now >= at,
            None => true,
        }
    }

    /// The same token, sending the user pool header of `brand`
    /// (`x-genauth-userpool-id` or `x-authing-userpool-id`).
    pub fn with_brand(mut self, brand: crate::Brand) -> Self {
        self.userpool_header_name = brand.userpool_id_header();
        self
    }

    /// Adds `authorization: Bearer <token>` and `x-<brand>-userpool-id` to `headers`.
    pub fn apply(&self, headers: &mut HeaderMap) {
        headers.insert(AUTHORIZATION, self.authorization.clone());
        headers.insert(
            self.userpool_header_name.clone(),
            self.userpool_header.clone(),
        );
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenRequest<'a> {
    access_key_id: &'a str,
    access_key_secret: &'a str,
}

#[derive(Deserialize)]
struct TokenData {
    #[serde(default)]
    access_token: Option<SecretString>,
    #[serde(default, deserialize_with = "genauth_types::lenient::opt_i64")]
    expires_in: Option<i64>,
}

/// Cuts a token lifetime down to [`MAX_TOKEN_LIFETIME`].
pub fn clamp_lifetime(lifetime: Duration) -> Duration {
    lifetime.min(MAX_TOKEN_LIFETIME)
}

/// Reads the `scoped_userpool_id` claim from a JWT's payload (base64url, with or
/// without padding). The signature is not checked: the token is ours, just issued.
pub fn scoped_userpool_id(jwt: &str) -> Result<String, Error> {
    let bad = |why: &str| {
        Error::Decode(Box::new(DecodeError {
            operation: NAME,
            path: "data.access_token".into(),
            message: why.to_owned(),
            excerpt: String::new(),
        }))
    };
    let payload = jwt
        .split('.')
        .nth(1)
        .ok_or_else(|| bad("the token is not a JWT"))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| bad("the token payload is not base64url"))?;
    #[derive(Deserialize)]
    struct Claims {
        scoped_userpool_id: Option<String>,
    }
    let claims: Claims =
        serde_json::from_slice(&bytes).map_err(|_| bad("the token payload is not JSON"))?;
    claims
        .scoped_userpool_id
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("the token has no scoped_userpool_id claim"))
}

impl ManagementConfig {
    /// The request for a new management token (`POST /api/v3/get-management-token`).
    pub fn token_request(&self) -> Result<http::Request<crate::Body>, Error> {
        let body = serde_json::to_vec(&TokenRequest {
            access_key_id: &self.options.access_key_id,
            access_key_secret: self.options.access_key_secret.expose(),
        })
        .map_err(|e| Error::invalid_input("access_key", e.to_string()))?;
        let mut req = http::Request::builder()
            .method(http::Method::POST)
            .uri(format!("{}{PATH}", self.base))
            .body(crate::Body::from(body))
            .map_err(|e| Error::invalid_input("host", e.to_string()))?;
        let h = req.headers_mut();
        for (k, v) in &self.headers {
            h.insert(k, v.clone());
        }
        h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        req.extensions_mut().insert(crate::request::OperationInfo {
            name: NAME,
            auth: crate::AuthKind::None,
            idempotent: true,
        });
        Ok(req)
    }

    /// Reads the token endpoint's answer.
    pub fn parse_token_response(
        &self,
        response: http::Response<Bytes>,
    ) -> Result<ManagementToken, Error> {
        let body = response.body().clone();
        let data: TokenData = crate::response::decode_with(NAME, true, response)?;
        let token = data.access_token.filter(|t| !t.is_empty()).ok_or_else(|| {
            Error::Decode(Box::new(DecodeError {
                operation: NAME,
                path: "data.access_token".into(),
                message: "the response has no access token".into(),
                excerpt: excerpt(&body),
            }))
        })?;
        let secs = u64::try_from(data.expires_in.unwrap_or(0)).unwrap_or(0);
        Ok(
            ManagementToken::new(token, clamp_lifetime(Duration::from_secs(secs)))?
                .with_brand(self.options.brand),
        )
    }
}

/// Whether a response says the management token was expired or not accepted:
/// an HTTP status, or an envelope `statusCode` or `apiCode`, that the code
/// catalogue marks as token-invalid (401; 2020, 2021, 2206, 2207, ...). A
/// call answered this way may be replayed once with a new token.
pub fn token_rejected(response: &http::Response<Bytes>) -> bool {
    use crate::{ApiCode, StatusCode};
    if StatusCode::from_code(i64::from(response.status().as_u16())).is_token_invalid() {
        return true;
    }
    #[derive(Deserialize)]
    struct Meta {
        #[serde(
            default,
            rename = "statusCode",
            deserialize_with = "genauth_types::lenient::opt_i64"
        )]
        status_code: Option<i64>,
        #[serde(
            default,
            rename = "apiCode",
            deserialize_with = "genauth_types::lenient::opt_i64"
        )]
        api_code: Option<i64>,
    }
    let Ok(meta) = serde_json::from_slice::<Meta>(response.body()) else {
        return false;
    };
    meta.status_code
        .is_some_and(|c| StatusCode::from_code(c).is_token_invalid())
        || meta
            .api_code
            .is_some_and(|c| ApiCode::from_code(c).is_token_invalid())
}
