//! Models of the files service.
