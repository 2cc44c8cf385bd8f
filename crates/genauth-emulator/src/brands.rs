//! Both brands at the emulator's door: a request may carry `x-genauth-*`
//! (GenAuth) or `x-authing-*` (Authing) headers. The handlers read the
//! `x-genauth-*` names, so each `x-authing-*` header is also made available
//! under its `x-genauth-*` name (the originals stay, for signature checks).

use http::header::{HeaderMap, HeaderName};

const AUTHING: &str = "x-authing-";
const GENAUTH: &str = "x-genauth-";

/// Copies every `x-authing-<rest>` header to `x-genauth-<rest>` unless the
/// request already has that one.
pub(crate) fn normalize(headers: &mut HeaderMap) {
    let copies: Vec<(HeaderName, http::HeaderValue)> = headers
        .iter()
        .filter_map(|(k, v)| {
            let rest = k.as_str().strip_prefix(AUTHING)?;
            let name = HeaderName::from_bytes(format!("{GENAUTH}{rest}").as_bytes()).ok()?;
            (!headers.contains_key(&name)).then(|| (name, v.clone()))
        })
        .collect();
    for (k, v) in copies {
        headers.append(k, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authing_headers_are_read_under_genauth_names() {
        let mut h = HeaderMap::new();
        h.insert("x-authing-userpool-id", "p1".parse().unwrap());
        h.insert("x-authing-app-id", "a1".parse().unwrap());
        h.insert("x-genauth-app-id", "a2".parse().unwrap());
        normalize(&mut h);
        assert_eq!(h["x-genauth-userpool-id"], "p1");
        assert_eq!(h["x-authing-userpool-id"], "p1");
        // A GenAuth header already present wins.
        assert_eq!(h["x-genauth-app-id"], "a2");
        assert_eq!(h.get_all("x-genauth-app-id").iter().count(), 1);
    }
}
