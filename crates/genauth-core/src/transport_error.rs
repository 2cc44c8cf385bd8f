//! The sentence `Error::Transport` prints: the operation, the host, the cause
//! found in the source chain, and what to check.

use std::error::Error as StdError;
use std::io::ErrorKind;

/// Every message of `err`'s source chain, also looking inside `io::Error`s
/// (whose `source()` skips the error they wrap), with repeats left out.
pub fn chain(err: &(dyn StdError + 'static)) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |text: String| {
        let text = text.trim().to_owned();
        if !text.is_empty() && !out.iter().any(|seen| seen == &text) {
            out.push(text);
        }
    };
    let mut current = Some(err);
    let mut depth = 0;
    while let Some(e) = current {
        depth += 1;
        if depth > 16 {
            break;
        }
        push(e.to_string());
        current = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => e.source(),
        };
    }
    out
}

/// The `io::ErrorKind` of the first `io::Error` in the chain.
fn io_kind(err: &(dyn StdError + 'static)) -> Option<ErrorKind> {
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if io.kind() != ErrorKind::Other {
                return Some(io.kind());
            }
            if let Some(inner) = io.get_ref() {
                current = Some(inner as &(dyn StdError + 'static));
                continue;
            }
        }
        current = e.source();
    }
    None
}

/// What went wrong, in plain words, and what to check.
fn diagnose(err: &(dyn StdError + 'static), text: &str) -> (&'static str, &'static str) {
    let lower = text.to_ascii_lowercase();
    if lower.contains("invalidcontenttype") || lower.contains("corrupt message") {
        return (
            "the server did not answer with TLS",
            "If it speaks plain http (a local emulator), write `http://` in the host.",
        );
    }
    if lower.contains("certificate") || lower.contains("unknownissuer") {
        return (
            "the server's TLS certificate was not accepted",
            "Check the host name; for a private CA, add its root with \
             `TransportOptions::root_certificates`.",
        );
    }
    if lower.contains("dns error")
        || lower.contains("failed to lookup address")
        || lower.contains("name or service not known")
        || lower.contains("no such host")
    {
        return (
            "the host name could not be resolved",
            "Check the spelling of the host and your DNS.",
        );
    }
    match io_kind(err) {
        Some(ErrorKind::ConnectionRefused) => (
            "the connection was refused",
            "Check the host and port, and that the service is running there.",
        ),
        Some(ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe) => {
            (
                "the connection was closed before the answer came",
                "Check for a proxy or firewall in between; reads are retried, writes are not.",
            )
        }
        Some(ErrorKind::TimedOut) => (
            "the connection timed out",
            "Check the host, the network and any firewall.",
        ),
        Some(ErrorKind::AddrNotAvailable | ErrorKind::NotConnected) => (
            "the address could not be used",
            "Check the host and the network.",
        ),
        _ => ("the request failed in the transport", ""),
    }
}

/// The message of a transport error.
pub fn describe(
    operation: Option<&'static str>,
    host: Option<&str>,
    source: &(dyn StdError + Send + Sync + 'static),
) -> String {
    let source: &(dyn StdError + 'static) = source;
    let causes = chain(source);
    let text = causes.join(": ");
    let (what, advice) = diagnose(source, &text);
    let mut out = format!(
        "{} could not reach {}: {what}",
        operation.unwrap_or("the GenAuth call"),
        host.unwrap_or("the server"),
    );
    if !text.is_empty() {
        out.push_str(" (");
        out.push_str(&text);
        out.push(')');
    }
    out.push('.');
    if !advice.is_empty() {
        out.push(' ');
        out.push_str(advice);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_connection_names_operation_host_and_cause() {
        let io = std::io::Error::from(ErrorKind::ConnectionRefused);
        let text = describe(Some("get_user"), Some("https://api.example.com"), &io);
        assert!(
            text.starts_with(
                "get_user could not reach https://api.example.com: the connection was refused"
            ),
            "{text}"
        );
        assert!(text.contains("service is running"), "{text}");
    }

    #[test]
    fn a_wrapped_io_error_is_found_inside() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("client error (Connect)")
            }
        }
        impl StdError for Outer {
            fn source(&self) -> Option<&(dyn StdError + 'static)> {
                Some(&self.0)
            }
        }
        let inner = std::io::Error::other("received corrupt message of type InvalidContentType");
        let text = describe(None, Some("https://127.0.0.1:1"), &Outer(inner));
        assert!(text.contains("did not answer with TLS"), "{text}");
        assert!(text.contains("InvalidContentType"), "{text}");
        assert!(text.contains("http://"), "{text}");
    }
}
