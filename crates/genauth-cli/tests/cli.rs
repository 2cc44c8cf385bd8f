//! The `genauth` tool in-process: dry-run output byte for byte, every
//! operation's subcommand against the library's own request, bad input.

use std::ffi::OsString;

use genauth_core::ops::registry::{self, ClientKind};
use genauth_core::{
    AuthenticationClientOptions, AuthenticationConfig, ManagementClientOptions, ManagementConfig,
    SecretString,
};

const V: &str = env!("CARGO_PKG_VERSION");

/// Runs the tool with `env` as its whole environment; returns (status, stdout, stderr).
fn run_env(args: &[&str], env: &[(&str, &str)], stdin: &str) -> (i32, String, String) {
    run_full(args, env, stdin, &|_: &str| {})
}

fn run_full(
    args: &[&str],
    env: &[(&str, &str)],
    stdin: &str,
    open_url: &dyn Fn(&str),
) -> (i32, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut input = stdin.as_bytes();
    let owned: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let lookup = move |k: &str| {
        owned
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .or_else(|| {
                (k == "GENAUTH_CONFIG_DIR").then(|| "/nonexistent/genauth-cli-test".to_owned())
            })
    };
    let mut io = genauth_cli::Io {
        out: &mut out,
        err: &mut err,
        stdin: &mut input,
        out_tty: false,
        err_tty: false,
        env: &lookup,
        open_url,
    };
    let mut argv: Vec<OsString> = vec!["genauth".into()];
    argv.extend(args.iter().map(OsString::from));
    let code = genauth_cli::run(argv, &mut io);
    (
        code,
        String::from_utf8(out).expect("utf-8 stdout"),
        String::from_utf8(err).expect("utf-8 stderr"),
    )
}

const AUTH_ENV: &[(&str, &str)] = &[
    ("GENAUTH_APP_ID", "app1"),
    ("GENAUTH_APP_HOST", "https://demo.genauth.ai"),
    ("GENAUTH_APP_SECRET", "app-secret-xyz"),
    ("GENAUTH_ACCESS_TOKEN", "user-token-abc"),
];
const MGMT_ENV: &[(&str, &str)] = &[
    ("GENAUTH_ACCESS_KEY_ID", "ak1"),
    ("GENAUTH_ACCESS_KEY_SECRET", "ak-secret-xyz"),
    ("GENAUTH_HOST", "https://api.example.com"),
];

fn dry(args: &[&str], env: &[(&str, &str)]) -> String {
    let (code, out, err) = run_env(args, env, "");
    assert_eq!(code, 0, "stderr: {err}");
    assert_eq!(err, "");
    out
}

#[test]
fn dry_run_get_with_query() {
    let out = dry(
        &[
            "auth",
            "get-login-history",
            "--app-id",
            "a b",
            "--page",
            "2",
            "--success",
            "--dry-run",
        ],
        AUTH_ENV,
    );
    assert_eq!(
        out,
        format!(
            "GET https://demo.genauth.ai/api/v3/get-my-login-history?appId=a+b&success=true&page=2\n\
             x-genauth-sdk-version: rust:{V}\n\
             x-genauth-request-from: sdk\n\
             x-genauth-app-id: app1\n\
             authorization: [redacted]\n"
        )
    );
}

#[test]
fn dry_run_json_post_redacts_secrets_unless_asked() {
    let args = [
        "auth",
        "bind-by-account",
        "--account",
        "bob",
        "--action",
        "bind",
        "--key",
        "k1",
        "--password",
        "hunter2",
        "--dry-run",
    ];
    let expected = |pw: &str, token: &str| {
        format!(
            "POST https://demo.genauth.ai/api/v2/ecConn/wechatMobile/byAccount\n\
             x-genauth-sdk-version: rust:{V}\n\
             x-genauth-request-from: sdk\n\
             x-genauth-app-id: app1\n\
             content-type: application/json\n\
             authorization: {token}\n\
             \n\
             {{\"account\":\"bob\",\"action\":\"bind\",\"key\":\"k1\",\"password\":\"{pw}\"}}\n"
        )
    };
    assert_eq!(dry(&args, AUTH_ENV), expected("[redacted]", "[redacted]"));
    let mut shown = args.to_vec();
    shown.push("--show-secrets");
    assert_eq!(dry(&shown, AUTH_ENV), expected("hunter2", "user-token-abc"));
}

#[test]
fn dry_run_form_post() {
    let out = dry(
        &[
            "auth",
            "verify-mfa-token",
            "--token",
            "t0k&en",
            "--dry-run",
            "--show-secrets",
        ],
        AUTH_ENV,
    );
    assert_eq!(
        out,
        format!(
            "POST https://demo.genauth.ai/mfa/token/introspection\n\
             x-genauth-sdk-version: rust:{V}\n\
             x-genauth-request-from: sdk\n\
             x-genauth-app-id: app1\n\
             content-type: application/x-www-form-urlencoded\n\
             authorization: user-token-abc\n\
             \n\
             token=t0k%26en\n"
        )
    );
    // Redacted, the form value is the marker.
    let out = dry(
        &["auth", "verify-mfa-token", "--token", "t0k&en", "--dry-run"],
        AUTH_ENV,
    );
    assert!(out.ends_with("\n\ntoken=[redacted]\n"), "{out}");
    assert!(!out.contains("t0k"), "{out}");
}

#[test]
fn dry_run_path_parameter() {
    let out = dry(
        &["mgmt", "delete-by-id", "--id", "a/b c", "--dry-run"],
        MGMT_ENV,
    );
    assert_eq!(
        out,
        format!(
            "DELETE https://api.example.com/api/v3/ip-list/a%2Fb%20c\n\
             x-genauth-sdk-version: rust:{V}\n\
             x-genauth-request-from: sdk\n\
             authorization: Bearer [management token]\n\
             x-genauth-userpool-id: [user pool id of the management token]\n"
        )
    );
}

#[test]
fn dry_run_management_call_with_data_file_and_flags() {
    let dir = std::env::temp_dir().join(format!("genauth-cli-data-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("body.json");
    std::fs::write(
        &file,
        r#"{"keywords":"from-file","options":{"pagination":{"page":1,"limit":10}}}"#,
    )
    .unwrap();
    let data = format!("@{}", file.display());
    let out = dry(
        &[
            "mgmt",
            "list-users",
            "--data",
            &data,
            "--keywords",
            "bob",
            "--dry-run",
        ],
        MGMT_ENV,
    );
    assert_eq!(
        out,
        format!(
            "POST https://api.example.com/api/v3/list-users\n\
             x-genauth-sdk-version: rust:{V}\n\
             x-genauth-request-from: sdk\n\
             content-type: application/json\n\
             authorization: Bearer [management token]\n\
             x-genauth-userpool-id: [user pool id of the management token]\n\
             \n\
             {{\"keywords\":\"bob\",\"options\":{{\"pagination\":{{\"limit\":10,\"page\":1}}}}}}\n"
        )
    );
    // The same body from stdin.
    let (code, out2, err) = run_env(
        &[
            "mgmt",
            "list-users",
            "--data",
            "-",
            "--keywords",
            "bob",
            "--dry-run",
        ],
        MGMT_ENV,
        r#"{"keywords":"from-stdin","options":{"pagination":{"page":1,"limit":10}}}"#,
    );
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out2, out);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The flags that carry `args` (the registry's synthetic arguments).
fn argv_for(op: &genauth_cli::Op, args: &serde_json::Value) -> Vec<String> {
    use genauth_cli::ParamKind as K;
    let obj = args.as_object().expect("synthetic args are an object");
    let mut argv = Vec::new();
    let scalar = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    for (key, value) in obj {
        let p = op
            .params
            .iter()
            .find(|p| p.key == key)
            .unwrap_or_else(|| panic!("{}: no flag for `{key}`", op.name));
        match p.kind {
            K::List(_) => {
                for item in value.as_array().expect("a list") {
                    argv.push(format!("--{}", p.flag));
                    argv.push(scalar(item));
                }
            }
            K::Json => {
                argv.push(format!("--{}", p.flag));
                argv.push(value.to_string());
            }
            _ => {
                argv.push(format!("--{}", p.flag));
                argv.push(scalar(value));
            }
        }
    }
    argv
}

#[test]
fn every_operation_parses_into_the_librarys_request() {
    let auth_config = AuthenticationConfig::new(
        AuthenticationClientOptions::new("app1", "https://demo.genauth.ai")
            .app_secret("app-secret-xyz")
            .access_token("user-token-abc"),
    )
    .unwrap();
    let mgmt_config = ManagementConfig::new(
        ManagementClientOptions::new("ak1", "ak-secret-xyz").host("https://api.example.com"),
    )
    .unwrap();
    let token = SecretString::from("user-token-abc");
    let mut env: Vec<(&str, &str)> = AUTH_ENV.to_vec();
    env.extend_from_slice(MGMT_ENV);
    let (mut n_auth, mut n_mgmt) = (0, 0);
    for meta in registry::all() {
        let (client, table) = match meta.client {
            ClientKind::Authentication => ("auth", genauth_cli::auth_ops()),
            ClientKind::Management => ("mgmt", genauth_cli::mgmt_ops()),
        };
        let op = table
            .iter()
            .find(|o| o.name == meta.name)
            .unwrap_or_else(|| panic!("no subcommand for {}", meta.name));
        let args: serde_json::Value = serde_json::from_str(meta.synthetic_args).unwrap();
        let mut argv: Vec<String> = vec![
            "genauth".into(),
            client.into(),
            genauth_cli::command_name(op),
        ];
        argv.extend(argv_for(op, &args));
        let mut out = Vec::new();
        let mut err = Vec::new();
        let lookup = |k: &str| {
            env.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        };
        let mut io = genauth_cli::Io {
            out: &mut out,
            err: &mut err,
            stdin: &mut std::io::empty(),
            out_tty: false,
            err_tty: false,
            env: &lookup,
            open_url: &|_: &str| {},
        };
        let inv = genauth_cli::invocation(argv.iter().map(OsString::from).collect(), &mut io)
            .unwrap_or_else(|f| panic!("{}: {argv:?}: {}", meta.name, f.message));
        let ours = inv
            .request()
            .unwrap_or_else(|f| panic!("{}: {}", meta.name, f.message));
        let theirs = match meta.client {
            ClientKind::Authentication => {
                n_auth += 1;
                (meta.synthetic_auth_request.unwrap())(&auth_config, Some(&token))
            }
            ClientKind::Management => {
                n_mgmt += 1;
                (meta.synthetic_mgmt_request.unwrap())(&mgmt_config)
            }
        }
        .unwrap();
        assert_eq!(ours.method(), theirs.method(), "{}", meta.name);
        assert_eq!(ours.uri(), theirs.uri(), "{}", meta.name);
        assert_eq!(ours.headers(), theirs.headers(), "{}", meta.name);
        assert_eq!(
            ours.body().as_bytes(),
            theirs.body().as_bytes(),
            "{}: body",
            meta.name
        );
    }
    assert_eq!(n_auth, genauth_cli::auth_ops().len());
    assert_eq!(n_mgmt, genauth_cli::mgmt_ops().len());
    assert_eq!(n_auth + n_mgmt, 435);
}

#[test]
fn bad_input_is_a_clear_usage_error() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["mgmt", "get-user", "--user-id", "u1", "--nope", "--dry-run"],
            "unexpected argument '--nope'",
        ),
        (
            &["mgmt", "list-roles", "--page", "two", "--dry-run"],
            "invalid value 'two' for '--page <INT>': not an integer",
        ),
        (
            &[
                "mgmt",
                "get-user",
                "--user-id",
                "u1",
                "--with-post",
                "yes",
                "--dry-run",
            ],
            "expected `true` or `false`",
        ),
        (
            &[
                "mgmt",
                "get-user",
                "--user-id",
                "u1",
                "--user-id-type",
                "nickname",
                "--dry-run",
            ],
            "[possible values: user_id, external_id",
        ),
        (
            &[
                "mgmt",
                "list-users",
                "--data",
                "@/nonexistent/body.json",
                "--dry-run",
            ],
            "cannot read the --data file `/nonexistent/body.json`",
        ),
        (
            &["mgmt", "list-users", "--data", "[1]", "--dry-run"],
            "--data from --data must be a JSON object",
        ),
        (&["mgmt", "get-user", "--dry-run"], "missing field `userId`"),
        (&["mgmt", "delete-by-id", "--dry-run"], "id"),
        (
            &["mgmt", "no-such-op"],
            "unrecognized subcommand 'no-such-op'",
        ),
    ];
    for (args, needle) in cases {
        let (code, out, err) = run_env(args, MGMT_ENV, "");
        assert_eq!(code, 2, "{args:?}: {err}");
        assert_eq!(out, "", "{args:?}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn missing_credentials_say_how_to_give_them() {
    let (code, _, err) = run_env(
        &["mgmt", "get-user", "--user-id", "u1", "--dry-run"],
        &[],
        "",
    );
    assert_eq!(code, 2);
    assert!(err.contains("missing credentials: the management client needs the access key id; pass --access-key-id, set GENAUTH_ACCESS_KEY_ID, or set `access_key_id` in profile `default`"), "{err}");
    let (code, _, err) = run_env(
        &["auth", "get-profile", "--dry-run"],
        &[("GENAUTH_APP_ID", "a")],
        "",
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("needs the app host; pass --app-host, set GENAUTH_APP_HOST"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn profiles_come_from_the_config_dir_and_must_be_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = std::env::temp_dir().join(format!("genauth-cli-profiles-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("profiles.json");
    std::fs::write(
        &file,
        r#"{"work": {"access_key_id": "ak-work", "access_key_secret": "s3cret-work", "host": "https://work.example.com"}}"#,
    )
    .unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let d = dir.to_str().unwrap();
    let args = [
        "--profile",
        "work",
        "mgmt",
        "get-user",
        "--user-id",
        "u1",
        "--dry-run",
    ];
    let (code, out, err) = run_env(&args, &[("GENAUTH_CONFIG_DIR", d)], "");
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("refusing to read the profiles file"), "{err}");
    assert!(err.contains("chmod 600"), "{err}");
    assert!(!err.contains("s3cret"), "{err}");

    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (code, out, err) = run_env(&args, &[("GENAUTH_CONFIG_DIR", d)], "");
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("GET https://work.example.com/api/v3/get-user?userId=u1\n"),
        "{out}"
    );
    // The environment wins over the profile, the flag over both.
    let (_, out, _) = run_env(
        &args,
        &[
            ("GENAUTH_CONFIG_DIR", d),
            ("GENAUTH_HOST", "https://env.example.com"),
        ],
        "",
    );
    assert!(out.starts_with("GET https://env.example.com/"), "{out}");
    let mut flagged = vec!["--host", "https://flag.example.com"];
    flagged.extend_from_slice(&args);
    let (_, out, _) = run_env(
        &flagged,
        &[
            ("GENAUTH_CONFIG_DIR", d),
            ("GENAUTH_HOST", "https://env.example.com"),
        ],
        "",
    );
    assert!(out.starts_with("GET https://flag.example.com/"), "{out}");
    let (code, _, err) = run_env(
        &[
            "--profile",
            "nope",
            "mgmt",
            "get-user",
            "--user-id",
            "u1",
            "--dry-run",
        ],
        &[("GENAUTH_CONFIG_DIR", d)],
        "",
    );
    assert_eq!(code, 2);
    assert!(err.contains("no profile `nope`"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_binary_exits_with_the_documented_status() {
    let exe = env!("CARGO_BIN_EXE_genauth");
    let out = std::process::Command::new(exe)
        .args(["mgmt", "get-user", "--user-id-type", "bogus"])
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid value 'bogus'"));
    let out = std::process::Command::new(exe)
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("genauth {V}\n")
    );
}

#[test]
fn dry_run_sign_in_shortcut() {
    let args = [
        "auth",
        "sign-in",
        "--email",
        "ann@example.com",
        "--password",
        "pw\"1",
        "--dry-run",
    ];
    let env = [
        ("GENAUTH_APP_ID", "app1"),
        ("GENAUTH_APP_HOST", "https://demo.genauth.ai"),
        ("GENAUTH_APP_SECRET", "app-secret-xyz"),
    ];
    let expected = |secret: &str, pw: &str| {
        format!(
            "POST https://demo.genauth.ai/api/v3/signin\n\
             x-genauth-sdk-version: rust:{V}\n\
             x-genauth-request-from: sdk\n\
             x-genauth-app-id: app1\n\
             content-type: application/json\n\
             \n\
             {{\"client_id\":\"app1\",\"client_secret\":\"{secret}\",\"connection\":\"PASSWORD\",\"passwordPayload\":{{\"email\":\"ann@example.com\",\"password\":\"{pw}\"}}}}\n"
        )
    };
    assert_eq!(dry(&args, &env), expected("[redacted]", "[redacted]"));
    let mut shown = args.to_vec();
    shown.push("--show-secrets");
    assert_eq!(dry(&shown, &env), expected("app-secret-xyz", "pw\\\"1"));
}

#[test]
fn dry_run_put_event() {
    let out = dry(
        &[
            "mgmt",
            "put-event",
            "--event-type",
            "order.paid",
            "--event-data",
            r#"{"id":7}"#,
            "--dry-run",
        ],
        MGMT_ENV,
    );
    assert!(
        out.starts_with("POST https://api.example.com/api/v3/pub-event\n"),
        "{out}"
    );
    assert!(
        out.ends_with("\n\n{\"eventType\":\"order.paid\",\"eventData\":\"{\\\"id\\\":7}\"}\n"),
        "{out}"
    );
}

#[test]
fn token_decode_and_completions() {
    let (code, out, err) = run_env(
        &[
            "token",
            "decode",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2ln",
        ],
        &[],
        "",
    );
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        "{\"claims\":{\"sub\":\"123\"},\"header\":{\"alg\":\"HS256\"}}\n"
    );
    let (code, _, err) = run_env(&["token", "decode", "not-a-jwt"], &[], "");
    assert_eq!(code, 2);
    assert!(
        err.contains("not a JWT: expected 3 dot-separated parts, found 1"),
        "{err}"
    );
    let (code, out, _) = run_env(&["completions", "fish"], &[], "");
    assert_eq!(code, 0);
    assert!(
        out.contains("get-user") && out.contains("list-users"),
        "fish completions"
    );
}

#[path = "cli/session.rs"]
mod session;

mod e2e {
    //! Against the emulator, started in-process on 127.0.0.1.

    use super::*;
    use genauth_emulator::{App, Emulator, RunningEmulator, TestUser};

    pub(crate) struct Emu {
        pub(crate) _rt: tokio::runtime::Runtime,
        pub(crate) emu: RunningEmulator,
    }

    pub(crate) fn start(b: genauth_emulator::EmulatorBuilder) -> Emu {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let emu = rt.block_on(b.start()).expect("emulator starts");
        Emu { _rt: rt, emu }
    }

    pub(crate) fn env(emu: &RunningEmulator) -> Vec<(&'static str, String)> {
        vec![
            ("GENAUTH_HOST", emu.url().to_owned()),
            ("GENAUTH_APP_HOST", emu.url().to_owned()),
            (
                "GENAUTH_ACCESS_KEY_ID",
                genauth_emulator::DEFAULT_ACCESS_KEY_ID.to_owned(),
            ),
            (
                "GENAUTH_ACCESS_KEY_SECRET",
                genauth_emulator::DEFAULT_ACCESS_KEY_SECRET.to_owned(),
            ),
            (
                "GENAUTH_APP_ID",
                genauth_emulator::DEFAULT_APP_ID.to_owned(),
            ),
            (
                "GENAUTH_APP_SECRET",
                genauth_emulator::DEFAULT_APP_SECRET.to_owned(),
            ),
        ]
    }

    pub(crate) fn go(args: &[&str], env: &[(&'static str, String)]) -> (i32, String, String) {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        run_env(args, &env, "")
    }

    #[test]
    fn users_end_to_end() {
        let e = start(Emulator::builder());
        let env = env(&e.emu);
        let mut ids = Vec::new();
        for (i, email) in ["ann@example.com", "bob@example.com", "cat@example.com"]
            .iter()
            .enumerate()
        {
            let name = format!("user {i}");
            let (code, out, err) = go(
                &[
                    "mgmt",
                    "create-user",
                    "--email",
                    email,
                    "--password",
                    "pw-1234",
                    "--name",
                    &name,
                ],
                &env,
            );
            assert_eq!(code, 0, "{err}");
            let user: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON line");
            assert_eq!(user["email"], *email);
            ids.push(user["userId"].as_str().expect("userId").to_owned());
        }
        // Two pages of two: every user once, one JSON line each.
        let (code, out, err) = go(
            &[
                "mgmt",
                "list-users",
                "--all",
                "--data",
                r#"{"options":{"pagination":{"page":1,"limit":2}}}"#,
            ],
            &env,
        );
        assert_eq!(code, 0, "{err}");
        let listed: Vec<String> = out
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["userId"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(listed.len(), e.emu.user_count());
        for id in &ids {
            assert!(listed.contains(id), "{id} not in {listed:?}");
        }
        assert!(e.emu.request_count("/api/v3/list-users") >= 2);

        let (code, out, err) = go(&["mgmt", "get-user", "--user-id", &ids[1]], &env);
        assert_eq!(code, 0, "{err}");
        let user: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(user["email"], "bob@example.com");
        assert_eq!(user["name"], "user 1");

        // A typed API error: status 1, the sentence on stderr, nothing on stdout.
        let (code, out, err) = go(&["mgmt", "get-user", "--user-id", "no-such-user"], &env);
        assert_eq!(code, 1, "{err}");
        assert_eq!(out, "");
        assert!(err.starts_with("genauth: get_user failed: "), "{err}");

        // Sign in as the new user through the shortcut.
        let (code, out, err) = go(
            &[
                "auth",
                "sign-in",
                "--email",
                "ann@example.com",
                "--password",
                "pw-1234",
            ],
            &env,
        );
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("access_token"), "{out}");
    }

    #[test]
    fn unreachable_host_is_a_transport_error() {
        // A port nobody listens on: bind one, then close it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let host = format!("http://127.0.0.1:{port}");
        let env = [
            ("GENAUTH_APP_ID", "app1"),
            ("GENAUTH_APP_HOST", host.as_str()),
        ];
        let (code, out, err) = run_env(&["auth", "get-system-info"], &env, "");
        assert_eq!(code, 3, "{err}");
        assert_eq!(out, "");
        assert!(!err.is_empty());
    }

    /// A minimal HTTP GET over std: the status line and the `location` header.
    pub(crate) fn http_get(url: &str) -> (String, Option<String>) {
        use std::io::{Read as _, Write as _};
        let rest = url.strip_prefix("http://").expect("http URL");
        let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let mut s = std::net::TcpStream::connect(host).unwrap();
        write!(
            s,
            "GET {} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\r\n",
            if path.is_empty() { "/" } else { path }
        )
        .unwrap();
        let mut resp = String::new();
        let _ = s.read_to_string(&mut resp);
        let status = resp.lines().next().unwrap_or("").to_owned();
        let location = resp.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("location")
                .then(|| v.trim().to_owned())
        });
        (status, location)
    }

    #[test]
    fn login_completes_against_the_auto_approved_user() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let redirect = format!("http://127.0.0.1:{port}/callback");
        let e = start(
            Emulator::builder()
                .app(App::new("cli-app", "cli-secret").redirect_uri(redirect.clone()))
                .user(TestUser::email("ann@example.com").with_password("pw-1234"))
                .auto_approve("ann@example.com"),
        );
        let dir = std::env::temp_dir().join(format!("genauth-cli-login-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let d = dir.to_str().unwrap().to_owned();
        let env = [
            ("GENAUTH_APP_ID", "cli-app"),
            ("GENAUTH_APP_SECRET", "cli-secret"),
            ("GENAUTH_APP_HOST", e.emu.url()),
            ("GENAUTH_CONFIG_DIR", d.as_str()),
            ("GENAUTH_SECRET_STORE", "file"),
        ];
        // The "browser": follows the authorize redirect to the tool's loopback.
        let browser = |url: &str| {
            let url = url.to_owned();
            std::thread::spawn(move || {
                let (status, location) = http_get(&url);
                let location = location.unwrap_or_else(|| panic!("no redirect: {status}"));
                let (status, _) = http_get(&location);
                assert!(status.contains("200"), "{status}");
            });
        };
        let port_s = port.to_string();
        let (code, out, err) = run_full(
            &["login", "--port", &port_s, "--timeout", "20"],
            &env,
            "",
            &browser,
        );
        assert_eq!(code, 0, "{err}");
        let summary: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(summary["profile"], "default");
        assert_eq!(
            summary["sub"],
            serde_json::json!(e.emu.user_id("ann@example.com").unwrap())
        );
        assert!(!out.contains("eyJ"), "no token on stdout: {out}");
        assert!(err.contains("/oidc/auth?"), "{err}");

        let file = dir.join("profiles.json");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let profiles: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert_eq!(profiles["default"]["secret_store"], "file");
        assert!(profiles["default"].get("access_token").is_none());
        let secrets: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("secrets.json")).unwrap())
                .unwrap();
        let id_token = secrets["default"]["session"]["id_token"]
            .as_str()
            .expect("id token stored")
            .to_owned();
        assert!(secrets["default"]["session"]["access_token"].is_string());

        // The stored ID token verifies against the emulator's key set.
        let (code, out, err) = run_env(&["token", "verify", &id_token], &env, "");
        assert_eq!(code, 0, "{err}");
        let claims: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(claims["sub"], summary["sub"]);
        // A tampered one does not.
        let mut bad = id_token.clone();
        bad.pop();
        bad.push(if id_token.ends_with('A') { 'B' } else { 'A' });
        let (code, _, err) = run_env(&["token", "verify", &bad], &env, "");
        assert_eq!(code, 1, "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// `location`'s query parameter `key`.
    pub(crate) fn query_param(location: &str, key: &str) -> Option<String> {
        let q = location.split_once('?')?.1;
        q.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            (k == key).then(|| v.to_owned())
        })
    }

    #[test]
    fn protocol_helpers_against_the_emulator() {
        use genauth_core::protocol::{CodeChallengeMethod, Pkce};
        let redirect = "http://127.0.0.1:9/cb";
        let e = start(
            Emulator::builder()
                .app(App::new("cli-app", "cli-secret").redirect_uri(redirect))
                .user(TestUser::email("ann@example.com").with_password("pw-1234"))
                .auto_approve("ann@example.com"),
        );
        let sub = e.emu.user_id("ann@example.com").unwrap();
        let env = [
            ("GENAUTH_APP_ID", "cli-app"),
            ("GENAUTH_APP_SECRET", "cli-secret"),
            ("GENAUTH_APP_HOST", e.emu.url()),
        ];
        let ok = |args: &[&str]| -> serde_json::Value {
            let (code, out, err) = run_env(args, &env, "");
            assert_eq!(code, 0, "{args:?}: {err}");
            serde_json::from_str(out.trim()).expect("one JSON value")
        };
        let pkce = Pkce::from_verifier(
            SecretString::from("cli-verifier-0123456789-0123456789-0123456789"),
            CodeChallengeMethod::S256,
        )
        .unwrap();

        // The login URL, followed as a browser would: the code comes back with the state.
        let url = ok(&[
            "auth",
            "build-authorize-url",
            "--redirect-uri",
            redirect,
            "--scope",
            "openid profile offline_access",
            "--state",
            "state-0123456789abcdef",
            "--nonce",
            "nonce-0123456789abcdef",
            "--code-challenge",
            &pkce.challenge,
        ]);
        let (status, location) = http_get(url["url"].as_str().unwrap());
        let location = location.unwrap_or_else(|| panic!("no redirect: {status}"));
        assert!(location.starts_with(redirect), "{location}");
        assert_eq!(
            query_param(&location, "state").as_deref(),
            Some("state-0123456789abcdef")
        );
        let code = query_param(&location, "code").expect("a code");

        // The code exchange needs the verifier of the challenge.
        let (status, out, err) = run_env(
            &[
                "auth",
                "get-access-token-by-code",
                "--code",
                &code,
                "--code-verifier",
                "not-the-verifier-0123456789-0123456789-01",
                "--redirect-uri",
                redirect,
            ],
            &env,
            "",
        );
        assert_eq!((status, out.as_str()), (1, ""), "{err}");
        assert!(err.contains("invalid_grant"), "{err}");
        // The failed try used the code up; a fresh one works with the right verifier.
        let (_, location) = http_get(url["url"].as_str().unwrap());
        let code = query_param(&location.unwrap(), "code").expect("a code");
        let tokens = ok(&[
            "auth",
            "get-access-token-by-code",
            "--code",
            &code,
            "--code-verifier",
            pkce.verifier.expose(),
            "--redirect-uri",
            redirect,
        ]);
        let access = tokens["access_token"]
            .as_str()
            .expect("access token")
            .to_owned();
        let refresh = tokens["refresh_token"]
            .as_str()
            .expect("refresh token")
            .to_owned();
        assert!(tokens["id_token"].is_string(), "{tokens}");
        assert_eq!(tokens["token_type"], "Bearer");

        let info = ok(&[
            "--access-token",
            &access,
            "auth",
            "get-user-info-by-access-token",
        ]);
        assert_eq!(info["sub"], sub);
        let intro = ok(&["auth", "introspect-token", "--token", &access]);
        assert_eq!(intro["active"], true, "{intro}");
        assert_eq!(intro["sub"], sub);

        let renewed = ok(&[
            "auth",
            "get-new-access-token-by-refresh-token",
            "--refresh-token",
            &refresh,
        ]);
        let access2 = renewed["access_token"].as_str().expect("access token");
        assert_ne!(access2, access);

        assert_eq!(
            ok(&["auth", "revoke-token", "--token", access2]),
            serde_json::json!({"revoked": true})
        );
        let intro = ok(&["auth", "introspect-token", "--token", access2]);
        assert_eq!(intro["active"], false, "{intro}");
        assert_eq!(e.emu.request_count("/oidc/token"), 3);

        // CAS: the login URL of the CAS protocol gives a ticket, validated once.
        let service = "http://127.0.0.1:9/svc";
        let cas_ticket = || {
            let url = ok(&[
                "auth",
                "build-authorize-url",
                "--protocol",
                "cas",
                "--service",
                service,
            ]);
            let (status, location) = http_get(url["url"].as_str().unwrap());
            let location = location.unwrap_or_else(|| panic!("no redirect: {status}"));
            query_param(&location, "ticket").expect("a ticket")
        };
        let ticket = cas_ticket();
        let v2 = ok(&[
            "auth",
            "validate-cas-ticket",
            "--ticket",
            &ticket,
            "--service",
            service,
            "--format",
            "json",
        ]);
        let user = v2["user"].as_str().expect("a CAS user").to_owned();
        assert!(!user.is_empty());
        let (status, out, err) = run_env(
            &[
                "auth",
                "validate-cas-ticket",
                "--ticket",
                &ticket,
                "--service",
                service,
            ],
            &env,
            "",
        );
        assert_eq!((status, out.as_str()), (1, ""), "{err}");
        assert!(err.contains("INVALID_TICKET"), "{err}");
        assert!(!err.contains(&ticket), "the ticket is a secret: {err}");
        let ticket = cas_ticket();
        let v1 = ok(&[
            "auth",
            "validate-cas-ticket",
            "--ticket",
            &ticket,
            "--service",
            service,
            "--cas-version",
            "1",
        ]);
        assert_eq!(v1, serde_json::json!({ "user": user }));
    }

    fn feed_env(emu: &RunningEmulator) -> Vec<(&'static str, String)> {
        let mut env = env(emu);
        env.push(("GENAUTH_WEBSOCKET_HOST", emu.websocket_url()));
        env
    }

    fn wait_for(what: &str, f: impl Fn() -> bool) {
        for _ in 0..1000 {
            if f() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("timed out waiting for {what}");
    }

    fn publish(env: &[(&'static str, String)], code: &str, data: &str) {
        let (status, out, err) = go(
            &[
                "mgmt",
                "put-event",
                "--event-type",
                code,
                "--event-data",
                data,
            ],
            env,
        );
        assert_eq!(status, 0, "{err}");
        assert!(out.contains("true"), "{out}");
    }

    #[test]
    fn subscribe_prints_each_event_as_a_json_line_until_count() {
        let e = start(Emulator::builder());
        let env = feed_env(&e.emu);
        let sub_env = env.clone();
        let subscriber = std::thread::spawn(move || {
            go(
                &["mgmt", "subscribe", "order.paid", "--count", "2"],
                &sub_env,
            )
        });
        wait_for("the subscription", || {
            e.emu.event_subscribers("order.paid") == 1
        });
        // Another code is not delivered; the first two of ours are, in order.
        publish(&env, "order.refunded", r#"{"n":0}"#);
        publish(&env, "order.paid", r#"{"n":1}"#);
        publish(&env, "order.paid", "plain text");
        publish(&env, "order.paid", r#"{"n":3}"#);
        let (status, out, err) = subscriber.join().unwrap();
        assert_eq!(status, 0, "{err}");
        assert_eq!(
            out,
            "{\"code\":\"order.paid\",\"payload\":{\"n\":1}}\n{\"code\":\"order.paid\",\"payload\":\"plain text\"}\n"
        );
        assert_eq!(err, "genauth: subscribed to `order.paid`; Ctrl-C stops\n");
        // The socket is closed once the command is done.
        wait_for("the unsubscription", || {
            e.emu.event_subscribers("order.paid") == 0
        });
    }

    #[test]
    fn subscribe_as_an_end_user_with_the_access_token() {
        let e = start(
            Emulator::builder().user(TestUser::email("ann@example.com").with_password("pw-1234")),
        );
        let env = feed_env(&e.emu);
        let (status, out, err) = go(
            &[
                "auth",
                "sign-in",
                "--email",
                "ann@example.com",
                "--password",
                "pw-1234",
            ],
            &env,
        );
        assert_eq!(status, 0, "{err}");
        let tokens: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        let token = tokens["access_token"].as_str().unwrap().to_owned();

        // Without a token: a usage error before anything is opened.
        let (status, out, err) = go(&["auth", "subscribe", "user.login", "--count", "1"], &env);
        assert_eq!((status, out.as_str()), (2, ""), "{err}");
        assert!(
            err.contains("needs an access token: pass --access-token"),
            "{err}"
        );

        let mut user_env = env.clone();
        user_env.push(("GENAUTH_ACCESS_TOKEN", token.clone()));
        let subscriber = std::thread::spawn(move || {
            go(
                &["auth", "subscribe", "user.login", "--count", "1"],
                &user_env,
            )
        });
        wait_for("the subscription", || {
            e.emu.event_subscribers("user.login") == 1
        });
        publish(&env, "user.login", r#"{"who":"ann"}"#);
        let (status, out, err) = subscriber.join().unwrap();
        assert_eq!(status, 0, "{err}");
        assert_eq!(
            out,
            "{\"code\":\"user.login\",\"payload\":{\"who\":\"ann\"}}\n"
        );
        assert!(!err.contains(&token));
    }

    #[test]
    fn subscribe_with_a_refused_key_is_an_api_error() {
        let e = start(Emulator::builder());
        let mut env = feed_env(&e.emu);
        for (k, v) in env.iter_mut() {
            if *k == "GENAUTH_ACCESS_KEY_SECRET" {
                *v = "wrong-secret-123".to_owned();
            }
        }
        let (status, out, err) = go(&["mgmt", "subscribe", "order.paid"], &env);
        assert_eq!((status, out.as_str()), (1, ""), "{err}");
        assert!(
            err.starts_with("genauth: the subscription to `order.paid` failed: "),
            "{err}"
        );
        assert!(!err.contains("wrong-secret-123"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn subscribe_stops_on_ctrl_c() {
        use std::io::{BufRead as _, BufReader};
        let e = start(Emulator::builder());
        let env = feed_env(&e.emu);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_genauth"))
            .args(["mgmt", "subscribe", "order.paid"])
            .env_clear()
            .env("GENAUTH_CONFIG_DIR", "/nonexistent/genauth-cli-test")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let pid = child.id();
        // A watchdog: the test fails instead of hanging.
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let d = done.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_secs(30));
            if !d.load(std::sync::atomic::Ordering::SeqCst) {
                let _ = std::process::Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
        });
        let mut err = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        err.read_line(&mut line).unwrap();
        assert_eq!(line, "genauth: subscribed to `order.paid`; Ctrl-C stops\n");
        publish(&env, "order.paid", r#"{"n":1}"#);
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        out.read_line(&mut first).unwrap();
        assert_eq!(first, "{\"code\":\"order.paid\",\"payload\":{\"n\":1}}\n");
        let kill = std::process::Command::new("kill")
            .args(["-INT", &pid.to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let status = child.wait().unwrap();
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        assert_eq!(status.code(), Some(0), "{status:?}");
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
        assert_eq!(rest, "");
    }
}

/// The generator's override list makes `UpdateFunctionModelDto.showFieldKey`
/// optional; the CLI table follows it (the flag is optional, the body has no key).
#[test]
fn update_model_needs_no_show_field_key() {
    let op = genauth_cli::mgmt_ops()
        .iter()
        .find(|o| o.name == "update_model")
        .unwrap();
    let p = op.params.iter().find(|p| p.key == "showFieldKey").unwrap();
    assert!(!p.required, "--show-field-key must be optional");
    let out = dry(
        &[
            "mgmt",
            "update-model",
            "--id",
            "m1",
            "--enable",
            "true",
            "--name",
            "Model",
            "--description",
            "d",
            "--type",
            "user",
            "--parent-key",
            "pk",
            "--field-order",
            "a,b",
            "--config",
            "{}",
            "--dry-run",
        ],
        MGMT_ENV,
    );
    assert_eq!(
        out,
        format!(
            "POST https://api.example.com/api/v3/metadata/update-model\n\
             x-genauth-sdk-version: rust:{V}\n\
             x-genauth-request-from: sdk\n\
             content-type: application/json\n\
             authorization: Bearer [management token]\n\
             x-genauth-userpool-id: [user pool id of the management token]\n\
             \n\
             {{\"config\":{{}},\"description\":\"d\",\"enable\":true,\"fieldOrder\":\"a,b\",\"id\":\"m1\",\"name\":\"Model\",\"parentKey\":\"pk\",\"type\":\"user\"}}\n"
        )
    );
}

mod protocol_helpers {
    //! The protocol subcommands under `genauth auth`: URLs exactly, and each
    //! request-sending helper's `--dry-run` byte for byte.

    use super::*;

    const ENV: &[(&str, &str)] = &[
        ("GENAUTH_APP_ID", "app1"),
        ("GENAUTH_APP_HOST", "https://demo.genauth.ai"),
        ("GENAUTH_APP_SECRET", "app-secret-xyz"),
        ("GENAUTH_ACCESS_TOKEN", "user-token-abc"),
    ];
    const STATE: &str = "state-0123456789abcdef";
    const NONCE: &str = "nonce-0123456789abcdef";

    fn json_out(args: &[&str]) -> serde_json::Value {
        serde_json::from_str(dry(args, ENV).trim()).expect("one JSON value")
    }

    #[test]
    fn build_authorize_url_for_each_protocol() {
        let v = json_out(&[
            "auth",
            "build-authorize-url",
            "--redirect-uri",
            "https://app.example.com/cb",
            "--scope",
            "openid profile",
            "--state",
            STATE,
            "--nonce",
            NONCE,
            "--code-challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        ]);
        assert_eq!(
            v,
            serde_json::json!({
                "url": format!("https://demo.genauth.ai/oidc/auth?client_id=app1&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&response_type=code&scope=openid+profile&state={STATE}&nonce={NONCE}&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"),
                "state": STATE,
                "nonce": NONCE,
                "redirect_uri": "https://app.example.com/cb",
                "scope": "openid profile",
            })
        );
        // Without --state and --nonce: fresh random ones, in the URL.
        let v = json_out(&[
            "auth",
            "build-authorize-url",
            "--redirect-uri",
            "https://app.example.com/cb",
        ]);
        let state = v["state"].as_str().unwrap();
        let nonce = v["nonce"].as_str().unwrap();
        assert_eq!((state.len(), nonce.len()), (32, 32));
        assert_ne!(state, nonce);
        let url = v["url"].as_str().unwrap();
        assert!(
            url.contains(&format!("&state={state}&nonce={nonce}")),
            "{url}"
        );
        assert!(
            url.contains("&scope=openid+profile+email+phone+address&"),
            "{url}"
        );

        let v = json_out(&[
            "auth",
            "build-authorize-url",
            "--protocol",
            "oauth",
            "--redirect-uri",
            "https://app.example.com/cb",
            "--state",
            STATE,
        ]);
        assert_eq!(
            v["url"],
            format!("https://demo.genauth.ai/oauth/auth?client_id=app1&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&response_type=code&scope=user&state={STATE}")
        );
        assert_eq!(v["nonce"], serde_json::Value::Null);

        let v = json_out(&[
            "auth",
            "build-authorize-url",
            "--protocol",
            "cas",
            "--service",
            "https://svc.example.com/x?y=1",
        ]);
        assert_eq!(
            v["url"],
            "https://demo.genauth.ai/cas-idp/app1?service=https%3A%2F%2Fsvc.example.com%2Fx%3Fy%3D1"
        );
        let v = json_out(&["auth", "build-authorize-url", "--protocol", "saml"]);
        assert_eq!(v["url"], "https://demo.genauth.ai/api/v2/saml-idp/app1");

        // OIDC needs a redirect URI: a usage error naming it.
        let (code, out, err) = run_env(&["auth", "build-authorize-url"], ENV, "");
        assert_eq!((code, out.as_str()), (2, ""), "{err}");
        assert!(err.contains("redirect_uri"), "{err}");
        // A short state is refused.
        let (code, _, err) = run_env(
            &[
                "auth",
                "build-authorize-url",
                "--redirect-uri",
                "https://app.example.com/cb",
                "--state",
                "short",
            ],
            ENV,
            "",
        );
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("state"), "{err}");
    }

    #[test]
    fn build_logout_url_and_saml_urls() {
        let v = json_out(&[
            "auth",
            "build-logout-url",
            "--redirect-uri",
            "https://app.example.com/bye",
            "--id-token",
            "id.tok.en",
            "--state",
            STATE,
        ]);
        assert_eq!(
            v,
            serde_json::json!({"url": format!("https://demo.genauth.ai/oidc/session/end?id_token_hint=id.tok.en&post_logout_redirect_uri=https%3A%2F%2Fapp.example.com%2Fbye&state={STATE}")})
        );
        let v = json_out(&[
            "auth",
            "build-logout-url",
            "--protocol",
            "cas",
            "--redirect-uri",
            "https://app.example.com/bye",
        ]);
        assert_eq!(
            v["url"],
            "https://demo.genauth.ai/cas-idp/logout?url=https%3A%2F%2Fapp.example.com%2Fbye"
        );
        let v = json_out(&[
            "auth",
            "build-logout-url",
            "--protocol",
            "oauth",
            "--redirect-uri",
            "https://app.example.com/bye",
        ]);
        assert_eq!(
            v["url"],
            "https://demo.genauth.ai/login/profile/logout?redirect_uri=https%3A%2F%2Fapp.example.com%2Fbye"
        );
        let v = json_out(&["auth", "saml-urls"]);
        assert_eq!(
            v,
            serde_json::json!({
                "login_url": "https://demo.genauth.ai/api/v2/saml-idp/app1",
                "metadata_url": "https://demo.genauth.ai/api/v2/saml-idp/app1/metadata",
            })
        );
    }

    const HEAD: &str = "x-genauth-sdk-version: rust:";

    /// The dry run redacted and with `--show-secrets`.
    fn both(args: &[&str]) -> (String, String) {
        let mut a = args.to_vec();
        a.push("--dry-run");
        let redacted = dry(&a, ENV);
        a.push("--show-secrets");
        (redacted, dry(&a, ENV))
    }

    fn form_post(path: &str, body: &str) -> String {
        format!(
            "POST https://demo.genauth.ai{path}\n\
             {HEAD}{V}\n\
             x-genauth-request-from: sdk\n\
             x-genauth-app-id: app1\n\
             accept: application/json\n\
             content-type: application/x-www-form-urlencoded\n\
             \n\
             {body}\n"
        )
    }

    /// Codes, tokens and tickets are base64url and may start with `-`.
    #[test]
    fn a_value_starting_with_a_hyphen_is_a_value() {
        let (_, shown) = both(&[
            "auth",
            "get-access-token-by-code",
            "--code",
            "-c0de",
            "--code-verifier",
            "-verifier-0123456789",
            "--redirect-uri",
            "https://app.example.com/cb",
        ]);
        assert!(shown.contains("code=-c0de&"), "{shown}");
        assert!(
            shown.contains("code_verifier=-verifier-0123456789"),
            "{shown}"
        );
    }

    #[test]
    fn code_exchange_dry_run() {
        let (redacted, shown) = both(&[
            "auth",
            "get-access-token-by-code",
            "--code",
            "c0de",
            "--code-verifier",
            "verifier-0123456789",
            "--redirect-uri",
            "https://app.example.com/cb",
        ]);
        assert_eq!(
            redacted,
            form_post(
                "/oidc/token",
                "grant_type=authorization_code&code=c0de&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&code_verifier=[redacted]&client_id=app1&client_secret=[redacted]"
            )
        );
        assert_eq!(
            shown,
            form_post(
                "/oidc/token",
                "grant_type=authorization_code&code=c0de&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&code_verifier=verifier-0123456789&client_id=app1&client_secret=app-secret-xyz"
            )
        );
    }

    #[test]
    fn refresh_dry_run() {
        let (redacted, shown) = both(&[
            "auth",
            "get-new-access-token-by-refresh-token",
            "--refresh-token",
            "refresh-0123",
        ]);
        assert_eq!(
            redacted,
            form_post(
                "/oidc/token",
                "grant_type=refresh_token&refresh_token=[redacted]&client_id=app1&client_secret=[redacted]"
            )
        );
        assert_eq!(
            shown,
            form_post(
                "/oidc/token",
                "grant_type=refresh_token&refresh_token=refresh-0123&client_id=app1&client_secret=app-secret-xyz"
            )
        );
        // No refresh token anywhere: a usage error saying where to give one.
        let (code, _, err) = run_env(
            &["auth", "get-new-access-token-by-refresh-token", "--dry-run"],
            ENV,
            "",
        );
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains("no refresh token: pass --refresh-token"),
            "{err}"
        );
    }

    #[test]
    fn introspect_and_revoke_dry_run() {
        // The token defaults to the access token.
        let (redacted, shown) = both(&["auth", "introspect-token"]);
        assert_eq!(
            redacted,
            form_post(
                "/oidc/token/introspection",
                "token=[redacted]&client_id=app1&client_secret=[redacted]"
            )
        );
        assert_eq!(
            shown,
            form_post(
                "/oidc/token/introspection",
                "token=user-token-abc&client_id=app1&client_secret=app-secret-xyz"
            )
        );
        let (redacted, shown) = both(&["auth", "revoke-token", "--token", "other-token-1"]);
        assert_eq!(
            redacted,
            form_post(
                "/oidc/token/revocation",
                "token=[redacted]&client_id=app1&client_secret=[redacted]"
            )
        );
        assert_eq!(
            shown,
            form_post(
                "/oidc/token/revocation",
                "token=other-token-1&client_id=app1&client_secret=app-secret-xyz"
            )
        );
    }

    #[test]
    fn userinfo_dry_run() {
        let (redacted, shown) = both(&["auth", "get-user-info-by-access-token"]);
        let expected = |auth: &str| {
            format!(
                "GET https://demo.genauth.ai/oidc/me\n\
                 {HEAD}{V}\n\
                 x-genauth-request-from: sdk\n\
                 x-genauth-app-id: app1\n\
                 accept: application/json\n\
                 authorization: {auth}\n"
            )
        };
        assert_eq!(redacted, expected("[redacted]"));
        assert_eq!(shown, expected("Bearer user-token-abc"));
    }

    #[test]
    fn cas_validation_dry_run() {
        let (redacted, shown) = both(&[
            "auth",
            "validate-cas-ticket",
            "--ticket",
            "ST-1-abc",
            "--service",
            "https://svc.example.com/",
            "--format",
            "json",
        ]);
        let expected = |ticket: &str| {
            format!(
                "GET https://demo.genauth.ai/cas-idp/app1/serviceValidate?service=https%3A%2F%2Fsvc.example.com%2F&ticket={ticket}&format=JSON\n\
                 {HEAD}{V}\n\
                 x-genauth-request-from: sdk\n\
                 x-genauth-app-id: app1\n\
                 accept: application/json\n"
            )
        };
        assert_eq!(redacted, expected("[redacted]"));
        assert_eq!(shown, expected("ST-1-abc"));
        let (_, shown) = both(&[
            "auth",
            "validate-cas-ticket",
            "--ticket",
            "ST-1-abc",
            "--service",
            "https://svc.example.com/",
            "--cas-version",
            "1",
        ]);
        assert_eq!(
            shown,
            format!(
                "GET https://demo.genauth.ai/cas-idp/app1/validate?service=https%3A%2F%2Fsvc.example.com%2F&ticket=ST-1-abc\n\
                 {HEAD}{V}\n\
                 x-genauth-request-from: sdk\n\
                 x-genauth-app-id: app1\n\
                 accept: text/plain\n"
            )
        );
    }
}
