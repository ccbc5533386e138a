//! Parameters shared by many lists.

model! {
    /// Query parameters of page-numbered lists (assets, collections,
    /// segments, ...). Paginators set `page`, `scroll` and `scroll_id`
    /// themselves.
    ///
    /// ```
    /// use iconik_sync::models::ListParams;
    /// let params = ListParams::default().per_page(100u32).sort("date_created");
    /// assert_eq!(params.per_page, Some(100));
    /// ```
    pub struct ListParams {
        optional {
            page: u32 = exact,
            per_page: u32 = exact,
            sort: String,
            scroll: bool,
            scroll_id: String,
        }
    }
}
