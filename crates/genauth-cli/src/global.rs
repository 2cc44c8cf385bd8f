//! The options before the command: the profile, the output format and the
//! credentials.

use clap::{ArgMatches, Args, Command, FromArgMatches as _};

use crate::creds::CredArgs;
use crate::output::Format;
use crate::Failure;

// The global options, each with its environment variable. (No doc comment:
// clap would make it the tool's description.)
#[derive(Args, Debug, Clone, Default)]
pub struct GlobalArgs {
    /// The profile to use (default: the one `genauth profiles use` chose, else `default`)
    #[arg(
        long,
        value_name = "NAME",
        env = "GENAUTH_PROFILE",
        hide_env_values = true
    )]
    pub profile: Option<String>,
    /// The output format: `json` (default; JSON lines with --all), `yaml`, or
    /// `table` (lists and flat objects)
    #[arg(
        long,
        short = 'o',
        global = true,
        value_enum,
        value_name = "FORMAT",
        env = "GENAUTH_OUTPUT",
        hide_env_values = true,
        hide_possible_values = true,
        help_heading = "Output"
    )]
    pub output: Option<Format>,
    /// With `--output table`: the columns to show, comma-separated (`userId,email`)
    #[arg(
        long,
        global = true,
        value_delimiter = ',',
        value_name = "A,B,C",
        help_heading = "Output"
    )]
    pub fields: Vec<String>,
    /// The credentials.
    #[command(flatten)]
    pub creds: CredArgs,
}

/// The environment variable of each argument that has one, by argument id.
pub fn env_vars(cmd: &Command) -> Vec<(String, String)> {
    cmd.get_arguments()
        .filter_map(|a| {
            let var = a.get_env()?.to_str()?.to_owned();
            Some((a.get_id().as_str().to_owned(), var))
        })
        .collect()
}

impl GlobalArgs {
    /// The global options of parsed arguments. Clap reads the process
    /// environment; the values still missing are looked up in `env` (the
    /// same environment for the binary, the test's for an in-process run).
    pub fn from_matches(
        m: &ArgMatches,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, Failure> {
        let mut g = Self::from_arg_matches(m).map_err(|e| Failure::usage(e.to_string()))?;
        let vars = env_vars(&Self::augment_args(Command::new("genauth")));
        let lookup = |id: &str| {
            vars.iter()
                .find(|(a, _)| a == id)
                .and_then(|(_, var)| env(var))
                .filter(|v| !v.is_empty())
        };
        if g.profile.is_none() {
            g.profile = lookup("profile");
        }
        if g.output.is_none() {
            if let Some(v) = lookup("output") {
                g.output = Some(
                    <Format as clap::ValueEnum>::from_str(&v, true).map_err(|_| {
                        Failure::usage(format!("GENAUTH_OUTPUT: `{v}` is not json, yaml or table"))
                    })?,
                );
            }
        }
        g.creds.fill_missing(&lookup)?;
        Ok(g)
    }
}
