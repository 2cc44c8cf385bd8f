//! `genauth emulator`: the GenAuth emulator on 127.0.0.1 until Ctrl-C.

use clap::Args;

use super::{Cmd, Cx, Parent};
use crate::Failure;

/// Run the GenAuth emulator on 127.0.0.1 until Ctrl-C
#[derive(Args, Debug)]
pub struct Emulator {
    /// The port (default: any free port)
    #[arg(long)]
    port: Option<u16>,
    /// A user EMAIL:PASSWORD (repeatable; the first is auto-approved at login)
    #[arg(long, value_name = "EMAIL:PASSWORD")]
    user: Vec<String>,
}

impl Cmd for Emulator {
    const NAME: &'static str = "emulator";
    const PARENTS: &'static [Parent] = &[Parent::Top];
    fn run(self, cx: &mut Cx<'_, '_>) -> Result<(), Failure> {
        let mut b = genauth_emulator::Emulator::builder();
        if let Some(port) = self.port {
            b = b.addr(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
        }
        for (i, u) in self.user.iter().enumerate() {
            let (email, pw) = u
                .split_once(':')
                .ok_or_else(|| Failure::usage(format!("--user `{u}`: expected EMAIL:PASSWORD")))?;
            if i == 0 {
                b = b.auto_approve(email);
            }
            b = b.user(genauth_emulator::TestUser::email(email).with_password(pw));
        }
        let io = &mut *cx.io;
        cx.runtime.block_on(async move {
            let emu = b
                .start()
                .await
                .map_err(|e| Failure::transport(format!("cannot start the emulator: {e}")))?;
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
                .map_err(|e| Failure::transport(format!("cannot wait for Ctrl-C: {e}")))?;
            drop(emu);
            Ok(())
        })
    }
}
