//! The `xinyong` binary's integration tests, one test binary (as crates.io does): every test
//! runs the real binary on a real SQLite file in a temporary directory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod at_rest;
mod commands;
mod common;
mod crash;
mod disk_full;
mod grading;
mod harness;
mod logs;
mod readme;
mod roles;
mod templates;
