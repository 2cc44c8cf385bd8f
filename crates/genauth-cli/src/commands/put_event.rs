//! `genauth mgmt put-event`: publishes an event, as a table operation.

use crate::table::Location::Body;
use crate::table::ParamKind::Str;
use crate::table::{op, Op, Param};

/// `genauth mgmt put-event`: publishes an event (`put_event`).
pub static PUT_EVENT: Op = op!(mgmt genauth_core::events::PutEvent;
    "Publish an event to the events feed.",
    "Nothing (`()`) on success.",
    "pubEvent",
    "",
    &["pub event", "publish event", "events"];
    Param::new("event-type", "eventType", Str, Body, true, "The event code (wire `eventType`): string, required.\nExample: `order.paid`."),
    Param::new("event-data", "eventData", Str, Body, true, "The event's data as a JSON string (wire `eventData`): string, required.\nExample: `{\"id\":7}`."));
