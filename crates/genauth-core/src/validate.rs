//! Checks of the values that decide where requests and users are sent: hosts,
//! redirect URIs, secrets, and whether plain `http` is acceptable.

use crate::error::ConfigError;

fn invalid(option: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::InvalidUrl {
        option,
        reason: reason.into(),
    }
}

/// Checks the parts of a host option that `http::Uri` lets through: no user
/// info (`user@host`), no fragment, no query, no whitespace or control
/// characters, a host made of DNS characters (or a bracketed IPv6 address), and
/// a port, when given, from 1 to 65535.
pub fn check_host(option: &'static str, url: &str) -> Result<(), ConfigError> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(option, "whitespace is not allowed in a host"));
    }
    if url.contains('#') {
        return Err(invalid(option, "a fragment (`#...`) is not allowed"));
    }
    if url.contains('?') {
        return Err(invalid(option, "a query string is not allowed"));
    }
    let rest = url
        .split_once("://")
        .map(|(_, rest)| rest)
        .ok_or_else(|| invalid(option, "the URL has no scheme"))?;
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.contains('@') {
        return Err(invalid(option, "user info (`user@`) is not allowed"));
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (addr, after) = v6
            .split_once(']')
            .ok_or_else(|| invalid(option, "an IPv6 address needs a closing `]`"))?;
        if addr.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(invalid(option, "not a valid IPv6 address"));
        }
        match after {
            "" => (addr, None),
            p => (
                addr,
                Some(
                    p.strip_prefix(':')
                        .ok_or_else(|| invalid(option, "unexpected text after the host"))?,
                ),
            ),
        }
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if !authority.starts_with('[')
        && (host.is_empty()
            || !host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_'))
    {
        return Err(invalid(
            option,
            format!("`{host}` is not a host name (letters, digits, `-` and `.`)"),
        ));
    }
    if let Some(port) = port {
        match port.parse::<u16>() {
            Ok(p) if p != 0 => {}
            _ => {
                return Err(invalid(
                    option,
                    format!("`{port}` is not a port (1 to 65535)"),
                ))
            }
        }
    }
    Ok(())
}

/// Whether a normalized host URL names this machine: `localhost` (or a name
/// under it), `127.0.0.0/8` or `::1`.
pub fn is_loopback(url: &str) -> bool {
    let Ok(uri) = url.parse::<http::Uri>() else {
        return false;
    };
    let Some(host) = uri.host() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") || host.to_ascii_lowercase().ends_with(".localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// Whether a normalized URL is sent in clear (`http://` or `ws://`).
pub fn is_plain(url: &str) -> bool {
    let lower = url.get(..5).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("http:") || lower.starts_with("ws:")
}

/// Refuses a plain `http://` (or `ws://`) URL to anything but this machine,
/// unless `allow_insecure_http` is set: credentials would cross the network in
/// clear.
pub fn check_transport_security(
    option: &'static str,
    url: &str,
    allow_insecure_http: bool,
) -> Result<(), ConfigError> {
    if is_plain(url) && !allow_insecure_http && !is_loopback(url) {
        return Err(ConfigError::Invalid {
            option,
            reason: format!(
                "`{url}` is plain http: credentials would be sent in clear. Use https, \
                 or set `allow_insecure_http(true)` if this network is trusted"
            ),
        });
    }
    Ok(())
}

/// Refuses a redirect URI that a browser would run or read locally rather than
/// navigate to (`javascript:`, `data:`, `vbscript:`, `file:`), one without a
/// scheme, one with a fragment, and one with whitespace or control characters.
/// Custom schemes of native apps (`com.example.app:/callback`) are accepted.
pub fn check_redirect_uri(option: &'static str, uri: &str) -> Result<(), ConfigError> {
    if uri.is_empty() || uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(
            option,
            "a redirect URI must be a non-empty URL without spaces",
        ));
    }
    let scheme = uri
        .split_once(':')
        .map(|(s, _)| s)
        .filter(|s| {
            s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        })
        .ok_or_else(|| {
            invalid(
                option,
                "a redirect URI must be an absolute URL with a scheme",
            )
        })?
        .to_ascii_lowercase();
    if matches!(
        scheme.as_str(),
        "javascript" | "data" | "vbscript" | "file" | "blob"
    ) {
        return Err(invalid(
            option,
            format!("the `{scheme}:` scheme is not allowed in a redirect URI"),
        ));
    }
    if uri.contains('#') {
        return Err(invalid(option, "a redirect URI must not have a fragment"));
    }
    if matches!(scheme.as_str(), "http" | "https") {
        check_host(option, uri.split(['?']).next().unwrap_or(uri))?;
    }
    Ok(())
}

/// Refuses a secret that is empty or only whitespace.
pub fn check_secret(option: &'static str, secret: &str) -> Result<(), ConfigError> {
    if secret.trim().is_empty() {
        Err(ConfigError::Missing(option))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_with_userinfo_fragment_query_or_bad_ports_are_refused() {
        for bad in [
            "https://demo.genauth.ai#@attacker.example",
            "https://user@demo.genauth.ai",
            "https://demo.genauth.ai:99999",
            "https://demo.genauth.ai:0",
            "https://javascript:alert(1)",
            "https://demo.genauth.ai?x=1",
            "https://de mo.genauth.ai",
            "https://[::1",
        ] {
            assert!(check_host("app_host", bad).is_err(), "{bad}");
        }
        for good in [
            "https://demo.genauth.ai",
            "https://demo.genauth.ai:8443/prefix",
            "http://127.0.0.1:3000",
            "http://[::1]:8080",
        ] {
            assert!(check_host("app_host", good).is_ok(), "{good}");
        }
    }

    #[test]
    fn loopback_and_plain_http() {
        assert!(is_loopback("http://127.0.0.1:1"));
        assert!(is_loopback("http://localhost:1"));
        assert!(is_loopback("http://[::1]:1"));
        assert!(!is_loopback("http://api.example.com"));
        assert!(!is_loopback("http://127.0.0.1.attacker.example"));
        assert!(check_transport_security("host", "http://api.example.com", false).is_err());
        assert!(check_transport_security("host", "http://api.example.com", true).is_ok());
        assert!(check_transport_security("host", "ws://events.example.com", false).is_err());
        assert!(check_transport_security("host", "http://127.0.0.1:9", false).is_ok());
        assert!(check_transport_security("host", "https://api.example.com", false).is_ok());
    }

    #[test]
    fn dangerous_redirect_uris_are_refused() {
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,hi",
            "vbscript:x",
            "file:///etc/passwd",
            "/relative/cb",
            "https://app.example.com/cb#frag",
            "https://app.example.com/c b",
            "",
        ] {
            assert!(check_redirect_uri("redirect_uri", bad).is_err(), "{bad}");
        }
        for good in [
            "https://app.example.com/cb?x=1",
            "http://localhost:3000/cb",
            "com.example.app:/oauth2redirect",
        ] {
            assert!(check_redirect_uri("redirect_uri", good).is_ok(), "{good}");
        }
    }
}
