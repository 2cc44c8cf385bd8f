//! The parameter table of the `genauth` command-line tool
//! (`crates/genauth-cli/src/generated/ops.rs`).
//!
//! One `op!` line per operation: its type (so the CLI builds the request
//! through the library's own operation), whether it pages, and one `p(...)`
//! per parameter: the flag (the Rust field with `_` turned into `-`), the wire
//! key the operation deserializes from, the value kind (with enum values), where
//! it goes on the wire and whether it is required. Everything else (name,
//! route, credential) comes from the operation's `Operation` constants.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::emit::HEADER;
use crate::model::{is_secret, Client, Encoding, Field, Model, Op, Ty};

/// Where the generated table goes.
pub const PATH: &str = "crates/genauth-cli/src/generated/ops.rs";

/// Flags every operation subcommand has; a parameter named like one of them
/// gets `-param` appended (`--data-param`).
const RESERVED: &[&str] = &["data", "dry-run", "show-secrets", "all", "help"];

fn canon<'a>(model: &'a Model, n: &'a str) -> &'a str {
    model.enum_canon.get(n).map(String::as_str).unwrap_or(n)
}

fn kind(model: &Model, ty: &Ty, wire: &str) -> String {
    match ty {
        Ty::Str if is_secret(wire) => "K::Secret".into(),
        Ty::Str => "K::Str".into(),
        Ty::Secret => "K::Secret".into(),
        Ty::I64 => "K::Int".into(),
        Ty::F64 => "K::Float".into(),
        Ty::Bool => "K::Bool".into(),
        Ty::Enum(n) => {
            let e = &model.enums[canon(model, n)];
            let vals: Vec<String> = e.variants.iter().map(|(_, w)| format!("{w:?}")).collect();
            format!("K::Enum(&[{}])", vals.join(", "))
        }
        Ty::Vec(t) => match t.as_ref() {
            Ty::Str | Ty::Secret | Ty::I64 | Ty::F64 | Ty::Bool | Ty::Enum(_) => {
                format!("K::List(&{})", kind(model, t, wire))
            }
            _ => "K::Json".into(),
        },
        Ty::Value | Ty::Struct(_) | Ty::Page(_) | Ty::Unit => "K::Json".into(),
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
        "p({fl:?}, {:?}, {}, L::{loc}, {})",
        f.wire,
        kind(model, &f.ty, &f.wire),
        f.required
    )
}

/// Renders the table.
pub fn render(model: &Model) -> String {
    let mut out = String::from(HEADER);
    out.push_str(
        "//! Every operation's subcommand: its type and its parameters (see `crate::table`).\n\n\
         use crate::table::{op, p, Op, K, L};\n\
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
            let _ = writeln!(
                out,
                "op!({paged}{side} {module}::{}; {}),",
                op.upper,
                params.join(", ")
            );
        }
        out.push_str("];\n\n");
    }
    out
}
