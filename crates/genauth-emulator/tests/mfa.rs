//! MFA (TOTP, SMS and email factors, the sign-in step and its completion)
//! and LDAP/AD sign-in.

use crate::common;

use crate::common::raw_json;
use genauth_emulator::{
    DirectoryUser, Emulator, RunningEmulator, TestUser, DEFAULT_APP_ID, DEFAULT_APP_SECRET,
};
use serde_json::{json, Value};
use totp_rs::{Algorithm, Secret, TOTP};

async fn emulator() -> RunningEmulator {
    Emulator::builder()
        .user(TestUser::email("ann@example.com").with_password("pw-ann-1"))
        .directory_user(DirectoryUser::ldap("carol", "ldap-pw").with_email("carol@example.com"))
        .directory_user(DirectoryUser::ad("dave", "ad-pw"))
        .start()
        .await
        .unwrap()
}

async fn post(emu: &RunningEmulator, path: &str, auth: Option<&str>, body: Value) -> Value {
    let headers: Vec<(&str, &str)> = auth.map(|a| ("authorization", a)).into_iter().collect();
    raw_json("POST", &format!("{}{path}", emu.url()), &headers, &body).await
}

async fn get(emu: &RunningEmulator, path: &str, token: &str) -> Value {
    raw_json(
        "GET",
        &format!("{}{path}", emu.url()),
        &[("authorization", token)],
        &Value::Null,
    )
    .await
}

async fn sign_in(emu: &RunningEmulator, body: Value) -> Value {
    let mut body = body;
    body["client_id"] = json!(DEFAULT_APP_ID);
    body["client_secret"] = json!(DEFAULT_APP_SECRET);
    post(emu, "/api/v3/signin", None, body).await
}

fn ann() -> Value {
    json!({"connection": "PASSWORD",
        "passwordPayload": {"email": "ann@example.com", "password": "pw-ann-1"}})
}

fn code_for(uri: &str) -> (Vec<u8>, String) {
    let secret = uri
        .split("secret=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().unwrap();
    let code = TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes.clone())
        .unwrap()
        .generate_current()
        .unwrap();
    (bytes, code)
}

#[tokio::test]
async fn totp_enrolment_sign_in_step_and_completion() {
    let emu = emulator().await;
    let v = sign_in(&emu, ann()).await;
    let token = v["data"]["access_token"].as_str().unwrap().to_owned();

    let to_enroll = get(&emu, "/api/v3/list-factors-to-enroll", &token).await;
    assert_eq!(
        to_enroll["data"].as_array().unwrap().len(),
        3,
        "{to_enroll}"
    );
    let req = post(
        &emu,
        "/api/v3/send-enroll-factor-request",
        Some(&token),
        json!({"profile": {}, "factorType": "OTP"}),
    )
    .await;
    assert_eq!(req["statusCode"], 200, "{req}");
    let uri = req["data"]["otpData"]["qrCodeUri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/"), "{uri}");
    let (secret, code) = code_for(uri);
    let enrollment = req["data"]["enrollmentToken"].as_str().unwrap();
    // A wrong code is refused and the enrollment token is spent.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let v = post(&emu, "/api/v3/enroll-factor", Some(&token),
        json!({"enrollmentToken": enrollment, "factorType": "OTP", "enrollmentData": {"passCode": wrong}})).await;
    assert_eq!(v["statusCode"], 400, "{v}");
    assert!(v["message"].as_str().unwrap().contains("passCode"), "{v}");
    let req = post(
        &emu,
        "/api/v3/send-enroll-factor-request",
        Some(&token),
        json!({"profile": {}, "factorType": "OTP"}),
    )
    .await;
    let (secret2, code) = code_for(req["data"]["otpData"]["qrCodeUri"].as_str().unwrap());
    assert_ne!(secret, secret2, "each request makes a new key");
    let v = post(
        &emu,
        "/api/v3/enroll-factor",
        Some(&token),
        json!({"enrollmentToken": req["data"]["enrollmentToken"], "factorType": "OTP",
            "enrollmentData": {"passCode": code}}),
    )
    .await;
    assert_eq!(v["statusCode"], 200, "{v}");
    let factors = get(&emu, "/api/v3/list-enrolled-factors", &token).await;
    assert_eq!(factors["data"][0]["factorType"], "OTP", "{factors}");
    let totp = TOTP::new(Algorithm::SHA1, 6, 1, 30, secret2).unwrap();
    let v = post(
        &emu,
        "/api/v3/mfa-totp-verify",
        Some(&token),
        json!({"totp": totp.generate_current().unwrap()}),
    )
    .await;
    assert_eq!(v["data"]["verified"], true, "{v}");

    // Sign-in now stops for the second factor.
    let step = sign_in(&emu, ann()).await;
    assert_eq!(step["statusCode"], 302, "{step}");
    assert_eq!(step["apiCode"], 1635);
    assert!(step["data"].get("access_token").is_none());
    let mfa_token = step["data"]["mfaToken"].as_str().unwrap().to_owned();
    let intro = raw_json_form(&emu, &mfa_token).await;
    assert_eq!(intro["active"], true, "{intro}");
    let bearer = format!("Bearer {mfa_token}");
    let v = post(
        &emu,
        "/api/v2/mfa/totp/verify",
        Some(&bearer),
        json!({"totp": wrong}),
    )
    .await;
    if totp.generate_current().unwrap() != wrong {
        assert_eq!(v["statusCode"], 400, "{v}");
    }
    let v = post(
        &emu,
        "/api/v2/mfa/totp/verify",
        Some(&bearer),
        json!({"totp": totp.generate_current().unwrap()}),
    )
    .await;
    assert_eq!(v["statusCode"], 200, "{v}");
    let done = v["data"]["access_token"].as_str().unwrap();
    let me = get(&emu, "/api/v3/get-profile", done).await;
    assert_eq!(me["data"]["email"], "ann@example.com");
    // The MFA token is spent.
    let again = post(
        &emu,
        "/api/v2/mfa/totp/verify",
        Some(&bearer),
        json!({"totp": totp.generate_current().unwrap()}),
    )
    .await;
    assert_eq!(again["statusCode"], 401, "{again}");
    assert_eq!(raw_json_form(&emu, &mfa_token).await["active"], false);

    // Reset the factor: sign-in issues tokens directly again.
    let id = factors["data"][0]["factorId"].as_str().unwrap();
    let v = post(
        &emu,
        "/api/v3/reset-factor",
        Some(done),
        json!({"factorId": id}),
    )
    .await;
    assert_eq!(v["statusCode"], 200, "{v}");
    assert_eq!(sign_in(&emu, ann()).await["statusCode"], 200);
}

async fn raw_json_form(emu: &RunningEmulator, token: &str) -> Value {
    let (_, v) = common::raw_form(
        &format!("{}/mfa/token/introspection", emu.url()),
        None,
        &[("token", token)],
    )
    .await;
    v
}

#[tokio::test]
async fn sms_and_email_factors_use_passcodes() {
    let emu = emulator().await;
    let token = sign_in(&emu, ann()).await["data"]["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    for (kind, profile, target) in [
        ("SMS", json!({"phoneNumber": "+15550111"}), "+15550111"),
        (
            "EMAIL",
            json!({"email": "ann.mfa@example.com"}),
            "ann.mfa@example.com",
        ),
    ] {
        let req = post(
            &emu,
            "/api/v3/send-enroll-factor-request",
            Some(&token),
            json!({"profile": profile, "factorType": kind}),
        )
        .await;
        assert_eq!(req["statusCode"], 200, "{req}");
        let code = emu.last_passcode(target).unwrap();
        let v = post(
            &emu,
            "/api/v3/enroll-factor",
            Some(&token),
            json!({"enrollmentToken": req["data"]["enrollmentToken"], "factorType": kind,
                "enrollmentData": {"passCode": code}}),
        )
        .await;
        assert_eq!(v["statusCode"], 200, "{v}");
    }
    let v = post(
        &emu,
        "/api/v3/send-enroll-factor-request",
        Some(&token),
        json!({"profile": {}, "factorType": "SMS"}),
    )
    .await;
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("profile.phoneNumber"),
        "{v}"
    );

    let step = sign_in(&emu, ann()).await;
    assert_eq!(step["apiCode"], 1635, "{step}");
    assert_eq!(step["data"]["factors"].as_array().unwrap().len(), 2);
    let bearer = format!("Bearer {}", step["data"]["mfaToken"].as_str().unwrap());
    post(
        &emu,
        "/api/v3/send-sms",
        None,
        json!({"channel": "CHANNEL_VERIFY_MFA", "phoneNumber": "+15550111"}),
    )
    .await;
    // A phone that is not an enrolled factor is refused.
    let v = post(
        &emu,
        "/api/v2/applications/mfa/sms/verify",
        Some(&bearer),
        json!({"phone": "+15550999", "code": "123456"}),
    )
    .await;
    assert_eq!(v["statusCode"], 400, "{v}");
    let code = emu.last_passcode("+15550111").unwrap();
    let v = post(
        &emu,
        "/api/v2/applications/mfa/sms/verify",
        Some(&bearer),
        json!({"phone": "+15550111", "code": code}),
    )
    .await;
    assert_eq!(v["statusCode"], 200, "{v}");
    assert!(v["data"]["access_token"].is_string());

    let step = sign_in(&emu, ann()).await;
    let bearer = format!("Bearer {}", step["data"]["mfaToken"].as_str().unwrap());
    post(
        &emu,
        "/api/v3/send-email",
        None,
        json!({"channel": "CHANNEL_VERIFY_MFA", "email": "ann.mfa@example.com"}),
    )
    .await;
    let code = emu.last_passcode("ann.mfa@example.com").unwrap();
    let v = post(
        &emu,
        "/api/v2/applications/mfa/email/verify",
        Some(&bearer),
        json!({"email": "ann.mfa@example.com", "code": code}),
    )
    .await;
    assert_eq!(v["statusCode"], 200, "{v}");
}

#[tokio::test]
async fn ldap_and_ad_sign_in_against_directory_users() {
    let emu = emulator().await;
    let v = sign_in(
        &emu,
        json!({"connection": "LDAP",
        "ldapPayload": {"sAMAccountName": "carol", "password": "ldap-pw"}}),
    )
    .await;
    assert_eq!(v["statusCode"], 200, "{v}");
    let me = get(
        &emu,
        "/api/v3/get-profile",
        v["data"]["access_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(me["data"]["username"], "carol");
    assert_eq!(me["data"]["email"], "carol@example.com");
    // The second sign-in finds the same user.
    let again = sign_in(
        &emu,
        json!({"connection": "LDAP",
        "ldapPayload": {"sAMAccountName": "carol", "password": "ldap-pw"}}),
    )
    .await;
    assert_eq!(again["statusCode"], 200);
    assert_eq!(emu.user_count(), 2);
    // Wrong password, wrong directory, missing payload.
    let v = sign_in(
        &emu,
        json!({"connection": "LDAP",
        "ldapPayload": {"sAMAccountName": "carol", "password": "nope"}}),
    )
    .await;
    assert_eq!(
        (v["statusCode"].clone(), v["apiCode"].clone()),
        (json!(400), json!(2006)),
        "{v}"
    );
    let v = sign_in(
        &emu,
        json!({"connection": "AD",
        "adPayload": {"sAMAccountName": "carol", "password": "ldap-pw"}}),
    )
    .await;
    assert_eq!(v["statusCode"], 400, "{v}");
    let v = sign_in(&emu, json!({"connection": "AD"})).await;
    assert!(v["message"].as_str().unwrap().contains("adPayload"), "{v}");
    let v = sign_in(
        &emu,
        json!({"connection": "AD",
        "adPayload": {"sAMAccountName": "dave", "password": "ad-pw"}}),
    )
    .await;
    assert_eq!(v["statusCode"], 200, "{v}");
}
