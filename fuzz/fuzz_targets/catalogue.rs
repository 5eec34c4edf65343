//! A catalogue file given with `--catalogue`: refused with an error or loaded, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xinyong_domain::Catalogue;

fuzz_target!(|text: &str| {
    let _ = Catalogue::from_toml_str(text);
});
