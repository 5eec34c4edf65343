//! Keeping grades current (issue #13): the full re-evaluation (`xinyong evaluate`, and `serve`
//! once a day), the re-grading of the subjects a write touched (a record, a list entry, an
//! objection decision, a repair), and the in-memory index of grade summaries that the credit
//! check answers from without touching disk.
//!
//! Which model grades a subject: the first loaded model that applies to its kind (see
//! [`Model::for_kind`]); its grade is stored whether or not the model is public, and
//! `GET /subjects/{code}/grade` decides who may read it.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::NaiveDate;
use xinyong_domain::SubjectKind;
use xinyong_domain::catalogue::Catalogue;
use xinyong_domain::grading::{Grade, GradeSummary, Model, evaluate};
use xinyong_store::grades::GRADES_TOPIC;
use xinyong_store::{Store, StoreError, StoredSubject};

/// Subjects graded per page of a full evaluation: one read of subjects, one range scan of
/// records and one write transaction each.
pub const PAGE: u32 = 2000;

/// How many subjects each model graded in a full evaluation, and where its time went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evaluated {
    /// (model id, version, subjects graded), in the order the models are loaded.
    pub by_model: Vec<(String, String, u64)>,
    /// Reading subjects with their records, grading them, storing the grades (for `bench
    /// evaluate`, which says which part bounds a re-grade).
    pub reading: std::time::Duration,
    pub grading: std::time::Duration,
    pub storing: std::time::Duration,
}

impl Evaluated {
    pub fn total(&self) -> u64 {
        self.by_model.iter().map(|(_, _, n)| n).sum()
    }
}

/// The kinds each model grades: a kind belongs to the first model that applies to it.
fn kinds_of(models: &[Model]) -> Vec<(&Model, Vec<SubjectKind>)> {
    models
        .iter()
        .map(|m| {
            let kinds = SubjectKind::ALL
                .into_iter()
                .filter(|k| Model::for_kind(models, *k, true).is_some_and(|f| f.id == m.id))
                .collect();
            (m, kinds)
        })
        .filter(|(_, kinds): &(&Model, Vec<SubjectKind>)| !kinds.is_empty())
        .collect()
}

/// Re-grades every subject that a model grades, on `today`, streaming page by page; calls
/// `progress` with the number graded so far after each page. Deterministic: the same data,
/// date and models give the same grades (and the same `grades.stored` digests).
pub async fn evaluate_all(
    store: &dyn Store,
    models: &[Model],
    catalogue: &Catalogue,
    today: NaiveDate,
    mut progress: impl FnMut(u64),
) -> Result<Evaluated, StoreError> {
    let mut out = Evaluated::default();
    let mut done = 0;
    for (model, kinds) in kinds_of(models) {
        let mut graded = 0;
        let mut after: Option<String> = None;
        loop {
            let started = std::time::Instant::now();
            let page = store
                .subjects_to_grade(&kinds, after.as_deref(), PAGE)
                .await?;
            let read = std::time::Instant::now();
            let grades: Vec<Grade> = page
                .subjects
                .iter()
                .map(|(_, records)| evaluate(model, catalogue, records, today))
                .collect();
            let graded_at = std::time::Instant::now();
            let pairs: Vec<(&StoredSubject, &Grade)> =
                page.subjects.iter().map(|(s, _)| s).zip(&grades).collect();
            store.put_grades(model, today, &pairs).await?;
            out.reading += read - started;
            out.grading += graded_at - read;
            out.storing += graded_at.elapsed();
            graded += pairs.len() as u64;
            done += pairs.len() as u64;
            progress(done);
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        out.by_model
            .push((model.id.clone(), model.version.clone(), graded));
    }
    Ok(out)
}

/// Grades one subject now from its current records, or `None` when no model grades its kind.
pub async fn grade_now(
    store: &dyn Store,
    models: &[Model],
    catalogue: &Catalogue,
    subject: &StoredSubject,
    today: NaiveDate,
) -> Result<Option<(Grade, usize)>, StoreError> {
    let Some(model) = Model::for_kind(models, subject.kind, true) else {
        return Ok(None);
    };
    let records = store.records_of_subject(subject.code.as_str()).await?;
    let index = models.iter().position(|m| m.id == model.id).unwrap_or(0);
    Ok(Some((evaluate(model, catalogue, &records, today), index)))
}

/// Re-grades the subjects a write touched and stores their grades (one batch per model), so
/// that a record, list entry, objection decision or repair moves the grade at once. Codes of
/// unknown subjects and of kinds no model grades are skipped.
pub async fn regrade(
    store: &dyn Store,
    models: &[Model],
    catalogue: &Catalogue,
    index: &GradeIndex,
    codes: &[&str],
    today: NaiveDate,
) -> Result<usize, StoreError> {
    let mut codes: Vec<&str> = codes.to_vec();
    codes.sort_unstable();
    codes.dedup();
    let mut by_model: HashMap<usize, Vec<(StoredSubject, Grade)>> = HashMap::new();
    for code in codes {
        let Some(subject) = store.subject(code).await? else {
            continue;
        };
        if let Some((grade, m)) = grade_now(store, models, catalogue, &subject, today).await? {
            by_model.entry(m).or_default().push((subject, grade));
        }
    }
    let mut n = 0;
    let batches = by_model.len() as i64;
    for (m, graded) in by_model {
        let pairs: Vec<(&StoredSubject, &Grade)> = graded.iter().map(|(s, g)| (s, g)).collect();
        store.put_grades(&models[m], today, &pairs).await?;
        for (s, g) in &graded {
            index.put(s.code.as_str(), &g.summary());
        }
        n += graded.len();
    }
    if batches > 0 {
        index.adopt_own_writes(store.generation(&[GRADES_TOPIC.to_owned()]).await?, batches);
    }
    Ok(n)
}

/// A stored grade as the index holds it: interned names and fixed-size numbers, so that a
/// million graded subjects cost tens of megabytes, not hundreds.
#[derive(Clone, Copy)]
struct Compact {
    grade: u16,
    model: u16,
    score_centi: i32,
    as_of: NaiveDate,
}

#[derive(Default)]
struct Data {
    /// Codes of 18 bytes (credit codes and identity numbers alike) without a heap allocation.
    by_code: HashMap<[u8; 18], Compact>,
    /// Any other code (none today: every code has 18 characters).
    other: HashMap<String, Compact>,
    /// (grade id, Chinese name) and (model id, version), interned.
    grades: Vec<(String, String)>,
    models: Vec<(String, String)>,
    generation: i64,
}

fn intern(table: &mut Vec<(String, String)>, a: &str, b: &str) -> u16 {
    if let Some(i) = table.iter().position(|(x, y)| x == a && y == b) {
        return u16::try_from(i).unwrap_or(u16::MAX);
    }
    table.push((a.to_owned(), b.to_owned()));
    u16::try_from(table.len() - 1).unwrap_or(u16::MAX)
}

fn key(code: &str) -> Option<[u8; 18]> {
    code.as_bytes().try_into().ok()
}

impl Data {
    fn insert(&mut self, code: &str, s: &GradeSummary) {
        let c = Compact {
            grade: intern(&mut self.grades, &s.grade, &s.grade_zh),
            model: intern(&mut self.models, &s.model, &s.model_version),
            score_centi: i32::try_from((s.score * 100.0).round() as i64).unwrap_or(0),
            as_of: s.as_of,
        };
        match key(code) {
            Some(k) => {
                self.by_code.insert(k, c);
            }
            None => {
                self.other.insert(code.to_owned(), c);
            }
        }
    }

    fn get(&self, code: &str) -> Option<GradeSummary> {
        let c = match key(code) {
            Some(k) => self.by_code.get(&k),
            None => self.other.get(code),
        }?;
        let (grade, grade_zh) = self.grades.get(usize::from(c.grade))?;
        let (model, model_version) = self.models.get(usize::from(c.model))?;
        Some(GradeSummary {
            grade: grade.clone(),
            grade_zh: grade_zh.clone(),
            score: f64::from(c.score_centi) / 100.0,
            model: model.clone(),
            model_version: model_version.clone(),
            as_of: c.as_of,
        })
    }

    fn len(&self) -> usize {
        self.by_code.len() + self.other.len()
    }

    fn oldest_as_of(&self) -> Option<NaiveDate> {
        self.by_code
            .values()
            .chain(self.other.values())
            .map(|c| c.as_of)
            .min()
    }
}

/// Grade summaries by subject code, for the credit check; shared by every request.
#[derive(Default)]
pub struct GradeIndex {
    data: RwLock<Data>,
}

impl GradeIndex {
    /// Rebuilds the index from the stored grades.
    pub async fn reload(&self, store: &dyn Store) -> Result<usize, StoreError> {
        let generation = store.generation(&[GRADES_TOPIC.to_owned()]).await?;
        let mut data = Data {
            generation,
            ..Data::default()
        };
        let mut after: Option<String> = None;
        loop {
            let page = store.graded_after(after.as_deref(), 10_000).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.code.clone());
            for g in &page {
                data.insert(&g.code, &g.summary);
            }
        }
        let n = data.len();
        *self.write() = data;
        Ok(n)
    }

    /// The stored grade of a subject, if any.
    pub fn get(&self, code: &str) -> Option<GradeSummary> {
        self.read().get(code)
    }

    pub fn len(&self) -> usize {
        self.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The day of the oldest grade held (`None` when none is).
    pub fn oldest_as_of(&self) -> Option<NaiveDate> {
        self.read().oldest_as_of()
    }

    fn put(&self, code: &str, summary: &GradeSummary) {
        self.write().insert(code, summary);
    }

    /// After this process stored `batches` batches of grades and put them here: when the
    /// counter moved by exactly that, no other process wrote, and the index need not reload
    /// (a reload of every grade after each write would cost seconds at a million subjects).
    fn adopt_own_writes(&self, now: i64, batches: i64) {
        let mut data = self.write();
        if now == data.generation + batches {
            data.generation = now;
        }
    }

    /// Polls the grades' write counter and reloads when another process (an
    /// `xinyong evaluate`, an import) stored grades.
    pub async fn watch(self: Arc<Self>, store: Arc<dyn Store>, every: Duration) {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            let seen = self.read().generation;
            match store.generation(&[GRADES_TOPIC.to_owned()]).await {
                Ok(g) if g != seen => {
                    if let Err(e) = self.reload(&*store).await {
                        tracing::warn!(error = %e, "grade index reload failed");
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "grade index poll failed"),
            }
        }
    }

    // A poisoned lock only means a panic elsewhere while holding it; the maps are left
    // consistent by every write, so keep serving.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Data> {
        self.data
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Data> {
        self.data
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// After a write this process made: re-grades the subjects it touched. A failure is logged,
/// not returned: the write itself is committed and must be answered as such; the next full
/// evaluation (daily in `serve`) corrects the grade.
pub async fn after_write(state: &crate::AppState, codes: &[&str]) {
    if state.models.is_empty() {
        return;
    }
    if let Err(e) = regrade(
        &*state.store,
        &state.models,
        &state.catalogue,
        &state.grades,
        codes,
        state.today(),
    )
    .await
    {
        tracing::warn!(error = %e, "re-grading after a write failed; the next evaluation corrects it");
    }
}

/// Re-evaluates every subject once a day (grades fade as records age), checking `every` whether
/// the day changed; `evaluated_on` is the day of an evaluation already made (none: at once).
pub async fn evaluate_daily(
    state: crate::AppState,
    every: Duration,
    evaluated_on: Option<NaiveDate>,
) {
    let mut tick = tokio::time::interval(every);
    let mut last = evaluated_on;
    loop {
        tick.tick().await;
        let today = state.today();
        // A restart on a day whose evaluation is done (every grade held is today's) does not
        // grade a million subjects again.
        if last.is_none() && state.grades.oldest_as_of() == Some(today) {
            last = Some(today);
        }
        if last == Some(today) || state.models.is_empty() {
            continue;
        }
        match evaluate_all(
            &*state.store,
            &state.models,
            &state.catalogue,
            today,
            |_| {},
        )
        .await
        {
            Ok(done) => {
                last = Some(today);
                tracing::info!(subjects = done.total(), %today, "grades evaluated");
                if let Err(e) = state.grades.reload(&*state.store).await {
                    tracing::warn!(error = %e, "grade index reload failed");
                }
            }
            Err(e) => tracing::warn!(error = %e, "daily evaluation failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn summary(grade: &str, score: f64) -> GradeSummary {
        GradeSummary {
            grade: grade.into(),
            grade_zh: "良".into(),
            score,
            model: "enterprise_general".into(),
            model_version: "2026.12.1".into(),
            as_of: NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
        }
    }

    #[test]
    fn the_compact_index_gives_back_what_was_put_and_interns_names() {
        let mut data = Data::default();
        data.insert("91110000600037341L", &summary("good", 82.57));
        data.insert("91110108551385082Q", &summary("good", 76.0));
        data.insert("SHORT", &summary("good", 1.5));
        assert_eq!(data.get("91110000600037341L"), Some(summary("good", 82.57)));
        assert_eq!(data.get("SHORT"), Some(summary("good", 1.5)));
        assert_eq!(data.get("91350200MA2YJ1XR9G"), None);
        assert_eq!(
            (data.len(), data.grades.len(), data.models.len()),
            (3, 1, 1)
        );
    }
}
