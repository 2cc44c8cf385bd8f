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
    use genauth_cli::K;
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
