//! Signed management requests (HMAC-SHA1 with the access key, as the Node SDK
//! sends them), checked at the emulator's door.
//!
//! A request whose `authorization` is `genauth <id>:<sig>` or
//! `authing <id>:<sig>` is verified before routing: the signature against the
//! access key's secret, the `date` within 15 minutes of the emulator's clock,
//! and the nonce never seen before. A verified request is marked so that the
//! management checks accept it in place of a management token; a wrong,
//! stale or replayed one is refused with 401.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use genauth_core::signing::{parse_authorization, verify_request, SignatureError};
use http::HeaderValue;

use crate::http_util::{ApiErr, Req};
use crate::Shared;

/// The header that marks a verified request (its value is a per-process
/// random string, so a client cannot forge it; any incoming copy is removed).
const MARKER: &str = "x-emulator-signature-verified";
/// How far the `date` header may be from the emulator's clock.
const WINDOW: Duration = Duration::from_secs(15 * 60);

fn marker() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| crate::keys::random_hex(32))
}

/// Nonces seen in the last two windows, by access key.
fn nonces() -> &'static Mutex<HashMap<(String, String), Instant>> {
    static N: OnceLock<Mutex<HashMap<(String, String), Instant>>> = OnceLock::new();
    N.get_or_init(Default::default)
}

fn refused(e: SignatureError) -> ApiErr {
    ApiErr::new(401, None, format!("signed request refused: {e}"))
}

/// Verifies a signed request and marks it; leaves other requests alone.
pub(crate) fn admit(shared: &Shared, req: &mut Req) -> Result<(), ApiErr> {
    req.headers.remove(MARKER);
    if parse_authorization(&req.headers).is_none() {
        return Ok(());
    }
    let target = match &req.query {
        Some(q) => format!("{}?{q}", req.path),
        None => req.path.clone(),
    };
    let uri: http::Uri = target
        .parse()
        .map_err(|_| ApiErr::invalid("the request target is not a valid URI"))?;
    let verified = verify_request(&req.method, &uri, &req.headers, &req.body, |id| {
        shared
            .access_keys
            .iter()
            .find(|k| k.id == id)
            .map(|k| k.secret.clone())
    })
    .map_err(refused)?;
    let date = httpdate::parse_http_date(&verified.date).map_err(|_| {
        refused(SignatureError::Date(format!(
            "`{}`, not an HTTP date",
            verified.date
        )))
    })?;
    let now = SystemTime::now();
    let skew = now
        .duration_since(date)
        .or_else(|_| date.duration_since(now))
        .unwrap_or_default();
    if skew > WINDOW {
        return Err(refused(SignatureError::Date(format!(
            "`{}`, {} s away from the server's clock (at most {} s allowed)",
            verified.date,
            skew.as_secs(),
            WINDOW.as_secs()
        ))));
    }
    {
        let mut seen = nonces().lock().unwrap_or_else(|e| e.into_inner());
        let horizon = Instant::now().checked_sub(2 * WINDOW);
        if let Some(h) = horizon {
            seen.retain(|_, at| *at > h);
        }
        let key = (verified.access_key_id, verified.nonce);
        if seen.contains_key(&key) {
            return Err(refused(SignatureError::Replayed));
        }
        seen.insert(key, Instant::now());
    }
    req.headers
        .insert(MARKER, HeaderValue::from_static(marker()));
    Ok(())
}

/// Whether `admit` verified this request's signature.
pub(crate) fn admitted(req: &Req) -> bool {
    req.header(MARKER) == Some(marker())
}
