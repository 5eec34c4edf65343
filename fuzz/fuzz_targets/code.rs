//! Codes as anyone may type them: a Unified Social Credit Code, a citizen identity number or
//! a GB/T 2260 division. Parsing never panics, and what parses prints back as itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xinyong_domain::code::{DivisionCode, SubjectCode};

fuzz_target!(|text: &str| {
    if let Ok(code) = SubjectCode::parse(text) {
        let again = SubjectCode::parse(code.as_str()).expect("a parsed code parses again");
        assert_eq!(again.as_str(), code.as_str());
    }
    let _ = DivisionCode::parse(text);
    let _ = xinyong_domain::subject::infer_subject_kind(text);
    let _ = xinyong_domain::mask::mask_identity_numbers(text);
});
