//! Stored grades and inspection draws (issue #13). A grade row is derived data: the grade a
//! model gave a subject on a date, with its whole explanation, replaced when the subject is
//! graded again. What makes it trustworthy is the audit log: every batch of grades is logged
//! in the same transaction with the model's id, version and file digest, the date and a digest
//! of the grades, so a re-run of the same model on the same data can be compared. A draw is
//! logged with its seed and the population's digest for the same reason.

use async_trait::async_trait;
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use xinyong_domain::grading::{Grade, GradeSummary, Model};
use xinyong_domain::inspection::InspectionDraw;
use xinyong_domain::{Record, SubjectKind};

use crate::StoreError;
use crate::audit_log::append;
use crate::engine::{DbRow, Engine, Sql, SqlStore, corrupt, fits};
use crate::events::{Event, LedgerEvent};
use crate::model::StoredSubject;
use crate::record_rows::{RECORD_COLUMNS, bump_generation, decode_record, parse_kind};
use crate::search::decode_subject;

/// The write counter that moves with every batch of stored grades: pass it to
/// [`crate::RecordStore::generation`].
pub const GRADES_TOPIC: &str = "grades";

/// One page of subjects to grade, each with its current records.
#[derive(Debug, Clone, Default)]
pub struct GradingPage {
    pub subjects: Vec<(StoredSubject, Vec<Record>)>,
    /// The cursor for the next page; `None` after the last.
    pub next: Option<String>,
}

/// A stored grade without its explanation, with the subject it is of.
#[derive(Debug, Clone, PartialEq)]
pub struct GradedSubject {
    pub code: String,
    pub kind: SubjectKind,
    pub summary: GradeSummary,
}

/// Grades and inspection draws.
#[async_trait]
pub trait GradeStore: Send + Sync {
    /// Subjects of these kinds in a stable order after the cursor `after` (from the previous
    /// page's `next`), at most `limit`, each with its current records: what an evaluation
    /// streams through.
    async fn subjects_to_grade(
        &self,
        kinds: &[SubjectKind],
        after: Option<&str>,
        limit: u32,
    ) -> Result<GradingPage, StoreError>;
    /// Stores grades that `model` gave on `as_of`, replacing each subject's previous grade,
    /// in one transaction with one `grades.stored` entry. Every grade must be of `model`.
    async fn put_grades(
        &self,
        model: &Model,
        as_of: NaiveDate,
        grades: &[(&StoredSubject, &Grade)],
    ) -> Result<(), StoreError>;
    /// A subject's stored grade, explanation and all.
    async fn grade(&self, code: &str) -> Result<Option<Grade>, StoreError>;
    /// Stored grades without explanation in code order after `after`, at most `limit`:
    /// what the check index, statistics and draws read.
    async fn graded_after(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<GradedSubject>, StoreError>;
    /// Keeps a draw, with an `inspection.drawn` entry in the same transaction.
    async fn store_draw(&self, draw: &InspectionDraw) -> Result<(), StoreError>;
    /// A department's draws, newest first.
    async fn draws_of_department(
        &self,
        department: &str,
    ) -> Result<Vec<InspectionDraw>, StoreError>;
}

/// SHA-256 over the grades of a batch (code, grade, score in hundredths), in code order: the
/// same data, date and model give the same digest.
pub fn grades_digest(grades: &[(&str, &Grade)]) -> String {
    let mut sorted: Vec<&(&str, &Grade)> = grades.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let mut h = Sha256::new();
    for (code, g) in sorted {
        h.update(format!("{code}\t{}\t{}\n", g.grade, g.score_centi()).as_bytes());
    }
    hex::encode(h.finalize())
}

const DRAW_COLUMNS: &str = "id, department, seed, requested, population, population_size, \
     population_digest, drawn, drawn_at";

fn decode_draw(row: &impl DbRow) -> Result<InspectionDraw, StoreError> {
    let id = row.text("id")?;
    let json = |col: &str| -> Result<String, StoreError> { row.text(col) };
    Ok(InspectionDraw {
        department: row.text("department")?,
        // Seeds are u64; the column is a signed 64-bit integer holding the same bits.
        seed: row.int("seed")? as u64,
        requested: fits("draw size", row.int("requested")?)?,
        population: serde_json::from_str(&json("population")?)
            .map_err(|_| corrupt("draw population", &id))?,
        population_size: fits("population size", row.int("population_size")?)?,
        population_digest: row.text("population_digest")?,
        drawn: serde_json::from_str(&json("drawn")?).map_err(|_| corrupt("draw list", &id))?,
        drawn_at: row.time("drawn_at")?,
        id,
    })
}

#[async_trait]
impl<E: Engine> GradeStore for SqlStore<E> {
    async fn subjects_to_grade(
        &self,
        kinds: &[SubjectKind],
        after: Option<&str>,
        limit: u32,
    ) -> Result<GradingPage, StoreError> {
        if kinds.is_empty() || limit == 0 {
            return Ok(GradingPage::default());
        }
        let kinds: Vec<&'static str> = kinds.iter().map(|k| k.as_str()).collect();
        let mut sql =
            Sql::new::<E>("SELECT id, code, name, kind, code_sealed FROM subjects WHERE kind IN (");
        sql.bind_list(kinds.iter().copied()).push(")");
        if let Some(after) = after {
            sql.push(" AND code > ").bind(after.to_owned());
        }
        sql.push(" ORDER BY code LIMIT ").bind(limit);
        let rows = self.fetch_all(sql).await?;
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
            return Ok(GradingPage::default());
        };
        let (first, last) = (first.text("code")?, last.text("code")?);
        let mut subjects = Vec::with_capacity(rows.len());
        for row in &rows {
            subjects.push((row.text("code")?, decode_subject(row, &self.vault)?));
        }
        // One range scan of the by-subject index for the whole page.
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(RECORD_COLUMNS)
            .push(" FROM records WHERE subject_code >= ");
        sql.bind(first.clone())
            .push(" AND subject_code <= ")
            .bind(last.clone());
        sql.push(" ORDER BY subject_code, id");
        // Keyed by the page's own codes (not by position: the database's collation orders
        // them, which need not be Rust's byte order).
        let mut by_lookup: std::collections::HashMap<String, Vec<Record>> = subjects
            .iter()
            .map(|(code, _)| (code.clone(), Vec::new()))
            .collect();
        for row in self.fetch_all(sql).await? {
            // A subject of another kind within the range has no entry: skipped.
            if let Some(records) = by_lookup.get_mut(&row.text("subject_code")?) {
                records.push(decode_record(&row, &self.vault)?);
            }
        }
        let full = rows.len() == limit as usize;
        Ok(GradingPage {
            subjects: subjects
                .into_iter()
                .map(|(lookup, s)| {
                    let records = by_lookup.remove(&lookup).unwrap_or_default();
                    (s, records)
                })
                .collect(),
            next: full.then_some(last),
        })
    }

    async fn put_grades(
        &self,
        model: &Model,
        as_of: NaiveDate,
        grades: &[(&StoredSubject, &Grade)],
    ) -> Result<(), StoreError> {
        if grades.is_empty() {
            return Ok(());
        }
        let now = chrono::Utc::now();
        let mut rows = Vec::with_capacity(grades.len());
        for (s, g) in grades {
            let explanation = serde_json::to_string(g)
                .map_err(|e| StoreError::Corrupt(format!("grade of {}: {e}", s.id)))?;
            rows.push((
                self.vault.lookup_code(s.code.as_str()),
                s.kind,
                *g,
                explanation,
            ));
        }
        let mut tx = self.begin_write().await?;
        // 10 values a row: 500 rows stay well within either engine's limit on bound values.
        for chunk in rows.chunks(500) {
            let mut sql = Sql::new::<E>(
                "INSERT INTO grades (subject_code, kind, model, model_version, grade, grade_zh, \
                 score_centi, as_of, explanation, graded_at) ",
            );
            sql.values(chunk, |t, (code, kind, g, explanation)| {
                t.bind(code.clone())
                    .bind(kind.as_str())
                    .bind(g.model.clone())
                    .bind(g.model_version.clone())
                    .bind(g.grade.clone())
                    .bind(g.grade_zh.clone())
                    .bind(g.score_centi())
                    .bind(g.as_of)
                    .bind(explanation.clone())
                    .bind(now);
            });
            sql.push(
                " ON CONFLICT (subject_code) DO UPDATE SET kind = excluded.kind, \
                 model = excluded.model, model_version = excluded.model_version, \
                 grade = excluded.grade, grade_zh = excluded.grade_zh, score_centi = excluded.score_centi, \
                 as_of = excluded.as_of, explanation = excluded.explanation, \
                 graded_at = excluded.graded_at",
            );
            E::execute(&mut tx, sql).await?;
        }
        let keyed: Vec<(&str, &Grade)> = rows
            .iter()
            .map(|(code, _, g, _)| (code.as_str(), *g))
            .collect();
        let digest = grades_digest(&keyed);
        let entry = LedgerEvent::new(
            Event::GradesStored {
                model,
                as_of,
                count: grades.len() as u64,
                grades_digest: &digest,
            },
            "platform",
        );
        append::<E>(&mut tx, &self.vault, &[entry]).await?;
        // Servers holding grades in memory reload when this moves (`generation(["grades"])`).
        bump_generation::<E>(&mut tx, &[GRADES_TOPIC]).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn grade(&self, code: &str) -> Result<Option<Grade>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT explanation FROM grades WHERE subject_code = ");
        sql.bind(self.vault.lookup_code(code));
        let Some(row) = self.fetch_optional(sql).await? else {
            return Ok(None);
        };
        let text = row.text("explanation")?;
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(format!("stored grade: {e}")))
    }

    async fn graded_after(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<GradedSubject>, StoreError> {
        let mut sql = Sql::new::<E>(
            "SELECT g.subject_code, g.kind, g.model, g.model_version, g.grade, g.grade_zh, \
             g.score_centi, \
             g.as_of, s.code_sealed FROM grades g JOIN subjects s ON s.code = g.subject_code",
        );
        if let Some(after) = after {
            sql.push(" WHERE g.subject_code > ").bind(after.to_owned());
        }
        sql.push(" ORDER BY g.subject_code LIMIT ").bind(limit);
        let mut out = Vec::new();
        for row in self.fetch_all(sql).await? {
            let lookup = row.text("subject_code")?;
            let code = self
                .vault
                .open_code(lookup, row.opt_text("code_sealed")?.as_deref())?;
            let grade = row.text("grade")?;
            out.push(GradedSubject {
                code,
                kind: parse_kind(&row.text("kind")?)?,
                summary: GradeSummary {
                    grade_zh: row.text("grade_zh")?,
                    grade,
                    score: row.int("score_centi")? as f64 / 100.0,
                    model: row.text("model")?,
                    model_version: row.text("model_version")?,
                    as_of: row.date("as_of")?,
                },
            });
        }
        Ok(out)
    }

    async fn store_draw(&self, d: &InspectionDraw) -> Result<(), StoreError> {
        let population = serde_json::to_string(&d.population)
            .map_err(|e| StoreError::Corrupt(format!("draw population: {e}")))?;
        let drawn = serde_json::to_string(&d.drawn)
            .map_err(|e| StoreError::Corrupt(format!("draw list: {e}")))?;
        let mut tx = self.begin_write().await?;
        let mut sql = Sql::new::<E>("INSERT INTO inspection_draws (");
        sql.push(DRAW_COLUMNS).push(") ");
        sql.values([d], |t, d| {
            t.bind(d.id.clone())
                .bind(d.department.clone())
                .bind(d.seed as i64)
                .bind(i64::try_from(d.requested).unwrap_or(i64::MAX))
                .bind(population.clone())
                .bind(i64::try_from(d.population_size).unwrap_or(i64::MAX))
                .bind(d.population_digest.clone())
                .bind(drawn.clone())
                .bind(d.drawn_at);
        });
        E::execute(&mut tx, sql).await?;
        let entry = LedgerEvent::new(Event::InspectionDrawn(d), &d.department);
        append::<E>(&mut tx, &self.vault, &[entry]).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn draws_of_department(
        &self,
        department: &str,
    ) -> Result<Vec<InspectionDraw>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(DRAW_COLUMNS)
            .push(" FROM inspection_draws WHERE department = ");
        sql.bind(department.to_owned())
            .push(" ORDER BY drawn_at DESC, id DESC");
        self.fetch_all(sql).await?.iter().map(decode_draw).collect()
    }
}
