//! Roster history: whatever was true when it was asked ("who is on call now?") stays the
//! recorded answer after any later edits, overrides and removals, across DST changes; plus the
//! editor's diff and DST warnings.

use app::domain::roster::{DstEffect, Roster, RosterVersion, VersionKind, diff_shifts, dst_warnings, preview};
use app::domain::rotation::{HandOff, HandOffTime, Override, Rotation, ShiftKind};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn people(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("p{i}")).collect()
}

fn daily(zone: &str, start: DateTime<Utc>, hour: u8, minute: u8, members: Vec<String>) -> Rotation {
    Rotation {
        members,
        start,
        time_zone: zone.into(),
        handoff: HandOff::Daily(vec![HandOffTime::new(hour, minute)]),
        multiplier: 1,
        number_on_call: 1,
        coverage: vec![],
    }
}

/// A console in miniature: the live definition and overrides, and the versions it records.
struct Live {
    rotation: Rotation,
    overrides: Vec<(String, Override)>,
    versions: Vec<RosterVersion>,
}

impl Live {
    fn new(rotation: Rotation, at: DateTime<Utc>) -> Live {
        let mut live = Live { rotation, overrides: Vec::new(), versions: Vec::new() };
        live.record(at, VersionKind::Created);
        live
    }
    fn record(&mut self, at: DateTime<Utc>, kind: VersionKind) {
        let version = u32::try_from(self.versions.len()).unwrap() + 1;
        let rotation = self.rotation.clone();
        self.versions.push(RosterVersion {
            version,
            saved_at: at,
            actor: "t".into(),
            kind,
            name: "r".into(),
            rotation,
        });
    }
    fn edit(&mut self, at: DateTime<Utc>, rotation: Rotation) {
        self.rotation = rotation;
        self.record(at, VersionKind::Edited);
    }
    fn add_override(&mut self, at: DateTime<Utc>, value: Override) {
        let id = format!("o{}", self.versions.len());
        self.overrides.push((id.clone(), value.clone()));
        self.record(at, VersionKind::OverrideAdded { id, value });
    }
    fn remove_override(&mut self, at: DateTime<Utc>, index: usize) {
        let (id, _) = self.overrides.remove(index);
        self.record(at, VersionKind::OverrideRemoved { id });
    }
    /// What the engine answers now: the current definition with the current overrides.
    fn on_call_now(&self, at: DateTime<Utc>) -> Vec<String> {
        let overrides: Vec<Override> = self.overrides.iter().map(|(_, o)| o.clone()).collect();
        self.rotation.on_call_at(at, &overrides)
    }
}

#[test]
fn an_edit_does_not_rewrite_who_was_on_call() {
    let t0 = utc(2026, 11, 2, 0, 0);
    let mut live = Live::new(daily("Asia/Tokyo", t0, 9, 0, people(3)), t0);
    let monday_noon = utc(2026, 11, 2, 3, 0);
    assert_eq!(live.on_call_now(monday_noon), ["p0"]);
    // A week later someone reverses the order; Incident Manager would now say p2 was on call.
    let later = utc(2026, 11, 9, 0, 0);
    let mut reordered = live.rotation.clone();
    reordered.members.reverse();
    live.edit(later, reordered.clone());
    assert_eq!(reordered.on_call_at(monday_noon, &[]), ["p2"], "recomputing from the new definition rewrites history");
    let roster = Roster::new(live.versions.clone());
    assert_eq!(roster.on_call_at(monday_noon), ["p0"], "the recorded roster keeps what was true");
    assert_eq!(roster.on_call_at(later + Duration::hours(1)), reordered.on_call_at(later + Duration::hours(1), &[]));
}

#[test]
fn a_removed_override_still_counts_while_it_existed() {
    let t0 = utc(2026, 11, 2, 0, 0);
    let mut live = Live::new(daily("UTC", t0, 0, 0, people(3)), t0);
    let o = Override { start: utc(2026, 11, 3, 12, 0), end: utc(2026, 11, 3, 18, 0), members: vec!["p2".into()] };
    live.add_override(utc(2026, 11, 3, 8, 0), o);
    live.remove_override(utc(2026, 11, 3, 14, 0), 0);
    let roster = Roster::new(live.versions);
    assert_eq!(roster.on_call_at(utc(2026, 11, 3, 13, 0)), ["p2"], "the override was in force then");
    assert_eq!(roster.on_call_at(utc(2026, 11, 3, 15, 0)), ["p1"], "and not after it was removed");
    let shifts = roster.shifts(utc(2026, 11, 3, 0, 0), utc(2026, 11, 4, 0, 0));
    let kinds: Vec<_> = shifts.iter().map(|s| (s.start.format("%H:%M").to_string(), s.members[0].clone())).collect();
    assert_eq!(kinds, [("00:00".into(), "p1".into()), ("12:00".into(), "p2".into()), ("14:00".into(), "p1".into())]);
    assert!(matches!(shifts[1].kind, ShiftKind::Overridden { .. }));
}

#[test]
fn history_across_new_york_spring_forward() {
    // Daily hand-off at 02:30 New York: on 2027-03-14 that time does not exist (02:00 → 03:00).
    let t0 = utc(2027, 3, 10, 12, 0);
    let mut live = Live::new(daily("America/New_York", t0, 2, 30, people(2)), t0);
    let mut asked = Vec::new();
    let mut at = t0;
    while at < utc(2027, 3, 17, 0, 0) {
        asked.push((at, live.on_call_now(at)));
        at += Duration::minutes(47);
    }
    // After the change someone moves the hand-off to 08:00 and adds a member.
    let mut edited = live.rotation.clone();
    edited.handoff = HandOff::Daily(vec![HandOffTime::new(8, 0)]);
    edited.members.push("p9".into());
    live.edit(utc(2027, 3, 17, 0, 0), edited);
    let roster = Roster::new(live.versions);
    for (at, answer) in asked {
        assert_eq!(roster.on_call_at(at), answer, "at {at}");
    }
    // The skipped hand-off happened at 03:00 EDT = 07:00 UTC.
    let shifts = roster.shifts(utc(2027, 3, 13, 0, 0), utc(2027, 3, 16, 0, 0));
    assert!(shifts.iter().any(|s| s.start == utc(2027, 3, 14, 7, 0)), "{shifts:?}");
}

#[derive(Clone, Debug)]
enum Op {
    Ask,
    Reorder(u32),
    MoveHandOff(u8, u8),
    ChangeZone(usize),
    Override { ahead_h: i64, len_h: i64, who: usize },
    Remove(usize),
}

const ZONES: [&str; 4] = ["America/New_York", "Europe/London", "Asia/Tokyo", "Australia/Sydney"];

fn arb_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => Just(Op::Ask),
        1 => any::<u32>().prop_map(Op::Reorder),
        1 => (0u8..24, prop::sample::select(vec![0u8, 15, 30, 45])).prop_map(|(h, m)| Op::MoveHandOff(h, m)),
        1 => (0usize..ZONES.len()).prop_map(Op::ChangeZone),
        1 => (0i64..96, 1i64..30, 0usize..4).prop_map(|(ahead_h, len_h, who)| Op::Override { ahead_h, len_h, who }),
        1 => (0usize..4).prop_map(Op::Remove),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any mix of edits, overrides and removals over DST changes: every "who is on call now?"
    /// answered along the way is what the recorded roster answers afterwards.
    #[test]
    fn recorded_roster_keeps_every_answer(
        zone in 0usize..ZONES.len(),
        // Around the 2027 March/April and October/November changes in both hemispheres.
        start_day in prop::sample::select(vec![(2027, 3, 8), (2027, 3, 25), (2027, 10, 28), (2027, 3, 30)]),
        ops in prop::collection::vec((1i64..(36 * 60), arb_op()), 1..40),
    ) {
        let (y, m, d) = start_day;
        let t0 = utc(y, m, d, 0, 0);
        let mut live = Live::new(daily(ZONES[zone], t0, 9, 0, people(4)), t0);
        let mut now = t0;
        let mut asked = Vec::new();
        for (minutes, op) in ops {
            now += Duration::minutes(minutes);
            match op {
                Op::Ask => asked.push((now, live.on_call_now(now))),
                Op::Reorder(seed) => {
                    let mut r = live.rotation.clone();
                    let n = r.members.len();
                    r.members.rotate_left(usize::try_from(seed).unwrap() % n);
                    r.members.swap(0, usize::try_from(seed / 7).unwrap() % n);
                    live.edit(now, r);
                }
                Op::MoveHandOff(h, m) => {
                    let mut r = live.rotation.clone();
                    r.handoff = HandOff::Daily(vec![HandOffTime::new(h, m)]);
                    live.edit(now, r);
                }
                Op::ChangeZone(z) => {
                    let mut r = live.rotation.clone();
                    r.time_zone = ZONES[z].into();
                    live.edit(now, r);
                }
                Op::Override { ahead_h, len_h, who } => {
                    let start = now + Duration::hours(ahead_h);
                    let o = Override { start, end: start + Duration::hours(len_h), members: vec![format!("p{who}")] };
                    live.add_override(now, o);
                }
                Op::Remove(i) => {
                    if !live.overrides.is_empty() {
                        let i = i % live.overrides.len();
                        live.remove_override(now, i);
                    }
                }
            }
        }
        let roster = Roster::new(live.versions);
        for (at, answer) in &asked {
            prop_assert_eq!(&roster.on_call_at(*at), answer, "at {}", at);
        }
        // The recorded shift list agrees with the point answers.
        if let (Some(first), Some(last)) = (asked.first(), asked.last()) {
            let shifts = roster.shifts(first.0, last.0 + Duration::seconds(1));
            for (at, answer) in &asked {
                let listed = shifts.iter().find(|s| s.start <= *at && *at < s.end).map(|s| s.members.clone());
                prop_assert_eq!(&listed.unwrap_or_default(), answer, "listing at {}", at);
            }
            for w in shifts.windows(2) {
                prop_assert!(w[0].end <= w[1].start, "overlap {:?}", w);
            }
        }
    }
}

#[test]
fn diff_counts_hours_gained_and_lost() {
    let t0 = utc(2026, 11, 2, 0, 0);
    let before = daily("UTC", t0, 0, 0, people(2));
    let mut after = before.clone();
    after.members.reverse();
    let window = (t0, t0 + Duration::days(4));
    let diff = diff_shifts(&before.shifts(window.0, window.1, &[]), &after.shifts(window.0, window.1, &[]));
    assert_eq!(diff.changes.len(), 4, "every day changes hands");
    assert_eq!(diff.minutes.get("p0"), None, "p0 loses two days and gains two");
    let mut three = before.clone();
    three.members.push("p2".into());
    let diff = diff_shifts(&before.shifts(window.0, window.1, &[]), &three.shifts(window.0, window.1, &[]));
    // Days: p0 p1 p0 p1 → p0 p1 p2 p0: p2 gains a day, p1 loses one.
    assert_eq!(diff.minutes.get("p2"), Some(&(24 * 60)));
    assert_eq!(diff.minutes.get("p1"), Some(&(-24 * 60)));
    assert!(diff_shifts(&before.shifts(window.0, window.1, &[]), &before.shifts(window.0, window.1, &[])).is_empty());
}

#[test]
fn dst_warnings_name_moved_doubled_and_cut_hand_offs() {
    let t0 = utc(2026, 11, 2, 0, 0);
    let year = t0 + Duration::days(366);
    // 02:30 New York is skipped on 2027-03-14 and repeated (01:30) on 2026-11-01 / 2027-11-07.
    let skipped = daily("America/New_York", t0, 2, 30, people(2));
    let w = dst_warnings(&skipped, t0, year);
    assert_eq!(w.len(), 1);
    assert_eq!((w[0].date, w[0].effect), (NaiveDate::from_ymd_opt(2027, 3, 14).unwrap(), DstEffect::MovedHandOff));
    let repeated = daily("America/New_York", t0, 1, 30, people(2));
    let w = dst_warnings(&repeated, t0, t0 + Duration::days(400));
    assert_eq!(
        w.iter().map(|w| (w.date, w.effect)).collect::<Vec<_>>(),
        [(NaiveDate::from_ymd_opt(2027, 11, 7).unwrap(), DstEffect::DoubleHour)]
    );
    assert!(dst_warnings(&daily("Asia/Tokyo", t0, 2, 30, people(2)), t0, year).is_empty(), "Japan has no DST");
    let p = preview(&repeated, &skipped, &[], t0, 365);
    assert!(!p.diff.is_empty() && p.dst.len() == 1 && !p.shifts.is_empty());
}
