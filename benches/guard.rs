//! Bearer verification through the guard, beside bare `jsonwebtoken::decode`
//! of the same RS256 token with the same key (issue #11: the guard stays at
//! ≥ 0.9× bare).
//!
//! `cargo bench --bench guard`. One core (a current-thread runtime), the
//! emulator on 127.0.0.1 issues the token and publishes the key; the key set
//! is fetched once before measuring, so every measured verification is local:
//!
//! - `verify/bare`: `jsonwebtoken::decode` with a `DecodingKey` made from the
//!   published JWK, RS256, issuer and audience checked.
//! - `verify/guard`: `Guard::verify` (the key-set cache lookup by `kid`, the
//!   size cap, `crit`, the token kind, `azp`, the typed claims).
//! - `verify/guard_layer`: a request with `Authorization: Bearer` through the
//!   guard's tower layer to an inner service that reads the claims.

use std::convert::Infallible;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use genauth::{AuthenticationClient, AuthenticationClientOptions};
use genauth_emulator::{Emulator, DEFAULT_APP_ID, DEFAULT_APP_SECRET};
use genauth_tower::guard::{BearerClaims, Guard};
use http::{Request, Response};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use tower::{Layer, Service, ServiceExt};

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let emu = rt
        .block_on(Emulator::builder().start())
        .expect("the emulator starts");
    let client =
        AuthenticationClient::new(AuthenticationClientOptions::new(DEFAULT_APP_ID, emu.url()))
            .expect("a client");
    let token = rt
        .block_on(client.get_access_token_by_client_credentials(
            "bench",
            DEFAULT_APP_ID,
            &DEFAULT_APP_SECRET.into(),
        ))
        .expect("a token")
        .access_token
        .expect("an access token")
        .expose()
        .to_owned();
    let guard = Guard::new(client.clone());
    // Fetch the key set once: the measured calls are all local.
    rt.block_on(guard.verify(&token))
        .expect("the token verifies");

    let jwk = &emu.jwks()["keys"][0];
    let key = DecodingKey::from_rsa_components(
        jwk["n"].as_str().expect("n"),
        jwk["e"].as_str().expect("e"),
    )
    .expect("an RSA key");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[client.token_verifier().issuers()[0].clone()]);
    validation.set_audience(&[DEFAULT_APP_ID]);
    jsonwebtoken::decode::<serde_json::Value>(&token, &key, &validation)
        .expect("bare decode accepts the token");

    let mut svc = guard
        .layer()
        .layer(tower::service_fn(|req: Request<()>| async move {
            let sub = req.extensions().get::<BearerClaims>().map(|c| c.exp);
            Ok::<_, Infallible>(Response::new(sub))
        }));
    let bearer = format!("Bearer {token}");

    let mut g = c.benchmark_group("verify");
    g.bench_function("bare", |b| {
        b.iter(|| {
            jsonwebtoken::decode::<serde_json::Value>(black_box(&token), &key, &validation)
                .expect("valid")
        })
    });
    g.bench_function("guard", |b| {
        b.iter(|| rt.block_on(guard.verify(black_box(&token))).expect("valid"))
    });
    g.bench_function("guard_layer", |b| {
        b.iter(|| {
            let req = Request::get("/api")
                .header("authorization", black_box(&bearer))
                .body(())
                .expect("a request");
            let resp = rt
                .block_on(async { svc.ready().await?.call(req).await })
                .expect("served");
            assert!(resp.status().is_success());
            resp
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
