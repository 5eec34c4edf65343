//! List types and joint-punishment memoranda files: refused with an error or loaded.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xinyong_domain::list::ListTypes;
use xinyong_domain::measure::Memoranda;

fuzz_target!(|text: &str| {
    let _ = ListTypes::from_toml_str(text);
    let _ = Memoranda::from_toml_str(text);
    let _ = xinyong_domain::access::Purposes::from_toml_str(text);
    let _ = xinyong_domain::calendar::WorkingCalendar::from_toml_str(text);
});
