//! CAS: login with a ticket, v1 (`/validate`) and v2 (`/serviceValidate`) validation.

use http::StatusCode;
use serde_json::json;

use crate::http_util::{
    get, html_escape, json_reply, now_secs, redirect, text_reply, with_query, Reply, Req,
};
use crate::keys::random_token;
use crate::store::TicketRec;
use crate::Shared;

pub(crate) fn handle(shared: &Shared, req: &Req) -> Reply {
    let rest = req.path.strip_prefix("/cas-idp/").unwrap_or("");
    let p = req.query_pairs();
    if rest == "logout" {
        return match get(&p, "url") {
            Some(url) => redirect(url),
            None => text_reply(
                StatusCode::OK,
                "text/plain; charset=utf-8",
                "signed out".into(),
            ),
        };
    }
    let (app_id, action) = match rest.split_once('/') {
        Some((a, act)) => (a, act),
        None => (rest, ""),
    };
    if shared.app(app_id).is_none() {
        return text_reply(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "unknown app".into(),
        );
    }
    match action {
        "" | "login" => login(shared, app_id, &p),
        "validate" => {
            let user = validate(shared, app_id, &p);
            let body = match user {
                Ok(name) => format!("yes\n{name}\n"),
                Err(_) => "no\n\n".to_owned(),
            };
            text_reply(StatusCode::OK, "text/plain; charset=utf-8", body)
        }
        "serviceValidate" | "p3/serviceValidate" => {
            let json_format = get(&p, "format").is_some_and(|f| f.eq_ignore_ascii_case("json"));
            match (validate(shared, app_id, &p), json_format) {
                (Ok(name), true) => json_reply(
                    StatusCode::OK,
                    &json!({"serviceResponse": {"authenticationSuccess": {"user": name, "attributes": {}}}}),
                ),
                (Err((code, why)), true) => json_reply(
                    StatusCode::OK,
                    &json!({"serviceResponse": {"authenticationFailure": {"code": code, "description": why}}}),
                ),
                (Ok(name), false) => text_reply(
                    StatusCode::OK,
                    "application/xml; charset=utf-8",
                    format!(
                        "<cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\">\
                         <cas:authenticationSuccess><cas:user>{}</cas:user></cas:authenticationSuccess>\
                         </cas:serviceResponse>",
                        html_escape(&name)
                    ),
                ),
                (Err((code, why)), false) => text_reply(
                    StatusCode::OK,
                    "application/xml; charset=utf-8",
                    format!(
                        "<cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\">\
                         <cas:authenticationFailure code=\"{code}\">{}</cas:authenticationFailure>\
                         </cas:serviceResponse>",
                        html_escape(why)
                    ),
                ),
            }
        }
        _ => text_reply(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "unknown CAS endpoint".into(),
        ),
    }
}

/// Logs the auto-approved user in and redirects to the service with a ticket.
fn login(shared: &Shared, app_id: &str, p: &[(String, String)]) -> Reply {
    let Some(service) = get(p, "service") else {
        return text_reply(
            StatusCode::BAD_REQUEST,
            "text/plain; charset=utf-8",
            "service is required".into(),
        );
    };
    let mut store = shared.store();
    let Some(user_id) = shared
        .auto_approve
        .as_deref()
        .and_then(|a| store.find_by_account(a))
        .map(|u| u.id().to_owned())
    else {
        return text_reply(
            StatusCode::UNAUTHORIZED,
            "text/plain; charset=utf-8",
            "no auto-approved user is configured for CAS login".into(),
        );
    };
    let ticket = format!("ST-{}", random_token(18));
    store.tickets.insert(
        ticket.clone(),
        TicketRec {
            app_id: app_id.to_owned(),
            service: service.to_owned(),
            user_id: user_id.clone(),
            exp: now_secs() + shared.lifetimes.code.as_secs(),
        },
    );
    store.record_login(&user_id, app_id);
    redirect(&with_query(service, &[("ticket", ticket.as_str())]))
}

/// Consumes the ticket; the user's name, or a CAS failure code and reason.
fn validate(
    shared: &Shared,
    app_id: &str,
    p: &[(String, String)],
) -> Result<String, (&'static str, &'static str)> {
    let (Some(ticket), Some(service)) = (get(p, "ticket"), get(p, "service")) else {
        return Err(("INVALID_REQUEST", "ticket and service are required"));
    };
    let mut store = shared.store();
    let rec = store.tickets.remove(ticket).ok_or((
        "INVALID_TICKET",
        "the ticket is unknown or was already used",
    ))?;
    if rec.app_id != app_id || rec.exp <= now_secs() {
        return Err((
            "INVALID_TICKET",
            "the ticket has expired or belongs to another app",
        ));
    }
    if rec.service != service {
        return Err(("INVALID_SERVICE", "the service does not match the ticket"));
    }
    store
        .users
        .get(&rec.user_id)
        .map(|u| u.login_name())
        .ok_or(("INVALID_TICKET", "the user no longer exists"))
}
