//! The public search box: any text gives a query or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = xinyong_domain::search::parse_query(text);
});
