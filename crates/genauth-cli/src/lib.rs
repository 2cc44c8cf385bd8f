//! The `genauth` command-line tool: every operation of both GenAuth clients as
//! a subcommand, built through the library's own typed operations, with a
//! `--dry-run` that prints the exact request.
//!
//! The binary is a thin `main` over [`run`]; the library form exists so the
//! tests can drive the tool in-process. See `docs/cli.md`.

mod args;
mod creds;
mod dryrun;
mod extra;
#[path = "generated/ops.rs"]
mod ops;
mod send;
mod table;

use std::ffi::OsString;
use std::io::{Read, Write};

use clap::{Arg, ArgAction, ArgMatches, Command};

pub use creds::Creds;
pub use table::{ArgsError, Op, Param, Side, K, L};

/// Exit status: success.
pub const EXIT_OK: i32 = 0;
/// Exit status: the API answered with an error (or a response that cannot be read).
pub const EXIT_API: i32 = 1;
/// Exit status: bad usage (flags, values, credentials, input files).
pub const EXIT_USAGE: i32 = 2;
/// Exit status: the request did not get an answer (connection, timeout).
pub const EXIT_TRANSPORT: i32 = 3;

/// Where the tool reads and writes, and what it knows of its surroundings.
pub struct Io<'a> {
    /// Standard output.
    pub out: &'a mut dyn Write,
    /// Standard error.
    pub err: &'a mut dyn Write,
    /// Standard input (for `--data -`).
    pub stdin: &'a mut dyn Read,
    /// Whether standard output is a terminal (pretty JSON).
    pub out_tty: bool,
    /// Whether standard error is a terminal (progress bars).
    pub err_tty: bool,
    /// The environment (`GENAUTH_*`, `HOME`, `XDG_CONFIG_HOME`, ...).
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// Opens a URL in the user's browser (`login`).
    pub open_url: &'a dyn Fn(&str),
}

/// A failure with its exit status and a sentence for the user.
#[derive(Debug)]
pub struct Failure {
    /// The exit status.
    pub code: i32,
    /// What went wrong, for stderr.
    pub message: String,
}

impl Failure {
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self {
            code: EXIT_USAGE,
            message: message.into(),
        }
    }
}

impl From<genauth_core::Error> for Failure {
    fn from(e: genauth_core::Error) -> Self {
        use genauth_core::Error as E;
        let code = match &e {
            E::Transport { .. } | E::Timeout(_) => EXIT_TRANSPORT,
            E::InvalidInput { .. } | E::Config(_) => EXIT_USAGE,
            _ => EXIT_API,
        };
        Self {
            code,
            message: e.to_string(),
        }
    }
}

impl From<ArgsError> for Failure {
    fn from(e: ArgsError) -> Self {
        match e {
            ArgsError::Shape(s) => Failure::usage(format!("invalid arguments: {s}")),
            ArgsError::Library(e) => e.into(),
        }
    }
}

/// The authentication client's operations.
pub fn auth_ops() -> &'static [Op] {
    ops::AUTH
}

/// The management client's operations.
pub fn mgmt_ops() -> &'static [Op] {
    ops::MGMT
}

/// The subcommand name of an operation: `get_user` -> `get-user`.
pub fn command_name(op: &Op) -> String {
    op.name.replace('_', "-")
}

fn humanize(name: &str) -> String {
    let mut s = name.replace('_', " ");
    if let Some(f) = s.get(0..1) {
        let up = f.to_ascii_uppercase();
        s.replace_range(0..1, &up);
    }
    s
}

fn auth_words(auth: genauth_core::AuthKind) -> &'static str {
    use genauth_core::AuthKind as A;
    match auth {
        A::UserToken => "with the end user's access token",
        A::ManagementToken => "with the management token",
        A::AppBasicOrToken => "with the app's credentials or the user's token",
        _ => "without credentials",
    }
}

fn op_command(op: &Op) -> Command {
    let about = format!("{}.", humanize(op.name));
    let long = format!(
        "{about}\n\n`{} {}`, sent {}.",
        op.method,
        op.path,
        auth_words(op.auth)
    );
    let mut cmd = Command::new(command_name(op))
        .about(about)
        .long_about(long)
        .args(op.params.iter().map(args::param_arg))
        .arg(
            Arg::new("data")
                .long("data")
                .value_name("JSON|@FILE|-")
                .help("The parameters as one JSON object: inline, from a file (@file.json) or from stdin (-); flags override its keys"),
        )
        .arg(
            Arg::new("dry-run")
                .long("dry-run")
                .action(ArgAction::SetTrue)
                .help("Print the exact HTTP request and send nothing"),
        )
        .arg(
            Arg::new("show-secrets")
                .long("show-secrets")
                .action(ArgAction::SetTrue)
                .help("With --dry-run, print secrets instead of [redacted]"),
        );
    let pages = match op.side {
        Side::Auth { pages, .. } => pages.is_some(),
        Side::Mgmt { pages, .. } => pages.is_some(),
    };
    if pages {
        cmd = cmd.arg(
            Arg::new("all")
                .long("all")
                .action(ArgAction::SetTrue)
                .help("Fetch every page and print the items as JSON lines"),
        );
    }
    cmd
}

fn client_command(name: &'static str, about: &'static str, ops: &'static [Op]) -> Command {
    let cmd = Command::new(name)
        .about(about)
        .subcommand_required(true)
        .arg_required_else_help(true);
    let cmd = if name == "auth" {
        cmd.subcommands(extra::auth_commands())
    } else {
        cmd.subcommand(op_command(&extra::PUT_EVENT))
    };
    let cmd = cmd.subcommand(extra::subscribe_command());
    cmd.subcommands(ops.iter().map(op_command))
}

/// The whole command tree.
pub fn command() -> Command {
    let cred =
        |id: &'static str, help: &'static str| Arg::new(id).long(id).value_name("VALUE").help(help);
    Command::new("genauth")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Every GenAuth operation from the command line")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(Arg::new("profile").long("profile").value_name("NAME").help(
            "The profile of the profiles file to use (default: $GENAUTH_PROFILE, then `default`)",
        ))
        .arg(cred("app-id", "The app id [env: GENAUTH_APP_ID]"))
        .arg(cred(
            "app-secret",
            "The app secret [env: GENAUTH_APP_SECRET]",
        ))
        .arg(cred(
            "app-host",
            "The app host, e.g. https://example.genauth.ai [env: GENAUTH_APP_HOST]",
        ))
        .arg(cred(
            "access-token",
            "The end user's access token [env: GENAUTH_ACCESS_TOKEN]",
        ))
        .arg(cred(
            "access-key-id",
            "The user pool's access key id [env: GENAUTH_ACCESS_KEY_ID]",
        ))
        .arg(cred(
            "access-key-secret",
            "The access key secret [env: GENAUTH_ACCESS_KEY_SECRET]",
        ))
        .arg(cred(
            "host",
            "The management API host (default https://api.genauth.ai) [env: GENAUTH_HOST]",
        ))
        .arg(cred(
            "websocket-host",
            "The events feed host (default wss://events.genauth.ai) [env: GENAUTH_WEBSOCKET_HOST]",
        ))
        .subcommand(client_command(
            "auth",
            "The authentication client's operations (end users)",
            ops::AUTH,
        ))
        .subcommand(client_command(
            "mgmt",
            "The management client's operations (admin, with the access key)",
            ops::MGMT,
        ))
        .subcommands(extra::top_commands())
}

/// The operation a subcommand names.
pub fn find_op(client: &str, name: &str) -> Option<&'static Op> {
    let table = match client {
        "auth" => ops::AUTH,
        "mgmt" if name == "put-event" => return Some(&extra::PUT_EVENT),
        "mgmt" => ops::MGMT,
        _ => return None,
    };
    table.iter().find(|o| command_name(o) == name)
}

/// What a parsed operation subcommand asks for.
pub struct Invocation {
    /// The operation.
    pub op: &'static Op,
    /// Its arguments as the JSON object the operation deserializes from.
    pub args: serde_json::Map<String, serde_json::Value>,
    /// The credentials.
    pub creds: Creds,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--show-secrets`.
    pub show_secrets: bool,
    /// `--all`.
    pub all: bool,
}

fn parse_argv(argv: Vec<OsString>) -> Result<ArgMatches, clap::Error> {
    command().try_get_matches_from(argv)
}

/// Parses an operation subcommand (`genauth [creds] auth|mgmt <op> [flags]`).
pub fn invocation(argv: Vec<OsString>, io: &mut Io<'_>) -> Result<Invocation, Failure> {
    let matches = parse_argv(argv).map_err(|e| Failure::usage(e.render().to_string()))?;
    invocation_from(&matches, io)
}

fn invocation_from(matches: &ArgMatches, io: &mut Io<'_>) -> Result<Invocation, Failure> {
    let Some((client, sub)) = matches.subcommand() else {
        return Err(Failure::usage("no command given; see `genauth --help`"));
    };
    let Some((name, op_matches)) = sub.subcommand() else {
        return Err(Failure::usage(format!(
            "no operation given; see `genauth {client} --help`"
        )));
    };
    let op = find_op(client, name)
        .ok_or_else(|| Failure::usage(format!("unknown operation `{client} {name}`")))?;
    let args = args::collect(op, op_matches, io)?;
    let creds = Creds::resolve(matches, io.env)?;
    let flag = |id: &str| {
        op_matches
            .try_get_one::<bool>(id)
            .ok()
            .flatten()
            .copied()
            .unwrap_or(false)
    };
    Ok(Invocation {
        op,
        args,
        creds,
        dry_run: flag("dry-run"),
        show_secrets: flag("show-secrets"),
        all: flag("all"),
    })
}

impl Invocation {
    /// The request the library builds for these arguments (secrets as given,
    /// no management token).
    pub fn request(&self) -> Result<http::Request<genauth_core::Body>, Failure> {
        dryrun::build(self, &self.args)
    }
}

pub(crate) fn print_json(io: &mut Io<'_>, value: &serde_json::Value) -> Result<(), Failure> {
    let text = if io.out_tty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    }
    .map_err(|e| Failure::usage(e.to_string()))?;
    writeln!(io.out, "{text}").map_err(|e| Failure {
        code: EXIT_TRANSPORT,
        message: format!("cannot write the output: {e}"),
    })
}

fn execute(argv: Vec<OsString>, io: &mut Io<'_>) -> Result<(), Failure> {
    let matches = match parse_argv(argv) {
        Ok(m) => m,
        Err(e) => {
            use clap::error::ErrorKind;
            return match e.kind() {
                ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    let _ = write!(io.out, "{}", e.render());
                    if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                        Err(Failure::usage(""))
                    } else {
                        Ok(())
                    }
                }
                _ => Err(Failure::usage(e.render().to_string())),
            };
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure {
            code: EXIT_TRANSPORT,
            message: format!("cannot start the async runtime: {e}"),
        })?;
    let _guard = runtime.enter();
    let value = match matches.subcommand() {
        Some(("completions", m)) => return extra::completions(m, io),
        Some(("emulator", m)) => return runtime.block_on(extra::emulator(m, io)),
        Some(("token", m)) => match m.subcommand() {
            Some(("decode", d)) => {
                extra::decode_jwt(d.get_one::<String>("jwt").map(String::as_str).unwrap_or(""))?
            }
            Some(("verify", v)) => {
                let creds = Creds::resolve(&matches, io.env)?;
                runtime.block_on(extra::verify_jwt(v, &creds))?
            }
            _ => return Err(Failure::usage("see `genauth token --help`")),
        },
        Some(("login", m)) => {
            let creds = Creds::resolve(&matches, io.env)?;
            runtime.block_on(extra::login(m, &creds, io))?
        }
        Some((client @ ("auth" | "mgmt"), sub))
            if matches!(sub.subcommand_name(), Some("subscribe")) =>
        {
            let creds = Creds::resolve(&matches, io.env)?;
            let m = sub
                .subcommand_matches("subscribe")
                .ok_or_else(|| Failure::usage("see `genauth mgmt subscribe --help`"))?;
            return runtime.block_on(extra::subscribe(client, m, &creds, io));
        }
        Some(("auth", sub)) => match sub.subcommand() {
            Some((name @ ("sign-in" | "sign-up-with"), m)) => {
                let creds = Creds::resolve(&matches, io.env)?;
                let inv = extra::shortcut(name, m, creds)?;
                return finish(inv, &runtime, io);
            }
            Some((name, m)) if extra::is_auth_extra(name) => {
                let creds = Creds::resolve(&matches, io.env)?;
                match runtime.block_on(extra::protocol(name, m, &creds, io))? {
                    extra::Printed::Json(v) => v,
                    extra::Printed::Text(text) => {
                        return io.out.write_all(text.as_bytes()).map_err(|e| Failure {
                            code: EXIT_TRANSPORT,
                            message: format!("cannot write the output: {e}"),
                        })
                    }
                }
            }
            _ => return finish(invocation_from(&matches, io)?, &runtime, io),
        },
        _ => return finish(invocation_from(&matches, io)?, &runtime, io),
    };
    print_json(io, &value)
}

fn finish(
    inv: Invocation,
    runtime: &tokio::runtime::Runtime,
    io: &mut Io<'_>,
) -> Result<(), Failure> {
    if inv.dry_run {
        let text = dryrun::render(&inv)?;
        return io.out.write_all(text.as_bytes()).map_err(|e| Failure {
            code: EXIT_TRANSPORT,
            message: format!("cannot write the output: {e}"),
        });
    }
    runtime.block_on(send::run(&inv, io))
}

/// Runs the tool and returns its exit status; messages go to `io.err`.
pub fn run(argv: Vec<OsString>, io: &mut Io<'_>) -> i32 {
    match execute(argv, io) {
        Ok(()) => EXIT_OK,
        Err(f) => {
            let msg = f.message.trim_end();
            if !msg.is_empty() {
                if msg.starts_with("error:") {
                    let _ = writeln!(io.err, "{msg}");
                } else {
                    let _ = writeln!(io.err, "genauth: {msg}");
                }
            }
            f.code
        }
    }
}
