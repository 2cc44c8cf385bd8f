//! The operations of the GenAuth V3 API.

pub mod slice;
