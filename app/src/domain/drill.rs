//! Drills: a plan engaged for real, every message marked as a drill, so a team proves that the
//! chain works before it matters. What a drill's report says is worked out here from its pages
//! (who was paged, at which stage, when, and when they acknowledged) and the failures seen; when
//! scheduled drills run next is worked out from their rule ("first Monday of the month, 10:00
//! Asia/Tokyo").

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::domain::timezone::{local_minute, parse_local_minute, parse_time_zone};
use crate::error::FieldError;
use crate::i18n::Msg;

/// One page of a drill's engagement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillPage {
    pub person: String,
    /// The plan stage (0-based) that paged them.
    pub stage: i64,
    pub sent_at: i64,
    pub read_at: Option<i64>,
}

/// A failure seen while the drill ran (a delivery error receipt).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillFailure {
    pub person: String,
    pub at: i64,
    pub info: String,
}

/// One person's part in a drill.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonResult {
    pub person: String,
    pub stage: i64,
    /// Seconds from the drill's start to their page.
    pub paged_after: i64,
    /// Seconds from their page to their acknowledgement.
    pub acknowledged_after: Option<i64>,
    pub failures: Vec<DrillFailure>,
}

/// One stage's part in a drill.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageResult {
    pub stage: i64,
    pub people: Vec<String>,
    /// Seconds from the stage's first page to the first acknowledgement by someone it paged.
    pub acknowledged_after: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillReport {
    /// Who acknowledged first, and how many seconds after the drill started.
    pub first_acknowledgement: Option<(String, i64)>,
    pub stages: Vec<StageResult>,
    pub people: Vec<PersonResult>,
    /// Failures of people the drill paged.
    pub failures: Vec<DrillFailure>,
}

/// The report of a drill that started at `start` (epoch seconds).
pub fn report(start: i64, pages: &[DrillPage], failures: &[DrillFailure]) -> DrillReport {
    let mut pages = pages.to_vec();
    pages.sort_by_key(|p| (p.sent_at, p.stage, p.person.clone()));
    let people: Vec<PersonResult> = pages
        .iter()
        .map(|p| PersonResult {
            person: p.person.clone(),
            stage: p.stage,
            paged_after: p.sent_at - start,
            acknowledged_after: p.read_at.map(|r| r - p.sent_at),
            failures: failures.iter().filter(|f| f.person == p.person).cloned().collect(),
        })
        .collect();
    let mut stages: Vec<StageResult> = Vec::new();
    for p in &pages {
        match stages.iter_mut().find(|s| s.stage == p.stage) {
            Some(s) => s.people.push(p.person.clone()),
            None => {
                stages.push(StageResult { stage: p.stage, people: vec![p.person.clone()], acknowledged_after: None });
            }
        }
    }
    for s in &mut stages {
        let in_stage = pages.iter().filter(|p| p.stage == s.stage);
        let first_page = in_stage.clone().map(|p| p.sent_at).min().unwrap_or(start);
        s.acknowledged_after = in_stage.filter_map(|p| p.read_at).min().map(|r| r - first_page);
    }
    stages.sort_by_key(|s| s.stage);
    let first_acknowledgement =
        pages.iter().filter_map(|p| p.read_at.map(|r| (p.person.clone(), r - start))).min_by_key(|(_, t)| *t);
    let paged: Vec<&str> = pages.iter().map(|p| p.person.as_str()).collect();
    DrillReport {
        first_acknowledgement,
        stages,
        people,
        failures: failures.iter().filter(|f| paged.contains(&f.person.as_str())).cloned().collect(),
    }
}

crate::named_enum! {
    /// Which weeks of the month a scheduled drill runs in.
    #[derive(Serialize, Deserialize)]
    pub enum WeekOfMonth {
        Every = "every",
        First = "first",
        Second = "second",
        Third = "third",
        Fourth = "fourth",
        Last = "last",
    }
}

/// When a scheduled drill runs: a weekday of the chosen weeks, at a local time in a zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillRule {
    pub week: WeekOfMonth,
    /// 0 = Monday … 6 = Sunday.
    pub weekday: u8,
    pub hour: u8,
    pub minute: u8,
    pub time_zone: String,
}

fn weekday_of(n: u8) -> Weekday {
    Weekday::try_from(n).unwrap_or(Weekday::Mon)
}

impl DrillRule {
    /// Reads the schedule form's fields; problems are reported against them.
    pub fn parse(week: &str, weekday: &str, time: &str, time_zone: &str) -> Result<DrillRule, Vec<FieldError>> {
        let mut errors = Vec::new();
        let week = WeekOfMonth::parse(week.trim());
        if week.is_none() {
            errors.push(FieldError::new("week", Msg::ErrInvalid));
        }
        let weekday = weekday.trim().parse::<u8>().ok().filter(|d| *d < 7);
        if weekday.is_none() {
            errors.push(FieldError::new("weekday", Msg::ErrInvalid));
        }
        let hm = time.trim().split_once(':').and_then(|(h, m)| Some((h.parse::<u8>().ok()?, m.parse::<u8>().ok()?)));
        let hm = hm.filter(|(h, m)| *h < 24 && *m < 60);
        if hm.is_none() {
            errors.push(FieldError::new("time", Msg::ErrTimeOfDay));
        }
        if parse_time_zone(time_zone.trim()).is_none() {
            errors.push(FieldError::new("time_zone", Msg::ErrTimeZone));
        }
        match (week, weekday, hm) {
            (Some(week), Some(weekday), Some((hour, minute))) if errors.is_empty() => {
                Ok(DrillRule { week, weekday, hour, minute, time_zone: time_zone.trim().to_owned() })
            }
            _ => Err(errors),
        }
    }

    /// Whether the rule runs on this local date.
    fn runs_on(&self, date: NaiveDate) -> bool {
        if date.weekday() != weekday_of(self.weekday) {
            return false;
        }
        let nth = (date.day() - 1) / 7;
        let last = date.checked_add_signed(Duration::days(7)).is_none_or(|d| d.month() != date.month());
        match self.week {
            WeekOfMonth::Every => true,
            WeekOfMonth::First => nth == 0,
            WeekOfMonth::Second => nth == 1,
            WeekOfMonth::Third => nth == 2,
            WeekOfMonth::Fourth => nth == 3,
            WeekOfMonth::Last => last,
        }
    }

    /// The first run strictly after `after` (within about a year and a half).
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let today = parse_date(&local_minute(after, &self.time_zone))?;
        (0..550).filter_map(|d| today.checked_add_signed(Duration::days(d))).filter(|d| self.runs_on(*d)).find_map(
            |d| {
                let local =
                    format!("{:04}-{:02}-{:02}T{:02}:{:02}", d.year(), d.month(), d.day(), self.hour, self.minute);
                parse_local_minute(&local, &self.time_zone).filter(|t| *t > after)
            },
        )
    }
}

fn parse_date(local: &str) -> Option<NaiveDate> {
    let (date, _) = local.split_once('T')?;
    let mut parts = date.splitn(3, '-');
    NaiveDate::from_ymd_opt(parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn page(person: &str, stage: i64, sent_at: i64, read_at: Option<i64>) -> DrillPage {
        DrillPage { person: person.into(), stage, sent_at, read_at }
    }

    #[test]
    fn the_report_gives_time_to_acknowledge_per_person_and_stage() {
        let pages = [page("tanaka", 0, 100, None), page("kim", 1, 700, Some(790)), page("sato", 1, 700, None)];
        let failures = [DrillFailure { person: "tanaka".into(), at: 160, info: "SMTP 550".into() }];
        let r = report(100, &pages, &failures);
        assert_eq!(r.first_acknowledgement, Some(("kim".into(), 690)));
        assert_eq!(r.stages.len(), 2);
        assert_eq!(r.stages[0].acknowledged_after, None);
        assert_eq!(r.stages[1].acknowledged_after, Some(90));
        assert_eq!(r.people[0].failures.len(), 1);
        assert_eq!(r.people[1].acknowledged_after, Some(90));
    }

    #[test]
    fn first_monday_of_the_month_at_ten_in_tokyo() {
        let rule = DrillRule::parse("first", "0", "10:00", "Asia/Tokyo").unwrap();
        // Sunday 2026-11-29 12:00 UTC: the next first Monday is 2026-12-07 10:00 JST.
        let after = Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap();
        assert_eq!(rule.next_after(after), Some(Utc.with_ymd_and_hms(2026, 12, 7, 1, 0, 0).unwrap()));
        let next = rule.next_after(Utc.with_ymd_and_hms(2026, 12, 7, 1, 0, 0).unwrap()).unwrap();
        assert_eq!(next, Utc.with_ymd_and_hms(2027, 1, 4, 1, 0, 0).unwrap());
    }

    #[test]
    fn the_last_weekday_and_bad_fields() {
        let rule = DrillRule::parse("last", "4", "17:30", "Europe/London").unwrap();
        let next = rule.next_after(Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()).unwrap();
        assert_eq!(next, Utc.with_ymd_and_hms(2026, 11, 27, 17, 30, 0).unwrap());
        let errors = DrillRule::parse("fifth", "9", "25:00", "Mars/Base").unwrap_err();
        assert_eq!(errors.len(), 4);
    }
}
