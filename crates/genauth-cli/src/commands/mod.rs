//! The hand-written commands, one file each with its arguments and its run
//! function, and the one table ([`COMMANDS`]) that names them.

use clap::{ArgMatches, Args, Command, FromArgMatches};

use crate::creds::Creds;
use crate::global::GlobalArgs;
use crate::secrets::Vaults;
use crate::{Failure, Io};

pub mod authorize_url;
pub mod cas;
pub mod code_exchange;
pub mod completions;
pub mod emulator;
pub mod find;
pub mod introspect;
pub mod login;
pub mod logout;
pub mod logout_url;
pub mod man;
pub mod profiles;
pub mod protocol;
pub mod put_event;
pub mod refresh;
pub mod revoke;
pub mod saml_urls;
pub mod sign_in;
pub mod sign_up_with;
pub mod subscribe;
pub mod token;
pub mod userinfo;
pub mod whoami;

/// Where a command sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parent {
    /// `genauth <command>`.
    Top,
    /// `genauth auth <command>`.
    Auth,
    /// `genauth mgmt <command>`.
    Mgmt,
}

/// What a command runs with.
pub struct Cx<'a, 'io> {
    /// Standard streams and the environment.
    pub io: &'a mut Io<'io>,
    /// The global options.
    pub global: GlobalArgs,
    /// The async runtime.
    pub runtime: &'a tokio::runtime::Runtime,
    /// Where the running command sits.
    pub parent: Parent,
    /// The secret stores (and whether the fallback was announced).
    pub store_cache: Option<Vaults>,
}

impl Cx<'_, '_> {
    /// The secret stores of this run.
    pub fn vaults(&mut self) -> &mut Vaults {
        let env = self.io.env;
        self.store_cache.get_or_insert_with(|| Vaults::new(env))
    }

    /// The credentials: flags, environment, profile, secret store, session.
    /// A profile asked for by name must exist.
    pub fn creds(&mut self) -> Result<Creds, Failure> {
        self.creds_with(true)
    }

    /// The credentials, for a command that may create the profile it names (`login`).
    pub fn creds_with(&mut self, must_exist: bool) -> Result<Creds, Failure> {
        let given = self.global.creds.clone();
        let profile = self.global.profile.clone();
        let env = self.io.env;
        Creds::resolve(&given, profile.as_deref(), env, self.vaults(), must_exist)
    }

    /// Refreshes the logged-in user's access token when it is about to expire.
    pub fn fresh_session(&mut self, creds: &mut Creds) -> Result<(), Failure> {
        let expiring = creds
            .session
            .as_ref()
            .is_some_and(|s| s.expiring(crate::session::now_secs()));
        if expiring {
            self.refresh_session(creds)?;
        }
        Ok(())
    }

    /// Refreshes the logged-in user's tokens now.
    pub fn refresh_session(&mut self, creds: &mut Creds) -> Result<(), Failure> {
        let dir = creds.dir.clone();
        let rt = self.runtime;
        rt.block_on(crate::session::refresh(
            creds,
            self.vaults(),
            dir.as_deref(),
        ))
    }

    /// Prints a command's output in the chosen format (JSON by default).
    pub fn print(&mut self, value: &serde_json::Value) -> Result<(), Failure> {
        crate::output::print(self.io, self.global.output, &self.global.fields, value)
    }

    /// Prints a command's output in the chosen format, `default` when none is chosen.
    pub fn print_as(
        &mut self,
        default: crate::output::Format,
        value: &serde_json::Value,
    ) -> Result<(), Failure> {
        let format = self.global.output.unwrap_or(default);
        crate::output::print(self.io, Some(format), &self.global.fields, value)
    }
}

/// A hand-written command: its arguments (with `#[derive(Args)]`, whose doc
/// comment is the command's help) and its run.
pub trait Cmd: Args + FromArgMatches + Sized {
    /// Its name.
    const NAME: &'static str;
    /// Where it sits.
    const PARENTS: &'static [Parent];
    /// Runs it.
    fn run(self, cx: &mut Cx<'_, '_>) -> Result<(), Failure>;
}

/// One entry of the command table.
pub struct Entry {
    /// Its name.
    pub name: &'static str,
    /// Where it sits.
    pub parents: &'static [Parent],
    /// Builds its clap command.
    pub command: fn() -> Command,
    /// Parses its arguments and runs it.
    pub run: fn(&ArgMatches, &mut Cx<'_, '_>) -> Result<(), Failure>,
}

fn command_of<C: Cmd>() -> Command {
    C::augment_args(Command::new(C::NAME))
}

fn run_of<C: Cmd>(m: &ArgMatches, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
    let args = C::from_arg_matches(m).map_err(|e| Failure::usage(e.to_string()))?;
    args.run(cx)
}

const fn entry<C: Cmd>() -> Entry {
    Entry {
        name: C::NAME,
        parents: C::PARENTS,
        command: command_of::<C>,
        run: run_of::<C>,
    }
}

/// Every hand-written command.
pub static COMMANDS: &[Entry] = &[
    // genauth auth ...
    entry::<sign_in::SignIn>(),
    entry::<sign_up_with::SignUpWith>(),
    entry::<authorize_url::BuildAuthorizeUrl>(),
    entry::<logout_url::BuildLogoutUrl>(),
    entry::<saml_urls::SamlUrls>(),
    entry::<code_exchange::CodeExchange>(),
    entry::<refresh::Refresh>(),
    entry::<introspect::Introspect>(),
    entry::<revoke::Revoke>(),
    entry::<userinfo::UserInfo>(),
    entry::<cas::ValidateCasTicket>(),
    // genauth auth|mgmt subscribe
    entry::<subscribe::Subscribe>(),
    // genauth ...
    entry::<login::Login>(),
    entry::<whoami::Whoami>(),
    entry::<logout::Logout>(),
    entry::<profiles::Profiles>(),
    entry::<find::Find>(),
    entry::<token::Token>(),
    entry::<emulator::Emulator>(),
    entry::<completions::Completions>(),
    entry::<man::Man>(),
];

/// The clap commands under `parent`.
pub fn commands(parent: Parent) -> Vec<Command> {
    COMMANDS
        .iter()
        .filter(|e| e.parents.contains(&parent))
        .map(|e| (e.command)())
        .collect()
}

fn lookup(parent: Parent, name: &str) -> Option<&'static Entry> {
    COMMANDS
        .iter()
        .find(|e| e.name == name && e.parents.contains(&parent))
}

/// Runs the command the parsed line names.
pub fn dispatch(matches: &ArgMatches, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
    let Some((name, sub)) = matches.subcommand() else {
        return Err(Failure::usage("no command given; see `genauth --help`"));
    };
    let (parent, client) = match name {
        "auth" => (Parent::Auth, "auth"),
        "mgmt" => (Parent::Mgmt, "mgmt"),
        _ => {
            let e = lookup(Parent::Top, name)
                .ok_or_else(|| Failure::usage(format!("unknown command `{name}`")))?;
            return (e.run)(sub, cx);
        }
    };
    cx.parent = parent;
    let Some((op_name, m)) = sub.subcommand() else {
        return Err(Failure::usage(format!(
            "no operation given; see `genauth {client} --help`"
        )));
    };
    if let Some(e) = lookup(parent, op_name) {
        return (e.run)(m, cx);
    }
    let op = crate::find_op(client, op_name)
        .ok_or_else(|| Failure::usage(format!("unknown operation `{client} {op_name}`")))?;
    crate::operation::run(op, m, cx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_under_each_parent_and_clash_with_no_operation() {
        for parent in [Parent::Top, Parent::Auth, Parent::Mgmt] {
            let names: Vec<&str> = COMMANDS
                .iter()
                .filter(|e| e.parents.contains(&parent))
                .map(|e| e.name)
                .collect();
            let mut sorted = names.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), names.len(), "{parent:?}: {names:?}");
            let client = match parent {
                Parent::Auth => "auth",
                Parent::Mgmt => "mgmt",
                Parent::Top => continue,
            };
            for n in names {
                assert!(crate::find_op(client, n).is_none(), "{client} {n}");
            }
        }
        // The whole tree passes clap's own consistency checks.
        crate::command().debug_assert();
    }
}
