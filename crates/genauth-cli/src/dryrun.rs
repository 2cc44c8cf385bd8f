//! Building an invocation's request through the library, and `--dry-run`'s
//! rendering of it.

use serde_json::{Map, Value};

use genauth_core::SecretString;

use crate::creds::Creds;
use crate::table::{ParamKind, Side};
use crate::{Failure, Invocation};

/// What a redacted secret prints as.
pub const REDACTED: &str = "[redacted]";
/// Stands in for a secret while the redacted copy of the request is built: it
/// is left alone by JSON, form and query encoding, and replaced when printed.
const SENTINEL: &str = "GENAUTHxREDACTEDxSECRETx7c1f";

/// The generator's rule for secret fields: a wire name ending in `password`,
/// `secret` or `token` (any case), or `passCode`.
pub fn is_secret_key(key: &str) -> bool {
    let lc = key.to_ascii_lowercase();
    lc.ends_with("password") || lc == "passcode" || lc.ends_with("secret") || lc.ends_with("token")
}

fn redact_value(v: &mut Value, secret: bool) {
    match v {
        Value::String(s) if secret => *s = SENTINEL.to_owned(),
        Value::Array(items) => items.iter_mut().for_each(|i| redact_value(i, secret)),
        Value::Object(m) => {
            for (k, v) in m.iter_mut() {
                redact_value(v, is_secret_key(k));
            }
        }
        _ => {}
    }
}

fn redact_args(inv: &Invocation) -> Map<String, Value> {
    let mut args = inv.args.clone();
    for (k, v) in args.iter_mut() {
        let by_kind = inv.op.params.iter().any(|p| {
            p.key == k
                && matches!(
                    p.kind,
                    ParamKind::Secret | ParamKind::List(ParamKind::Secret)
                )
        });
        redact_value(v, by_kind || is_secret_key(k));
    }
    args
}

/// Builds the request of `inv` from `args` through the operation's own type.
pub fn build(
    inv: &Invocation,
    args: &Map<String, Value>,
) -> Result<http::Request<genauth_core::Body>, Failure> {
    let json = serde_json::to_string(args).map_err(|e| Failure::usage(e.to_string()))?;
    let config_err = |e: genauth_core::ConfigError| Failure::usage(e.to_string());
    Ok(match inv.op.side {
        Side::Auth { build, .. } => {
            let config = genauth_core::AuthenticationConfig::new(inv.creds.auth_options()?)
                .map_err(config_err)?;
            build(&json, &config, inv.creds.access_token.as_ref())?
        }
        Side::Mgmt { build, .. } => {
            let config = genauth_core::ManagementConfig::new(inv.creds.mgmt_options()?)
                .map_err(config_err)?;
            build(&json, &config)?
        }
    })
}

/// The request as text: request line, headers, a blank line and the body.
pub fn render(inv: &Invocation) -> Result<String, Failure> {
    let real = build(inv, &inv.args)?;
    let req = if inv.show_secrets {
        real
    } else {
        build(inv, &redact_args(inv))?
    };
    let mgmt = matches!(inv.op.side, Side::Mgmt { .. });
    Ok(render_http(&req, inv.show_secrets, &inv.creds, mgmt))
}

/// A secret as the request is built with it: itself with `--show-secrets`,
/// otherwise a stand-in that prints as [`REDACTED`].
pub fn secret_for(value: SecretString, show_secrets: bool) -> SecretString {
    if show_secrets {
        value
    } else {
        SecretString::from(SENTINEL)
    }
}

/// `creds` as a redacted request is built with them: every secret is a
/// stand-in that prints as [`REDACTED`] (unchanged with `--show-secrets`).
pub fn creds_for(creds: &Creds, show_secrets: bool) -> Creds {
    let mut c = creds.clone();
    if !show_secrets {
        let a = &mut c.args;
        for s in [
            &mut a.app_secret,
            &mut a.access_token,
            &mut a.access_key_secret,
        ] {
            if s.is_some() {
                *s = Some(SecretString::from(SENTINEL));
            }
        }
    }
    c
}

/// Prints a built request. `mgmt` adds the two headers the management token
/// layer adds when the request is sent.
pub fn render_http(
    req: &http::Request<genauth_core::Body>,
    show_secrets: bool,
    creds: &Creds,
    mgmt: bool,
) -> String {
    let mut out = format!("{} {}\n", req.method(), req.uri());
    for (name, value) in req.headers() {
        let value = if name == http::header::AUTHORIZATION && !show_secrets {
            REDACTED.into()
        } else {
            String::from_utf8_lossy(value.as_bytes())
        };
        out.push_str(&format!("{name}: {value}\n"));
    }
    if mgmt {
        // What the management token layer adds when the request is sent.
        out.push_str("authorization: Bearer [management token]\n");
        out.push_str("x-genauth-userpool-id: [user pool id of the management token]\n");
    }
    let body = req.body().as_bytes();
    if !body.is_empty() {
        out.push('\n');
        out.push_str(&String::from_utf8_lossy(body));
        out.push('\n');
    }
    let mut out = out.replace(SENTINEL, REDACTED);
    if !show_secrets {
        // Belt and braces: the credentials themselves never print.
        for s in [
            &creds.app_secret,
            &creds.access_token,
            &creds.access_key_secret,
        ]
        .into_iter()
        .flatten()
        {
            if s.expose().len() >= 4 {
                out = out.replace(s.expose(), REDACTED);
            }
        }
    }
    out
}
