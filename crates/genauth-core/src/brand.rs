//! The two brands of the same V3 API: GenAuth (the default) and Authing.
//!
//! A [`Brand`] decides the default API and events hosts, the prefix of every
//! SDK header (`x-genauth-*` or `x-authing-*`) and the scheme word of signed
//! `authorization` headers (`genauth` or `authing`). Hosts stay overridable
//! for private deployments; the headers always follow the brand.
//!
//! See `docs/brands.md` for the header table and the choice of tenant header.

use http::header::HeaderName;

/// Which of the two services the SDK talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Brand {
    /// GenAuth (`api.genauth.ai`, `x-genauth-*` headers): the default.
    #[default]
    GenAuth,
    /// Authing (`api.authing.cn`, `x-authing-*` headers).
    Authing,
}

/// Expands to a `match` giving the header `x-<brand>-<suffix>` as a static name.
macro_rules! branded {
    ($brand:expr, $suffix:literal) => {
        match $brand {
            Brand::GenAuth => HeaderName::from_static(concat!("x-genauth-", $suffix)),
            Brand::Authing => HeaderName::from_static(concat!("x-authing-", $suffix)),
        }
    };
}

impl Brand {
    /// Both brands, GenAuth first.
    pub const ALL: [Brand; 2] = [Brand::GenAuth, Brand::Authing];

    /// The brand's name in lowercase: `genauth` or `authing`. It is also the
    /// scheme word of signed `authorization` headers.
    pub const fn name(self) -> &'static str {
        match self {
            Brand::GenAuth => "genauth",
            Brand::Authing => "authing",
        }
    }

    /// The default API host of the management client.
    pub const fn api_host(self) -> &'static str {
        match self {
            Brand::GenAuth => "https://api.genauth.ai",
            Brand::Authing => "https://api.authing.cn",
        }
    }

    /// The default host of the events feed.
    pub const fn websocket_host(self) -> &'static str {
        match self {
            Brand::GenAuth => "wss://events.genauth.ai",
            Brand::Authing => "wss://openevent.authing.cn",
        }
    }

    /// The prefix of the brand's headers: `x-genauth-` or `x-authing-`.
    pub const fn header_prefix(self) -> &'static str {
        match self {
            Brand::GenAuth => "x-genauth-",
            Brand::Authing => "x-authing-",
        }
    }

    /// The brand whose header prefix `name` starts with (ASCII case ignored).
    pub fn of_header(name: &str) -> Option<Brand> {
        Brand::ALL.into_iter().find(|b| {
            let p = b.header_prefix();
            name.len() > p.len() && name.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
        })
    }

    /// `x-<brand>-sdk-version`: the SDK and its version.
    pub fn sdk_version_header(self) -> HeaderName {
        branded!(self, "sdk-version")
    }
    /// `x-<brand>-request-from`: always `sdk`.
    pub fn request_from_header(self) -> HeaderName {
        branded!(self, "request-from")
    }
    /// `x-<brand>-app-id`: the app of an authentication call.
    pub fn app_id_header(self) -> HeaderName {
        branded!(self, "app-id")
    }
    /// `x-<brand>-userpool-id`: the user pool of a management call.
    pub fn userpool_id_header(self) -> HeaderName {
        branded!(self, "userpool-id")
    }
    /// `x-<brand>-app-tenant-id`: the tenant of a call (see `docs/brands.md`
    /// for why this name and not `x-<brand>-tenant-id`).
    pub fn tenant_id_header(self) -> HeaderName {
        branded!(self, "app-tenant-id")
    }
    /// `x-<brand>-lang`: the language of the service's messages.
    pub fn lang_header(self) -> HeaderName {
        branded!(self, "lang")
    }
    /// `x-<brand>-signature-nonce`: the one-time nonce of a signed request.
    pub fn signature_nonce_header(self) -> HeaderName {
        branded!(self, "signature-nonce")
    }
    /// `x-<brand>-signature-method`: `HMAC-SHA1`.
    pub fn signature_method_header(self) -> HeaderName {
        branded!(self, "signature-method")
    }
    /// `x-<brand>-signature-version`: `1.0`.
    pub fn signature_version_header(self) -> HeaderName {
        branded!(self, "signature-version")
    }

    /// The end user's or caller's real IP: `x-real-ip` for both brands (the
    /// only official SDK that sends it, GenAuth Python, uses no prefix).
    pub fn real_ip_header(self) -> HeaderName {
        http::header::HeaderName::from_static("x-real-ip")
    }
}

impl crate::AuthenticationConfig {
    /// The brand of these options.
    pub fn brand(&self) -> Brand {
        self.options.brand
    }
}

impl crate::ManagementConfig {
    /// The brand of these options.
    pub fn brand(&self) -> Brand {
        self.options.brand
    }
}

impl std::fmt::Display for Brand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Brand::GenAuth => "GenAuth",
            Brand::Authing => "Authing",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_branded_header_carries_the_brand_prefix() {
        for b in Brand::ALL {
            for h in [
                b.sdk_version_header(),
                b.request_from_header(),
                b.app_id_header(),
                b.userpool_id_header(),
                b.tenant_id_header(),
                b.lang_header(),
                b.signature_nonce_header(),
                b.signature_method_header(),
                b.signature_version_header(),
            ] {
                assert!(h.as_str().starts_with(b.header_prefix()), "{h}");
                assert_eq!(Brand::of_header(h.as_str()), Some(b));
            }
        }
        assert_eq!(Brand::of_header("X-Authing-Lang"), Some(Brand::Authing));
        assert_eq!(Brand::of_header("x-genauth-"), None);
        assert_eq!(Brand::of_header("x-real-ip"), None);
    }

    #[test]
    fn defaults_per_brand() {
        assert_eq!(Brand::default(), Brand::GenAuth);
        assert_eq!(Brand::Authing.api_host(), "https://api.authing.cn");
        assert_eq!(
            Brand::Authing.websocket_host(),
            "wss://openevent.authing.cn"
        );
        assert_eq!(Brand::GenAuth.api_host(), "https://api.genauth.ai");
        assert_eq!(Brand::GenAuth.websocket_host(), "wss://events.genauth.ai");
        assert_eq!(Brand::Authing.name(), "authing");
    }
}
