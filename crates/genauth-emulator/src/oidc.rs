//! OIDC and OAuth 2.0 endpoints under `/oidc` and `/oauth`.

use http::StatusCode;
use serde_json::{json, Value};

use crate::api::basic_credentials;
use crate::config::App;
use crate::http_util::{
    get, html_escape, json_reply, now_secs, redirect, text_reply, with_query, ApiErr, Reply, Req,
};
use crate::keys::{at_hash, random_hex, random_token, s256, secret_eq};
use crate::store::{CodeRec, TokenKind, TokenRec, UserRec};
use crate::Shared;
use genauth_core::TokenEndpointAuthMethod;

/// Tokens issued for one grant.
pub(crate) struct Issued {
    pub access_token: String,
    pub id_token: Option<String>,
    pub refresh_token: Option<String>,
    pub expires_in: u64,
    pub scope: String,
}

fn has_scope(scope: &str, s: &str) -> bool {
    scope.split_whitespace().any(|x| x == s)
}

/// The user's claims allowed by `scope`.
fn user_claims(user: &UserRec, scope: &str) -> serde_json::Map<String, Value> {
    let mut c = serde_json::Map::new();
    c.insert("sub".into(), json!(user.id()));
    let copy = |c: &mut serde_json::Map<String, Value>, claim: &str, field: &str| {
        if let Some(v) = user.doc.get(field).filter(|v| !v.is_null()) {
            c.insert(claim.into(), v.clone());
        }
    };
    if has_scope(scope, "profile") {
        for (claim, field) in [
            ("name", "name"),
            ("nickname", "nickname"),
            ("preferred_username", "preferredUsername"),
            ("given_name", "givenName"),
            ("family_name", "familyName"),
            ("middle_name", "middleName"),
            ("picture", "photo"),
            ("website", "website"),
            ("birthdate", "birthdate"),
            ("zoneinfo", "zoneinfo"),
            ("locale", "locale"),
            ("gender", "gender"),
            ("updated_at", "updatedAt"),
        ] {
            copy(&mut c, claim, field);
        }
        copy(&mut c, "username", "username");
    }
    if has_scope(scope, "email") {
        copy(&mut c, "email", "email");
        copy(&mut c, "email_verified", "emailVerified");
    }
    if has_scope(scope, "phone") {
        copy(&mut c, "phone_number", "phone");
        copy(&mut c, "phone_number_verified", "phoneVerified");
    }
    c
}

/// Issues an access token (a signed JWT), an ID token when `openid` is asked
/// for and a user is given, and a refresh token for `offline_access`.
pub(crate) fn issue_tokens(
    shared: &Shared,
    client_id: &str,
    user_id: Option<&str>,
    scope: &str,
    nonce: Option<&str>,
) -> Result<Issued, ApiErr> {
    issue_tokens_for(shared, client_id, user_id, scope, nonce, &Grant::default())
}

/// The resources of a grant (RFC 8707): `granted` were asked for at login
/// (a refresh token may later ask for any of them), `access` are the ones the
/// access token is for (its `aud`; the client id when empty).
#[derive(Default)]
pub(crate) struct Grant {
    pub granted: Vec<String>,
    pub access: Vec<String>,
}

/// The `aud` of an access token for `resources`: the client id when there
/// are none, the resource itself when there is one, else the list.
fn audience_claim(client_id: &str, resources: &[String]) -> Value {
    match resources {
        [] => json!(client_id),
        [one] => json!(one),
        many => json!(many),
    }
}

/// [`issue_tokens`] for the resources of `grant`.
pub(crate) fn issue_tokens_for(
    shared: &Shared,
    client_id: &str,
    user_id: Option<&str>,
    scope: &str,
    nonce: Option<&str>,
    grant: &Grant,
) -> Result<Issued, ApiErr> {
    let now = now_secs();
    let lt = shared.lifetimes;
    let sign_err = |_| ApiErr::new(500, None, "cannot sign the token");
    let sub = user_id.unwrap_or(client_id);
    let access_claims = json!({
        "jti": random_hex(12), "sub": sub, "aud": audience_claim(client_id, &grant.access),
        "iss": shared.issuer(), "iat": now, "exp": now + lt.access_token.as_secs(), "scope": scope,
    });
    let access_token = shared.key.sign(&access_claims).map_err(sign_err)?;
    let mut store = shared.store();
    let id_token = match user_id.and_then(|id| store.users.get(id)) {
        Some(user) if has_scope(scope, "openid") => {
            let mut claims = user_claims(user, scope);
            claims.insert("iss".into(), json!(shared.issuer()));
            claims.insert("aud".into(), json!(client_id));
            claims.insert("iat".into(), json!(now));
            claims.insert("auth_time".into(), json!(now));
            claims.insert("exp".into(), json!(now + lt.id_token.as_secs()));
            if let Some(n) = nonce {
                claims.insert("nonce".into(), json!(n));
            }
            // As GenAuth does: the ID token carries `at_hash` and no `scope`,
            // the access token `scope` and no `nonce` (docs/protocols.md).
            claims.insert("at_hash".into(), json!(at_hash(&access_token)));
            Some(shared.key.sign(&Value::Object(claims)).map_err(sign_err)?)
        }
        _ => None,
    };
    let rec = |kind, exp, audience: &[String]| TokenRec {
        kind,
        user_id: user_id.map(str::to_owned),
        client_id: client_id.to_owned(),
        scope: scope.to_owned(),
        iat: now,
        exp,
        revoked: false,
        nonce: nonce.map(str::to_owned),
        audience: audience.to_vec(),
    };
    store.tokens.insert(
        access_token.clone(),
        rec(
            TokenKind::Access,
            now + lt.access_token.as_secs(),
            &grant.access,
        ),
    );
    let refresh_token = if user_id.is_some() && has_scope(scope, "offline_access") {
        let t = random_token(32);
        store.tokens.insert(
            t.clone(),
            rec(
                TokenKind::Refresh,
                now + lt.refresh_token.as_secs(),
                &grant.granted,
            ),
        );
        Some(t)
    } else {
        None
    };
    Ok(Issued {
        access_token,
        id_token,
        refresh_token,
        expires_in: lt.access_token.as_secs(),
        scope: scope.to_owned(),
    })
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Reply {
    json_reply(
        status,
        &json!({"error": error, "error_description": description}),
    )
}

/// Every distinct value of the repeated parameter `name`, in order.
fn all(pairs: &[(String, String)], name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (k, v) in pairs {
        if k == name && !v.is_empty() && !out.contains(v) {
            out.push(v.clone());
        }
    }
    out
}

/// Checks the `resource` parameters of a request (RFC 8707) against what may
/// be asked: absolute URIs without fragment, each in `allowed`. The error is
/// the description of an `invalid_target` answer.
fn check_resources(asked: &[String], allowed: &[String], whose: &str) -> Result<(), String> {
    for r in asked {
        let absolute = r.split_once(':').is_some_and(|(scheme, rest)| {
            !rest.is_empty()
                && scheme
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_alphabetic())
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        });
        if !absolute || r.contains('#') {
            return Err(format!(
                "resource `{r}` must be an absolute URI without a fragment"
            ));
        }
        if !allowed.contains(r) {
            return Err(format!("resource `{r}` is not {whose}"));
        }
    }
    Ok(())
}

/// Answers the OIDC/OAuth routes; `None` for other paths.
pub(crate) fn handle(shared: &Shared, req: &Req) -> Option<Reply> {
    let path = req.path.as_str();
    if path == "/__emulator/rotate-keys" {
        return Some(rotate_keys(shared, req));
    }
    // `/{app_id}/oidc/.well-known/jwks.json`, as the Node and Go SDKs ask.
    if path.ends_with("/oidc/.well-known/jwks.json") {
        return Some(json_reply(StatusCode::OK, &shared.key.jwks()));
    }
    let rest = path
        .strip_prefix("/oidc")
        .or_else(|| path.strip_prefix("/oauth"))?;
    let m = req.method.as_str();
    Some(match (m, rest) {
        ("GET", "/.well-known/openid-configuration") => discovery(shared),
        ("GET", "/auth") => authorize(shared, req, false),
        ("POST", "/auth") => authorize(shared, req, true),
        ("POST", "/token") => token(shared, req),
        ("GET" | "POST", "/me") => userinfo(shared, req),
        ("POST", "/token/introspection") => introspect(shared, req),
        ("POST", "/token/revocation") => revoke(shared, req),
        ("GET" | "POST", "/session/end") => end_session(shared, req),
        _ => oauth_error(StatusCode::NOT_FOUND, "not_found", "unknown endpoint"),
    })
}

/// `POST /__emulator/rotate-keys[?grace_secs=N]`: the admin route behind
/// `RunningEmulator::rotate_keys`, for the binary. The grace period defaults
/// to the longer of the access-token and ID-token lifetimes.
fn rotate_keys(shared: &Shared, req: &Req) -> Reply {
    if req.method != http::Method::POST {
        return oauth_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "use POST",
        );
    }
    let p = req.query_pairs();
    let lt = shared.lifetimes;
    let grace = match get(&p, "grace_secs") {
        None => lt.access_token.max(lt.id_token),
        Some(v) => match v.parse::<u64>() {
            Ok(secs) => std::time::Duration::from_secs(secs),
            Err(_) => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "grace_secs must be a whole number of seconds",
                )
            }
        },
    };
    match shared.key.rotate(grace) {
        Ok(kid) => json_reply(
            StatusCode::OK,
            &json!({"kid": kid, "grace_secs": grace.as_secs()}),
        ),
        Err(_) => oauth_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "cannot create the RSA key",
        ),
    }
}

fn discovery(shared: &Shared) -> Reply {
    let b = &shared.base_url;
    json_reply(
        StatusCode::OK,
        &json!({
            "issuer": shared.issuer(),
            "authorization_endpoint": format!("{b}/oidc/auth"),
            "token_endpoint": format!("{b}/oidc/token"),
            "userinfo_endpoint": format!("{b}/oidc/me"),
            "jwks_uri": format!("{b}/oidc/.well-known/jwks.json"),
            "introspection_endpoint": format!("{b}/oidc/token/introspection"),
            "revocation_endpoint": format!("{b}/oidc/token/revocation"),
            "end_session_endpoint": format!("{b}/oidc/session/end"),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email", "phone", "address", "offline_access"],
            "code_challenge_methods_supported": ["S256", "plain"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic", "none"],
            "claims_supported": ["sub", "name", "nickname", "preferred_username", "email",
                "email_verified", "phone_number", "phone_number_verified", "picture", "updated_at"],
        }),
    )
}

fn login_form(params: &[(String, String)], message: &str) -> Reply {
    let mut hidden = String::new();
    for (k, v) in params {
        if k == "account" || k == "password" {
            continue;
        }
        hidden.push_str(&format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            html_escape(k),
            html_escape(v)
        ));
    }
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>GenAuth emulator login</title></head>\
         <body><h1>GenAuth emulator</h1><p>{}</p><form method=\"post\">{hidden}\
         <label>Email, phone or username <input name=\"account\"></label>\
         <label>Password <input type=\"password\" name=\"password\"></label>\
         <button type=\"submit\">Sign in</button></form></body></html>",
        html_escape(message)
    );
    text_reply(StatusCode::OK, "text/html; charset=utf-8", html)
}

/// `/oidc/auth`: checks the request, logs the user in (auto-approve or the
/// form) and redirects back with a code.
fn authorize(shared: &Shared, req: &Req, posted: bool) -> Reply {
    let p = req.form_pairs();
    let bad = |why: &str| oauth_error(StatusCode::BAD_REQUEST, "invalid_request", why);
    let Some(client_id) = get(&p, "client_id") else {
        return bad("client_id is required");
    };
    let Some(app) = shared.app(client_id) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "unknown client_id",
        );
    };
    let Some(redirect_uri) = get(&p, "redirect_uri") else {
        return bad("redirect_uri is required");
    };
    if !app.redirect_uris.iter().any(|u| u == redirect_uri) {
        return bad("redirect_uri is not registered for this app");
    }
    let state = get(&p, "state");
    let back_err = |error: &str, why: &str| {
        let mut q = vec![("error", error), ("error_description", why)];
        if let Some(s) = state {
            q.push(("state", s));
        }
        redirect(&with_query(redirect_uri, &q))
    };
    if get(&p, "response_type") != Some("code") {
        return back_err(
            "unsupported_response_type",
            "only response_type=code is supported",
        );
    }
    let resources = all(&p, "resource");
    if let Err(why) = check_resources(&resources, &app.resources, "registered for this app") {
        return back_err("invalid_target", &why);
    }
    let challenge = match get(&p, "code_challenge") {
        Some(c) => {
            let method = get(&p, "code_challenge_method").unwrap_or("plain");
            if method != "S256" && method != "plain" {
                return back_err(
                    "invalid_request",
                    "code_challenge_method must be S256 or plain",
                );
            }
            Some((method.to_owned(), c.to_owned()))
        }
        None if app.auth_method == TokenEndpointAuthMethod::None => {
            return back_err("invalid_request", "a public client must use PKCE");
        }
        None => None,
    };
    // Who logs in: the form's account, else the configured auto-approved user.
    let user_id = {
        let store = shared.store();
        if posted {
            let account = get(&p, "account").unwrap_or("");
            let password = get(&p, "password").unwrap_or("");
            match store.find_by_account(account) {
                Some(u)
                    if u.password
                        .as_deref()
                        .is_some_and(|pw| secret_eq(pw, password)) =>
                {
                    u.id().to_owned()
                }
                _ => return login_form(&p, "Wrong account or password."),
            }
        } else {
            match shared
                .auto_approve
                .as_deref()
                .and_then(|a| store.find_by_account(a))
            {
                Some(u) => u.id().to_owned(),
                None => return login_form(&p, "Sign in to continue."),
            }
        }
    };
    let code = random_token(24);
    let mut store = shared.store();
    store.record_login(&user_id, client_id);
    store.codes.insert(
        code.clone(),
        CodeRec {
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            user_id,
            scope: get(&p, "scope").unwrap_or("openid").to_owned(),
            nonce: get(&p, "nonce").map(str::to_owned),
            challenge,
            exp: now_secs() + shared.lifetimes.code.as_secs(),
            resources,
        },
    );
    let mut q = vec![("code", code.as_str())];
    if let Some(s) = state {
        q.push(("state", s));
    }
    redirect(&with_query(redirect_uri, &q))
}

fn invalid_client() -> Reply {
    oauth_error(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "client authentication failed",
    )
}

/// Authenticates the client of a token-endpoint call; returns its app.
fn client_auth<'a>(shared: &'a Shared, req: &Req, p: &[(String, String)]) -> Option<&'a App> {
    let (id, secret) = match basic_credentials(req) {
        Some((id, s)) => (id, Some(s)),
        None => (
            get(p, "client_id")?.to_owned(),
            get(p, "client_secret").map(str::to_owned),
        ),
    };
    let app = shared.app(&id)?;
    match (&app.auth_method, &app.secret, secret) {
        (TokenEndpointAuthMethod::None, _, None) => Some(app),
        (_, Some(expected), Some(given)) if secret_eq(expected.expose(), &given) => Some(app),
        _ => None,
    }
}

fn token_json(issued: Issued) -> Reply {
    let mut body = json!({
        "access_token": issued.access_token,
        "expires_in": issued.expires_in,
        "token_type": "Bearer",
        "scope": issued.scope,
    });
    if let Some(t) = issued.id_token {
        body["id_token"] = json!(t);
    }
    if let Some(t) = issued.refresh_token {
        body["refresh_token"] = json!(t);
    }
    let mut r = json_reply(StatusCode::OK, &body);
    r.headers_mut().insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    r
}

/// The access key id when the client credentials are one of the emulator's
/// access key pairs (GenAuth issues client-credentials tokens to those).
fn access_key_client(shared: &Shared, req: &Req, p: &[(String, String)]) -> Option<String> {
    let (id, secret) = match basic_credentials(req) {
        Some(pair) => pair,
        None => (
            get(p, "client_id")?.to_owned(),
            get(p, "client_secret")?.to_owned(),
        ),
    };
    shared
        .access_keys
        .iter()
        .find(|k| k.id == id && secret_eq(k.secret.expose(), &secret))
        .map(|k| k.id.clone())
}

fn token(shared: &Shared, req: &Req) -> Reply {
    let p = req.form_pairs();
    let asked = all(&p, "resource");
    let invalid_target = |why: &str| oauth_error(StatusCode::BAD_REQUEST, "invalid_target", why);
    if get(&p, "grant_type") == Some("client_credentials") {
        if let Some(key_id) = access_key_client(shared, req, &p) {
            // Resources are registered per app; an access key has none.
            if let Err(why) = check_resources(&asked, &[], "registered for an access key") {
                return invalid_target(&why);
            }
            let scope = get(&p, "scope").unwrap_or("");
            return match issue_tokens(shared, &key_id, None, scope, None) {
                Ok(i) => token_json(i),
                Err(e) => oauth_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    &e.message,
                ),
            };
        }
    }
    let Some(app) = client_auth(shared, req, &p) else {
        return invalid_client();
    };
    let grant = |why: &str| oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", why);
    let issued = match get(&p, "grant_type") {
        Some("authorization_code") => {
            let Some(code) = get(&p, "code") else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "code is required",
                );
            };
            let Some(rec) = shared.store().codes.remove(code) else {
                return grant("the code is unknown or was already used");
            };
            if rec.exp <= now_secs() || rec.client_id != app.id {
                return grant("the code has expired or belongs to another client");
            }
            if get(&p, "redirect_uri") != Some(rec.redirect_uri.as_str()) {
                return grant("redirect_uri does not match the authorization request");
            }
            if let Some((method, challenge)) = &rec.challenge {
                let Some(verifier) = get(&p, "code_verifier") else {
                    return grant("code_verifier is required");
                };
                let computed = if method == "S256" {
                    s256(verifier)
                } else {
                    verifier.to_owned()
                };
                if !secret_eq(&computed, challenge) {
                    return grant("code_verifier does not match the code_challenge");
                }
            }
            // RFC 8707 §2.2: the token request may narrow the resources of
            // the authorization request, not add to them.
            if let Err(why) = check_resources(&asked, &rec.resources, "one asked for at login") {
                return invalid_target(&why);
            }
            let access = if asked.is_empty() {
                rec.resources.clone()
            } else {
                asked
            };
            let grant = Grant {
                granted: rec.resources.clone(),
                access,
            };
            issue_tokens_for(
                shared,
                &app.id,
                Some(&rec.user_id),
                &rec.scope,
                rec.nonce.as_deref(),
                &grant,
            )
        }
        Some("refresh_token") => {
            let Some(rt) = get(&p, "refresh_token") else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "refresh_token is required",
                );
            };
            let found = shared
                .store()
                .live_token(rt, TokenKind::Refresh)
                .filter(|t| t.client_id == app.id)
                .map(|t| {
                    let granted = t.audience.clone();
                    (t.user_id.clone(), t.scope.clone(), t.nonce.clone(), granted)
                });
            let Some((user, scope, nonce, granted)) = found else {
                return grant("the refresh token is not valid");
            };
            if let Err(why) = check_resources(&asked, &granted, "one asked for at login") {
                return invalid_target(&why);
            }
            // The old refresh token is replaced by the new one.
            if let Some(t) = shared.store().tokens.get_mut(rt) {
                t.revoked = true;
            }
            let access = if asked.is_empty() {
                granted.clone()
            } else {
                asked
            };
            issue_tokens_for(
                shared,
                &app.id,
                user.as_deref(),
                &scope,
                nonce.as_deref(),
                &Grant { granted, access },
            )
        }
        Some("client_credentials") => {
            if app.auth_method == TokenEndpointAuthMethod::None {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "unauthorized_client",
                    "a public client cannot use client_credentials",
                );
            }
            if let Err(why) = check_resources(&asked, &app.resources, "registered for this app") {
                return invalid_target(&why);
            }
            let scope = get(&p, "scope").unwrap_or("");
            let grant = Grant {
                granted: asked.clone(),
                access: asked,
            };
            issue_tokens_for(shared, &app.id, None, scope, None, &grant)
        }
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "grant_type must be authorization_code, refresh_token or client_credentials",
            )
        }
    };
    match issued {
        Ok(i) => token_json(i),
        Err(e) => oauth_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            &e.message,
        ),
    }
}

fn bearer(req: &Req) -> Option<String> {
    if let Some(h) = req.header("authorization") {
        return Some(h.strip_prefix("Bearer ").unwrap_or(h).trim().to_owned());
    }
    get(&req.form_pairs(), "access_token").map(str::to_owned)
}

fn userinfo(shared: &Shared, req: &Req) -> Reply {
    let unauthorized = || {
        let mut r = oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "the access token is not valid",
        );
        r.headers_mut().insert(
            http::header::WWW_AUTHENTICATE,
            http::HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
        r
    };
    let Some(token) = bearer(req) else {
        return unauthorized();
    };
    let store = shared.store();
    let Some((uid, scope)) = store
        .live_token(&token, TokenKind::Access)
        .and_then(|t| Some((t.user_id.clone()?, t.scope.clone())))
    else {
        return unauthorized();
    };
    match store.users.get(&uid) {
        Some(u) => json_reply(StatusCode::OK, &Value::Object(user_claims(u, &scope))),
        None => unauthorized(),
    }
}

fn introspect(shared: &Shared, req: &Req) -> Reply {
    let p = req.form_pairs();
    if client_auth(shared, req, &p).is_none() {
        return invalid_client();
    }
    let Some(token) = get(&p, "token") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "token is required",
        );
    };
    let store = shared.store();
    let rec = store
        .live_token(token, TokenKind::Access)
        .or_else(|| store.live_token(token, TokenKind::Refresh));
    let body = match rec {
        Some(t) => json!({
            "active": true,
            "sub": t.user_id.as_deref().unwrap_or(&t.client_id),
            "client_id": t.client_id, "aud": audience_claim(&t.client_id, &t.audience),
            "scope": t.scope,
            "iat": t.iat, "exp": t.exp, "iss": shared.issuer(),
            "token_type": if t.kind == TokenKind::Access { "access_token" } else { "refresh_token" },
        }),
        None => json!({"active": false}),
    };
    json_reply(StatusCode::OK, &body)
}

fn revoke(shared: &Shared, req: &Req) -> Reply {
    let p = req.form_pairs();
    let Some(app) = client_auth(shared, req, &p) else {
        return invalid_client();
    };
    let Some(token) = get(&p, "token") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "token is required",
        );
    };
    if let Some(t) = shared.store().tokens.get_mut(token) {
        if t.client_id == app.id {
            t.revoked = true;
        }
    }
    // RFC 7009: unknown tokens are answered with 200 too.
    text_reply(StatusCode::OK, "text/plain; charset=utf-8", String::new())
}

/// The (sub, aud) of an ID token we issued; the signature is ours, so only
/// the payload is read.
fn id_token_subject(token: &str) -> Option<(String, String)> {
    use base64::Engine as _;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    Some((v["sub"].as_str()?.to_owned(), v["aud"].as_str()?.to_owned()))
}

fn end_session(shared: &Shared, req: &Req) -> Reply {
    let p = req.form_pairs();
    let subject = get(&p, "id_token_hint").and_then(id_token_subject);
    if let Some((sub, aud)) = &subject {
        for t in shared.store().tokens.values_mut() {
            if t.user_id.as_deref() == Some(sub) && &t.client_id == aud {
                t.revoked = true;
            }
        }
    }
    if let Some(uri) = get(&p, "post_logout_redirect_uri") {
        // The app is the hint's audience, else `client_id` (OIDC RP-initiated
        // logout allows either).
        let app = match subject.as_ref() {
            Some((_, aud)) => shared.app(aud),
            None => get(&p, "client_id").and_then(|id| shared.app(id)),
        };
        let Some(app) = app else {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "post_logout_redirect_uri needs an id_token_hint (or client_id) of a known app",
            );
        };
        let registered = app
            .post_logout_redirect_uris
            .iter()
            .chain(&app.redirect_uris)
            .any(|u| u == uri);
        if !registered {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "post_logout_redirect_uri is not registered for the app",
            );
        }
        let mut q = Vec::new();
        if let Some(s) = get(&p, "state") {
            q.push(("state", s));
        }
        return redirect(&with_query(uri, &q));
    }
    text_reply(
        StatusCode::OK,
        "text/plain; charset=utf-8",
        "signed out".to_owned(),
    )
}
