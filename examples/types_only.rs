//! Types-only decoding, as a webhook or event receiver does it: only
//! `genauth-types` (serde DTOs, no I/O, no HTTP client, no TLS) and
//! `serde_json`. A program that needs nothing else depends on
//! `genauth-types` alone (with `default-features = false, features =
//! ["management"]` to skip the authentication-only types).
//!
//! The payloads are local data in the envelope the GenAuth events feed uses
//! (`{"eventType": ..., "eventData": "<JSON as a string>"}`, see
//! docs/events.md), here carrying a user.
//!
//! Run it with `cargo run --example types_only`.

use genauth_types::UserDto;
use serde::Deserialize;

/// The envelope of one event.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Event {
    event_type: String,
    /// The payload, itself JSON, sent as a string.
    event_data: String,
}

/// Decodes one received body into its event type and user.
fn decode(body: &str) -> Result<(String, UserDto), serde_json::Error> {
    let event: Event = serde_json::from_str(body)?;
    let user: UserDto = serde_json::from_str(&event.event_data)?;
    Ok((event.event_type, user))
}

fn main() {
    let bodies = [
        // Fields the SDK does not know yet are ignored; numbers sent as
        // strings are read as numbers (response types decode tolerantly).
        r#"{"eventType":"user.created","eventData":"{\"userId\":\"u-1\",\"email\":\"ann@example.com\",\"loginsCount\":\"3\",\"aFieldFromTheFuture\":true}"}"#,
        r#"{"eventType":"user.updated","eventData":"{\"userId\":\"u-2\",\"status\":\"Suspended\"}"}"#,
        // Not an event: a typed error with the position, not a panic.
        r#"{"eventType":"user.created","eventData":"{\"userId\": [1, 2"}"#,
    ];
    for body in bodies {
        match decode(body) {
            Ok((kind, user)) => println!(
                "{kind}: {} email={:?} status={:?} logins={:?}",
                user.user_id, user.email, user.status, user.logins_count
            ),
            Err(e) => println!("rejected: {e}"),
        }
    }
}
