//! Short, redacted excerpts of response bodies for error messages.

/// The most characters an excerpt keeps.
pub const EXCERPT_CHARS: usize = 160;

/// Keys whose string values are shown in excerpts: the envelope's own
/// fields, which carry no credential. Every other string value is masked.
const SHOWN_KEYS: &[&str] = &["statusCode", "message", "apiCode", "requestId"];

/// Key names under which even a number or a boolean is masked (a numeric pass
/// code, a TOTP, a ticket id).
const SENSITIVE_KEYS: &[&str] = &[
    "token",
    "secret",
    "password",
    "passcode",
    "pass_code",
    "code",
    "ticket",
    "totp",
    "otp",
    "authorization",
    "cookie",
    "key",
    "session",
    "jwt",
    "credential",
    "signature",
];

fn is_sensitive_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    SENSITIVE_KEYS.iter().any(|s| k.contains(s)) && !k.ends_with("statuscode") && k != "apicode"
}

fn redacted() -> serde_json::Value {
    serde_json::Value::String(genauth_types::secret::REDACTED.into())
}

/// Masks every string value except those of [`SHOWN_KEYS`], and numbers under
/// sensitive-looking keys. Keys, numbers, booleans and `null` stay: the
/// structure is what helps to understand a decode error.
fn redact_value(v: &mut serde_json::Value, key: Option<&str>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                redact_value(val, Some(k));
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|i| redact_value(i, key)),
        serde_json::Value::String(_) => {
            if !key.is_some_and(|k| SHOWN_KEYS.contains(&k)) {
                *v = redacted();
            }
        }
        serde_json::Value::Number(_) | serde_json::Value::Bool(_) => {
            if key.is_some_and(is_sensitive_key) {
                *v = redacted();
            }
        }
        serde_json::Value::Null => {}
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

/// Masks every quoted string of a text that is not valid JSON (a cut or broken
/// body), keeping the short identifier-like ones that are followed by `:`
/// (object keys), then masks long token-like runs in what is left.
fn mask_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '"' {
            out.push(c);
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut j = start;
        let mut escaped = false;
        while j < chars.len() {
            match chars[j] {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => break,
                _ => {}
            }
            j += 1;
        }
        let content: String = chars[start..j.min(chars.len())].iter().collect();
        let closed = j < chars.len();
        let next = chars[(j + 1).min(chars.len())..]
            .iter()
            .find(|c| !c.is_whitespace());
        let is_key = closed
            && next == Some(&':')
            && content.len() <= 40
            && content
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        out.push('"');
        if is_key {
            out.push_str(&content);
        } else {
            out.push_str(genauth_types::secret::REDACTED);
        }
        if closed {
            out.push('"');
        }
        i = j + 1;
    }
    mask_token_runs(&out)
}

/// A short excerpt of `body` that is safe to show. In valid JSON the structure,
/// numbers, booleans and the envelope's `statusCode`, `message`, `apiCode` and
/// `requestId` are kept and every other string value becomes `[redacted]`; in a
/// body that is not valid JSON every quoted string but object keys is masked,
/// and so is every run of 24 or more token-like characters. Control characters
/// become spaces.
pub fn excerpt(body: &[u8]) -> String {
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut v) => {
            redact_value(&mut v, None);
            v.to_string()
        }
        Err(_) => mask_strings(&String::from_utf8_lossy(body)),
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
        assert!(e.contains("\"user\""), "{e}");
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

    #[test]
    fn every_string_but_the_envelope_fields_is_masked() {
        let e = excerpt(br#"{"statusCode":400,"message":"bad","apiCode":2004,"requestId":"rq-1","data":{"jwt":"eyJ.x.y"}}"#);
        for shown in ["\"message\":\"bad\"", "rq-1", "2004", "\"jwt\""] {
            assert!(e.contains(shown), "{shown} in {e}");
        }
        assert!(!e.contains("eyJ.x.y"), "{e}");
        let e = excerpt(br#"{"session_id":"s-123","totp":"654321","passCode":123456,"ok":true,"n":3,"list":["a1b2"]}"#);
        for shown in ["\"ok\":true", "\"n\":3", "\"session_id\""] {
            assert!(e.contains(shown), "{shown} in {e}");
        }
        for hidden in ["s-123", "654321", "123456", "a1b2"] {
            assert!(!e.contains(hidden), "{hidden} in {e}");
        }
    }

    #[test]
    fn broken_json_masks_every_string_value() {
        for body in [
            r#"{"access_token":"tk_8f3Kq9Zx2","#,
            r#"{"password":"hunter2-pw" "#,
            r#"{"data":{"ticket":"ST-1-abc"}"#,
            r#"{"password":"unterminated hunter2-pw"#,
        ] {
            let e = excerpt(body.as_bytes());
            for secret in ["tk_8f3Kq9Zx2", "hunter2-pw", "ST-1-abc"] {
                assert!(!e.contains(secret), "{secret} in {e}");
            }
            assert!(e.contains("[redacted]"), "{e}");
        }
        let e = excerpt(br#"{"access_token":"tk_8f3Kq9Zx2","#);
        assert!(e.contains("\"access_token\""), "{e}");
    }
}
