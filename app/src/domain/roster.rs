//! Roster history, and what an edit would change.
//!
//! Incident Manager recomputes past shifts from the current definition, so an edit rewrites the
//! past. The console keeps every change as a version (the definition after it, plus the override
//! added or removed), and answers "who was on call at T" from the version in force at T with the
//! overrides that existed then. Shared with the browser, which also uses the diff and DST checks
//! below to preview an edit before it is saved.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Offset, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::rotation::{HandOff, HandOffTime, Override, Rotation, Shift};
use super::timezone::parse_time_zone;

/// What a version changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VersionKind {
    Created,
    Edited,
    /// The definition of version `from` again.
    Restored {
        from: u32,
    },
    OverrideAdded {
        id: String,
        value: Override,
    },
    OverrideRemoved {
        id: String,
    },
    /// First seen by the console (a rotation made elsewhere, e.g. directly in AWS).
    Observed,
}

impl VersionKind {
    /// Versions that change the definition itself; an edit must start from the latest of these.
    pub fn changes_definition(&self) -> bool {
        matches!(
            self,
            VersionKind::Created | VersionKind::Edited | VersionKind::Restored { .. } | VersionKind::Observed
        )
    }
}

/// One version: the rotation as it stood after the change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterVersion {
    pub version: u32,
    pub saved_at: DateTime<Utc>,
    pub actor: String,
    pub kind: VersionKind,
    pub name: String,
    pub rotation: Rotation,
}

/// The recorded history of one rotation, oldest version first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roster {
    pub versions: Vec<RosterVersion>,
}

impl Roster {
    pub fn new(mut versions: Vec<RosterVersion>) -> Self {
        versions.sort_by_key(|v| v.version);
        Roster { versions }
    }

    /// The definition in force at `at`: the last version saved at or before it.
    pub fn definition_at(&self, at: DateTime<Utc>) -> Option<&RosterVersion> {
        self.versions.iter().take_while(|v| v.saved_at <= at).last()
    }

    /// The overrides that existed at `at` (added by then, not yet removed), oldest first.
    pub fn overrides_at(&self, at: DateTime<Utc>) -> Vec<Override> {
        let mut live: Vec<(&str, &Override)> = Vec::new();
        for v in self.versions.iter().take_while(|v| v.saved_at <= at) {
            match &v.kind {
                VersionKind::OverrideAdded { id, value } => live.push((id, value)),
                VersionKind::OverrideRemoved { id } => live.retain(|(i, _)| i != id),
                _ => {}
            }
        }
        live.into_iter().map(|(_, o)| o.clone()).collect()
    }

    /// Who was on call at `at`, as the console knew it then. Nobody before the first version.
    pub fn on_call_at(&self, at: DateTime<Utc>) -> Vec<String> {
        self.definition_at(at).map(|v| v.rotation.on_call_at(at, &self.overrides_at(at))).unwrap_or_default()
    }

    /// The shifts of `[from, to)` as they were: each stretch between two changes comes from the
    /// version in force during it. The last version is taken to hold from its save on.
    pub fn shifts(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Shift> {
        let mut out: Vec<Shift> = Vec::new();
        for (i, v) in self.versions.iter().enumerate() {
            let next_change = self.versions.get(i + 1).map(|n| n.saved_at);
            let (start, end) = (from.max(v.saved_at), next_change.map_or(to, |n| n.min(to)));
            if start >= end {
                continue;
            }
            out = join_shifts(out, v.rotation.shifts(start, end, &self.overrides_at(v.saved_at)));
        }
        out
    }

    /// When the console first recorded this rotation.
    pub fn first_seen(&self) -> Option<DateTime<Utc>> {
        self.versions.first().map(|v| v.saved_at)
    }

    pub fn latest(&self) -> Option<&RosterVersion> {
        self.versions.last()
    }

    /// The latest version that changed the definition: the base an edit must start from.
    pub fn definition_version(&self) -> u32 {
        self.versions.iter().rev().find(|v| v.kind.changes_definition()).map_or(0, |v| v.version)
    }
}

/// `later` appended to `earlier`; a shift cut in two at the seam (by a change that left it alone,
/// or by the edge of two sources) is one shift again.
pub fn join_shifts(mut earlier: Vec<Shift>, later: Vec<Shift>) -> Vec<Shift> {
    for s in later {
        match earlier.last_mut() {
            Some(last) if last.end == s.start && last.members == s.members && last.kind == s.kind => last.end = s.end,
            _ => earlier.push(s),
        }
    }
    earlier
}

/// Whether `shifts` (sorted, within the window) leave any part of `[from, to)` uncovered.
pub fn has_gap(shifts: &[Shift], from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    let mut covered_to = from;
    for s in shifts {
        if s.start > covered_to || s.members.is_empty() {
            return true;
        }
        covered_to = covered_to.max(s.end);
    }
    covered_to < to
}

/// One line of a before → after comparison of upcoming shifts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftChange {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub before: Vec<String>,
    pub after: Vec<String>,
}

/// What an edit changes in a window: the stretches whose people differ, and minutes on call
/// gained (+) or lost (−) per person.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftDiff {
    pub changes: Vec<ShiftChange>,
    pub minutes: BTreeMap<String, i64>,
}

impl ShiftDiff {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Compares two shift lists over the same window, cutting at every boundary of either.
pub fn diff_shifts(before: &[Shift], after: &[Shift]) -> ShiftDiff {
    let mut cuts: Vec<DateTime<Utc>> = before.iter().chain(after).flat_map(|s| [s.start, s.end]).collect();
    cuts.sort();
    cuts.dedup();
    let mut diff = ShiftDiff::default();
    let (mut bi, mut ai) = (0, 0);
    for w in cuts.windows(2) {
        let (start, end) = (w[0], w[1]);
        let b = members_during(before, &mut bi, start);
        let a = members_during(after, &mut ai, start);
        if a == b {
            continue;
        }
        let minutes = (end - start).num_minutes();
        for m in &b {
            *diff.minutes.entry(m.clone()).or_default() -= minutes;
        }
        for m in &a {
            *diff.minutes.entry(m.clone()).or_default() += minutes;
        }
        match diff.changes.last_mut() {
            Some(last) if last.end == start && last.before == b && last.after == a => last.end = end,
            _ => diff.changes.push(ShiftChange { start, end, before: b, after: a }),
        }
    }
    diff.minutes.retain(|_, m| *m != 0);
    diff
}

/// Members on call at `at` in a sorted, non-overlapping list; `cursor` only moves forward.
fn members_during(shifts: &[Shift], cursor: &mut usize, at: DateTime<Utc>) -> Vec<String> {
    while *cursor < shifts.len() && shifts[*cursor].end <= at {
        *cursor += 1;
    }
    match shifts.get(*cursor) {
        Some(s) if s.start <= at => s.members.clone(),
        _ => Vec::new(),
    }
}

/// How a daylight-saving change affects a rotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DstEffect {
    /// A hand-off falls in the skipped hour and happens at the first valid time after it.
    MovedHandOff,
    /// A hand-off falls in the repeated hour: the shift around it runs an hour longer.
    DoubleHour,
    /// A coverage window starts or ends in the skipped hour, so it is shorter and leaves a gap.
    CoverageGap,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DstWarning {
    /// The local date of the change, in the rotation's zone.
    pub date: NaiveDate,
    pub time: HandOffTime,
    pub effect: DstEffect,
}

/// DST changes in `[from, to)` that move a hand-off, repeat an hour at one, or cut coverage.
pub fn dst_warnings(rotation: &Rotation, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DstWarning> {
    let Some(tz) = parse_time_zone(&rotation.time_zone) else { return Vec::new() };
    let (mut day, last) = (from.with_timezone(&tz).date_naive(), to.with_timezone(&tz).date_naive());
    let at_midnight = |d: NaiveDate| {
        let midnight = d.and_time(NaiveTime::MIN);
        tz.from_local_datetime(&midnight)
            .earliest()
            .map_or_else(|| tz.offset_from_utc_date(&d).fix(), |t| t.offset().fix())
    };
    // Compared with the offset at `from` first, so a change earlier that day is not reported.
    let mut before = from.with_timezone(&tz).offset().fix();
    let mut out = Vec::new();
    while day <= last {
        let next = day + Duration::days(1);
        let after = at_midnight(next);
        if before != after {
            // The change happens during `day` (local); check every hand-off and coverage edge on it.
            for t in handoffs_on(&rotation.handoff, day) {
                if let Some(effect) = local_kind(tz, day, t) {
                    out.push(DstWarning { date: day, time: t, effect });
                }
            }
            for c in rotation.coverage.iter().filter(|c| c.day == chrono::Datelike::weekday(&day)) {
                for t in [c.start, c.end] {
                    if local_kind(tz, day, t) == Some(DstEffect::MovedHandOff) {
                        out.push(DstWarning { date: day, time: t, effect: DstEffect::CoverageGap });
                    }
                }
            }
        }
        before = after;
        day = next;
    }
    out
}

fn handoffs_on(handoff: &HandOff, day: NaiveDate) -> Vec<HandOffTime> {
    use chrono::Datelike;
    match handoff {
        HandOff::Daily(times) => times.clone(),
        HandOff::Weekly(days) => days.iter().filter(|(d, _)| *d == day.weekday()).map(|(_, t)| *t).collect(),
        HandOff::Monthly(days) => days.iter().filter(|(d, _)| u32::from(*d) == day.day()).map(|(_, t)| *t).collect(),
    }
}

/// Whether a wall-clock time on `day` is skipped (moved) or repeated by a DST change.
fn local_kind(tz: super::timezone::Zone, day: NaiveDate, t: HandOffTime) -> Option<DstEffect> {
    let time = NaiveTime::from_hms_opt(u32::from(t.hour), u32::from(t.minute), 0)?;
    match tz.from_local_datetime(&day.and_time(time)) {
        chrono::LocalResult::None => Some(DstEffect::MovedHandOff),
        chrono::LocalResult::Ambiguous(..) => Some(DstEffect::DoubleHour),
        chrono::LocalResult::Single(_) => None,
    }
}

/// Everything the editor shows before saving: upcoming shifts, the diff against the saved
/// definition and DST warnings, over `[from, from + days)`. The browser runs this on every keystroke.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    pub shifts: Vec<Shift>,
    pub diff: ShiftDiff,
    pub dst: Vec<DstWarning>,
}

pub fn preview(saved: &Rotation, edited: &Rotation, overrides: &[Override], from: DateTime<Utc>, days: i64) -> Preview {
    let to = from + Duration::days(days);
    let before = saved.shifts(from, to, overrides);
    let shifts = edited.shifts(from, to, overrides);
    Preview { diff: diff_shifts(&before, &shifts), dst: dst_warnings(edited, from, to), shifts }
}
