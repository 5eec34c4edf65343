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
