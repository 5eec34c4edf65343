//! Integration tests of xinyong-ledger, in one binary (one link instead of one per file).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod common;
mod ct_merkle_crosscheck;
mod props;
mod sth;
mod vectors;
