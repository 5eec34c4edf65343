//! `xinyong bench`: benchmarks that print their figure next to a baseline measured in the same
//! run, because the machines they run on are shared and noisy.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use xinyong_domain::Catalogue;

#[derive(Subcommand)]
pub enum BenchCommand {}

pub async fn run(_catalogue: &Catalogue, command: BenchCommand) -> Result<ExitCode> {
    match command {}
}
