//! Fixtures shared by every test of the binary.

use std::path::Path;
use std::process::Command;

/// The database a test's commands share: `x.db` in the test's directory.
pub fn db_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("x.db").display())
}

/// The real `xinyong` binary, run in `dir` against its `x.db`, with none of the caller's
/// configuration (catalogue, key ring) leaking in from the environment.
pub fn xinyong(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xinyong"));
    c.env("XINYONG_DB", db_url(dir))
        .env_remove("XINYONG_CATALOGUE")
        .env_remove("XINYONG_CALENDAR")
        .env_remove("XINYONG_DATA_KEYRING")
        .current_dir(dir);
    c
}
