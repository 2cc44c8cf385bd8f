//! What the generated table is made of: one [`Op`] per operation, with its
//! [`Param`]s, and the generic functions that build, send and decode it
//! through the library's own operation type.

use futures_util::stream::{BoxStream, StreamExt};
use genauth_core::types::Page;
use genauth_core::{
    AuthKind, AuthenticationConfig, Body, Error, ManagementConfig, Operation, Paginated,
    SecretString,
};
use genauth_tower::{AuthenticationClient, Call, ManagementClient, SendOperation};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The kind of a parameter's value: how a flag's text becomes JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// A string.
    Str,
    /// A string that is a secret (redacted in dry-runs).
    Secret,
    /// An integer.
    Int,
    /// A number.
    Float,
    /// `true` or `false`.
    Bool,
    /// One of these wire values.
    Enum(&'static [&'static str]),
    /// A list; the flag repeats.
    List(&'static ParamKind),
    /// Any JSON value (objects, lists of objects).
    Json,
}

/// Where a parameter goes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// Into the path template.
    Path,
    /// Into the query string.
    Query,
    /// Into the JSON body.
    Body,
    /// Into the form body.
    Form,
}

impl Location {
    /// The word the help uses.
    pub fn word(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Body => "JSON body",
            Location::Form => "form body",
        }
    }
}

/// One parameter of an operation.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// The flag, without `--` (the Rust field with `_` turned into `-`).
    pub flag: &'static str,
    /// The wire name: the key the operation deserializes from.
    pub key: &'static str,
    /// The value kind.
    pub kind: ParamKind,
    /// Where it goes.
    pub loc: Location,
    /// Whether the operation needs it.
    pub required: bool,
    /// What the generated rustdoc says of it, one fact a line: type,
    /// required or optional, the Node SDK's default, an example.
    pub help: &'static str,
}

impl Param {
    /// A parameter (for the generated table).
    pub const fn new(
        flag: &'static str,
        key: &'static str,
        kind: ParamKind,
        loc: Location,
        required: bool,
        help: &'static str,
    ) -> Self {
        Self {
            flag,
            key,
            kind,
            loc,
            required,
            help,
        }
    }
}

/// The request of an operation built from its arguments, as JSON.
pub type Built = Result<http::Request<Body>, ArgsError>;

/// The arguments did not make a valid operation.
#[derive(Debug, thiserror::Error)]
pub enum ArgsError {
    /// The JSON arguments do not deserialize into the operation.
    #[error("{0}")]
    Shape(String),
    /// The library refused the operation (an empty path parameter, ...).
    #[error(transparent)]
    Library(#[from] Error),
}

/// How an operation is built and sent, by client.
#[derive(Clone, Copy)]
pub enum Side {
    /// An authentication-client operation.
    Auth {
        /// Builds the request from JSON arguments.
        build: fn(&str, &AuthenticationConfig, Option<&SecretString>) -> Built,
        /// Walks every page (list operations only).
        pages: Option<for<'a> fn(&'a AuthenticationClient, &str) -> PageStream<'a>>,
    },
    /// A management-client operation.
    Mgmt {
        /// Builds the request from JSON arguments.
        build: fn(&str, &ManagementConfig) -> Built,
        /// Walks every page (list operations only).
        pages: Option<for<'a> fn(&'a ManagementClient, &str) -> PageStream<'a>>,
    },
}

/// Pages of a list as (items, total count), or why the walk stopped.
pub type PageStream<'a> = BoxStream<'a, Result<(Vec<serde_json::Value>, i64), ArgsError>>;

/// One operation of the table.
pub struct Op {
    /// The Python method name, e.g. `get_user`.
    pub name: &'static str,
    /// The first line of its rustdoc: what it does, and what a vague name
    /// acts on (`Add: acts on `ip-list` (management API).`).
    pub summary: &'static str,
    /// What it returns, as its rustdoc says.
    pub returns: &'static str,
    /// The Node SDK's name for it (empty when the Node SDK has none).
    pub node: &'static str,
    /// A descriptive alias of a vague name (`ip-list-add`), or empty.
    pub alias: &'static str,
    /// Search words: the rustdoc's `doc(alias)` list.
    pub keywords: &'static [&'static str],
    /// The HTTP method.
    pub method: http::Method,
    /// The path template.
    pub path: &'static str,
    /// The credential it is sent with.
    pub auth: AuthKind,
    /// Its parameters.
    pub params: &'static [Param],
    /// Building and paging.
    pub side: Side,
    /// Decodes a response into the output, as JSON.
    pub decode: fn(http::Response<bytes::Bytes>) -> Result<serde_json::Value, Error>,
}

impl std::fmt::Debug for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Op")
            .field("name", &self.name)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn parse<O: DeserializeOwned>(args: &str) -> Result<O, ArgsError> {
    let mut de = serde_json::Deserializer::from_slice(args.as_bytes());
    serde_path_to_error::deserialize::<_, O>(&mut de).map_err(|e| {
        ArgsError::Shape(match e.path().to_string().as_str() {
            "." => e.inner().to_string(),
            path => format!("{path}: {}", e.inner()),
        })
    })
}

/// Builds an authentication operation from JSON arguments.
pub fn build_auth<O: Operation + DeserializeOwned>(
    args: &str,
    config: &AuthenticationConfig,
    token: Option<&SecretString>,
) -> Built {
    Ok(config.request(&parse::<O>(args)?, token)?)
}

/// Builds a management operation from JSON arguments (without the token).
pub fn build_mgmt<O: Operation + DeserializeOwned>(args: &str, config: &ManagementConfig) -> Built {
    Ok(config.request(&parse::<O>(args)?, None)?)
}

/// Decodes a response through the operation's own decoder.
pub fn decode<O: Operation>(
    response: http::Response<bytes::Bytes>,
) -> Result<serde_json::Value, Error>
where
    O::Output: Serialize,
{
    genauth_core::decode_response::<O>(response)
        .map(|out| serde_json::to_value(out).unwrap_or(serde_json::Value::Null))
}

fn page_items<T: Serialize>(page: Page<T>) -> (Vec<serde_json::Value>, i64) {
    let total = page.total_count;
    let items = page
        .list
        .into_iter()
        .map(|i| serde_json::to_value(i).unwrap_or(serde_json::Value::Null))
        .collect();
    (items, total)
}

/// Every page of a list operation, through either client.
pub fn pages<'a, C, O, T>(client: &'a C, args: &str) -> PageStream<'a>
where
    C: SendOperation + Sync,
    O: Paginated<Output = Page<T>> + DeserializeOwned + Clone + Send + Sync + 'static,
    T: Serialize + Send + 'static,
{
    match parse::<O>(args) {
        Ok(op) => Call::new(client, op)
            .pages()
            .map(|r| r.map(page_items).map_err(ArgsError::from))
            .boxed(),
        Err(e) => futures_util::stream::once(std::future::ready(Err(e))).boxed(),
    }
}

/// One table entry:
/// `op!([pages] auth|mgmt Type; summary, returns, node, alias, &[keywords]; params...)`.
macro_rules! op {
    (@ $op:ty, $side:expr; $summary:expr, $returns:expr, $node:expr, $alias:expr, $kw:expr; $($p:expr),*) => {
        $crate::table::Op {
            name: <$op as genauth_core::Operation>::NAME,
            summary: $summary,
            returns: $returns,
            node: $node,
            alias: $alias,
            keywords: $kw,
            method: <$op as genauth_core::Operation>::METHOD,
            path: <$op as genauth_core::Operation>::PATH,
            auth: <$op as genauth_core::Operation>::AUTH,
            params: &[$($p),*],
            side: $side,
            decode: $crate::table::decode::<$op>,
        }
    };
    (auth $op:ty; $s:expr, $r:expr, $n:expr, $a:expr, $k:expr; $($p:expr),* $(,)?) => {
        op!(@ $op, $crate::table::Side::Auth { build: $crate::table::build_auth::<$op>, pages: None }; $s, $r, $n, $a, $k; $($p),*)
    };
    (mgmt $op:ty; $s:expr, $r:expr, $n:expr, $a:expr, $k:expr; $($p:expr),* $(,)?) => {
        op!(@ $op, $crate::table::Side::Mgmt { build: $crate::table::build_mgmt::<$op>, pages: None }; $s, $r, $n, $a, $k; $($p),*)
    };
    (pages auth $op:ty; $s:expr, $r:expr, $n:expr, $a:expr, $k:expr; $($p:expr),* $(,)?) => {
        op!(@ $op, $crate::table::Side::Auth { build: $crate::table::build_auth::<$op>, pages: Some($crate::table::pages::<genauth_tower::AuthenticationClient, $op, _>) }; $s, $r, $n, $a, $k; $($p),*)
    };
    (pages mgmt $op:ty; $s:expr, $r:expr, $n:expr, $a:expr, $k:expr; $($p:expr),* $(,)?) => {
        op!(@ $op, $crate::table::Side::Mgmt { build: $crate::table::build_mgmt::<$op>, pages: Some($crate::table::pages::<genauth_tower::ManagementClient, $op, _>) }; $s, $r, $n, $a, $k; $($p),*)
    };
}
pub(crate) use op;
