//! Platform statistics (issue #13, SPEC row 16): what each department submitted and how
//! (first submissions by decision and recording day, for the 7-working-day publication duty;
//! accepted and rejected rows; objections and how many were overturned), and what each region
//! holds (subjects, records, list entries, grades). Aggregated in SQL, the same on both
//! engines; rates, the duty's calendar and the regional index are computed by the caller.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::NaiveDate;

use crate::StoreError;
use crate::engine::{DbRow, Engine, Sql, SqlStore};

/// First submissions of one department decided on one day and recorded on another (in
/// China's time zone), and how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionDay {
    pub department: String,
    pub decided_on: NaiveDate,
    pub recorded_on: NaiveDate,
    pub records: u64,
}

/// Counters of one department.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepartmentCounts {
    /// Current records (every status).
    pub records: u64,
    /// Rows accepted and rejected by submissions and imports.
    pub accepted_rows: u64,
    pub rejected_rows: u64,
    /// Objections against its records, decided ones, and decided ones that corrected or
    /// removed the record (overturned).
    pub objections: u64,
    pub decided_objections: u64,
    pub overturned_objections: u64,
}

/// What one province (the first two digits of the division code) holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RegionCounts {
    pub subjects: u64,
    /// Current records in force (active or under objection, publicity running).
    pub records: u64,
    /// Current list entries in force, and the subjects they concern.
    pub list_entries: u64,
    pub listed_subjects: u64,
    /// Stored grades by grade id.
    pub grades: BTreeMap<String, u64>,
    /// Sum of the stored grades' scores, in hundredths of a point.
    pub score_centi_sum: i64,
}

/// Platform statistics.
#[async_trait]
pub trait StatsStore: Send + Sync {
    /// Counts rows a department submitted: accepted and rejected (a rejected batch stores no
    /// record, so this is the only trace of it).
    async fn count_submission(
        &self,
        department: &str,
        day: NaiveDate,
        accepted: u64,
        rejected: u64,
    ) -> Result<(), StoreError>;
    /// First versions of records grouped by department, decision day and recording day.
    async fn submission_days(&self) -> Result<Vec<SubmissionDay>, StoreError>;
    /// Counters per department code.
    async fn department_counts(&self) -> Result<BTreeMap<String, DepartmentCounts>, StoreError>;
    /// Counts per province (two-digit code; `""` where a code carries no division) on
    /// `today`, of the categories in `lists` for list entries.
    async fn region_counts(
        &self,
        lists: &[String],
        today: NaiveDate,
    ) -> Result<BTreeMap<String, RegionCounts>, StoreError>;
}

fn count(row: &impl DbRow, column: &str) -> Result<u64, StoreError> {
    Ok(u64::try_from(row.int(column)?).unwrap_or(0))
}

/// The province of a subject code column: characters 3-4 of a credit code, 1-2 of a person's.
fn province(code: &str, kind: &str) -> String {
    format!(
        "CASE WHEN {kind} = 'natural_person' THEN substr({code}, 1, 2) ELSE substr({code}, 3, 2) END"
    )
}

/// Records in force on the bound date.
const IN_FORCE: &str = "status IN ('active', 'under_objection') AND publicity_until > ";

#[async_trait]
impl<E: Engine> StatsStore for SqlStore<E> {
    async fn count_submission(
        &self,
        department: &str,
        day: NaiveDate,
        accepted: u64,
        rejected: u64,
    ) -> Result<(), StoreError> {
        let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        let mut sql =
            Sql::new::<E>("INSERT INTO submission_counts (department, day, accepted, rejected) ");
        sql.values([()], |t, ()| {
            t.bind(department.to_owned())
                .bind(day)
                .bind(n(accepted))
                .bind(n(rejected));
        });
        sql.push(
            " ON CONFLICT (department, day) DO UPDATE SET \
             accepted = submission_counts.accepted + excluded.accepted, \
             rejected = submission_counts.rejected + excluded.rejected",
        );
        self.execute(sql).await?;
        Ok(())
    }

    async fn submission_days(&self) -> Result<Vec<SubmissionDay>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT department, decided_on, ");
        sql.push(E::CHINA_DAY_OF_RECORDED_AT)
            .push(" AS recorded_on, COUNT(*) AS n FROM (SELECT department, decided_on, recorded_at FROM records WHERE version = 1 UNION ALL SELECT department, decided_on, recorded_at FROM record_history WHERE version = 1) firsts GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
        let mut out = Vec::new();
        for row in self.fetch_all(sql).await? {
            let day = row.text("recorded_on")?;
            out.push(SubmissionDay {
                department: row.text("department")?,
                decided_on: row.date("decided_on")?,
                recorded_on: NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                    .map_err(|_| crate::engine::corrupt("recording day", &day))?,
                records: count(&row, "n")?,
            });
        }
        Ok(out)
    }

    async fn department_counts(&self) -> Result<BTreeMap<String, DepartmentCounts>, StoreError> {
        let mut out: BTreeMap<String, DepartmentCounts> = BTreeMap::new();
        let sql = Sql::new::<E>("SELECT department, COUNT(*) AS n FROM records GROUP BY 1");
        for row in self.fetch_all(sql).await? {
            out.entry(row.text("department")?).or_default().records = count(&row, "n")?;
        }
        let sql = Sql::new::<E>(
            "SELECT department, CAST(SUM(accepted) AS BIGINT) AS a, CAST(SUM(rejected) AS BIGINT) AS r FROM submission_counts \
             GROUP BY 1",
        );
        for row in self.fetch_all(sql).await? {
            let d = out.entry(row.text("department")?).or_default();
            d.accepted_rows = count(&row, "a")?;
            d.rejected_rows = count(&row, "r")?;
        }
        let sql = Sql::new::<E>(
            "SELECT department, COUNT(*) AS n, \
             CAST(SUM(CASE WHEN status = 'decided' THEN 1 ELSE 0 END) AS BIGINT) AS decided, \
             CAST(SUM(CASE WHEN outcome IN ('corrected', 'removed') THEN 1 ELSE 0 END) AS BIGINT) AS overturned \
             FROM objections GROUP BY 1",
        );
        for row in self.fetch_all(sql).await? {
            let d = out.entry(row.text("department")?).or_default();
            d.objections = count(&row, "n")?;
            d.decided_objections = count(&row, "decided")?;
            d.overturned_objections = count(&row, "overturned")?;
        }
        Ok(out)
    }

    async fn region_counts(
        &self,
        lists: &[String],
        today: NaiveDate,
    ) -> Result<BTreeMap<String, RegionCounts>, StoreError> {
        let mut out: BTreeMap<String, RegionCounts> = BTreeMap::new();
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(&province("code", "kind"))
            .push(" AS p, COUNT(*) AS n FROM subjects GROUP BY 1");
        for row in self.fetch_all(sql).await? {
            out.entry(row.text("p")?).or_default().subjects = count(&row, "n")?;
        }
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(&province("subject_code", "subject_kind"))
            .push(" AS p, COUNT(*) AS n FROM records WHERE ")
            .push(IN_FORCE);
        sql.bind(today).push(" GROUP BY 1");
        for row in self.fetch_all(sql).await? {
            out.entry(row.text("p")?).or_default().records = count(&row, "n")?;
        }
        if !lists.is_empty() {
            let mut sql = Sql::new::<E>("SELECT ");
            sql.push(&province("subject_code", "subject_kind"))
                .push(" AS p, COUNT(*) AS n, COUNT(DISTINCT subject_code) AS s FROM records WHERE category IN (");
            sql.bind_list(lists).push(") AND ").push(IN_FORCE);
            sql.bind(today).push(" GROUP BY 1");
            for row in self.fetch_all(sql).await? {
                let r = out.entry(row.text("p")?).or_default();
                r.list_entries = count(&row, "n")?;
                r.listed_subjects = count(&row, "s")?;
            }
        }
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(&province("subject_code", "kind")).push(
            " AS p, grade, COUNT(*) AS n, CAST(SUM(score_centi) AS BIGINT) AS score FROM grades GROUP BY 1, 2",
        );
        for row in self.fetch_all(sql).await? {
            let r = out.entry(row.text("p")?).or_default();
            r.grades.insert(row.text("grade")?, count(&row, "n")?);
            r.score_centi_sum += row.int("score")?;
        }
        Ok(out)
    }
}
