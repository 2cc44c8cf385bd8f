//! The events feed, without any I/O: the websocket upgrade request of each
//! client, the check of the server's answer, the frames, and the publish
//! operations.
//!
//! Subscribing is a websocket upgrade to
//! `{websocket_host}/events/v1/{authentication|management}/sub?code=<event code>`.
//! The authentication client adds the end user's token to the query
//! (`&token=…`); the management client signs the upgrade with its access key in
//! an `authorization: genauth <access key id>:<signature>` header, the signature
//! being base64(HMAC-SHA1(key = access key secret, message = `"websocket\n"`)).
//! Each text frame the service sends is one event ([`Event::decode`]).
//!
//! Publishing is a plain API call ([`PutEvent`], [`PutUserEvent`]) whose
//! `eventData` is the payload serialized to a JSON *string*.
//!
//! Everything here that holds a credential hides it: [`SubscribeUrl`] prints
//! the token as `[redacted]`, and the `authorization` header is a sensitive
//! `HeaderValue`.

use std::fmt;

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use http::header::{
    HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONNECTION, HOST, SEC_WEBSOCKET_ACCEPT,
    SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_VERSION, UPGRADE,
};
use http::{Method, StatusCode};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

use crate::error::{ConfigError, Error};
use crate::operation::{AuthKind, Encoding, Operation};
use crate::options::{normalize_host, AuthenticationConfig, ManagementConfig};
use crate::SecretString;

/// The path the authentication client subscribes at.
pub const AUTHENTICATION_SUB_PATH: &str = "/events/v1/authentication/sub";
/// The path the management client subscribes at.
pub const MANAGEMENT_SUB_PATH: &str = "/events/v1/management/sub";
/// The API path the management client publishes to.
pub const PUB_EVENT_PATH: &str = "/api/v3/pub-event";
/// The API path the authentication client publishes to.
pub const PUB_USER_EVENT_PATH: &str = "/api/v3/pub-userEvent";
/// The message the management client signs to subscribe.
pub const SIGNED_MESSAGE: &[u8] = b"websocket\n";
/// The scheme word of the management client's `authorization` header.
pub const AUTHORIZATION_SCHEME: &str = "genauth";
/// The scheme word the Node SDK sends instead; servers may accept it too.
pub const LEGACY_AUTHORIZATION_SCHEME: &str = "authing";

/// The GUID RFC 6455 appends to the key to compute `Sec-WebSocket-Accept`.
const WEBSOCKET_GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Characters left as they are in a query value: RFC 3986 unreserved.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

type HmacSha1 = hmac::Hmac<Sha1>;

/// Which client a subscription belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The end-user authentication client (token in the query).
    Authentication,
    /// The admin management client (signed `authorization` header).
    Management,
}

impl Side {
    /// The subscribe path of this side.
    pub fn path(self) -> &'static str {
        match self {
            Side::Authentication => AUTHENTICATION_SUB_PATH,
            Side::Management => MANAGEMENT_SUB_PATH,
        }
    }

    /// The side whose subscribe path is `path`, if any.
    pub fn from_path(path: &str) -> Option<Self> {
        match path {
            AUTHENTICATION_SUB_PATH => Some(Side::Authentication),
            MANAGEMENT_SUB_PATH => Some(Side::Management),
            _ => None,
        }
    }
}

/// The websocket signature of an access key secret:
/// base64(HMAC-SHA1(key = secret, message = `"websocket\n"`)).
///
/// The message never changes, so the signature is as good as the secret for
/// subscribing: it is returned as a [`SecretString`].
pub fn websocket_signature(access_key_secret: &SecretString) -> SecretString {
    let mac = signature_mac(access_key_secret.expose());
    SecretString::from(
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()),
    )
}

fn signature_mac(secret: &str) -> HmacSha1 {
    // HMAC takes keys of any length, so this never fails; an empty key is
    // still a key (the options reject empty secrets before we get here).
    let mut mac = match HmacSha1::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => HmacSha1::new(&Default::default()),
    };
    mac.update(SIGNED_MESSAGE);
    mac
}

/// Whether `signature` (base64) is the websocket signature of
/// `access_key_secret`. The comparison takes constant time.
pub fn verify_websocket_signature(access_key_secret: &str, signature: &str) -> bool {
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(signature.trim()) else {
        return false;
    };
    signature_mac(access_key_secret)
        .verify_slice(&bytes)
        .is_ok()
}

/// The management client's `authorization` value,
/// `genauth <access key id>:<signature>`, marked sensitive.
pub fn management_authorization(
    access_key_id: &str,
    access_key_secret: &SecretString,
) -> Result<HeaderValue, Error> {
    management_authorization_for(crate::Brand::GenAuth, access_key_id, access_key_secret)
}

/// The management client's `authorization` value for `brand`,
/// `<brand> <access key id>:<signature>` (`genauth` or `authing`), marked sensitive.
pub fn management_authorization_for(
    brand: crate::Brand,
    access_key_id: &str,
    access_key_secret: &SecretString,
) -> Result<HeaderValue, Error> {
    let sig = websocket_signature(access_key_secret);
    let mut v = HeaderValue::from_str(&format!(
        "{} {access_key_id}:{}",
        brand.name(),
        sig.expose()
    ))
    .map_err(|_| Error::invalid_input("access_key_id", "cannot be sent in a header"))?;
    v.set_sensitive(true);
    Ok(v)
}

/// Splits a management `authorization` value into the access key id and the
/// signature. Both the `genauth` and the Node SDK's `authing` scheme words are
/// accepted, in any letter case.
pub fn parse_management_authorization(value: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case(AUTHORIZATION_SCHEME)
        && !scheme.eq_ignore_ascii_case(LEGACY_AUTHORIZATION_SCHEME)
    {
        return None;
    }
    let (id, sig) = rest.trim().split_once(':')?;
    if id.is_empty() || sig.is_empty() {
        return None;
    }
    Some((id, sig))
}

/// The `Sec-WebSocket-Accept` value that answers the `Sec-WebSocket-Key` `key`
/// (RFC 6455 §4.2.2).
pub fn accept_key(key: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(key.trim().as_bytes());
    sha.update(WEBSOCKET_GUID.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(sha.finalize())
}

/// A `Sec-WebSocket-Key` made of 16 caller-supplied random bytes.
pub fn websocket_key(nonce: [u8; 16]) -> String {
    base64::engine::general_purpose::STANDARD.encode(nonce)
}

/// Normalizes the `websocket_host` option to a `ws://` or `wss://` base:
/// `https`, or no scheme at all, becomes `wss`; `http` becomes `ws`.
pub fn websocket_base(host: &str) -> Result<String, ConfigError> {
    let base = normalize_host("websocket_host", host)?;
    Ok(if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        base
    })
}

/// The URL of a subscription. It may hold the end user's token, so `Debug` and
/// `Display` show the token as `[redacted]`; [`SubscribeUrl::expose`] gives the
/// real URI for the transport.
#[derive(Clone)]
pub struct SubscribeUrl {
    uri: http::Uri,
    redacted: String,
}

impl SubscribeUrl {
    /// The full URI, token included: hand it to the transport only.
    pub fn expose(&self) -> &http::Uri {
        &self.uri
    }
    /// The URL with the token replaced by `[redacted]`, fit for logs.
    pub fn redacted(&self) -> &str {
        &self.redacted
    }
    /// Whether the URL is `wss://`.
    pub fn is_tls(&self) -> bool {
        self.uri.scheme_str() == Some("wss")
    }
    /// The host name (or IP address, without brackets).
    pub fn host(&self) -> &str {
        let h = self.uri.host().unwrap_or_default();
        h.strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(h)
    }
    /// The port: the explicit one, or 443 for `wss` and 80 for `ws`.
    pub fn port(&self) -> u16 {
        self.uri
            .port_u16()
            .unwrap_or(if self.is_tls() { 443 } else { 80 })
    }
}

impl fmt::Debug for SubscribeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SubscribeUrl").field(&self.redacted).finish()
    }
}

impl fmt::Display for SubscribeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted)
    }
}

/// Everything needed to open one subscription: the URL and the headers of the
/// upgrade request. Build it with [`AuthenticationConfig::subscribe_request`] or
/// [`ManagementConfig::subscribe_request`].
#[derive(Clone)]
pub struct SubscribeRequest {
    side: Side,
    event_code: String,
    url: SubscribeUrl,
    headers: HeaderMap,
}

impl fmt::Debug for SubscribeRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // HeaderMap's Debug prints sensitive values as `Sensitive`.
        f.debug_struct("SubscribeRequest")
            .field("side", &self.side)
            .field("event_code", &self.event_code)
            .field("url", &self.url)
            .field("headers", &self.headers)
            .finish()
    }
}

fn build_subscribe(
    side: Side,
    websocket_host: &str,
    event_code: &str,
    token: Option<&SecretString>,
    mut headers: HeaderMap,
) -> Result<SubscribeRequest, Error> {
    if event_code.trim().is_empty() {
        return Err(Error::invalid_input("event_code", "must not be empty"));
    }
    let base = websocket_base(websocket_host)?;
    let code = utf8_percent_encode(event_code, QUERY_VALUE).to_string();
    let mut full = format!("{base}{}?code={code}", side.path());
    let mut redacted = full.clone();
    if let Some(token) = token {
        if token.expose().is_empty() {
            return Err(Error::invalid_input("access_token", "must not be empty"));
        }
        full.push_str("&token=");
        full.extend(utf8_percent_encode(token.expose(), QUERY_VALUE));
        redacted.push_str("&token=[redacted]");
    }
    let uri: http::Uri = full
        .parse()
        .map_err(|_| Error::invalid_input("websocket_host", "does not make a valid URL"))?;
    let host = match uri.authority() {
        Some(a) => HeaderValue::from_str(a.as_str())
            .map_err(|_| Error::invalid_input("websocket_host", "is not a valid host"))?,
        None => return Err(Error::invalid_input("websocket_host", "has no host")),
    };
    headers.insert(HOST, host);
    Ok(SubscribeRequest {
        side,
        event_code: event_code.to_owned(),
        url: SubscribeUrl { uri, redacted },
        headers,
    })
}

impl SubscribeRequest {
    /// Which client subscribes.
    pub fn side(&self) -> Side {
        self.side
    }
    /// The event code subscribed to.
    pub fn event_code(&self) -> &str {
        &self.event_code
    }
    /// The URL (its `Debug` and `Display` hide the token).
    pub fn url(&self) -> &SubscribeUrl {
        &self.url
    }
    /// The headers of the upgrade request, besides the websocket ones: the
    /// SDK's headers, `host`, and for the management client the sensitive
    /// `authorization`.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The websocket upgrade request (RFC 6455 §4.1) with `key` as its
    /// `Sec-WebSocket-Key` (see [`websocket_key`]). Check the answer with
    /// [`check_upgrade_response`] and the same key.
    pub fn upgrade_request(&self, key: &str) -> Result<http::Request<()>, Error> {
        let key = HeaderValue::from_str(key)
            .map_err(|_| Error::invalid_input("key", "cannot be sent in a header"))?;
        let mut req = http::Request::builder()
            .method(Method::GET)
            .uri(self.url.uri.clone())
            .body(())
            .map_err(|_| Error::invalid_input("websocket_host", "does not make a valid URL"))?;
        let h = req.headers_mut();
        h.reserve(self.headers.len() + 4);
        for (k, v) in &self.headers {
            h.insert(k, v.clone());
        }
        h.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
        h.insert(UPGRADE, HeaderValue::from_static("websocket"));
        h.insert(SEC_WEBSOCKET_VERSION, HeaderValue::from_static("13"));
        h.insert(SEC_WEBSOCKET_KEY, key);
        Ok(req)
    }
}

impl AuthenticationConfig {
    /// The subscription to `event_code` for the end user whose token is
    /// `access_token` (sent in the query, as the service expects).
    pub fn subscribe_request(
        &self,
        event_code: &str,
        access_token: &SecretString,
    ) -> Result<SubscribeRequest, Error> {
        build_subscribe(
            Side::Authentication,
            &self.options.websocket_host,
            event_code,
            Some(access_token),
            self.headers.clone(),
        )
    }
}

impl ManagementConfig {
    /// The subscription to `event_code`, signed with the access key.
    pub fn subscribe_request(&self, event_code: &str) -> Result<SubscribeRequest, Error> {
        let mut headers = self.headers.clone();
        headers.insert(
            AUTHORIZATION,
            management_authorization_for(
                self.options.brand,
                &self.options.access_key_id,
                &self.options.access_key_secret,
            )?,
        );
        build_subscribe(
            Side::Management,
            &self.options.websocket_host,
            event_code,
            None,
            headers,
        )
    }
}

/// Why a websocket upgrade failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HandshakeError {
    /// The server answered with a status other than 101.
    #[error("the events server refused the subscription with HTTP {status}")]
    Rejected {
        /// The HTTP status.
        status: u16,
    },
    /// The server answered 101 but broke the websocket handshake rules.
    #[error("the events server sent an invalid websocket handshake: {0}")]
    Invalid(&'static str),
}

impl HandshakeError {
    /// Whether the server refused the credentials (401 or 403): retrying with
    /// the same ones is pointless.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, HandshakeError::Rejected { status: 401 | 403 })
    }
}

fn header_has_token(headers: &HeaderMap, name: HeaderName, token: &str) -> bool {
    headers.get_all(name).iter().any(|v| {
        v.to_str()
            .map(|s| s.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
            .unwrap_or(false)
    })
}

/// Checks the server's answer to an upgrade request sent with `key`: status
/// 101, `Upgrade: websocket`, `Connection: upgrade` and the right
/// `Sec-WebSocket-Accept`.
pub fn check_upgrade_response(
    key: &str,
    status: StatusCode,
    headers: &HeaderMap,
) -> Result<(), HandshakeError> {
    if status != StatusCode::SWITCHING_PROTOCOLS {
        return Err(HandshakeError::Rejected {
            status: status.as_u16(),
        });
    }
    if !header_has_token(headers, UPGRADE, "websocket") {
        return Err(HandshakeError::Invalid("no `Upgrade: websocket` header"));
    }
    if !header_has_token(headers, CONNECTION, "upgrade") {
        return Err(HandshakeError::Invalid("no `Connection: upgrade` header"));
    }
    let expected = accept_key(key);
    match headers.get(SEC_WEBSOCKET_ACCEPT) {
        Some(v) if v.as_bytes() == expected.as_bytes() => Ok(()),
        Some(_) => Err(HandshakeError::Invalid("wrong `Sec-WebSocket-Accept`")),
        None => Err(HandshakeError::Invalid("no `Sec-WebSocket-Accept` header")),
    }
}

/// The credential an incoming subscription presents (server side).
#[derive(Debug, Clone)]
pub enum Credential {
    /// The end user's token from the `token` query parameter.
    UserToken(SecretString),
    /// The management client's access key id and signature.
    Signature {
        /// The access key id.
        access_key_id: String,
        /// The base64 signature (redacted in `Debug`).
        signature: SecretString,
    },
}

/// An upgrade request as a server reads it: which side, which event code, which
/// credential.
#[derive(Debug, Clone)]
pub struct IncomingSubscription {
    /// The side, from the path.
    pub side: Side,
    /// The event code, from the `code` query parameter.
    pub event_code: String,
    /// The credential; `None` when the request carries none.
    pub credential: Option<Credential>,
    /// The client's `Sec-WebSocket-Key`.
    pub key: String,
}

/// Why an incoming upgrade request was refused (server side).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IncomingError {
    /// The path is not a subscribe path.
    #[error("not a subscribe path")]
    NotFound,
    /// Not a valid websocket upgrade request.
    #[error("not a websocket upgrade request: {0}")]
    NotUpgrade(&'static str),
    /// The `code` query parameter is missing or empty.
    #[error("the `code` query parameter is required")]
    MissingCode,
}

/// Reads an incoming upgrade request (server side, e.g. an emulator):
/// checks that it is a websocket upgrade on a subscribe path and extracts the
/// event code and the credential. Checking the credential is up to the server.
pub fn parse_incoming(
    method: &Method,
    uri: &http::Uri,
    headers: &HeaderMap,
) -> Result<IncomingSubscription, IncomingError> {
    let side = Side::from_path(uri.path()).ok_or(IncomingError::NotFound)?;
    if method != Method::GET {
        return Err(IncomingError::NotUpgrade("the method must be GET"));
    }
    if !header_has_token(headers, UPGRADE, "websocket") {
        return Err(IncomingError::NotUpgrade("no `Upgrade: websocket` header"));
    }
    if !header_has_token(headers, CONNECTION, "upgrade") {
        return Err(IncomingError::NotUpgrade("no `Connection: upgrade` header"));
    }
    if headers.get(SEC_WEBSOCKET_VERSION).map(|v| v.as_bytes()) != Some(b"13") {
        return Err(IncomingError::NotUpgrade(
            "`Sec-WebSocket-Version` must be 13",
        ));
    }
    let key = headers
        .get(SEC_WEBSOCKET_KEY)
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.trim().is_empty())
        .ok_or(IncomingError::NotUpgrade("no `Sec-WebSocket-Key` header"))?
        .trim()
        .to_owned();
    let query: Vec<(String, String)> =
        serde_html_form::from_str(uri.query().unwrap_or_default()).unwrap_or_default();
    let get = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let event_code = get("code").ok_or(IncomingError::MissingCode)?;
    let credential = match side {
        Side::Authentication => get("token").map(|t| Credential::UserToken(t.into())),
        Side::Management => headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_management_authorization)
            .map(|(id, sig)| Credential::Signature {
                access_key_id: id.to_owned(),
                signature: sig.to_owned().into(),
            }),
    };
    Ok(IncomingSubscription {
        side,
        event_code,
        credential,
        key,
    })
}

/// The headers of a server's `101 Switching Protocols` answer to `key`.
pub fn switching_protocols_headers(key: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    h.insert(UPGRADE, HeaderValue::from_static("websocket"));
    if let Ok(v) = HeaderValue::from_str(&accept_key(key)) {
        h.insert(SEC_WEBSOCKET_ACCEPT, v);
    }
    h
}

/// One event received from the feed.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The event code: the frame's `eventType` (or `code`) when it names one,
    /// otherwise the code subscribed to.
    pub code: String,
    /// The event's data as JSON. When the frame is an envelope
    /// (`{"eventType": …, "eventData": …}`), this is its `eventData`, itself
    /// parsed when it is a string holding JSON (publishers send it that way);
    /// when the frame is other JSON, the whole frame; when the frame is not
    /// JSON, the frame's text as a JSON string.
    pub payload: serde_json::Value,
    /// The frame's text, exactly as received.
    pub raw: String,
}

const CODE_KEYS: [&str; 3] = ["eventType", "code", "event"];
const DATA_KEYS: [&str; 2] = ["eventData", "data"];

impl Event {
    /// Decodes one text frame of a subscription to `subscribed_code`. This never
    /// fails: a frame that is not the expected shape is still an event, with
    /// the raw text kept.
    pub fn decode(subscribed_code: &str, text: impl Into<String>) -> Event {
        let raw = text.into();
        let parsed: Option<serde_json::Value> = serde_json::from_str(&raw).ok();
        let (code, payload) = match parsed {
            Some(serde_json::Value::Object(mut map)) => {
                let code = CODE_KEYS
                    .iter()
                    .find_map(|k| map.get(*k).and_then(|v| v.as_str()).map(str::to_owned));
                let data_key = DATA_KEYS.iter().find(|k| map.contains_key(**k));
                match (code, data_key) {
                    (Some(code), Some(key)) => {
                        let data = map.remove(*key).unwrap_or_default();
                        (code, unwrap_json_string(data))
                    }
                    _ => (subscribed_code.to_owned(), serde_json::Value::Object(map)),
                }
            }
            Some(other) => (subscribed_code.to_owned(), other),
            None => (
                subscribed_code.to_owned(),
                serde_json::Value::String(raw.clone()),
            ),
        };
        Event { code, payload, raw }
    }

    /// The payload decoded into `T`.
    pub fn payload_as<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&self.payload)
    }
}

/// A string holding JSON becomes that JSON; anything else is kept.
fn unwrap_json_string(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::String(s) => match serde_json::from_str(&s) {
            Ok(inner) => inner,
            Err(_) => serde_json::Value::String(s),
        },
        other => other,
    }
}

/// The text frame a server sends subscribers for an event published with
/// `event_data` (the `eventData` string as published):
/// `{"eventType": <code>, "eventData": <event_data>}`.
pub fn encode_frame(event_code: &str, event_data: &str) -> String {
    serde_json::json!({ "eventType": event_code, "eventData": event_data }).to_string()
}

fn event_data<T: Serialize + ?Sized>(data: &T) -> Result<String, Error> {
    serde_json::to_string(data)
        .map_err(|e| Error::invalid_input("data", format!("cannot be serialized to JSON: {e}")))
}

fn check_code(code: &str) -> Result<(), Error> {
    if code.trim().is_empty() {
        Err(Error::invalid_input("event_code", "must not be empty"))
    } else {
        Ok(())
    }
}

/// `POST /api/v3/pub-event`: the management client publishes an event.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PutEvent {
    /// The event code.
    pub event_type: String,
    /// The payload serialized to a JSON string.
    pub event_data: String,
}

impl PutEvent {
    /// The event `event_code` with `data` as its payload (serialized to a JSON
    /// string, as the service expects).
    pub fn new<T: Serialize + ?Sized>(
        event_code: impl Into<String>,
        data: &T,
    ) -> Result<Self, Error> {
        let event_type = event_code.into();
        check_code(&event_type)?;
        Ok(Self {
            event_type,
            event_data: event_data(data)?,
        })
    }
}

impl Operation for PutEvent {
    const NAME: &'static str = "put_event";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = PUB_EVENT_PATH;
    const AUTH: AuthKind = AuthKind::ManagementToken;
    const ENCODING: Encoding = Encoding::Json;
    const IDEMPOTENT: bool = false;
    type Output = PublishResult;
}

/// `POST /api/v3/pub-userEvent`: the authentication client publishes an event
/// as the end user. Same body as [`PutEvent`], another path and credential.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct PutUserEvent(pub PutEvent);

impl PutUserEvent {
    /// The event `event_code` with `data` as its payload (serialized to a JSON
    /// string, as the service expects).
    pub fn new<T: Serialize + ?Sized>(
        event_code: impl Into<String>,
        data: &T,
    ) -> Result<Self, Error> {
        PutEvent::new(event_code, data).map(Self)
    }
}

impl Operation for PutUserEvent {
    const NAME: &'static str = "put_event";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = PUB_USER_EVENT_PATH;
    const AUTH: AuthKind = AuthKind::UserToken;
    const ENCODING: Encoding = Encoding::Json;
    const IDEMPOTENT: bool = false;
    type Output = PublishResult;
}

/// What the service answers to a publish.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishResult {
    /// Whether the event was accepted.
    #[serde(default, deserialize_with = "genauth_types::lenient::bool")]
    pub success: bool,
    /// The service's remark, e.g. that the event is not defined.
    #[serde(
        default,
        deserialize_with = "genauth_types::lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub err_msg: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::{AuthenticationClientOptions, ManagementClientOptions};

    // Expected values computed independently with Python's hmac/hashlib:
    // base64(hmac.new(secret, b"websocket\n", sha1).digest()).
    const SECRET_1: &str = "test-access-key-secret";
    const SIG_1: &str = "deZSHJfeiJNXp8KS1k+d7KtsnZI=";
    const SECRET_2: &str = "sk-9f8e7d6c5b4a";
    const SIG_2: &str = "bRXVcFfMppvCkn04kj6CoRh4LJM=";

    fn mgmt(host: &str) -> ManagementConfig {
        ManagementConfig::new(
            ManagementClientOptions::new("ak-id-1", SECRET_1).websocket_host(host),
        )
        .unwrap()
    }
    fn auth(host: &str) -> AuthenticationConfig {
        AuthenticationConfig::new(
            AuthenticationClientOptions::new("app-1", "app.genauth.ai").websocket_host(host),
        )
        .unwrap()
    }

    #[test]
    fn signature_matches_independent_hmac_sha1() {
        assert_eq!(websocket_signature(&SECRET_1.into()).expose(), SIG_1);
        assert_eq!(websocket_signature(&SECRET_2.into()).expose(), SIG_2);
        assert!(verify_websocket_signature(SECRET_1, SIG_1));
        assert!(verify_websocket_signature(SECRET_2, SIG_2));
        assert!(!verify_websocket_signature(SECRET_1, SIG_2));
        assert!(!verify_websocket_signature(SECRET_1, "not base64!"));
        assert!(!verify_websocket_signature(SECRET_1, ""));
    }

    #[test]
    fn accept_key_matches_rfc_6455_example() {
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn management_upgrade_is_signed_and_sensitive() {
        let sub = mgmt("wss://events.example.com")
            .subscribe_request("user.created")
            .unwrap();
        assert_eq!(
            sub.url().expose().to_string(),
            "wss://events.example.com/events/v1/management/sub?code=user.created"
        );
        let req = sub.upgrade_request("dGhlIHNhbXBsZSBub25jZQ==").unwrap();
        let auth = req.headers().get(AUTHORIZATION).unwrap();
        assert_eq!(auth.to_str().unwrap(), format!("genauth ak-id-1:{SIG_1}"));
        assert!(auth.is_sensitive());
        assert_eq!(req.method(), Method::GET);
        assert_eq!(req.headers()[HOST], "events.example.com");
        assert_eq!(req.headers()[UPGRADE], "websocket");
        assert_eq!(req.headers()[CONNECTION], "Upgrade");
        assert_eq!(req.headers()[SEC_WEBSOCKET_VERSION], "13");
        assert_eq!(req.headers()[SEC_WEBSOCKET_KEY], "dGhlIHNhbXBsZSBub25jZQ==");
        assert_eq!(
            req.headers()["x-genauth-sdk-version"],
            crate::SDK_VERSION_HEADER_VALUE
        );
        let dbg = format!("{sub:?}{req:?}");
        assert!(!dbg.contains(SIG_1), "{dbg}");
    }

    #[test]
    fn authentication_upgrade_carries_the_encoded_token_and_redacts_it() {
        let token: SecretString = "tok en/+&=1".into();
        let sub = auth("http://127.0.0.1:9000/")
            .subscribe_request("my app/é", &token)
            .unwrap();
        assert_eq!(
            sub.url().expose().to_string(),
            "ws://127.0.0.1:9000/events/v1/authentication/sub?code=my%20app%2F%C3%A9&token=tok%20en%2F%2B%26%3D1"
        );
        assert_eq!(sub.url().host(), "127.0.0.1");
        assert_eq!(sub.url().port(), 9000);
        assert!(!sub.url().is_tls());
        let req = sub.upgrade_request("a2V5a2V5a2V5a2V5a2V5aw==").unwrap();
        assert!(req.headers().get(AUTHORIZATION).is_none());
        assert_eq!(req.headers()[HOST], "127.0.0.1:9000");
        for shown in [
            format!("{sub:?}"),
            sub.url().to_string(),
            format!("{:?}", sub.url()),
        ] {
            assert!(shown.contains("token=[redacted]"), "{shown}");
            assert!(!shown.contains("tok%20en"), "{shown}");
        }
        // A server reads back exactly what was sent.
        let inc = parse_incoming(req.method(), req.uri(), req.headers()).unwrap();
        assert_eq!(inc.side, Side::Authentication);
        assert_eq!(inc.event_code, "my app/é");
        match inc.credential {
            Some(Credential::UserToken(t)) => assert_eq!(t.expose(), "tok en/+&=1"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn default_and_schemeless_hosts_become_wss() {
        assert_eq!(
            websocket_base(crate::options::DEFAULT_WEBSOCKET_HOST).unwrap(),
            "wss://events.genauth.ai"
        );
        assert_eq!(
            websocket_base("events.example.com/").unwrap(),
            "wss://events.example.com"
        );
        assert_eq!(
            websocket_base("https://e.example.com").unwrap(),
            "wss://e.example.com"
        );
        assert!(websocket_base("ftp://x").is_err());
    }

    #[test]
    fn empty_code_or_token_is_invalid_input() {
        assert!(matches!(
            mgmt("wss://e.example.com").subscribe_request(" "),
            Err(Error::InvalidInput { .. })
        ));
        assert!(matches!(
            auth("wss://e.example.com").subscribe_request("x", &"".into()),
            Err(Error::InvalidInput { .. })
        ));
    }

    #[test]
    fn server_reads_the_management_signature() {
        let sub = mgmt("ws://127.0.0.1:1").subscribe_request("a.b").unwrap();
        let req = sub.upgrade_request("a2V5a2V5a2V5a2V5a2V5aw==").unwrap();
        let inc = parse_incoming(req.method(), req.uri(), req.headers()).unwrap();
        assert_eq!(inc.side, Side::Management);
        assert_eq!(inc.key, "a2V5a2V5a2V5a2V5a2V5aw==");
        match inc.credential {
            Some(Credential::Signature {
                access_key_id,
                signature,
            }) => {
                assert_eq!(access_key_id, "ak-id-1");
                assert!(verify_websocket_signature(SECRET_1, signature.expose()));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(
            parse_management_authorization("authing id:sig"),
            Some(("id", "sig"))
        );
        assert_eq!(parse_management_authorization("Bearer x"), None);
        assert_eq!(parse_management_authorization("genauth :sig"), None);
    }

    #[test]
    fn incoming_requests_are_checked() {
        let uri: http::Uri = "/events/v1/management/sub?code=x".parse().unwrap();
        let mut h = HeaderMap::new();
        assert_eq!(
            parse_incoming(&Method::GET, &"/other".parse().unwrap(), &h).unwrap_err(),
            IncomingError::NotFound
        );
        assert!(matches!(
            parse_incoming(&Method::GET, &uri, &h),
            Err(IncomingError::NotUpgrade(_))
        ));
        h.insert(UPGRADE, HeaderValue::from_static("WebSocket"));
        h.insert(CONNECTION, HeaderValue::from_static("keep-alive, Upgrade"));
        h.insert(SEC_WEBSOCKET_VERSION, HeaderValue::from_static("13"));
        h.insert(SEC_WEBSOCKET_KEY, HeaderValue::from_static("k"));
        let inc = parse_incoming(&Method::GET, &uri, &h).unwrap();
        assert!(inc.credential.is_none());
        assert_eq!(
            parse_incoming(
                &Method::GET,
                &"/events/v1/management/sub".parse().unwrap(),
                &h
            )
            .unwrap_err(),
            IncomingError::MissingCode
        );
    }

    #[test]
    fn upgrade_answers_are_checked() {
        let key = "dGhlIHNhbXBsZSBub25jZQ==";
        let good = switching_protocols_headers(key);
        assert_eq!(good[SEC_WEBSOCKET_ACCEPT], "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assert_eq!(
            check_upgrade_response(key, StatusCode::SWITCHING_PROTOCOLS, &good),
            Ok(())
        );
        let err = check_upgrade_response(key, StatusCode::UNAUTHORIZED, &good).unwrap_err();
        assert!(err.is_unauthorized());
        assert_eq!(
            check_upgrade_response("other", StatusCode::SWITCHING_PROTOCOLS, &good),
            Err(HandshakeError::Invalid("wrong `Sec-WebSocket-Accept`"))
        );
        let mut no_upgrade = good.clone();
        no_upgrade.remove(UPGRADE);
        assert!(check_upgrade_response(key, StatusCode::SWITCHING_PROTOCOLS, &no_upgrade).is_err());
    }

    #[test]
    fn frames_decode_into_events() {
        // The envelope a server forwards: eventData is a JSON string.
        let e = Event::decode(
            "sub.code",
            r#"{"eventType":"user.created","eventData":"{\"id\":\"u1\",\"n\":2}"}"#,
        );
        assert_eq!(e.code, "user.created");
        assert_eq!(e.payload, serde_json::json!({"id":"u1","n":2}));
        #[derive(Deserialize)]
        struct P {
            id: String,
        }
        assert_eq!(e.payload_as::<P>().unwrap().id, "u1");
        assert!(e.raw.starts_with("{\"eventType\""));

        // eventData already an object, and a string that is not JSON.
        let e = Event::decode("c", r#"{"code":"x","data":{"a":1}}"#);
        assert_eq!(
            (e.code.as_str(), &e.payload),
            ("x", &serde_json::json!({"a":1}))
        );
        let e = Event::decode("c", r#"{"eventType":"x","eventData":"plain words"}"#);
        assert_eq!(e.payload, serde_json::json!("plain words"));

        // Other JSON: the whole frame is the payload, under the subscribed code.
        let e = Event::decode("c", r#"{"userId":"u2"}"#);
        assert_eq!(
            (e.code.as_str(), &e.payload),
            ("c", &serde_json::json!({"userId":"u2"}))
        );
        let e = Event::decode("c", "[1,2]");
        assert_eq!(e.payload, serde_json::json!([1, 2]));

        // Not JSON at all: kept as a string, raw untouched.
        let e = Event::decode("c", "hello {");
        assert_eq!(
            (e.code.as_str(), &e.payload, e.raw.as_str()),
            ("c", &serde_json::json!("hello {"), "hello {")
        );

        // What a server encodes decodes back.
        let frame = encode_frame(
            "k",
            &serde_json::to_string(&serde_json::json!({"z":[true]})).unwrap(),
        );
        let e = Event::decode("k", frame);
        assert_eq!(e.payload, serde_json::json!({"z":[true]}));
    }

    #[test]
    fn publish_bodies_carry_the_payload_as_a_json_string() {
        let op = PutEvent::new("order.paid", &serde_json::json!({"id": 7, "ok": true})).unwrap();
        let cfg = mgmt("wss://e.example.com");
        let req = cfg.request(&op, None).unwrap();
        assert_eq!(req.method(), Method::POST);
        assert_eq!(req.uri().path(), PUB_EVENT_PATH);
        let body: serde_json::Value = serde_json::from_slice(req.body().as_bytes()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"eventType":"order.paid","eventData":"{\"id\":7,\"ok\":true}"})
        );

        let op = PutUserEvent::new("u.e", "just text").unwrap();
        let req = auth("wss://e.example.com")
            .request(&op, Some(&"user-tok".into()))
            .unwrap();
        assert_eq!(req.uri().path(), PUB_USER_EVENT_PATH);
        assert_eq!(req.headers()[AUTHORIZATION], "user-tok");
        let body: serde_json::Value = serde_json::from_slice(req.body().as_bytes()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"eventType":"u.e","eventData":"\"just text\""})
        );

        assert!(matches!(
            PutEvent::new("", &1),
            Err(Error::InvalidInput { .. })
        ));
        let bad: std::collections::HashMap<(u8, u8), u8> = [((1, 2), 3)].into();
        assert!(matches!(
            PutEvent::new("x", &bad),
            Err(Error::InvalidInput { .. })
        ));
    }

    #[test]
    fn publish_result_is_lenient() {
        let r: PublishResult =
            serde_json::from_str(r#"{"success":true,"errMsg":"事件未定义"}"#).unwrap();
        assert!(r.success);
        assert_eq!(r.err_msg.as_deref(), Some("事件未定义"));
        let r: PublishResult =
            serde_json::from_str(r#"{"success":"false","errMsg":false}"#).unwrap();
        assert!(!r.success);
        assert_eq!(r.err_msg.as_deref(), Some("false"));
    }
}
