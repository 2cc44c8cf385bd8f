//! OIDC/OAuth endpoints and CAS, over raw HTTP.

use crate::common;

use crate::common::{location, query_param, raw_form, raw_get};
use aws_lc_rs::signature::{RsaPublicKeyComponents, RSA_PKCS1_2048_8192_SHA256};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use genauth_core::TokenEndpointAuthMethod;
use genauth_emulator::{App, Emulator, RunningEmulator, TestUser};
use serde_json::Value;

const APP: &str = "app-oidc";
const SECRET: &str = "app-oidc-secret";
const CB: &str = "http://127.0.0.1:9/cb";

async fn emulator() -> RunningEmulator {
    Emulator::builder()
        .user(
            TestUser::email("ann@example.com")
                .with_password("pw-ann-1")
                .with_name("Ann"),
        )
        .app(App::new(APP, SECRET).redirect_uri(CB))
        .app(App::public("spa").redirect_uri(CB))
        .auto_approve("ann@example.com")
        .start()
        .await
        .unwrap()
}

fn challenge(verifier: &str) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
    URL_SAFE_NO_PAD.encode(d.as_ref())
}

/// Checks the RS256 signature of `jwt` against the emulator's JWKS; returns the claims.
fn verify(jwks: &Value, jwt: &str) -> Value {
    let parts: Vec<&str> = jwt.split('.').collect();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .unwrap();
    let n = URL_SAFE_NO_PAD.decode(key["n"].as_str().unwrap()).unwrap();
    let e = URL_SAFE_NO_PAD.decode(key["e"].as_str().unwrap()).unwrap();
    let sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    let msg = format!("{}.{}", parts[0], parts[1]);
    RsaPublicKeyComponents { n: &n, e: &e }
        .verify(&RSA_PKCS1_2048_8192_SHA256, msg.as_bytes(), &sig)
        .expect("the signature verifies");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap()
}

async fn authorize(emu: &RunningEmulator, client_id: &str, verifier: &str) -> String {
    let url = format!(
        "{}/oidc/auth?client_id={client_id}&redirect_uri={}&response_type=code&scope=openid+profile+email+offline_access&state=st-1&nonce=n-1&code_challenge={}&code_challenge_method=S256",
        emu.url(),
        genauth_core::request::form_urlencoded_component(CB),
        challenge(verifier)
    );
    let (status, headers, _) = raw_get(&url).await;
    assert_eq!(status, 302);
    let loc = location(&headers);
    assert!(loc.starts_with(CB), "{loc}");
    assert_eq!(query_param(&loc, "state").as_deref(), Some("st-1"));
    query_param(&loc, "code").unwrap()
}

#[tokio::test]
async fn code_flow_with_pkce_refresh_introspect_revoke() {
    let emu = emulator().await;
    let (status, _, body) = raw_get(&format!(
        "{}/oidc/.well-known/openid-configuration",
        emu.url()
    ))
    .await;
    assert_eq!(status, 200);
    let disc: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(disc["issuer"], emu.issuer());
    let (_, _, jwks) = raw_get(disc["jwks_uri"].as_str().unwrap()).await;
    let jwks: Value = serde_json::from_slice(&jwks).unwrap();
    let (_, _, jwks_app) =
        raw_get(&format!("{}/{APP}/oidc/.well-known/jwks.json", emu.url())).await;
    assert_eq!(jwks, serde_json::from_slice::<Value>(&jwks_app).unwrap());

    let verifier = "a-verifier-that-is-long-enough-for-pkce-0123456789";
    let token_url = format!("{}/oidc/token", emu.url());
    // A wrong verifier is refused, and the code is used up.
    let code = authorize(&emu, APP, verifier).await;
    let (status, err) = raw_form(
        &token_url,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CB),
            ("client_id", APP),
            ("client_secret", SECRET),
            ("code_verifier", "wrong-verifier"),
        ],
    )
    .await;
    assert_eq!(
        (status.as_u16(), err["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    let code = authorize(&emu, APP, verifier).await;
    let (status, tokens) = raw_form(
        &token_url,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CB),
            ("client_id", APP),
            ("client_secret", SECRET),
            ("code_verifier", verifier),
        ],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    let claims = verify(&jwks, tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["iss"], emu.issuer());
    assert_eq!(claims["aud"], APP);
    assert_eq!(claims["nonce"], "n-1");
    assert_eq!(claims["email"], "ann@example.com");
    // How GenAuth tells the kinds apart: the ID token has `at_hash` (and the
    // nonce) but no `scope`; the access token has `scope` but no `nonce`.
    let access = tokens["access_token"].as_str().unwrap();
    let half = &aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, access.as_bytes());
    assert_eq!(
        claims["at_hash"],
        URL_SAFE_NO_PAD.encode(&half.as_ref()[..16])
    );
    assert!(claims.get("scope").is_none());
    let at = verify(&jwks, access);
    assert!(at["scope"].as_str().unwrap().contains("openid"));
    assert!(at.get("nonce").is_none() && at.get("at_hash").is_none());
    assert_eq!(
        claims["sub"],
        emu.user_id("ann@example.com").unwrap().as_str()
    );
    // The code works once.
    let (status, _) = raw_form(
        &token_url,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CB),
            ("client_id", APP),
            ("client_secret", SECRET),
            ("code_verifier", verifier),
        ],
    )
    .await;
    assert_eq!(status, 400);

    let access = tokens["access_token"].as_str().unwrap();
    let me_req = http::Request::get(format!("{}/oidc/me", emu.url()))
        .header("authorization", format!("Bearer {access}"))
        .body(genauth_core::Body::from(bytes::Bytes::new()))
        .unwrap();
    let (status, _, me) = common::raw(me_req).await;
    assert_eq!(status, 200);
    let me: Value = serde_json::from_slice(&me).unwrap();
    assert_eq!(me["name"], "Ann");

    // Refresh with client_secret_basic.
    let basic = genauth_core::request::basic_auth(APP, SECRET).unwrap();
    let basic = basic.to_str().unwrap();
    let (status, refreshed) = raw_form(
        &token_url,
        Some(basic),
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{refreshed}");
    let new_access = refreshed["access_token"].as_str().unwrap();
    assert_ne!(new_access, access);

    let intro_url = format!("{}/oidc/token/introspection", emu.url());
    let (_, intro) = raw_form(&intro_url, Some(basic), &[("token", new_access)]).await;
    assert_eq!(intro["active"], true);
    assert_eq!(intro["client_id"], APP);
    let (status, _) = raw_form(&intro_url, None, &[("token", new_access)]).await;
    assert_eq!(status, 401, "introspection needs client authentication");

    let (status, _) = raw_form(
        &format!("{}/oidc/token/revocation", emu.url()),
        None,
        &[
            ("token", new_access),
            ("client_id", APP),
            ("client_secret", SECRET),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let (_, intro) = raw_form(&intro_url, Some(basic), &[("token", new_access)]).await;
    assert_eq!(intro["active"], false);

    // End-session revokes the rest and redirects.
    let url = format!(
        "{}/oidc/session/end?id_token_hint={}&post_logout_redirect_uri={}&state=bye",
        emu.url(),
        tokens["id_token"].as_str().unwrap(),
        genauth_core::request::form_urlencoded_component(CB)
    );
    let (status, headers, _) = raw_get(&url).await;
    assert_eq!(status, 302);
    assert_eq!(location(&headers), format!("{CB}?state=bye"));
    let (_, intro) = raw_form(&intro_url, Some(basic), &[("token", access)]).await;
    assert_eq!(intro["active"], false);
}

#[tokio::test]
async fn public_clients_need_pkce_and_client_credentials_need_a_secret() {
    let emu = emulator().await;
    let verifier = "public-client-verifier-0123456789-0123456789-abc";
    let code = authorize(&emu, "spa", verifier).await;
    let token_url = format!("{}/oauth/token", emu.url());
    let (status, tokens) = raw_form(
        &token_url,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CB),
            ("client_id", "spa"),
            ("code_verifier", verifier),
        ],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");

    let url = format!(
        "{}/oidc/auth?client_id=spa&redirect_uri={}&response_type=code&state=s",
        emu.url(),
        genauth_core::request::form_urlencoded_component(CB)
    );
    let (_, headers, _) = raw_get(&url).await;
    assert_eq!(
        query_param(&location(&headers), "error").as_deref(),
        Some("invalid_request")
    );

    let (status, cc) = raw_form(
        &token_url,
        None,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", APP),
            ("client_secret", SECRET),
            ("scope", "read"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(cc.get("id_token").is_none() && cc.get("refresh_token").is_none());
    let (status, _) = raw_form(
        &token_url,
        None,
        &[("grant_type", "client_credentials"), ("client_id", APP)],
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn without_auto_approve_a_login_form_is_shown_and_posted() {
    let emu = Emulator::builder()
        .user(TestUser::username("kim").with_password("pw-kim-1"))
        .app(
            App::new(APP, SECRET)
                .redirect_uri(CB)
                .token_endpoint_auth_method(TokenEndpointAuthMethod::ClientSecretBasic),
        )
        .start()
        .await
        .unwrap();
    let cb = genauth_core::request::form_urlencoded_component(CB);
    let (status, _, html) = raw_get(&format!(
        "{}/oidc/auth?client_id={APP}&redirect_uri={cb}&response_type=code&scope=openid",
        emu.url()
    ))
    .await;
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&html).contains("<form"));
    let body = format!("client_id={APP}&redirect_uri={cb}&response_type=code&scope=openid&account=kim&password=pw-kim-1");
    let req = http::Request::post(format!("{}/oidc/auth", emu.url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(genauth_core::Body::from(bytes::Bytes::from(body)))
        .unwrap();
    let (status, headers, _) = common::raw(req).await;
    assert_eq!(status, 302);
    assert!(query_param(&location(&headers), "code").is_some());
}

#[tokio::test]
async fn cas_tickets_validate_once() {
    let emu = emulator().await;
    let service = "http://127.0.0.1:9/app";
    let svc = genauth_core::request::form_urlencoded_component(service);
    let (status, headers, _) = raw_get(&format!("{}/cas-idp/{APP}?service={svc}", emu.url())).await;
    assert_eq!(status, 302);
    let ticket = query_param(&location(&headers), "ticket").unwrap();
    assert!(ticket.starts_with("ST-"));
    let (_, _, v1) = raw_get(&format!(
        "{}/cas-idp/{APP}/validate?service={svc}&ticket={ticket}",
        emu.url()
    ))
    .await;
    assert_eq!(String::from_utf8_lossy(&v1), "yes\nann@example.com\n");
    let (_, _, again) = raw_get(&format!(
        "{}/cas-idp/{APP}/validate?service={svc}&ticket={ticket}",
        emu.url()
    ))
    .await;
    assert_eq!(String::from_utf8_lossy(&again), "no\n\n");

    let (_, headers, _) = raw_get(&format!("{}/cas-idp/{APP}?service={svc}", emu.url())).await;
    let ticket = query_param(&location(&headers), "ticket").unwrap();
    let (_, _, v2) = raw_get(&format!(
        "{}/cas-idp/{APP}/serviceValidate?service={svc}&ticket={ticket}&format=JSON",
        emu.url()
    ))
    .await;
    let v2: Value = serde_json::from_slice(&v2).unwrap();
    assert_eq!(
        v2["serviceResponse"]["authenticationSuccess"]["user"],
        "ann@example.com"
    );
    let (_, _, xml) = raw_get(&format!(
        "{}/cas-idp/{APP}/serviceValidate?service={svc}&ticket={ticket}",
        emu.url()
    ))
    .await;
    assert!(String::from_utf8_lossy(&xml).contains("INVALID_TICKET"));
}

#[tokio::test]
async fn resource_indicators_bind_the_access_token_audience() {
    const MCP: &str = "http://127.0.0.1:9/mcp";
    const API: &str = "https://api.example.com/";
    let emu = Emulator::builder()
        .user(TestUser::email("ann@example.com").with_password("pw-ann-1"))
        .app(
            App::new(APP, SECRET)
                .redirect_uri(CB)
                .resource(MCP)
                .resource(API),
        )
        .auto_approve("ann@example.com")
        .start()
        .await
        .unwrap();
    let (_, _, jwks) = raw_get(&format!("{}/oidc/.well-known/jwks.json", emu.url())).await;
    let jwks: Value = serde_json::from_slice(&jwks).unwrap();
    let token_url = format!("{}/oidc/token", emu.url());
    let enc = genauth_core::request::form_urlencoded_component;
    let verifier = "a-verifier-that-is-long-enough-for-pkce-0123456789";
    let login = |resources: &[&str]| {
        let mut url = format!(
            "{}/oidc/auth?client_id={APP}&redirect_uri={}&response_type=code&scope=openid+offline_access&state=st-1&code_challenge={}&code_challenge_method=S256",
            emu.url(),
            enc(CB),
            challenge(verifier)
        );
        for r in resources {
            url.push_str(&format!("&resource={}", enc(r)));
        }
        url
    };
    let exchange = |code: String, resource: Option<&'static str>| {
        let token_url = token_url.clone();
        async move {
            let mut form = vec![
                ("grant_type", "authorization_code".to_owned()),
                ("code", code),
                ("redirect_uri", CB.to_owned()),
                ("client_id", APP.to_owned()),
                ("client_secret", SECRET.to_owned()),
                ("code_verifier", verifier.to_owned()),
            ];
            if let Some(r) = resource {
                form.push(("resource", r.to_owned()));
            }
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            raw_form(&token_url, None, &pairs).await
        }
    };
    let code_of = |headers: &http::HeaderMap| query_param(&location(headers), "code").unwrap();

    // Asked for both at login, narrowed to one at the token endpoint.
    let (status, headers, _) = raw_get(&login(&[MCP, API])).await;
    assert_eq!(status, 302);
    let (status, tokens) = exchange(code_of(&headers), Some(MCP)).await;
    assert_eq!(status, 200, "{tokens}");
    let at = verify(&jwks, tokens["access_token"].as_str().unwrap());
    assert_eq!(at["aud"], MCP);
    // The ID token is still for the app.
    assert_eq!(
        verify(&jwks, tokens["id_token"].as_str().unwrap())["aud"],
        APP
    );
    let (_, intro) = raw_form(
        &format!("{}/oidc/token/introspection", emu.url()),
        None,
        &[
            ("token", tokens["access_token"].as_str().unwrap()),
            ("client_id", APP),
            ("client_secret", SECRET),
        ],
    )
    .await;
    assert_eq!(intro["aud"], MCP);

    // The refresh token may ask for any resource of the login, one at a time...
    let refresh = |resource: &'static str| {
        let token_url = token_url.clone();
        let rt = tokens["refresh_token"].as_str().unwrap().to_owned();
        async move {
            raw_form(
                &token_url,
                None,
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &rt),
                    ("client_id", APP),
                    ("client_secret", SECRET),
                    ("resource", resource),
                ],
            )
            .await
        }
    };
    // ... but not one the login did not ask for (checked before the refresh
    // token is used up).
    let (status, err) = refresh("https://elsewhere.example.com/").await;
    assert_eq!(
        (status.as_u16(), err["error"].as_str()),
        (400, Some("invalid_target"))
    );
    let (status, again) = refresh(API).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(
        verify(&jwks, again["access_token"].as_str().unwrap())["aud"],
        API
    );

    // Without `resource` at the token endpoint, the token is for every
    // resource of the login.
    let (_, headers, _) = raw_get(&login(&[MCP, API])).await;
    let (_, both) = exchange(code_of(&headers), None).await;
    let aud = &verify(&jwks, both["access_token"].as_str().unwrap())["aud"];
    assert_eq!(aud, &serde_json::json!([MCP, API]));
    // A resource the login did not ask for is refused.
    let (_, headers, _) = raw_get(&login(&[MCP])).await;
    let (status, err) = exchange(code_of(&headers), Some(API)).await;
    assert_eq!(
        (status.as_u16(), err["error"].as_str()),
        (400, Some("invalid_target"))
    );
    // Without resource indicators, the access token is for the app, as before.
    let (_, headers, _) = raw_get(&login(&[])).await;
    let (_, plain) = exchange(code_of(&headers), None).await;
    assert_eq!(
        verify(&jwks, plain["access_token"].as_str().unwrap())["aud"],
        APP
    );

    // An unregistered or malformed resource goes back to the app as invalid_target.
    for bad in ["https://unknown.example.com/", "/relative", "https://a/b#f"] {
        let (status, headers, _) = raw_get(&login(&[bad])).await;
        assert_eq!(status, 302);
        let loc = location(&headers);
        assert_eq!(
            query_param(&loc, "error").as_deref(),
            Some("invalid_target"),
            "{bad}"
        );
        assert_eq!(query_param(&loc, "state").as_deref(), Some("st-1"));
    }

    // Client credentials: an app's registered resource, not an access key's.
    let (status, cc) = raw_form(
        &token_url,
        None,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", APP),
            ("client_secret", SECRET),
            ("scope", "read"),
            ("resource", API),
        ],
    )
    .await;
    assert_eq!(status, 200, "{cc}");
    assert_eq!(
        verify(&jwks, cc["access_token"].as_str().unwrap())["aud"],
        API
    );
    let (status, err) = raw_form(
        &token_url,
        None,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", genauth_emulator::DEFAULT_ACCESS_KEY_ID),
            ("client_secret", genauth_emulator::DEFAULT_ACCESS_KEY_SECRET),
            ("scope", "read"),
            ("resource", API),
        ],
    )
    .await;
    assert_eq!(
        (status.as_u16(), err["error"].as_str()),
        (400, Some("invalid_target"))
    );
}
