//! People in regulated roles (issue #13, SPEC row 14): stored with the person sealed, a
//! licence held by one open role at a time, every registration and end in the audit log and
//! checked by `ledger verify`, re-sealed on key rotation like every other person's number.

use chrono::NaiveDate;
use xinyong_domain::Department;
use xinyong_domain::code::CitizenId;
use xinyong_domain::role::PersonInRole;
use xinyong_store::RoleRefusal;

use crate::fixtures::codes;
use crate::{Db, cases};

const LAWYER: &str = "440305198507265865";
const OTHER: &str = "11010519491231002X";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn role(id: &str, person: &str, firm: &str, since: NaiveDate) -> PersonInRole {
    PersonInRole {
        id: id.into(),
        person: CitizenId::parse(person).unwrap(),
        name: "张律师".into(),
        organisation: firm.into(),
        profession: "lawyer".into(),
        licence_no: "14403201510123456".into(),
        since,
        until: None,
        department: "JUSTICE".into(),
    }
}

async fn justice(db: &Db) -> std::sync::Arc<dyn xinyong_store::Store> {
    let store = db.store().await;
    store
        .put_department(&Department {
            code: "JUSTICE".into(),
            name: "深圳市司法局".into(),
            categories: ["professional_discipline".to_owned()].into(),
            lists: Default::default(),
            professions: ["lawyer".to_owned()].into(),
        })
        .await
        .unwrap();
    store
}

async fn a_role_is_stored_with_the_person_sealed_and_read_back_by_person_and_organisation(db: Db) {
    let store = justice(&db).await;
    let firms = codes(2);
    let r = role("ROLE1", LAWYER, &firms[0], day(2015, 10, 1));
    store.register_role(&r).await.unwrap().unwrap();
    assert_eq!(store.role("ROLE1").await.unwrap(), Some(r.clone()));
    assert_eq!(
        store.roles_of_person(LAWYER).await.unwrap(),
        vec![r.clone()]
    );
    assert_eq!(
        store.roles_at(&firms[0], 10).await.unwrap(),
        vec![r.clone()]
    );
    assert!(store.roles_at(&firms[1], 10).await.unwrap().is_empty());
    assert!(store.roles_of_person(OTHER).await.unwrap().is_empty());
    let department = store.department("JUSTICE").await.unwrap().unwrap();
    assert!(department.registers_profession("lawyer"));
    assert!(
        db.raw().await.columns_containing(LAWYER).await.is_empty(),
        "the person's number is stored only through the vault"
    );
}

async fn a_licence_is_held_by_one_open_role_at_a_time(db: Db) {
    let store = justice(&db).await;
    let firms = codes(2);
    store
        .register_role(&role("ROLE1", LAWYER, &firms[0], day(2015, 10, 1)))
        .await
        .unwrap()
        .unwrap();
    let moved = role("ROLE2", LAWYER, &firms[1], day(2024, 3, 1));
    assert_eq!(
        store.register_role(&moved).await.unwrap(),
        Err(RoleRefusal::LicenceHeld { by: "ROLE1".into() })
    );
    let ended = store
        .end_role("ROLE1", day(2024, 2, 29))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ended.until, Some(day(2024, 2, 29)));
    store.register_role(&moved).await.unwrap().unwrap();
    assert_eq!(store.roles_of_person(LAWYER).await.unwrap().len(), 2);
    // A period before both, ended before the first began, overlaps neither: registered
    // after them as well as before. One that reaches into the first is refused.
    let mut past = role("ROLE0", OTHER, &firms[1], day(2008, 1, 1));
    past.until = Some(day(2015, 9, 30));
    let mut overlapping = past.clone();
    overlapping.id = "ROLE00".into();
    overlapping.until = Some(day(2016, 1, 1));
    assert_eq!(
        store.register_role(&overlapping).await.unwrap(),
        Err(RoleRefusal::LicenceHeld { by: "ROLE1".into() })
    );
    store.register_role(&past).await.unwrap().unwrap();
    assert_eq!(store.end_role("NOPE", day(2024, 1, 1)).await.unwrap(), None);
}

async fn a_batch_of_roles_is_registered_whole_or_not_at_all(db: Db) {
    let store = justice(&db).await;
    let firms = codes(2);
    let mut second = role("ROLE2", OTHER, &firms[1], day(2020, 1, 1));
    second.licence_no = "OTHER-LICENCE".into();
    // The third holds the first's licence, which the batch itself opens.
    let third = role("ROLE3", OTHER, &firms[1], day(2021, 1, 1));
    let batch = [
        role("ROLE1", LAWYER, &firms[0], day(2015, 10, 1)),
        second,
        third,
    ];
    assert_eq!(
        store.register_roles(&batch).await.unwrap(),
        Err((2, RoleRefusal::LicenceHeld { by: "ROLE1".into() }))
    );
    assert!(store.roles_at(&firms[0], 10).await.unwrap().is_empty());
    assert!(store.roles_at(&firms[1], 10).await.unwrap().is_empty());
    store.register_roles(&batch[..2]).await.unwrap().unwrap();
    assert_eq!(store.roles_of_person(OTHER).await.unwrap().len(), 1);
    let verified = xinyong_store::ledger::verify(&*store, None, |_| {})
        .await
        .unwrap();
    assert_eq!(verified.cases_checked, 2, "{verified:?}");
}

async fn ledger_verify_checks_every_role_against_its_latest_entry(db: Db) {
    let store = justice(&db).await;
    let firms = codes(2);
    store
        .register_role(&role("ROLE1", LAWYER, &firms[0], day(2015, 10, 1)))
        .await
        .unwrap()
        .unwrap();
    store.end_role("ROLE1", day(2020, 1, 1)).await.unwrap();
    let verified = xinyong_store::ledger::verify(&*store, None, |_| {})
        .await
        .unwrap();
    assert_eq!(verified.cases_checked, 1, "{verified:?}");
    let raw = db.raw().await;
    raw.exec(&format!(
        "UPDATE persons_in_role SET organisation = '{}'",
        firms[1]
    ))
    .await;
    let err = xinyong_store::ledger::verify(&*store, None, |_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("role row role:ROLE1") && err.contains("edited"),
        "{err}"
    );
}

cases!(
    a_role_is_stored_with_the_person_sealed_and_read_back_by_person_and_organisation,
    a_licence_is_held_by_one_open_role_at_a_time,
    a_batch_of_roles_is_registered_whole_or_not_at_all,
    ledger_verify_checks_every_role_against_its_latest_entry,
);
