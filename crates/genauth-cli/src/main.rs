//! `genauth`: see `docs/cli.md`.

use std::io::{IsTerminal as _, Write as _};

fn main() {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let out_tty = stdout.is_terminal();
    let err_tty = stderr.is_terminal();
    let env = |k: &str| std::env::var(k).ok();
    let open_url = |url: &str| {
        // Best effort: the URL is printed on stderr anyway.
        let opener: &[&str] = if cfg!(target_os = "macos") {
            &["open"]
        } else if cfg!(windows) {
            &["explorer"]
        } else {
            &["xdg-open"]
        };
        let _ = std::process::Command::new(opener[0])
            .arg(url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    };
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    let mut stdin = std::io::stdin().lock();
    let code = {
        let mut io = genauth_cli::Io {
            out: &mut out,
            err: &mut err,
            stdin: &mut stdin,
            out_tty,
            err_tty,
            env: &env,
            open_url: &open_url,
        };
        genauth_cli::run(std::env::args_os().collect(), &mut io)
    };
    let _ = out.flush();
    let _ = err.flush();
    std::process::exit(code);
}
