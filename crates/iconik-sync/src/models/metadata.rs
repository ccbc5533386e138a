//! Models of the metadata service.
