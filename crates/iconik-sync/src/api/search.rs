//! `client.search()`.

#[allow(unused_imports)]
use crate::prelude::*;

/// The surface list of [`SearchApi`] (see [`crate::api`]).
#[doc(hidden)]
#[macro_export]
macro_rules! __search_surface {
    ($cb:ident) => {
        $cb! {
            /// Search: `client.search()`.
            SearchApi(search) => "search" {
                /// Runs a search and fetches one page of hits (`POST /v1/search/`).
                /// `page.total` is the number of matches; facets are in `page.extra`.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{SearchBody, SearchParams};
                /// let body = SearchBody::default().doc_types(vec!["assets".to_string()]).query("sunset");
                /// let page = client.search().search(&body, &SearchParams::default().per_page(50u32))?;
                /// for hit in &page.objects {
                ///     println!("{:?} {:?}", hit.object_type, hit.title);
                /// }
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// 400 for a malformed query.
                call fn search(body: &SearchBody, params: &SearchParams) -> Result<Response<Page<SearchHit>>>
                    = Post "/v1/search/" => |op| op.query_params(params).json(body).send();

                /// Every hit of a search, fetched lazily page by page (`page=1, 2, ...`).
                /// iconik answers at most 10,000 hits this way; for more use
                /// [`search_all_scroll`](Self::search_all_scroll) or
                /// [`search_all_after`](Self::search_all_after).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{SearchBody, SearchParams};
                /// let body = SearchBody::default().doc_types(vec!["assets".to_string()]);
                /// for hit in client.search().search_all(&body, &SearchParams::default().per_page(100u32)) {
                ///     println!("{:?}", hit?.id);
                /// }
                /// # Ok(()) }
                /// ```
                iter fn search_all(body: &SearchBody, params: &SearchParams) -> Paginator<SearchHit>
                    = Post "/v1/search/" => |op| Paginator::new(op.query_params(params).json(body), Style::PageNumber);

                /// Every hit of a search, fetched lazily with a scroll cursor
                /// (`scroll=true`, then `scroll_id` in the query).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{SearchBody, SearchParams};
                /// let body = SearchBody::default().query("interview");
                /// let n = client.search().search_all_scroll(&body, &SearchParams::default()).count();
                /// # Ok(()) }
                /// ```
                iter fn search_all_scroll(body: &SearchBody, params: &SearchParams) -> Paginator<SearchHit>
                    = Post "/v1/search/" => |op| Paginator::new(op.query_params(params).json(body), Style::Scroll);

                /// Every hit of a search, fetched lazily with `search_after`: each request
                /// repeats `body` with its `search_after` set to the previous page's
                /// `search_after` (or the last hit's `sort`). Give `body` a `sort` so the
                /// order is stable.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{SearchBody, SearchParams, SearchSort};
                /// let body = SearchBody::default()
                ///     .query("interview")
                ///     .sort(vec![SearchSort::new("date_created").order("desc")]);
                /// let n = client.search().search_all_after(&body, &SearchParams::default()).count();
                /// # Ok(()) }
                /// ```
                iter fn search_all_after(body: &SearchBody, params: &SearchParams) -> Paginator<SearchHit>
                    = Post "/v1/search/" => |op| Paginator::new(op.query_params(params).json(body), Style::SearchAfter);
            }
        }
    };
}

__search_surface!(sync_handler);
