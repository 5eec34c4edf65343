//! The rights of credit subjects (SPEC row 10, invariant "Subjects can see and contest"): objections
//! with working-day deadlines, credit repair eligibility (NDRC Order No. 36), the protection of
//! minors, and the subject's own authorisation of a credit service body. Pure rules: the store
//! keeps the cases, the web crate serves them.

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{Deadline, WorkingCalendar};
use crate::catalogue::{Catalogue, Category, DayCount, Procedure, Tier};
use crate::code::SubjectCode;
use crate::record::{Record, RecordId, RecordStatus};
use crate::subject::SubjectKind;

/// What a subject contests (DOMAIN.md: content, publication period, or a repair result).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ObjectionGround {
    /// The record's content is wrong.
    Content,
    /// The record is published for longer than its period allows.
    PublicityPeriod,
    /// A repair application was refused wrongly.
    RepairDecision,
}

impl ObjectionGround {
    pub const ALL: [ObjectionGround; 3] = [
        ObjectionGround::Content,
        ObjectionGround::PublicityPeriod,
        ObjectionGround::RepairDecision,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ObjectionGround::Content => "content",
            ObjectionGround::PublicityPeriod => "publicity_period",
            ObjectionGround::RepairDecision => "repair_decision",
        }
    }

    pub fn parse(s: &str) -> Option<ObjectionGround> {
        ObjectionGround::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

/// How the source department decides an objection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ObjectionOutcome {
    /// The record stands as it is.
    Upheld,
    /// The record is corrected: a new version.
    Corrected,
    /// The record is revoked.
    Removed,
}

impl ObjectionOutcome {
    pub const ALL: [ObjectionOutcome; 3] = [
        ObjectionOutcome::Upheld,
        ObjectionOutcome::Corrected,
        ObjectionOutcome::Removed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ObjectionOutcome::Upheld => "upheld",
            ObjectionOutcome::Corrected => "corrected",
            ObjectionOutcome::Removed => "removed",
        }
    }

    pub fn parse(s: &str) -> Option<ObjectionOutcome> {
        ObjectionOutcome::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// The deadline of each step of a procedure, counted from the filing date in the calendar's
/// working days (or calendar days where the procedure says so), each step from the end of the
/// one before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepDeadline {
    /// The step's id in the catalogue (`acceptance`, `platform_check`, ...).
    pub step: String,
    #[serde(flatten)]
    pub deadline: Deadline,
}

/// Why a procedure's deadlines cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RightsError {
    #[error("the catalogue publishes no {0} procedure")]
    NoProcedure(&'static str),
    #[error("record {0} is not one the subject can contest: it is {1}")]
    NotContestable(RecordId, &'static str),
}

/// Where an objection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ObjectionStatus {
    /// Filed; the record is marked "under objection" until the source department decides.
    Open,
    /// The source department decided (see the outcome).
    Decided,
}

impl ObjectionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectionStatus::Open => "open",
            ObjectionStatus::Decided => "decided",
        }
    }

    pub fn parse(s: &str) -> Option<ObjectionStatus> {
        [ObjectionStatus::Open, ObjectionStatus::Decided]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// An objection case: a subject contests one record; only the record's source department
/// decides it (SPEC row 10, invariant "Subjects can see and contest").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Objection {
    pub id: String,
    /// The contested record.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub record: RecordId,
    /// Who objected: the record's subject.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub subject_code: SubjectCode,
    /// The record's source department, the only one that decides.
    pub department: String,
    pub ground: ObjectionGround,
    /// The subject's reasons (never public).
    pub reason: String,
    pub filed_at: DateTime<Utc>,
    /// Deadlines of each step of the catalogue's `objection` procedure, from the filing date.
    pub deadlines: Vec<StepDeadline>,
    pub status: ObjectionStatus,
    pub outcome: Option<ObjectionOutcome>,
    pub decision_reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Ids of the evidence files the subject attached (see [`crate::attachment`]); never
    /// public.
    #[serde(default)]
    pub attachments: Vec<String>,
    /// When the platform escalated the case for being open past its last deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalated_at: Option<DateTime<Utc>>,
}

impl Objection {
    /// The date by which the source department must have decided: the last step's deadline.
    pub fn due_on(&self) -> Option<NaiveDate> {
        self.deadlines.last().map(|d| d.deadline.date)
    }

    /// Open past its last deadline on `today`: listed for the operator to escalate.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.status == ObjectionStatus::Open && self.due_on().is_some_and(|due| today > due)
    }

    /// Overdue on `today` and not escalated yet: the platform escalates it now.
    pub fn to_escalate(&self, today: NaiveDate) -> bool {
        self.overdue(today) && self.escalated_at.is_none()
    }
}

/// The record status an objection's outcome leaves: an upheld record returns to the status it
/// had when the objection was filed (`before`), a corrected one is in force as corrected, a
/// removed one is revoked.
pub fn status_after(outcome: ObjectionOutcome, before: RecordStatus) -> RecordStatus {
    match outcome {
        ObjectionOutcome::Upheld => before,
        ObjectionOutcome::Corrected => RecordStatus::Active,
        ObjectionOutcome::Removed => RecordStatus::Revoked,
    }
}

/// The deadlines of every step of `procedure` for a case filed on `filed_on`.
pub fn deadlines(
    procedure: &Procedure,
    calendar: &WorkingCalendar,
    filed_on: NaiveDate,
) -> Vec<StepDeadline> {
    let mut from = filed_on;
    let mut provisional = false;
    procedure
        .steps
        .iter()
        .map(|step| {
            let deadline = match procedure.day_count {
                DayCount::Working => calendar.deadline(from, step.days),
                DayCount::Calendar => Deadline {
                    date: from + chrono::Days::new(u64::from(step.days)),
                    provisional: false,
                },
            };
            // A step that follows a provisional one is provisional too.
            provisional |= deadline.provisional;
            from = deadline.date;
            StepDeadline {
                step: step.id.clone(),
                deadline: Deadline {
                    date: deadline.date,
                    provisional,
                },
            }
        })
        .collect()
}

/// The day a case filed at `at` counts from: the date in China (UTC+8, no daylight saving).
pub fn filing_day(at: DateTime<Utc>) -> NaiveDate {
    (at + chrono::Duration::hours(8)).date_naive()
}

/// A case's deadlines once `calendar` may hold more years than when they were computed:
/// `Some` with the deadlines recomputed under `procedure` when some stored one is provisional
/// and the recomputation differs (a year's holidays were published since), `None` when
/// nothing changes or the procedure's steps are no longer those the case was filed under.
pub fn settled_deadlines(
    stored: &[StepDeadline],
    procedure: &Procedure,
    calendar: &WorkingCalendar,
    filed_on: NaiveDate,
) -> Option<Vec<StepDeadline>> {
    if !stored.iter().any(|s| s.deadline.provisional) {
        return None;
    }
    let fresh = deadlines(procedure, calendar, filed_on);
    let same_steps =
        fresh.len() == stored.len() && fresh.iter().zip(stored).all(|(f, s)| f.step == s.step);
    (same_steps && fresh != stored).then_some(fresh)
}

/// The deadlines of an objection filed on `filed_on` (the catalogue's `objection` procedure).
pub fn objection_deadlines(
    catalogue: &Catalogue,
    calendar: &WorkingCalendar,
    filed_on: NaiveDate,
) -> Result<Vec<StepDeadline>, RightsError> {
    let procedure = catalogue
        .procedure("objection")
        .ok_or(RightsError::NoProcedure("objection"))?;
    Ok(deadlines(procedure, calendar, filed_on))
}

/// Whether a record can be contested now: its current version is in force or already repaired
/// (a repair decision can be contested), not revoked or removed.
pub fn contestable(record: &Record, ground: ObjectionGround) -> Result<(), RightsError> {
    let refuse = |what| Err(RightsError::NotContestable(record.id.clone(), what));
    match (record.status, ground) {
        (RecordStatus::UnderObjection, _) => refuse("already under objection"),
        (RecordStatus::Revoked, _) => refuse("revoked"),
        (RecordStatus::Removed, _) => refuse("removed"),
        (RecordStatus::Repaired, ObjectionGround::RepairDecision) => Ok(()),
        (RecordStatus::Repaired, _) => refuse("repaired"),
        (RecordStatus::Active, _) => Ok(()),
    }
}

/// Why a repair application cannot be accepted (yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[error("{reason}")]
pub struct Ineligible {
    /// What stands in the way, in words the subject can act on.
    pub reason: String,
    /// The first day an application becomes possible, where waiting is all it takes.
    pub earliest: Option<NaiveDate>,
}

/// How a record may be repaired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RepairPath {
    /// Minor-tier information: repaired as soon as the obligation is recorded as fulfilled,
    /// without an application.
    OnFulfilment,
    /// An application with a public credit commitment, decided by the department that made
    /// the finding.
    Application,
}

/// Decides whether a record may be repaired on `today` (NDRC Order No. 36): only negative
/// information of a repairable category, in force; minor tier on fulfilment; general and
/// serious tiers only after their minimum publication period from the decision date.
/// Fulfilment of the obligation and the commitment are the application's own content.
pub fn repair_path(
    record: &Record,
    category: &Category,
    today: NaiveDate,
) -> Result<RepairPath, Ineligible> {
    let refuse = |reason: String| Ineligible {
        reason,
        earliest: None,
    };
    if !category.negative {
        return Err(refuse(format!(
            "{} is not negative information: there is nothing to repair",
            category.name_en
        )));
    }
    if !category.repairable {
        return Err(refuse(format!(
            "{} cannot be repaired: the law that governs it allows no credit repair",
            category.name_en
        )));
    }
    match record.status {
        RecordStatus::Active => {}
        RecordStatus::UnderObjection => {
            return Err(refuse(
                "the record is under objection: wait for the decision".into(),
            ));
        }
        RecordStatus::Repaired => return Err(refuse("the record is already repaired".into())),
        RecordStatus::Revoked | RecordStatus::Removed => {
            return Err(refuse("the record is no longer in force".into()));
        }
    }
    if today >= record.publicity_until {
        return Err(refuse(
            "its publication has already ended: it no longer counts".into(),
        ));
    }
    if record.tier == Some(Tier::Minor) {
        return Ok(RepairPath::OnFulfilment);
    }
    let min_months = category
        .period(record.tier)
        .map_or(0, |period| period.min_months);
    let earliest = record
        .decided_on
        .checked_add_months(Months::new(min_months))
        .unwrap_or(record.decided_on);
    if today < earliest {
        return Err(Ineligible {
            reason: format!(
                "the minimum publication period of {min_months} months from the decision of {} \
                 has not passed",
                record.decided_on
            ),
            earliest: Some(earliest),
        });
    }
    Ok(RepairPath::Application)
}

/// Where a repair application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RepairStatus {
    /// Filed; the department that made the finding decides.
    Pending,
    /// Repaired: the record leaves public views, sharing with services, checks and grades.
    Granted,
    /// Refused; the subject may object to the refusal.
    Refused,
}

impl RepairStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RepairStatus::Pending => "pending",
            RepairStatus::Granted => "granted",
            RepairStatus::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Option<RepairStatus> {
        [
            RepairStatus::Pending,
            RepairStatus::Granted,
            RepairStatus::Refused,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }
}

/// A subject's application to repair one negative record (NDRC Order No. 36), with the
/// public credit commitment it makes; decided once by the department that made the finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RepairApplication {
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub record: RecordId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub subject_code: SubjectCode,
    /// The department that made the finding, the only one that decides.
    pub department: String,
    /// The credit commitment the subject makes; published as a `credit_commitment` record
    /// (type 信用修复型) when the repair is granted.
    pub commitment: String,
    /// What shows that the obligation is fulfilled (payment references, documents); never
    /// public.
    pub evidence: Vec<String>,
    pub filed_at: DateTime<Utc>,
    /// Deadlines of the catalogue's `repair` procedure, from the filing date.
    pub deadlines: Vec<StepDeadline>,
    pub status: RepairStatus,
    pub decision_reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Ids of the evidence files the subject attached; never public.
    #[serde(default)]
    pub attachments: Vec<String>,
}

/// The deadlines of a repair application filed on `filed_on` (the catalogue's `repair`
/// procedure).
pub fn repair_deadlines(
    catalogue: &Catalogue,
    calendar: &WorkingCalendar,
    filed_on: NaiveDate,
) -> Result<Vec<StepDeadline>, RightsError> {
    let procedure = catalogue
        .procedure("repair")
        .ok_or(RightsError::NoProcedure("repair"))?;
    Ok(deadlines(procedure, calendar, filed_on))
}

/// The `credit_commitment` record a granted repair publishes: the subject's commitment, of
/// type 信用修复型, accepted by the deciding department (`department_name`) on `today`;
/// `category_name` names the repaired record's category.
pub fn commitment_record(
    application: &RepairApplication,
    repaired: &Record,
    category_name: &str,
    department_name: &str,
    today: NaiveDate,
) -> crate::RawRecord {
    use crate::catalogue::CoreAttribute as A;
    let mut raw = crate::RawRecord::default();
    raw.set(A::Category, "category", "credit_commitment");
    raw.set(
        A::SubjectCode,
        "subject.code",
        repaired.subject_code.as_str(),
    );
    raw.set(
        A::SubjectName,
        "subject.name",
        repaired.subject_name.clone(),
    );
    raw.set(
        A::SubjectKind,
        "subject.kind",
        repaired.subject_kind.as_str(),
    );
    raw.set(
        A::DocumentNo,
        "document_no",
        format!("信用修复承诺-{}", application.id),
    );
    raw.set(A::DecidedOn, "decided_on", today.to_string());
    raw.set(
        A::LegalBasis,
        "legal_basis",
        "《失信行为纠正后的信用信息修复管理办法（试行）》",
    );
    let field = |v: &str| serde_json::Value::String(v.to_owned());
    raw.fields
        .insert("commitment_type".into(), field("信用修复型"));
    raw.fields.insert(
        "matter".into(),
        field(&format!(
            "信用修复：{category_name} {}",
            repaired.document_no
        )),
    );
    raw.fields
        .insert("content".into(), field(&application.commitment));
    raw.fields
        .insert("accepting_unit".into(), field(department_name));
    raw
}

/// Whether the record is about a natural person who was under 18 on its decision date. Such
/// records are never public and never shared outside the source department, whatever the
/// category (the protection of minors, SPEC row 10).
pub fn about_a_minor(record: &Record) -> bool {
    if record.subject_kind != SubjectKind::NaturalPerson {
        return false;
    }
    match &record.subject_code {
        SubjectCode::Citizen(id) => id
            .birth_date()
            .checked_add_months(Months::new(18 * 12))
            .is_some_and(|adult| record.decided_on < adult),
        SubjectCode::Unified(_) => false,
    }
}

/// A subject's authorisation of a credit service body to read its non-public file for a
/// purpose and a period. Revocation takes effect at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubjectGrant {
    pub id: String,
    /// The subject that grants (full code: mask before public output).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub subject_code: SubjectCode,
    /// The credit service body, by its registered name (the label of its service tokens).
    pub service: String,
    /// A purpose the service may state (`data/purposes.toml`).
    pub purpose: String,
    pub granted_at: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl SubjectGrant {
    /// Whether the grant lets `service` read `subject_code`'s file for `purpose` at `now`.
    pub fn permits(
        &self,
        service: &str,
        subject_code: &str,
        purpose: &str,
        now: DateTime<Utc>,
    ) -> bool {
        self.service == service
            && self
                .subject_code
                .as_str()
                .eq_ignore_ascii_case(subject_code)
            && self.purpose == purpose
            && self.revoked_at.is_none_or(|r| now < r)
            && self.granted_at <= now
            && now < self.valid_until
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::collections::BTreeMap;

    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn record(category: &str, tier: Option<Tier>, decided_on: &str, until: &str) -> Record {
        Record {
            id: "R1".into(),
            version: 1,
            status: RecordStatus::Active,
            department: "D".into(),
            category: category.into(),
            subject_code: SubjectCode::parse("91110000600037341L").unwrap(),
            subject_name: "北京示例科技有限公司".into(),
            subject_kind: SubjectKind::LegalPerson,
            document_no: "罚1".into(),
            decided_on: d(decided_on),
            legal_basis: "《行政处罚法》".into(),
            tier,
            publicity_until: d(until),
            fields: BTreeMap::new(),
            content_hash: String::new(),
            recorded_at: Utc::now(),
            listing: None,
            status_note: None,
        }
    }

    #[test]
    fn objection_deadlines_follow_the_catalogue_and_the_calendar() {
        let cat = Catalogue::shipped();
        let cal = WorkingCalendar::shipped();
        // Filed Friday 13 February 2026, before the Spring Festival: acceptance 2 working days
        // (Saturday 14th is worked, then Tuesday 24th), platform check 2 more, verification 10.
        let dl = objection_deadlines(&cat, &cal, d("2026-02-13")).unwrap();
        let dates: Vec<(String, NaiveDate)> = dl
            .iter()
            .map(|s| (s.step.clone(), s.deadline.date))
            .collect();
        assert_eq!(
            dates,
            [
                ("acceptance".into(), d("2026-02-24")),
                ("platform_check".into(), d("2026-02-26")),
                ("source_verification".into(), d("2026-03-11")),
            ]
        );
        assert!(dl.iter().all(|s| !s.deadline.provisional));
        // Filed on 20 December 2026, next year's notice not out: the later steps are provisional.
        let late = objection_deadlines(&cat, &cal, d("2026-12-20")).unwrap();
        assert!(!late[0].deadline.provisional && late[2].deadline.provisional);
    }

    #[test]
    fn repair_waits_for_the_minimum_period_and_names_the_earliest_date() {
        let cat = Catalogue::shipped();
        let penalties = cat.category("admin_penalty").unwrap();
        let general = record(
            "admin_penalty",
            Some(Tier::General),
            "2026-10-01",
            "2027-10-01",
        );
        let err = repair_path(&general, penalties, d("2026-12-02")).unwrap_err();
        assert_eq!(err.earliest, Some(d("2027-01-01")));
        assert_eq!(
            repair_path(&general, penalties, d("2027-01-01")),
            Ok(RepairPath::Application)
        );
        let minor = record(
            "admin_penalty",
            Some(Tier::Minor),
            "2026-11-01",
            "2027-02-01",
        );
        assert_eq!(
            repair_path(&minor, penalties, d("2026-11-02")),
            Ok(RepairPath::OnFulfilment)
        );
    }

    #[test]
    fn non_repairable_and_non_negative_information_is_refused_without_a_date() {
        let cat = Catalogue::shipped();
        let defaulter = record("court_defaulter", None, "2026-01-01", "2028-01-01");
        let err = repair_path(
            &defaulter,
            cat.category("court_defaulter").unwrap(),
            d("2026-12-02"),
        )
        .unwrap_err();
        assert!(
            err.earliest.is_none() && err.reason.contains("cannot be repaired"),
            "{err}"
        );
        let licence = record("admin_license", None, "2026-01-01", "2029-01-01");
        assert!(
            repair_path(
                &licence,
                cat.category("admin_license").unwrap(),
                d("2026-12-02")
            )
            .is_err()
        );
    }

    #[test]
    fn a_minors_record_is_never_public_and_stays_with_its_source_department() {
        let mut r = record(
            "admin_penalty",
            Some(Tier::General),
            "2026-10-01",
            "2027-10-01",
        );
        r.subject_kind = SubjectKind::NaturalPerson;
        let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(1);
        let div = crate::code::DivisionCode::parse("440305").unwrap();
        r.subject_code = SubjectCode::Citizen(crate::code::CitizenId::generate(
            &mut rng,
            &div,
            2010..=2010,
        ));
        assert!(about_a_minor(&r));
        // Never public, whatever the category, and shared only with the source department.
        let cat = Catalogue::shipped();
        assert_eq!(
            crate::disclosure::public_visibility(
                &r,
                cat.category("admin_penalty").unwrap(),
                d("2026-12-02")
            ),
            Err(crate::disclosure::Hidden::AboutAMinor)
        );
        assert!(crate::disclosure::shareable_with(&r, Some("D")));
        assert!(!crate::disclosure::shareable_with(&r, Some("E")));
        assert!(!crate::disclosure::shareable_with(&r, None));
        r.subject_code = SubjectCode::Citizen(crate::code::CitizenId::generate(
            &mut rng,
            &div,
            1990..=1990,
        ));
        assert!(!about_a_minor(&r));
    }

    #[test]
    fn a_grant_permits_one_service_one_purpose_until_revoked_or_expired() {
        let now = Utc::now();
        let mut g = SubjectGrant {
            id: "G".into(),
            subject_code: SubjectCode::parse("91110000600037341L").unwrap(),
            service: "S".into(),
            purpose: "credit_report".into(),
            granted_at: now,
            valid_until: now + chrono::Duration::days(30),
            revoked_at: None,
        };
        assert!(g.permits("S", "91110000600037341L", "credit_report", now));
        assert!(!g.permits("T", "91110000600037341L", "credit_report", now));
        assert!(!g.permits("S", "91110000600037341L", "financing", now));
        assert!(!g.permits(
            "S",
            "91110000600037341L",
            "credit_report",
            now + chrono::Duration::days(30)
        ));
        g.revoked_at = Some(now);
        assert!(!g.permits("S", "91110000600037341L", "credit_report", now));
    }
}
