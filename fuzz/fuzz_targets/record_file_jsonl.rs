//! A department's JSONL file, any bytes: read and validated without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xinyong_domain::Catalogue;
use xinyong_domain::record_file::{FileDefaults, Format, read_rows};

/// Parsed once: the catalogue is not what this target fuzzes.
static CATALOGUE: std::sync::LazyLock<Catalogue> = std::sync::LazyLock::new(Catalogue::shipped);

fuzz_target!(|bytes: &[u8]| {
    let catalogue = &*CATALOGUE;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date");
    let defaults = FileDefaults {
        category: Some("admin_penalty".into()),
        tier: Some("general".into()),
        legal_basis: None,
    };
    let _ = read_rows(bytes, Format::Jsonl, &defaults, catalogue, |row| {
        if let Ok(raw) = row.record {
            let _ = catalogue.validate(&raw, today);
        }
    });
});
