//! The SAML IdP: metadata per app and a signing certificate made at start.

use crate::common::{raw, raw_get};
use base64::Engine as _;
use genauth_emulator::{App, Emulator, DEFAULT_APP_ID};
use quick_xml::events::Event;

/// One DER element: (tag, header length, content).
fn der(input: &[u8]) -> (u8, usize, &[u8]) {
    let tag = input[0];
    let (len, header) = match input[1] {
        n if n < 0x80 => (n as usize, 2),
        n => {
            let count = (n & 0x7f) as usize;
            let len = input[2..2 + count]
                .iter()
                .fold(0usize, |acc, b| acc << 8 | *b as usize);
            (len, 2 + count)
        }
    };
    (tag, header, &input[header..header + len])
}

/// The elements of a DER SEQUENCE's content, each with its header.
fn children(mut content: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let (_, header, body) = der(content);
        let whole = header + body.len();
        out.push(&content[..whole]);
        content = &content[whole..];
    }
    out
}

/// Checks that the certificate is signed (RSA PKCS#1 v1.5, SHA-256) by the
/// key it carries: a self-signed certificate.
fn verify_self_signed(cert: &[u8]) {
    let (tag, _, body) = der(cert);
    assert_eq!(tag, 0x30);
    let parts = children(body);
    assert_eq!(
        parts.len(),
        3,
        "tbsCertificate, signatureAlgorithm, signature"
    );
    let tbs = parts[0];
    let (_, _, sig) = der(parts[2]);
    let sig = &sig[1..]; // BIT STRING: unused-bits byte first
    let tbs_fields = children(der(tbs).2);
    // version [0], serial, signature, issuer, validity, subject, spki, ...
    let spki = tbs_fields[6];
    let spki_parts = children(der(spki).2);
    let (_, _, key_bits) = der(spki_parts[1]);
    let rsa_public_key = &key_bits[1..];
    aws_lc_rs::signature::UnparsedPublicKey::new(
        &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
        rsa_public_key,
    )
    .verify(tbs, sig)
    .expect("the certificate verifies with its own key");
}

fn pem_to_der(pem: &str) -> Vec<u8> {
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

/// (entityID, SSO locations with their bindings, the X509Certificate text).
fn read_metadata(xml: &str) -> (String, Vec<(String, String)>, String) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut entity = String::new();
    let mut sso = Vec::new();
    let mut cert = String::new();
    let mut in_cert = false;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => {
                let attr = |name: &[u8]| {
                    e.attributes()
                        .map(|a| a.unwrap())
                        .find(|a| a.key.as_ref() == name)
                        .map(|a| a.unescape_value().unwrap().into_owned())
                };
                match e.name().as_ref() {
                    b"md:EntityDescriptor" => entity = attr(b"entityID").unwrap(),
                    b"md:SingleSignOnService" => {
                        sso.push((attr(b"Binding").unwrap(), attr(b"Location").unwrap()))
                    }
                    b"ds:X509Certificate" => in_cert = true,
                    _ => {}
                }
            }
            Event::Text(t) if in_cert => cert.push_str(&t.decode().unwrap()),
            Event::End(e) if e.name().as_ref() == b"ds:X509Certificate" => in_cert = false,
            Event::Eof => break,
            _ => {}
        }
    }
    (entity, sso, cert)
}

#[tokio::test]
async fn metadata_names_the_app_and_carries_a_self_signed_certificate() {
    let emu = Emulator::builder()
        .app(App::new(DEFAULT_APP_ID, "s"))
        .app(App::public("other-app"))
        .start()
        .await
        .unwrap();
    let idp = emu.saml_idp_url(DEFAULT_APP_ID);
    assert_eq!(
        idp,
        format!("{}/api/v2/saml-idp/{DEFAULT_APP_ID}", emu.url())
    );

    let (status, headers, body) = raw_get(&format!("{idp}/metadata")).await;
    assert_eq!(status, 200);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/xml"));
    let xml = String::from_utf8(body.to_vec()).unwrap();
    let (entity, sso, cert_b64) = read_metadata(&xml);
    assert_eq!(entity, idp);
    assert_eq!(
        sso,
        vec![
            (
                "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect".to_owned(),
                idp.clone()
            ),
            (
                "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST".to_owned(),
                idp.clone()
            ),
        ]
    );
    let cert = base64::engine::general_purpose::STANDARD
        .decode(cert_b64.trim())
        .unwrap();
    // The same certificate at /cert and from the running emulator.
    let (status, _, pem) = raw_get(&format!("{idp}/cert")).await;
    assert_eq!(status, 200);
    let pem = String::from_utf8(pem.to_vec()).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    assert_eq!(Some(pem.as_str()), emu.saml_certificate_pem());
    assert_eq!(pem_to_der(&pem), cert);
    verify_self_signed(&cert);
    let cn = b"GenAuth emulator SAML IdP";
    assert!(cert.windows(cn.len()).any(|w| w == cn));

    // Another app: its own entity id, the same certificate.
    let other = emu.saml_idp_url("other-app");
    let (_, _, body) = raw_get(&format!("{other}/metadata")).await;
    let (entity, _, other_cert) = read_metadata(std::str::from_utf8(&body).unwrap());
    assert_eq!(entity, other);
    assert_eq!(other_cert, cert_b64);

    // A new emulator makes a new certificate.
    let second = Emulator::builder().start().await.unwrap();
    assert_ne!(second.saml_certificate_pem(), emu.saml_certificate_pem());
    assert!(second.saml_certificate_pem().is_some());
}

#[tokio::test]
async fn single_sign_on_says_assertions_are_not_emulated() {
    let emu = Emulator::builder().start().await.unwrap();
    let idp = emu.saml_idp_url(DEFAULT_APP_ID);
    let (status, _, body) = raw_get(&format!("{idp}?SAMLRequest=abc&RelayState=x")).await;
    assert_eq!(status, 501);
    assert!(std::str::from_utf8(&body)
        .unwrap()
        .contains("does not issue SAML assertions"));
    let post = http::Request::post(&idp)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(genauth_core::Body::from(bytes::Bytes::from_static(
            b"SAMLRequest=abc",
        )))
        .unwrap();
    assert_eq!(raw(post).await.0, 501);

    let (status, _, _) = raw_get(&format!(
        "{}/api/v2/saml-idp/no-such-app/metadata",
        emu.url()
    ))
    .await;
    assert_eq!(status, 404);
    let (status, _, _) = raw_get(&format!("{idp}/nothing-here")).await;
    assert_eq!(status, 404);
}
