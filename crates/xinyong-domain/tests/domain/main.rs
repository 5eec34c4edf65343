//! The domain crate's integration tests, one binary (as crates.io does): codes, lists and checks,
//! and the shape of the crate itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod calendar;
mod codes;
mod grading;
mod lists;
mod masking;
mod module_graph;
mod record_files;
mod roles;
mod validation;
