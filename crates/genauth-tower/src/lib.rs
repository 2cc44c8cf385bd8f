//! GenAuth clients over any [`tower::Service`].
//!
//! [`AuthenticationClient`] and [`ManagementClient`] are concrete, cheaply
//! cloneable types (an `Arc` inside). Each encodes operations with
//! `genauth-core`, sends them through a type-erased tower service, and decodes
//! the answer. The service is yours to choose: the default one (feature
//! `hyper`) is hyper 1.x with rustls, but any
//! `Service<http::Request<genauth_core::Body>, Response = http::Response<impl Body>>`
//! works, with any tower layers you like underneath.
//!
//! Between the client and the transport sits a stack of tower layers
//! ([`layers`]): a tracing span per call, the call timeout, the management
//! token, retries with backoff and a budget, and a response size limit.
//! [`ClientBuilder`] configures it; `AuthenticationClient::new` and
//! `ManagementClient::new` use its defaults.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

/// Implements the optional-parameter setters of one operation's [`Call`], for
/// the generated client code: each `kind name: Type => field,` line becomes an
/// `#[inline]` method that sets the field (`into`: takes `impl Into<Type>` and
/// stores `Some`; `some`: takes `Type` and stores `Some`; `set`: stores the value).
/// `mode` says where the field lives: on the operation (`plain`), in its body
/// (`tuple` for `Op(Body)`, `body` for `Op { body, .. }`).
#[allow(unused_macros)] // unused when both client features are off
macro_rules! setters {
    ($client:ty, $op:ty, $mode:ident { $($(#[$m:meta])* $kind:ident $name:ident: $ty:ty => $field:ident,)* }) => {
        impl crate::Call<'_, $client, $op> {
            $(
                $(#[$m])*
                #[inline]
                pub fn $name(mut self, value: setters!(@ty $kind $ty)) -> Self {
                    setters!(@set $mode self, $field, setters!(@val $kind value));
                    self
                }
            )*
        }
    };
    (@ty into $ty:ty) => { impl Into<$ty> };
    (@ty some $ty:ty) => { $ty };
    (@ty set $ty:ty) => { $ty };
    (@val into $v:ident) => { Some($v.into()) };
    (@val some $v:ident) => { Some($v) };
    (@val set $v:ident) => { $v };
    (@set plain $s:ident, $f:ident, $v:expr) => { $s.op_mut().$f = $v; };
    (@set tuple $s:ident, $f:ident, $v:expr) => { $s.op_mut().0.$f = $v; };
    (@set body $s:ident, $f:ident, $v:expr) => { $s.op_mut().body.$f = $v; };
}

/// Gives the [`Call`] of one paginated operation its `.page(n)` and
/// `.page_size(n)` methods (the generated client code has one line per
/// paginated operation; a generic impl would clash with the `page` setters of
/// operations that are not paginated).
#[allow(unused_macros)] // unused when both client features are off
macro_rules! paged {
    ($client:ty, $op:ty) => {
        impl crate::Call<'_, $client, $op> {
            /// Asks for page `page` (counting from 1) of the list, wherever the
            /// operation carries its page number on the wire (query string, body,
            /// or the body's `options.pagination`). On
            /// [`pages`](crate::Call::pages) and [`items`](crate::Call::items) it
            /// is the page the walk starts from.
            #[inline]
            pub fn page(mut self, page: i64) -> Self {
                genauth_core::Paginated::set_page_number(self.op_mut(), page);
                self
            }

            /// Asks for pages of `limit` items, wherever the operation carries its
            /// page size on the wire (`limit` in the query string, in the body, or
            /// in the body's `options.pagination`). Without it the server's
            /// default applies to a single call, and
            /// [`DEFAULT_PAGE_SIZE`](crate::paginate::DEFAULT_PAGE_SIZE) to a walk.
            #[inline]
            pub fn page_size(mut self, limit: i64) -> Self {
                genauth_core::Paginated::set_page_size(self.op_mut(), limit);
                self
            }
        }
    };
}

mod builder;
mod call;
mod client;
mod events;
mod generated;
#[cfg(feature = "guard")]
pub mod guard;
#[cfg(feature = "protocols")]
mod indicators;
pub mod layers;
pub mod middleware;
pub mod paginate;
#[cfg(feature = "protocols")]
pub mod protocol;
#[cfg(feature = "guard")]
pub mod resource;
#[cfg(feature = "authentication")]
mod shortcuts;

pub use builder::{ClientBuilder, FullBodyService};
pub use call::{Call, CallFuture, SendOperation, UserCall};
pub use client::{AuthenticationClient, ManagementClient};
pub use genauth_core::{self as core, Error};

/// The error type of services in the stack.
pub type BoxError = genauth_core::error::BoxError;
/// The request every service in the stack takes; its body's `Debug` shows only the length.
pub type HttpRequest = http::Request<genauth_core::Body>;
/// The response above the body-collecting layer: the body is fully read.
pub type HttpResponse = http::Response<bytes::Bytes>;
/// The type-erased service a client sends through.
pub type HttpService = tower::util::BoxCloneSyncService<HttpRequest, HttpResponse, BoxError>;
