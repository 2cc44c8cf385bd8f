//! Reading a JWT's header and claims without checking anything.

use base64::Engine as _;
use serde_json::{json, Value};

use crate::Failure;

/// A JWT's header and claims, unverified.
#[derive(Debug, PartialEq)]
pub struct Decoded {
    /// The JOSE header.
    pub header: Value,
    /// The claims.
    pub claims: Value,
}

impl Decoded {
    /// `{"header": ..., "claims": ...}`.
    pub fn to_json(&self) -> Value {
        json!({ "header": self.header, "claims": self.claims })
    }
}

fn part(text: &str, what: &str) -> Result<Value, Failure> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|e| Failure::usage(format!("the token's {what} is not base64url: {e}")))?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| Failure::usage(format!("the token's {what} is not JSON: {e}")))?;
    if !value.is_object() {
        return Err(Failure::usage(format!(
            "the token's {what} is not a JSON object"
        )));
    }
    Ok(value)
}

/// Splits and decodes a compact JWT (`header.claims.signature`). Errors name
/// the part that is wrong, never the token.
pub fn decode(jwt: &str) -> Result<Decoded, Failure> {
    let parts: Vec<&str> = jwt.trim().split('.').collect();
    if parts.len() != 3 {
        return Err(Failure::usage(format!(
            "not a JWT: expected 3 dot-separated parts, found {}",
            parts.len()
        )));
    }
    Ok(Decoded {
        header: part(parts[0], "header")?,
        claims: part(parts[1], "claims")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(v: &str) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v)
    }

    #[test]
    fn decodes_header_and_claims_with_or_without_padding() {
        let jwt = format!(
            "{}.{}.c2ln",
            b64(r#"{"alg":"RS256","kid":"k1"}"#),
            b64(r#"{"sub":"u1","exp":5}"#)
        );
        let d = decode(&format!(" {jwt}\n")).unwrap();
        assert_eq!(d.header["kid"], "k1");
        assert_eq!(d.claims["sub"], "u1");
        // Padding some encoders leave is accepted.
        let padded = format!("{}==.{}.x", b64(r#"{"alg":"none"}"#), b64(r#"{"a":1}"#));
        assert_eq!(decode(&padded).unwrap().claims["a"], 1);
    }

    #[test]
    fn says_which_part_is_wrong_and_never_echoes_the_token() {
        let e = decode("abc").unwrap_err();
        assert_eq!(
            e.message,
            "not a JWT: expected 3 dot-separated parts, found 1"
        );
        assert_eq!(e.code, crate::EXIT_USAGE);
        let e = decode("a.b.c.d").unwrap_err();
        assert!(e.message.ends_with("found 4"), "{}", e.message);
        let e = decode(&format!("!!secretpart!!.{}.s", b64("{}"))).unwrap_err();
        assert!(
            e.message.starts_with("the token's header is not base64url"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("secretpart"));
        let e = decode(&format!("{}.{}.s", b64("{}"), b64("not json"))).unwrap_err();
        assert!(
            e.message.starts_with("the token's claims is not JSON"),
            "{}",
            e.message
        );
        let e = decode(&format!("{}.{}.s", b64("{}"), b64("[1]"))).unwrap_err();
        assert_eq!(e.message, "the token's claims is not a JSON object");
    }
}
