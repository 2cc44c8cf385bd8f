//! The operations of the GenAuth V3 API, one struct per official method.
//!
//! The structs are generated (see `docs/codegen.md`): [`authentication`] holds
//! the 85 operations of the end-user client, [`management`] the 350 of the
//! admin client, each behind the cargo feature of the same name. Both are also
//! re-exported here; the one name both clients have, `GetAuthorizedResources`,
//! must be named through its module.
//!
//! With the `registry` feature, `registry` lists every operation with its
//! facts and type-erased helpers, for emulators and tests.

/// Implements [`Operation`](crate::Operation) for a generated struct in one line.
#[allow(unused_macros)] // unused when both client features are off
macro_rules! operation {
    ($ty:ident, $name:literal, $method:ident, $path:literal, $auth:ident, $enc:ident, $env:literal, $idem:literal, $out:ty) => {
        impl $crate::Operation for $ty {
            const NAME: &'static str = $name;
            const METHOD: http::Method = http::Method::$method;
            const PATH: &'static str = $path;
            const AUTH: $crate::AuthKind = $crate::AuthKind::$auth;
            const ENCODING: $crate::Encoding = $crate::Encoding::$enc;
            const ENVELOPE: bool = $env;
            const IDEMPOTENT: bool = $idem;
            type Output = $out;
        }
    };
    ($ty:ident, $name:literal, $method:ident, $path:literal, $auth:ident, $enc:ident, $env:literal, $idem:literal, $out:ty; $($p:literal => $f:ident),+) => {
        impl $crate::Operation for $ty {
            const NAME: &'static str = $name;
            const METHOD: http::Method = http::Method::$method;
            const PATH: &'static str = $path;
            const AUTH: $crate::AuthKind = $crate::AuthKind::$auth;
            const ENCODING: $crate::Encoding = $crate::Encoding::$enc;
            const ENVELOPE: bool = $env;
            const IDEMPOTENT: bool = $idem;
            type Output = $out;

            fn path_param(&self, name: &str) -> Option<&str> {
                match name {
                    $($p => Some(&self.$f),)+
                    _ => None,
                }
            }
        }
    };
}

mod generated;

#[cfg(feature = "authentication")]
pub use generated::authentication;
#[cfg(feature = "management")]
pub use generated::management;
#[cfg(feature = "registry")]
pub use generated::registry;

#[cfg(feature = "authentication")]
#[allow(ambiguous_glob_reexports)]
pub use generated::authentication::*;
#[cfg(feature = "management")]
#[allow(ambiguous_glob_reexports)]
pub use generated::management::*;
