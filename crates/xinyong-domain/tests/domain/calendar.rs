//! The shipped working-day calendar agrees, day by day, with an independent compilation of the
//! State Council's notices (PyPI `chinesecalendar` 1.11.0; fixture from
//! `data/tools/build_calendar.py`).

use chrono::NaiveDate;
use xinyong_domain::calendar::WorkingCalendar;

#[test]
fn every_day_of_the_published_years_agrees_with_chinesecalendar() {
    let cal = WorkingCalendar::shipped();
    let mut days = 0;
    for line in include_str!("data/chinesecalendar.tsv").lines() {
        if line.starts_with('#') {
            continue;
        }
        let (date, working) = line.split_once('\t').unwrap();
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        assert_eq!(cal.is_working_day(date), Ok(working == "1"), "{date}");
        days += 1;
    }
    assert_eq!(days, 366 + 365 + 365, "2024 to 2026, every day");
    assert_eq!(cal.years().collect::<Vec<_>>(), [2024, 2025, 2026]);
}

/// An objection filed on 20 December 2026 reaches into 2027, whose holidays are not published:
/// its deadlines are provisional, and settle once a calendar holding 2027 is loaded.
#[test]
fn a_provisional_deadline_is_settled_when_its_year_is_loaded() {
    use xinyong_domain::Catalogue;
    use xinyong_domain::rights::{objection_deadlines, settled_deadlines};
    let catalogue = Catalogue::shipped();
    let procedure = catalogue.procedure("objection").unwrap();
    let filed = NaiveDate::from_ymd_opt(2026, 12, 20).unwrap();
    let shipped = WorkingCalendar::shipped();
    let stored = objection_deadlines(&catalogue, &shipped, filed).unwrap();
    assert!(stored.iter().any(|s| s.deadline.provisional), "{stored:?}");
    assert_eq!(
        settled_deadlines(&stored, procedure, &shipped, filed),
        None,
        "nothing new is known"
    );
    let with_2027 = format!(
        "{}\n[[years]]\nyear = 2027\ndays_off = [\"2027-01-01\"]\nworking_weekends = []\n",
        include_str!("../../../../data/calendar/working-days.toml")
    );
    let loaded = WorkingCalendar::from_toml_str(&with_2027).unwrap();
    let settled = settled_deadlines(&stored, procedure, &loaded, filed).expect("settled");
    assert!(
        settled.iter().all(|s| !s.deadline.provisional),
        "{settled:?}"
    );
    // 1 January 2027 is a day off: every deadline that passes it moves one day later.
    let last = |d: &[xinyong_domain::rights::StepDeadline]| d.last().unwrap().deadline.date;
    assert!(last(&settled) > last(&stored), "{settled:?} vs {stored:?}");
    assert_eq!(settled_deadlines(&settled, procedure, &loaded, filed), None);
}
