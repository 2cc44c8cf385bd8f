//! Stable, seeded mutation fuzzing of every reader of untrusted input: the
//! same targets as the cargo-fuzz targets in `fuzz/` (see `fuzz_harness`),
//! driven by a small deterministic mutator over hand-picked seeds, within a
//! fixed number of executions per target and a time cap, so CI finds
//! regressions without a nightly toolchain. A panic fails the test and prints
//! the input that caused it. `GENAUTH_MUTATION_SCALE=10` runs ten times as
//! many executions (and allows ten times the time).
//!
//! A module of the `registry` test binary: `cargo test -p genauth-core
//! --features registry --test registry -- mutation:: --nocapture`.

use crate::fuzz_harness;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

/// A xorshift64* generator: deterministic for a seed, good enough to mutate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Fragments that tend to reach edge cases of JSON, XML, JWTs and queries.
const DICTIONARY: &[&str] = &[
    "\"",
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "null",
    "true",
    "-1",
    "0",
    "1e999",
    "-0",
    "9223372036854775807",
    "99999999999999999999",
    "\"statusCode\":200",
    "\"statusCode\":\"200\"",
    "\"data\":",
    "\"apiCode\":2206",
    "\"list\":[",
    "\"totalCount\":",
    "\\u0000",
    "\\ud800",
    "<cas:user>",
    "</cas:user>",
    "<cas:authenticationSuccess>",
    "<!DOCTYPE x [<!ENTITY a \"b\">]>",
    "&amp;",
    "&#0;",
    "<![CDATA[",
    "]]>",
    ".",
    "eyJhbGciOiJub25lIn0",
    "eyJhbGciOiJIUzI1NiJ9",
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0",
    "=",
    "&",
    "%",
    "%00",
    "%zz",
    "state=",
    "code=",
    "error=",
    "\u{feff}",
    "\u{10ffff}",
    "yes\n",
    "no\n",
];

fn mutate(rng: &mut Rng, input: &[u8], seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(4) {
        let len = out.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                out[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                out[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(len + 1);
                out.insert(i, rng.next() as u8);
            }
            3 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(16)).min(len);
                out.drain(start..end);
            }
            4 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(32)).min(len);
                let chunk = out[start..end].to_vec();
                let at = rng.below(len + 1);
                out.splice(at..at, chunk);
            }
            5 | 6 => {
                let word = DICTIONARY[rng.below(DICTIONARY.len())].as_bytes();
                let at = rng.below(len + 1);
                out.splice(at..at, word.iter().copied());
            }
            7 if !seeds.is_empty() => {
                let other = &seeds[rng.below(seeds.len())];
                let cut = rng.below(len + 1);
                let from = rng.below(other.len() + 1);
                out.truncate(cut);
                out.extend_from_slice(&other[from..]);
            }
            _ => {}
        }
    }
    out.truncate(64 * 1024);
    out
}

fn scale() -> usize {
    std::env::var("GENAUTH_MUTATION_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
}

/// Runs `target` on every seed, then on `executions` mutants; fails on the
/// first panic with the input that caused it. Stops early (and says so) when
/// `budget` runs out, so a slow machine cannot stall CI.
fn run(
    name: &str,
    seed: u64,
    seeds: &[&[u8]],
    executions: usize,
    budget: Duration,
    target: fn(&[u8]),
) {
    let seeds: Vec<Vec<u8>> = seeds.iter().map(|s| s.to_vec()).collect();
    let mut corpus = seeds.clone();
    let mut rng = Rng(seed);
    let started = Instant::now();
    let check = |input: &[u8]| {
        if catch_unwind(AssertUnwindSafe(|| target(input))).is_err() {
            panic!(
                "{name}: panic on input {:?}",
                String::from_utf8_lossy(input)
            );
        }
    };
    for s in &seeds {
        check(s);
    }
    let executions = executions * scale();
    let mut done = 0;
    while done < executions {
        if started.elapsed() > budget * scale() as u32 {
            break;
        }
        let base = corpus[rng.below(corpus.len())].clone();
        let input = mutate(&mut rng, &base, &seeds);
        check(&input);
        // Keep some mutants as new bases so that mutations stack up.
        if corpus.len() < 256 && rng.below(8) == 0 {
            corpus.push(input);
        }
        done += 1;
    }
    println!(
        "{name}: {done} executions (seed {seed:#x}) in {:.1?}, no panic",
        started.elapsed()
    );
}

/// The time cap of one target: 9 targets stay within 45 s of CPU in all.
const BUDGET: Duration = Duration::from_secs(5);

#[test]
fn envelope_decoder() {
    let seeds: &[&[u8]] = &[
        br#"{"statusCode":200,"message":"ok","requestId":"r1","data":{"userId":"u1","status":"Activated"}}"#,
        br#"{"statusCode":400,"apiCode":2004,"message":"no such user","data":{"mfaToken":"t"}}"#,
        br#"{"statusCode":"200","data":{"list":[{"userId":"u"}],"totalCount":"1"}}"#,
        br#"{"statusCode":200}"#,
        b"<html><body>Bad Gateway</body></html>",
    ];
    run(
        "envelope",
        0x5eed_0001,
        seeds,
        50_000,
        BUDGET,
        fuzz_harness::envelope,
    );
}

#[test]
fn every_operation_decoder() {
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    for (i, op) in genauth_core::ops::registry::all()
        .iter()
        .enumerate()
        .step_by(7)
    {
        let data = (op.sample_output)();
        let body = serde_json::json!({"statusCode": 200, "data": data}).to_string();
        let mut seed = (i as u16).to_le_bytes().to_vec();
        seed.push(0);
        seed.extend_from_slice(body.as_bytes());
        seeds.push(seed);
    }
    let refs: Vec<&[u8]> = seeds.iter().map(Vec::as_slice).collect();
    run(
        "operations",
        0x5eed_0002,
        &refs,
        100_000,
        BUDGET,
        fuzz_harness::operations,
    );
    // A few hostile bodies through every decoder at once.
    for body in [
        &b"{\"statusCode\":200,\"data\":{\"list\":[null,1,\"x\",{}],\"totalCount\":-1}}"[..],
        b"{\"statusCode\":200,\"data\":\"99999999999999999999\"}",
        b"{\"statusCode\":200,\"data\":[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]}",
    ] {
        fuzz_harness::every_operation(body);
    }
}

#[test]
fn jwt_verifier() {
    let seeds: &[&[u8]] = &[
        b"eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2RlbW8uZ2VuYXV0aC5haS9vaWRjIiwiYXVkIjoiYXBwLTEiLCJleHAiOjQxMDI0NDQ4MDB9.c2ln",
        b"eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJodHRwczovL2RlbW8uZ2VuYXV0aC5haS9vaWRjIiwiYXVkIjpbImFwcC0xIl0sIm5vbmNlIjoibm9uY2UtMSJ9.AAAA",
        b"eyJhbGciOiJub25lIn0.e30.",
        b"a.b.c",
    ];
    run(
        "jwt",
        0x5eed_0003,
        seeds,
        300_000,
        BUDGET,
        fuzz_harness::jwt,
    );
}

#[test]
fn key_set_reader() {
    let seeds: &[&[u8]] = &[
        fuzz_harness::JWKS.as_bytes(),
        br#"{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"h"},{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}"#,
        br#"{"issuer":"https://x.example/oidc","jwks_uri":"https://x.example/oidc/.well-known/jwks.json"}"#,
    ];
    run(
        "jwks",
        0x5eed_0004,
        seeds,
        80_000,
        BUDGET,
        fuzz_harness::jwks,
    );
}

#[test]
fn cas_parsers() {
    let seeds: &[&[u8]] = &[
        br#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>alice</cas:user><cas:attributes><cas:email>a@b.c</cas:email></cas:attributes><cas:proxyGrantingTicket>PGTIOU-1</cas:proxyGrantingTicket></cas:authenticationSuccess></cas:serviceResponse>"#,
        br#"<cas:serviceResponse xmlns:cas="x"><cas:authenticationFailure code="INVALID_TICKET">bad</cas:authenticationFailure></cas:serviceResponse>"#,
        br#"{"serviceResponse":{"authenticationSuccess":{"user":"alice","attributes":{"groups":["a","b"]}}}}"#,
        b"yes\nalice\n",
        b"no\n\n",
    ];
    run(
        "cas",
        0x5eed_0005,
        seeds,
        300_000,
        BUDGET,
        fuzz_harness::cas,
    );
}

#[test]
fn callback_parser() {
    let seeds: &[&[u8]] = &[
        b"?code=abc&state=state-0123456789abcdef",
        b"error=access_denied&error_description=no&state=x",
        b"code=a%20b&state=state-0123456789abcdef&state=other",
        b"eyJzdGF0ZSI6InMiLCJyZWRpcmVjdF91cmkiOiJodHRwczovL2EvYiJ9",
    ];
    run(
        "callback",
        0x5eed_0006,
        seeds,
        300_000,
        BUDGET,
        fuzz_harness::callback,
    );
}

#[test]
fn token_and_userinfo_readers() {
    let seeds: &[&[u8]] = &[
        b"\x00{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":3600,\"id_token\":\"x.y.z\",\"refresh_token\":\"r\",\"scope\":\"openid\"}",
        b"\x02{\"error\":\"invalid_grant\",\"error_description\":\"code expired\"}",
        b"\x00{\"active\":true,\"sub\":\"u1\",\"exp\":4102444800,\"client_id\":\"app-1\"}",
        b"\x00{\"sub\":\"u1\",\"email\":\"a@b.c\",\"email_verified\":\"true\",\"updated_at\":\"2024-01-01\"}",
        b"\x04<html>oops</html>",
    ];
    run(
        "token",
        0x5eed_0007,
        seeds,
        100_000,
        BUDGET,
        fuzz_harness::token_responses,
    );
}

#[test]
fn webhook_deliveries() {
    let seeds: &[&[u8]] = &[
        b"x-genauth-webhook-secret: planted-hs256-secret-value\ncontent-type: application/json\nx-genauth-userpool-id: pool-1\n\n{\"eventName\":\"login\",\"data\":{\"userId\":\"u1\"}}",
        b"x-authing-webhook-secret: planted-hs256-secret-value\n\n{\"eventName\":\"user.created\",\"data\":{\"user\":{\"id\":\"u1\",\"email\":\"a@b.c\"}}}",
        b"x-genauth-webhook-secret: wrong\n\n{\"eventName\":\"login\"}",
        b"\n\n{\"eventName\":1,\"data\":[]}",
    ];
    run(
        "webhook",
        0x5eed_0008,
        seeds,
        100_000,
        BUDGET,
        fuzz_harness::webhook,
    );
}

#[test]
fn event_subscription_readers() {
    let seeds: &[&[u8]] = &[
        b"Bearer ak-1:c2lnbmF0dXJl",
        b"/events/v1/management/sub",
        b"https://events.genauth.ai",
        b"wss://demo.genauth.ai:8443/",
    ];
    run(
        "events",
        0x5eed_0009,
        seeds,
        100_000,
        BUDGET,
        fuzz_harness::events,
    );
}
