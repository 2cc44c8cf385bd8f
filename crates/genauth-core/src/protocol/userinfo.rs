//! The userinfo endpoint (`/oidc/me`, `/oauth/me`).

use bytes::Bytes;
use http::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE};

use genauth_types::protocol::UserInfo;

use crate::error::Error;
use crate::{AuthenticationConfig, SecretString};

use super::form_encode;

/// The HTTP method of the userinfo call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserInfoMethod {
    /// `GET` (the default).
    #[default]
    Get,
    /// `POST`.
    Post,
}

/// Where the access token goes (RFC 6750 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenPlacement {
    /// `authorization: Bearer <token>` (the default, and the one to prefer).
    #[default]
    Header,
    /// `?access_token=<token>` in the URL (it may end up in server logs).
    Query,
    /// `access_token=<token>` in a form body (`POST` only).
    Body,
}

impl AuthenticationConfig {
    /// A userinfo call for `access_token` at `{app_host}/{oidc|oauth}/me`.
    pub fn get_user_info_request(
        &self,
        access_token: &SecretString,
        method: UserInfoMethod,
        placement: TokenPlacement,
    ) -> Result<http::Request<crate::Body>, Error> {
        if access_token.is_empty() {
            return Err(Error::invalid_input("access_token", "must not be empty"));
        }
        let base = format!("{}/me", self.protocol_base());
        let http_method = match method {
            UserInfoMethod::Get => http::Method::GET,
            UserInfoMethod::Post => http::Method::POST,
        };
        let url = match placement {
            TokenPlacement::Query => {
                format!(
                    "{base}?{}",
                    form_encode(&[("access_token", access_token.expose())])
                )
            }
            _ => base,
        };
        let mut req = self.protocol_request("get_user_info_by_access_token", http_method, url)?;
        match placement {
            TokenPlacement::Header => {
                let v = crate::request::token_header("Bearer ", access_token)?;
                req.headers_mut().insert(AUTHORIZATION, v);
            }
            TokenPlacement::Query => {}
            TokenPlacement::Body => {
                if method != UserInfoMethod::Post {
                    return Err(Error::invalid_input(
                        "placement",
                        "a token in the body needs the POST method",
                    ));
                }
                *req.body_mut() = crate::Body::from(Bytes::from(form_encode(&[(
                    "access_token",
                    access_token.expose(),
                )])));
                req.headers_mut().insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/x-www-form-urlencoded"),
                );
            }
        }
        Ok(req)
    }
}

/// Reads a userinfo answer; an OAuth error body (e.g. `invalid_token`) becomes
/// [`crate::ProtocolError::OAuth`].
pub fn parse_user_info_response(response: http::Response<Bytes>) -> Result<UserInfo, Error> {
    super::token::parse_json("get_user_info_by_access_token", "userinfo", response)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::config;
    use super::*;
    use crate::Protocol;

    #[test]
    fn each_placement() {
        let c = config(Protocol::Oidc);
        let t = SecretString::new("tok en");
        let r = c
            .get_user_info_request(&t, UserInfoMethod::Get, TokenPlacement::Header)
            .unwrap();
        assert_eq!(r.method(), http::Method::GET);
        assert_eq!(r.uri(), "https://demo.genauth.ai/oidc/me");
        assert_eq!(r.headers()["authorization"], "Bearer tok en");
        assert!(r.headers()["authorization"].is_sensitive());
        assert!(r.body().is_empty());

        let r = config(Protocol::Oauth)
            .get_user_info_request(&t, UserInfoMethod::Get, TokenPlacement::Query)
            .unwrap();
        assert_eq!(
            r.uri(),
            "https://demo.genauth.ai/oauth/me?access_token=tok+en"
        );
        assert!(r.headers().get("authorization").is_none());

        let r = c
            .get_user_info_request(&t, UserInfoMethod::Post, TokenPlacement::Body)
            .unwrap();
        assert_eq!(r.method(), http::Method::POST);
        assert_eq!(r.body().as_bytes().as_ref(), b"access_token=tok+en");
        assert!(c
            .get_user_info_request(&t, UserInfoMethod::Get, TokenPlacement::Body)
            .is_err());
        assert!(c
            .get_user_info_request(&"".into(), UserInfoMethod::Get, TokenPlacement::Header)
            .is_err());
    }

    #[test]
    fn parses_claims_and_errors() {
        let ok = http::Response::builder()
            .status(200)
            .body(Bytes::from_static(
                br#"{"sub":"u1","email":"a@b.c","email_verified":true,"custom":"x"}"#,
            ))
            .unwrap();
        let u = parse_user_info_response(ok).unwrap();
        assert_eq!(u.sub, "u1");
        assert_eq!(u.email_verified, Some(true));
        assert_eq!(u.extra["custom"], "x");
        let bad = http::Response::builder()
            .status(401)
            .body(Bytes::from_static(br#"{"error":"invalid_token"}"#))
            .unwrap();
        assert!(matches!(
            parse_user_info_response(bad),
            Err(Error::Protocol(_))
        ));
    }
}
