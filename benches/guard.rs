//! Bearer verification through the guard, beside bare `jsonwebtoken::decode`
//! of the same RS256 token with the same key (the goal: the guard stays at
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
//!
//! On a busy machine, criterion's one-after-the-other runs compare different
//! loads. `GUARD_ROUNDS=15 cargo bench --bench guard` instead times the three
//! in turns (2,000 verifications each, round after round) and prints the
//! median of the per-round ratios.

use std::convert::Infallible;
use std::hint::black_box;

use criterion::{criterion_group, Criterion};
use genauth::{AuthenticationClient, AuthenticationClientOptions};
use genauth_emulator::{Emulator, DEFAULT_APP_ID, DEFAULT_APP_SECRET};
use genauth_tower::guard::{BearerClaims, Guard};
use http::{Request, Response};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use tower::{Layer, Service, ServiceExt};

/// The emulator, a verified token, the guard, its layer and the bare key.
struct Fixture {
    rt: tokio::runtime::Runtime,
    _emu: genauth_emulator::RunningEmulator,
    token: String,
    bearer: String,
    guard: Guard,
    key: DecodingKey,
    validation: Validation,
}

impl Fixture {
    fn new() -> Self {
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
        let bearer = format!("Bearer {token}");
        Self {
            rt,
            _emu: emu,
            token,
            bearer,
            guard,
            key,
            validation,
        }
    }

    /// The guard's layer over a service that reads the claims.
    fn service(
        &self,
    ) -> impl Service<Request<()>, Response = Response<Option<i64>>, Error = Infallible> {
        self.guard
            .layer()
            .layer(tower::service_fn(|req: Request<()>| async move {
                let exp = req.extensions().get::<BearerClaims>().map(|c| c.exp);
                Ok::<_, Infallible>(Response::new(exp))
            }))
    }

    fn bare(&self) -> serde_json::Value {
        jsonwebtoken::decode::<serde_json::Value>(
            black_box(&self.token),
            &self.key,
            &self.validation,
        )
        .expect("valid")
        .claims
    }

    fn guard(&self) -> std::sync::Arc<genauth::types::protocol::JwtClaims> {
        self.rt
            .block_on(self.guard.verify(black_box(&self.token)))
            .expect("valid")
    }

    fn layer<S>(&self, svc: &mut S) -> Response<Option<i64>>
    where
        S: Service<Request<()>, Response = Response<Option<i64>>>,
        S::Error: std::fmt::Debug,
    {
        let req = Request::get("/api")
            .header("authorization", black_box(&self.bearer))
            .body(())
            .expect("a request");
        let resp = self
            .rt
            .block_on(async { svc.ready().await?.call(req).await })
            .expect("served");
        assert!(resp.status().is_success());
        resp
    }
}

fn bench(c: &mut Criterion) {
    let f = Fixture::new();
    let mut svc = f.service();
    let mut g = c.benchmark_group("verify");
    g.bench_function("bare", |b| b.iter(|| f.bare()));
    g.bench_function("guard", |b| b.iter(|| f.guard()));
    g.bench_function("guard_layer", |b| b.iter(|| f.layer(&mut svc)));
    g.finish();
}

/// The three variants in turns, `rounds` times; prints per-round and median ratios.
fn interleaved(rounds: usize) {
    let f = Fixture::new();
    let mut svc = f.service();
    const N: u32 = 2_000;
    let time = |f: &mut dyn FnMut()| {
        let start = std::time::Instant::now();
        for _ in 0..N {
            f();
        }
        start.elapsed() / N
    };
    let (mut guard_ratios, mut layer_ratios) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        let bare = time(&mut || {
            black_box(f.bare());
        });
        let through_guard = time(&mut || {
            black_box(f.guard());
        });
        let through_layer = time(&mut || {
            black_box(f.layer(&mut svc));
        });
        let g = bare.as_secs_f64() / through_guard.as_secs_f64();
        let l = bare.as_secs_f64() / through_layer.as_secs_f64();
        println!(
            "round {round}: bare {bare:?}, guard {through_guard:?} ({g:.3}x), layer {through_layer:?} ({l:.3}x)"
        );
        guard_ratios.push(g);
        layer_ratios.push(l);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "median of {rounds} rounds: guard {:.3}x bare, layer {:.3}x bare",
        median(&mut guard_ratios),
        median(&mut layer_ratios)
    );
}

criterion_group!(benches, bench);

fn main() {
    if let Some(rounds) = std::env::var("GUARD_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .filter(|&r: &usize| r > 0)
    {
        interleaved(rounds);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
