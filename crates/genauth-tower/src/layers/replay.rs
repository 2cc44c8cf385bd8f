//! What a layer keeps of a request to send it again.

use genauth_core::request::OperationInfo;

use crate::HttpRequest;

/// A copy of a request kept to send it again (a retry, a replay with a new
/// token): method, URI, version, headers, body and extensions.
///
/// It is what [`clone_request`](super::clone_request) copies, with one
/// shortcut: when the only extension is the [`OperationInfo`] that
/// `genauth-core` puts in every request it encodes (the common case), the
/// value is kept as it is and the extension map is made again only for a
/// replay, instead of copying the map (three allocations) for every call.
#[derive(Debug)]
pub struct Replay {
    method: http::Method,
    uri: http::Uri,
    version: http::Version,
    headers: http::HeaderMap,
    body: genauth_core::Body,
    extensions: Extensions,
}

#[derive(Debug)]
enum Extensions {
    None,
    Info(OperationInfo),
    Copy(http::Extensions),
}

impl Replay {
    /// Copies what `req` needs to be sent again.
    pub fn of(req: &HttpRequest) -> Self {
        let ext = req.extensions();
        let extensions = match ext.len() {
            0 => Extensions::None,
            1 => match ext.get::<OperationInfo>() {
                Some(info) => Extensions::Info(*info),
                None => Extensions::Copy(ext.clone()),
            },
            _ => Extensions::Copy(ext.clone()),
        };
        Self {
            method: req.method().clone(),
            uri: req.uri().clone(),
            version: req.version(),
            headers: req.headers().clone(),
            body: req.body().clone(),
            extensions,
        }
    }

    /// A new request equal to the one this was made of.
    pub fn request(&self) -> HttpRequest {
        let mut out = http::Request::new(self.body.clone());
        *out.method_mut() = self.method.clone();
        *out.uri_mut() = self.uri.clone();
        *out.version_mut() = self.version;
        *out.headers_mut() = self.headers.clone();
        match &self.extensions {
            Extensions::None => {}
            Extensions::Info(info) => {
                out.extensions_mut().insert(*info);
            }
            Extensions::Copy(ext) => *out.extensions_mut() = ext.clone(),
        }
        out
    }

    /// The headers of the copy (e.g. to set a new token before sending it).
    pub fn headers_mut(&mut self) -> &mut http::HeaderMap {
        &mut self.headers
    }

    /// The request itself, without copying the headers again.
    pub fn into_request(self) -> HttpRequest {
        let mut out = http::Request::new(self.body);
        *out.method_mut() = self.method;
        *out.uri_mut() = self.uri;
        *out.version_mut() = self.version;
        *out.headers_mut() = self.headers;
        match self.extensions {
            Extensions::None => {}
            Extensions::Info(info) => {
                out.extensions_mut().insert(info);
            }
            Extensions::Copy(ext) => *out.extensions_mut() = ext,
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use genauth_core::AuthKind;

    fn request() -> HttpRequest {
        let mut req = http::Request::builder()
            .method(http::Method::POST)
            .uri("https://example.com/api/v3/x?y=1")
            .version(http::Version::HTTP_11)
            .header("x-one", "1")
            .header("x-two", "2")
            .body(genauth_core::Body::from("payload"))
            .unwrap();
        req.extensions_mut().insert(OperationInfo {
            name: "x",
            auth: AuthKind::UserToken,
            idempotent: false,
        });
        req
    }

    fn assert_same(a: &HttpRequest, b: &HttpRequest) {
        assert_eq!(a.method(), b.method());
        assert_eq!(a.uri(), b.uri());
        assert_eq!(a.version(), b.version());
        assert_eq!(a.headers(), b.headers());
        assert_eq!(a.body(), b.body());
        assert_eq!(
            a.extensions().get::<OperationInfo>(),
            b.extensions().get::<OperationInfo>()
        );
        assert_eq!(a.extensions().len(), b.extensions().len());
    }

    #[test]
    fn a_replay_equals_the_request_with_only_the_operation_info() {
        let req = request();
        let replay = Replay::of(&req);
        assert!(matches!(replay.extensions, Extensions::Info(_)));
        assert_same(&req, &replay.request());
        assert_same(&req, &replay.request());
        assert_same(&req, &replay.into_request());
    }

    #[test]
    fn a_replay_keeps_every_other_extension() {
        #[derive(Clone, Debug, PartialEq)]
        struct Mine(&'static str);
        let mut req = request();
        req.extensions_mut().insert(Mine("kept"));
        let replay = Replay::of(&req);
        assert!(matches!(replay.extensions, Extensions::Copy(_)));
        let again = replay.request();
        assert_same(&req, &again);
        assert_eq!(again.extensions().get::<Mine>(), Some(&Mine("kept")));

        // The only extension, not an `OperationInfo`.
        let mut bare = http::Request::new(genauth_core::Body::empty());
        bare.extensions_mut().insert(Mine("alone"));
        let again = Replay::of(&bare).into_request();
        assert_eq!(again.extensions().get::<Mine>(), Some(&Mine("alone")));
        assert_eq!(again.extensions().len(), 1);

        let none = http::Request::new(genauth_core::Body::empty());
        assert!(Replay::of(&none).request().extensions().is_empty());
    }
}
