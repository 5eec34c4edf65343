//! The statistics page: public records by category, month and region, as server-drawn charts.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::Uri;
use axum::response::IntoResponse;
use chrono::{Datelike, NaiveDate};
use xinyong_domain::Disclosure;
use xinyong_domain::code::{province_name_en, province_name_zh};

use super::charts::{BarChart, ColumnChart};
use super::context::Ctx;
use super::errors::Page;
use super::view::list_categories;
use crate::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "stats.html")]
struct StatsPage {
    ctx: Ctx,
    q: String,
    by_category: BarChart,
    by_month: ColumnChart,
    lists_by_month: ColumnChart,
    by_region: BarChart,
    by_index: BarChart,
    departments: Vec<DepartmentRow>,
}

/// One department's line of the statistics page.
struct DepartmentRow {
    name: String,
    first: u64,
    on_time: String,
    rejected: String,
    objections: u64,
    overturned: String,
}

/// A province by its two digits, in the page's language (its code where it has no name).
fn province_label(ctx: &Ctx, prefix: &str) -> String {
    let english = ctx.is_en().then(|| province_name_en(prefix)).flatten();
    english
        .or_else(|| province_name_zh(prefix))
        .map_or_else(|| prefix.to_owned(), str::to_owned)
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

fn months_back(today: NaiveDate, n: u32) -> Vec<String> {
    let mut y = today.year();
    let mut m = today.month();
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(format!("{y:04}-{m:02}"));
        if m == 1 {
            y -= 1;
            m = 12;
        } else {
            m -= 1;
        }
    }
    out.reverse();
    out
}

pub(super) async fn stats(State(state): State<AppState>, uri: Uri) -> impl IntoResponse {
    let result = async {
        let ctx = Ctx::new(&state, &uri, "stats");
        let today = state.today();
        let lists = list_categories(&state);
        let rows = crate::statistics::public_record_counts(&state).await?;
        let mut by_category: BTreeMap<String, u64> = BTreeMap::new();
        let mut by_month: BTreeMap<String, u64> = BTreeMap::new();
        let mut lists_by_month: BTreeMap<String, u64> = BTreeMap::new();
        let mut by_region: BTreeMap<String, u64> = BTreeMap::new();
        for r in &rows {
            *by_category.entry(r.category.clone()).or_default() += r.count;
            *by_month.entry(r.month.clone()).or_default() += r.count;
            if lists.contains(&r.category.as_str()) {
                *lists_by_month.entry(r.month.clone()).or_default() += r.count;
            }
            *by_region.entry(r.province.clone()).or_default() += r.count;
        }
        let mut categories: Vec<(String, u64)> = state
            .catalogue
            .categories
            .iter()
            .filter(|c| c.disclosure == Disclosure::Public)
            .map(|c| {
                (
                    ctx.category_name(c).to_owned(),
                    by_category.get(&c.id).copied().unwrap_or(0),
                )
            })
            .collect();
        categories.sort_by_key(|c| std::cmp::Reverse(c.1));
        let months = months_back(today, 24);
        let month_series = |m: &BTreeMap<String, u64>| -> Vec<(String, u64)> {
            months
                .iter()
                .map(|k| (k.clone(), m.get(k).copied().unwrap_or(0)))
                .collect()
        };
        let mut regions: Vec<(String, u64)> = by_region
            .into_iter()
            .map(|(p, n)| (province_label(&ctx, &p), n))
            .collect();
        regions.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        regions.truncate(15);
        let mut index: Vec<(String, u64)> = crate::statistics::region_figures(&state)
            .await?
            .into_iter()
            .filter_map(|r| {
                // Whole points: the chart's bars are integers; the API gives two decimals.
                let index = r.credit_index?.round().max(0.0) as u64;
                Some((province_label(&ctx, &r.province), index))
            })
            .collect();
        index.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        index.truncate(15);
        let departments = crate::statistics::department_figures(&state)
            .await?
            .into_iter()
            .filter(|d| d.first_submissions > 0 || d.rejected_rows > 0)
            .map(|d| DepartmentRow {
                name: if d.name.is_empty() {
                    d.department
                } else {
                    d.name
                },
                first: d.first_submissions,
                on_time: percent(d.timeliness),
                rejected: percent(d.rejection_rate),
                objections: d.objections,
                overturned: percent(d.overturn_rate),
            })
            .collect();
        Ok(StatsPage {
            by_index: BarChart::new("chart-index", ctx.l.chart_credit_index, index),
            departments,
            by_category: BarChart::new("chart-category", ctx.l.chart_by_category, categories),
            by_month: ColumnChart::new(
                "chart-month",
                ctx.l.chart_by_month,
                month_series(&by_month),
            ),
            lists_by_month: ColumnChart::new(
                "chart-lists",
                ctx.l.chart_lists_by_month,
                month_series(&lists_by_month),
            ),
            by_region: BarChart::new("chart-region", ctx.l.chart_by_region, regions),
            q: String::new(),
            ctx,
        })
    }
    .await;
    Page::new(&state, uri, result)
}
