//! The generated reference docs: templates of our own over the facts of the
//! API description (type, required or optional, enum values, the Node SDK's
//! defaults, the HTTP method and path, which operations send or return a type)
//! and example values from the documented samples
//! (`shared/conformance/docs-samples`). No prose of the description is copied:
//! it has none, and the samples give values only.
//!
//! Rules kept here so that every generated item reads the same:
//! - every type name and value sits in backticks or an intra-doc link, so no
//!   text is read as a broken link or an HTML tag;
//! - an example value is shown only when it is short ASCII, has the declared
//!   type, and the field does not hold a credential.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::model::{setter_name, snake, Client, Field, Model, Op, Struct, Ty};

/// How many operation names a type's doc lists before "and N more".
const MAX_OPS: usize = 4;
/// How many enum values a field's doc lists before "and N more".
const MAX_VALUES: usize = 12;
/// The longest example value shown, in characters.
const MAX_EXAMPLE: usize = 60;

/// Facts for the docs that the description itself does not hold.
#[derive(Debug, Default)]
pub struct DocFacts {
    /// Example values by (struct or operation type name, wire name).
    pub examples: BTreeMap<(String, String), Value>,
    /// Which operations use each struct, by struct name.
    pub usage: BTreeMap<String, Usage>,
    /// How many documented samples were read.
    pub samples: usize,
}

/// The operations (indices into `Model::ops`) that use a struct.
#[derive(Debug, Default)]
pub struct Usage {
    /// The struct is the request body.
    pub sent: Vec<usize>,
    /// The output is the struct, or a list or page of it.
    pub returned: Vec<usize>,
    /// The struct is nested in the request body.
    pub in_request: Vec<usize>,
    /// The struct is nested in the output.
    pub in_response: Vec<usize>,
}

/// Where a documented field lives.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A field of a generated DTO.
    Dto,
    /// A query parameter (a field of an operation struct).
    Query,
    /// A body field reached through a setter.
    Body,
    /// A path parameter.
    Path,
}

/// The lowercase words of a wire name (`passwordLastSetAt` → `password last set at`).
pub fn words(wire: &str) -> Vec<String> {
    snake(wire)
        .split('_')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn capitalized(words: &[String]) -> String {
    let mut s = words.join(" ");
    if let Some(f) = s.get(0..1) {
        let up = f.to_ascii_uppercase();
        s.replace_range(0..1, &up);
    }
    s
}

/// A value shown in a doc: short ASCII without backticks, or nothing.
pub fn example_text(v: &Value) -> Option<String> {
    let text = serde_json::to_string(v).ok()?;
    let ok = text.is_ascii()
        && text.len() <= MAX_EXAMPLE
        && !text.contains('`')
        && !text.chars().any(|c| c.is_ascii_control())
        && !matches!(v, Value::String(s) if s.trim().is_empty());
    ok.then_some(text)
}

/// Whether `v` has the declared scalar type `ty` (or is a list of it).
fn fits(ty: &Ty, v: &Value) -> bool {
    match ty {
        Ty::Str => v.is_string(),
        Ty::I64 => v.is_i64() || v.is_u64(),
        Ty::F64 => v.is_number(),
        Ty::Bool => v.is_boolean(),
        Ty::Vec(t) => {
            matches!(**t, Ty::Str | Ty::I64 | Ty::F64 | Ty::Bool)
                && v.as_array()
                    .is_some_and(|a| !a.is_empty() && a.iter().all(|x| fits(t, x)))
        }
        _ => false,
    }
}

/// `[`Name`]` in a crate that has the type in scope, `[`Name`](t::Name)` with a prefix.
pub fn link(name: &str, prefix: &str) -> String {
    if prefix.is_empty() {
        format!("[`{name}`]")
    } else {
        format!("[`{name}`]({prefix}{name})")
    }
}

/// The words of an operation's path: `/api/v3/ip-list/{id}` → `ip`, `list`.
pub fn path_words(path: &str) -> Vec<String> {
    endpoint(path)
        .split('/')
        .filter(|s| !s.starts_with('{'))
        .flat_map(words)
        .collect()
}

/// The path without the `/api/v3/` prefix and template parameters: `ip-list`.
pub fn endpoint(path: &str) -> String {
    let p = path.strip_prefix("/api/v3/").unwrap_or(path);
    p.split('/')
        .filter(|s| !s.starts_with('{') && !s.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

const LINKING_WORDS: &[&str] = &[
    "by", "of", "a", "the", "and", "or", "in", "to", "for", "with", "from", "my",
];

fn singular(w: &str) -> &str {
    w.strip_suffix('s').filter(|s| s.len() > 2).unwrap_or(w)
}

/// Whether a method name does not say what it acts on: one word (`add`,
/// `list`), or words after the verb that the path does not have
/// (`delete_by_id` on `/api/v3/ip-list/{id}`).
pub fn is_vague(op: &Op) -> bool {
    let name: Vec<&str> = op.name.split('_').collect();
    if name.len() < 2 {
        return true;
    }
    // Path words may be joined (`qrcode`, `extidp`, `authinfo`): look for each
    // word of the name inside the path's letters.
    let path: String = path_words(&op.path).concat();
    name[1..]
        .iter()
        .filter(|w| !LINKING_WORDS.contains(w))
        .any(|w| !path.contains(singular(w)))
}

fn auth_words(auth: &str) -> &'static str {
    match auth {
        "UserToken" => "with the end user's access token",
        "ManagementToken" => "with the management token",
        "AppBasicOrToken" => "with the app's credentials or the user's token",
        _ => "without credentials",
    }
}

/// `get_user` → `Get user`.
fn humanize(name: &str) -> String {
    capitalized(&name.split('_').map(str::to_owned).collect::<Vec<_>>())
}

impl Model {
    // ------------------------------------------------------------ facts

    /// Computes which operations use each struct and reads example values from
    /// the documented samples in `samples_dir` (`index.json` and one file per
    /// operation).
    pub fn prepare_docs(&mut self, samples_dir: &Path) -> Result<(), String> {
        self.docs.usage = self.usage();
        let index_path = samples_dir.join("index.json");
        let text = std::fs::read_to_string(&index_path)
            .map_err(|e| format!("cannot read {}: {e}", index_path.display()))?;
        let index: Value = serde_json::from_str(&text)
            .map_err(|e| format!("bad JSON in {}: {e}", index_path.display()))?;
        let entries = index["operations"]
            .as_array()
            .ok_or_else(|| format!("{}: no `operations` list", index_path.display()))?;
        let mut examples = BTreeMap::new();
        let mut read = 0;
        for e in entries {
            let Some(file) = e["file"].as_str() else {
                continue;
            };
            let path = samples_dir.join(file);
            let text = std::fs::read_to_string(&path)
                .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
            let sample: Value = serde_json::from_str(&text)
                .map_err(|err| format!("bad JSON in {}: {err}", path.display()))?;
            let client = match sample["client"].as_str() {
                Some("authentication") => Client::Authentication,
                Some("management") => Client::Management,
                _ => continue,
            };
            let Some(op) = self
                .ops
                .iter()
                .find(|o| o.client == client && Some(o.name.as_str()) == sample["method"].as_str())
            else {
                continue;
            };
            read += 1;
            let req = &sample["request_example"];
            if let Some(b) = &op.body {
                self.collect_examples(&Ty::Struct(b.clone()), req, &mut examples);
            } else if let Some(obj) = req.as_object() {
                for q in &op.query {
                    if let Some(v) = obj.get(&q.wire) {
                        if fits(&q.ty, v) {
                            examples
                                .entry((op.upper.clone(), q.wire.clone()))
                                .or_insert_with(|| v.clone());
                        }
                    }
                }
            }
            let resp = &sample["response_sample"];
            let out = if op.envelope { &resp["data"] } else { resp };
            self.collect_examples(&op.output, out, &mut examples);
        }
        self.docs.examples = examples;
        self.docs.samples = read;
        Ok(())
    }

    /// Walks a sample value along its declared type and keeps the first
    /// value of every scalar field that has the declared type.
    fn collect_examples(&self, ty: &Ty, v: &Value, out: &mut BTreeMap<(String, String), Value>) {
        match (ty, v) {
            (Ty::Struct(n), Value::Object(obj)) => {
                let Some(s) = self.structs.get(n) else {
                    return;
                };
                for f in &s.fields {
                    let Some(fv) = obj.get(&f.wire) else {
                        continue;
                    };
                    if fits(&f.ty, fv) {
                        out.entry((n.clone(), f.wire.clone()))
                            .or_insert_with(|| fv.clone());
                    } else {
                        self.collect_examples(&f.ty, fv, out);
                    }
                }
            }
            (Ty::Vec(t), Value::Array(items)) => {
                for i in items {
                    self.collect_examples(t, i, out);
                }
            }
            // The samples often print a list of objects as one object: its
            // values are still examples of the item's fields.
            (Ty::Vec(t), Value::Object(_)) if matches!(**t, Ty::Struct(_)) => {
                self.collect_examples(t, v, out);
            }
            (Ty::Page(t), Value::Object(obj)) => match obj.get("list") {
                Some(Value::Array(items)) => {
                    for i in items {
                        self.collect_examples(t, i, out);
                    }
                }
                Some(item @ Value::Object(_)) => self.collect_examples(t, item, out),
                _ => {}
            },
            _ => {}
        }
    }

    fn usage(&self) -> BTreeMap<String, Usage> {
        fn reach(m: &Model, t: &Ty, seen: &mut BTreeSet<String>) {
            t.walk(&mut |t| {
                if let Ty::Struct(n) = t {
                    if seen.insert(n.clone()) {
                        if let Some(s) = m.structs.get(n) {
                            for f in &s.fields {
                                reach(m, &f.ty, seen);
                            }
                        }
                    }
                }
            });
        }
        let mut usage: BTreeMap<String, Usage> = BTreeMap::new();
        for (i, op) in self.ops.iter().enumerate() {
            let mut direct_out = BTreeSet::new();
            op.output.walk(&mut |t| {
                if let Ty::Struct(n) = t {
                    direct_out.insert(n.clone());
                }
            });
            let mut all_out = BTreeSet::new();
            reach(self, &op.output, &mut all_out);
            for n in &all_out {
                let u = usage.entry(n.clone()).or_default();
                if direct_out.contains(n) {
                    u.returned.push(i);
                } else {
                    u.in_response.push(i);
                }
            }
            if let Some(b) = &op.body {
                let mut all_in = BTreeSet::new();
                reach(self, &Ty::Struct(b.clone()), &mut all_in);
                for n in &all_in {
                    let u = usage.entry(n.clone()).or_default();
                    if n == b {
                        u.sent.push(i);
                    } else {
                        u.in_request.push(i);
                    }
                }
            }
        }
        usage
    }

    fn example(&self, owner: &str, f: &Field) -> Option<String> {
        if matches!(f.ty, Ty::Secret | Ty::Enum(_)) {
            return None;
        }
        example_text(
            self.docs
                .examples
                .get(&(owner.to_owned(), f.wire.clone()))?,
        )
    }

    // ------------------------------------------------------------ types and fields

    /// What a type is, in a few words: `string`, `list of [`RoleDto`]`.
    pub fn type_phrase(&self, ty: &Ty, prefix: &str) -> String {
        match ty {
            Ty::Str => "string".into(),
            Ty::Secret => "string holding a credential".into(),
            Ty::I64 => "integer".into(),
            Ty::F64 => "number".into(),
            Ty::Bool => "boolean".into(),
            Ty::Value => "any JSON value".into(),
            Ty::Unit => "nothing".into(),
            Ty::Enum(n) => format!("enum {}", link(n, prefix)),
            Ty::Struct(n) => format!("object {}", link(n, prefix)),
            Ty::Vec(t) => format!("list of {}", self.type_phrase(t, prefix)),
            Ty::Page(t) => format!(
                "page ({}) of {}",
                link("Page", prefix),
                self.type_phrase(t, prefix)
            ),
        }
    }

    /// The wire values of the enum inside `ty`, if any: "`A`, `B` and 3 more".
    fn enum_values(&self, ty: &Ty) -> Option<String> {
        let mut name = None;
        ty.walk(&mut |t| {
            if let Ty::Enum(n) = t {
                name = Some(n.clone());
            }
        });
        let name = name?;
        let canon = self.enum_canon.get(&name).unwrap_or(&name);
        let e = self.enums.get(canon)?;
        let mut vals: Vec<String> = e
            .variants
            .iter()
            .take(MAX_VALUES)
            .map(|(_, w)| {
                if w.is_empty() {
                    "`\"\"`".to_owned()
                } else if w.contains('`') {
                    format!("`` {w} ``")
                } else {
                    format!("`{w}`")
                }
            })
            .collect();
        let more = e.variants.len().saturating_sub(MAX_VALUES);
        let last = if more > 0 {
            format!("{more} more")
        } else {
            vals.pop().unwrap_or_default()
        };
        Some(if vals.is_empty() {
            last
        } else {
            format!("{} or {last}", vals.join(", "))
        })
    }

    /// The doc lines of a field, a query parameter or a setter (without `///`).
    pub fn field_lines(
        &self,
        f: &Field,
        owner: &str,
        place: Place,
        op: Option<&Op>,
        prefix: &str,
        setter: bool,
    ) -> Vec<String> {
        let ws = capitalized(&words(&f.wire));
        let req = if f.required { "required" } else { "optional" };
        let where_ = match place {
            Place::Dto => String::new(),
            Place::Query => " query parameter".into(),
            Place::Body => " body field".into(),
            Place::Path => " path parameter".into(),
        };
        let ty = self.type_phrase(&f.ty, prefix);
        let mut lines = vec![if setter {
            format!(
                "Sets `{}`{}: {ty}, {req}.",
                f.wire,
                match place {
                    Place::Dto => "",
                    Place::Query => " (query parameter)",
                    Place::Body => " (body field)",
                    Place::Path => " (path parameter)",
                }
            )
        } else {
            format!("{ws} (wire `{}`{where_}): {ty}, {req}.", f.wire)
        }];
        if let Some(vals) = self.enum_values(&f.ty) {
            lines.push(format!("One of {vals}."));
        }
        if matches!(f.ty, Ty::Secret) || f.ty == Ty::Vec(Box::new(Ty::Secret)) {
            lines.push("A credential: `Debug` and `Display` print `[redacted]`.".into());
        }
        if let Some(op) = op {
            if let Some(d) = op.node_defaults.get(&f.wire).and_then(example_text) {
                lines.push(format!(
                    "The Node SDK sends `{d}` when unset; this SDK sends nothing."
                ));
            }
            if op.node_only.contains(&f.wire) {
                lines.push(
                    "Only the Node SDK sends it; the Python SDK has no argument for it.".into(),
                );
            }
        }
        if let Some(ex) = self.example(owner, f) {
            lines.push(format!("Example: `{ex}`."));
        }
        lines
    }

    /// The `///` lines of a field.
    pub fn field_doc(
        &self,
        f: &Field,
        owner: &str,
        place: Place,
        op: Option<&Op>,
        prefix: &str,
    ) -> String {
        let mut out = String::new();
        for l in self.field_lines(f, owner, place, op, prefix, false) {
            let _ = writeln!(out, "/// {l}");
        }
        out
    }

    fn op_list(&self, ops: &[usize]) -> String {
        let mut names: Vec<String> = ops
            .iter()
            .take(MAX_OPS)
            .map(|&i| {
                let o = &self.ops[i];
                format!("`{}::{}`", o.client.rust_type(), o.name)
            })
            .collect();
        if ops.len() > MAX_OPS {
            names.push(format!("{} more", ops.len() - MAX_OPS));
        }
        match names.len() {
            0 => String::new(),
            1 => names.remove(0),
            _ => {
                let last = names.pop().unwrap_or_default();
                format!("{} and {last}", names.join(", "))
            }
        }
    }

    /// The doc of a generated struct: what it is and which operations use it.
    pub fn struct_doc(&self, s: &Struct) -> String {
        let resp = self.response.contains(&s.name);
        let req = self.request.contains(&s.name);
        let required = s.fields.iter().filter(|f| f.required).count();
        let mut out = format!(
            "/// The `{}` object of the V3 API{}: {} field{}, {} required.\n",
            s.spec_name,
            match (resp, req) {
                (true, true) => ", sent and received",
                (true, false) => ", as received",
                _ => ", as sent",
            },
            s.fields.len(),
            if s.fields.len() == 1 { "" } else { "s" },
            required,
        );
        if let Some(u) = self.docs.usage.get(&s.name) {
            for (verb, ops) in [
                ("Sent by", &u.sent),
                ("Returned by", &u.returned),
                ("Inside the request of", &u.in_request),
                ("Inside the response of", &u.in_response),
            ] {
                if !ops.is_empty() {
                    let _ = writeln!(out, "///\n/// {verb} {}.", self.op_list(ops));
                }
            }
        }
        out
    }

    // ------------------------------------------------------------ operations

    /// The first line of an operation's doc; vague names say what they act on.
    pub fn op_summary(&self, op: &Op) -> String {
        if is_vague(op) {
            format!(
                "{}: acts on `{}` ({} API).",
                humanize(&op.name),
                endpoint(&op.path),
                op.tag
            )
        } else {
            format!("{}.", humanize(&op.name))
        }
    }

    /// Search words for `#[doc(alias)]`: the Node SDK's name, and for vague
    /// names the path's words, the endpoint and the tag.
    pub fn op_aliases(&self, op: &Op) -> Vec<String> {
        let mut v = Vec::new();
        if !op.node_method.is_empty() {
            v.push(op.node_method.clone());
        }
        if is_vague(op) {
            let pw = path_words(&op.path).join(" ");
            let verb = op.name.split('_').next().unwrap_or("");
            v.push(pw.clone());
            v.push(endpoint(&op.path));
            v.push(format!("{verb} {pw}"));
            v.push(format!("{} {pw}", op.tag));
        }
        let mut seen = BTreeSet::new();
        v.retain(|a| {
            !a.is_empty()
                && *a != op.name
                && *a != op.upper
                && !a.contains(['"', '\''])
                && seen.insert(a.clone())
        });
        v
    }

    pub fn alias_attrs(&self, op: &Op) -> String {
        let aliases = self.op_aliases(op);
        if aliases.is_empty() {
            return String::new();
        }
        let list: Vec<String> = aliases.iter().map(|a| format!("{a:?}")).collect();
        format!("#[doc(alias({}))]\n", list.join(", "))
    }

    fn http_line(&self, op: &Op) -> String {
        let mut line = format!(
            "`{} {}`, {} API, sent {}; {}. The official Python SDK calls it `{}.{}`",
            op.method,
            op.path,
            op.tag,
            auth_words(op.auth),
            if op.idempotent {
                "idempotent"
            } else {
                "not idempotent"
            },
            op.client.rust_type(),
            op.name
        );
        if !op.node_method.is_empty() {
            let _ = write!(line, ", the Node SDK `{}`", op.node_method);
        }
        line.push('.');
        line
    }

    /// What an operation returns, in words.
    pub fn returns_phrase(&self, op: &Op, prefix: &str) -> String {
        let what = match &op.output {
            Ty::Unit => "Nothing (`()`) on success".to_owned(),
            t => {
                let p = self.type_phrase(t, prefix);
                let mut cs = p.chars();
                match cs.next() {
                    Some(f) => f.to_ascii_uppercase().to_string() + cs.as_str(),
                    None => p,
                }
            }
        };
        if op.envelope && op.output != Ty::Unit {
            format!("{what}: the `data` of the response envelope.")
        } else {
            format!("{what}.")
        }
    }

    /// The doc of an operation struct in `genauth-core`.
    pub fn op_struct_doc(&self, op: &Op) -> String {
        let mut out = format!(
            "/// {}\n///\n/// {}\n",
            self.op_summary(op),
            self.http_line(op)
        );
        let _ = writeln!(
            out,
            "///\n/// Output: {} Sent by `{}::{}` in `genauth-tower`.",
            self.returns_phrase(op, "t::")
                .trim_end_matches('.')
                .to_owned()
                + ".",
            op.client.rust_type(),
            op.name
        );
        out.push_str(&self.alias_attrs(op));
        out
    }

    /// The doc of a client method in `genauth-tower`: summary, HTTP facts,
    /// parameters, return value and an example.
    pub fn method_doc(&self, op: &Op, pos: &[Field], rest: &[Field]) -> String {
        let mut out = format!(
            "/// {}\n///\n/// {}\n",
            self.op_summary(op),
            self.http_line(op)
        );
        out.push_str("///\n/// # Parameters\n///\n");
        if pos.is_empty() && rest.is_empty() {
            out.push_str("/// None.\n");
        }
        for f in pos {
            let (owner, place) = self.param_place(op, f);
            let lines = self.field_lines(f, &owner, place, Some(op), "", false);
            let _ = writeln!(
                out,
                "/// - `{}: {}`: {}",
                f.ident,
                f.ty.arg().0,
                lines.join(" ")
            );
        }
        let mut opt: Vec<String> = rest
            .iter()
            .filter(|f| !self.paging_setter(op, f))
            .map(|f| format!("`.{}({})`", setter_name(&f.ident), setter_ty(f)))
            .collect();
        if self.pagination_args(op).is_some() {
            opt.push("`.page(i64)`".into());
            opt.push("`.page_size(i64)`".into());
        }
        if !opt.is_empty() {
            let _ = writeln!(
                out,
                "/// - optional, as setters on the returned [`Call`]: {}.",
                opt.join(", ")
            );
        }
        let _ = writeln!(
            out,
            "///\n/// # Returns\n///\n/// {}",
            self.returns_phrase(op, "")
        );
        if self.pagination_args(op).is_some() {
            out.push_str("/// [`Call::pages`] and [`Call::items`] walk every page.\n");
        }
        out.push_str("///\n/// # Example\n///\n/// ```ignore\n");
        let _ = writeln!(
            out,
            "/// # async fn example(client: &genauth::{}) -> Result<(), genauth::Error> {{",
            op.client.rust_type()
        );
        for l in self.example_lines(op, pos, rest) {
            let _ = writeln!(out, "/// {l}");
        }
        out.push_str("/// # Ok(()) }\n/// ```\n");
        out.push_str(&self.alias_attrs(op));
        out
    }

    /// Where a method parameter lives: the body struct or the operation's query.
    pub fn param_place(&self, op: &Op, f: &Field) -> (String, Place) {
        if op.path_params.iter().any(|p| p.wire == f.wire) {
            return (op.upper.clone(), Place::Path);
        }
        let in_body = op
            .body
            .as_ref()
            .and_then(|b| self.structs.get(b))
            .is_some_and(|b| b.fields.iter().any(|x| x.wire == f.wire));
        if in_body {
            (op.body.clone().unwrap_or_default(), Place::Body)
        } else {
            (op.upper.clone(), Place::Query)
        }
    }

    // ------------------------------------------------------------ examples

    /// A Rust expression of type `ty` for an example: the documented example
    /// value when there is one, else a placeholder.
    fn example_expr(&self, ty: &Ty, owner: &str, wire: &str, depth: usize) -> String {
        let ex = self
            .docs
            .examples
            .get(&(owner.to_owned(), wire.to_owned()))
            .filter(|v| example_text(v).is_some());
        match ty {
            Ty::Str => match ex.and_then(Value::as_str) {
                Some(s) => format!("{s:?}"),
                None => format!("{:?}", snake(wire).to_ascii_uppercase()),
            },
            Ty::Secret => format!("{:?}", snake(wire).to_ascii_uppercase()),
            Ty::I64 => ex.and_then(Value::as_i64).unwrap_or(1).to_string(),
            Ty::F64 => ex
                .and_then(Value::as_f64)
                .map(|f| format!("{f:?}"))
                .unwrap_or_else(|| "1.0".into()),
            Ty::Bool => ex.and_then(Value::as_bool).unwrap_or(true).to_string(),
            Ty::Value => "serde_json::json!({})".into(),
            Ty::Unit => "()".into(),
            Ty::Enum(n) => {
                let canon = self.enum_canon.get(n).unwrap_or(n);
                let v = self
                    .enums
                    .get(canon)
                    .and_then(|e| e.variants.first())
                    .map(|(v, _)| v.clone())
                    .unwrap_or_default();
                // The name the signature shows (an alias of the canonical enum
                // names its variants too).
                format!("genauth::types::{n}::{v}")
            }
            Ty::Vec(t) => match (&**t, ex) {
                (Ty::Str, Some(Value::Array(a))) if a.iter().all(Value::is_string) => {
                    let items: Vec<String> = a
                        .iter()
                        .filter_map(Value::as_str)
                        .map(|s| format!("{s:?}.into()"))
                        .collect();
                    format!("vec![{}]", items.join(", "))
                }
                (Ty::Str, _) => {
                    format!("vec![{}.into()]", self.example_expr(t, owner, wire, depth))
                }
                (Ty::Secret, _) => {
                    format!("vec![{}.into()]", self.example_expr(t, owner, wire, depth))
                }
                _ => format!("vec![{}]", self.example_expr(t, owner, wire, depth)),
            },
            Ty::Page(_) => "Default::default()".into(),
            Ty::Struct(n) => {
                let s = &self.structs[n];
                let path = format!("genauth::types::{n}");
                if self.struct_has_new(s) && depth < 4 {
                    let args: Vec<String> = s
                        .fields
                        .iter()
                        .filter(|f| f.required)
                        .map(|f| self.example_expr(&f.ty, n, &f.wire, depth + 1))
                        .collect();
                    format!("{path}::new({})", args.join(", "))
                } else {
                    format!("{path}::default()")
                }
            }
        }
    }

    /// The lines of an operation's example (the body of an async fn that has
    /// `client` and returns `Result<(), genauth::Error>`).
    pub fn example_lines(&self, op: &Op, pos: &[Field], rest: &[Field]) -> Vec<String> {
        let args: Vec<String> = pos
            .iter()
            .map(|f| {
                let (owner, _) = self.param_place(op, f);
                self.example_expr(&f.ty, &owner, &f.wire, 0)
            })
            .collect();
        let mut call = format!("client.{}({})", op.name, args.join(", "));
        // One optional setter shows the chaining: in the official SDK's
        // argument order, the first string with a documented example value,
        // else the first scalar or enum.
        let scalar = |f: &&Field| {
            matches!(f.ty, Ty::Str | Ty::I64 | Ty::F64 | Ty::Bool | Ty::Enum(_))
                && !self.paging_setter(op, f)
        };
        let py_pos = |f: &Field| {
            op.py_args
                .iter()
                .position(|a| a.wire == f.wire)
                .unwrap_or(usize::MAX)
        };
        let mut ordered: Vec<&Field> = rest.iter().filter(scalar).collect();
        ordered.sort_by_key(|f| py_pos(f));
        let with_example = ordered.iter().find(|f| {
            let (owner, _) = self.param_place(op, f);
            f.ty == Ty::Str && self.example(&owner, f).is_some()
        });
        if let Some(f) = with_example.or(ordered.first()) {
            let (owner, _) = self.param_place(op, f);
            let _ = write!(
                call,
                ".{}({})",
                setter_name(&f.ident),
                self.example_expr(&f.ty, &owner, &f.wire, 0)
            );
        }
        if self.pagination_args(op).is_some() {
            call.push_str(".page(1).page_size(10)");
        }
        let lines = match &op.output {
            Ty::Unit => vec![format!("{call}.await?;")],
            Ty::Page(_) => vec![
                format!("let page = {call}.await?;"),
                "println!(\"{} of {}\", page.list.len(), page.total_count);".to_owned(),
            ],
            _ => vec![
                format!("let data = {call}.await?;"),
                "println!(\"{data:?}\");".to_owned(),
            ],
        };
        lines
    }

    /// The generated module of the root test binary: every method's example
    /// as a function (type-checked with the tests), and a test that runs a
    /// handful of them against the emulator.
    pub fn emit_examples_module(&self) -> String {
        let mut f = String::from(crate::emit::HEADER);
        f.push_str(EXAMPLES_PREAMBLE);
        for op in &self.ops {
            let (pos, rest) = self.method_params(op);
            let _ = writeln!(
                f,
                "async fn {}_{}(client: &genauth::{}) -> Result<(), genauth::Error> {{",
                op.client.module(),
                op.name,
                op.client.rust_type()
            );
            for l in self.example_lines(op, &pos, &rest) {
                let _ = writeln!(f, "{l}");
            }
            f.push_str("Ok(())\n}\n\n");
        }
        f.push_str("#[tokio::test]\nasync fn a_handful_of_examples_run_against_the_emulator() {\n    let emu = genauth_emulator::Emulator::builder().start().await.unwrap();\n    let mgmt = genauth::ManagementClient::new(\n        genauth::ManagementClientOptions::new(\n            genauth_emulator::DEFAULT_ACCESS_KEY_ID,\n            genauth_emulator::DEFAULT_ACCESS_KEY_SECRET,\n        )\n        .host(emu.url()),\n    )\n    .unwrap();\n    let auth = genauth::AuthenticationClient::new(\n        genauth::AuthenticationClientOptions::new(genauth_emulator::DEFAULT_APP_ID, emu.url())\n            .app_secret(genauth_emulator::DEFAULT_APP_SECRET),\n    )\n    .unwrap();\n    let _ = &auth;\n");
        f.push_str("    let users = emu.user_count();\n");
        for (client, name) in RUN_EXAMPLES {
            let var = match client {
                Client::Authentication => "auth",
                Client::Management => "mgmt",
            };
            let Some(op) = self
                .ops
                .iter()
                .find(|o| o.client == *client && o.name == *name)
            else {
                panic!("RUN_EXAMPLES names {name}, which the description does not have");
            };
            let _ = writeln!(
                f,
                "    {}_{name}(&{var}).await.unwrap_or_else(|e| panic!(\"the example of `{name}` failed: {{e}}\"));\n    assert_eq!(emu.request_count({:?}), 1, \"the example of `{name}` calls its endpoint once\");",
                client.module(),
                op.path
            );
        }
        f.push_str("    assert_eq!(emu.user_count(), users + 1, \"the example of `create_user` created a user\");\n}\n");
        f
    }
}

/// The argument type of a setter (the `setters!` kinds `into`, `some`, `set`).
fn setter_ty(f: &Field) -> String {
    match &f.ty {
        Ty::Str => "impl Into<String>".into(),
        Ty::Secret => "impl Into<SecretString>".into(),
        t => t.rust(),
    }
}

/// The examples the generated test runs against the emulator (the others are
/// type-checked only).
const RUN_EXAMPLES: &[(Client, &str)] = &[
    (Client::Management, "create_user"),
    (Client::Management, "list_users"),
    (Client::Management, "create_role"),
    (Client::Management, "list_roles"),
    (Client::Management, "list_groups"),
    (Client::Management, "add"),
    (Client::Management, "list_webhooks"),
    (Client::Authentication, "get_country_list"),
];

pub const EXAMPLES_PATH: &str = "tests/generated_examples.rs";

const EXAMPLES_PREAMBLE: &str = r#"//! The example of every client method's doc, one function each (the docs mark
//! them `ignore`, so they cost no doctest compile): this module of the root
//! test binary type-checks them all, and `a_handful_of_examples_run_against_the_emulator`
//! runs a few. Unused functions are not code-generated.
#![allow(dead_code, unused_variables, clippy::all)]

"#;

#[cfg(test)]
mod tests {
    use super::*;

    /// The model of the real API description with the documented samples, or
    /// `None` (with a notice) when `../shared` is absent.
    fn real_model() -> Option<Model> {
        let spec_path = crate::default_spec(&crate::workspace_root());
        let Ok(text) = std::fs::read_to_string(&spec_path) else {
            eprintln!("skipped: no API description at {}", spec_path.display());
            return None;
        };
        let mut spec: Value = serde_json::from_str(&text).unwrap();
        crate::overrides::apply(&mut spec).unwrap();
        let mut m = crate::model::build(&spec).unwrap();
        let samples = spec_path
            .parent()
            .and_then(Path::parent)
            .unwrap()
            .join("conformance/docs-samples");
        m.prepare_docs(&samples).unwrap();
        Some(m)
    }

    fn op<'a>(m: &'a Model, client: Client, name: &str) -> &'a Op {
        m.ops
            .iter()
            .find(|o| o.client == client && o.name == name)
            .unwrap_or_else(|| panic!("no operation {name}"))
    }

    fn field<'a>(m: &'a Model, s: &str, wire: &str) -> &'a Field {
        m.structs[s].fields.iter().find(|f| f.wire == wire).unwrap()
    }

    /// The doc lines of DTO `s`'s field `wire`, joined.
    fn dto_field_doc(m: &Model, s: &str, wire: &str) -> String {
        m.field_lines(field(m, s, wire), s, Place::Dto, None, "", false)
            .join("\n")
    }

    #[test]
    fn a_field_doc_names_its_type_requiredness_enum_values_and_an_example() {
        let Some(m) = real_model() else { return };
        let status = dto_field_doc(&m, "UserDto", "status");
        assert!(
            status.starts_with("Status (wire `status`): enum [`UserDtoStatus`], required."),
            "{status}"
        );
        for v in [
            "`Suspended`",
            "`Resigned`",
            "`Activated`",
            "`Archived`",
            "`Deactivated`",
        ] {
            assert!(status.contains(v), "{status}");
        }
        let created = dto_field_doc(&m, "UserDto", "createdAt");
        assert!(created.contains("string, required"), "{created}");
        assert!(
            created.contains("Example: `\"2022-07-03T03:20:30.000Z\"`."),
            "{created}"
        );
        // A credential never shows an example value, and says it is redacted.
        let password = dto_field_doc(&m, "CreateUserReqDto", "password");
        assert!(password.contains("credential"), "{password}");
        assert!(!password.contains("Example"), "{password}");
        // A query parameter with the Node SDK's default says so.
        let get_user = op(&m, Client::Management, "get_user");
        let id_type = get_user
            .query
            .iter()
            .find(|f| f.wire == "userIdType")
            .unwrap();
        let doc = m
            .field_lines(
                id_type,
                &get_user.upper,
                Place::Query,
                Some(get_user),
                "",
                true,
            )
            .join("\n");
        assert!(
            doc.starts_with("Sets `userIdType` (query parameter): enum"),
            "{doc}"
        );
        assert!(
            doc.contains("The Node SDK sends `\"user_id\"` when unset"),
            "{doc}"
        );
    }

    #[test]
    fn a_dto_doc_lists_the_operations_that_send_or_return_it() {
        let Some(m) = real_model() else { return };
        let doc = m.struct_doc(&m.structs["ListUsersRequestDto"]);
        assert!(
            doc.contains("Sent by `ManagementClient::list_users`."),
            "{doc}"
        );
        let doc = m.struct_doc(&m.structs["UserDto"]);
        assert!(
            doc.contains("Returned by `AuthenticationClient::get_profile`"),
            "{doc}"
        );
        let get_user = m.ops.iter().position(|o| o.name == "get_user").unwrap();
        assert!(m.docs.usage["UserDto"].returned.contains(&get_user));
        // A nested type names the operations whose request it is inside.
        let doc = m.struct_doc(&m.structs["PaginationDto"]);
        assert!(doc.contains("Inside the request of"), "{doc}");
    }

    #[test]
    fn vague_names_get_a_summary_and_aliases() {
        let Some(m) = real_model() else { return };
        let add = op(&m, Client::Management, "add");
        assert!(is_vague(add));
        assert_eq!(
            m.op_summary(add),
            "Add: acts on `ip-list` (management API)."
        );
        let attrs = m.alias_attrs(add);
        assert!(
            attrs.contains("\"ip list\"") && attrs.contains("\"add ip list\""),
            "{attrs}"
        );
        let list = op(&m, Client::Authentication, "list");
        assert!(m.op_summary(list).contains("`mydevices/list`"));
        let delete = op(&m, Client::Management, "delete_by_id");
        assert!(
            is_vague(delete),
            "delete_by_id does not say it deletes from the IP list"
        );
        for clear in ["get_user", "list_users", "create_role", "assign_role"] {
            let o = op(&m, Client::Management, clear);
            assert!(!is_vague(o), "{clear}");
            assert_eq!(m.op_summary(o), format!("{}.", humanize(clear)));
        }
        // Aliases are never the item's own name (rustdoc rejects that).
        for o in &m.ops {
            assert!(!m.op_aliases(o).contains(&o.name), "{}", o.name);
        }
    }

    #[test]
    fn a_method_doc_lists_parameters_return_value_and_an_example() {
        let Some(m) = real_model() else { return };
        let get_user = op(&m, Client::Management, "get_user");
        let (pos, rest) = m.method_params(get_user);
        let doc = m.method_doc(get_user, &pos, &rest);
        for want in [
            "`GET /api/v3/get-user`",
            "# Parameters",
            "- `user_id: impl Into<String>`: User id (wire `userId` query parameter): string, required.",
            "`.user_id_type(GetUserUserIdType)`",
            "# Returns",
            "Object [`UserDto`]: the `data` of the response envelope.",
            "```ignore",
            "client.get_user(\"6229ffaxxxxxxxxcade3e3d9\")",
            "#[doc(alias(\"getUser\"))]",
        ] {
            assert!(doc.contains(want), "missing {want:?} in\n{doc}");
        }
        let list = op(&m, Client::Management, "list_users");
        let (pos, rest) = m.method_params(list);
        let doc = m.method_doc(list, &pos, &rest);
        assert!(doc.contains("[`Call::pages`]"), "{doc}");
        assert!(doc.contains(".page(1).page_size(10)"), "{doc}");
    }

    /// Text outside code spans: what rustdoc reads as Markdown.
    fn prose(line: &str) -> String {
        let mut out = String::new();
        let mut ticks = 0;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '`' {
                let mut n = 1;
                while chars.peek() == Some(&'`') {
                    chars.next();
                    n += 1;
                }
                ticks = if ticks == 0 {
                    n
                } else if ticks == n {
                    0
                } else {
                    ticks
                };
                out.push('`');
            } else if ticks == 0 {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn generated_doc_text_has_no_html_and_only_intra_doc_links() {
        let Some(m) = real_model() else { return };
        let mut docs = Vec::new();
        for s in m.structs.values() {
            docs.push(m.struct_doc(s));
            for f in &s.fields {
                docs.push(m.field_doc(f, &s.name, Place::Dto, None, ""));
            }
        }
        for o in &m.ops {
            let (pos, rest) = m.method_params(o);
            docs.push(m.method_doc(o, &pos, &rest));
            docs.push(m.op_struct_doc(o));
            for f in rest.iter().chain(&o.query) {
                let (owner, place) = m.param_place(o, f);
                docs.push(
                    m.field_lines(f, &owner, place, Some(o), "", true)
                        .join("\n"),
                );
            }
        }
        let mut in_code = false;
        for d in &docs {
            for line in d.lines() {
                let text = line.trim_start_matches("///").trim();
                if text.starts_with("```") {
                    in_code = !in_code;
                    continue;
                }
                if in_code || text.starts_with("#[doc") {
                    continue;
                }
                let p = prose(text);
                assert!(!p.contains(['<', '>']), "HTML-looking text in {line:?}");
                // Every `[` opens an intra-doc link: `[`Name`]` or `[`Name`](path)`.
                let cleaned = p.replace("[``](", "").replace("[``]", "");
                assert!(
                    !cleaned.contains('['),
                    "a bracket that is not a link in {line:?}"
                );
            }
        }
        assert!(!in_code, "an unclosed code block");
    }
}
