//! The key-set cache against the emulator: rotation, an endpoint that is
//! down or slow, bounded waits and a bounded number of fetches.

use std::time::{Duration, Instant};

use genauth::{AuthenticationClient, AuthenticationClientOptions, Error, VerifyError};
use genauth_emulator::{Emulator, Fault, RunningEmulator, DEFAULT_APP_ID, DEFAULT_APP_SECRET};

const JWKS: &str = "/oidc/.well-known/jwks.json";

fn client(emu: &RunningEmulator) -> AuthenticationClient {
    AuthenticationClient::new(
        AuthenticationClientOptions::new(DEFAULT_APP_ID, emu.url()).app_secret(DEFAULT_APP_SECRET),
    )
    .unwrap()
}

/// A fresh access token from the emulator (client-credentials grant).
async fn access_token(c: &AuthenticationClient) -> String {
    let t = c
        .get_access_token_by_client_credentials(
            "orders:read",
            DEFAULT_APP_ID,
            &DEFAULT_APP_SECRET.into(),
        )
        .await
        .unwrap();
    t.access_token.unwrap().expose().to_owned()
}

fn unavailable(r: &Result<genauth::core::types::protocol::JwtClaims, Error>) -> bool {
    matches!(r, Err(Error::Verify(VerifyError::KeySetUnavailable(_))))
}

#[tokio::test]
async fn rotation_needs_at_most_one_fetch_and_old_tokens_keep_verifying() {
    let emu = Emulator::builder().start().await.unwrap();
    let c = client(&emu);
    let old = access_token(&c).await;
    c.verify_access_token(&old).await.unwrap();
    assert_eq!(c.jwks_cache().fetch_count(), 1);

    emu.rotate_keys().unwrap();
    let new = access_token(&c).await;
    // The new kid is unknown to the cache: one fetch, then it verifies.
    c.verify_access_token(&new).await.unwrap();
    assert_eq!(c.jwks_cache().fetch_count(), 2);
    // The old key is still published: old tokens verify, with no fetch.
    c.verify_access_token(&old).await.unwrap();
    c.verify_access_token(&new).await.unwrap();
    assert_eq!(c.jwks_cache().fetch_count(), 2);
    assert_eq!(emu.request_count(JWKS), 2);

    // Another rotation right after: an unknown kid within 10 s of the last
    // refresh does not fetch again.
    emu.rotate_keys().unwrap();
    let newest = access_token(&c).await;
    assert!(matches!(
        c.verify_access_token(&newest).await,
        Err(Error::Verify(VerifyError::UnknownKid(_)))
    ));
    assert_eq!(
        c.jwks_cache().fetch_count(),
        2,
        "refresh at most once per 10 s"
    );
    // Past the interval it is learned with one fetch.
    c.jwks_cache().set_min_refresh_interval(Duration::ZERO);
    c.verify_access_token(&newest).await.unwrap();
    assert_eq!(c.jwks_cache().fetch_count(), 3);
}

#[tokio::test]
async fn a_key_set_endpoint_that_is_down_fails_fast_with_bounded_fetches() {
    let emu = Emulator::builder().start().await.unwrap();
    let c = client(&emu);
    let token = access_token(&c).await;
    c.jwks_cache().set_fetch_timeout(Duration::from_secs(2));
    emu.add_fault(Fault::on(JWKS).status(503));

    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..500 {
        let (c, t) = (c.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let r = c.verify_access_token(&t).await;
            (r, Instant::now())
        }));
    }
    for t in tasks {
        let (r, done) = t.await.unwrap();
        assert!(unavailable(&r), "{r:?}");
        assert!(
            done - started < Duration::from_secs(3),
            "a caller waited {:?}",
            done - started
        );
    }
    // One fetch for 500 callers (the transport may retry a 503 GET itself).
    assert_eq!(c.jwks_cache().fetch_count(), 1);
    assert!(
        emu.request_count(JWKS) <= 3,
        "{} requests",
        emu.request_count(JWKS)
    );

    // Within the backoff, callers fail at once without a request.
    let before = emu.request_count(JWKS);
    let t0 = Instant::now();
    assert!(unavailable(&c.verify_access_token(&token).await));
    assert!(t0.elapsed() < Duration::from_millis(200));
    assert_eq!(emu.request_count(JWKS), before);

    // When the endpoint is back and the backoff over, verification works.
    emu.clear_faults();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    c.verify_access_token(&token).await.unwrap();
}

#[tokio::test]
async fn a_slow_failing_endpoint_costs_each_caller_one_bounded_wait() {
    let emu = Emulator::builder().start().await.unwrap();
    let c = client(&emu);
    let token = access_token(&c).await;
    c.jwks_cache().set_fetch_timeout(Duration::from_secs(1));
    emu.add_fault(Fault::on(JWKS).latency(Duration::from_secs(3)));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..5 {
        let (c, t) = (c.clone(), token.clone());
        tasks.push(tokio::spawn(async move { c.verify_access_token(&t).await }));
    }
    for t in tasks {
        assert!(unavailable(&t.await.unwrap()));
    }
    let took = started.elapsed();
    assert!(took < Duration::from_millis(1800), "took {took:?}");
    assert_eq!(c.jwks_cache().fetch_count(), 1);
}

#[tokio::test]
async fn the_last_good_keys_are_kept_while_the_endpoint_fails() {
    let emu = Emulator::builder().start().await.unwrap();
    let c = client(&emu);
    c.jwks_cache().set_min_refresh_interval(Duration::ZERO);
    let token = access_token(&c).await;
    c.verify_access_token(&token).await.unwrap();
    emu.add_fault(Fault::on(JWKS).status(503));
    emu.rotate_keys().unwrap();
    let unknown = access_token(&c).await;
    // The refresh fails: the new kid stays unknown...
    assert!(matches!(
        c.verify_access_token(&unknown).await,
        Err(Error::Verify(VerifyError::UnknownKid(_)))
    ));
    // ...and tokens under the known key keep verifying, without a request.
    let before = emu.request_count(JWKS);
    c.verify_access_token(&token).await.unwrap();
    assert_eq!(emu.request_count(JWKS), before);
}

#[tokio::test]
async fn background_refresh_learns_rotated_keys_before_tokens_need_them() {
    let emu = Emulator::builder().start().await.unwrap();
    let c = client(&emu);
    c.jwks_cache()
        .set_min_refresh_interval(Duration::from_millis(100));
    c.get_jwks().await.unwrap();
    let task = c.spawn_jwks_refresh(Duration::from_millis(150));
    let kid = emu.rotate_keys().unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let fetched = c.jwks_cache().fetch_count();
    assert!(fetched >= 2, "{fetched}");
    assert!(c.jwks_cache().cached().unwrap().contains_kid(&kid));
    let token = access_token(&c).await;
    c.verify_access_token(&token).await.unwrap();
    task.abort();
}
