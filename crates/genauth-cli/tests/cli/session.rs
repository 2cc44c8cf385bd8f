//! The login session against the emulator, end to end: `login --no-browser`
//! through the emulator's login form (a scripted HTTP client, no browser),
//! `whoami`, calls as the user, refresh before expiry and after a rejection,
//! `logout` with the revocation seen by the emulator; secrets never in the
//! output or the profiles file; refused and timed-out logins; the keyring
//! fallback on a machine without a Secret Service; help, find, man, tables.

use std::io::{Read as _, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use genauth_emulator::{App, Emulator, TestUser};

use super::e2e::{http_get, start};
use super::run_env;

/// A writer the test reads while the tool runs.
#[derive(Clone, Default)]
struct Pipe(Arc<Mutex<Vec<u8>>>);

impl Write for Pipe {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Pipe {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Runs the tool in a thread; returns its (status, stdout) and its live stderr.
fn spawn(args: &[&str], env: &[(&str, &str)]) -> (std::thread::JoinHandle<(i32, String)>, Pipe) {
    let err = Pipe::default();
    let mut err_w = err.clone();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let handle = std::thread::spawn(move || {
        let mut out = Vec::new();
        let lookup = move |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let mut io = genauth_cli::Io {
            out: &mut out,
            err: &mut err_w,
            stdin: &mut std::io::empty(),
            out_tty: false,
            err_tty: false,
            env: &lookup,
            open_url: &|_: &str| panic!("--no-browser opens no browser"),
        };
        let mut argv: Vec<std::ffi::OsString> = vec!["genauth".into()];
        argv.extend(args.iter().map(Into::into));
        let code = genauth_cli::run(argv, &mut io);
        (code, String::from_utf8(out).unwrap())
    });
    (handle, err)
}

/// The login URL the tool printed on stderr.
fn wait_for_url(err: &Pipe) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = err.text();
        if let Some(url) = text
            .split_whitespace()
            .find(|w| w.starts_with("http://") && w.contains("/oidc/auth?"))
        {
            return url.to_owned();
        }
        assert!(Instant::now() < deadline, "no login URL on stderr: {text}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn form_encode(pairs: &[(String, String)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn html_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// A raw HTTP exchange over std: (status line, location header, body).
fn http(host: &str, request: &str) -> (String, Option<String>, String) {
    let mut s = std::net::TcpStream::connect(host).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut resp = String::new();
    let _ = s.read_to_string(&mut resp);
    let (head, body) = resp.split_once("\r\n\r\n").unwrap_or((&resp, ""));
    let status = head.lines().next().unwrap_or("").to_owned();
    let location = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("location")
            .then(|| v.trim().to_owned())
    });
    (status, location, body.to_owned())
}

/// Plays the user: opens the login URL, fills the emulator's form, follows
/// the redirect to the tool's loopback.
fn sign_in_through_the_form(url: &str, account: &str, password: &str) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let (status, _, page) = http(
        host,
        &format!("GET {path} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\r\n"),
    );
    assert!(status.contains("200"), "{status}");
    assert!(page.contains("<form method=\"post\">"), "{page}");
    let mut fields = Vec::new();
    for input in page.split("<input type=\"hidden\" ").skip(1) {
        let attr = |name: &str| {
            let start = input.find(&format!("{name}=\""))? + name.len() + 2;
            let end = start + input[start..].find('"')?;
            Some(html_unescape(&input[start..end]))
        };
        fields.push((attr("name").unwrap(), attr("value").unwrap()));
    }
    assert!(
        fields.iter().any(|(k, _)| k == "code_challenge"),
        "{fields:?}"
    );
    fields.push(("account".into(), account.into()));
    fields.push(("password".into(), password.into()));
    let body = form_encode(&fields);
    let (status, location, _) = http(
        host,
        &format!(
            "POST /oidc/auth HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    let location = location.unwrap_or_else(|| panic!("no redirect after the form: {status}"));
    assert!(location.starts_with("http://127.0.0.1:"), "{location}");
    let (status, _) = http_get(&location);
    assert!(status.contains("200"), "the loopback answered {status}");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn tmp(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("genauth-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn read_json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[cfg(unix)]
fn assert_private(dir: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt as _;
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let mode = e.metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode & 0o077,
            0,
            "{} is readable by others",
            e.path().display()
        );
    }
}

#[cfg(not(unix))]
fn assert_private(_dir: &std::path::Path) {}

#[test]
fn login_whoami_calls_refresh_and_logout_as_a_session() {
    let port = free_port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let e = start(
        Emulator::builder()
            .app(App::new("cli-app", "cli-app-secret-0001").redirect_uri(redirect))
            .user(TestUser::email("ann@example.com").with_password("pw-ann-1234")),
    );
    let sub = e.emu.user_id("ann@example.com").unwrap();
    let dir = tmp("session");
    let d = dir.to_str().unwrap().to_owned();
    let port_s = port.to_string();
    // Everything the tool prints, to check that no secret is in it.
    let mut printed = String::new();

    // 1. Login: app id, host and secret from the environment this once.
    let login_env = [
        ("GENAUTH_APP_ID", "cli-app"),
        ("GENAUTH_APP_SECRET", "cli-app-secret-0001"),
        ("GENAUTH_APP_HOST", e.emu.url()),
        ("GENAUTH_CONFIG_DIR", d.as_str()),
        ("GENAUTH_SECRET_STORE", "file"),
    ];
    let (handle, err) = spawn(
        &[
            "login",
            "--no-browser",
            "--port",
            &port_s,
            "--timeout",
            "30",
        ],
        &login_env,
    );
    let url = wait_for_url(&err);
    sign_in_through_the_form(&url, "ann@example.com", "pw-ann-1234");
    let (code, out) = handle.join().unwrap();
    assert_eq!(code, 0, "{}", err.text());
    let summary: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(summary["sub"], sub.as_str());
    assert_eq!(summary["refresh_token"], true);
    printed += &out;
    printed += &err.text();

    let secrets_path = dir.join("secrets.json");
    let session = |key: &str| -> String {
        read_json(&secrets_path)["default"]["session"][key]
            .as_str()
            .unwrap_or_else(|| panic!("no {key} stored"))
            .to_owned()
    };
    let access1 = session("access_token");
    let refresh1 = session("refresh_token");
    let profiles_text = std::fs::read_to_string(dir.join("profiles.json")).unwrap();
    let profiles: serde_json::Value = serde_json::from_str(&profiles_text).unwrap();
    assert_eq!(profiles["default"]["app_id"], "cli-app");
    assert_eq!(profiles["default"]["secret_store"], "file");
    for secret in [&access1, &refresh1, &"cli-app-secret-0001".to_owned()] {
        assert!(
            !profiles_text.contains(secret.as_str()),
            "a secret in profiles.json"
        );
    }
    assert_private(&dir);

    // From now on the profile alone: no app id, host or secret in the environment.
    let env = [
        ("GENAUTH_CONFIG_DIR", d.as_str()),
        ("GENAUTH_SECRET_STORE", "file"),
    ];
    let mut ok = |args: &[&str]| -> serde_json::Value {
        let (code, out, err) = run_env(args, &env, "");
        assert_eq!(code, 0, "{args:?}: {err}");
        printed += &out;
        printed += &err;
        serde_json::from_str(out.trim()).expect("one JSON value")
    };

    // 2. whoami: who and until when, with nothing sent.
    let before = e.emu.request_count("/oidc/token");
    let me = ok(&["whoami"]);
    assert_eq!(me["sub"], sub.as_str());
    assert_eq!(me["email"], "ann@example.com");
    assert_eq!(me["expired"], false);
    assert!(me["expires_in"].as_i64().unwrap() > 3000, "{me}");

    // 3. A call as the user.
    let profile = ok(&["auth", "get-profile"]);
    assert_eq!(profile["userId"], sub.as_str());
    assert_eq!(e.emu.request_count("/oidc/token"), before, "no refresh yet");

    // 4. A forced expiry: the stored expiry moved into the past; the next
    // call refreshes first, once.
    let mut all = read_json(&secrets_path);
    all["default"]["session"]["expires_at"] = serde_json::json!(1);
    std::fs::write(&secrets_path, serde_json::to_vec(&all).unwrap()).unwrap();
    let profile = ok(&["auth", "get-profile"]);
    assert_eq!(profile["userId"], sub.as_str());
    assert_eq!(e.emu.request_count("/oidc/token"), before + 1);
    let access2 = session("access_token");
    let refresh2 = session("refresh_token");
    assert_ne!(access2, access1);
    assert_ne!(refresh2, refresh1, "the emulator rotates refresh tokens");
    assert_eq!(ok(&["whoami"])["expired"], false);

    // 5. A token-rejected answer: the access token is revoked behind the
    // tool's back; the call is refreshed and sent once more.
    let revoked = ok(&["auth", "revoke-token", "--token", &access2]);
    assert_eq!(revoked["revoked"], true);
    let calls = e.emu.request_count("/api/v3/get-profile");
    let profile = ok(&["auth", "get-profile"]);
    assert_eq!(profile["userId"], sub.as_str());
    assert_eq!(e.emu.request_count("/oidc/token"), before + 2);
    assert_eq!(e.emu.request_count("/api/v3/get-profile"), calls + 2);
    let access3 = session("access_token");
    let refresh3 = session("refresh_token");
    assert_ne!(access3, access2);

    // 6. Logout: both tokens revoked at the emulator, then deleted here.
    let revocations = e.emu.request_count("/oidc/token/revocation");
    let out = ok(&["logout"]);
    assert_eq!(
        out["revoked"],
        serde_json::json!(["refresh_token", "access_token"])
    );
    assert_eq!(
        e.emu.request_count("/oidc/token/revocation"),
        revocations + 2
    );
    for token in [&access3, &refresh3] {
        let intro = {
            let (code, out, err) = run_env(
                &[
                    "--app-id",
                    "cli-app",
                    "--app-secret",
                    "cli-app-secret-0001",
                    "--app-host",
                    e.emu.url(),
                    "auth",
                    "introspect-token",
                    "--token",
                    token,
                ],
                &[],
                "",
            );
            assert_eq!(code, 0, "{err}");
            serde_json::from_str::<serde_json::Value>(out.trim()).unwrap()
        };
        assert_eq!(
            intro["active"], false,
            "the emulator sees the token revoked"
        );
    }
    let left = std::fs::read_to_string(&secrets_path).unwrap_or_default();
    assert!(
        !left.contains(&access3) && !left.contains(&refresh3),
        "tokens deleted"
    );
    let (code, out, err) = run_env(&["whoami"], &env, "");
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.contains("not logged in (profile `default`); run `genauth login`"),
        "{err}"
    );

    // No secret was ever printed, and no file is readable by others.
    for secret in [
        &access1,
        &refresh1,
        &access2,
        &refresh2,
        &access3,
        &refresh3,
        &"cli-app-secret-0001".to_owned(),
    ] {
        assert!(
            !printed.contains(secret.as_str()),
            "a secret on stdout or stderr"
        );
    }
    assert!(!printed.contains("eyJ"), "no JWT on stdout or stderr");
    assert_private(&dir);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_forged_state_and_a_timeout_are_refused_at_the_loopback() {
    let port = free_port();
    let e = start(Emulator::builder().app(
        App::new("cli-app", "cli-secret").redirect_uri(format!("http://127.0.0.1:{port}/callback")),
    ));
    let dir = tmp("refused");
    let d = dir.to_str().unwrap().to_owned();
    let env = [
        ("GENAUTH_APP_ID", "cli-app"),
        ("GENAUTH_APP_SECRET", "cli-secret"),
        ("GENAUTH_APP_HOST", e.emu.url()),
        ("GENAUTH_CONFIG_DIR", d.as_str()),
        ("GENAUTH_SECRET_STORE", "file"),
    ];
    let port_s = port.to_string();
    let (handle, err) = spawn(
        &[
            "login",
            "--no-browser",
            "--port",
            &port_s,
            "--timeout",
            "30",
        ],
        &env,
    );
    let _ = wait_for_url(&err);
    let (status, _) = http_get(&format!(
        "http://127.0.0.1:{port}/callback?code=stolen-code&state=forged-state"
    ));
    assert!(status.contains("400"), "{status}");
    let (code, out) = handle.join().unwrap();
    let err = err.text();
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    assert!(err.contains("genauth: login refused: "), "{err}");
    assert!(err.contains("state"), "{err}");
    assert!(err.contains("nothing was stored"), "{err}");
    assert_eq!(e.emu.request_count("/oidc/token"), 0, "no code exchange");
    assert!(!dir.join("secrets.json").exists());

    let (handle, err) = spawn(&["login", "--no-browser", "--timeout", "1"], &env);
    let (code, out) = handle.join().unwrap();
    let err = err.text();
    assert_eq!((code, out.as_str()), (3, ""), "{err}");
    assert!(
        err.contains("genauth: login timed out: no redirect reached http://127.0.0.1:"),
        "{err}"
    );
    assert!(err.contains("within 1 s; nothing was stored"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn without_a_secret_service_secrets_go_to_a_private_file_said_once() {
    let exe = env!("CARGO_BIN_EXE_genauth");
    let dir = tmp("nokeyring");
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let run = |args: &[&str], stdin: &str| {
        let mut child = std::process::Command::new(exe)
            .args(args)
            .env_clear()
            .env("HOME", &home)
            // A session bus that is not there: no Secret Service.
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                "unix:path=/nonexistent/genauth-test-bus",
            )
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (code, out, err) = run(
        &[
            "profiles",
            "set",
            "work",
            "access_key_id=ak-work",
            "host=https://api.example.com",
            "access_key_secret=-",
        ],
        "s3cret-work-key\n",
    );
    assert_eq!(code, Some(0), "{err}");
    if cfg!(target_os = "linux") {
        assert_eq!(
            err.matches("no OS keyring is reachable").count(),
            1,
            "{err}"
        );
        assert!(err.contains("secrets are kept in"), "{err}");
        let config = home.join(".config/genauth");
        let secrets = std::fs::read_to_string(config.join("secrets.json")).unwrap();
        assert!(secrets.contains("s3cret-work-key"));
        let profiles = std::fs::read_to_string(config.join("profiles.json")).unwrap();
        assert!(!profiles.contains("s3cret"), "{profiles}");
        assert!(
            profiles.contains("\"secret_store\": \"file\""),
            "{profiles}"
        );
        assert_private(&config);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&config).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700);
        }
    }
    assert!(!out.contains("s3cret") && !err.contains("s3cret"));

    // The stored secret is used, and `show` never prints it.
    let (code, out, err) = run(
        &[
            "--profile",
            "work",
            "mgmt",
            "get-user",
            "--user-id",
            "u1",
            "--dry-run",
            "--show-secrets",
        ],
        "",
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.starts_with("GET https://api.example.com/api/v3/get-user?userId=u1"),
        "{out}"
    );
    assert_eq!(err, "", "reading needs no notice");
    let (code, out, err) = run(&["profiles", "show", "work"], "");
    assert_eq!(code, Some(0), "{err}");
    let shown: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(shown["access_key_secret"], "[set]");
    assert_eq!(shown["app_secret"], "[not set]");
    assert_eq!(shown["access_key_id"], "ak-work");
    assert!(!out.contains("s3cret"));
    // use, list, delete.
    assert_eq!(run(&["profiles", "use", "work"], "").0, Some(0));
    let (code, out, _) = run(&["profiles", "list", "-o", "json"], "");
    assert_eq!(code, Some(0));
    let list: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(list[0]["name"], "work");
    assert_eq!(list[0]["current"], true);
    let (code, _, err) = run(&["profiles", "use", "nope"], "");
    assert_eq!(code, Some(2));
    assert!(err.contains("no profile `nope`"), "{err}");
    assert_eq!(run(&["profiles", "delete", "work"], "").0, Some(0));
    let config = home.join(".config/genauth");
    if let Ok(s) = std::fs::read_to_string(config.join("secrets.json")) {
        assert!(!s.contains("s3cret"), "deleted with its profile");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_find_man_and_output_formats() {
    // Help: what the rustdoc says of the operation and its fields.
    let (code, out, _) = run_env(&["mgmt", "add", "--help"], &[], "");
    assert_eq!(code, 0);
    for needle in [
        "Add: acts on `ip-list` (management API).",
        "Route: `POST /api/v3/ip-list`, sent with the management token.",
        "Also answers to `ip-list-add`.",
        "Ip type (wire `ipType` body field): string, required.",
        "`find_ip_list` takes `ipType` as one of: BLACK, WHITE.",
        "Example (a value `find_ip_list` documents for `addType`): `\"MANUAL\"`.",
        "Limit list (wire `limitList` body field): list of string, required.",
    ] {
        assert!(out.contains(needle), "{needle} not in:\n{out}");
    }
    // An enum's allowed values, a default and an example on another operation.
    let (_, out, _) = run_env(&["mgmt", "find-ip-list", "--help"], &[], "");
    assert!(out.contains("BLACK") && out.contains("WHITE"), "{out}");
    assert!(out.contains("The Node SDK sends `10` when unset"), "{out}");
    // The alias runs the operation.
    let (code, out, err) = run_env(
        &[
            "mgmt",
            "ip-list-add",
            "--add-type",
            "MANUAL",
            "--expire-at",
            "0",
            "--ip-type",
            "BLACK",
            "--ips",
            "10.0.0.1",
            "--limit-list",
            "FORBID_LOGIN",
            "--remove-type",
            "MANUAL",
            "--dry-run",
        ],
        super::MGMT_ENV,
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("POST https://api.example.com/api/v3/ip-list\n"),
        "{out}"
    );

    // find.
    let (code, out, _) = run_env(&["find", "ip list"], &[], "");
    assert_eq!(code, 0);
    assert!(
        out.contains("genauth mgmt add") && out.contains("ip-list-add"),
        "{out}"
    );
    assert!(out.contains("genauth mgmt find-ip-list"), "{out}");
    let (code, out, _) = run_env(&["find", "ip", "list", "-o", "json"], &[], "");
    assert_eq!(code, 0);
    let rows: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert!(rows
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["command"] == "genauth mgmt add"));
    let (code, _, err) = run_env(&["find", "zzz-nothing"], &[], "");
    assert_eq!(code, 1);
    assert!(err.contains("no operation matches `zzz-nothing`"), "{err}");

    // man.
    let (code, out, _) = run_env(&["man"], &[], "");
    assert_eq!(code, 0);
    assert!(
        out.starts_with(".ie") || out.contains(".TH genauth"),
        "{}",
        &out[..200.min(out.len())]
    );
    assert!(
        out.contains("login") && out.contains("whoami"),
        "subcommands listed"
    );
    let (code, out, _) = run_env(&["man", "login"], &[], "");
    assert_eq!(code, 0);
    assert!(
        out.contains(".TH genauth-login 1"),
        "{}",
        &out[..300.min(out.len())]
    );
}

#[test]
fn output_table_yaml_and_json_lines_against_the_emulator() {
    let e = start(Emulator::builder());
    let env = super::e2e::env(&e.emu);
    for (i, email) in ["ann@example.com", "bob@example.com"].iter().enumerate() {
        let name = format!("user {i}");
        let (code, _, err) = super::e2e::go(
            &["mgmt", "create-user", "--email", email, "--name", &name],
            &env,
        );
        assert_eq!(code, 0, "{err}");
    }
    let (code, out, err) = super::e2e::go(&["--output", "table", "mgmt", "list-users"], &env);
    assert_eq!(code, 0, "{err}");
    let header = out.lines().nth(1).unwrap();
    assert!(
        header.contains("userId") && header.contains("email"),
        "{out}"
    );
    assert!(
        out.contains("ann@example.com") && out.contains("bob@example.com"),
        "{out}"
    );
    let (code, out, err) = super::e2e::go(
        &[
            "mgmt",
            "list-users",
            "-o",
            "table",
            "--fields",
            "email,name",
        ],
        &env,
    );
    assert_eq!(code, 0, "{err}");
    let header = out.lines().nth(1).unwrap();
    assert!(
        header.contains("email") && header.contains("name") && !header.contains("userId"),
        "{out}"
    );
    assert!(out.contains("user 1"), "{out}");
    // --all: a table of every item; JSON lines by default.
    let (code, out, err) = super::e2e::go(&["mgmt", "list-users", "--all", "-o", "table"], &env);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("ann@example.com") && out.contains("bob@example.com"),
        "{out}"
    );
    let (code, out, _) = super::e2e::go(&["mgmt", "list-users", "--all"], &env);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), e.emu.user_count());
    // YAML.
    let (code, out, err) = super::e2e::go(&["mgmt", "list-users", "-o", "yaml"], &env);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("totalCount: 2") && out.contains("email: ann@example.com"),
        "{out}"
    );
    // An object that nests is not a table unless --fields picks columns.
    let ann = e.emu.user_id("ann@example.com").unwrap();
    let (code, out, err) = super::e2e::go(
        &["mgmt", "get-user", "--user-id", &ann, "-o", "table"],
        &env,
    );
    if code == 0 {
        assert!(out.contains("ann@example.com"), "a flat user: {out}");
    } else {
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("pick columns with --fields"), "{err}");
    }
    let (code, out, err) = super::e2e::go(
        &[
            "mgmt",
            "get-user",
            "--user-id",
            &ann,
            "-o",
            "table",
            "--fields",
            "email,name",
        ],
        &env,
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("ann@example.com") && out.contains("user 0"),
        "{out}"
    );
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

/// The OS keyring for real: a Secret Service (gnome-keyring) on a private
/// session bus. Runs where `dbus-run-session`, `gnome-keyring-daemon` and
/// `secret-tool` are installed (Debian: dbus-daemon, gnome-keyring,
/// libsecret-tools); says so and checks nothing elsewhere.
#[test]
fn with_a_secret_service_secrets_go_to_the_keyring() {
    let tools = [
        "dbus-run-session",
        "dbus-send",
        "gnome-keyring-daemon",
        "secret-tool",
    ];
    if let Some(missing) = tools.iter().find(|t| !on_path(t)) {
        eprintln!(
            "SKIPPED with_a_secret_service_secrets_go_to_the_keyring: no `{missing}` on PATH"
        );
        return;
    }
    let exe = env!("CARGO_BIN_EXE_genauth");
    let dir = tmp("keyring");
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let script = format!(
        r#"set -u
export HOME='{home}'
(printf 'test-keyring-password' | gnome-keyring-daemon --foreground --components=secrets --unlock >/dev/null 2>&1 &)
# Wait until the daemon owns the name (asking the Secret Service itself would
# start another daemon, without the unlocked login collection).
for i in $(seq 100); do
  dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true' && break
  sleep 0.1
done
G='{exe}'
printf 's3cret-in-keyring' | "$G" profiles set kr access_key_id=ak host=https://api.example.com access_key_secret=- || exit 10
echo "@@keyring:"; secret-tool lookup service genauth-cli username kr
echo; echo "@@dry-run:"; "$G" --profile kr mgmt get-user --user-id u1 --dry-run || exit 11
echo "@@show:"; "$G" profiles show kr || exit 12
echo "@@files:"; ls "$HOME/.config/genauth"; cat "$HOME/.config/genauth/profiles.json"
"$G" profiles delete kr || exit 13
echo "@@after:"; secret-tool lookup service genauth-cli username kr; echo "rc=$?"
"#,
        home = home.display(),
    );
    let out = std::process::Command::new("timeout")
        .args(["60", "dbus-run-session", "--", "sh", "-c", &script])
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(!stderr.contains("no OS keyring is reachable"), "{stderr}");
    // The secret is in the keyring, as one entry of the profile...
    let keyring = stdout
        .split("@@keyring:")
        .nth(1)
        .unwrap()
        .split("@@dry-run:")
        .next()
        .unwrap();
    let entry: serde_json::Value =
        serde_json::from_str(keyring.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    assert_eq!(entry["access_key_secret"], "s3cret-in-keyring");
    // ...and nowhere on disk, nor in any output of the tool.
    let files = stdout
        .split("@@files:")
        .nth(1)
        .unwrap()
        .split("@@after:")
        .next()
        .unwrap();
    assert!(!files.contains("secrets.json"), "{files}");
    assert!(files.contains("\"secret_store\": \"keyring\""), "{files}");
    let tool_output = stdout.split("@@dry-run:").nth(1).unwrap();
    assert!(
        tool_output.contains("GET https://api.example.com/api/v3/get-user?userId=u1"),
        "{stdout}"
    );
    assert!(
        tool_output.contains("\"access_key_secret\":\"[set]\""),
        "{stdout}"
    );
    assert!(
        !tool_output
            .split("@@after:")
            .next()
            .unwrap()
            .contains("s3cret"),
        "{stdout}"
    );
    // Deleting the profile deleted the entry.
    assert!(
        stdout.split("@@after:").nth(1).unwrap().contains("rc=1"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
