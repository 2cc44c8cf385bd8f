//! Paged list operations: the [`Paginated`] trait.

use crate::Operation;

/// A list operation whose output is one page of a longer list.
///
/// Every generated operation that returns a `genauth_types::Page<T>` and takes
/// a page number and a page size implements it, wherever the two live: in the
/// query string (`?page=2&limit=50`), in the body's `pagination` object, or in
/// the body's `options.pagination`. A client walks the whole list by setting
/// page 1, 2, ... on copies of the same operation (see the `pages` and `items`
/// streams of `genauth_tower::Call`).
pub trait Paginated: Operation {
    /// Asks for page `page` (counting from 1), creating the enclosing body
    /// objects when they are absent.
    fn set_page_number(&mut self, page: i64);
    /// Asks for pages of `limit` items, creating the enclosing body objects
    /// when they are absent.
    fn set_page_size(&mut self, limit: i64);
    /// The page number the caller set on the operation, if any.
    fn page_number(&self) -> Option<i64>;
    /// The page size the caller set on the operation, if any.
    fn page_size(&self) -> Option<i64>;

    /// Asks for page `page` (counting from 1) of `limit` items, creating the
    /// enclosing body objects when they are absent.
    fn set_page(&mut self, page: i64, limit: i64) {
        self.set_page_number(page);
        self.set_page_size(limit);
    }
}
