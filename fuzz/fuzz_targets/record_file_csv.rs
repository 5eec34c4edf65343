//! A department's CSV file, any bytes (UTF-8, a BOM, GBK, neither): read and validated
//! against the shipped catalogue without a panic; every row names a line within the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xinyong_domain::Catalogue;
use xinyong_domain::record_file::{FileDefaults, Format, read_rows};

/// Parsed once: the catalogue is not what this target fuzzes.
static CATALOGUE: std::sync::LazyLock<Catalogue> = std::sync::LazyLock::new(Catalogue::shipped);

fuzz_target!(|bytes: &[u8]| {
    let catalogue = &*CATALOGUE;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date");
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    for defaults in [
        FileDefaults::category(Some("admin_penalty")),
        FileDefaults::category(None),
    ] {
        let _ = read_rows(bytes, Format::Csv, &defaults, catalogue, |row| {
            assert!(row.line >= 1 && row.line <= lines + 1, "line {}", row.line);
            if let Ok(raw) = row.record {
                let _ = catalogue.validate(&raw, today);
            }
        });
    }
});
