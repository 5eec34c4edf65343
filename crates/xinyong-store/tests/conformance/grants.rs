//! Subjects' grants to credit service bodies: stored, found per service, revoked at once, and
//! the granting person's number sealed at rest.

use chrono::{Duration, DurationRound, TimeDelta, Utc};
use xinyong_domain::code::SubjectCode;
use xinyong_domain::rights::SubjectGrant;

use crate::{Db, cases};

const PERSON: &str = "440305198507265865";

fn grant(id: &str, service: &str) -> SubjectGrant {
    let now = Utc::now()
        .duration_trunc(TimeDelta::milliseconds(1))
        .unwrap();
    SubjectGrant {
        id: id.into(),
        subject_code: SubjectCode::parse(PERSON).unwrap(),
        service: service.into(),
        purpose: "credit_report".into(),
        granted_at: now - Duration::minutes(1),
        valid_until: now + Duration::days(30),
        revoked_at: None,
    }
}

async fn a_grant_permits_its_service_until_the_subject_revokes_it(db: Db) {
    let store = db.store().await;
    let given = grant("G1", "某征信有限公司");
    store.put_grant(&given).await.unwrap();
    store.put_grant(&grant("G2", "另一征信公司")).await.unwrap();
    let found = store.grants_to(PERSON, "某征信有限公司").await.unwrap();
    assert_eq!(found, std::slice::from_ref(&given));
    let now = Utc::now();
    assert!(found[0].permits("某征信有限公司", PERSON, "credit_report", now));
    assert_eq!(store.grants_of_subject(PERSON).await.unwrap().len(), 2);

    let size = store.ledger_size().await.unwrap();
    let revoked = store
        .revoke_grant(PERSON, "G1", now)
        .await
        .unwrap()
        .unwrap();
    assert!(!revoked.permits("某征信有限公司", PERSON, "credit_report", now));
    assert_eq!(store.ledger_size().await.unwrap(), size + 1);
    // Revoking again changes nothing and logs nothing; another subject's grant is not found.
    let again = store
        .revoke_grant(PERSON, "G1", now + Duration::hours(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.revoked_at, revoked.revoked_at);
    assert_eq!(store.ledger_size().await.unwrap(), size + 1);
    assert!(
        store
            .revoke_grant("91110000600037341L", "G2", now)
            .await
            .unwrap()
            .is_none()
    );
    let raw = db.raw().await;
    assert!(raw.columns_containing(PERSON).await.is_empty());
}

cases!(a_grant_permits_its_service_until_the_subject_revokes_it);
