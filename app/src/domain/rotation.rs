//! Rotation math: which shifts fall in a window and who is on call at an instant.
//!
//! Pure functions shared by the server (paging) and the browser (instant previews). Hand-offs and
//! coverage are wall-clock times in the rotation's IANA time zone, so a daily shift is 23 or 25
//! hours long on DST change days. A local time that does not exist (spring forward) moves forward
//! to the first valid instant; one that occurs twice (fall back) uses the first occurrence.
//!
//! Model (after SSM Contacts): hand-off *candidates* come from the daily, weekly or monthly
//! settings; a shift lasts `multiplier` candidates; shift `k` puts `number_on_call` members on
//! call, starting at member `k * number_on_call` and wrapping. Coverage limits the hours of each
//! weekday during which anyone is on call; overrides replace the people for a stretch of time
//! (the newest override wins where two overlap) and apply only inside coverage.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};

use super::timezone::{Zone, parse_time_zone};
use crate::error::FieldError;
use crate::i18n::Msg;

pub const MAX_MEMBERS: usize = 30;
pub const MAX_MULTIPLIER: u32 = 100;
pub const MIN_COVERAGE_MINUTES: u32 = 30;
pub const MIN_OVERRIDE_MINUTES: i64 = 30;
pub const MAX_OVERRIDE_AHEAD_DAYS: i64 = 183;

/// A wall-clock time of day. `24:00` is allowed only as the end of a coverage window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct HandOffTime {
    pub hour: u8,
    pub minute: u8,
}

impl HandOffTime {
    pub const fn new(hour: u8, minute: u8) -> Self {
        HandOffTime { hour, minute }
    }
    fn minutes(self) -> u32 {
        u32::from(self.hour) * 60 + u32::from(self.minute)
    }
    fn is_time_of_day(self) -> bool {
        self.hour < 24 && self.minute < 60
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HandOff {
    Daily(Vec<HandOffTime>),
    Weekly(Vec<(Weekday, HandOffTime)>),
    /// Day of month 1–31; in shorter months a later day falls on the month's last day.
    Monthly(Vec<(u8, HandOffTime)>),
}

impl HandOff {
    /// What to write for this kind of hand-off, when what was written is not that.
    pub fn problem(&self) -> Msg {
        handoff_problem(match self {
            HandOff::Daily(_) => "daily",
            HandOff::Weekly(_) => "weekly",
            HandOff::Monthly(_) => "monthly",
        })
    }
}

/// The hand-off message for a rotation kind (`daily`, `weekly`, `monthly`).
pub fn handoff_problem(kind: &str) -> Msg {
    match kind {
        "weekly" => Msg::ErrHandOffWeekly,
        "monthly" => Msg::ErrHandOff,
        _ => Msg::ErrHandOffDaily,
    }
}

/// Hours of one weekday during which the rotation is active: `[start, end)`, `end` may be 24:00.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    pub day: Weekday,
    pub start: HandOffTime,
    pub end: HandOffTime,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rotation {
    /// Member ids in shift order.
    pub members: Vec<String>,
    pub start: DateTime<Utc>,
    /// IANA name, e.g. `Asia/Tokyo`.
    pub time_zone: String,
    pub handoff: HandOff,
    pub multiplier: u32,
    pub number_on_call: u32,
    /// Empty means around the clock.
    pub coverage: Vec<Coverage>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// May be empty: nobody is on call then.
    pub members: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShiftKind {
    Regular,
    /// `displaced` are the members the rotation itself would have put on call.
    Overridden {
        displaced: Vec<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub members: Vec<String>,
    pub kind: ShiftKind,
}

impl Rotation {
    /// Checks every field; all problems are reported at once, each against its form field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field: &str, msg: Msg| errors.push(FieldError::new(field, msg));
        let mut seen = std::collections::BTreeSet::new();
        if self.members.is_empty() || self.members.len() > MAX_MEMBERS {
            fail("members", Msg::ErrRotationMembers);
        } else if !self.members.iter().all(|m| seen.insert(m)) {
            fail("members", Msg::ErrRotationDuplicateMember);
        }
        if parse_time_zone(&self.time_zone).is_none() {
            fail("time_zone", Msg::ErrTimeZone);
        }
        if !(1..=MAX_MULTIPLIER).contains(&self.multiplier) {
            fail("multiplier", Msg::ErrMultiplier);
        }
        let members = u32::try_from(self.members.len()).unwrap_or(u32::MAX);
        if self.number_on_call == 0 || self.number_on_call > members.max(1) {
            fail("number_on_call", Msg::ErrNumberOnCall);
        }
        let handoff_ok = match &self.handoff {
            HandOff::Daily(times) => !times.is_empty() && times.iter().all(|t| t.is_time_of_day()),
            HandOff::Weekly(days) => !days.is_empty() && days.iter().all(|(_, t)| t.is_time_of_day()),
            HandOff::Monthly(days) => {
                !days.is_empty() && days.iter().all(|(d, t)| (1..=31).contains(d) && t.is_time_of_day())
            }
        };
        if !handoff_ok {
            fail("handoff", self.handoff.problem());
        }
        if !coverage_is_valid(&self.coverage) {
            fail("coverage", Msg::ErrCoverage);
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// The shifts that overlap `[from, to)`, clipped to it, with `overrides` applied.
    /// An invalid rotation (see [`Rotation::validate`]) has no shifts.
    pub fn shifts(&self, from: DateTime<Utc>, to: DateTime<Utc>, overrides: &[Override]) -> Vec<Shift> {
        let Some(tz) = parse_time_zone(&self.time_zone) else { return Vec::new() };
        if self.validate().is_err() || from >= to {
            return Vec::new();
        }
        let from = from.max(self.start);
        if from >= to {
            return Vec::new();
        }
        let regular = self.regular_shifts(tz, from, to);
        let covered: Vec<Shift> = regular.into_iter().flat_map(|s| self.clip_to_coverage(tz, s)).collect();
        apply_overrides(covered, overrides)
    }

    /// The shift under way at `now` (if anyone is on call) and the one after it, looking up to
    /// `horizon` ahead.
    pub fn now_and_next(
        &self,
        now: DateTime<Utc>,
        horizon: Duration,
        overrides: &[Override],
    ) -> (Option<Shift>, Option<Shift>) {
        let mut shifts = self.shifts(now, now + horizon, overrides).into_iter().peekable();
        let current = shifts.next_if(|s| s.start <= now);
        (current, shifts.next())
    }

    /// Who is on call at `at` (empty outside coverage or before the rotation starts).
    pub fn on_call_at(&self, at: DateTime<Utc>, overrides: &[Override]) -> Vec<String> {
        self.shifts(at, at + Duration::seconds(1), overrides).into_iter().next().map(|s| s.members).unwrap_or_default()
    }

    fn members_of_shift(&self, k: i64) -> Vec<String> {
        let n = i64::try_from(self.members.len()).unwrap_or(1).max(1);
        let per = i64::from(self.number_on_call);
        (0..per)
            .map(|j| {
                let i = usize::try_from((k * per + j).rem_euclid(n)).unwrap_or(0);
                self.members[i].clone()
            })
            .collect()
    }

    /// Regular (uncovered, un-overridden) shifts overlapping `[from, to)`, clipped to it.
    ///
    /// Every period (day, week, month) has the same number of hand-off candidates, so the index
    /// of a candidate is known without walking from the rotation start: the walk begins far
    /// enough before `from` to see the boundary of the shift that contains it.
    fn regular_shifts(&self, tz: Zone, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Shift> {
        let m = i64::from(self.multiplier);
        let per_period = i64::try_from(self.handoff_len()).unwrap_or(1).max(1);
        let period0 = period_of(&self.handoff, self.start.with_timezone(&tz).naive_local().date());
        let lookback = (m + per_period - 1) / per_period + 1;
        let first = (period_of(&self.handoff, from.with_timezone(&tz).naive_local().date()) - lookback).max(period0);
        // Candidates strictly after the rotation start and before period `first`.
        let mut index = if first == period0 {
            0
        } else {
            let in_period0 = candidates(&self.handoff, tz, period0).iter().filter(|c| **c > self.start).count();
            i64::try_from(in_period0).unwrap_or(0) + (first - period0 - 1) * per_period
        };
        // (shift number, start) of the shift in progress, once known.
        let mut current = (first == period0).then_some((0, self.start));
        let mut shifts = Vec::new();
        let mut period = first;
        loop {
            for c in candidates(&self.handoff, tz, period) {
                if c <= self.start {
                    continue;
                }
                index += 1;
                if index % m != 0 {
                    continue;
                }
                if let Some((k, start)) = current {
                    push_clipped(&mut shifts, start, c, from, to, self.members_of_shift(k));
                }
                if c >= to {
                    return shifts;
                }
                current = Some((index / m, c));
            }
            period += 1;
        }
    }

    fn handoff_len(&self) -> usize {
        match &self.handoff {
            HandOff::Daily(v) => v.len(),
            HandOff::Weekly(v) => v.len(),
            HandOff::Monthly(v) => v.len(),
        }
    }

    /// The parts of `shift` inside the coverage windows (all of it when coverage is empty).
    fn clip_to_coverage(&self, tz: Zone, shift: Shift) -> Vec<Shift> {
        if self.coverage.is_empty() {
            return vec![shift];
        }
        coverage_windows(&self.coverage, tz, shift.start, shift.end)
            .into_iter()
            .filter_map(|(s, e)| {
                let (s, e) = (s.max(shift.start), e.min(shift.end));
                (s < e).then(|| Shift { start: s, end: e, ..shift.clone() })
            })
            .collect()
    }
}

fn push_clipped(
    out: &mut Vec<Shift>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    members: Vec<String>,
) {
    let (s, e) = (start.max(from), end.min(to));
    if s < e {
        out.push(Shift { start: s, end: e, members, kind: ShiftKind::Regular });
    }
}

/// Periods are days, weeks (Monday first) or months, numbered from 1970.
fn period_of(handoff: &HandOff, date: NaiveDate) -> i64 {
    let days = i64::from(date.num_days_from_ce()) - 719_163; // 1970-01-01
    match handoff {
        HandOff::Daily(_) => days,
        // 1970-01-01 was a Thursday: shift so weeks start on Monday.
        HandOff::Weekly(_) => (days + 3).div_euclid(7),
        HandOff::Monthly(_) => i64::from(date.year() - 1970) * 12 + i64::from(date.month0()),
    }
}

fn first_day_of(handoff: &HandOff, period: i64) -> NaiveDate {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    match handoff {
        HandOff::Daily(_) => epoch + Duration::days(period),
        HandOff::Weekly(_) => epoch + Duration::days(period * 7 - 3),
        HandOff::Monthly(_) => {
            let year = i32::try_from(1970 + period.div_euclid(12)).unwrap_or(1970);
            let month = u32::try_from(period.rem_euclid(12) + 1).unwrap_or(1);
            NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(epoch)
        }
    }
}

/// The hand-off candidates of one period, as sorted instants.
fn candidates(handoff: &HandOff, tz: Zone, period: i64) -> Vec<DateTime<Utc>> {
    let first = first_day_of(handoff, period);
    let mut out: Vec<DateTime<Utc>> = match handoff {
        HandOff::Daily(times) => times.iter().map(|t| resolve(tz, first, *t)).collect(),
        HandOff::Weekly(days) => days
            .iter()
            .map(|(day, t)| resolve(tz, first + Duration::days(i64::from(day.num_days_from_monday())), *t))
            .collect(),
        HandOff::Monthly(days) => {
            let last = last_day_of_month(first);
            days.iter()
                .map(|(d, t)| resolve(tz, first.with_day(u32::from(*d).min(last)).unwrap_or(first), *t))
                .collect()
        }
    };
    // No dedup: equal instants (a DST gap, day 31 in a short month) make an empty shift, which
    // keeps the count per period constant.
    out.sort();
    out
}

fn last_day_of_month(first: NaiveDate) -> u32 {
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    next.map_or(31, |n| (n - Duration::days(1)).day())
}

/// A wall-clock time on a date in `tz` as an instant: a skipped time moves forward to the first
/// valid instant; a repeated one takes its first occurrence. `24:00` is the next midnight.
fn resolve(tz: Zone, date: NaiveDate, t: HandOffTime) -> DateTime<Utc> {
    let (date, t) = if t.hour >= 24 { (date + Duration::days(1), HandOffTime::new(0, 0)) } else { (date, t) };
    let time = NaiveTime::from_hms_opt(u32::from(t.hour), u32::from(t.minute), 0).unwrap_or_default();
    let mut local = NaiveDateTime::new(date, time);
    // Gaps are at most a few hours; transitions fall on whole minutes.
    for _ in 0..(24 * 60) {
        match tz.from_local_datetime(&local) {
            chrono::LocalResult::Single(dt) => return dt.with_timezone(&Utc),
            chrono::LocalResult::Ambiguous(first, _) => return first.with_timezone(&Utc),
            chrono::LocalResult::None => local += Duration::minutes(1),
        }
    }
    Utc.from_utc_datetime(&local)
}

fn coverage_is_valid(coverage: &[Coverage]) -> bool {
    let valid_each = coverage.iter().all(|c| {
        c.start.is_time_of_day()
            && (c.end.is_time_of_day() || c.end == HandOffTime::new(24, 0))
            && c.end.minutes() >= c.start.minutes() + MIN_COVERAGE_MINUTES
    });
    let mut sorted: Vec<_> = coverage.iter().map(|c| (c.day.num_days_from_monday(), c.start, c.end)).collect();
    sorted.sort();
    let disjoint = sorted.windows(2).all(|w| w[0].0 != w[1].0 || w[0].2 <= w[1].1);
    valid_each && disjoint
}

/// Coverage windows (as instants) on the local days that touch `[from, to)`.
fn coverage_windows(
    coverage: &[Coverage],
    tz: Zone,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut day = from.with_timezone(&tz).date_naive() - Duration::days(1);
    let last = to.with_timezone(&tz).date_naive() + Duration::days(1);
    let mut out = Vec::new();
    while day <= last {
        let mut today: Vec<_> = coverage.iter().filter(|c| c.day == day.weekday()).collect();
        today.sort_by_key(|c| c.start);
        for c in today {
            let (s, e) = (resolve(tz, day, c.start), resolve(tz, day, c.end));
            if s < e && e > from && s < to {
                out.push((s, e));
            }
        }
        day += Duration::days(1);
    }
    out
}

/// Lays overrides over covered regular shifts; later overrides win where they overlap.
fn apply_overrides(mut shifts: Vec<Shift>, overrides: &[Override]) -> Vec<Shift> {
    for o in overrides.iter().filter(|o| o.start < o.end) {
        let mut next = Vec::with_capacity(shifts.len() + 2);
        for s in shifts {
            if o.end <= s.start || o.start >= s.end {
                next.push(s);
                continue;
            }
            let displaced = match &s.kind {
                ShiftKind::Regular => s.members.clone(),
                ShiftKind::Overridden { displaced } => displaced.clone(),
            };
            if s.start < o.start {
                next.push(Shift { end: o.start, ..s.clone() });
            }
            next.push(Shift {
                start: s.start.max(o.start),
                end: s.end.min(o.end),
                members: o.members.clone(),
                kind: ShiftKind::Overridden { displaced },
            });
            if o.end < s.end {
                next.push(Shift { start: o.end, ..s });
            }
        }
        shifts = next;
    }
    shifts
}

impl Override {
    /// Whether the two share any time (touching ends do not).
    pub fn overlaps(&self, other: &Override) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// At least 30 minutes, not in the past, at most six months ahead, only rotation members.
    pub fn validate(&self, rotation: &Rotation, now: DateTime<Utc>) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.end <= self.start {
            errors.push(FieldError::new("end", Msg::ErrOverrideBackwards));
        } else if self.end - self.start < Duration::minutes(MIN_OVERRIDE_MINUTES) {
            errors.push(FieldError::new("end", Msg::ErrOverrideLength));
        }
        if self.start < now {
            errors.push(FieldError::new("start", Msg::ErrOverridePast));
        }
        if self.start > now + Duration::days(MAX_OVERRIDE_AHEAD_DAYS) {
            errors.push(FieldError::new("start", Msg::ErrOverrideTooFar));
        }
        if !self.members.iter().all(|m| rotation.members.contains(m)) {
            errors.push(FieldError::new("members", Msg::ErrOverrideMember));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

/// `at` in the IANA zone `zone`, e.g. `2026-12-07 10:00 JST`; UTC for an unknown zone.
pub fn local_time(at: DateTime<Utc>, zone: &str) -> String {
    match parse_time_zone(zone) {
        Some(tz) => at.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string(),
        None => at.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}
