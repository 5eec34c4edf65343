//! What every page template needs: the visitor's language, its labels, and links that keep
//! the language ([`Ctx`]).

use std::sync::Arc;

use axum::http::Uri;
use chrono::{Datelike, NaiveDate};
use xinyong_domain::{Catalogue, Category, SubjectKind, Tier};

use super::labels::{EN, Labels, ZH};
use crate::AppState;

/// A value or a reference to one, however deep: templates hand either to [`Ctx`]'s helpers.
pub trait Val<T: Copy> {
    fn val(&self) -> T;
}

impl<T: Copy> Val<T> for T {
    fn val(&self) -> T {
        *self
    }
}

impl<T: Copy> Val<T> for &T {
    fn val(&self) -> T {
        **self
    }
}

impl<T: Copy> Val<T> for &&T {
    fn val(&self) -> T {
        ***self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

/// What every page template needs: the language, its labels, and links that keep the language.
/// Labels of data (subject kinds, tiers, categories) come from the catalogue in force, so that
/// a catalogue file that renames them renames them on every page.
pub struct Ctx {
    pub lang: Lang,
    pub l: &'static Labels,
    pub(super) catalogue: Arc<Catalogue>,
    /// The current path and query without `lang`, for the language toggle.
    here: String,
    /// Which navigation entry is current.
    pub nav: &'static str,
}

impl Ctx {
    pub(super) fn new(state: &AppState, uri: &Uri, nav: &'static str) -> Ctx {
        Ctx::with_catalogue(state.catalogue.clone(), uri, nav)
    }

    /// The context of `uri`'s page with labels from `catalogue`.
    pub(super) fn with_catalogue(catalogue: Arc<Catalogue>, uri: &Uri, nav: &'static str) -> Ctx {
        let mut lang = Lang::Zh;
        let mut kept = Vec::new();
        for pair in uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty())
        {
            match pair.strip_prefix("lang=") {
                Some("en") => lang = Lang::En,
                Some(_) => {}
                None => kept.push(pair),
            }
        }
        let mut here = uri.path().to_owned();
        if !kept.is_empty() {
            here.push('?');
            here.push_str(&kept.join("&"));
        }
        // A typed identity number, plain or percent-encoded, does not travel on in the
        // language link.
        let here = crate::public::url(&here);
        Ctx {
            lang,
            l: if lang == Lang::En { &EN } else { &ZH },
            catalogue,
            here,
            nav,
        }
    }

    pub fn html_lang(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }

    /// `path` (which may carry a query) in the current language.
    pub fn url(&self, path: &str) -> String {
        with_lang(path, self.lang)
    }

    /// Makes `path` this page's address for the language toggle, keeping the query.
    pub(super) fn set_path(&mut self, path: &str) {
        let query = self.here.split_once('?').map(|(_, q)| q.to_owned());
        self.here = match query {
            Some(q) => format!("{path}?{q}"),
            None => path.to_owned(),
        };
    }

    /// This page in the other language.
    pub fn toggle_url(&self) -> String {
        with_lang(
            &self.here,
            if self.lang == Lang::En {
                Lang::Zh
            } else {
                Lang::En
            },
        )
    }

    pub fn current(&self, nav: &str) -> &'static str {
        if self.nav == nav { "page" } else { "false" }
    }

    pub fn pick<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.is_en() { en } else { zh }
    }

    /// A Chinese name shown on an English page is marked as Chinese.
    pub fn data_lang(&self) -> &'static str {
        "zh-CN"
    }

    /// The catalogue's name of a subject kind (its id if the catalogue has none).
    pub fn kind(&self, kind: impl Val<SubjectKind>) -> &str {
        let kind = kind.val();
        self.catalogue
            .subject_kind_label(kind)
            .map_or(kind.as_str(), |l| self.pick(&l.name_zh, &l.name_en))
    }

    /// The catalogue's name of a tier (its id if the catalogue has none).
    pub fn tier(&self, tier: impl Val<Tier>) -> &str {
        let tier = tier.val();
        self.catalogue
            .tiers
            .iter()
            .find(|l| l.id == tier)
            .map_or(tier.as_str(), |l| self.pick(&l.name_zh, &l.name_en))
    }

    pub fn section(&self, id: &str) -> &'static str {
        let l = self.l;
        match id {
            "basics" => l.sec_basics,
            "administrative" => l.sec_administrative,
            "honours" => l.sec_honours,
            "serious_dishonesty" => l.sec_serious_dishonesty,
            "abnormal_operations" => l.sec_abnormal_operations,
            "commitments" => l.sec_commitments,
            "evaluations" => l.sec_evaluations,
            "judicial" => l.sec_judicial,
            "professional" => l.sec_professional,
            "suggestions" => l.sec_suggestions,
            _ => l.sec_other,
        }
    }

    pub fn category_name<'a>(&self, c: &'a Category) -> &'a str {
        self.pick(&c.name_zh, &c.name_en)
    }

    pub fn date(&self, d: impl Val<NaiveDate>) -> String {
        let d = d.val();
        match self.lang {
            Lang::Zh => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
            Lang::En => d.format("%-d %b %Y").to_string(),
        }
    }

    pub fn number(&self, n: impl Val<u64>) -> String {
        let n = n.val();
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    }
}

fn with_lang(path: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => path.to_owned(),
        Lang::En if path.contains('?') => format!("{path}&lang=en"),
        Lang::En => format!("{path}?lang=en"),
    }
}

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    crate::public::encode_value(s)
}
