//! The hand-written subcommands: sign-in / sign-up shortcuts, protocol
//! helpers, `login`, `token decode|verify`, `emulator` and `completions`.

use std::time::Duration;

use clap::{Arg, ArgAction, ArgGroup, ArgMatches, Command};
use genauth_core::protocol::{AuthorizeParams, LogoutParams};
use genauth_core::SecretString;
use genauth_tower::AuthenticationClient;
use serde_json::{json, Map, Value};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::creds::{self, Creds};
use crate::table::{op, p, Op, K, L};

/// `genauth mgmt put-event`: publishes an event (`put_event`).
pub static PUT_EVENT: Op = op!(mgmt genauth_core::events::PutEvent;
    p("event-type", "eventType", K::Str, L::Body, true),
    p("event-data", "eventData", K::Str, L::Body, true));
use crate::{Failure, Invocation, Io, EXIT_TRANSPORT};

/// A flag with one value; the value may start with `-` (base64url codes,
/// tokens and tickets do).
fn flag(id: &'static str, help: &'static str) -> Arg {
    Arg::new(id)
        .long(id)
        .value_name("VALUE")
        .allow_hyphen_values(true)
        .help(help)
}

fn switch(id: &'static str, help: &'static str) -> Arg {
    Arg::new(id).long(id).action(ArgAction::SetTrue).help(help)
}

fn dry_flags(cmd: Command) -> Command {
    cmd.arg(switch(
        "dry-run",
        "Print the exact HTTP request and send nothing",
    ))
    .arg(switch(
        "show-secrets",
        "With --dry-run, print secrets instead of [redacted]",
    ))
}

/// The shortcuts and protocol helpers under `genauth auth`.
pub fn auth_commands() -> Vec<Command> {
    vec![
        dry_flags(
            Command::new("sign-in")
                .about("Sign in with a password or a pass code (sign_in_by_credentials)")
                .arg(flag("email", "The email address"))
                .arg(flag("phone", "The phone number"))
                .arg(flag("username", "The username (with --password)"))
                .arg(flag("account", "Any account name (with --password)"))
                .arg(flag("password", "The password; a secret"))
                .arg(flag(
                    "pass-code",
                    "The pass code sent by email or SMS; a secret",
                ))
                .arg(flag(
                    "phone-country-code",
                    "The phone country code, e.g. +86",
                ))
                .group(
                    ArgGroup::new("who")
                        .args(["email", "phone", "username", "account"])
                        .required(true),
                )
                .group(
                    ArgGroup::new("proof")
                        .args(["password", "pass-code"])
                        .required(true),
                ),
        ),
        dry_flags(
            Command::new("sign-up-with")
                .about("Sign up with a password or a pass code (sign_up)")
                .arg(flag("email", "The email address"))
                .arg(flag("phone", "The phone number (with --pass-code)"))
                .arg(flag("username", "The username (with --password)"))
                .arg(flag("password", "The password; a secret"))
                .arg(flag("pass-code", "The pass code; a secret"))
                .arg(flag(
                    "phone-country-code",
                    "The phone country code, e.g. +86",
                ))
                .group(
                    ArgGroup::new("who")
                        .args(["email", "phone", "username"])
                        .required(true),
                )
                .group(
                    ArgGroup::new("proof")
                        .args(["password", "pass-code"])
                        .required(true),
                ),
        ),
        Command::new("build-authorize-url")
            .about("The login URL of the app's protocol, with its state and nonce (sends nothing)")
            .arg(protocol_arg())
            .arg(flag("redirect-uri", "Where the login returns"))
            .arg(flag("scope", "The scope, e.g. `openid profile`"))
            .arg(flag("state", "The state (default: 32 random characters)"))
            .arg(flag(
                "nonce",
                "The nonce, OIDC (default: 32 random characters)",
            ))
            .arg(flag(
                "code-challenge",
                "A PKCE S256 challenge; keep its verifier for the code exchange",
            ))
            .arg(flag("response-type", "The response type (default `code`)"))
            .arg(flag("prompt", "The prompt, e.g. `login`"))
            .arg(flag(
                "service",
                "The CAS service URL (default: the redirect URI)",
            )),
        Command::new("build-logout-url")
            .about("The logout URL of the app's protocol (sends nothing)")
            .arg(protocol_arg())
            .arg(flag("redirect-uri", "Where the logout returns"))
            .arg(flag("id-token", "The ID token hint; a secret"))
            .arg(flag("state", "A state echoed to the redirect (OIDC)")),
        Command::new("saml-urls")
            .about("The app's SAML IdP login and metadata URLs (sends nothing)"),
        dry_flags(
            Command::new("get-access-token-by-code")
                .about("Trade an authorization code for tokens")
                .arg(flag("code", "The authorization code").required(true))
                .arg(flag("code-verifier", "The PKCE verifier; a secret"))
                .arg(flag("redirect-uri", "The redirect URI of the login")),
        ),
        dry_flags(
            Command::new("get-new-access-token-by-refresh-token")
                .about("Refresh the tokens")
                .arg(flag(
                    "refresh-token",
                    "The refresh token (default: the profile's); a secret",
                )),
        ),
        dry_flags(
            Command::new("introspect-token")
                .about("Ask the server whether a token is active")
                .arg(flag(
                    "token",
                    "The token (default: the access token); a secret",
                )),
        ),
        dry_flags(
            Command::new("revoke-token")
                .about("Revoke a token")
                .arg(flag(
                    "token",
                    "The token (default: the access token); a secret",
                )),
        ),
        dry_flags(
            Command::new("get-user-info-by-access-token")
                .about("The OIDC userinfo of the access token (--access-token)"),
        ),
        dry_flags(
            Command::new("validate-cas-ticket")
                .about("Validate a CAS ticket: CAS 1.0 `/validate` or 2.0/3.0 `/serviceValidate`")
                .arg(flag("ticket", "The service ticket; a secret").required(true))
                .arg(flag("service", "The service URL the ticket was issued for").required(true))
                .arg(
                    Arg::new("cas-version")
                        .long("cas-version")
                        .value_parser(["1", "2"])
                        .default_value("2")
                        .help("1: `/validate` (plain text); 2: `/serviceValidate`"),
                )
                .arg(
                    Arg::new("format")
                        .long("format")
                        .value_parser(["xml", "json"])
                        .default_value("xml")
                        .help("The answer format asked of `/serviceValidate`"),
                ),
        ),
    ]
}

/// The top-level hand-written commands.
pub fn top_commands() -> Vec<Command> {
    vec![
        Command::new("login")
            .about("Sign in through the browser (OIDC code flow with PKCE, loopback redirect on 127.0.0.1) and store the tokens in the profile")
            .arg(flag("port", "The loopback port (default: any free port); the app must accept http://127.0.0.1:PORT/callback"))
            .arg(flag("scope", "The scope (default `openid profile email phone offline_access`)"))
            .arg(flag("timeout", "Seconds to wait for the browser (default 300)"))
            .arg(switch("no-browser", "Print the URL only")),
        Command::new("token")
            .about("Read or verify a JWT")
            .subcommand_required(true)
            .subcommand(
                Command::new("decode")
                    .about("Print a JWT's header and claims without checking anything")
                    .arg(Arg::new("jwt").required(true)),
            )
            .subcommand(
                Command::new("verify")
                    .about("Verify a JWT against the app's key set (signature, issuer, audience, times)")
                    .arg(Arg::new("jwt").required(true))
                    .arg(switch("access", "Verify it as an access token (default: an ID token)"))
                    .arg(flag("nonce", "The nonce an ID token must carry")),
            ),
        Command::new("emulator")
            .about("Run the GenAuth emulator on 127.0.0.1 until Ctrl-C")
            .arg(flag("port", "The port (default: any free port)"))
            .arg(
                flag("user", "A user EMAIL:PASSWORD (repeatable; the first is auto-approved at login)")
                    .action(ArgAction::Append),
            ),
        Command::new("completions")
            .about("Print a shell completion script")
            .arg(
                Arg::new("shell")
                    .required(true)
                    .value_parser(["bash", "zsh", "fish"]),
            ),
    ]
}

fn s(m: &ArgMatches, id: &str) -> Option<String> {
    m.try_get_one::<String>(id).ok().flatten().cloned()
}

fn on(m: &ArgMatches, id: &str) -> bool {
    m.try_get_one::<bool>(id)
        .ok()
        .flatten()
        .copied()
        .unwrap_or(false)
}

fn protocol_arg() -> Arg {
    Arg::new("protocol")
        .long("protocol")
        .value_parser(["oidc", "oauth", "saml", "cas"])
        .help("The app's protocol (default oidc)")
}

fn auth_client(
    creds: &Creds,
    redirect_uri: Option<String>,
) -> Result<AuthenticationClient, Failure> {
    auth_client_with(creds, redirect_uri, None)
}

fn auth_client_with(
    creds: &Creds,
    redirect_uri: Option<String>,
    protocol: Option<&str>,
) -> Result<AuthenticationClient, Failure> {
    use genauth_core::Protocol;
    let mut o = creds.auth_options()?;
    if let Some(uri) = redirect_uri {
        o = o.redirect_uri(uri);
    }
    o = o.protocol(match protocol {
        Some("oauth") => Protocol::Oauth,
        Some("saml") => Protocol::Saml,
        Some("cas") => Protocol::Cas,
        _ => Protocol::Oidc,
    });
    Ok(AuthenticationClient::new(o)?)
}

/// A shortcut as an invocation of the operation the library's shortcut builds.
pub fn shortcut(name: &str, m: &ArgMatches, creds: Creds) -> Result<Invocation, Failure> {
    let client = auth_client(&creds, None)?;
    let cc = s(m, "phone-country-code");
    let pw = s(m, "password").map(SecretString::from);
    let code = s(m, "pass-code").map(SecretString::from);
    let who = ["email", "phone", "username", "account"]
        .into_iter()
        .find_map(|k| s(m, k).map(|v| (k, v)))
        .ok_or_else(|| Failure::usage("give --email, --phone, --username or --account"))?;
    let bad = |what: &str| Failure::usage(format!("{name}: {what}"));
    let (op_name, value) = if name == "sign-in" {
        let op = match (who.0, pw, code) {
            ("email", Some(p), _) => client.sign_in_by_email_password(who.1, p),
            ("phone", Some(p), _) => client.sign_in_by_phone_password(who.1, p),
            ("username", Some(p), _) => client.sign_in_by_username_password(who.1, p),
            ("account", Some(p), _) => client.sign_in_by_account_password(who.1, p),
            ("email", None, Some(c)) => client.sign_in_by_email_passcode(who.1, c),
            ("phone", None, Some(c)) => client.sign_in_by_phone_passcode(who.1, c, cc.as_deref()),
            _ => return Err(bad("a pass code goes with --email or --phone")),
        }
        .into_op();
        ("sign-in-by-credentials", serde_json::to_value(&op))
    } else {
        let op = match (who.0, pw, code) {
            ("email", Some(p), _) => client.sign_up_by_email_password(who.1, p),
            ("username", Some(p), _) => client.sign_up_by_username_password(who.1, p),
            ("email", None, Some(c)) => client.sign_up_by_email_passcode(who.1, c),
            ("phone", None, Some(c)) => client.sign_up_by_phone_passcode(who.1, c, cc.as_deref()),
            _ => return Err(bad(
                "a password goes with --email or --username, a pass code with --email or --phone",
            )),
        }
        .into_op();
        ("sign-up", serde_json::to_value(&op))
    };
    let args = match value {
        Ok(Value::Object(m)) => m,
        _ => return Err(Failure::usage("the shortcut did not make a JSON object")),
    };
    let op = crate::find_op("auth", op_name)
        .ok_or_else(|| Failure::usage(format!("no operation {op_name}")))?;
    Ok(Invocation {
        op,
        args,
        creds,
        dry_run: on(m, "dry-run"),
        show_secrets: on(m, "show-secrets"),
        all: false,
    })
}

/// Whether `name` is a hand-written `auth` subcommand.
pub fn is_auth_extra(name: &str) -> bool {
    auth_commands().iter().any(|c| c.get_name() == name)
}

fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn secret_arg(
    m: &ArgMatches,
    id: &str,
    fallback: Option<&SecretString>,
    what: &str,
) -> Result<SecretString, Failure> {
    s(m, id)
        .map(SecretString::from)
        .or_else(|| fallback.cloned())
        .ok_or_else(|| Failure::usage(format!("no {what}: pass --{id} or set it in the profile")))
}

/// The request a protocol helper sends: built with the real secrets to be
/// sent, or with stand-ins to be printed by `--dry-run`.
fn protocol_request(
    name: &str,
    m: &ArgMatches,
    creds: &Creds,
    io: &Io<'_>,
    show_secrets: bool,
) -> Result<http::Request<genauth_core::Body>, Failure> {
    use genauth_core::protocol::{CasFormat, TokenPlacement, UserInfoMethod};
    let c = crate::dryrun::creds_for(creds, show_secrets);
    let client = auth_client(&c, s(m, "redirect-uri"))?;
    let config = client.config();
    let hide = |v: SecretString| crate::dryrun::secret_for(v, show_secrets);
    Ok(match name {
        "get-access-token-by-code" => {
            let code = s(m, "code").unwrap_or_default();
            let verifier = s(m, "code-verifier").map(|v| hide(SecretString::from(v)));
            config.get_access_token_by_code_request(&code, None, verifier.as_ref())?
        }
        "get-new-access-token-by-refresh-token" => {
            let stored = stored_profile(creds, io.env)?.and_then(|p| p.refresh_token);
            let token = secret_arg(m, "refresh-token", stored.as_ref(), "refresh token")?;
            config.get_new_access_token_by_refresh_token_request(&hide(token))?
        }
        "introspect-token" => {
            let token = secret_arg(m, "token", creds.access_token.as_ref(), "token")?;
            config.introspect_token_request(&hide(token), None)?
        }
        "revoke-token" => {
            let token = secret_arg(m, "token", creds.access_token.as_ref(), "token")?;
            config.revoke_token_request(&hide(token), None)?
        }
        "get-user-info-by-access-token" => {
            let token = creds.access_token.clone().ok_or_else(|| {
                Failure::usage(
                    "no access token: pass --access-token, set GENAUTH_ACCESS_TOKEN, or set it in the profile",
                )
            })?;
            config.get_user_info_request(
                &hide(token),
                UserInfoMethod::Get,
                TokenPlacement::Header,
            )?
        }
        "validate-cas-ticket" => {
            let ticket = hide(SecretString::from(s(m, "ticket").unwrap_or_default()));
            let service = s(m, "service").unwrap_or_default();
            if s(m, "cas-version").as_deref() == Some("1") {
                config.validate_ticket_v1_request(ticket.expose(), &service)?
            } else {
                let format = match s(m, "format").as_deref() {
                    Some("json") => CasFormat::Json,
                    _ => CasFormat::Xml,
                };
                config.validate_ticket_v2_request(ticket.expose(), &service, format)?
            }
        }
        other => return Err(Failure::usage(format!("unknown command `{other}`"))),
    })
}

/// Decodes what a protocol helper's request got back.
fn protocol_output(
    name: &str,
    m: &ArgMatches,
    resp: http::Response<bytes::Bytes>,
) -> Result<Value, Failure> {
    use genauth_core::protocol::{cas, token, userinfo};
    Ok(match name {
        "get-access-token-by-code" | "get-new-access-token-by-refresh-token" => {
            to_json(&token::parse_token_response(resp)?)
        }
        "introspect-token" => to_json(&token::parse_introspection_response(resp)?),
        "revoke-token" => {
            token::parse_revocation_response(resp)?;
            json!({ "revoked": true })
        }
        "get-user-info-by-access-token" => to_json(&userinfo::parse_user_info_response(resp)?),
        "validate-cas-ticket" if s(m, "cas-version").as_deref() == Some("1") => {
            json!({ "user": cas::parse_validate_v1_response(resp)? })
        }
        "validate-cas-ticket" => to_json(&cas::parse_service_validate_response(resp)?),
        other => return Err(Failure::usage(format!("unknown command `{other}`"))),
    })
}

/// What a protocol helper prints: a JSON value, or the text of `--dry-run`.
pub enum Printed {
    /// JSON output.
    Json(Value),
    /// `--dry-run` output.
    Text(String),
}

/// Runs a protocol helper.
pub async fn protocol(
    name: &str,
    m: &ArgMatches,
    creds: &Creds,
    io: &mut Io<'_>,
) -> Result<Printed, Failure> {
    let protocol = s(m, "protocol");
    Ok(Printed::Json(match name {
        "build-authorize-url" => {
            let client = auth_client_with(creds, s(m, "redirect-uri"), protocol.as_deref())?;
            let params = AuthorizeParams {
                scope: s(m, "scope"),
                state: s(m, "state"),
                nonce: s(m, "nonce"),
                code_challenge: s(m, "code-challenge"),
                response_type: s(m, "response-type"),
                prompt: s(m, "prompt"),
                service: s(m, "service"),
                ..Default::default()
            };
            let url = client.build_authorize_url(params)?;
            json!({
                "url": url.url,
                "state": url.state,
                "nonce": url.nonce,
                "redirect_uri": url.redirect_uri,
                "scope": url.scope,
            })
        }
        "build-logout-url" => {
            let client = auth_client_with(creds, None, protocol.as_deref())?;
            let mut params = LogoutParams::new();
            params.redirect_uri = s(m, "redirect-uri");
            params.id_token = s(m, "id-token").map(SecretString::from);
            params.state = s(m, "state");
            json!({ "url": client.build_logout_url(params) })
        }
        "saml-urls" => {
            let client = auth_client(creds, None)?;
            json!({
                "login_url": client.saml_login_url(),
                "metadata_url": client.saml_metadata_url(),
            })
        }
        _ => {
            let show = on(m, "show-secrets");
            if on(m, "dry-run") {
                let req = protocol_request(name, m, creds, io, show)?;
                return Ok(Printed::Text(crate::dryrun::render_http(
                    &req, show, creds, false,
                )));
            }
            let req = protocol_request(name, m, creds, io, true)?;
            let client = auth_client(creds, s(m, "redirect-uri"))?;
            let resp = client.send_http(req).await?;
            protocol_output(name, m, resp)?
        }
    }))
}

/// Subscribes to the events feed and prints each event as a JSON line.
pub fn subscribe_command() -> Command {
    Command::new("subscribe")
        .about("Subscribe to an event code on the events feed and print each event as one JSON line, until Ctrl-C or --count events")
        .long_about("Subscribe to an event code on the events feed and print each event as one JSON line \
             (`{\"code\": ..., \"payload\": ...}`), until Ctrl-C or --count events. \
             The management client signs the subscription with the access key; the \
             authentication client sends the end user's access token. The connection is \
             reopened when it drops (up to 10 times in a row, with backoff). The events host \
             is --websocket-host / GENAUTH_WEBSOCKET_HOST.")
        .arg(
            Arg::new("event-code")
                .required(true)
                .value_name("EVENT_CODE")
                .help("The event code, e.g. `myapp.order.paid`"),
        )
        .arg(
            Arg::new("count")
                .long("count")
                .value_name("N")
                .value_parser(clap::value_parser!(u64).range(1..))
                .help("Stop after N events"),
        )
}

fn events_failure(code: &str, e: genauth_events::EventsError) -> Failure {
    use genauth_events::EventsError as E;
    let e = match e {
        E::Sdk(inner) => return Failure::from(inner),
        E::MissingToken => {
            return Failure::usage(format!(
                "subscribing to `{code}` as an end user needs an access token: pass --access-token or set GENAUTH_ACCESS_TOKEN"
            ))
        }
        other => other,
    };
    // Refused credentials or a server that broke the handshake rules: an API
    // error; anything else: the connection.
    let status = if matches!(e, E::Handshake(_)) {
        crate::EXIT_API
    } else {
        EXIT_TRANSPORT
    };
    Failure {
        code: status,
        message: format!("the subscription to `{code}` failed: {e}"),
    }
}

/// `auth|mgmt subscribe`.
pub async fn subscribe(
    client: &str,
    m: &ArgMatches,
    creds: &Creds,
    io: &mut Io<'_>,
) -> Result<(), Failure> {
    use futures_util::StreamExt as _;
    use genauth_events::SubscribeExt as _;
    let code = s(m, "event-code").unwrap_or_default();
    let count = m.try_get_one::<u64>("count").ok().flatten().copied();
    let mut stream = if client == "mgmt" {
        genauth_tower::ManagementClient::new(creds.mgmt_options()?)?.subscribe(code.clone())
    } else {
        auth_client(creds, None)?.subscribe(code.clone())
    };
    let write_fail = |e: std::io::Error| io_fail("cannot write the output", e);
    // Registered now (on the first poll), so a Ctrl-C at any later point
    // stops the loop instead of killing the process; if it cannot be
    // registered, only --count or the feed ends the command.
    let mut ctrl_c = Box::pin(async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    });
    let _ = futures_util::FutureExt::now_or_never(&mut ctrl_c);
    tokio::select! {
        connected = stream.wait_connected() => if connected {
            let _ = writeln!(io.err, "genauth: subscribed to `{code}`; Ctrl-C stops");
            let _ = io.err.flush();
        },
        _ = &mut ctrl_c => return Ok(()),
    }
    let mut seen: u64 = 0;
    while count.is_none_or(|n| seen < n) {
        let item = tokio::select! {
            item = stream.next() => item,
            _ = &mut ctrl_c => break,
        };
        match item {
            Some(Ok(event)) => {
                let line = json!({ "code": event.code, "payload": event.payload });
                writeln!(io.out, "{line}").map_err(write_fail)?;
                io.out.flush().map_err(write_fail)?;
                seen += 1;
            }
            Some(Err(e)) => return Err(events_failure(&code, e)),
            None => {
                return Err(Failure {
                    code: EXIT_TRANSPORT,
                    message: format!("the subscription to `{code}` ended"),
                })
            }
        }
    }
    Ok(())
}

fn stored_profile(
    creds: &Creds,
    _env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<creds::Profile>, Failure> {
    match &creds.file {
        Some(path) => Ok(creds::read_profiles(path)?.remove(&creds.profile)),
        None => Ok(None),
    }
}

fn b64_json(part: &str, what: &str) -> Result<Value, Failure> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|e| Failure::usage(format!("the token's {what} is not base64url: {e}")))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| Failure::usage(format!("the token's {what} is not JSON: {e}")))
}

/// `token decode`: header and claims, unverified.
pub fn decode_jwt(jwt: &str) -> Result<Value, Failure> {
    let parts: Vec<&str> = jwt.trim().split('.').collect();
    if parts.len() != 3 {
        return Err(Failure::usage(format!(
            "not a JWT: expected 3 dot-separated parts, found {}",
            parts.len()
        )));
    }
    Ok(json!({ "header": b64_json(parts[0], "header")?, "claims": b64_json(parts[1], "claims")? }))
}

/// `token verify`.
pub async fn verify_jwt(m: &ArgMatches, creds: &Creds) -> Result<Value, Failure> {
    let client = auth_client(creds, None)?;
    let jwt = s(m, "jwt").unwrap_or_default();
    let claims = if on(m, "access") {
        client.verify_access_token(jwt.trim()).await?
    } else {
        client
            .verify_id_token(jwt.trim(), s(m, "nonce").as_deref())
            .await?
    };
    Ok(to_json(&claims))
}

fn io_fail(what: &str, e: impl std::fmt::Display) -> Failure {
    Failure {
        code: EXIT_TRANSPORT,
        message: format!("{what}: {e}"),
    }
}

/// Reads one HTTP request head from the loopback connection; returns its target.
async fn read_target(stream: &mut tokio::net::TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf);
    let line = head.lines().next()?;
    let mut parts = line.split(' ');
    (parts.next()? == "GET").then_some(())?;
    parts.next().map(str::to_owned)
}

async fn respond(stream: &mut tokio::net::TcpStream, status: &str, text: &str) {
    let body = format!("<!doctype html><meta charset=utf-8><title>genauth</title><p>{text}</p>\n");
    let resp = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(resp.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// `login`: the code flow through a loopback redirect; the tokens go to the profile.
pub async fn login(m: &ArgMatches, creds: &Creds, io: &mut Io<'_>) -> Result<Value, Failure> {
    let port: u16 = match s(m, "port") {
        Some(p) => p
            .parse()
            .map_err(|_| Failure::usage(format!("--port: `{p}` is not a port number")))?,
        None => 0,
    };
    let wait = match s(m, "timeout") {
        Some(t) => t
            .parse::<u64>()
            .map_err(|_| Failure::usage(format!("--timeout: `{t}` is not a number of seconds")))?,
        None => 300,
    };
    let file = creds.file.clone().ok_or_else(|| {
        Failure::usage("login stores tokens in the profiles file, but there is no config directory (set HOME or GENAUTH_CONFIG_DIR)")
    })?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| io_fail("cannot listen on 127.0.0.1 for the login redirect", e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| io_fail("cannot read the loopback address", e))?;
    let redirect_uri = format!("http://127.0.0.1:{}/callback", addr.port());
    let client = auth_client(creds, Some(redirect_uri))?;
    let params = AuthorizeParams {
        scope: Some(
            s(m, "scope").unwrap_or_else(|| "openid profile email phone offline_access".to_owned()),
        ),
        ..Default::default()
    };
    let start = client.start_redirect_login(params)?;
    let _ = writeln!(
        io.err,
        "Open this URL in a browser to sign in:\n\n  {}\n",
        start.url
    );
    if !on(m, "no-browser") {
        (io.open_url)(&start.url);
    }
    let outcome = tokio::time::timeout(Duration::from_secs(wait), async {
        loop {
            let (mut stream, _) = listener
                .accept()
                .await
                .map_err(|e| io_fail("the login redirect failed", e))?;
            let Some(target) = read_target(&mut stream).await else {
                respond(&mut stream, "400 Bad Request", "Not a GET request.").await;
                continue;
            };
            let (path, query) = target.split_once('?').unwrap_or((target.as_str(), ""));
            if path != "/callback" {
                respond(&mut stream, "404 Not Found", "Not the login callback.").await;
                continue;
            }
            let result = client
                .handle_redirect_callback(query, &start.transaction)
                .await;
            match &result {
                Ok(_) => respond(&mut stream, "200 OK", "Signed in. You can close this tab.").await,
                Err(_) => {
                    respond(
                        &mut stream,
                        "400 Bad Request",
                        "The sign-in failed; see the terminal.",
                    )
                    .await
                }
            }
            return result.map_err(Failure::from);
        }
    })
    .await
    .map_err(|_| io_fail("login", format!("no login redirect within {wait} s")))??;
    let mut profiles = creds::read_profiles(&file)?;
    let entry = profiles.entry(creds.profile.clone()).or_default();
    let tokens = &outcome.tokens;
    entry.access_token = tokens.access_token.clone();
    entry.refresh_token = tokens.refresh_token.clone();
    entry.id_token = tokens.id_token.clone();
    if entry.app_id.is_none() {
        entry.app_id = creds.app_id.clone();
    }
    if entry.app_host.is_none() {
        entry.app_host = creds.app_host.clone();
    }
    creds::write_profiles(&file, &profiles)?;
    let mut out = Map::new();
    out.insert("profile".into(), json!(creds.profile));
    out.insert("file".into(), json!(file.display().to_string()));
    out.insert(
        "refresh_token".into(),
        json!(tokens.refresh_token.is_some()),
    );
    out.insert("expires_in".into(), json!(tokens.expires_in));
    if let Some(c) = &outcome.id_claims {
        out.insert("sub".into(), json!(c.sub));
    }
    Ok(Value::Object(out))
}

/// `emulator`: runs until Ctrl-C.
pub async fn emulator(m: &ArgMatches, io: &mut Io<'_>) -> Result<(), Failure> {
    let mut b = genauth_emulator::Emulator::builder();
    if let Some(p) = s(m, "port") {
        let port: u16 = p
            .parse()
            .map_err(|_| Failure::usage(format!("--port: `{p}` is not a port number")))?;
        b = b.addr(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
    }
    let users: Vec<String> = m
        .get_many::<String>("user")
        .map(|v| v.cloned().collect())
        .unwrap_or_default();
    for (i, u) in users.iter().enumerate() {
        let (email, pw) = u
            .split_once(':')
            .ok_or_else(|| Failure::usage(format!("--user `{u}`: expected EMAIL:PASSWORD")))?;
        if i == 0 {
            b = b.auto_approve(email);
        }
        b = b.user(genauth_emulator::TestUser::email(email).with_password(pw));
    }
    let emu = b
        .start()
        .await
        .map_err(|e| io_fail("cannot start the emulator", e))?;
    let _ = writeln!(
        io.out,
        "GenAuth emulator on {url}\n\nexport GENAUTH_APP_HOST={url}\nexport GENAUTH_HOST={url}\nexport GENAUTH_APP_ID={}\nexport GENAUTH_APP_SECRET={}\nexport GENAUTH_ACCESS_KEY_ID={}\nexport GENAUTH_ACCESS_KEY_SECRET={}\n",
        genauth_emulator::DEFAULT_APP_ID,
        genauth_emulator::DEFAULT_APP_SECRET,
        genauth_emulator::DEFAULT_ACCESS_KEY_ID,
        genauth_emulator::DEFAULT_ACCESS_KEY_SECRET,
        url = emu.url(),
    );
    let _ = io.out.flush();
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| io_fail("cannot wait for Ctrl-C", e))?;
    drop(emu);
    Ok(())
}

/// `completions`.
pub fn completions(m: &ArgMatches, io: &mut Io<'_>) -> Result<(), Failure> {
    use clap_complete::Shell;
    let shell = match s(m, "shell").as_deref() {
        Some("bash") => Shell::Bash,
        Some("zsh") => Shell::Zsh,
        Some("fish") => Shell::Fish,
        other => return Err(Failure::usage(format!("unknown shell {other:?}"))),
    };
    let mut cmd = crate::command();
    clap_complete::generate(shell, &mut cmd, "genauth", io.out);
    Ok(())
}
