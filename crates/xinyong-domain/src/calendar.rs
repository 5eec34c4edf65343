//! Working days (工作日): the State Council's yearly arrangement of public holidays and adjusted
//! working weekends, as data (`data/calendar/working-days.toml`). Every deadline of the
//! platform counts in these days (DOMAIN.md: objections, repairs, the 7-working-day publication
//! duty).
//!
//! A year the data lacks is unknown, never "weekdays only": [`WorkingCalendar::is_working_day`]
//! and [`WorkingCalendar::add_working_days`] refuse it. A live case's deadline that reaches past
//! the data ([`WorkingCalendar::deadline`]) is counted on weekends alone and marked provisional,
//! so that it can be shown as such and recomputed once the year is loaded.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The calendar shipped with the platform.
pub const SHIPPED_TOML: &str = include_str!("../../../data/calendar/working-days.toml");

/// One published year.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct YearFile {
    year: i32,
    /// Weekdays that are days off (public holidays and the days joined to them).
    days_off: Vec<NaiveDate>,
    /// Saturdays and Sundays that are working days (调休上班).
    working_weekends: Vec<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    years: Vec<YearFile>,
}

/// The exceptions to "Monday to Friday" of one year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Year {
    days_off: BTreeSet<NaiveDate>,
    working_weekends: BTreeSet<NaiveDate>,
}

/// Why a calendar file was refused, or a date cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("calendar file: {0}")]
    Syntax(String),
    #[error("calendar file: year {0} appears twice")]
    DuplicateYear(i32),
    #[error("calendar file, year {year}: {date} {reason}")]
    BadDate {
        year: i32,
        date: NaiveDate,
        reason: &'static str,
    },
    #[error(
        "{date}: the working days of {year} are not in the calendar (published years: {known}); \
         load the State Council's notice for {year} with --calendar FILE"
    )]
    YearUnknown {
        date: NaiveDate,
        year: i32,
        known: String,
    },
    #[error("{0} working days is more than any deadline of the platform (at most 3,650)")]
    TooFar(u32),
}

/// A deadline, with whether it rests on years the calendar does not hold yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deadline {
    /// The last day of the period.
    pub date: NaiveDate,
    /// Counted partly on weekends alone because a year's holidays are not published yet:
    /// show it as provisional and recompute it when the year is loaded.
    pub provisional: bool,
}

/// The published working-day calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingCalendar {
    years: BTreeMap<i32, Year>,
    digest: String,
}

/// The longest count accepted: ten years of working days, far beyond any procedure.
const MAX_DAYS: u32 = 3650;

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

impl WorkingCalendar {
    /// The calendar shipped in `data/calendar/working-days.toml`.
    pub fn shipped() -> WorkingCalendar {
        #[allow(clippy::expect_used)] // the shipped file is tested; failing here is a build bug
        WorkingCalendar::from_toml_str(SHIPPED_TOML).expect("the shipped calendar is valid")
    }

    /// Parses and checks a calendar: each year once; every date in its own year; days off are
    /// weekdays, working weekends are Saturdays or Sundays, and no date is both.
    pub fn from_toml_str(text: &str) -> Result<WorkingCalendar, CalendarError> {
        let file: CalendarFile =
            toml::from_str(text).map_err(|e| CalendarError::Syntax(e.to_string()))?;
        let mut years = BTreeMap::new();
        for y in file.years {
            let bad = |date, reason| CalendarError::BadDate {
                year: y.year,
                date,
                reason,
            };
            let mut year = Year::default();
            for &d in &y.days_off {
                if d.year() != y.year {
                    return Err(bad(d, "is not in this year"));
                }
                if is_weekend(d) {
                    return Err(bad(d, "is a weekend day: list only weekdays as days off"));
                }
                if !year.days_off.insert(d) {
                    return Err(bad(d, "is listed twice"));
                }
            }
            for &d in &y.working_weekends {
                if d.year() != y.year {
                    return Err(bad(d, "is not in this year"));
                }
                if !is_weekend(d) {
                    return Err(bad(d, "is not a weekend day: weekdays work anyway"));
                }
                if !year.working_weekends.insert(d) {
                    return Err(bad(d, "is listed twice"));
                }
            }
            if years.insert(y.year, year).is_some() {
                return Err(CalendarError::DuplicateYear(y.year));
            }
        }
        Ok(WorkingCalendar {
            years,
            digest: hex::encode(Sha256::digest(text.as_bytes())),
        })
    }

    /// SHA-256 of the file the calendar was read from: logged when it is loaded, so that any
    /// deadline can be recomputed later from the same data.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The years the calendar holds, ascending.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }

    fn unknown(&self, date: NaiveDate) -> CalendarError {
        let known: Vec<String> = self.years().map(|y| y.to_string()).collect();
        CalendarError::YearUnknown {
            date,
            year: date.year(),
            known: if known.is_empty() {
                "none".into()
            } else {
                known.join(", ")
            },
        }
    }

    /// Whether `date` is a working day; `None` if its year is not published. Weekends alone
    /// decide nothing here.
    fn working(&self, date: NaiveDate) -> Option<bool> {
        let year = self.years.get(&date.year())?;
        Some(if is_weekend(date) {
            year.working_weekends.contains(&date)
        } else {
            !year.days_off.contains(&date)
        })
    }

    /// Whether `date` is a working day, answered only from the data.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        self.working(date).ok_or_else(|| self.unknown(date))
    }

    /// The date `n` working days after `date` (`date` itself does not count; `n = 0` gives
    /// `date`), answered only from the data: an error if the count passes through a year the
    /// calendar lacks.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        if n > MAX_DAYS {
            return Err(CalendarError::TooFar(n));
        }
        let mut day = date;
        let mut left = n;
        while left > 0 {
            day = day.succ_opt().ok_or(CalendarError::TooFar(n))?;
            if self.is_working_day(day)? {
                left -= 1;
            }
        }
        Ok(day)
    }

    /// The deadline `n` working days after `date` for a live case: where the count reaches a
    /// year the calendar lacks, that year's days are counted on weekends alone and the result
    /// is provisional. Counts beyond [`MAX_DAYS`] are clamped to it.
    pub fn deadline(&self, date: NaiveDate, n: u32) -> Deadline {
        let mut day = date;
        let mut left = n.min(MAX_DAYS);
        let mut provisional = false;
        while left > 0 {
            let Some(next) = day.succ_opt() else { break };
            day = next;
            let working = self.working(day).unwrap_or_else(|| {
                provisional = true;
                !is_weekend(day)
            });
            if working {
                left -= 1;
            }
        }
        Deadline {
            date: day,
            provisional,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_2026_spring_festival_and_its_working_saturdays() {
        let cal = WorkingCalendar::shipped();
        // 2026-02-14 (Saturday) and 2026-02-28 (Saturday) are worked; 02-16..02-20 and 02-23
        // are off.
        assert_eq!(cal.is_working_day(d("2026-02-14")), Ok(true));
        assert_eq!(cal.is_working_day(d("2026-02-15")), Ok(false));
        assert_eq!(cal.is_working_day(d("2026-02-16")), Ok(false));
        assert_eq!(cal.is_working_day(d("2026-02-23")), Ok(false));
        assert_eq!(cal.is_working_day(d("2026-02-24")), Ok(true));
        assert_eq!(cal.is_working_day(d("2026-02-28")), Ok(true));
        // An objection filed on Friday 13 February: two working days are Saturday 14th and
        // Tuesday 24th; ten working days end on Thursday 5 March (Saturday the 28th counts).
        assert_eq!(
            cal.add_working_days(d("2026-02-13"), 2),
            Ok(d("2026-02-24"))
        );
        assert_eq!(
            cal.add_working_days(d("2026-02-13"), 10),
            Ok(d("2026-03-05"))
        );
        assert_eq!(
            cal.add_working_days(d("2026-02-13"), 0),
            Ok(d("2026-02-13"))
        );
    }

    #[test]
    fn counting_crosses_a_published_year_boundary() {
        let cal = WorkingCalendar::shipped();
        // Wednesday 31 Dec 2025; 1-2 Jan 2026 are off, Sunday 4 Jan is worked.
        assert_eq!(
            cal.add_working_days(d("2025-12-31"), 1),
            Ok(d("2026-01-04"))
        );
        assert_eq!(
            cal.add_working_days(d("2025-12-31"), 2),
            Ok(d("2026-01-05"))
        );
    }

    #[test]
    fn a_date_beyond_the_data_is_an_error_never_a_weekday_guess() {
        let cal = WorkingCalendar::shipped();
        let err = cal.is_working_day(d("2027-01-04")).unwrap_err();
        assert!(
            matches!(err, CalendarError::YearUnknown { year: 2027, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("--calendar"), "{err}");
        assert!(cal.add_working_days(d("2026-12-28"), 5).is_err());
        assert!(cal.is_working_day(d("2023-06-01")).is_err());
    }

    #[test]
    fn a_live_deadline_past_the_data_is_provisional_and_counted_on_weekends() {
        let cal = WorkingCalendar::shipped();
        // Filed Sunday 20 December 2026: 10 working days run into 2027.
        let dl = cal.deadline(d("2026-12-20"), 10);
        assert!(dl.provisional);
        // 21-25 and 28-31 December are nine working days (2026 data), then Friday 1 Jan 2027
        // counts as a weekday while 2027 is unknown.
        assert_eq!(dl.date, d("2027-01-01"));
        let within = cal.deadline(d("2026-02-13"), 10);
        assert_eq!(
            within,
            Deadline {
                date: d("2026-03-05"),
                provisional: false
            }
        );
        // Loading the year makes it final: 1 January is a holiday everywhere.
        let mut text = SHIPPED_TOML.to_owned();
        text.push_str(
            "\n[[years]]\nyear = 2027\ndays_off = [\"2027-01-01\"]\nworking_weekends = []\n",
        );
        let loaded = WorkingCalendar::from_toml_str(&text).unwrap();
        assert_eq!(
            loaded.deadline(d("2026-12-20"), 10),
            Deadline {
                date: d("2027-01-04"),
                provisional: false
            }
        );
        assert_ne!(loaded.digest(), cal.digest());
    }

    #[test]
    fn calendar_files_are_checked() {
        let bad = |text: &str| WorkingCalendar::from_toml_str(text).unwrap_err();
        assert!(matches!(
            bad("[[years]]\nyear = 2026\ndays_off = [\"2026-02-14\"]\nworking_weekends = []\n"),
            CalendarError::BadDate { .. }
        ));
        assert!(matches!(
            bad("[[years]]\nyear = 2026\ndays_off = []\nworking_weekends = [\"2026-02-16\"]\n"),
            CalendarError::BadDate { .. }
        ));
        assert!(matches!(
            bad("[[years]]\nyear = 2026\ndays_off = [\"2025-12-31\"]\nworking_weekends = []\n"),
            CalendarError::BadDate { .. }
        ));
        let year = "[[years]]\nyear = 2026\ndays_off = []\nworking_weekends = []\n";
        assert_eq!(
            bad(&format!("{year}{year}")),
            CalendarError::DuplicateYear(2026)
        );
    }
}
