//! The pagination shapes shared by every list operation.

use serde::{Deserialize, Serialize};

/// One page of a list: the items and the total number of items on the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The items on this page.
    #[serde(default = "Vec::new")]
    pub list: Vec<T>,
    /// How many items match in all, across every page.
    #[serde(default, deserialize_with = "crate::lenient::i64")]
    pub total_count: i64,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self {
            list: Vec::new(),
            total_count: 0,
        }
    }
}

/// Which page to fetch: `page` counts from 1, `limit` is the page size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pagination {
    /// The page number, from 1.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::lenient::opt_i64"
    )]
    pub page: Option<i64>,
    /// How many items a page holds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::lenient::opt_i64"
    )]
    pub limit: Option<i64>,
}
