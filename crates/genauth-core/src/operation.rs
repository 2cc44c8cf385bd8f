//! The operation abstraction: what one API call is, as data.

use http::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Which credential an operation is sent with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    /// The end user's access token, as the raw `authorization` value (no `Bearer`).
    UserToken,
    /// `authorization: Bearer <management token>` plus the user pool header.
    ManagementToken,
    /// Sign-in endpoints: `Basic` app credentials when the app authenticates with
    /// `client_secret_basic`, otherwise the user's token when one is set.
    AppBasicOrToken,
    /// No credential at all.
    None,
}

/// Where an operation's parameters go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// The operation value is serialized into the query string; no body.
    Query,
    /// The operation value is serialized as a JSON body.
    Json,
    /// The operation value is serialized as an `application/x-www-form-urlencoded` body.
    Form,
}

/// One API call: its route, its credential, its parameters (the value itself)
/// and its output type.
///
/// Implementations are plain structs deriving `Serialize`: fields that are path
/// parameters are `#[serde(skip)]` and reported by [`Operation::path_param`];
/// the rest go to the query or the body, as [`Operation::ENCODING`] says, with
/// absent optional fields omitted.
pub trait Operation: Serialize {
    /// The official SDK's method name, e.g. `get_user`.
    const NAME: &'static str;
    /// The HTTP method.
    const METHOD: Method;
    /// The path template, e.g. `/api/v3/get-user` or `/api/v3/ip-list/{id}`.
    const PATH: &'static str;
    /// The credential the call needs.
    const AUTH: AuthKind;
    /// Where the parameters go.
    const ENCODING: Encoding;
    /// Whether the response is the `{statusCode, message, data}` envelope, whose
    /// `data` is the output; otherwise the whole body is the output.
    const ENVELOPE: bool = true;
    /// Whether sending the call twice has the effect of sending it once (safe to retry).
    const IDEMPOTENT: bool;
    /// What a successful call returns.
    type Output: DeserializeOwned;

    /// The value of the path parameter `name`, for templates such as `{id}`.
    fn path_param(&self, name: &str) -> Option<&str> {
        let _ = name;
        None
    }
}
