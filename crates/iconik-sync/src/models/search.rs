//! Models of the search service.
