//! A department's register of people in roles, any bytes: read and every registration
//! checked against the shipped catalogue without a panic; every row names a line within the
//! file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xinyong_domain::record_file::read_role_rows;
use xinyong_domain::{Catalogue, Department};

/// Parsed once: the catalogue is not what this target fuzzes.
static CATALOGUE: std::sync::LazyLock<Catalogue> = std::sync::LazyLock::new(Catalogue::shipped);

fuzz_target!(|bytes: &[u8]| {
    let catalogue = &*CATALOGUE;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date");
    let department = Department {
        code: "SZ-JUSTICE".into(),
        name: "深圳市司法局".into(),
        categories: Default::default(),
        lists: Default::default(),
        professions: ["lawyer".to_owned(), "civil_servant".to_owned()].into(),
    };
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    for profession in [None, Some("lawyer")] {
        let _ = read_role_rows(bytes, catalogue, profession, |line, row| {
            assert!(line >= 1 && line <= lines + 1, "line {line}");
            if let Ok(registration) = row {
                let _ = registration.check(catalogue, &department, "R".into(), today);
            }
        });
    }
});
