//! Models of the search service.

model! {
    /// Body of `search()` (`search.SearchCriteriaSchema`): what to find,
    /// how to filter, sort and facet it.
    ///
    /// ```
    /// use iconik_sync::models::{SearchBody, SearchFilter, SearchSort, SearchTerm};
    /// let body = SearchBody::default()
    ///     .doc_types(vec!["assets".to_string()])
    ///     .query("sunset")
    ///     .filter(SearchFilter::new("AND").terms(vec![SearchTerm::new("status").value("ACTIVE")]))
    ///     .sort(vec![SearchSort::new("date_created").order("desc")]);
    /// assert_eq!(body.query.as_deref(), Some("sunset"));
    /// ```
    pub struct SearchBody {
        optional {
            doc_types: Vec<String>,
            query: String,
            filter: SearchFilter,
            facets: Vec<String>,
            facets_filters: Vec<FacetFilter>,
            sort: Vec<SearchSort>,
            include_fields: Vec<String>,
            exclude_fields: Vec<String>,
            search_fields: Vec<String>,
            metadata_view_id: String,
            search_after: Vec<serde_json::Value>,
        }
    }
}

model! {
    /// A filter of a search (`search.CriteriaFilterSchema`): an `operator`
    /// (`AND`, `OR`, `NOT`, `NESTED`) over terms and nested filters.
    pub struct SearchFilter {
        required {
            operator: String,
        }
        optional {
            filters: Vec<SearchFilter>,
            path: String,
            terms: Vec<SearchTerm>,
        }
    }
}

model! {
    /// One condition on a field (`search.CriteriaTermSchema`).
    pub struct SearchTerm {
        required {
            name: String,
        }
        optional {
            value: String,
            value_in: Vec<String>,
            exists: bool,
            missing: bool,
            range: SearchRange,
        }
    }
}

model! {
    /// A range condition (`search.CriteriaRangeFilterSchema`).
    pub struct SearchRange {
        optional {
            min: String,
            max: String,
            timezone: String,
        }
    }
}

model! {
    /// A sort key (`search.CriteriaSortSchema`); `order` is `asc` or `desc`.
    pub struct SearchSort {
        required {
            name: String,
        }
        optional {
            order: String,
        }
    }
}

model! {
    /// A facet filter (`search.FacetFilterSchema`).
    pub struct FacetFilter {
        required {
            name: String,
        }
        optional {
            value_in: Vec<String>,
        }
    }
}

model! {
    /// One search result, or one item of a collection's contents
    /// (`search.SearchDocumentSchema`): an asset, collection, saved search
    /// or segment document. `object_type` tells which; the fields of that
    /// kind of object that this type does not name are in `extra`.
    pub struct SearchHit {
        optional {
            object_type: String,
            id: String,
            title: String,
            description: String,
            date_created: String,
            date_modified: String,
            metadata: serde_json::Value,
            status: String,
            r#type: String,
            sort: Vec<serde_json::Value>,
        }
    }
}

model! {
    /// Query parameters of `search()` (`POST /v1/search/`). Paginators set
    /// `page`, `scroll` and `scroll_id` themselves.
    pub struct SearchParams {
        optional {
            page: u32 = exact,
            per_page: u32 = exact,
            scroll: bool,
            scroll_id: String,
            generate_signed_url: bool,
            generate_signed_download_url: bool,
            generate_signed_proxy_url: bool,
            save_search_history: bool,
            types: Vec<String>,
        }
    }
}
