//! Lazy pagination: a list call as a stream of pages or of items.

use futures_util::stream::{self, Stream, StreamExt};
use genauth_core::types::Page;
use genauth_core::{Error, Paginated};

use crate::call::{Call, SendOperation};

/// The page size used when the call does not set one.
pub const DEFAULT_PAGE_SIZE: i64 = 50;

struct Walk<'a, C, O> {
    client: &'a C,
    op: O,
    page: i64,
    limit: i64,
    seen: i64,
    done: bool,
}

/// The stream traits the [`pages`](Call::pages) and [`items`](Call::items)
/// streams are used with, re-exported so an application needs no
/// `futures-util` dependency of its own: `use genauth_tower::paginate::prelude::*;`
/// (or `genauth::paginate::prelude::*`) brings `next`, `try_next`, `take`,
/// `try_collect`, ... into scope.
pub mod prelude {
    #[doc(no_inline)]
    pub use futures_util::stream::{Stream, StreamExt, TryStreamExt};
}

impl<'a, C, O, T> Call<'a, C, O>
where
    C: SendOperation,
    O: Paginated<Output = Page<T>> + Clone + Send + Sync + 'a,
    T: Send + 'a,
{
    /// The whole list as a lazy stream of pages.
    ///
    /// Nothing is sent until the stream is polled; each page is one request,
    /// sent when the previous page has been consumed. Pages are numbered from
    /// 1, and the walk starts at the call's [`page`](Self::page) (1 when it
    /// sets none); the page size is the call's own limit, or [`DEFAULT_PAGE_SIZE`].
    /// The stream ends after an empty page, once the items seen reach the
    /// page's `total_count`, or, when the server reports no total, after a
    /// short page (fewer items than the page size). An error is yielded once
    /// and ends the stream.
    ///
    /// ```no_run
    /// # async fn f(client: genauth_tower::ManagementClient) -> Result<(), genauth_tower::Error> {
    /// use genauth_tower::paginate::prelude::*;
    /// let mut pages = std::pin::pin!(client.list_users().pages());
    /// while let Some(page) = pages.try_next().await? {
    ///     println!("{} of {}", page.list.len(), page.total_count);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pages(self) -> impl Stream<Item = Result<Page<T>, Error>> + 'a {
        let (client, op) = self.into_parts();
        let limit = op
            .page_size()
            .filter(|l| *l > 0)
            .unwrap_or(DEFAULT_PAGE_SIZE);
        let page = op.page_number().filter(|p| *p > 0).unwrap_or(1);
        let walk = Walk {
            client,
            op,
            page,
            limit,
            // Items before the first page asked for count as seen, so a walk
            // that starts later still ends at the total.
            seen: (page - 1).saturating_mul(limit),
            done: false,
        };
        stream::unfold(walk, |mut w| async move {
            if w.done {
                return None;
            }
            let mut op = w.op.clone();
            op.set_page(w.page, w.limit);
            match w.client.send_operation(op).await {
                Ok(page) => {
                    let n = i64::try_from(page.list.len()).unwrap_or(i64::MAX);
                    w.seen = w.seen.saturating_add(n);
                    w.page = w.page.saturating_add(1);
                    // With a total, it decides (a server may cap the page
                    // size below the one asked for); without one, a short
                    // page is the last.
                    w.done = n == 0
                        || if page.total_count > 0 {
                            w.seen >= page.total_count
                        } else {
                            n < w.limit
                        };
                    Some((Ok(page), w))
                }
                Err(e) => {
                    w.done = true;
                    Some((Err(e), w))
                }
            }
        })
    }

    /// The whole list as a lazy stream of items, page after page.
    ///
    /// Pages are fetched as [`pages`](Self::pages) does, only when the items
    /// of the previous one have been consumed; an error is yielded once and
    /// ends the stream.
    ///
    /// ```no_run
    /// # async fn f(client: genauth_tower::ManagementClient) -> Result<(), genauth_tower::Error> {
    /// use genauth_tower::paginate::prelude::*;
    /// let first_ten: Vec<_> = client.list_users().items().take(10).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn items(self) -> impl Stream<Item = Result<T, Error>> + 'a {
        self.pages().flat_map(|page| {
            let items: Vec<Result<T, Error>> = match page {
                Ok(page) => page.list.into_iter().map(Ok).collect(),
                Err(e) => vec![Err(e)],
            };
            stream::iter(items)
        })
    }

    /// Every item of the list, page after page, in one `Vec`: the walk of
    /// [`items`](Self::items) collected, with no stream trait to import. The
    /// first error ends the walk and is returned.
    ///
    /// ```no_run
    /// # async fn f(client: genauth_tower::ManagementClient) -> Result<(), genauth_tower::Error> {
    /// let users = client.list_users().page_size(100).collect_all().await?;
    /// println!("{} users", users.len());
    /// # Ok(()) }
    /// ```
    pub async fn collect_all(self) -> Result<Vec<T>, Error> {
        let mut pages = std::pin::pin!(self.pages());
        let mut all = Vec::new();
        while let Some(page) = pages.next().await {
            all.extend(page?.list);
        }
        Ok(all)
    }
}
