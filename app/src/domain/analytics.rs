//! How the team is doing, computed from raw facts: time to acknowledge and to resolve (mean and
//! 90th percentile), and when people are on call or paged — working hours, evenings, nights
//! (22:00–06:00) and weekends or holidays, in each person's own zone, with Japan's public
//! holidays available as a holiday calendar. Pure, so the same on either backend and checked
//! against a brute-force recomputation.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::domain::timezone::{Zone, parse_time_zone};

/// Count, mean and 90th percentile (nearest rank) of durations in seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub count: usize,
    pub mean: Option<i64>,
    pub p90: Option<i64>,
}

impl Stats {
    pub fn of(mut secs: Vec<i64>) -> Stats {
        if secs.is_empty() {
            return Stats::default();
        }
        secs.sort_unstable();
        let n = secs.len();
        let sum: i128 = secs.iter().map(|s| i128::from(*s)).sum();
        // Nearest rank: the smallest value with at least 90% of the values at or below it.
        let rank = (n * 9).div_ceil(10).max(1);
        Stats { count: n, mean: i64::try_from(sum / n as i128).ok(), p90: Some(secs[rank - 1]) }
    }
}

/// When in a person's week an instant falls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Band {
    /// Monday to Friday 09:00–18:00, not a holiday.
    Working,
    /// 06:00–09:00 and 18:00–22:00 on working days.
    Evening,
    /// 22:00–06:00 on working days.
    Night,
    /// Saturdays, Sundays and holidays, all day.
    WeekendOrHoliday,
}

/// Seconds (or counts) per band.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bands {
    pub working: i64,
    pub evening: i64,
    pub night: i64,
    pub weekend_or_holiday: i64,
}

impl Bands {
    pub fn add(&mut self, band: Band, amount: i64) {
        match band {
            Band::Working => self.working += amount,
            Band::Evening => self.evening += amount,
            Band::Night => self.night += amount,
            Band::WeekendOrHoliday => self.weekend_or_holiday += amount,
        }
    }

    /// Adds another's amounts band by band.
    pub fn add_all(&mut self, other: &Bands) {
        self.working += other.working;
        self.evening += other.evening;
        self.night += other.night;
        self.weekend_or_holiday += other.weekend_or_holiday;
    }

    pub fn total(&self) -> i64 {
        self.working + self.evening + self.night + self.weekend_or_holiday
    }
}

/// The band of a local date and time; `holiday` says whether the date is a holiday.
pub fn band_at(date: NaiveDate, hour: u32, holiday: bool) -> Band {
    if holiday || matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
        Band::WeekendOrHoliday
    } else if !(6..22).contains(&hour) {
        Band::Night
    } else if (9..18).contains(&hour) {
        Band::Working
    } else {
        Band::Evening
    }
}

/// The band of instant `t` for someone in `zone` (UTC if unknown).
pub fn band_of(t: DateTime<Utc>, zone: &str, holidays: &dyn Fn(NaiveDate) -> bool) -> Band {
    band_in(t, parse_time_zone(zone).as_ref(), holidays)
}

/// [`band_of`] with the zone already parsed (walks over many instants parse it once).
fn band_in(t: DateTime<Utc>, zone: Option<&Zone>, holidays: &dyn Fn(NaiveDate) -> bool) -> Band {
    let local = match zone {
        Some(tz) => t.with_timezone(tz).naive_local(),
        None => t.naive_utc(),
    };
    band_at(local.date(), local.hour(), holidays(local.date()))
}

/// Seconds of `[start, end)` in each band for someone in `zone`. Bands change only on local
/// whole hours, and every zone's offset is a multiple of 15 minutes, so the band is constant
/// within each UTC quarter hour: the span is walked a quarter at a time.
pub fn split(start: i64, end: i64, zone: &str, holidays: &dyn Fn(NaiveDate) -> bool) -> Bands {
    const QUARTER: i64 = 15 * 60;
    let tz = parse_time_zone(zone);
    let mut bands = Bands::default();
    let mut at = start;
    while at < end {
        let next = ((at.div_euclid(QUARTER)) + 1) * QUARTER;
        let upto = next.min(end);
        let t = DateTime::from_timestamp(at, 0).unwrap_or_default();
        bands.add(band_in(t, tz.as_ref(), holidays), upto - at);
        at = upto;
    }
    bands
}

/// A page as analytics needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageFacts {
    pub contact: String,
    pub sent_at: i64,
    pub acked_at: Option<i64>,
}

/// An incident as analytics needs it: its plan, when it opened and resolved, and its pages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentFacts {
    pub plan: String,
    pub created_at: i64,
    pub resolved_at: Option<i64>,
    pub pages: Vec<PageFacts>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRow {
    pub plan: String,
    pub incidents: usize,
    pub pages: usize,
    /// From opening to the first acknowledgement, over the incidents acknowledged.
    pub to_ack: Stats,
    /// From opening to resolving, over the incidents resolved.
    pub to_resolve: Stats,
}

/// The pages a group took (one person; the people on call in a rotation) and the incidents
/// those pages belong to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Load {
    /// Incidents with at least one of the pages.
    pub incidents: usize,
    pub pages: usize,
    pub acknowledged: usize,
    /// From each page to its acknowledgement.
    pub to_ack: Stats,
    /// From opening to resolving, over those incidents resolved.
    pub to_resolve: Stats,
    /// Pages by band of the group's day.
    pub paged_in: Bands,
}

/// The load of the pages `takes` picks, their bands read in `zone`.
fn load_of<'a>(
    incidents: impl IntoIterator<Item = &'a IncidentFacts>,
    takes: &dyn Fn(&PageFacts) -> bool,
    zone: &str,
    holidays: &dyn Fn(NaiveDate) -> bool,
) -> Load {
    let tz = parse_time_zone(zone);
    let mut load = Load::default();
    let (mut acks, mut resolves) = (Vec::new(), Vec::new());
    for incident in incidents {
        let before = load.pages;
        for p in incident.pages.iter().filter(|p| takes(p)) {
            load.pages += 1;
            load.acknowledged += usize::from(p.acked_at.is_some());
            acks.extend(p.acked_at.map(|a| a - p.sent_at));
            let sent = DateTime::from_timestamp(p.sent_at, 0).unwrap_or_default();
            load.paged_in.add(band_in(sent, tz.as_ref(), holidays), 1);
        }
        if load.pages > before {
            load.incidents += 1;
            resolves.extend(incident.resolved_at.map(|r| r - incident.created_at));
        }
    }
    load.to_ack = Stats::of(acks);
    load.to_resolve = Stats::of(resolves);
    load
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRow {
    pub contact: String,
    /// Their pages, by band of their own day.
    pub load: Load,
}

/// On-call time of one person, by band, in seconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnCallRow {
    pub contact: String,
    pub zone: String,
    pub seconds: Bands,
}

/// A stretch someone was on call: who, in which rotation, from, to, and the zone their day is
/// read in (the rotation's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnCallSpan {
    pub contact: String,
    pub rotation: String,
    pub start: i64,
    pub end: i64,
    pub zone: String,
}

/// One team rotation over the period: the pages its people received while on call in it (a
/// page to someone on call in two rotations counts for both), and its on-call hours.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationRow {
    pub rotation: String,
    pub zone: String,
    /// The pages its people took while on call in it, by band of the rotation's day.
    pub load: Load,
    /// Person-seconds on call (each member's shifts, overlaps within the rotation counted once).
    pub on_call: Bands,
}

/// Per team rotation, by name.
pub fn by_rotation(
    incidents: &[IncidentFacts],
    spans: &[OnCallSpan],
    from: i64,
    to: i64,
    holidays: &dyn Fn(NaiveDate) -> bool,
) -> Vec<RotationRow> {
    let mut names: Vec<&str> = spans.iter().map(|s| s.rotation.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .map(|rotation| {
            let mine: Vec<OnCallSpan> = spans.iter().filter(|s| s.rotation == rotation).cloned().collect();
            let zone = mine.first().map(|s| s.zone.clone()).unwrap_or_default();
            // Per member, their spans in start order, to find the one covering a page by search.
            let mut members: std::collections::HashMap<&str, Vec<(i64, i64)>> = std::collections::HashMap::new();
            for s in &mine {
                members.entry(s.contact.as_str()).or_default().push((s.start, s.end));
            }
            for list in members.values_mut() {
                *list = merged(std::mem::take(list));
            }
            let on_call_at = |p: &PageFacts| {
                members.get(p.contact.as_str()).is_some_and(|list| {
                    let i = list.partition_point(|(start, _)| *start <= p.sent_at);
                    i > 0 && p.sent_at < list[i - 1].1
                })
            };
            let mut on_call_hours = Bands::default();
            for row in on_call(&mine, from, to, holidays) {
                on_call_hours.add_all(&row.seconds);
            }
            RotationRow {
                rotation: rotation.to_owned(),
                load: load_of(incidents, &on_call_at, &zone, holidays),
                zone,
                on_call: on_call_hours,
            }
        })
        .collect()
}

/// Spans sorted by start with overlapping and touching ones joined.
fn merged(mut spans: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    spans.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match out.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

/// Per response plan, by name.
pub fn by_plan(incidents: &[IncidentFacts]) -> Vec<PlanRow> {
    let mut plans: Vec<&str> = incidents.iter().map(|i| i.plan.as_str()).collect();
    plans.sort_unstable();
    plans.dedup();
    plans
        .into_iter()
        .map(|plan| {
            let mine: Vec<&IncidentFacts> = incidents.iter().filter(|i| i.plan == plan).collect();
            let first_ack = |i: &IncidentFacts| i.pages.iter().filter_map(|p| p.acked_at).min();
            PlanRow {
                plan: plan.to_owned(),
                incidents: mine.len(),
                pages: mine.iter().map(|i| i.pages.len()).sum(),
                to_ack: Stats::of(mine.iter().filter_map(|i| first_ack(i).map(|a| a - i.created_at)).collect()),
                to_resolve: Stats::of(mine.iter().filter_map(|i| i.resolved_at.map(|r| r - i.created_at)).collect()),
            }
        })
        .collect()
}

/// Per person paged, by name; `zone_of` gives the zone their day is read in.
pub fn by_person(
    incidents: &[IncidentFacts],
    zone_of: &dyn Fn(&str) -> String,
    holidays: &dyn Fn(NaiveDate) -> bool,
) -> Vec<PersonRow> {
    // Each person's incidents first, so each person's figures read only their own.
    let mut theirs: std::collections::HashMap<&str, Vec<&IncidentFacts>> = std::collections::HashMap::new();
    for incident in incidents {
        let mut paged: Vec<&str> = incident.pages.iter().map(|p| p.contact.as_str()).collect();
        paged.sort_unstable();
        paged.dedup();
        for contact in paged {
            theirs.entry(contact).or_default().push(incident);
        }
    }
    let mut people: Vec<(&str, Vec<&IncidentFacts>)> = theirs.into_iter().collect();
    people.sort_unstable_by_key(|(contact, _)| *contact);
    people
        .into_iter()
        .map(|(contact, mine)| PersonRow {
            contact: contact.to_owned(),
            load: load_of(mine, &|p| p.contact == contact, &zone_of(contact), holidays),
        })
        .collect()
}

/// On-call seconds per person within `[from, to)`, by band of their own day.
/// Someone on call in two rotations at once is counted once (the zone of the earlier span).
pub fn on_call(spans: &[OnCallSpan], from: i64, to: i64, holidays: &dyn Fn(NaiveDate) -> bool) -> Vec<OnCallRow> {
    let mut sorted: Vec<&OnCallSpan> = spans.iter().collect();
    sorted.sort_by(|a, b| a.contact.cmp(&b.contact).then(a.start.cmp(&b.start)));
    let mut merged: Vec<OnCallSpan> = Vec::new();
    for s in sorted {
        match merged.last_mut() {
            Some(last) if last.contact == s.contact && s.start <= last.end => last.end = last.end.max(s.end),
            _ => merged.push(s.clone()),
        }
    }
    let mut rows: Vec<OnCallRow> = Vec::new();
    for s in &merged {
        let (start, end) = (s.start.max(from), s.end.min(to));
        if start >= end {
            continue;
        }
        let bands = split(start, end, &s.zone, holidays);
        match rows.iter_mut().find(|r| r.contact == s.contact) {
            Some(row) => row.seconds.add_all(&bands),
            None => rows.push(OnCallRow { contact: s.contact.clone(), zone: s.zone.clone(), seconds: bands }),
        }
    }
    rows.sort_by(|a, b| a.contact.cmp(&b.contact));
    rows
}

/// A CSV document (RFC 4180: fields with commas, quotes or line breaks quoted). A field that a
/// spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage
/// return: a person's or plan's name is anyone's text) starts with `'` instead, as OWASP advises,
/// so opening the export never runs `=HYPERLINK(…)` or `=cmd|…`.
pub fn csv(header: &[&str], rows: &[Vec<String>]) -> String {
    let field = |f: &str| {
        let f = if f.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{f}") } else { f.to_owned() };
        if f.contains([',', '"', '\n', '\r']) { format!("\"{}\"", f.replace('"', "\"\"")) } else { f }
    };
    let mut out = header.iter().map(|h| field(h)).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    for row in rows {
        out.push_str(&row.iter().map(|f| field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// Japan's public holidays (national holidays, substitute holidays and citizens' holidays
/// between two holidays), 2000–2099, as the Act on National Holidays and its amendments set
/// them (the 2019 enthronement days and the 2020–2021 Olympic moves included).
pub fn japanese_holiday(date: NaiveDate) -> bool {
    named_holiday(date) || substitute(date) || sandwiched(date)
}

fn nth_monday(year: i32, month: u32, n: u8) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, n)
}

/// The equinox day of March (base 20.8431) or September (23.2488), 1980–2099, by the formula
/// the National Astronomical Observatory's announcements follow; in millionths, to stay exact.
fn equinox(year: i32, base_millionths: i64) -> u32 {
    let y = i64::from(year - 1980);
    u32::try_from((base_millionths + 242_194 * y) / 1_000_000 - y / 4).unwrap_or(0)
}

/// The holidays the law names for a date (before substitutes and sandwiched days).
fn named_holiday(date: NaiveDate) -> bool {
    let (y, m, d) = (date.year(), date.month(), date.day());
    let is = |month: u32, day: u32| m == month && d == day;
    let monday = |month: u32, n: u8| nth_monday(y, month, n) == Some(date);
    let fixed = is(1, 1)
        || is(2, 11)
        || (y >= 2020 && is(2, 23))
        || (y <= 2018 && is(12, 23))
        || is(4, 29)
        || is(5, 3)
        || is(5, 4) && y >= 2007
        || is(5, 5)
        || is(11, 3)
        || is(11, 23)
        || (y == 2019 && (is(5, 1) || is(10, 22)));
    let equinoxes = (m == 3 && d == equinox(y, 20_843_100)) || (m == 9 && d == equinox(y, 23_248_800));
    let coming_of_age = monday(1, 2);
    let marine = match y {
        2020 => is(7, 23),
        2021 => is(7, 22),
        _ if y >= 2003 => monday(7, 3),
        _ => is(7, 20),
    };
    let mountain = match y {
        2020 => is(8, 10),
        2021 => is(8, 8),
        _ => y >= 2016 && is(8, 11),
    };
    let aged = if y >= 2003 { monday(9, 3) } else { is(9, 15) };
    let sports = match y {
        2020 => is(7, 24),
        2021 => is(7, 23),
        _ => monday(10, 2),
    };
    fixed || equinoxes || coming_of_age || marine || mountain || aged || sports
}

/// A holiday on a Sunday moves to the next day that is not itself a holiday.
fn substitute(date: NaiveDate) -> bool {
    if named_holiday(date) {
        return false;
    }
    let mut day = date - Duration::days(1);
    while named_holiday(day) {
        if day.weekday() == Weekday::Sun {
            return true;
        }
        day -= Duration::days(1);
    }
    false
}

/// A working day between two holidays is a holiday too.
fn sandwiched(date: NaiveDate) -> bool {
    date.weekday() != Weekday::Sun
        && !named_holiday(date)
        && named_holiday(date - Duration::days(1))
        && named_holiday(date + Duration::days(1))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn holidays_of(year: i32) -> Vec<String> {
        let mut d = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
        let mut out = Vec::new();
        while d.year() == year {
            if japanese_holiday(d) {
                out.push(d.format("%m-%d").to_string());
            }
            d += Duration::days(1);
        }
        out
    }

    #[test]
    fn japans_holidays_as_the_cabinet_office_lists_them() {
        // 2026: May 6 replaces Sunday May 3; September 22 lies between two holidays.
        assert_eq!(
            holidays_of(2026),
            [
                "01-01", "01-12", "02-11", "02-23", "03-20", "04-29", "05-03", "05-04", "05-05", "05-06", "07-20",
                "08-11", "09-21", "09-22", "09-23", "10-12", "11-03", "11-23"
            ]
        );
        // 2025: Sunday holidays on February 23, May 4 and November 23 each give a Monday off.
        assert_eq!(
            holidays_of(2025),
            [
                "01-01", "01-13", "02-11", "02-23", "02-24", "03-20", "04-29", "05-03", "05-04", "05-05", "05-06",
                "07-21", "08-11", "09-15", "09-23", "10-13", "11-03", "11-23", "11-24"
            ]
        );
        // 2019's enthronement: April 30 and May 2 between holidays, May 6 for Sunday May 5.
        for d in ["2019-04-29", "2019-04-30", "2019-05-01", "2019-05-02", "2019-05-06", "2019-10-22"] {
            assert!(japanese_holiday(day(d)), "{d}");
        }
        assert!(!japanese_holiday(day("2019-05-07")) && !japanese_holiday(day("2019-12-23")));
        // The Olympic year's moves.
        assert!(japanese_holiday(day("2020-07-24")) && !japanese_holiday(day("2020-10-12")));
        assert!(japanese_holiday(day("2021-08-09")), "Mountain Day 2021 fell on a Sunday");
    }

    #[test]
    fn bands_follow_the_persons_clock_and_calendar() {
        let none = |_: NaiveDate| false;
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(band_of(at("2026-12-01T01:00:00Z"), "Asia/Tokyo", &none), Band::Working, "Tue 10:00 JST");
        assert_eq!(band_of(at("2026-12-01T10:00:00Z"), "Asia/Tokyo", &none), Band::Evening, "Tue 19:00 JST");
        assert_eq!(band_of(at("2026-12-01T14:00:00Z"), "Asia/Tokyo", &none), Band::Night, "Tue 23:00 JST");
        assert_eq!(band_of(at("2026-12-01T14:00:00Z"), "UTC", &none), Band::Working, "Tue 14:00 UTC");
        assert_eq!(band_of(at("2026-12-01T20:00:00Z"), "UTC", &none), Band::Evening, "Tue 20:00 UTC");
        assert_eq!(band_of(at("2026-11-23T01:00:00Z"), "Asia/Tokyo", &japanese_holiday), Band::WeekendOrHoliday);
        // A week on call from Monday 10:00 in Tokyo to the next Monday 10:00: 5 × 9 h of work
        // (Monday's first hour falls in the next week's Monday).
        let start = at("2026-11-30T01:00:00Z").timestamp();
        let week = split(start, start + 7 * 86_400, "Asia/Tokyo", &none);
        assert_eq!(week.total(), 7 * 86_400);
        assert_eq!(week.working, 5 * 9 * 3600);
        assert_eq!(week.weekend_or_holiday, 2 * 86_400);
    }

    #[test]
    fn plans_and_people_from_their_pages() {
        let page = |contact: &str, sent_at: i64, acked_at: Option<i64>| PageFacts {
            contact: contact.into(),
            sent_at,
            acked_at,
        };
        let incidents = [
            IncidentFacts {
                plan: "sev1".into(),
                created_at: 0,
                resolved_at: Some(3600),
                pages: vec![page("tanaka", 10, Some(130)), page("sato", 610, Some(700))],
            },
            IncidentFacts {
                plan: "sev1".into(),
                created_at: 1000,
                resolved_at: None,
                pages: vec![page("tanaka", 1000, None)],
            },
            IncidentFacts { plan: "sev3".into(), created_at: 5000, resolved_at: Some(5600), pages: vec![] },
        ];
        let plans = by_plan(&incidents);
        assert_eq!(plans.len(), 2);
        assert_eq!(
            (plans[0].incidents, plans[0].pages, plans[0].to_ack.mean, plans[0].to_resolve.p90),
            (2, 3, Some(130), Some(3600))
        );
        assert_eq!(plans[1].to_ack, Stats::default());
        let people = by_person(&incidents, &|_| "UTC".into(), &|_| false);
        assert_eq!(
            people.iter().map(|p| (p.contact.as_str(), p.load.pages, p.load.acknowledged)).collect::<Vec<_>>(),
            [("sato", 1, 1), ("tanaka", 2, 1)]
        );
        assert_eq!(people[1].load.to_ack.mean, Some(120));
        assert_eq!(people[1].load.paged_in.night, 2, "1970-01-01 00:00 UTC was a Thursday night");
        let spans = [
            OnCallSpan { contact: "tanaka".into(), rotation: "Ops".into(), start: -100, end: 50, zone: "UTC".into() },
            OnCallSpan { contact: "tanaka".into(), rotation: "Ops".into(), start: 50, end: 200, zone: "UTC".into() },
        ];
        assert_eq!(on_call(&spans, 0, 100, &|_| false)[0].seconds.total(), 100, "clipped to the period");
        let twice = [spans[1].clone(), OnCallSpan { start: 100, end: 300, ..spans[1].clone() }];
        assert_eq!(on_call(&twice, 0, 1000, &|_| false)[0].seconds.total(), 250, "overlaps counted once");
        assert_eq!(
            csv(&["a", "b"], &[vec!["x,y".into(), "say \"hi\"".into()]]),
            "a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n"
        );
        // Formulas are written as text.
        let hostile = vec![
            "=HYPERLINK(\"http://evil.example\",\"x\")".into(),
            "+1+2".into(),
            "-cmd|' /C calc'!A0".into(),
            "@SUM(A1)".into(),
            "\tx".into(),
            "ok".into(),
        ];
        assert_eq!(
            csv(&["a", "b", "c", "d", "e", "f"], &[hostile]),
            "a,b,c,d,e,f\r\n\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",'+1+2,'-cmd|' /C calc'!A0,'@SUM(A1),'\tx,ok\r\n"
        );
    }

    #[test]
    fn percentiles_take_the_nearest_rank() {
        assert_eq!(Stats::of(vec![]), Stats::default());
        let s = Stats::of((1..=10).rev().collect());
        assert_eq!((s.count, s.mean, s.p90), (10, Some(5), Some(9)));
        assert_eq!(Stats::of(vec![7]).p90, Some(7));
    }

    /// Band by band, minute by minute: the slow, obvious way.
    fn brute_force(start: i64, end: i64, zone: &str) -> Bands {
        let mut bands = Bands::default();
        let mut at = start;
        while at < end {
            let t = DateTime::from_timestamp(at, 0).unwrap();
            bands.add(band_of(t, zone, &japanese_holiday), (at + 60).min(end) - at);
            at += 60;
        }
        bands
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Spans across clock changes (New York, London) and half-hour zones (Adelaide, Kolkata),
        /// on holidays and weekends: the quarter-hour walk equals the minute-by-minute count.
        #[test]
        fn the_split_equals_a_minute_by_minute_count(
            start_min in 0i64..(366 * 24 * 60),
            len_min in 0i64..(3 * 24 * 60),
            zone in prop::sample::select(vec!["Asia/Tokyo", "America/New_York", "Europe/London", "Australia/Adelaide", "Asia/Kolkata", "UTC"]),
        ) {
            // From 2026-01-01 00:00 UTC, through both of 2026's clock changes.
            let start = 1_767_225_600 + start_min * 60;
            let end = start + len_min * 60;
            prop_assert_eq!(split(start, end, zone, &japanese_holiday), brute_force(start, end, zone));
        }

        /// Random incidents, pages and acknowledgements: each plan's and person's figures equal
        /// a recount that walks the raw facts one by one.
        #[test]
        fn plans_and_people_equal_a_recount(
            raw in prop::collection::vec(
                (0usize..3, 0i64..1_000_000, prop::option::of(1i64..100_000),
                 prop::collection::vec((0usize..3, 0i64..5_000, prop::option::of(1i64..5_000)), 0..4)),
                0..25,
            ),
        ) {
            const PLANS: [&str; 3] = ["sev1", "sev2", "sev3"];
            const PEOPLE: [&str; 3] = ["emily", "sato", "tanaka"];
            let facts: Vec<IncidentFacts> = raw.iter().map(|(plan, created, resolve, pages)| IncidentFacts {
                plan: PLANS[*plan].into(),
                created_at: *created,
                resolved_at: resolve.map(|r| created + r),
                pages: pages.iter().map(|(who, after, ack)| PageFacts {
                    contact: PEOPLE[*who].into(),
                    sent_at: created + after,
                    acked_at: ack.map(|a| created + after + a),
                }).collect(),
            }).collect();
            for row in by_plan(&facts) {
                let (mut n, mut pages, mut acks, mut resolves) = (0, 0, Vec::new(), Vec::new());
                for f in facts.iter().filter(|f| f.plan == row.plan) {
                    n += 1;
                    pages += f.pages.len();
                    let mut first: Option<i64> = None;
                    for p in &f.pages {
                        if let Some(a) = p.acked_at {
                            first = Some(first.map_or(a, |x| x.min(a)));
                        }
                    }
                    if let Some(a) = first { acks.push(a - f.created_at); }
                    if let Some(r) = f.resolved_at { resolves.push(r - f.created_at); }
                }
                prop_assert_eq!((row.incidents, row.pages), (n, pages));
                prop_assert_eq!(row.to_ack, Stats::of(acks));
                prop_assert_eq!(row.to_resolve, Stats::of(resolves));
            }
            let people = by_person(&facts, &|_| "Asia/Tokyo".into(), &japanese_holiday);
            for row in &people {
                let mine: Vec<&PageFacts> = facts.iter().flat_map(|f| &f.pages).filter(|p| p.contact == row.contact).collect();
                prop_assert_eq!(row.load.pages, mine.len());
                prop_assert_eq!(row.load.acknowledged, mine.iter().filter(|p| p.acked_at.is_some()).count());
                prop_assert_eq!(row.load.paged_in.total(), i64::try_from(mine.len()).unwrap());
                prop_assert_eq!(row.load.to_ack, Stats::of(mine.iter().filter_map(|p| p.acked_at.map(|a| a - p.sent_at)).collect()));
                let theirs: Vec<&IncidentFacts> =
                    facts.iter().filter(|f| f.pages.iter().any(|p| p.contact == row.contact)).collect();
                prop_assert_eq!(row.load.incidents, theirs.len());
                prop_assert_eq!(row.load.to_resolve, Stats::of(theirs.iter().filter_map(|f| f.resolved_at.map(|r| r - f.created_at)).collect()));
            }
            prop_assert_eq!(people.iter().map(|p| p.load.pages).sum::<usize>(), facts.iter().map(|f| f.pages.len()).sum::<usize>());
        }

        /// Random shifts in two rotations (in zones with clock changes) and random pages: each
        /// rotation's figures equal a recount that asks, page by page and shift by shift, whether
        /// the person paged was on call in it; its on-call hours equal a minute-by-minute count.
        #[test]
        fn rotations_equal_a_recount(
            shifts in prop::collection::vec((0usize..2, 0usize..3, 0i64..(20 * 24), 1i64..(3 * 24)), 0..12),
            raw in prop::collection::vec(
                (prop::option::of(1i64..100_000),
                 prop::collection::vec((0usize..3, 0i64..(20 * 24 * 60), prop::option::of(1i64..5_000)), 0..4)),
                0..12,
            ),
        ) {
            const ROTATIONS: [(&str, &str); 2] = [("Ops", "America/New_York"), ("DB", "Europe/London")];
            const PEOPLE: [&str; 3] = ["emily", "sato", "tanaka"];
            // From 2026-03-01 00:00 UTC: both zones change their clocks within the 20 days.
            let base = 1_772_323_200;
            let spans: Vec<OnCallSpan> = shifts.iter().map(|(r, who, start_h, len_h)| OnCallSpan {
                contact: PEOPLE[*who].into(),
                rotation: ROTATIONS[*r].0.into(),
                start: base + start_h * 3600,
                end: base + (start_h + len_h) * 3600,
                zone: ROTATIONS[*r].1.into(),
            }).collect();
            let facts: Vec<IncidentFacts> = raw.iter().map(|(resolve, pages)| IncidentFacts {
                plan: "sev1".into(),
                created_at: base,
                resolved_at: resolve.map(|r| base + r),
                pages: pages.iter().map(|(who, min, ack)| PageFacts {
                    contact: PEOPLE[*who].into(),
                    sent_at: base + min * 60,
                    acked_at: ack.map(|a| base + min * 60 + a),
                }).collect(),
            }).collect();
            let (from, to) = (base + 2 * 86_400, base + 18 * 86_400);
            let rows = by_rotation(&facts, &spans, from, to, &japanese_holiday);
            for row in &rows {
                let mine: Vec<&OnCallSpan> = spans.iter().filter(|s| s.rotation == row.rotation).collect();
                let on_call_then = |p: &PageFacts| mine.iter().any(|s| s.contact == p.contact && s.start <= p.sent_at && p.sent_at < s.end);
                let pages: Vec<&PageFacts> = facts.iter().flat_map(|f| &f.pages).filter(|p| on_call_then(p)).collect();
                prop_assert_eq!(row.load.pages, pages.len());
                let theirs: Vec<&IncidentFacts> = facts.iter().filter(|f| f.pages.iter().any(on_call_then)).collect();
                prop_assert_eq!(row.load.incidents, theirs.len());
                prop_assert_eq!(row.load.to_resolve, Stats::of(theirs.iter().filter_map(|f| f.resolved_at.map(|r| r - f.created_at)).collect()));
                prop_assert_eq!(row.load.acknowledged, pages.iter().filter(|p| p.acked_at.is_some()).count());
                prop_assert_eq!(row.load.to_ack, Stats::of(pages.iter().filter_map(|p| p.acked_at.map(|a| a - p.sent_at)).collect()));
                prop_assert_eq!(row.load.paged_in.total(), i64::try_from(pages.len()).unwrap());
                // Minute by minute: each member counts once for each minute they are on call.
                let mut expected = Bands::default();
                for who in PEOPLE {
                    let mut at = from;
                    while at < to {
                        if mine.iter().any(|s| s.contact == who && s.start <= at && at < s.end) {
                            expected.add(band_of(DateTime::from_timestamp(at, 0).unwrap(), &row.zone, &japanese_holiday), 60);
                        }
                        at += 60;
                    }
                }
                prop_assert_eq!(row.on_call, expected);
            }
            prop_assert_eq!(rows.len(), ROTATIONS.iter().filter(|(r, _)| spans.iter().any(|s| s.rotation == *r)).count());
        }

        #[test]
        fn stats_equal_a_sort_and_count(secs in prop::collection::vec(0i64..1_000_000, 1..200)) {
            let s = Stats::of(secs.clone());
            let mut sorted = secs.clone();
            sorted.sort_unstable();
            let at_or_below = |v: i64| sorted.iter().filter(|x| **x <= v).count() * 10 >= sorted.len() * 9;
            let p90 = *sorted.iter().find(|v| at_or_below(**v)).unwrap();
            prop_assert_eq!(s.p90, Some(p90));
            prop_assert_eq!(s.mean, Some(secs.iter().sum::<i64>() / i64::try_from(secs.len()).unwrap()));
        }
    }
}
