//! The parameter table of the `genauth` command-line tool
//! (`crates/genauth-cli/src/generated/ops.rs`).
//!
//! One `op!` line per operation: its type (so the CLI builds the request
//! through the library's own operation), whether it pages, the facts its help
//! shares with the generated rustdoc (the summary, which says what a vague name
//! acts on; the output; the Node SDK's name; a descriptive alias for a vague
//! name; search words), and one `Param::new(...)` per parameter: the flag (the
//! Rust field with `_` turned into `-`), the wire key the operation
//! deserializes from, the value kind (with enum values), where it goes on the
//! wire, whether it is required, and the rustdoc's lines about it (type,
//! allowed values, the Node SDK's default, an example). Name, route and
//! credential come from the operation's `Operation` constants.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::docs::{endpoint, is_vague};
use crate::emit::HEADER;
use crate::model::{is_secret, Client, Encoding, Field, Model, Op, Ty};

/// Where the generated table goes.
pub const PATH: &str = "crates/genauth-cli/src/generated/ops.rs";

/// Flags every operation subcommand has; a parameter named like one of them
/// gets `-param` appended (`--data-param`).
const RESERVED: &[&str] = &[
    "data",
    "dry-run",
    "show-secrets",
    "all",
    "help",
    "output",
    "fields",
];

fn canon<'a>(model: &'a Model, n: &'a str) -> &'a str {
    model.enum_canon.get(n).map(String::as_str).unwrap_or(n)
}

fn kind(model: &Model, ty: &Ty, wire: &str) -> String {
    match ty {
        Ty::Str if is_secret(wire) => "Secret".into(),
        Ty::Str => "Str".into(),
        Ty::Secret => "Secret".into(),
        Ty::I64 => "Int".into(),
        Ty::F64 => "Float".into(),
        Ty::Bool => "Bool".into(),
        Ty::Enum(n) => {
            let e = &model.enums[canon(model, n)];
            let vals: Vec<String> = e.variants.iter().map(|(_, w)| format!("{w:?}")).collect();
            format!("Enum(&[{}])", vals.join(", "))
        }
        Ty::Vec(t) => match t.as_ref() {
            Ty::Str | Ty::Secret | Ty::I64 | Ty::F64 | Ty::Bool | Ty::Enum(_) => {
                format!("List(&{})", kind(model, t, wire))
            }
            _ => "Json".into(),
        },
        Ty::Value | Ty::Struct(_) | Ty::Page(_) | Ty::Unit => "Json".into(),
    }
}

fn flag(f: &Field) -> String {
    f.ident.trim_start_matches("r#").replace('_', "-")
}

fn param(model: &Model, op: &Op, f: &Field, loc: &str, seen: &mut BTreeSet<String>) -> String {
    let mut fl = flag(f);
    // `--data` (of `capture`, `create_row`, ...) would hide the CLI's own flag.
    if RESERVED.contains(&fl.as_str()) {
        fl.push_str("-param");
    }
    assert!(
        seen.insert(fl.clone()),
        "{}: two parameters share --{fl}",
        op.name
    );
    format!(
        "Param::new({fl:?}, {:?}, {}, {loc}, {}, {:?})",
        f.wire,
        kind(model, &f.ty, &f.wire),
        f.required,
        param_help(model, op, f)
    )
}

/// Rustdoc text as terminal text: intra-doc links become their names.
pub fn plain(doc: &str) -> String {
    doc.replace("[`", "`").replace("`]", "`")
}

/// The help of a parameter: the lines the rustdoc gives the same field
/// (type, required, the Node SDK's default, an example), one per line.
/// The allowed values of an enum are left to clap, which lists them all.
/// Facts the operations on the same endpoint give a plain-string field that
/// has none of its own: the values one of them allows for the same wire name,
/// and a value one of them documents for it.
pub fn param_help(model: &Model, op: &Op, f: &Field) -> String {
    let (owner, place) = model.param_place(op, f);
    let mut lines: Vec<String> = model
        .field_lines(f, &owner, place, Some(op), "", false)
        .iter()
        .filter(|l| !l.starts_with("One of "))
        .map(|l| plain(l))
        .collect();
    let has_example = lines.iter().any(|l| l.starts_with("Example"));
    lines.extend(sibling_facts(model, op, f, has_example));
    lines.join("\n")
}

fn fits(ty: &Ty, v: &serde_json::Value) -> bool {
    match ty {
        Ty::Str => v.is_string(),
        Ty::I64 => v.is_i64() || v.is_u64(),
        Ty::F64 => v.is_number(),
        Ty::Bool => v.is_boolean(),
        Ty::Vec(t) => v
            .as_array()
            .is_some_and(|a| !a.is_empty() && a.iter().all(|x| fits(t, x))),
        _ => false,
    }
}

/// The structs an operation's output is made of, two levels deep.
fn output_structs(model: &Model, op: &Op) -> Vec<String> {
    let mut out = Vec::new();
    op.output.walk(&mut |t| {
        if let Ty::Struct(n) = t {
            out.push(n.clone());
        }
    });
    let first = out.clone();
    for n in first {
        if let Some(s) = model.structs.get(&n) {
            for f in &s.fields {
                f.ty.walk(&mut |t| {
                    if let Ty::Struct(n) = t {
                        out.push(n.clone());
                    }
                });
            }
        }
    }
    out
}

fn sibling_facts(model: &Model, op: &Op, f: &Field, has_example: bool) -> Vec<String> {
    let mut lines = Vec::new();
    let plain_str = matches!(f.ty, Ty::Str) || f.ty == Ty::Vec(Box::new(Ty::Str));
    if !plain_str || is_secret(&f.wire) {
        return lines;
    }
    let here = endpoint(&op.path);
    let siblings: Vec<&Op> = model
        .ops
        .iter()
        .filter(|o| o.client == op.client && o.name != op.name && endpoint(&o.path) == here)
        .collect();
    for s in &siblings {
        let body = s
            .body
            .as_ref()
            .and_then(|b| model.structs.get(b))
            .map(|b| b.fields.as_slice())
            .unwrap_or(&[]);
        let same = s
            .query
            .iter()
            .chain(&s.path_params)
            .chain(body)
            .find(|x| x.wire == f.wire);
        if let Some(Field {
            ty: Ty::Enum(n), ..
        }) = same
        {
            let e = &model.enums[canon(model, n)];
            let vals: Vec<&str> = e.variants.iter().map(|(_, w)| w.as_str()).collect();
            lines.push(format!(
                "`{}` takes `{}` as one of: {}.",
                s.name,
                f.wire,
                vals.join(", ")
            ));
            break;
        }
    }
    if !has_example {
        'found: for s in &siblings {
            let mut owners = vec![s.upper.clone()];
            owners.extend(s.body.clone());
            owners.extend(output_structs(model, s));
            for o in owners {
                let v = model.docs.examples.get(&(o, f.wire.clone()));
                if let Some(text) = v
                    .filter(|v| fits(&f.ty, v))
                    .and_then(crate::docs::example_text)
                {
                    lines.push(format!(
                        "Example (a value `{}` documents for `{}`): `{text}`.",
                        s.name, f.wire
                    ));
                    break 'found;
                }
            }
        }
    }
    lines
}

/// The descriptive alias of a vague operation name: the endpoint, then the
/// name (`add` on `/api/v3/ip-list` answers to `ip-list-add`).
pub fn descriptive_alias(op: &Op) -> Option<String> {
    if !is_vague(op) {
        return None;
    }
    let ep = endpoint(&op.path)
        .replace(['/', '_'], "-")
        .to_ascii_lowercase();
    let name = op.name.replace('_', "-");
    (!ep.is_empty()).then(|| format!("{ep}-{name}"))
}

/// The aliases of one client's operations, by operation name: a descriptive
/// alias is kept only when no command or other alias has the same name.
fn aliases(ops: &[&Op]) -> BTreeMap<String, String> {
    let names: BTreeSet<String> = ops.iter().map(|o| o.name.replace('_', "-")).collect();
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    let wanted: Vec<(String, String)> = ops
        .iter()
        .filter_map(|o| descriptive_alias(o).map(|a| (o.name.clone(), a)))
        .collect();
    for (_, a) in &wanted {
        *count.entry(a.clone()).or_default() += 1;
    }
    wanted
        .into_iter()
        .filter(|(_, a)| count[a] == 1 && !names.contains(a))
        .collect()
}

/// Renders the table.
pub fn render(model: &Model) -> String {
    let mut out = String::from(HEADER);
    out.push_str(
        "//! Every operation's subcommand: its type, its help and its parameters (see `crate::table`).\n\n\
         use crate::table::Location::*;\n\
         use crate::table::ParamKind::*;\n\
         use crate::table::{op, Op, Param};\n\
         use genauth_core::ops::authentication as a;\n\
         use genauth_core::ops::management as m;\n\n",
    );
    for client in [Client::Authentication, Client::Management] {
        let (konst, module, side) = match client {
            Client::Authentication => ("AUTH", "a", "auth"),
            Client::Management => ("MGMT", "m", "mgmt"),
        };
        let _ = writeln!(
            out,
            "/// The {} client's operations, sorted by name.\npub static {konst}: &[Op] = &[",
            client.module()
        );
        let mut ops: Vec<&Op> = model.ops.iter().filter(|o| o.client == client).collect();
        ops.sort_by(|a, b| a.name.cmp(&b.name));
        let alias = aliases(&ops);
        for op in ops {
            let mut seen = BTreeSet::new();
            let mut params = Vec::new();
            for f in &op.path_params {
                params.push(param(model, op, f, "Path", &mut seen));
            }
            let body_loc = match op.encoding {
                Encoding::Form => "Form",
                _ => "Body",
            };
            match &op.body {
                Some(b) => {
                    for f in &model.structs[b].fields {
                        params.push(param(model, op, f, body_loc, &mut seen));
                    }
                }
                None => {
                    let loc = match op.encoding {
                        Encoding::Query => "Query",
                        _ => body_loc,
                    };
                    for f in &op.query {
                        params.push(param(model, op, f, loc, &mut seen));
                    }
                }
            }
            let paged = if model.pagination_args(op).is_some() {
                "pages "
            } else {
                ""
            };
            let keywords: Vec<String> = model
                .op_aliases(op)
                .iter()
                .map(|a| format!("{a:?}"))
                .collect();
            let _ = writeln!(
                out,
                "op!({paged}{side} {module}::{}; {:?}, {:?}, {:?}, {:?}, &[{}]; {}),",
                op.upper,
                plain(&model.op_summary(op)),
                plain(&model.returns_phrase(op, "")),
                op.node_method,
                alias.get(&op.name).map(String::as_str).unwrap_or(""),
                keywords.join(", "),
                params.join(", ")
            );
        }
        out.push_str("];\n\n");
    }
    out
}
