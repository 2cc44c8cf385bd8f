//! Answers for the operations the emulator has no stateful behaviour for.
//!
//! Every such operation is looked up in an [`OperationTable`]: the request's
//! query or body is validated against the operation's parameter type, and a
//! well-formed default of the output type is returned. The generated operation
//! registry of `genauth-core` is one such table; tests may pass a small one of
//! their own.

use genauth_core::AuthKind;

/// One operation of a table: enough to validate a request and answer it.
#[derive(Debug, Clone, Copy)]
pub struct TableEntry {
    /// The official method name, e.g. `get_user`.
    pub name: &'static str,
    /// The credential the operation is sent with.
    pub auth: AuthKind,
    /// Whether a [`AuthKind::UserToken`] operation is answered without a
    /// login (sign-up, pass codes, ...): then no token is checked.
    pub login_free: bool,
    /// Whether the answer is the `{statusCode, message, data}` envelope.
    pub envelope: bool,
    /// Checks the query string (for query operations) or the body: `Err`
    /// names the missing or invalid field.
    pub validate: fn(query: Option<&str>, body: &[u8]) -> Result<(), String>,
    /// A well-formed default of the output, as JSON.
    pub sample_output: fn() -> serde_json::Value,
}

/// A set of operations, found by HTTP method and the path as sent.
pub trait OperationTable: Send + Sync + 'static {
    /// The operation for `method` and `path`, if the table has one.
    fn find(&self, method: &str, path: &str) -> Option<TableEntry>;
}

/// A table without operations: everything unknown is answered with 404.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmptyTable;

impl OperationTable for EmptyTable {
    fn find(&self, _method: &str, _path: &str) -> Option<TableEntry> {
        None
    }
}

/// A table given as a list of `(method, path template, entry)`; templates match
/// segment by segment, `{name}` matching any one non-empty segment.
#[derive(Debug, Clone, Default)]
pub struct StaticTable {
    entries: Vec<(&'static str, &'static str, TableEntry)>,
}

impl StaticTable {
    /// A table of these entries.
    pub fn new(entries: Vec<(&'static str, &'static str, TableEntry)>) -> Self {
        Self { entries }
    }
}

/// Whether `path` matches the template `template` segment by segment.
pub fn path_matches(template: &str, path: &str) -> bool {
    let mut t = template.split('/');
    let mut p = path.split('/');
    loop {
        match (t.next(), p.next()) {
            (None, None) => return true,
            (Some(ts), Some(ps)) => {
                let is_param = ts.starts_with('{') && ts.ends_with('}');
                if is_param {
                    if ps.is_empty() {
                        return false;
                    }
                } else if ts != ps {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

impl OperationTable for StaticTable {
    fn find(&self, method: &str, path: &str) -> Option<TableEntry> {
        self.entries
            .iter()
            .find(|(m, t, _)| m.eq_ignore_ascii_case(method) && path_matches(t, path))
            .map(|(_, _, e)| *e)
    }
}

/// The generated registry of `genauth-core`: every operation of the V3 API.
/// This is the emulator's default table.
#[derive(Debug, Clone, Copy, Default)]
pub struct RegistryTable;

impl OperationTable for RegistryTable {
    fn find(&self, method: &str, path: &str) -> Option<TableEntry> {
        genauth_core::ops::registry::find(method, path).map(|m| TableEntry {
            name: m.name,
            auth: m.auth,
            login_free: m.login_free,
            envelope: m.envelope,
            validate: m.validate,
            sample_output: m.sample_output,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_segment_by_segment() {
        assert!(path_matches("/api/v3/ip-list/{id}", "/api/v3/ip-list/abc"));
        assert!(!path_matches("/api/v3/ip-list/{id}", "/api/v3/ip-list/"));
        assert!(!path_matches("/api/v3/ip-list/{id}", "/api/v3/ip-list/a/b"));
        assert!(!path_matches("/api/v3/ip-list", "/api/v3/ip-lists"));
        assert!(path_matches("/api/v3/x", "/api/v3/x"));
    }
}
