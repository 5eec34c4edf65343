//! People in regulated roles (issue #13): a professional record attaches to a role held on
//! its decision date, whichever of the person's periods at the organisation that was; a role
//! file names each field once.

use chrono::NaiveDate;
use serde_json::json;
use xinyong_domain::code::CitizenId;
use xinyong_domain::record_file::{FileError, read_role_rows};
use xinyong_domain::role::{PersonInRole, attach};
use xinyong_domain::{Catalogue, RawRecord};

const LAWYER: &str = "440305198507265865";
const FIRM: &str = "31440300MD0123454X";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn role(id: &str, since: NaiveDate, until: Option<NaiveDate>) -> PersonInRole {
    PersonInRole {
        id: id.into(),
        person: CitizenId::parse(LAWYER).unwrap(),
        name: "张律师".into(),
        organisation: FIRM.into(),
        profession: "lawyer".into(),
        licence_no: "L-1".into(),
        since,
        until,
        department: "JUSTICE".into(),
    }
}

fn discipline(decided_on: &str) -> xinyong_domain::ValidRecord {
    let raw = RawRecord::from_json(&json!({
        "category": "professional_discipline",
        "subject": {"code": LAWYER, "name": "张律师", "kind": "natural_person"},
        "document_no": "深司惩〔2026〕1号",
        "decided_on": decided_on,
        "legal_basis": "《中华人民共和国律师法》第四十八条",
        "tier": "general",
        "fields": {"licence_no": " L-1 ", "organisation_code": FIRM, "measure": "警告",
                   "facts": "同时在两个律师事务所执业", "authority": "深圳市司法局"}
    }))
    .unwrap();
    Catalogue::shipped()
        .validate(&raw, day(2026, 11, 26))
        .unwrap()
}

#[test]
fn a_professional_record_attaches_to_the_period_of_the_role_held_on_its_decision_date() {
    let catalogue = Catalogue::shipped();
    let category = catalogue.category("professional_discipline").unwrap();
    // Left the firm in 2018 and came back in 2022, under the same licence; newest first, as
    // the store lists them.
    let roles = [
        role("LATER", day(2022, 1, 1), None),
        role("EARLIER", day(2015, 1, 1), Some(day(2018, 12, 31))),
    ];
    let earlier = attach(&discipline("2018-05-01"), category, &roles).unwrap();
    assert_eq!(earlier.map(|r| r.id.as_str()), Some("EARLIER"));
    let later = attach(&discipline("2026-03-01"), category, &roles).unwrap();
    assert_eq!(later.map(|r| r.id.as_str()), Some("LATER"));
    let between = attach(&discipline("2020-06-01"), category, &roles).unwrap_err();
    assert_eq!(between.field, "decided_on", "{between}");
    let none = attach(&discipline("2026-03-01"), category, &[]).unwrap_err();
    assert_eq!(none.field, "fields.licence_no", "{none}");
    // A category without professions attaches to nothing, whatever the roles.
    let penalty = catalogue.category("admin_penalty").unwrap();
    assert_eq!(
        attach(&discipline("2026-03-01"), penalty, &roles).unwrap(),
        None
    );
}

#[test]
fn a_role_file_that_names_one_field_under_two_spellings_is_refused() {
    let catalogue = Catalogue::shipped();
    let text = format!("person_code,身份证号码,姓名\n{LAWYER},{LAWYER},张律师\n");
    let read = read_role_rows(text.as_bytes(), &catalogue, Some("lawyer"), |_, _| {});
    assert!(
        matches!(read, Err(FileError::DuplicateColumn(ref c)) if c == "身份证号码"),
        "{read:?}"
    );
    let mut rows = Vec::new();
    let text = format!("身份证号码,姓名,执业证号\n{LAWYER},张律师,L-1\n{LAWYER},张律师\n");
    read_role_rows(text.as_bytes(), &catalogue, Some("律师"), |line, row| {
        rows.push((line, row.map(|r| (r.profession, r.licence_no))))
    })
    .unwrap();
    assert_eq!(rows[0], (2, Ok(("lawyer".to_owned(), "L-1".to_owned()))));
    assert_eq!(rows[1].0, 3);
    assert!(rows[1].1.is_err(), "a row of another width names its line");
}
