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

/// Implements [`Paginated`](crate::Paginated) for a generated operation in one line:
/// `paginated!(X, query)` for `page`/`limit` query fields (`query_str` when
/// the description types them as strings), `paginated!(X, 0, direct)` for
/// `page`/`limit` fields of the body itself,
/// `paginated!(X, 0, options)` for a body's `options.pagination` and
/// `paginated!(X, 0)` for a body's `pagination` (`0` is the field holding the
/// body: `0` for a body-only operation, `body` next to path parameters).
#[allow(unused_macros)] // unused when both client features are off
macro_rules! paginated {
    ($ty:ident, query) => {
        impl $crate::Paginated for $ty {
            fn set_page_number(&mut self, page: i64) {
                self.page = Some(page);
            }
            fn set_page_size(&mut self, limit: i64) {
                self.limit = Some(limit);
            }
            fn page_number(&self) -> Option<i64> {
                self.page
            }
            fn page_size(&self) -> Option<i64> {
                self.limit
            }
        }
    };
    ($ty:ident, query_str) => {
        impl $crate::Paginated for $ty {
            fn set_page_number(&mut self, page: i64) {
                self.page = Some(page.to_string());
            }
            fn set_page_size(&mut self, limit: i64) {
                self.limit = Some(limit.to_string());
            }
            fn page_number(&self) -> Option<i64> {
                self.page.as_deref()?.trim().parse().ok()
            }
            fn page_size(&self) -> Option<i64> {
                self.limit.as_deref()?.trim().parse().ok()
            }
        }
    };
    ($ty:ident, $body:tt, direct) => {
        impl $crate::Paginated for $ty {
            fn set_page_number(&mut self, page: i64) {
                self.$body.page = Some(page);
            }
            fn set_page_size(&mut self, limit: i64) {
                self.$body.limit = Some(limit);
            }
            fn page_number(&self) -> Option<i64> {
                self.$body.page
            }
            fn page_size(&self) -> Option<i64> {
                self.$body.limit
            }
        }
    };
    ($ty:ident, $body:tt, options) => {
        impl $crate::Paginated for $ty {
            fn set_page_number(&mut self, page: i64) {
                paginated!(@options_mut self, $body).page = Some(page);
            }
            fn set_page_size(&mut self, limit: i64) {
                paginated!(@options_mut self, $body).limit = Some(limit);
            }
            fn page_number(&self) -> Option<i64> {
                self.$body.options.as_ref()?.pagination.as_ref()?.page
            }
            fn page_size(&self) -> Option<i64> {
                self.$body.options.as_ref()?.pagination.as_ref()?.limit
            }
        }
    };
    (@options_mut $s:ident, $body:tt) => {
        $s.$body
            .options
            .get_or_insert_with(Default::default)
            .pagination
            .get_or_insert_with(Default::default)
    };
    ($ty:ident, $body:tt) => {
        impl $crate::Paginated for $ty {
            fn set_page_number(&mut self, page: i64) {
                self.$body.pagination.get_or_insert_with(Default::default).page = Some(page);
            }
            fn set_page_size(&mut self, limit: i64) {
                self.$body.pagination.get_or_insert_with(Default::default).limit = Some(limit);
            }
            fn page_number(&self) -> Option<i64> {
                self.$body.pagination.as_ref()?.page
            }
            fn page_size(&self) -> Option<i64> {
                self.$body.pagination.as_ref()?.limit
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
