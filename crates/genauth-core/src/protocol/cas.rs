//! CAS ticket validation: CAS 1.0 (`/validate`, plain text) and CAS 2.0/3.0
//! (`/serviceValidate`, XML or JSON).

use std::collections::BTreeMap;

use bytes::Bytes;
use http::header::{HeaderValue, ACCEPT};
use quick_xml::events::Event;
use quick_xml::Reader;

use genauth_types::protocol::{CasErrorCode, CasSuccess};

use crate::error::{Error, HttpError, ProtocolError};
use crate::excerpt::excerpt;
use crate::AuthenticationConfig;

use super::{path_segment, with_query};

/// The answer format asked of `/serviceValidate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CasFormat {
    /// The CAS XML document (the default).
    #[default]
    Xml,
    /// The CAS 3.0 JSON document.
    Json,
}

impl CasFormat {
    /// The `format` parameter value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Xml => "XML",
            Self::Json => "JSON",
        }
    }
}

impl AuthenticationConfig {
    fn cas_request(
        &self,
        name: &'static str,
        endpoint: &str,
        query: &[(&str, &str)],
        accept: &'static str,
    ) -> Result<http::Request<crate::Body>, Error> {
        let url = with_query(
            format!(
                "{}/cas-idp/{}/{endpoint}",
                self.base,
                path_segment(&self.options.app_id)
            ),
            query,
        );
        let mut req = self.protocol_request(name, http::Method::GET, url)?;
        req.headers_mut()
            .insert(ACCEPT, HeaderValue::from_static(accept));
        Ok(req)
    }

    /// CAS 1.0: `GET /cas-idp/{app_id}/validate?service=…&ticket=…`.
    pub fn validate_ticket_v1_request(
        &self,
        ticket: &str,
        service: &str,
    ) -> Result<http::Request<crate::Body>, Error> {
        check_ticket(ticket, service)?;
        self.cas_request(
            "validate_ticket_v1",
            "validate",
            &[("service", service), ("ticket", ticket)],
            "text/plain",
        )
    }

    /// CAS 2.0/3.0: `GET /cas-idp/{app_id}/serviceValidate?service=…&ticket=…&format=XML|JSON`.
    pub fn validate_ticket_v2_request(
        &self,
        ticket: &str,
        service: &str,
        format: CasFormat,
    ) -> Result<http::Request<crate::Body>, Error> {
        check_ticket(ticket, service)?;
        let accept = match format {
            CasFormat::Xml => "application/xml, text/xml",
            CasFormat::Json => "application/json",
        };
        self.cas_request(
            "validate_ticket_v2",
            "serviceValidate",
            &[
                ("service", service),
                ("ticket", ticket),
                ("format", format.as_str()),
            ],
            accept,
        )
    }
}

fn check_ticket(ticket: &str, service: &str) -> Result<(), Error> {
    if ticket.trim().is_empty() {
        return Err(Error::invalid_input("ticket", "must not be empty"));
    }
    if service.trim().is_empty() {
        return Err(Error::invalid_input("service", "must not be empty"));
    }
    Ok(())
}

fn malformed(reason: impl Into<String>) -> Error {
    ProtocolError::Malformed {
        what: "CAS response",
        reason: reason.into(),
    }
    .into()
}

fn rejected(code: CasErrorCode, message: impl Into<String>) -> Error {
    ProtocolError::TicketRejected {
        code,
        message: message.into(),
    }
    .into()
}

fn success_body(operation: &'static str, response: http::Response<Bytes>) -> Result<Bytes, Error> {
    let status = response.status();
    if !status.is_success() {
        let content_type = response
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        return Err(Error::Http(Box::new(HttpError {
            status: status.as_u16(),
            operation: Some(operation),
            content_type,
            excerpt: excerpt(response.body()),
            host: None,
        })));
    }
    Ok(response.into_body())
}

/// Reads a CAS 1.0 answer: `yes\n<user>\n` gives the user; `no\n` gives
/// [`ProtocolError::TicketRejected`] with `INVALID_TICKET`.
pub fn parse_validate_v1_response(response: http::Response<Bytes>) -> Result<String, Error> {
    let body = success_body("validate_ticket_v1", response)?;
    let text = std::str::from_utf8(&body).map_err(|_| malformed("the body is not UTF-8"))?;
    let mut lines = text.lines().map(str::trim);
    match lines.next() {
        Some("yes") => match lines.next() {
            Some(user) if !user.is_empty() => {
                if lines.any(|l| !l.is_empty()) {
                    return Err(malformed("`yes` followed by more than one user line"));
                }
                Ok(user.to_owned())
            }
            _ => Err(malformed("`yes` without a user")),
        },
        Some("no") => Err(rejected(CasErrorCode::InvalidTicket, "")),
        _ => Err(malformed(format!(
            "expected `yes` or `no`, got: {}",
            excerpt(&body)
        ))),
    }
}

/// Reads a CAS 2.0/3.0 `/serviceValidate` answer, XML or JSON (told apart by
/// the first character): success gives the user and attributes, failure gives
/// [`ProtocolError::TicketRejected`] with the CAS error code.
pub fn parse_service_validate_response(
    response: http::Response<Bytes>,
) -> Result<CasSuccess, Error> {
    let body = success_body("validate_ticket_v2", response)?;
    let text = std::str::from_utf8(&body).map_err(|_| malformed("the body is not UTF-8"))?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        parse_json(trimmed)
    } else {
        parse_xml(trimmed)
    }
}

fn json_values(v: &serde_json::Value) -> Vec<String> {
    match v {
        serde_json::Value::Null => Vec::new(),
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Array(a) => a.iter().flat_map(json_values).collect(),
        other => vec![other.to_string()],
    }
}

/// Refuses JSON whose objects repeat a key: a parser keeping the first and one
/// keeping the last would read different users from the same document.
fn reject_duplicate_keys(text: &str) -> Result<(), Error> {
    use serde::de::{Deserializer as _, MapAccess, SeqAccess, Visitor};
    struct Unique;
    impl<'de> serde::de::DeserializeSeed<'de> for Unique {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(Unique)
        }
    }
    impl<'de> Visitor<'de> for Unique {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while seq.next_element_seed(Unique)?.is_some() {}
            Ok(())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut seen = std::collections::BTreeSet::new();
            while let Some(key) = map.next_key::<String>()? {
                if !seen.insert(key.clone()) {
                    return Err(serde::de::Error::custom(format!(
                        "the key `{key}` appears twice"
                    )));
                }
                map.next_value_seed(Unique)?;
            }
            Ok(())
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    de.deserialize_any(Unique)
        .map_err(|e| malformed(format!("ambiguous JSON: {e}")))
}

fn parse_json(text: &str) -> Result<CasSuccess, Error> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| malformed(format!("invalid JSON: {e}")))?;
    reject_duplicate_keys(text)?;
    let resp = v
        .get("serviceResponse")
        .ok_or_else(|| malformed("no `serviceResponse`"))?;
    if let Some(f) = resp.get("authenticationFailure") {
        let code = f.get("code").and_then(|c| c.as_str()).unwrap_or_default();
        let message = f
            .get("description")
            .and_then(|c| c.as_str())
            .unwrap_or_default();
        return Err(rejected(CasErrorCode::parse(code), message.trim()));
    }
    let s = resp
        .get("authenticationSuccess")
        .ok_or_else(|| malformed("neither `authenticationSuccess` nor `authenticationFailure`"))?;
    let user = s
        .get("user")
        .and_then(|u| u.as_str())
        .filter(|u| !u.is_empty())
        .ok_or_else(|| malformed("the success has no `user`"))?;
    let mut attributes = BTreeMap::new();
    if let Some(serde_json::Value::Object(map)) = s.get("attributes") {
        for (k, v) in map {
            attributes.insert(k.clone(), json_values(v));
        }
    }
    Ok(CasSuccess {
        user: user.to_owned(),
        attributes,
        proxy_granting_ticket: s
            .get("proxyGrantingTicket")
            .and_then(|p| p.as_str())
            .map(str::to_owned),
    })
}

/// Stores the value of an element that may appear once; a second one makes
/// the document ambiguous (which user signed in?), so it is refused.
fn set_once(slot: &mut Option<String>, value: String, why: &'static str) -> Result<(), Error> {
    if slot.replace(value).is_some() {
        return Err(malformed(why));
    }
    Ok(())
}

fn parse_xml(text: &str) -> Result<CasSuccess, Error> {
    let mut reader = Reader::from_str(text);
    let mut path: Vec<String> = Vec::new();
    let mut buf = String::new();
    let mut user: Option<String> = None;
    let mut pgt: Option<String> = None;
    let mut attributes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut failure: Option<(String, String)> = None;
    let mut saw_root = false;
    let mut saw_success = false;
    let xml_err = |e: &dyn std::fmt::Display| malformed(format!("invalid XML: {e}"));
    loop {
        let event = reader.read_event().map_err(|e| xml_err(&e))?;
        match event {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if path.is_empty() {
                    if name != "serviceResponse" {
                        return Err(malformed(format!("unexpected root element `{name}`")));
                    }
                    if saw_root {
                        return Err(malformed("more than one `serviceResponse` element"));
                    }
                    saw_root = true;
                }
                if path.len() == 1
                    && matches!(
                        name.as_str(),
                        "authenticationFailure" | "authenticationSuccess"
                    )
                    && (saw_success || failure.is_some())
                {
                    return Err(malformed(
                        "more than one authentication result in one response",
                    ));
                }
                if path.len() == 1 && name == "authenticationFailure" {
                    let code = e
                        .try_get_attribute("code")
                        .map_err(|e| xml_err(&e))?
                        .map(|a| a.unescape_value().map(|v| v.into_owned()))
                        .transpose()
                        .map_err(|e| xml_err(&e))?
                        .unwrap_or_default();
                    failure = Some((code, String::new()));
                }
                if path.len() == 1 && name == "authenticationSuccess" {
                    saw_success = true;
                }
                path.push(name);
                buf.clear();
            }
            Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let in_success = path.len() >= 2 && path[1] == "authenticationSuccess";
                if path.is_empty() {
                    if name != "serviceResponse" {
                        return Err(malformed(format!("unexpected root element `{name}`")));
                    }
                    if saw_root {
                        return Err(malformed("more than one `serviceResponse` element"));
                    }
                    saw_root = true;
                } else if path.len() == 1
                    && matches!(
                        name.as_str(),
                        "authenticationFailure" | "authenticationSuccess"
                    )
                    && (saw_success || failure.is_some())
                {
                    return Err(malformed(
                        "more than one authentication result in one response",
                    ));
                } else if path.len() == 1 && name == "authenticationFailure" {
                    let code = e
                        .try_get_attribute("code")
                        .map_err(|e| xml_err(&e))?
                        .map(|a| a.unescape_value().map(|v| v.into_owned()))
                        .transpose()
                        .map_err(|e| xml_err(&e))?
                        .unwrap_or_default();
                    failure = Some((code, String::new()));
                } else if in_success && name == "attribute" {
                    // The `<cas:attribute name="…" value="…"/>` style.
                    let get = |k: &str| -> Result<Option<String>, Error> {
                        e.try_get_attribute(k)
                            .map_err(|e| xml_err(&e))?
                            .map(|a| a.unescape_value().map(|v| v.into_owned()))
                            .transpose()
                            .map_err(|e| xml_err(&e))
                    };
                    if let (Some(n), Some(v)) = (get("name")?, get("value")?) {
                        attributes.entry(n).or_default().push(v);
                    }
                }
            }
            Event::Text(t) => {
                let s = t.decode().map_err(|e| xml_err(&e))?;
                buf.push_str(&s);
            }
            Event::CData(t) => {
                let s = t.decode().map_err(|e| xml_err(&e))?;
                buf.push_str(&s);
            }
            Event::GeneralRef(r) => {
                let name = r.decode().map_err(|e| xml_err(&e))?;
                let entity = format!("&{name};");
                let s = quick_xml::escape::unescape(&entity).map_err(|e| xml_err(&e))?;
                buf.push_str(&s);
            }
            Event::End(_) => {
                let value = buf.trim().to_owned();
                let depth = path.len();
                let in_success = depth >= 2 && path[1] == "authenticationSuccess";
                match (depth, path.last().map(String::as_str)) {
                    (2, Some("authenticationFailure")) => {
                        if let Some(f) = failure.as_mut() {
                            f.1 = value;
                        }
                    }
                    (3, Some("user")) if in_success => {
                        set_once(&mut user, value, "the success names more than one `user`")?
                    }
                    (3, Some("proxyGrantingTicket")) if in_success => set_once(
                        &mut pgt,
                        value,
                        "the success has more than one `proxyGrantingTicket`",
                    )?,
                    (3, Some("attributes" | "proxies" | "attribute")) => {}
                    (3, Some(other)) if in_success => {
                        attributes.entry(other.to_owned()).or_default().push(value);
                    }
                    (4, Some(attr)) if in_success && path[2] == "attributes" => {
                        attributes.entry(attr.to_owned()).or_default().push(value);
                    }
                    _ => {}
                }
                path.pop();
                buf.clear();
            }
            Event::DocType(_) => return Err(malformed("DTDs are not accepted")),
            Event::Eof if path.is_empty() => break,
            Event::Eof => return Err(malformed("the document ends inside an element")),
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if !saw_root {
        return Err(malformed("no `serviceResponse` element"));
    }
    if let Some((code, message)) = failure {
        return Err(rejected(CasErrorCode::parse(&code), message));
    }
    if !saw_success {
        return Err(malformed(
            "neither `authenticationSuccess` nor `authenticationFailure`",
        ));
    }
    let user = user
        .filter(|u| !u.is_empty())
        .ok_or_else(|| malformed("the success has no `user`"))?;
    Ok(CasSuccess {
        user,
        attributes,
        proxy_granting_ticket: pgt,
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::config;
    use super::*;
    use crate::Protocol;

    fn resp(body: &str) -> http::Response<Bytes> {
        http::Response::new(Bytes::from(body.to_owned()))
    }

    fn rejection(e: Error) -> (CasErrorCode, String) {
        match e {
            Error::Protocol(p) => match *p {
                ProtocolError::TicketRejected { code, message } => (code, message),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn requests() {
        let c = config(Protocol::Cas);
        let r = c
            .validate_ticket_v1_request("ST-1", "https://svc/?a=1")
            .unwrap();
        assert_eq!(
            r.uri(),
            "https://demo.genauth.ai/cas-idp/app%201/validate?service=https%3A%2F%2Fsvc%2F%3Fa%3D1&ticket=ST-1"
        );
        let r = c
            .validate_ticket_v2_request("ST-1", "https://svc", CasFormat::Json)
            .unwrap();
        assert_eq!(
            r.uri(),
            "https://demo.genauth.ai/cas-idp/app%201/serviceValidate?service=https%3A%2F%2Fsvc&ticket=ST-1&format=JSON"
        );
        assert_eq!(r.headers()["accept"], "application/json");
        assert!(c.validate_ticket_v1_request("", "s").is_err());
        assert!(c
            .validate_ticket_v2_request("t", " ", CasFormat::Xml)
            .is_err());
    }

    #[test]
    fn v1_answers() {
        assert_eq!(
            parse_validate_v1_response(resp("yes\nalice\n")).unwrap(),
            "alice"
        );
        assert_eq!(
            parse_validate_v1_response(resp("yes\r\nbob\r\n")).unwrap(),
            "bob"
        );
        let (code, _) = rejection(parse_validate_v1_response(resp("no\n\n")).unwrap_err());
        assert_eq!(code, CasErrorCode::InvalidTicket);
        for bad in ["", "maybe\n", "yes\n", "{\"a\":1}"] {
            assert!(
                matches!(
                    parse_validate_v1_response(resp(bad)),
                    Err(Error::Protocol(ref p)) if matches!(**p, ProtocolError::Malformed { .. })
                ),
                "{bad:?}"
            );
        }
        let e = http::Response::builder()
            .status(500)
            .body(Bytes::from_static(b"x"))
            .unwrap();
        assert!(matches!(parse_validate_v1_response(e), Err(Error::Http(_))));
    }

    const CAS2_SUCCESS: &str = r#"<cas:serviceResponse xmlns:cas='http://www.yale.edu/tp/cas'>
    <cas:authenticationSuccess>
        <cas:user>username</cas:user>
        <cas:proxyGrantingTicket>PGTIOU-84678-8a9d</cas:proxyGrantingTicket>
    </cas:authenticationSuccess>
</cas:serviceResponse>"#;

    const CAS3_SUCCESS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
  <cas:authenticationSuccess>
    <cas:user>jdoe@example.org</cas:user>
    <cas:attributes>
      <cas:firstname>John</cas:firstname>
      <cas:lastname>Doe &amp; Sons</cas:lastname>
      <cas:email><![CDATA[jdoe@example.org]]></cas:email>
      <cas:affiliation>staff</cas:affiliation>
      <cas:affiliation>faculty</cas:affiliation>
      <!-- a comment -->
    </cas:attributes>
  </cas:authenticationSuccess>
</cas:serviceResponse>"#;

    const CAS_FAILURE: &str = r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
    <cas:authenticationFailure code="INVALID_TICKET">
        Ticket ST-1856339-aA5Yuvrxzpv8Tau1cYQ7 not recognized
    </cas:authenticationFailure>
</cas:serviceResponse>"#;

    #[test]
    fn cas2_xml_success_and_failure() {
        let s = parse_service_validate_response(resp(CAS2_SUCCESS)).unwrap();
        assert_eq!(s.user, "username");
        assert_eq!(
            s.proxy_granting_ticket.as_deref(),
            Some("PGTIOU-84678-8a9d")
        );
        assert!(s.attributes.is_empty());
        let (code, msg) =
            rejection(parse_service_validate_response(resp(CAS_FAILURE)).unwrap_err());
        assert_eq!(code, CasErrorCode::InvalidTicket);
        assert_eq!(msg, "Ticket ST-1856339-aA5Yuvrxzpv8Tau1cYQ7 not recognized");
        let other = CAS_FAILURE.replace("INVALID_TICKET", "INVALID_SERVICE");
        let (code, _) = rejection(parse_service_validate_response(resp(&other)).unwrap_err());
        assert_eq!(code, CasErrorCode::InvalidService);
    }

    #[test]
    fn cas3_xml_attributes() {
        let s = parse_service_validate_response(resp(CAS3_SUCCESS)).unwrap();
        assert_eq!(s.user, "jdoe@example.org");
        assert_eq!(s.attributes["firstname"], vec!["John"]);
        assert_eq!(s.attributes["lastname"], vec!["Doe & Sons"]);
        assert_eq!(s.attributes["email"], vec!["jdoe@example.org"]);
        assert_eq!(s.attributes["affiliation"], vec!["staff", "faculty"]);
        assert_eq!(s.proxy_granting_ticket, None);
        // The name/value attribute style.
        let alt = r#"<cas:serviceResponse xmlns:cas="x"><cas:authenticationSuccess><cas:user>u</cas:user><cas:attribute name="role" value="admin"/></cas:authenticationSuccess></cas:serviceResponse>"#;
        let s = parse_service_validate_response(resp(alt)).unwrap();
        assert_eq!(s.attributes["role"], vec!["admin"]);
    }

    #[test]
    fn ambiguous_documents_are_refused() {
        let malformed = |r: Result<CasSuccess, Error>| {
            matches!(
                r,
                Err(Error::Protocol(ref p)) if matches!(**p, ProtocolError::Malformed { .. })
            )
        };
        for body in [
            r#"<cas:serviceResponse xmlns:cas="x"><cas:authenticationSuccess><cas:user>alice</cas:user><cas:user>admin</cas:user></cas:authenticationSuccess></cas:serviceResponse>"#,
            r#"<cas:serviceResponse xmlns:cas="x"><cas:authenticationSuccess><cas:user>alice</cas:user></cas:authenticationSuccess><cas:authenticationSuccess><cas:user>admin</cas:user></cas:authenticationSuccess></cas:serviceResponse>"#,
            r#"<cas:serviceResponse xmlns:cas="x"><cas:authenticationSuccess><cas:user>alice</cas:user></cas:authenticationSuccess></cas:serviceResponse><cas:serviceResponse xmlns:cas="x"><cas:authenticationSuccess><cas:user>admin</cas:user></cas:authenticationSuccess></cas:serviceResponse>"#,
            r#"<cas:serviceResponse xmlns:cas="x"><cas:authenticationSuccess><cas:user>a</cas:user><cas:proxyGrantingTicket>P1</cas:proxyGrantingTicket><cas:proxyGrantingTicket>P2</cas:proxyGrantingTicket></cas:authenticationSuccess></cas:serviceResponse>"#,
            r#"{"serviceResponse":{"authenticationSuccess":{"user":"alice","user":"admin"}}}"#,
            r#"{"serviceResponse":{"authenticationSuccess":{"user":"alice"},"authenticationSuccess":{"user":"admin"}}}"#,
        ] {
            assert!(
                malformed(parse_service_validate_response(resp(body))),
                "{body}"
            );
        }
        let v1 = parse_validate_v1_response(resp("yes\nalice\nadmin\n"));
        assert!(v1.is_err(), "{v1:?}");
        assert_eq!(
            parse_validate_v1_response(resp("yes\nalice\n")).unwrap(),
            "alice"
        );
    }

    #[test]
    fn json_success_and_failure() {
        let ok = r#"{"serviceResponse":{"authenticationSuccess":{"user":"alice","attributes":{"email":"a@b.c","groups":["g1","g2"],"age":30}}}}"#;
        let s = parse_service_validate_response(resp(ok)).unwrap();
        assert_eq!(s.user, "alice");
        assert_eq!(s.attributes["email"], vec!["a@b.c"]);
        assert_eq!(s.attributes["groups"], vec!["g1", "g2"]);
        assert_eq!(s.attributes["age"], vec!["30"]);
        let bad = r#"{"serviceResponse":{"authenticationFailure":{"code":"INVALID_REQUEST","description":"missing ticket"}}}"#;
        let (code, msg) = rejection(parse_service_validate_response(resp(bad)).unwrap_err());
        assert_eq!(code, CasErrorCode::InvalidRequest);
        assert_eq!(msg, "missing ticket");
    }

    #[test]
    fn malformed_documents() {
        for bad in [
            "",
            "<html><body>oops</body></html>",
            "<cas:serviceResponse xmlns:cas='x'><cas:authenticationSuccess></cas:authenticationSuccess></cas:serviceResponse>",
            "<cas:serviceResponse xmlns:cas='x'></cas:serviceResponse>",
            "<cas:serviceResponse><cas:authenticationSuccess><cas:user>u</cas:oops>",
            "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><cas:serviceResponse/>",
            "{\"serviceResponse\":{}}",
            "{not json",
        ] {
            let e = parse_service_validate_response(resp(bad)).unwrap_err();
            assert!(
                matches!(e, Error::Protocol(ref p) if matches!(**p, ProtocolError::Malformed { .. })),
                "{bad}: {e:?}"
            );
        }
    }
}
