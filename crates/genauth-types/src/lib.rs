//! Serde data types of the GenAuth V3 API.
//!
//! This crate holds data only: the response envelope every `/api/v3` call answers
//! with, the pagination shape, a redacting [`SecretString`], tolerant decoding
//! helpers, and the request and response DTOs of every operation. It performs no
//! I/O and knows nothing about HTTP.
#![deny(missing_docs)]

pub mod envelope;
pub mod lenient;
pub mod page;
pub mod protocol;
pub mod secret;
pub mod slice;

pub use envelope::Envelope;
pub use page::Page;
pub use secret::SecretString;
