//! The `genauth-emulator` program: starts, prints its URL, serves, stops.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn the_binary_prints_its_url_and_serves_discovery() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_genauth-emulator"))
        .args(["--port", "0", "--user", "ann@example.com:pw-ann-1"])
        .args(["--app", "my-app:my-secret:http://127.0.0.1:9/cb"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Keep the pipe open while the program runs: it prints more lines.
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    let req = http::Request::get(format!("{url}/oidc/.well-known/openid-configuration"))
        .body(genauth_core::Body::from(bytes::Bytes::new()))
        .unwrap();
    let resp = tower::ServiceExt::oneshot(genauth_hyper::transport().unwrap(), req).await;
    let _ = child.kill();
    let _ = child.wait();
    let resp = resp.unwrap();
    assert_eq!(resp.status(), 200);
}

#[test]
fn help_exits_with_success_and_names_the_flags() {
    let out = Command::new(env!("CARGO_BIN_EXE_genauth-emulator"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("--post-logout-redirect"), "{text}");
    let bad = Command::new(env!("CARGO_BIN_EXE_genauth-emulator"))
        .arg("--no-such-flag")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
