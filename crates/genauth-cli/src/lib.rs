//! The `genauth` command-line tool: every operation of both GenAuth clients as
//! a subcommand, built through the library's own typed operations, with a
//! `--dry-run` that prints the exact request, a login session kept in the OS
//! keyring, and JSON, YAML or table output.
//!
//! The binary is a thin `main` over [`run`]; the library form exists so the
//! tests can drive the tool in-process. See `docs/cli.md`.

mod args;
mod commands;
mod creds;
mod dryrun;
mod global;
mod jwt;
mod loopback;
mod operation;
#[path = "generated/ops.rs"]
mod ops;
mod output;
mod secrets;
mod send;
mod session;
mod table;

use std::ffi::OsString;
use std::io::{Read, Write};

use clap::{ArgMatches, Command};

pub use creds::Creds;
pub use operation::{command_name, find_op, invocation, Invocation};
pub use table::{ArgsError, Location, Op, Param, ParamKind, Side};

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

    pub(crate) fn api(message: impl Into<String>) -> Self {
        Self {
            code: EXIT_API,
            message: message.into(),
        }
    }

    pub(crate) fn transport(message: impl Into<String>) -> Self {
        Self {
            code: EXIT_TRANSPORT,
            message: message.into(),
        }
    }

    /// A failure to write the output. A reader that went away (`genauth ... |
    /// head`) ends the command quietly, as other command-line tools do.
    pub(crate) fn write(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Self {
                code: EXIT_OK,
                message: String::new(),
            };
        }
        Self::transport(format!("cannot write the output: {e}"))
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

/// The whole command tree.
pub fn command() -> Command {
    use clap::Args as _;
    let cmd = Command::new("genauth")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Every GenAuth operation from the command line")
        .subcommand_required(true)
        .arg_required_else_help(true);
    let cmd = global::GlobalArgs::augment_args(cmd);
    let cmd = cmd
        .subcommand(operation::client_command(
            commands::Parent::Auth,
            "auth",
            "The authentication client's operations (end users; the logged-in user's tokens after `genauth login`)",
            ops::AUTH,
        ))
        .subcommand(operation::client_command(
            commands::Parent::Mgmt,
            "mgmt",
            "The management client's operations (admin, with the access key)",
            ops::MGMT,
        ));
    cmd.subcommands(commands::commands(commands::Parent::Top))
}

fn parse_argv(argv: Vec<OsString>) -> Result<ArgMatches, clap::Error> {
    command().try_get_matches_from(argv)
}

pub(crate) fn print_json(io: &mut Io<'_>, value: &serde_json::Value) -> Result<(), Failure> {
    let text = if io.out_tty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    }
    .map_err(|e| Failure::usage(e.to_string()))?;
    writeln!(io.out, "{text}").map_err(Failure::write)
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
        .map_err(|e| Failure::transport(format!("cannot start the async runtime: {e}")))?;
    let _guard = runtime.enter();
    let global = global::GlobalArgs::from_matches(&matches, io.env)?;
    let mut cx = commands::Cx {
        io,
        global,
        runtime: &runtime,
        parent: commands::Parent::Top,
        store_cache: Default::default(),
    };
    commands::dispatch(&matches, &mut cx)
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
