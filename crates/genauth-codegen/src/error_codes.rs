//! Renders the error-code catalogue (`error-codes.json`) into the typed
//! `StatusCode` / `ApiCode` of genauth-types and into the docs table.
//!
//! Self-contained: the only input is the parsed JSON; `main.rs` formats and
//! writes (or checks) the two files. The JSON lists `status_codes` and `api_codes`; each entry
//! has `code`, `name`, `meaning`, `source` and the flags `retryable`
//! (true / false / null), `rate_limit`, `token_invalid`, `auth_related` and
//! `kind` (`"flow"` for a step of a login flow rather than a failure).

use std::fmt::Write as _;

use serde_json::Value;

/// The generated Rust file, relative to the workspace root.
pub const TYPES_PATH: &str = "crates/genauth-types/src/codes.rs";
/// The generated docs table, relative to the workspace root.
pub const DOCS_PATH: &str = "docs/error-codes-table.md";

/// The two lists of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    Status,
    Api,
}

impl List {
    fn key(self) -> &'static str {
        match self {
            List::Status => "status_codes",
            List::Api => "api_codes",
        }
    }
    fn type_name(self) -> &'static str {
        match self {
            List::Status => "StatusCode",
            List::Api => "ApiCode",
        }
    }
    fn field(self) -> &'static str {
        match self {
            List::Status => "statusCode",
            List::Api => "apiCode",
        }
    }
    fn table(self) -> &'static str {
        match self {
            List::Status => "STATUS_CODES",
            List::Api => "API_CODES",
        }
    }
}

/// One code of the catalogue, checked.
#[derive(Debug, Clone)]
struct Entry {
    code: i64,
    name: String,
    meaning: String,
    source: String,
    also_in: Vec<String>,
    retryable: Option<bool>,
    rate_limited: bool,
    token_invalid: bool,
    flow_step: bool,
    auth_related: bool,
    note: Option<String>,
    v2_meaning: Option<String>,
    conflict: bool,
    doc_name: Option<String>,
}

fn is_ident(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

fn opt_str(v: &Value, key: &str) -> Result<Option<String>, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
        Some(other) => Err(format!("`{key}` should be a string, found {other}")),
    }
}

fn opt_bool(v: &Value, key: &str) -> Result<Option<bool>, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(format!("`{key}` should be a boolean, found {other}")),
    }
}

fn parse_entry(list: List, v: &Value) -> Result<Entry, String> {
    let code = v
        .get("code")
        .and_then(Value::as_i64)
        .ok_or_else(|| format!("an entry of {} has no integer `code`: {v}", list.key()))?;
    let at = |e: String| format!("{} {code}: {e}", list.field());
    let name = opt_str(v, "name").map_err(at)?.unwrap_or_default();
    if !is_ident(&name) || name == "Other" {
        return Err(at(format!("`name` {name:?} is not a usable variant name")));
    }
    let meaning = opt_str(v, "meaning").map_err(at)?.unwrap_or_default();
    if meaning.is_empty() {
        return Err(at("`meaning` is missing".into()));
    }
    let also_in = match v.get("also_in") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| at("`also_in` should list strings".into()))?,
        Some(_) => return Err(at("`also_in` should be an array".into())),
    };
    let kind = opt_str(v, "kind").map_err(at)?;
    // The status list carries no `rate_limit` / `token_invalid` flags; the
    // notes (error-codes.md) name 429 as the rate limit and 401 as the
    // signal to refresh the token, so those are the defaults.
    let (rate_default, token_default) = match list {
        List::Status => (code == 429, code == 401),
        List::Api => (false, false),
    };
    Ok(Entry {
        code,
        name,
        meaning,
        source: opt_str(v, "source").map_err(at)?.unwrap_or_default(),
        also_in,
        retryable: opt_bool(v, "retryable").map_err(at)?,
        rate_limited: opt_bool(v, "rate_limit")
            .map_err(at)?
            .unwrap_or(rate_default),
        token_invalid: opt_bool(v, "token_invalid")
            .map_err(at)?
            .unwrap_or(token_default),
        flow_step: kind.as_deref() == Some("flow"),
        auth_related: opt_bool(v, "auth_related").map_err(at)?.unwrap_or(false),
        note: opt_str(v, "note").map_err(at)?,
        v2_meaning: opt_str(v, "v2_meaning").map_err(at)?,
        conflict: opt_bool(v, "conflict").map_err(at)?.unwrap_or(false),
        doc_name: opt_str(v, "doc_name").map_err(at)?,
    })
}

/// Reads one list, sorted by code, checking that codes and names are unique.
fn entries(json: &Value, list: List) -> Result<Vec<Entry>, String> {
    let items = json
        .get(list.key())
        .and_then(Value::as_array)
        .ok_or_else(|| format!("the catalogue has no `{}` array", list.key()))?;
    let mut out = items
        .iter()
        .map(|v| parse_entry(list, v))
        .collect::<Result<Vec<_>, _>>()?;
    out.sort_by_key(|e| e.code);
    for pair in out.windows(2) {
        if pair[0].code == pair[1].code {
            return Err(format!("{} {} is listed twice", list.field(), pair[0].code));
        }
    }
    let mut names: Vec<&str> = out.iter().map(|e| e.name.as_str()).collect();
    names.sort_unstable();
    for pair in names.windows(2) {
        if pair[0] == pair[1] {
            return Err(format!(
                "the name {} is used twice in {}",
                pair[0],
                list.key()
            ));
        }
    }
    Ok(out)
}

/// Makes catalogue text safe inside a Markdown doc comment.
fn doc_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '[' | ']' | '*' | '`' | '<' | '>' | '_' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Makes catalogue text safe inside a Markdown table cell.
fn cell_text(s: &str) -> String {
    doc_text(s).replace('|', "\\|")
}

fn sentence(s: &str) -> String {
    let s = s.trim();
    if s.ends_with(['.', '!', '?']) {
        s.to_owned()
    } else {
        format!("{s}.")
    }
}

fn source_label(source: &str) -> &str {
    match source {
        "v3" => "the V3 error-code page",
        "v2" => "the older V2 error-code list",
        "sdk" => "codes the official clients check",
        other => other,
    }
}

fn flags(e: &Entry) -> Vec<&'static str> {
    let mut out = Vec::new();
    match e.retryable {
        Some(true) => out.push("retryable"),
        Some(false) => out.push("not retryable"),
        None => {}
    }
    if e.rate_limited {
        out.push("rate limit");
    }
    if e.token_invalid {
        out.push("token invalid");
    }
    if e.flow_step {
        out.push("flow step");
    }
    if e.auth_related {
        out.push("auth related");
    }
    out
}

fn variant_doc(out: &mut String, e: &Entry) {
    let _ = writeln!(
        out,
        "    /// `{}`: {}",
        e.code,
        doc_text(&sentence(&e.meaning))
    );
    let mut extra = Vec::new();
    if let Some(note) = &e.note {
        extra.push(format!("Note: {}", doc_text(&sentence(note))));
    }
    if let Some(v2) = &e.v2_meaning {
        let label = if e.conflict {
            "The V2 list disagrees"
        } else {
            "V2 wording"
        };
        extra.push(format!("{label}: {}", doc_text(&sentence(v2))));
    }
    if let Some(doc_name) = &e.doc_name {
        extra.push(format!("Documented as `{doc_name}`."));
    }
    let f = flags(e);
    if !f.is_empty() {
        extra.push(format!("Flags: {}.", f.join(", ")));
    }
    let mut src = format!("Source: {}", source_label(&e.source));
    if !e.also_in.is_empty() {
        let others: Vec<&str> = e.also_in.iter().map(|s| source_label(s)).collect();
        let _ = write!(src, " (also in {})", others.join(", "));
    }
    extra.push(format!("{src}."));
    out.push_str("    ///\n");
    for line in extra {
        let _ = writeln!(out, "    /// {line}");
    }
}

fn opt_bool_lit(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "Some(true)",
        Some(false) => "Some(false)",
        None => "None",
    }
}

const HEADER: &str = r#"// @generated by genauth-codegen from error-codes.json. Do not edit by hand:
// run `cargo run -p genauth-codegen -- PATH/TO/error-codes.json` instead.

//! The known `statusCode` and `apiCode` values of the GenAuth API.
//!
//! Every response envelope carries a `statusCode` (200 on success, otherwise an
//! HTTP-like class of failure) and, when a failure has a business meaning, an
//! `apiCode`. [`StatusCode`] and [`ApiCode`] name every code the catalogue
//! knows, keep any other number in their `Other` variant, and tell what a code
//! asks of the caller: wait and retry ([`ApiCode::is_retryable`]), slow down
//! ([`ApiCode::is_rate_limited`]), get a new token
//! ([`ApiCode::is_token_invalid`]), or continue a login flow
//! ([`ApiCode::is_flow_step`]).
//!
//! Both decode from a number or a numeric string (older responses send
//! `"2011"`) and serialize as a number.

use std::fmt;
use std::hash::{Hash, Hasher};

/// What the catalogue says about one code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CodeInfo {
    /// The number sent on the wire.
    pub code: i64,
    /// The name of the code (the variant's name).
    pub name: &'static str,
    /// A short meaning, in our own words.
    pub meaning: &'static str,
    /// `Some(true)`: the same request can succeed later, after waiting,
    /// refreshing the caller's token or signing the request again.
    /// `Some(false)`: the input must change or the user must act.
    /// `None`: unknown, or not really an error (flow steps, notices).
    pub retryable: Option<bool>,
    /// The code says the caller is sending too often.
    pub rate_limited: bool,
    /// The code says the caller's token is expired or not accepted.
    pub token_invalid: bool,
    /// The code is a step of a login flow (MFA, account binding, ...), not a failure.
    pub flow_step: bool,
    /// The code is about credentials, tokens, signatures, login state or MFA.
    pub auth_related: bool,
    /// Which list the meaning comes from: `v3` (the V3 error-code page), `v2`
    /// (the older V2 list) or `sdk` (codes the official clients check).
    pub source: &'static str,
}

/// Reads a code from a number or a numeric string.
struct CodeVisitor(&'static str);

impl serde::de::Visitor<'_> for CodeVisitor {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} as a number or a numeric string", self.0)
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<i64, E> {
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            Ok(v as i64)
        } else {
            Err(E::invalid_value(serde::de::Unexpected::Float(v), &self))
        }
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<i64, E> {
        v.trim()
            .parse::<i64>()
            .map_err(|_| E::invalid_value(serde::de::Unexpected::Str(v), &self))
    }
}

/// Finds `code` in a table sorted by code.
fn lookup(table: &'static [CodeInfo], code: i64) -> Option<&'static CodeInfo> {
    table
        .binary_search_by_key(&code, |i| i.code)
        .ok()
        .and_then(|i| table.get(i))
}
"#;

/// The methods and trait impls shared by both code types; `__T__` is the
/// type, `__TABLE__` its table and `__FIELD__` the envelope field.
const COMMON_IMPL: &str = r#"
impl __T__ {
    /// Every `__FIELD__` the catalogue knows, sorted by number.
    pub const KNOWN: &'static [CodeInfo] = __TABLE__;

    /// What the catalogue says about this code; `None` for a code it does not list.
    pub fn info(self) -> Option<&'static CodeInfo> {
        lookup(Self::KNOWN, self.code())
    }

    /// Whether the catalogue lists this code.
    pub fn is_known(self) -> bool {
        self.info().is_some()
    }

    /// The code's name, e.g. `"__EXAMPLE__"`; `None` for an unknown code.
    pub fn name(self) -> Option<&'static str> {
        self.info().map(|i| i.name)
    }

    /// A short meaning of the code; `None` for an unknown code.
    pub fn meaning(self) -> Option<&'static str> {
        self.info().map(|i| i.meaning)
    }

    /// The catalogue's retry verdict: see [`CodeInfo::retryable`].
    pub fn retryable(self) -> Option<bool> {
        self.info().and_then(|i| i.retryable)
    }

    /// Whether the same request can succeed later. This includes codes that
    /// clear only once the caller has a new token ([`Self::is_token_invalid`])
    /// or has signed the request again; unknown codes are not retryable.
    pub fn is_retryable(self) -> bool {
        self.retryable() == Some(true)
    }

    /// Whether the code says the caller is sending too often.
    pub fn is_rate_limited(self) -> bool {
        self.info().is_some_and(|i| i.rate_limited)
    }

    /// Whether the code says the caller's token is expired or not accepted,
    /// so a new token should be fetched before trying again.
    pub fn is_token_invalid(self) -> bool {
        self.info().is_some_and(|i| i.token_invalid)
    }
}

impl From<i64> for __T__ {
    fn from(code: i64) -> Self {
        Self::from_code(code)
    }
}

impl From<__T__> for i64 {
    fn from(code: __T__) -> i64 {
        code.code()
    }
}

/// Codes compare by number, so `Other(n)` equals the named variant of `n`.
impl PartialEq for __T__ {
    fn eq(&self, other: &Self) -> bool {
        self.code() == other.code()
    }
}

impl Eq for __T__ {}

impl PartialEq<i64> for __T__ {
    fn eq(&self, other: &i64) -> bool {
        self.code() == *other
    }
}

impl PartialEq<__T__> for i64 {
    fn eq(&self, other: &__T__) -> bool {
        *self == other.code()
    }
}

impl Hash for __T__ {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.code().hash(state);
    }
}

impl PartialOrd for __T__ {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for __T__ {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.code().cmp(&other.code())
    }
}

/// The number, followed by the name in parentheses when the code is known:
/// `__EXAMPLE_CODE__ (__EXAMPLE__)`.
impl fmt::Display for __T__ {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{} ({name})", self.code()),
            None => write!(f, "{}", self.code()),
        }
    }
}

impl serde::Serialize for __T__ {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.code())
    }
}

impl<'de> serde::Deserialize<'de> for __T__ {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(CodeVisitor("__FIELD__"))
            .map(Self::from_code)
    }
}
"#;

fn render_type(out: &mut String, list: List, entries: &[Entry]) {
    let t = list.type_name();
    let field = list.field();
    let example = entries
        .iter()
        .find(|e| e.code != 0 && e.code != 200)
        .or(entries.first());
    let (example_name, example_code) = example
        .map(|e| (e.name.clone(), e.code))
        .unwrap_or_else(|| ("Name".into(), 0));

    // The enum.
    match list {
        List::Status => {
            let _ = writeln!(
                out,
                "\n/// A `statusCode` of the response envelope: `200` when the call worked,\n\
                 /// otherwise an HTTP-like class of failure.\n///\n\
                 /// Build one with [`StatusCode::from_code`] (or `From<i64>`); a number the\n\
                 /// catalogue does not list becomes [`StatusCode::Other`]."
            );
        }
        List::Api => {
            let _ = writeln!(
                out,
                "\n/// An `apiCode` of the response envelope: the business reason of a failure,\n\
                 /// or the next step of a login flow.\n///\n\
                 /// Build one with [`ApiCode::from_code`] (or `From<i64>`); a number the\n\
                 /// catalogue does not list becomes [`ApiCode::Other`]."
            );
        }
    }
    out.push_str("#[derive(Debug, Clone, Copy)]\n#[non_exhaustive]\n");
    let _ = writeln!(out, "pub enum {t} {{");
    for e in entries {
        variant_doc(out, e);
        let _ = writeln!(out, "    {},", e.name);
    }
    let _ = writeln!(
        out,
        "    /// A `{field}` the catalogue does not list.\n    ///\n    /// [`{t}::from_code`] \
         never puts a listed number here; match on the named\n    /// variants, or compare \
         numbers with [`{t}::code`].\n    Other(i64),\n}}"
    );

    // The table.
    let _ = writeln!(
        out,
        "\n/// The catalogue's `{field}` entries, sorted by code.\n#[rustfmt::skip]\nconst {}: &[CodeInfo] = &[",
        list.table()
    );
    for e in entries {
        let _ = writeln!(
            out,
            "    CodeInfo {{ code: {}, name: {:?}, meaning: {:?}, retryable: {}, rate_limited: {}, \
             token_invalid: {}, flow_step: {}, auth_related: {}, source: {:?} }},",
            e.code,
            e.name,
            e.meaning,
            opt_bool_lit(e.retryable),
            e.rate_limited,
            e.token_invalid,
            e.flow_step,
            e.auth_related,
            e.source
        );
    }
    out.push_str("];\n");

    // Conversions.
    let _ = writeln!(out, "\nimpl {t} {{");
    let _ = writeln!(
        out,
        "    /// The code for `code`: its named variant when the catalogue lists it,\n    \
         /// [`{t}::Other`] otherwise.\n    pub const fn from_code(code: i64) -> Self {{\n        match code {{"
    );
    for e in entries {
        let _ = writeln!(out, "            {} => Self::{},", e.code, e.name);
    }
    out.push_str("            other => Self::Other(other),\n        }\n    }\n\n");
    out.push_str(
        "    /// The number sent on the wire.\n    pub const fn code(self) -> i64 {\n        match self {\n",
    );
    for e in entries {
        let _ = writeln!(out, "            Self::{} => {},", e.name, e.code);
    }
    out.push_str("            Self::Other(code) => code,\n        }\n    }\n");
    match list {
        List::Status => out.push_str(
            "\n    /// Whether the call worked (`200`).\n    pub const fn is_success(self) -> bool {\n        \
             self.code() == 200\n    }\n\n    \
             /// Whether the status is a step of a login flow rather than a failure: a\n    \
             /// listed flow code, or any `3xx` (the login UI treats a `3xx` body\n    \
             /// `statusCode` as \"show the next screen\"; the `apiCode` says which).\n    \
             pub fn is_flow_step(self) -> bool {\n        \
             self.info().is_some_and(|i| i.flow_step) || matches!(self.code(), 300..=399)\n    }\n",
        ),
        List::Api => out.push_str(
            "\n    /// Whether the code is a step of a login flow (MFA required, account\n    \
             /// binding, profile completion, ...) rather than a failure: the\n    \
             /// envelope's `data` then holds what the next step needs.\n    \
             pub fn is_flow_step(self) -> bool {\n        self.info().is_some_and(|i| i.flow_step)\n    }\n",
        ),
    }
    out.push_str("}\n");

    out.push_str(
        &COMMON_IMPL
            .replace("__TABLE__", list.table())
            .replace("__T__", t)
            .replace("__FIELD__", field)
            .replace("__EXAMPLE_CODE__", &example_code.to_string())
            .replace("__EXAMPLE__", &example_name),
    );
}

/// The Rust source of `crates/genauth-types/src/codes.rs` (before rustfmt).
pub fn render_types(json: &Value) -> Result<String, String> {
    let status = entries(json, List::Status)?;
    let api = entries(json, List::Api)?;
    let mut out = String::from(HEADER);
    render_type(&mut out, List::Status, &status);
    render_type(&mut out, List::Api, &api);
    Ok(out)
}

fn docs_table(out: &mut String, entries: &[Entry]) {
    out.push_str("| Code | Name | Meaning | Retry | Flags | Source |\n");
    out.push_str("|---:|---|---|---|---|---|\n");
    for e in entries {
        let mut meaning = cell_text(&sentence(&e.meaning));
        if let Some(note) = &e.note {
            let _ = write!(meaning, " <br>Note: {}", cell_text(&sentence(note)));
        }
        if let Some(v2) = &e.v2_meaning {
            let label = if e.conflict { "V2 disagrees" } else { "V2" };
            let _ = write!(meaning, " <br>{label}: {}", cell_text(&sentence(v2)));
        }
        let retry = match e.retryable {
            Some(true) => "yes",
            Some(false) => "no",
            None => "n/a",
        };
        let mut f = Vec::new();
        if e.rate_limited {
            f.push("rate limit");
        }
        if e.token_invalid {
            f.push("token invalid");
        }
        if e.flow_step {
            f.push("flow step");
        }
        if e.auth_related {
            f.push("auth");
        }
        let mut source = e.source.to_uppercase();
        for other in &e.also_in {
            let _ = write!(source, ", {}", other.to_uppercase());
        }
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} | {} |",
            e.code,
            e.name,
            meaning,
            retry,
            f.join(", "),
            source
        );
    }
}

/// The Markdown of `docs/error-codes-table.md`.
pub fn render_docs(json: &Value) -> Result<String, String> {
    let status = entries(json, List::Status)?;
    let api = entries(json, List::Api)?;
    let mut out = String::from(
        "<!-- @generated by genauth-codegen from error-codes.json. Do not edit by hand. -->\n\
         # Error code table\n\n\
         Every code the SDK knows, as `StatusCode` and `ApiCode` variants of\n\
         `genauth_types::codes`. How to use them: [errors.md](errors.md).\n\n\
         Columns: **Retry** is whether the same request can succeed later (after\n\
         waiting, a new token or a fresh signature; `n/a` when unknown or not an\n\
         error). **Flags**: `rate limit` (slow down), `token invalid` (get a new\n\
         token), `flow step` (a login step, not a failure), `auth` (about\n\
         credentials, tokens, signatures or MFA). **Source**: `V3` is the V3\n\
         error-code page, `V2` the older V2 list, `SDK` the codes official clients\n\
         check.\n\n",
    );
    let _ = writeln!(out, "## `statusCode` ({} codes)\n", status.len());
    docs_table(&mut out, &status);
    out.push_str(
        "\nA `statusCode` in the 300s that is not listed is a login-flow step too\n\
         (`StatusCode::is_flow_step`).\n",
    );
    let _ = writeln!(out, "\n## `apiCode` ({} codes)\n", api.len());
    docs_table(&mut out, &api);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        json!({
            "status_codes": [
                {"code": 429, "name": "Throttled", "meaning": "Slow down", "source": "v3", "retryable": true},
                {"code": 200, "name": "Ok", "meaning": "Worked", "source": "v3", "retryable": null}
            ],
            "api_codes": [
                {"code": 2020, "name": "NotLoggedIn", "meaning": "Not [signed] in", "source": "v3",
                 "retryable": true, "token_invalid": true, "rate_limit": false, "also_in": ["v2"]},
                {"code": 1635, "name": "PersonalMfaRequired", "meaning": "MFA | needed", "source": "v3",
                 "retryable": null, "kind": "flow", "token_invalid": false, "rate_limit": false}
            ]
        })
    }

    #[test]
    fn renders_sorted_variants_tables_and_escaped_docs() {
        let src = render_types(&sample()).unwrap();
        let ok = src.find("    Ok,").unwrap();
        let throttled = src.find("    Throttled,").unwrap();
        assert!(ok < throttled, "variants are sorted by code");
        assert!(src.contains("429 => Self::Throttled,"));
        assert!(src.contains("Self::NotLoggedIn => 2020,"));
        assert!(src.contains("Not \\[signed\\] in."), "doc text is escaped");
        assert!(src.contains(
            "CodeInfo { code: 429, name: \"Throttled\", meaning: \"Slow down\", retryable: Some(true), rate_limited: true, token_invalid: false"
        ), "429 defaults to a rate limit: {src}");
        assert!(src.contains("flow_step: true"));
        assert!(!src.contains("__T__") && !src.contains("__FIELD__"));
    }

    #[test]
    fn docs_table_escapes_pipes_and_lists_flags() {
        let md = render_docs(&sample()).unwrap();
        assert!(
            md.contains(
                "| 1635 | `PersonalMfaRequired` | MFA \\| needed. | n/a | flow step | V3 |"
            ),
            "{md}"
        );
        assert!(md.contains("| 2020 | `NotLoggedIn` |"));
        assert!(md.contains("token invalid"));
        assert!(md.contains("## `apiCode` (2 codes)"));
    }

    #[test]
    fn rejects_duplicates_and_bad_names() {
        let mut dup = sample();
        dup["api_codes"][1]["code"] = json!(2020);
        assert!(render_types(&dup).unwrap_err().contains("listed twice"));
        let mut bad = sample();
        bad["api_codes"][0]["name"] = json!("not-an-ident");
        assert!(render_types(&bad).is_err());
        let mut other = sample();
        other["api_codes"][0]["name"] = json!("Other");
        assert!(render_docs(&other).is_err());
        assert!(render_types(&json!({"status_codes": []})).is_err());
    }
}
