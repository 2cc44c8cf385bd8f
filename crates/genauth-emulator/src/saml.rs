//! SAML 2.0 identity provider: the metadata of each app and its signing
//! certificate, under the paths GenAuth serves (`/api/v2/saml-idp/{app_id}`).
//!
//! Assertions are not issued. Signing one needs XML-DSig with exclusive XML
//! canonicalization; the Rust SAML crate that does it (`samael`, feature
//! `xmlsec`) binds the C libraries xmlsec1, libxml2 and OpenSSL, which the
//! workspace bans (deny.toml: rustls only), and writing the canonicalization
//! by hand would be hand-rolled crypto. The single sign-on URL therefore
//! answers 501 saying so.

use std::sync::OnceLock;

use http::StatusCode;
use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, PKCS_RSA_SHA256};

use crate::http_util::{civil_date, html_escape, now_secs, text_reply, Reply, Req};
use crate::Shared;

/// The subject and issuer common name of the certificate.
pub(crate) const CERT_COMMON_NAME: &str = "GenAuth emulator SAML IdP";

/// How long the certificate is valid, from the day the emulator starts.
const VALID_DAYS: u64 = 3650;

/// The IdP, made on first use: an RSA key costs tens of milliseconds, which
/// every emulator start (one per test) would pay otherwise.
#[derive(Default)]
pub(crate) struct LazyIdp(OnceLock<Option<SamlIdp>>);

impl LazyIdp {
    /// The IdP, made now if this is the first use; `None` if it cannot be made.
    pub(crate) fn get(&self) -> Option<&SamlIdp> {
        self.0.get_or_init(|| SamlIdp::generate().ok()).as_ref()
    }
}

/// The IdP's signing certificate.
pub(crate) struct SamlIdp {
    cert_der: Vec<u8>,
    cert_pem: String,
}

impl SamlIdp {
    /// A fresh RSA-2048 key and a self-signed certificate (SHA-256 with RSA)
    /// over it, valid from the start of today (UTC) for ten years.
    pub(crate) fn generate() -> Result<Self, rcgen::Error> {
        let key = KeyPair::generate_for(&PKCS_RSA_SHA256)?;
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, CERT_COMMON_NAME);
        params.distinguished_name = dn;
        let today = now_secs();
        let (y, m, d) = civil_date(today);
        params.not_before = rcgen::date_time_ymd(y as i32, m, d);
        let (y, m, d) = civil_date(today + VALID_DAYS * 86_400);
        params.not_after = rcgen::date_time_ymd(y as i32, m, d);
        let cert = params.self_signed(&key)?;
        Ok(Self {
            cert_der: cert.der().to_vec(),
            cert_pem: cert.pem(),
        })
    }

    pub(crate) fn certificate_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The metadata (`EntityDescriptor`) of the IdP for one app.
    fn metadata(&self, base_url: &str, app_id: &str) -> String {
        use base64::Engine as _;
        let sso = html_escape(&sso_url(base_url, app_id));
        let cert = base64::engine::general_purpose::STANDARD.encode(&self.cert_der);
        let mut out = String::with_capacity(2048 + cert.len());
        out.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
        out.push('\n');
        out.push_str(&format!(
            r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{sso}">"#
        ));
        out.push_str(
            r#"<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">"#,
        );
        out.push_str(r#"<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>"#);
        out.push_str(&cert);
        out.push_str(r#"</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"#);
        for format in [
            "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
            "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
            "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
        ] {
            out.push_str(&format!("<md:NameIDFormat>{format}</md:NameIDFormat>"));
        }
        for binding in ["HTTP-Redirect", "HTTP-POST"] {
            out.push_str(&format!(
                r#"<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:{binding}" Location="{sso}"/>"#
            ));
        }
        out.push_str("</md:IDPSSODescriptor></md:EntityDescriptor>\n");
        out
    }
}

/// The IdP's entity id and single sign-on URL for `app_id`.
pub(crate) fn sso_url(base_url: &str, app_id: &str) -> String {
    format!("{base_url}/api/v2/saml-idp/{app_id}")
}

/// Answers `/api/v2/saml-idp/...`.
pub(crate) fn handle(shared: &Shared, req: &Req) -> Reply {
    let rest = req.path.strip_prefix("/api/v2/saml-idp/").unwrap_or("");
    let (app_id, action) = rest.split_once('/').unwrap_or((rest, ""));
    let text = |status, body: &str| text_reply(status, "text/plain; charset=utf-8", body.into());
    if shared.app(app_id).is_none() {
        return text(StatusCode::NOT_FOUND, "unknown app");
    }
    match (req.method.as_str(), action) {
        ("GET", "metadata" | "cert") => match shared.saml.get() {
            Some(idp) if action == "cert" => text_reply(
                StatusCode::OK,
                "application/x-pem-file",
                idp.cert_pem.clone(),
            ),
            Some(idp) => text_reply(
                StatusCode::OK,
                "application/xml; charset=utf-8",
                idp.metadata(&shared.base_url, app_id),
            ),
            None => text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the SAML signing key or certificate could not be made",
            ),
        },
        ("GET" | "POST", "") | ("GET", "init") => text(
            StatusCode::NOT_IMPLEMENTED,
            "the GenAuth emulator does not issue SAML assertions: only the IdP metadata \
             (/metadata) and signing certificate (/cert) are emulated",
        ),
        _ => text(StatusCode::NOT_FOUND, "unknown SAML IdP path"),
    }
}
