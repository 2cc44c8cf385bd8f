//! `genauth-emulator`: runs the GenAuth emulator until Ctrl-C.
//!
//! Options: `--port N`, `--user EMAIL:PASSWORD` (repeatable; the first one is
//! auto-approved at `/oidc/auth`), `--app ID:SECRET:REDIRECT_URI` (repeatable),
//! `--post-logout-redirect URI` (repeatable; for the last `--app`, or the
//! default app), `--resource URI` (repeatable; a resource server the last
//! `--app`, or the default app, may ask tokens for), `--access-key ID:SECRET` (repeatable), `--userpool-id ID`,
//! `--help`.

use std::io::Write as _;
use std::net::SocketAddr;

use genauth_emulator::{
    App, Emulator, TestUser, DEFAULT_APP_ID, DEFAULT_APP_SECRET, DEFAULT_REDIRECT_URI,
};

const USAGE: &str = "usage: genauth-emulator [--port N] [--user EMAIL:PASSWORD]... \
     [--app ID:SECRET:REDIRECT_URI]... [--post-logout-redirect URI]... [--resource URI]... \
     [--access-key ID:SECRET]... [--userpool-id ID] [--help]";

fn usage() -> ! {
    eprintln!("{USAGE}");
    std::process::exit(2)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut builder = Emulator::builder();
    let mut args = std::env::args().skip(1);
    let mut first_user = true;
    let mut apps: Vec<App> = Vec::new();
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            println!("{USAGE}");
            return;
        }
        let value = args.next().unwrap_or_else(|| usage());
        match flag.as_str() {
            "--port" => {
                let port: u16 = value.parse().unwrap_or_else(|_| usage());
                builder = builder.addr(SocketAddr::from(([127, 0, 0, 1], port)));
            }
            "--user" => {
                let (email, pw) = value.split_once(':').unwrap_or_else(|| usage());
                if first_user {
                    builder = builder.auto_approve(email);
                    first_user = false;
                }
                builder = builder.user(TestUser::email(email).with_password(pw));
            }
            "--app" => {
                let mut parts = value.splitn(3, ':');
                let (Some(id), Some(secret), Some(uri)) =
                    (parts.next(), parts.next(), parts.next())
                else {
                    usage()
                };
                apps.push(App::new(id, secret).redirect_uri(uri));
            }
            "--post-logout-redirect" | "--resource" => {
                if apps.is_empty() {
                    apps.push(
                        App::new(DEFAULT_APP_ID, DEFAULT_APP_SECRET)
                            .redirect_uri(DEFAULT_REDIRECT_URI),
                    );
                }
                if let Some(app) = apps.pop() {
                    apps.push(if flag == "--resource" {
                        app.resource(value)
                    } else {
                        app.post_logout_redirect_uri(value)
                    });
                }
            }
            "--access-key" => {
                let (id, secret) = value.split_once(':').unwrap_or_else(|| usage());
                builder = builder.access_key(id, secret);
            }
            "--userpool-id" => builder = builder.userpool_id(value),
            _ => usage(),
        }
    }
    for app in apps {
        builder = builder.app(app);
    }
    let emu = match builder.start().await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("genauth-emulator: {e}");
            std::process::exit(1)
        }
    };
    // A closed stdout must not stop the server, so write errors are ignored.
    let mut out = std::io::stdout();
    let _ = writeln!(out, "GenAuth emulator listening on {}", emu.url());
    let _ = writeln!(out, "user pool id: {}", emu.userpool_id());
    let _ = writeln!(out, "OIDC issuer:  {}", emu.issuer());
    let _ = writeln!(
        out,
        "(a development double: state is in memory and lost on exit)"
    );
    let _ = out.flush();
    let _ = tokio::signal::ctrl_c().await;
}
