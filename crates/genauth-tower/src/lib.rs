//! GenAuth clients over any [`tower::Service`].
//!
//! [`AuthenticationClient`] and [`ManagementClient`] are concrete, cheaply
//! cloneable types (an `Arc` inside). Each encodes operations with
//! `genauth-core`, sends them through a type-erased tower service, and decodes
//! the answer. The service is yours to choose: the default one (feature
//! `hyper`) is hyper 1.x with rustls, but any
//! `Service<http::Request<genauth_core::Body>, Response = http::Response<impl Body>>`
//! works, with any tower layers you like underneath.
#![deny(missing_docs)]

mod call;
mod client;
pub mod layers;
#[cfg(feature = "protocols")]
pub mod protocol;
mod shortcuts;

pub use call::{Call, CallFuture, SendOperation};
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
