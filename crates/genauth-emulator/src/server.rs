//! The accept loop, fault injection and routing.

use std::sync::Arc;

use http::StatusCode;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::FaultAction;
use crate::fallback::TableEntry;
use crate::http_util::{
    envelope_err, envelope_ok, json_reply, text_reply, ApiErr, EmuBody, Reply, Req,
};
use crate::Shared;

/// The largest request body the emulator reads.
const MAX_REQUEST_BODY: usize = 8 * 1024 * 1024;

/// Why a connection is closed without an answer.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for Dropped {}

pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            _ = shutdown.changed() => return,
            a = listener.accept() => a,
        };
        let Ok((stream, _)) = accepted else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        let mut stop = shutdown.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| {
                let shared = shared.clone();
                async move { handle(shared, req).await }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .with_upgrades();
            tokio::select! {
                _ = conn => {}
                _ = stop.changed() => {}
            }
        });
    }
}

async fn handle(shared: Arc<Shared>, req: http::Request<Incoming>) -> Result<Reply, Dropped> {
    let path = req.uri().path().to_owned();
    let fault = {
        let mut store = shared.store();
        *store.counts.entry(path.clone()).or_insert(0) += 1;
        store.take_fault(&path)
    };
    if let Some(f) = &fault {
        if !f.latency.is_zero() {
            tokio::time::sleep(f.latency).await;
        }
        match &f.action {
            FaultAction::None => {}
            FaultAction::Status(code) => {
                let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                return Ok(text_reply(
                    status,
                    "text/plain; charset=utf-8",
                    format!("injected fault: HTTP {code}"),
                ));
            }
            FaultAction::ApiError {
                status_code,
                api_code,
                message,
            } => {
                return Ok(envelope_err(&ApiErr::new(
                    *status_code,
                    *api_code,
                    message.clone(),
                )));
            }
            FaultAction::Drop => return Err(Dropped),
            FaultAction::Oversized(n) => {
                let pad = n.saturating_sub(40);
                let body = format!("{{\"statusCode\":200,\"message\":\"{}\"}}", "x".repeat(pad));
                return Ok(text_reply(StatusCode::OK, "application/json", body));
            }
            FaultAction::Endless => {
                let mut r = http::Response::new(EmuBody::Endless);
                r.headers_mut().insert(
                    http::header::CONTENT_TYPE,
                    http::HeaderValue::from_static("application/json"),
                );
                return Ok(r);
            }
        }
    }
    if path.starts_with("/events/v1/") {
        // A websocket subscription: answered before the body is read, so the
        // connection can be handed over to the hub.
        let (parts, body) = shared.hub.handle_upgrade(req).into_parts();
        let bytes = body
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let body = EmuBody::Full(Some(bytes).filter(|b| !b.is_empty()));
        return Ok(http::Response::from_parts(parts, body));
    }
    let (mut parts, body) = req.into_parts();
    crate::brands::normalize(&mut parts.headers);
    let body = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return Ok(envelope_err(&ApiErr::new(
                413,
                None,
                "the request body is too large",
            )))
        }
    };
    let mut req = Req {
        method: parts.method,
        path,
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
    };
    if let Err(e) = crate::signed::admit(&shared, &mut req) {
        return Ok(envelope_err(&e));
    }
    let reply = route(&shared, &req);
    crate::webhook::observe(&shared, &req, &reply);
    Ok(reply)
}

fn route(shared: &Shared, req: &Req) -> Reply {
    let path = req.path.as_str();
    if crate::events::is_publish(req) && !shared.table_only {
        return crate::events::publish(shared, req);
    }
    if path.starts_with("/api/v2/saml-idp/") {
        return crate::saml::handle(shared, req);
    }
    if path.starts_with("/api/v3/") || path.starts_with("/api/v2/") || path.starts_with("/mfa/") {
        // Every operation the table knows is checked against its request type
        // first (after the management token), stateful or not.
        let entry = shared.table.find(req.method.as_str(), path);
        if let Some(entry) = &entry {
            if let Err(e) = check_entry(shared, req, entry) {
                return envelope_err(&e);
            }
        }
        let stateful = !shared.table_only || path == "/api/v3/get-management-token";
        if stateful {
            if let Some(reply) = crate::api::handle(shared, req) {
                return reply;
            }
        }
        return answer(req, entry);
    }
    if let Some(reply) = crate::oidc::handle(shared, req) {
        return reply;
    }
    if path.starts_with("/cas-idp/") {
        return crate::cas::handle(shared, req);
    }
    let entry = shared.table.find(req.method.as_str(), path);
    if let Some(entry) = &entry {
        if let Err(e) = check_entry(shared, req, entry) {
            return envelope_err(&e);
        }
    }
    answer(req, entry)
}

/// The management token (for management operations), then the parameters
/// against the operation's request type.
fn check_entry(shared: &Shared, req: &Req, entry: &TableEntry) -> Result<(), ApiErr> {
    match entry.auth {
        genauth_core::AuthKind::ManagementToken => crate::api::check_management(shared, req)?,
        // With `table_only`, synthetic calls carry made-up tokens: only the
        // token's presence is checked then.
        // Sign-up, pass codes, password reset, ...: the registry says which
        // (the generator's override list, `LOGIN_FREE`).
        genauth_core::AuthKind::UserToken if entry.login_free => {}
        genauth_core::AuthKind::UserToken if shared.table_only => {
            crate::api::user_token(req)?;
        }
        genauth_core::AuthKind::UserToken => {
            crate::api::signed_in_user(shared, req)?;
        }
        _ => {}
    }
    let query = req
        .query
        .as_deref()
        .map(crate::http_util::lowercase_booleans);
    (entry.validate)(query.as_deref(), &req.body)
        .map_err(|why| ApiErr::invalid(name_query_field(entry, query.as_deref(), why)))
}

/// A query error that names no field gets the field's name: the pair whose
/// removal changes the verdict.
fn name_query_field(entry: &TableEntry, query: Option<&str>, why: String) -> String {
    let Some(query) = query.filter(|_| !why.contains(':')) else {
        return why;
    };
    let pairs: Vec<&str> = query.split('&').collect();
    for (i, pair) in pairs.iter().enumerate() {
        let rest: Vec<&str> = pairs
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, p)| *p)
            .collect();
        let verdict = (entry.validate)(Some(&rest.join("&")), &[]);
        if verdict.as_ref().err() != Some(&why) {
            let name = pair.split_once('=').map_or(*pair, |(k, _)| k);
            return format!("{name}: {why}");
        }
    }
    why
}

/// Answers a checked request from the table: a default output.
fn answer(req: &Req, entry: Option<TableEntry>) -> Reply {
    let Some(entry) = entry else {
        return envelope_err(&ApiErr::not_found(
            None,
            format!("{} {} is not a known operation", req.method, req.path),
        ));
    };
    let mut sample = (entry.sample_output)();
    // A bare output that carries its own status (e.g. `FunctionModelListDto`)
    // must say success, as the service does; a default would say 0.
    if let Some(obj) = sample.as_object_mut().filter(|_| !entry.envelope) {
        if obj.get("statusCode").and_then(serde_json::Value::as_i64) == Some(0) {
            obj.insert("statusCode".into(), json!(200));
        }
    }
    // A default `success: false` would report a failure that did not happen
    // (`delete_whitelist`, `remove_credential`, ...).
    if let Some(obj) = sample.as_object_mut() {
        if obj.get("success") == Some(&json!(false)) {
            obj.insert("success".into(), json!(true));
        }
    }
    if entry.envelope {
        envelope_ok(sample)
    } else {
        json_reply(StatusCode::OK, &sample)
    }
}
