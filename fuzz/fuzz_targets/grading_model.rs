//! A grading model file, checked against the shipped catalogue and list types: an error
//! naming its line, or a model; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xinyong_domain::Catalogue;
use xinyong_domain::grading::Model;
use xinyong_domain::list::ListTypes;

/// Parsed once: the catalogue is not what this target fuzzes.
static CATALOGUE: std::sync::LazyLock<Catalogue> = std::sync::LazyLock::new(Catalogue::shipped);

fuzz_target!(|text: &str| {
    let catalogue = &*CATALOGUE;
    let lists = ListTypes::shipped();
    if let Err(e) = Model::from_toml_str("fuzz.toml", text, catalogue, &lists) {
        assert!(e.line >= 1, "{e}");
    }
});
