//! The sans-IO management session: token fetch before the first call, reuse,
//! refresh ahead of expiry, one replay after a rejected token, and the
//! token's issue time and expiry.

use std::time::{Duration, SystemTime};

use base64::Engine as _;
use bytes::Bytes;
use genauth_core::management_token::token_rejected;
use genauth_core::ops::GetUser;
use genauth_core::session::{ManagementSession, Step};
use genauth_core::{Body, Error, ManagementClientOptions, ManagementConfig, ManagementToken};

const TOKEN_PATH: &str = "/api/v3/get-management-token";

fn jwt(pool: &str, n: u32) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = b64.encode(format!(r#"{{"scoped_userpool_id":"{pool}","n":{n}}}"#));
    format!("{header}.{payload}.c2ln")
}

fn response(status: u16, body: serde_json::Value) -> http::Response<Bytes> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Bytes::from(body.to_string()))
        .unwrap()
}

/// How the fake answers get_user, given the `authorization` header.
type Answer = Box<dyn FnMut(&str) -> http::Response<Bytes>>;

/// A fake service: hands out tokens numbered 1, 2, ... that live
/// `lifetime` seconds, and answers get_user with `user_answer(token)`.
struct Fake {
    tokens_issued: u32,
    lifetime: u64,
    sent: Vec<(String, Option<String>)>,
    user_answer: Answer,
}

impl Fake {
    fn new(user_answer: impl FnMut(&str) -> http::Response<Bytes> + 'static) -> Self {
        Self {
            tokens_issued: 0,
            lifetime: 7200,
            sent: Vec::new(),
            user_answer: Box::new(user_answer),
        }
    }

    fn send(&mut self, req: http::Request<Body>) -> http::Response<Bytes> {
        let auth = req
            .headers()
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_owned());
        self.sent.push((req.uri().path().to_owned(), auth.clone()));
        if req.uri().path() == TOKEN_PATH {
            let body: serde_json::Value = serde_json::from_slice(req.body().as_bytes()).unwrap();
            assert_eq!(body["accessKeyId"], "ak");
            self.tokens_issued += 1;
            return response(
                200,
                serde_json::json!({"statusCode": 200, "message": "", "data": {
                    "access_token": jwt("pool-1", self.tokens_issued),
                    "expires_in": self.lifetime,
                }}),
            );
        }
        assert_eq!(
            req.headers()
                .get("x-genauth-userpool-id")
                .and_then(|v| v.to_str().ok()),
            Some("pool-1")
        );
        (self.user_answer)(auth.as_deref().unwrap_or(""))
    }

    fn paths(&self) -> Vec<&str> {
        self.sent.iter().map(|(p, _)| p.as_str()).collect()
    }
}

fn user_ok(_: &str) -> http::Response<Bytes> {
    response(
        200,
        serde_json::json!({"statusCode": 200, "message": "", "data": {"userId": "u-1"}}),
    )
}

fn session() -> ManagementSession {
    ManagementSession::new(ManagementConfig::new(ManagementClientOptions::new("ak", "sk")).unwrap())
}

/// Drives one get_user call to its end through `fake`.
fn get_user(
    session: &mut ManagementSession,
    fake: &mut Fake,
    now: SystemTime,
) -> Result<String, Error> {
    let op = GetUser::new("u-1".to_owned());
    let (mut call, mut req) = session.call(&op, now)?;
    loop {
        match call.receive(fake.send(req), now)? {
            Step::Send(next) => req = next,
            Step::Done(user) => return Ok(user.user_id),
        }
    }
}

#[test]
fn the_first_call_fetches_a_token_then_sends_the_call_with_it() {
    let mut s = session();
    let mut fake = Fake::new(user_ok);
    let now = SystemTime::now();
    assert_eq!(get_user(&mut s, &mut fake, now).unwrap(), "u-1");
    assert_eq!(fake.paths(), [TOKEN_PATH, "/api/v3/get-user"]);
    assert_eq!(
        fake.sent[1].1.as_deref(),
        Some(format!("Bearer {}", jwt("pool-1", 1)).as_str())
    );
    let token = s.token().unwrap();
    assert_eq!(token.issued_at, now);
    assert_eq!(token.expires_in, Duration::from_secs(7200));
}

#[test]
fn a_second_call_reuses_the_token() {
    let mut s = session();
    let mut fake = Fake::new(user_ok);
    let now = SystemTime::now();
    get_user(&mut s, &mut fake, now).unwrap();
    get_user(&mut s, &mut fake, now + Duration::from_secs(60)).unwrap();
    assert_eq!(
        fake.paths(),
        [TOKEN_PATH, "/api/v3/get-user", "/api/v3/get-user"]
    );
}

#[test]
fn a_token_about_to_expire_is_replaced_before_the_call() {
    let mut s = session();
    let mut fake = Fake::new(user_ok);
    let now = SystemTime::now();
    get_user(&mut s, &mut fake, now).unwrap();
    // 7200 s lifetime, refreshed within the last minute.
    get_user(&mut s, &mut fake, now + Duration::from_secs(7150)).unwrap();
    assert_eq!(
        fake.paths(),
        [
            TOKEN_PATH,
            "/api/v3/get-user",
            TOKEN_PATH,
            "/api/v3/get-user"
        ]
    );
    assert_eq!(fake.tokens_issued, 2);
}

#[test]
fn a_rejected_token_is_refreshed_and_the_call_replayed_once() {
    let mut s = session();
    let first = format!("Bearer {}", jwt("pool-1", 1));
    let mut fake = Fake::new(move |auth| {
        if auth == first {
            response(
                200,
                serde_json::json!({"statusCode": 401, "apiCode": 2206, "message": "token expired"}),
            )
        } else {
            user_ok(auth)
        }
    });
    assert_eq!(
        get_user(&mut s, &mut fake, SystemTime::now()).unwrap(),
        "u-1"
    );
    assert_eq!(
        fake.paths(),
        [
            TOKEN_PATH,
            "/api/v3/get-user",
            TOKEN_PATH,
            "/api/v3/get-user"
        ]
    );
    assert_eq!(
        fake.sent[3].1.as_deref(),
        Some(format!("Bearer {}", jwt("pool-1", 2)).as_str())
    );
}

#[test]
fn a_second_rejection_is_the_answer_not_a_loop() {
    let mut s = session();
    let mut fake =
        Fake::new(|_| response(401, serde_json::json!({"statusCode": 401, "message": "no"})));
    let err = get_user(&mut s, &mut fake, SystemTime::now()).unwrap_err();
    assert!(err.is_token_invalid(), "{err:?}");
    assert_eq!(fake.paths().len(), 4, "token, call, token, replayed call");
}

#[test]
fn a_token_endpoint_error_is_returned() {
    let mut s = session();
    let op = GetUser::new("u-1".to_owned());
    let (mut call, req) = s.call(&op, SystemTime::now()).unwrap();
    assert_eq!(req.uri().path(), TOKEN_PATH);
    let err = call
        .receive(
            response(
                200,
                serde_json::json!({"statusCode": 400, "apiCode": 2001, "message": "bad key"}),
            ),
            SystemTime::now(),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert!(s.token().is_none());
}

#[test]
fn receiving_after_the_answer_is_an_error() {
    let mut s = session();
    let mut fake = Fake::new(user_ok);
    let now = SystemTime::now();
    let op = GetUser::new("u-1".to_owned());
    let (mut call, mut req) = s.call(&op, now).unwrap();
    loop {
        let resp = fake.send(req);
        match call.receive(resp, now).unwrap() {
            Step::Send(next) => req = next,
            Step::Done(_) => break,
        }
    }
    assert!(call.receive(user_ok(""), now).is_err());
}

#[test]
fn a_token_expires_at_issue_time_plus_lifetime() {
    let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
    let token = ManagementToken::new(jwt("pool-1", 1).into(), Duration::from_secs(600))
        .unwrap()
        .with_issued_at(t0);
    assert_eq!(token.expires_at(), t0 + Duration::from_secs(600));
    assert!(!token.is_expired(t0 + Duration::from_secs(599)));
    assert!(token.is_expired(t0 + Duration::from_secs(600)));
    // a tenth of 600 s is 60 s
    assert!(!token.needs_refresh(t0 + Duration::from_secs(539)));
    assert!(token.needs_refresh(t0 + Duration::from_secs(540)));
    let none = ManagementToken::new(jwt("pool-1", 1).into(), Duration::ZERO)
        .unwrap()
        .with_issued_at(t0);
    assert!(none.is_expired(t0));
}

#[test]
fn token_rejected_reads_the_status_and_the_envelope() {
    assert!(token_rejected(&response(401, serde_json::json!({}))));
    assert!(token_rejected(&response(
        200,
        serde_json::json!({"statusCode": 401, "message": "x"})
    )));
    assert!(token_rejected(&response(
        200,
        serde_json::json!({"statusCode": 400, "apiCode": 2206, "message": "x"})
    )));
    assert!(!token_rejected(&response(
        200,
        serde_json::json!({"statusCode": 200, "message": "", "data": {}})
    )));
    assert!(!token_rejected(&response(
        500,
        serde_json::json!("not an envelope")
    )));
}

#[test]
fn a_token_fetched_ahead_is_used_by_a_shared_session_without_a_token_request() {
    let config = std::sync::Arc::new(
        ManagementConfig::new(ManagementClientOptions::new("ak", "sk")).unwrap(),
    );
    let mut fake = Fake::new(user_ok);
    let now = SystemTime::now();

    let mut fetcher = ManagementSession::shared(config.clone(), None);
    let req = fetcher.token_request().unwrap();
    assert_eq!(req.uri().path(), TOKEN_PATH);
    let token = fetcher.receive_token(fake.send(req), now).unwrap().clone();
    assert_eq!(token.issued_at, now);
    assert_eq!(token.userpool_id, "pool-1");

    let mut call_session = ManagementSession::shared(config, Some(token));
    assert_eq!(get_user(&mut call_session, &mut fake, now).unwrap(), "u-1");
    assert_eq!(fake.paths(), [TOKEN_PATH, "/api/v3/get-user"]);
    assert_eq!(
        fake.sent[1].1.as_deref(),
        Some(format!("Bearer {}", jwt("pool-1", 1)).as_str())
    );
}

#[test]
fn a_failed_token_fetch_leaves_no_token() {
    let mut s = session();
    let mut fake = Fake::new(user_ok);
    let now = SystemTime::now();
    let req = s.token_request().unwrap();
    s.receive_token(fake.send(req), now).unwrap();
    assert!(s.token().is_some());
    let err = s
        .receive_token(
            response(
                200,
                serde_json::json!({"statusCode": 400, "apiCode": 2001, "message": "bad key"}),
            ),
            now,
        )
        .unwrap_err();
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert!(
        s.token().is_none(),
        "the old token is not kept after a failed fetch"
    );
}

#[test]
fn a_token_provided_in_place_of_the_token_request_is_used_and_kept() {
    let mut fake = Fake::new(user_ok);
    let now = SystemTime::now();
    let mut fetcher = session();
    let req = fetcher.token_request().unwrap();
    let token = fetcher.receive_token(fake.send(req), now).unwrap().clone();

    let mut s = session();
    let op = GetUser::new("u-1".to_owned());
    let (mut call, first) = s.call(&op, now).unwrap();
    assert_eq!(first.uri().path(), TOKEN_PATH);
    assert!(call.needs_token());
    let req = call.provide_token(token).unwrap();
    assert!(!call.needs_token());
    assert_eq!(req.uri().path(), "/api/v3/get-user");
    assert_eq!(
        req.headers().get("authorization").unwrap(),
        format!("Bearer {}", jwt("pool-1", 1)).as_str()
    );
    let Step::Done(user) = call.receive(fake.send(req), now).unwrap() else {
        panic!("the call is answered")
    };
    assert_eq!(user.user_id, "u-1");
    // Only the fetcher's token request went out.
    assert_eq!(fake.paths(), [TOKEN_PATH, "/api/v3/get-user"]);
    assert_eq!(s.token().unwrap().userpool_id, "pool-1");
}

#[test]
fn providing_a_token_when_none_is_awaited_is_an_error() {
    let mut fake = Fake::new(user_ok);
    let now = SystemTime::now();
    let mut s = session();
    let req = s.token_request().unwrap();
    let token = s.receive_token(fake.send(req), now).unwrap().clone();
    let op = GetUser::new("u-1".to_owned());
    let (mut call, first) = s.call(&op, now).unwrap();
    assert_eq!(first.uri().path(), "/api/v3/get-user");
    assert!(!call.needs_token());
    let err = call.provide_token(token).unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
}
