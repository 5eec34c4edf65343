#![allow(clippy::unwrap_used)]
use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

#[test]
fn synthetic_records_pass_the_catalogue() {
    let catalogue = Catalogue::shipped();
    let mut s = Synthetic::new(&catalogue, 7, today());
    let mut categories = BTreeSet::new();
    let mut tiers = BTreeSet::new();
    let mut kinds = BTreeSet::new();
    for _ in 0..2000 {
        let subject = s.next_subject();
        kinds.insert(subject.kind);
        let roles: Vec<crate::role::PersonInRole> = subject
            .roles
            .iter()
            .map(|(dept, r)| {
                let d = s.departments().iter().find(|d| &d.code == dept).unwrap();
                r.check(&catalogue, d, format!("R{}", r.licence_no), today())
                    .unwrap_or_else(|e| panic!("{e:?} in {r:?}"))
            })
            .collect();
        for (dept, raw) in &subject.records {
            let valid = catalogue
                .validate(raw, today())
                .unwrap_or_else(|e| panic!("{e:?} in {raw:?}"));
            let d = s.departments().iter().find(|d| &d.code == dept).unwrap();
            assert!(d.may_submit(&valid.category));
            // A professional record attaches to a role its subject holds.
            let category = catalogue.category(&valid.category).unwrap();
            crate::role::attach(&valid, category, &roles)
                .unwrap_or_else(|e| panic!("{e:?} in {raw:?}"));
            categories.insert(valid.category.clone());
            tiers.extend(valid.tier);
        }
    }
    assert_eq!(
        categories.len(),
        catalogue.categories.len(),
        "every category appears: {categories:?}"
    );
    assert_eq!(tiers.len(), 3, "every tier appears");
    assert_eq!(
        kinds.len(),
        SubjectKind::ALL.len(),
        "every subject kind appears"
    );
}

/// `demo --subjects N` makes N subjects: every synthetic subject has a code of its own
/// and at least one record (a subject exists only through its records).
fn core(raw: &RawRecord, attr: CoreAttribute) -> &str {
    raw.core.get(&attr).map_or("", |(_, v)| v.as_str())
}

/// Issue #16: a tax bureau's penalty is about tax, a licence's content is a licence, a
/// defaulter's behaviour is not a court's name, and every registered organisation shows
/// who represents it and since when.
#[test]
fn demo_records_hang_together() {
    let catalogue = Catalogue::shipped();
    let mut s = Synthetic::new(&catalogue, 11, today());
    let mut registered = 0;
    for _ in 0..2000 {
        let subject = s.next_subject();
        let registration = subject
            .records
            .iter()
            .filter(|(_, raw)| core(raw, CoreAttribute::Category) == "registration")
            .count();
        let registers = matches!(
            subject.kind,
            SubjectKind::LegalPerson
                | SubjectKind::FarmerCooperative
                | SubjectKind::IndividualBusiness
        );
        assert_eq!(registration, usize::from(registers), "{}", subject.name);
        registered += registration;
        for (dept, raw) in &subject.records {
            let category = core(raw, CoreAttribute::Category);
            let d = s.departments().iter().find(|d| &d.code == dept).unwrap();
            let spec = DEPARTMENTS
                .iter()
                .find(|spec| d.name.ends_with(spec.suffix))
                .unwrap();
            let text = |k: &str| raw.fields.get(k).and_then(Value::as_str).unwrap_or("");
            match category {
                "admin_penalty" | "admin_license" => {
                    let fits = spec.scenarios.iter().any(|sc| {
                        sc.category == category && sc.fields.iter().all(|(k, v)| text(k) == *v)
                    });
                    assert!(fits, "{} {category}: {:?}", d.name, raw.fields);
                }
                "court_defaulter" => {
                    assert!(!text("behaviour").contains("法院"), "{:?}", raw.fields);
                }
                "registration" => {
                    assert!(!text("legal_representative").is_empty());
                    assert!(text("established_on") <= core(raw, CoreAttribute::DecidedOn));
                    assert!(text("registration_authority").ends_with("市场监督管理局"));
                    assert!(
                        text("address").starts_with(
                            text("registration_authority").trim_end_matches("市场监督管理局")
                        ),
                        "registered where it is: {:?}",
                        raw.fields
                    );
                }
                _ => {}
            }
        }
    }
    assert!(registered > 1500, "{registered} registrations");
}

#[test]
fn every_synthetic_subject_is_new_and_holds_a_record() {
    let catalogue = Catalogue::shipped();
    let mut s = Synthetic::new(&catalogue, 7, today());
    let mut codes = BTreeSet::new();
    for _ in 0..5000 {
        let subject = s.next_subject();
        assert!(!subject.records.is_empty(), "{}", subject.code);
        assert!(codes.insert(subject.code.clone()), "{} twice", subject.code);
    }
}

#[test]
fn same_seed_same_data() {
    let catalogue = Catalogue::shipped();
    let mut a = Synthetic::new(&catalogue, 42, today());
    let mut b = Synthetic::new(&catalogue, 42, today());
    for _ in 0..50 {
        let (x, y) = (a.next_subject(), b.next_subject());
        assert_eq!((x.code, x.name, x.records), (y.code, y.name, y.records));
    }
}
