//! Models of the jobs service.
