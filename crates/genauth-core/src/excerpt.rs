//! Short, redacted excerpts of response bodies for error messages.

/// The most characters an excerpt keeps.
pub const EXCERPT_CHARS: usize = 160;

const SENSITIVE_KEYS: &[&str] = &[
    "token",
    "secret",
    "password",
    "passcode",
    "pass_code",
    "code",
    "ticket",
    "authorization",
    "cookie",
    "key",
];

fn is_sensitive_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    SENSITIVE_KEYS.iter().any(|s| k.contains(s)) && !k.ends_with("statuscode") && k != "apicode"
}

fn redact_value(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if is_sensitive_key(k) && (val.is_string() || val.is_number()) {
                    *val = serde_json::Value::String(genauth_types::secret::REDACTED.into());
                } else {
                    redact_value(val);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_value),
        _ => {}
    }
}

/// Masks long runs of token-like characters (JWTs, opaque tokens, keys).
fn mask_token_runs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().count() >= 24 {
            out.push_str(genauth_types::secret::REDACTED);
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+' | '/' | '=') {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// A short excerpt of `body` that is safe to show: values of sensitive JSON keys
/// and long token-like runs are replaced by `[redacted]`, and control characters
/// by spaces.
pub fn excerpt(body: &[u8]) -> String {
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut v) => {
            redact_value(&mut v);
            v.to_string()
        }
        Err(_) => mask_token_runs(&String::from_utf8_lossy(body)),
    };
    let mut out: String = text
        .chars()
        .take(EXCERPT_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_sensitive_keys_in_json() {
        let e = excerpt(br#"{"statusCode":200,"data":{"access_token":"abc","user":"bob"}}"#);
        assert!(e.contains("\"statusCode\":200"), "{e}");
        assert!(e.contains("bob"));
        assert!(!e.contains("abc"));
    }

    #[test]
    fn masks_token_runs_in_broken_json_and_truncates() {
        let body = format!(
            "{{\"access_token\":\"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.sig{}",
            "x".repeat(500)
        );
        let e = excerpt(body.as_bytes());
        assert!(!e.contains("eyJhbGci"), "{e}");
        assert!(e.chars().count() <= EXCERPT_CHARS + 1);
    }
}
