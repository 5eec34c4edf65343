//! A subject's grade as the subject page shows it (issue #13): the grade, its score and model,
//! and at most four key factors, each naming its record, the rule, the day it stops counting
//! and whether it can be repaired. Public models only: the page is the public report.

use xinyong_domain::grading::{Contribution, Grade, Model, Repair};
use xinyong_store::StoredSubject;

use super::context::Ctx;
use crate::AppState;
use crate::error::ApiError;

pub struct FactorView {
    pub rule: String,
    pub category: String,
    pub document_no: String,
    pub points: String,
    pub counts_until: String,
    pub repair: String,
}

pub struct GradeView {
    pub name: String,
    pub score: String,
    pub model: String,
    pub version: String,
    pub as_of: String,
    pub factors: Vec<FactorView>,
    /// Points moved by records that are not public, when any.
    pub withheld: Option<String>,
    pub api: String,
}

/// Points with at most two decimals, without trailing zeros; losses with a minus sign.
fn points(p: f64) -> String {
    let s = format!("{p:+.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn factor(ctx: &Ctx, model: &Model, c: &Contribution) -> FactorView {
    let l = ctx.l;
    FactorView {
        rule: model.rule(&c.rule).map_or(c.rule.clone(), |r| {
            ctx.pick(&r.name_zh, &r.name_en).to_owned()
        }),
        category: ctx
            .catalogue
            .category(&c.category)
            .map_or(c.category.clone(), |cat| ctx.category_name(cat).to_owned()),
        // Free text on a public page: it may hold an identity number.
        document_no: crate::public::text(&c.document_no),
        points: points(c.applied),
        counts_until: ctx.date(c.counts_until),
        repair: match &c.repair {
            Repair::NotApplicable => String::new(),
            Repair::NotRepairable { .. } => l.grade_repair_no.to_owned(),
            Repair::OnFulfilment => l.grade_repair_fulfilment.to_owned(),
            Repair::Now => l.grade_repair_now.to_owned(),
            Repair::From { date } => format!("{} {}", l.grade_repair_from, ctx.date(*date)),
        },
    }
}

fn view(ctx: &Ctx, model: &Model, grade: &Grade, code: &str) -> GradeView {
    GradeView {
        name: model.band(&grade.grade).map_or(grade.grade.clone(), |b| {
            ctx.pick(&b.name_zh, &b.name_en).to_owned()
        }),
        score: format!("{:.2}", grade.score)
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned(),
        model: ctx.pick(&model.name_zh, &model.name_en).to_owned(),
        version: model.version.clone(),
        as_of: ctx.date(grade.as_of),
        factors: grade
            .key_factors
            .iter()
            .map(|c| factor(ctx, model, c))
            .collect(),
        withheld: {
            let w: f64 = grade.indicators.iter().map(|i| i.withheld).sum();
            (w != 0.0).then(|| points(w))
        },
        api: format!("/api/v1/subjects/{code}/grade"),
    }
}

/// The grade box of `subject`'s page, or `None` where no public model grades its kind.
pub(super) async fn grade_box(
    state: &AppState,
    ctx: &Ctx,
    subject: &StoredSubject,
) -> Result<Option<GradeView>, ApiError> {
    let Some((grade, model)) = crate::grades::current_grade(state, subject, false, false).await?
    else {
        return Ok(None);
    };
    let code = xinyong_domain::subject::public_code(&subject.code);
    Ok(Some(view(ctx, model, &grade, &code)))
}
