//! `genauth completions`: a shell completion script.

use clap::Args;

use super::{Cmd, Cx, Parent};
use crate::Failure;

/// Print a shell completion script (bash, zsh, fish, elvish, powershell)
#[derive(Args, Debug)]
pub struct Completions {
    /// The shell
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

impl Cmd for Completions {
    const NAME: &'static str = "completions";
    const PARENTS: &'static [Parent] = &[Parent::Top];
    fn run(self, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
        let mut cmd = crate::command();
        clap_complete::generate(self.shell, &mut cmd, "genauth", cx.io.out);
        Ok(())
    }
}
