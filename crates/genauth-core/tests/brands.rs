//! The exact wire headers of each brand: every SDK header takes the brand's
//! prefix, the default hosts follow the brand, and hand-set hosts stay.

use std::time::Duration;

use genauth_core::ops::{GetProfile, GetUser};
use genauth_core::{
    AuthenticationClientOptions, AuthenticationConfig, Brand, Lang, ManagementClientOptions,
    ManagementConfig, ManagementToken, SecretString, SDK_VERSION_HEADER_VALUE,
};

/// The request's headers as sorted `name: value` lines (sensitive values included).
fn wire(req: &http::Request<genauth_core::Body>) -> Vec<String> {
    let mut lines: Vec<String> = req
        .headers()
        .iter()
        .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap()))
        .collect();
    lines.sort();
    lines
}

/// A JWT whose payload is `{"scoped_userpool_id":"pool-1"}` (unsigned; only the claim is read).
const TOKEN: &str = "e30.eyJzY29wZWRfdXNlcnBvb2xfaWQiOiJwb29sLTEifQ.c2ln";

#[test]
fn authentication_headers_per_brand() {
    for (brand, p) in [(Brand::GenAuth, "genauth"), (Brand::Authing, "authing")] {
        let cfg = AuthenticationConfig::new(
            AuthenticationClientOptions::new("app-1", "https://app.example.com")
                .brand(brand)
                .lang(Lang::EnUs)
                .real_ip("203.0.113.7")
                .tenant_id("tenant-9"),
        )
        .unwrap();
        assert_eq!(cfg.brand(), brand);
        let token = SecretString::from("user-token".to_owned());
        let req = cfg.request(&GetProfile::default(), Some(&token)).unwrap();
        assert_eq!(
            wire(&req),
            vec![
                "authorization: user-token".to_owned(),
                format!("x-{p}-app-id: app-1"),
                format!("x-{p}-app-tenant-id: tenant-9"),
                format!("x-{p}-lang: en-US"),
                format!("x-{p}-request-from: sdk"),
                format!("x-{p}-sdk-version: {SDK_VERSION_HEADER_VALUE}"),
                "x-real-ip: 203.0.113.7".to_owned(),
            ],
            "{brand}"
        );
    }
}

#[test]
fn management_headers_per_brand() {
    for (brand, p) in [(Brand::GenAuth, "genauth"), (Brand::Authing, "authing")] {
        let cfg =
            ManagementConfig::new(ManagementClientOptions::new("ak", "sk").brand(brand)).unwrap();
        let token = cfg
            .parse_token_response(
                http::Response::builder()
                    .body(bytes::Bytes::from(format!(
                        r#"{{"statusCode":200,"data":{{"access_token":"{TOKEN}","expires_in":60}}}}"#
                    )))
                    .unwrap(),
            )
            .unwrap();
        let req = cfg
            .request(&GetUser::new("u-1".into()), Some(&token))
            .unwrap();
        assert_eq!(
            req.uri(),
            &*format!("{}/api/v3/get-user?userId=u-1", brand.api_host())
        );
        assert_eq!(
            wire(&req),
            vec![
                format!("authorization: Bearer {TOKEN}"),
                format!("x-{p}-request-from: sdk"),
                format!("x-{p}-sdk-version: {SDK_VERSION_HEADER_VALUE}"),
                format!("x-{p}-userpool-id: pool-1"),
            ],
            "{brand}"
        );
        // The token request carries the brand's headers too.
        let t = cfg.token_request().unwrap();
        assert!(
            wire(&t).contains(&format!("x-{p}-request-from: sdk")),
            "{brand}"
        );
        // The websocket subscription signs with the brand's scheme word.
        let sub = cfg.subscribe_request("user.created").unwrap();
        let auth = sub.headers()["authorization"].to_str().unwrap();
        assert!(auth.starts_with(&format!("{p} ak:")), "{auth}");
        assert!(sub
            .headers()
            .contains_key(format!("x-{p}-sdk-version").as_str()));
    }
}

#[test]
fn a_token_built_by_hand_defaults_to_genauth_and_can_switch() {
    let t = ManagementToken::new(TOKEN.to_owned().into(), Duration::from_secs(60)).unwrap();
    let mut h = http::HeaderMap::new();
    t.apply(&mut h);
    assert_eq!(h["x-genauth-userpool-id"], "pool-1");
    let mut h = http::HeaderMap::new();
    t.with_brand(Brand::Authing).apply(&mut h);
    assert_eq!(h["x-authing-userpool-id"], "pool-1");
    assert!(!h.contains_key("x-genauth-userpool-id"));
}

#[test]
fn default_hosts_follow_the_brand_and_hand_set_hosts_stay() {
    let o = ManagementClientOptions::new("ak", "sk");
    assert_eq!(o.brand, Brand::GenAuth);
    assert_eq!(o.host, "https://api.genauth.ai");
    assert_eq!(o.websocket_host, "wss://events.genauth.ai");
    let o = o.brand(Brand::Authing);
    assert_eq!(o.host, "https://api.authing.cn");
    assert_eq!(o.websocket_host, "wss://openevent.authing.cn");
    // Back again: both still at a brand default, so both move.
    let o = o.brand(Brand::GenAuth);
    assert_eq!(o.host, "https://api.genauth.ai");

    // A private deployment set before or after the brand is kept.
    let o = ManagementClientOptions::new("ak", "sk")
        .host("https://idp.corp.example")
        .brand(Brand::Authing);
    assert_eq!(o.host, "https://idp.corp.example");
    assert_eq!(o.websocket_host, "wss://openevent.authing.cn");
    let o = ManagementClientOptions::new("ak", "sk")
        .brand(Brand::Authing)
        .websocket_host("wss://events.corp.example");
    assert_eq!(o.websocket_host, "wss://events.corp.example");
    assert_eq!(o.host, "https://api.authing.cn");

    let a =
        AuthenticationClientOptions::new("app", "https://app.example.com").brand(Brand::Authing);
    assert_eq!(a.websocket_host, "wss://openevent.authing.cn");
    assert_eq!(a.app_host, "https://app.example.com");
}
