//! Properties of the files departments submit (issue #15: property tests for the invariants
//! that had none): what a CSV row holds is read back exactly, in every accepted encoding and
//! with either line end; validation never panics, whatever the values; and every record that
//! passes ends (SPEC "Every adverse entry ends").

use chrono::{Months, NaiveDate};
use proptest::prelude::*;
use serde_json::Value;
use xinyong_domain::catalogue::CoreAttribute;
use xinyong_domain::record_file::{FileDefaults, Format, Row, read_rows};
use xinyong_domain::{Catalogue, RawRecord};

fn rows(bytes: &[u8], category: Option<&str>) -> Vec<Row> {
    let catalogue = Catalogue::shipped();
    let mut out = Vec::new();
    read_rows(
        bytes,
        Format::Csv,
        &FileDefaults::category(category),
        &catalogue,
        |r| out.push(r),
    )
    .unwrap();
    out
}

/// Text a department may type in a cell: Chinese and ASCII, punctuation, quotes and commas,
/// line breaks inside the cell. Leading and trailing spaces are trimmed by validation, not by
/// reading, so they are kept here too.
fn cell() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        "[a-zA-Z0-9 ,\"。，、《》（）罚款违法事实深圳市北京示例\n]{1,40}",
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn a_csv_cell_reads_back_exactly_in_every_encoding_and_line_end(
        facts in cell(),
        content in cell(),
        encoding in 0..3usize,
        crlf in any::<bool>(),
    ) {
        let mut writer = csv::WriterBuilder::new()
            .terminator(if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') })
            .from_writer(Vec::new());
        writer.write_record(["统一社会信用代码", "违法事实", "处罚内容"]).unwrap();
        writer.write_record(["91110000600037341L", &facts, &content]).unwrap();
        writer.write_record(["91110108551385082Q", &content, &facts]).unwrap();
        let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        let bytes = match encoding {
            0 => text.clone().into_bytes(),
            1 => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
            _ => encoding_rs::GBK.encode(&text).0.into_owned(),
        };
        let read = rows(&bytes, Some("admin_penalty"));
        prop_assert_eq!(read.len(), 2);
        let first = read[0].record.as_ref().unwrap();
        let second = read[1].record.as_ref().unwrap();
        // A cell is kept as written (a cell of spaces only counts as empty).
        let kept = |v: &str| (!v.trim().is_empty()).then(|| Value::String(v.to_owned()));
        prop_assert_eq!(first.fields.get("违法事实").cloned(), kept(&facts));
        prop_assert_eq!(first.fields.get("处罚内容").cloned(), kept(&content));
        prop_assert_eq!(second.fields.get("违法事实").cloned(), kept(&content));
        // Row numbers are the lines each row starts on, whatever the line ends.
        prop_assert_eq!(read[0].line, 2);
        let breaks = facts.matches('\n').count() + content.matches('\n').count();
        prop_assert_eq!(read[1].line, 3 + breaks as u64);
    }

    #[test]
    fn validation_never_panics_and_every_record_that_passes_ends(
        values in proptest::collection::vec(".{0,30}", 9),
        decided in 0u32..9000,
        tier in prop::sample::select(vec!["minor", "general", "serious", "一般", "严重", ""]),
        months in 0u32..80,
    ) {
        let catalogue = Catalogue::shipped();
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let decided_on = today - chrono::Days::new(u64::from(decided));
        // Arbitrary values in every core attribute: an answer, never a panic.
        let mut raw = RawRecord::default();
        for (attr, v) in CoreAttribute::ALL.iter().zip(&values) {
            raw.set(*attr, attr.name(), v.clone());
        }
        let _ = catalogue.validate(&raw, today);
        // A well-formed penalty with an arbitrary date, tier and end: if it passes, it ends
        // within its tier's longest period.
        let mut raw = RawRecord::default();
        for (attr, v) in [
            (CoreAttribute::Category, "admin_penalty".to_owned()),
            (CoreAttribute::SubjectCode, "91110000600037341L".to_owned()),
            (CoreAttribute::SubjectName, "北京示例科技有限公司".to_owned()),
            (CoreAttribute::DocumentNo, "深市监罚〔2026〕1号".to_owned()),
            (CoreAttribute::DecidedOn, decided_on.to_string()),
            (CoreAttribute::LegalBasis, "《中华人民共和国广告法》".to_owned()),
            (CoreAttribute::Tier, tier.to_owned()),
            (
                CoreAttribute::PublicityUntil,
                (decided_on + Months::new(months)).to_string(),
            ),
        ] {
            raw.set(attr, attr.name(), v);
        }
        for (field, value) in [("facts", "发布虚假广告"), ("penalty_kind", "罚款"),
                               ("content", "罚款"), ("authority", "深圳市市场监督管理局")] {
            raw.fields.insert(field.into(), Value::String(value.into()));
        }
        if let Ok(valid) = catalogue.validate(&raw, today) {
            let category = catalogue.category("admin_penalty").unwrap();
            let longest = category.tiers.iter().map(|t| t.max_months).max().unwrap();
            prop_assert!(valid.publicity_until >= decided_on);
            prop_assert!(valid.publicity_until <= decided_on + Months::new(longest));
        }
    }
}
