//! A resource server's side of RFC 9728: the protected resource metadata
//! document as a tower service, and the guard's challenges that point at it.
//!
//! ```no_run
//! # fn f(auth: genauth_tower::AuthenticationClient) -> Result<(), genauth_tower::Error> {
//! use genauth_tower::guard::Guard;
//! use genauth_tower::resource::MetadataService;
//!
//! let resource = auth
//!     .protected_resource("https://mcp.example.com/mcp")?
//!     .scopes_supported(["openid", "profile", "offline_access"]);
//! // Tokens must be for this resource (`aud` = its URI, RFC 8707) ...
//! let guard = Guard::new(auth.clone())
//!     .verifier(auth.token_verifier().audience(resource.uri()))
//!     // ... and refusals say where the metadata is.
//!     .protected_resource(&resource);
//! // Serve this at every path of `resource.metadata_paths()`, outside the guard.
//! let metadata = MetadataService::new(&resource);
//! # let _ = (guard, metadata); Ok(()) }
//! ```
//!
//! With a protected resource set, the guard's refusals become:
//! - no token: 401, `WWW-Authenticate: Bearer resource_metadata="…"` (and
//!   `scope="…"` with the verifier's required scopes, when it has some);
//! - a token it refuses (wrong audience, expired, forged...): 401,
//!   `Bearer error="invalid_token", resource_metadata="…"`;
//! - a valid token without a required scope: 403,
//!   `Bearer error="insufficient_scope", scope="<the scope>", resource_metadata="…"`,
//!   from which a client can ask the user for more (step-up).
//!
//! gRPC refusals are unchanged (gRPC clients do not read these challenges).

use std::convert::Infallible;
use std::future::{ready, Ready};
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::{HeaderValue, ACCEPT, ALLOW, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{Method, Request, Response, StatusCode};
use http_body_util::Full;

use genauth_core::protocol::ProtectedResource;
use genauth_core::{Error, VerifyError};

use crate::guard::Rejection;

/// Answers with a resource's metadata document (RFC 9728 §3.2): `GET` and
/// `HEAD` get it as JSON (with `access-control-allow-origin: *`, since the
/// document is public and browser-based clients read it), `OPTIONS` gets the
/// CORS preflight answer, other methods 405. It does not look at the path:
/// mount it at each of [`ProtectedResource::metadata_paths`], in front of
/// (not behind) the guard.
#[derive(Debug, Clone)]
pub struct MetadataService {
    json: Bytes,
}

impl MetadataService {
    /// The service for `resource`'s document as it is now (later changes to
    /// `resource` are not seen).
    pub fn new(resource: &ProtectedResource) -> Self {
        Self {
            json: resource.metadata_json(),
        }
    }

    /// The response to `method`.
    pub fn respond(&self, method: &Method) -> Response<Full<Bytes>> {
        let mut resp = Response::new(Full::new(Bytes::new()));
        let h = resp.headers_mut();
        h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
        match *method {
            Method::GET | Method::HEAD => {
                h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                if method == Method::GET {
                    *resp.body_mut() = Full::new(self.json.clone());
                }
            }
            Method::OPTIONS => {
                h.insert(
                    "access-control-allow-methods",
                    HeaderValue::from_static("GET, HEAD, OPTIONS"),
                );
                h.insert(
                    "access-control-allow-headers",
                    HeaderValue::from_static("*"),
                );
                *resp.status_mut() = StatusCode::NO_CONTENT;
            }
            _ => {
                h.insert(ALLOW, HeaderValue::from_static("GET, HEAD, OPTIONS"));
                h.insert(ACCEPT, HeaderValue::from_static("application/json"));
                *resp.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
            }
        }
        resp
    }
}

impl<B> tower_service::Service<Request<B>> for MetadataService {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        ready(Ok(self.respond(req.method())))
    }
}

/// The `WWW-Authenticate` challenge of a refusal, pointing at `resource`'s
/// metadata; `None` for refusals without a challenge (503).
pub fn challenge(
    rejection: &Rejection,
    resource: &ProtectedResource,
    required_scopes: &[String],
) -> Option<HeaderValue> {
    let value = match (rejection, rejection.status()) {
        (Rejection::Missing, _) => {
            let scope = required_scopes.join(" ");
            resource.challenge(None, Some(scope.as_str()).filter(|s| !s.is_empty()))
        }
        (_, StatusCode::UNAUTHORIZED) => resource.challenge(Some("invalid_token"), None),
        (Rejection::Token(Error::Verify(v)), StatusCode::FORBIDDEN) => {
            let scope = match v {
                VerifyError::MissingScope(s) => Some(s.as_str()),
                _ => None,
            };
            resource.challenge(Some("insufficient_scope"), scope)
        }
        (_, StatusCode::FORBIDDEN) => resource.challenge(Some("insufficient_scope"), None),
        _ => return None,
    };
    HeaderValue::from_str(&value).ok()
}

/// The 403 for a valid token that lacks `scope` for one operation (a tool, a
/// route) the guard as a whole does not require it for: `WWW-Authenticate:
/// Bearer error="insufficient_scope", scope="…", resource_metadata="…"`, from
/// which a client can ask the user for the scope (step-up).
pub fn insufficient_scope<B: Default>(resource: &ProtectedResource, scope: &str) -> Response<B> {
    let rejection = Rejection::Token(VerifyError::MissingScope(scope.to_owned()).into());
    refusal(rejection, false, Some(resource), &[])
}

/// The guard's response to a refused request: [`Rejection::into_response`],
/// with the challenge of [`challenge`] when a resource is set (HTTP only).
pub(crate) fn refusal<B: Default>(
    rejection: Rejection,
    grpc: bool,
    resource: Option<&ProtectedResource>,
    required_scopes: &[String],
) -> Response<B> {
    let value = match resource {
        Some(r) if !grpc => challenge(&rejection, r, required_scopes),
        _ => None,
    };
    let mut resp = rejection.into_response(grpc);
    if let Some(v) = value {
        resp.headers_mut().insert(WWW_AUTHENTICATE, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource() -> ProtectedResource {
        ProtectedResource::new("https://mcp.example.com/mcp")
            .unwrap()
            .authorization_server("https://demo.genauth.ai/oidc")
    }

    const META: &str =
        "resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource/mcp\"";

    fn header(r: &Rejection, scopes: &[String]) -> Option<String> {
        challenge(r, &resource(), scopes).map(|v| v.to_str().unwrap().to_owned())
    }

    #[test]
    fn each_refusal_points_at_the_metadata() {
        assert_eq!(
            header(&Rejection::Missing, &[]).unwrap(),
            format!("Bearer {META}")
        );
        assert_eq!(
            header(&Rejection::Missing, &["mcp:read".into(), "profile".into()]).unwrap(),
            format!("Bearer scope=\"mcp:read profile\", {META}")
        );
        assert_eq!(
            header(&Rejection::Malformed("x"), &[]).unwrap(),
            format!("Bearer error=\"invalid_token\", {META}")
        );
        let audience = Rejection::Token(VerifyError::InvalidAudience.into());
        assert_eq!(
            header(&audience, &[]).unwrap(),
            format!("Bearer error=\"invalid_token\", {META}")
        );
        let scope = Rejection::Token(VerifyError::MissingScope("profile".into()).into());
        assert_eq!(scope.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            header(&scope, &[]).unwrap(),
            format!("Bearer error=\"insufficient_scope\", scope=\"profile\", {META}")
        );
        let role = Rejection::Token(VerifyError::MissingRole("admin".into()).into());
        assert_eq!(
            header(&role, &[]).unwrap(),
            format!("Bearer error=\"insufficient_scope\", {META}")
        );
        let down = Rejection::Token(VerifyError::KeySetUnavailable("down".into()).into());
        assert_eq!(down.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(header(&down, &[]), None);
    }

    #[test]
    fn refusals_keep_status_and_grpc_stays_as_it_was() {
        let resp: Response<()> = refusal(Rejection::Missing, false, Some(&resource()), &[]);
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            resp.headers()[WWW_AUTHENTICATE],
            format!("Bearer {META}").as_str()
        );
        let grpc: Response<()> = refusal(Rejection::Missing, true, Some(&resource()), &[]);
        assert_eq!(grpc.headers()["grpc-status"], "16");
        assert_eq!(grpc.headers()[WWW_AUTHENTICATE], "Bearer");
        let none: Response<()> = refusal(Rejection::Missing, false, None, &[]);
        assert_eq!(none.headers()[WWW_AUTHENTICATE], "Bearer");
    }

    #[test]
    fn an_operation_can_ask_for_a_scope_of_its_own() {
        let resp: Response<()> = insufficient_scope(&resource(), "profile");
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            resp.headers()[WWW_AUTHENTICATE],
            format!("Bearer error=\"insufficient_scope\", scope=\"profile\", {META}").as_str()
        );
    }

    #[test]
    fn the_metadata_service_answers_by_method() {
        let svc = MetadataService::new(&resource());
        let get = svc.respond(&Method::GET);
        assert_eq!(get.status(), StatusCode::OK);
        assert_eq!(get.headers()[CONTENT_TYPE], "application/json");
        assert_eq!(get.headers()["access-control-allow-origin"], "*");
        assert_eq!(
            svc.respond(&Method::OPTIONS).status(),
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            svc.respond(&Method::POST).status(),
            StatusCode::METHOD_NOT_ALLOWED
        );
        assert_eq!(svc.json, resource().metadata_json());
    }
}
