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

/// The text an operation is searched in, lowercase.
pub fn haystack(client: &str, op: &Op) -> String {
    let mut s = format!(
        "{client} {} {} {} {} {} {}",
        op.name,
        op.name.replace('_', " "),
        op.path,
        op.path.replace(['/', '-', '_'], " "),
        op.node,
        op.alias,
    );
    for k in op.keywords {
        s.push(' ');
        s.push_str(k);
    }
    s.to_lowercase()
}

/// The operations of both clients that match every word, best first:
/// those whose command name has every word come before the others.
pub fn find(words: &[String]) -> Vec<(&'static str, &'static Op)> {
    let words: Vec<String> = words
        .iter()
        .flat_map(|w| w.split_whitespace())
        .map(str::to_lowercase)
        .collect();
    let mut hits: Vec<(bool, &'static str, &'static Op)> = Vec::new();
    for (client, table) in [("auth", crate::auth_ops()), ("mgmt", crate::mgmt_ops())] {
        for op in table {
            let hay = haystack(client, op);
            if words.iter().all(|w| hay.contains(w.as_str())) {
                let name = format!("{} {}", op.name, op.alias).replace(['_', '-'], " ");
                let strong = words.iter().all(|w| name.contains(w.as_str()));
                hits.push((!strong, client, op));
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
        // Every hit has both words somewhere.
        for (c, o) in &hits {
            let h = haystack(c, o);
            assert!(h.contains("ip") && h.contains("list"), "{}", o.name);
        }
        // The Node SDK's name finds its operation.
        let hits = find(&["getUserBatch".to_owned()]);
        assert!(hits
            .iter()
            .any(|(c, o)| *c == "mgmt" && o.name == "get_user_batch"));
        assert!(find(&["no-such-words-here".to_owned()]).is_empty());
    }
}
