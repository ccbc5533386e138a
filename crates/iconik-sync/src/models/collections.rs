//! Models of the collections service.
