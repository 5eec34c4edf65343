//! The integration tests of `xinyong-web`, as one binary (one link, one process, one set of
//! fixtures): every test drives the real router over a real SQLite file. Each module is named
//! after what it covers; `common` holds the fixtures they share.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod api;
mod authz_matrix;
mod checks;
mod console;
mod errors;
mod evidence;
mod grading;
mod ledger;
mod limits;
mod notifications;
mod privacy;
mod rights;
mod roles;
mod self_service;
mod sessions;
mod site;
