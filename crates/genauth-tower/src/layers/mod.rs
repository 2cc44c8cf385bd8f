//! The tower layers the clients stack over a transport.
//!
//! From the transport up: [`CollectBodyLayer`] reads the body (with a size
//! limit), then [`ManagementTokenLayer`] adds the management token on the
//! management client. Each is an ordinary tower layer, usable on its own.

mod collect;
mod management_token;

pub use collect::{CollectBody, CollectBodyLayer, DEFAULT_BODY_LIMIT};
pub use management_token::{ManagementTokenLayer, ManagementTokenService, TokenCache};

/// Copies a request: method, URI, version, headers, body and the operation info.
/// Used to replay a request; the body is `Full<Bytes>`, so this is cheap.
pub fn clone_request(req: &crate::HttpRequest) -> crate::HttpRequest {
    let mut out = http::Request::new(req.body().clone());
    *out.method_mut() = req.method().clone();
    *out.uri_mut() = req.uri().clone();
    *out.version_mut() = req.version();
    *out.headers_mut() = req.headers().clone();
    if let Some(info) = req
        .extensions()
        .get::<genauth_core::request::OperationInfo>()
    {
        out.extensions_mut().insert(*info);
    }
    out
}
