//! Where your own tower middleware goes: a guide with compiled examples.
//!
//! A client's calls pass through two places where you can insert layers.
//!
//! ## 1. Per attempt, inside the stack: [`ClientBuilder::layer`] and [`ClientBuilder::body_layer`]
//!
//! Your layers run below the retry and management-token layers and above the
//! body collection, so they run once per attempt (a retried call passes
//! through them again) and see every request the client sends, the
//! management-token request included. Their service takes an
//! [`HttpRequest`](crate::HttpRequest) and answers an `http::Response` whose body is
//! already read: `Bytes` with `layer`, `http_body_util::Full<Bytes>` with
//! `body_layer`, for layers that need an `http_body::Body` (tower-http's
//! `TraceLayer` and friends; `Bytes` is not one). A `body_layer` may change
//! the body type; the client reads it back into `Bytes` above the layer. Good for
//! headers, metrics, concurrency or rate limits, and per-attempt tracing.
//!
//! ```no_run
//! use http::HeaderValue;
//! use genauth_tower::{ClientBuilder, HttpRequest};
//! use genauth_tower::core::ManagementClientOptions;
//! use tower::util::MapRequestLayer;
//! use tower_http::trace::TraceLayer;
//!
//! # fn f() -> Result<(), genauth_tower::Error> {
//! let client = ClientBuilder::new()
//!     .layer(MapRequestLayer::new(|mut req: HttpRequest| {
//!         req.headers_mut()
//!             .insert("x-request-source", HeaderValue::from_static("billing-job"));
//!         req
//!     }))
//!     .body_layer(TraceLayer::new_for_http())
//!     .management(ManagementClientOptions::new("ACCESS_KEY_ID", "ACCESS_KEY_SECRET"))?;
//! # let _ = client; Ok(()) }
//! ```
//!
//! ## 2. Under the whole stack: `*_with_service`
//!
//! Wrap the transport yourself and hand it to
//! [`ClientBuilder::management_with_service`] or
//! [`ClientBuilder::authentication_with_service`] (or the clients'
//! `with_service`). The layers then sit directly on the transport, below the
//! body collection and its size limit, and see the response as it streams
//! in, with any body type. The client's own stack (tracing span, timeouts,
//! token, retries) is still built on top.
//!
//! ```no_run
//! use genauth_tower::ClientBuilder;
//! use genauth_tower::core::ManagementClientOptions;
//! use tower::ServiceBuilder;
//! use tower_http::trace::TraceLayer;
//!
//! # fn f() -> Result<(), genauth_tower::Error> {
//! let transport = ServiceBuilder::new()
//!     .layer(TraceLayer::new_for_http())
//!     .service(genauth_hyper::transport()?);
//! let client = ClientBuilder::new().management_with_service(
//!     ManagementClientOptions::new("ACCESS_KEY_ID", "ACCESS_KEY_SECRET"),
//!     transport,
//! )?;
//! # let _ = client; Ok(()) }
//! ```
//!
//! A service passed to `with_http_service` instead is used as it is, with no
//! layer added but the management token: build the whole stack yourself from
//! [`crate::layers`] in that case.
//!
//! [`ClientBuilder::layer`]: crate::ClientBuilder::layer
//! [`ClientBuilder::body_layer`]: crate::ClientBuilder::body_layer
//! [`ClientBuilder::management_with_service`]: crate::ClientBuilder::management_with_service
//! [`ClientBuilder::authentication_with_service`]: crate::ClientBuilder::authentication_with_service
