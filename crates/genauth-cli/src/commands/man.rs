//! `genauth man`: the man page.

use clap::Args;

use super::{Cmd, Cx, Parent};
use crate::Failure;

/// Print the man page (roff) on stdout: `genauth man | man -l -`
#[derive(Args, Debug)]
pub struct Man {
    /// The page of one command, e.g. `mgmt` or `login` (default: `genauth` itself)
    #[arg(value_name = "COMMAND")]
    command: Option<String>,
}

impl Cmd for Man {
    const NAME: &'static str = "man";
    const PARENTS: &'static [Parent] = &[Parent::Top];
    fn run(self, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
        let root = crate::command();
        let cmd = match &self.command {
            None => root,
            Some(name) => {
                let sub = root
                    .get_subcommands()
                    .find(|c| c.get_name() == name)
                    .cloned()
                    .ok_or_else(|| {
                        Failure::usage(format!("no command `{name}`; see `genauth --help`"))
                    })?;
                sub.name(format!("genauth-{name}"))
            }
        };
        clap_mangen::Man::new(cmd)
            .render(cx.io.out)
            .map_err(Failure::write)
    }
}
