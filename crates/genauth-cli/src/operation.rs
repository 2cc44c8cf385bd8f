//! The generated operations as subcommands: their help, their parsing into
//! an [`Invocation`], and running one.

use std::ffi::OsString;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::commands::{self, Cx, Parent};
use crate::creds::Creds;
use crate::table::{Op, Side};
use crate::{args, dryrun, ops, send, Failure, Io};

/// The subcommand name of an operation: `get_user` -> `get-user`.
pub fn command_name(op: &Op) -> String {
    op.name.replace('_', "-")
}

fn auth_words(auth: genauth_core::AuthKind) -> &'static str {
    use genauth_core::AuthKind as A;
    match auth {
        A::UserToken => "with the end user's access token (the logged-in user's by default)",
        A::ManagementToken => "with the management token",
        A::AppBasicOrToken => "with the app's credentials or the user's token",
        _ => "without credentials",
    }
}

/// The long help of an operation: summary, route, credential, output, names.
pub fn long_about(op: &Op) -> String {
    let mut s = format!(
        "{}\n\nRoute: `{} {}`, sent {}.\nOutput: {}",
        op.summary,
        op.method,
        op.path,
        auth_words(op.auth),
        op.returns
    );
    if !op.node.is_empty() {
        s.push_str(&format!("\nNode SDK: `{}`.", op.node));
    }
    if !op.alias.is_empty() {
        s.push_str(&format!("\nAlso answers to `{}`.", op.alias));
    }
    s
}

fn op_command(op: &'static Op) -> Command {
    let mut cmd = Command::new(command_name(op))
        .about(op.summary)
        .long_about(long_about(op))
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
    if !op.alias.is_empty() {
        cmd = cmd.visible_alias(op.alias);
    }
    let pages = match op.side {
        Side::Auth { pages, .. } => pages.is_some(),
        Side::Mgmt { pages, .. } => pages.is_some(),
    };
    if pages {
        cmd = cmd.arg(
            Arg::new("all")
                .long("all")
                .action(ArgAction::SetTrue)
                .help("Fetch every page and print the items (JSON lines with --output json)"),
        );
    }
    cmd
}

/// `genauth auth` or `genauth mgmt`: the hand-written commands, then the operations.
pub fn client_command(
    parent: Parent,
    name: &'static str,
    about: &'static str,
    table: &'static [Op],
) -> Command {
    let cmd = Command::new(name)
        .about(about)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommands(commands::commands(parent));
    let cmd = if parent == Parent::Mgmt {
        cmd.subcommand(op_command(&commands::put_event::PUT_EVENT))
    } else {
        cmd
    };
    cmd.subcommands(table.iter().map(op_command))
}

/// The operation a subcommand names (its name or its alias).
pub fn find_op(client: &str, name: &str) -> Option<&'static Op> {
    let table = match client {
        "auth" => ops::AUTH,
        "mgmt" if name == "put-event" => return Some(&commands::put_event::PUT_EVENT),
        "mgmt" => ops::MGMT,
        _ => return None,
    };
    table
        .iter()
        .find(|o| command_name(o) == name || (!o.alias.is_empty() && o.alias == name))
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

impl Invocation {
    /// The request the library builds for these arguments (secrets as given,
    /// no management token).
    pub fn request(&self) -> Result<http::Request<genauth_core::Body>, Failure> {
        dryrun::build(self, &self.args)
    }
}

/// Parses an operation subcommand (`genauth [creds] auth|mgmt <op> [flags]`).
pub fn invocation(argv: Vec<OsString>, io: &mut Io<'_>) -> Result<Invocation, Failure> {
    let matches = crate::command()
        .try_get_matches_from(argv)
        .map_err(|e| Failure::usage(e.render().to_string()))?;
    let global = crate::global::GlobalArgs::from_matches(&matches, io.env)?;
    let Some((client, sub)) = matches.subcommand() else {
        return Err(Failure::usage("no command given; see `genauth --help`"));
    };
    let Some((name, m)) = sub.subcommand() else {
        return Err(Failure::usage(format!(
            "no operation given; see `genauth {client} --help`"
        )));
    };
    let op = find_op(client, name)
        .ok_or_else(|| Failure::usage(format!("unknown operation `{client} {name}`")))?;
    let mut vaults = crate::secrets::Vaults::new(io.env);
    let creds = Creds::resolve(
        &global.creds,
        global.profile.as_deref(),
        io.env,
        &mut vaults,
        true,
    )?;
    invocation_with(op, m, creds, io)
}

fn flag(m: &ArgMatches, id: &str) -> bool {
    m.try_get_one::<bool>(id)
        .ok()
        .flatten()
        .copied()
        .unwrap_or(false)
}

fn invocation_with(
    op: &'static Op,
    m: &ArgMatches,
    creds: Creds,
    io: &mut Io<'_>,
) -> Result<Invocation, Failure> {
    let args = args::collect(op, m, io)?;
    Ok(Invocation {
        op,
        args,
        creds,
        dry_run: flag(m, "dry-run"),
        show_secrets: flag(m, "show-secrets"),
        all: flag(m, "all"),
    })
}

/// Runs a generated operation's subcommand.
pub fn run(op: &'static Op, m: &ArgMatches, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
    let creds = cx.creds()?;
    let inv = invocation_with(op, m, creds, cx.io)?;
    finish(inv, cx)
}

/// Prints the request of `inv` (`--dry-run`) or sends it and prints the output.
pub fn finish(mut inv: Invocation, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
    if inv.dry_run {
        let text = dryrun::render(&inv)?;
        return cx.io.out.write_all(text.as_bytes()).map_err(Failure::write);
    }
    if matches!(inv.op.side, Side::Auth { .. }) {
        cx.fresh_session(&mut inv.creds)?;
    }
    let rt = cx.runtime;
    rt.block_on(send::run(&mut inv, cx))
}
