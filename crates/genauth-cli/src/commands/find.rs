//! `genauth find`: the operations whose name, path, Node name or aliases match.

use clap::Args;
use serde_json::{json, Value};

use super::{Cmd, Cx, Parent};
use crate::output::Format;
use crate::table::Op;
use crate::Failure;

/// List the operations whose name, path, Node SDK name or aliases match all the words
#[derive(Args, Debug)]
pub struct Find {
    /// Words that must all appear in the operation's name, path, Node SDK name or aliases
    #[arg(required = true, value_name = "WORDS")]
    words: Vec<String>,
}

/// The lowercase words of a text: split at anything not a letter or digit,
/// and at camelCase humps (`findIpList` is `find`, `ip`, `list`).
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in text.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The words an operation is found by: its name, path, Node SDK name, alias
/// and the rustdoc's search aliases.
pub fn haystack(client: &str, op: &Op) -> Vec<String> {
    let mut text = format!("{client} {} {} {} {}", op.name, op.path, op.node, op.alias);
    for k in op.keywords {
        text.push(' ');
        text.push_str(k);
    }
    words(&text)
}

/// The operations of both clients where every query word starts a word of
/// the haystack, best first: those whose command name or alias has every
/// word come before the others.
pub fn find(query: &[String]) -> Vec<(&'static str, &'static Op)> {
    let query: Vec<String> = query.iter().flat_map(|w| words(w)).collect();
    let mut hits: Vec<(bool, &'static str, &'static Op)> = Vec::new();
    if query.is_empty() {
        return Vec::new();
    }
    for (client, table) in [("auth", crate::auth_ops()), ("mgmt", crate::mgmt_ops())] {
        for op in table {
            let hay = haystack(client, op);
            let has = |hay: &[String]| {
                query
                    .iter()
                    .all(|q| hay.iter().any(|w| w.starts_with(q.as_str())))
            };
            if has(&hay) {
                let own = words(&format!("{} {}", op.name, op.alias));
                hits.push((!has(&own), client, op));
            }
        }
    }
    hits.sort_by(|a, b| (a.0, a.1, a.2.name).cmp(&(b.0, b.1, b.2.name)));
    hits.into_iter().map(|(_, c, o)| (c, o)).collect()
}

impl Cmd for Find {
    const NAME: &'static str = "find";
    const PARENTS: &'static [Parent] = &[Parent::Top];
    fn run(self, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
        let rows: Vec<Value> = find(&self.words)
            .into_iter()
            .map(|(client, op)| {
                json!({
                    "command": format!("genauth {client} {}", crate::command_name(op)),
                    "alias": if op.alias.is_empty() { Value::Null } else { json!(op.alias) },
                    "route": format!("{} {}", op.method, op.path),
                    "summary": op.summary,
                })
            })
            .collect();
        if rows.is_empty() {
            return Err(Failure {
                code: crate::EXIT_API,
                message: format!("no operation matches `{}`", self.words.join(" ")),
            });
        }
        if cx.global.fields.is_empty() {
            cx.global.fields = ["command", "alias", "route", "summary"]
                .map(String::from)
                .to_vec();
        }
        cx.print_as(Format::Table, &Value::Array(rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_list_finds_the_vague_add_first_among_its_kin() {
        let hits = find(&["ip list".to_owned()]);
        let names: Vec<&str> = hits.iter().map(|(_, o)| o.name).collect();
        assert!(names.contains(&"add"), "{names:?}");
        assert!(names.contains(&"find_ip_list"), "{names:?}");
        // Every hit has a word starting with each: `multiple` is no `ip`.
        for (c, o) in &hits {
            let h = haystack(c, o);
            assert!(h.iter().any(|w| w.starts_with("ip")), "{}", o.name);
            assert!(h.iter().any(|w| w.starts_with("list")), "{}", o.name);
        }
        assert!(!names.contains(&"list_multiple_tenant_admin"), "{names:?}");
        // The operations named by the words (or their alias) come first.
        assert_eq!(names[..3], ["add", "delete_by_id", "find_ip_list"]);
        assert_eq!(
            words("findIpList /api/v3/ip-list get_user"),
            ["find", "ip", "list", "api", "v3", "ip", "list", "get", "user"]
        );
        // The Node SDK's name finds its operation.
        let hits = find(&["getUserBatch".to_owned()]);
        assert!(hits
            .iter()
            .any(|(c, o)| *c == "mgmt" && o.name == "get_user_batch"));
        assert!(find(&["no-such-words-here".to_owned()]).is_empty());
    }
}
