//! The events feed: websocket subscriptions served by an in-memory
//! [`EventHub`], and the two publish operations that feed it.

use genauth_core::events::{PUB_EVENT_PATH, PUB_USER_EVENT_PATH};
use genauth_events::hub::EventHub;
use serde_json::{json, Value};

use crate::api::{check_management, signed_in_user};
use crate::http_util::{envelope_err, envelope_ok, ApiErr, Reply, Req};
use crate::Shared;

/// The hub of an emulator: management subscriptions are checked against its
/// access keys, end-user subscriptions against the access tokens it issued
/// (looked up through `shared`, which owns the hub, hence the weak reference).
pub(crate) fn hub(shared: std::sync::Weak<Shared>, access_keys: &[crate::AccessKey]) -> EventHub {
    let hub = access_keys.iter().fold(EventHub::new(), |hub, key| {
        hub.with_access_key(key.id.clone(), key.secret.clone())
    });
    hub.with_user_tokens(move |token| {
        shared
            .upgrade()
            .is_some_and(|s| crate::api::user_of_token(&s, token).is_some())
    })
}

/// Whether `req` is one of the publish operations.
pub(crate) fn is_publish(req: &Req) -> bool {
    req.method == http::Method::POST
        && (req.path == PUB_EVENT_PATH || req.path == PUB_USER_EVENT_PATH)
}

/// `POST /api/v3/pub-event` (management token) and `POST /api/v3/pub-userEvent`
/// (the end user's access token; the management token is accepted too, as the
/// API description sends it).
pub(crate) fn publish(shared: &Shared, req: &Req) -> Reply {
    match publish_inner(shared, &shared.hub, req) {
        Ok(data) => envelope_ok(data),
        Err(e) => envelope_err(&e),
    }
}

fn publish_inner(shared: &Shared, hub: &EventHub, req: &Req) -> Result<Value, ApiErr> {
    if req.path == PUB_EVENT_PATH || req.header("x-genauth-userpool-id").is_some() {
        check_management(shared, req)?;
    } else {
        signed_in_user(shared, req)?;
    }
    let body: Value =
        serde_json::from_slice(&req.body).map_err(|_| ApiErr::invalid("the body is not JSON"))?;
    let code = body
        .get("eventType")
        .and_then(Value::as_str)
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| ApiErr::invalid("eventType: a non-empty string is required"))?;
    // The API description types `eventData` as any JSON: a string is
    // delivered as it is, any other value as its JSON text.
    let data = match body.get("eventData") {
        None => return Err(ApiErr::invalid("eventData: is required")),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    hub.publish(code, &data);
    Ok(json!({ "success": true }))
}
