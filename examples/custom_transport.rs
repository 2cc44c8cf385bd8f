//! genauth-core over an HTTP client of your own, with no tower, hyper or
//! async in the request path.
//!
//! `genauth-core` encodes operations into `http::Request`s and decodes
//! `http::Response`s; `genauth_core::session::ManagementSession` adds the
//! management token (fetched, refreshed ahead of expiry, refreshed once more
//! with the call replayed when the service rejects it). The transport here is
//! a minimal blocking HTTP/1.1 client on `std::net::TcpStream` (plain HTTP
//! only, for the local emulator); put reqwest, ureq, curl or your company's
//! client in its place: it only has to send a request and hand back the status,
//! headers and body.
//!
//! Run it with `cargo run --example custom_transport` (offline: it starts the
//! GenAuth emulator on 127.0.0.1).

use std::error::Error as StdError;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::SystemTime;

use bytes::Bytes;
use genauth::core::ops::{CreateUser, GetUser};
use genauth::core::session::{ManagedCall, ManagementSession, Step};
use genauth::core::ManagementConfig;
use genauth::core::{Body, Operation};
use genauth::types::CreateUserReqDto;
use genauth::ManagementClientOptions;
use genauth_emulator::{Emulator, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET};

type Result<T> = std::result::Result<T, Box<dyn StdError + Send + Sync>>;

/// Sends one request over a fresh connection and reads the whole answer.
fn send(req: http::Request<Body>) -> Result<http::Response<Bytes>> {
    let uri = req.uri();
    let host = uri.host().ok_or("the request has no host")?;
    let port = uri.port_u16().unwrap_or(80);
    let target = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut stream = TcpStream::connect((host, port))?;

    let mut head = format!(
        "{} {target} HTTP/1.1\r\nhost: {host}:{port}\r\nconnection: close\r\ncontent-length: {}\r\n",
        req.method(),
        req.body().len()
    );
    for (name, value) in req.headers() {
        head.push_str(&format!("{name}: {}\r\n", value.to_str()?));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(req.body().as_bytes())?;

    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .ok_or("no status line")?
        .parse()?;
    let mut builder = http::Response::builder().status(status);
    let mut chunked = false;
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (name, value) = l.split_once(':').ok_or("a malformed header")?;
        let value = value.trim();
        chunked |= name.eq_ignore_ascii_case("transfer-encoding") && value == "chunked";
        builder = builder.header(name, value);
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim(), 16)?;
            if size == 0 {
                break;
            }
            let start = body.len();
            body.resize(start + size, 0);
            reader.read_exact(&mut body[start..])?;
            reader.read_line(&mut line)?; // the CRLF after the chunk
        }
    } else {
        reader.read_to_end(&mut body)?;
    }
    Ok(builder.body(Bytes::from(body))?)
}

/// Runs one management call to its end: the session says what to send next.
fn run<O: Operation>(session: &mut ManagementSession, op: &O) -> Result<O::Output> {
    let (mut call, mut request): (ManagedCall<'_, O>, _) = session.call(op, SystemTime::now())?;
    loop {
        println!("    -> {} {}", request.method(), request.uri().path());
        match call.receive(send(request)?, SystemTime::now())? {
            Step::Send(next) => request = next,
            Step::Done(output) => return Ok(output),
        }
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let emulator = Emulator::builder().start().await?;
    let options = ManagementClientOptions::new(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
        .host(emulator.url());
    let config = ManagementConfig::new(options)?;

    // The blocking client runs on a blocking thread, as any blocking I/O
    // inside a tokio program must; outside tokio, call it directly.
    tokio::task::spawn_blocking(move || -> Result<()> {
        let mut session = ManagementSession::new(config);

        println!("create_user (the session fetches a management token first):");
        let created = run(
            &mut session,
            &CreateUser(CreateUserReqDto {
                email: Some("ann@example.com".into()),
                ..Default::default()
            }),
        )?;
        println!("    created {}", created.user_id);

        println!("get_user (the token is reused):");
        let user = run(&mut session, &GetUser::new(created.user_id.clone()))?;
        println!("    {} <{}>", user.user_id, user.email.unwrap_or_default());

        let token = session.token().ok_or("the session has a token")?;
        println!(
            "token for pool {}, expired now: {}",
            token.userpool_id,
            token.is_expired(SystemTime::now())
        );
        Ok(())
    })
    .await??;
    Ok(())
}
