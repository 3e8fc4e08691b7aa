//! Rotation math: table tests across DST changes in four zones, coverage, overrides, validation,
//! and property tests (no overlap, no gap inside coverage, determinism, window splitting).

use app::domain::rotation::{Coverage, HandOff, HandOffTime, Override, Rotation, Shift, ShiftKind};
use chrono::{DateTime, Duration, TimeZone, Utc, Weekday};
use proptest::prelude::*;

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn members(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("m{i}")).collect()
}

fn daily(tz: &str, start: DateTime<Utc>, h: u8, m: u8, n: usize) -> Rotation {
    Rotation {
        members: members(n),
        start,
        time_zone: tz.into(),
        handoff: HandOff::Daily(vec![HandOffTime::new(h, m)]),
        multiplier: 1,
        number_on_call: 1,
        coverage: vec![],
    }
}

fn hours(s: &Shift) -> i64 {
    (s.end - s.start).num_minutes()
}

#[test]
fn weekly_tokyo_primary_hands_off_monday_10_00() {
    // 2026-11-02 is a Monday; 10:00 JST = 01:00 UTC.
    let r = Rotation {
        members: members(3),
        start: utc(2026, 11, 2, 1, 0),
        time_zone: "Asia/Tokyo".into(),
        handoff: HandOff::Weekly(vec![(Weekday::Mon, HandOffTime::new(10, 0))]),
        multiplier: 1,
        number_on_call: 1,
        coverage: vec![],
    };
    let shifts = r.shifts(utc(2026, 11, 2, 1, 0), utc(2026, 11, 30, 1, 0), &[]);
    let got: Vec<_> = shifts.iter().map(|s| (s.start, s.members[0].as_str())).collect();
    assert_eq!(
        got,
        [
            (utc(2026, 11, 2, 1, 0), "m0"),
            (utc(2026, 11, 9, 1, 0), "m1"),
            (utc(2026, 11, 16, 1, 0), "m2"),
            (utc(2026, 11, 23, 1, 0), "m0")
        ]
    );
    assert!(shifts.iter().all(|s| hours(s) == 7 * 24 * 60));
    assert_eq!(r.on_call_at(utc(2026, 11, 9, 0, 59), &[]), ["m0"]);
    assert_eq!(r.on_call_at(utc(2026, 11, 9, 1, 0), &[]), ["m1"]);
    assert!(r.on_call_at(utc(2026, 11, 1, 0, 0), &[]).is_empty(), "before the rotation starts");
    // A year later the arithmetic still matches a walk from the start.
    let far = utc(2027, 11, 3, 0, 0);
    let walked = r.shifts(r.start, far + Duration::seconds(1), &[]).pop().unwrap();
    assert_eq!(r.on_call_at(far, &[]), walked.members);
}

/// (zone, 09:00 local three days before the change, expected lengths in minutes of the shifts
/// before, across and after the change night, the change day's 09:00 hand-off in UTC)
#[test]
fn now_and_next_and_their_local_times() {
    // Daily 09:00 Tokyo (00:00 UTC), weekdays 09:00-18:00 only.
    let mut r = daily("Asia/Tokyo", utc(2026, 11, 2, 0, 0), 9, 0, 3);
    r.coverage = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri]
        .map(|day| Coverage { day, start: HandOffTime::new(9, 0), end: HandOffTime::new(18, 0) })
        .to_vec();
    // Friday 2026-11-27 12:00 JST: on call until 18:00; next is Monday 09:00.
    let (now, next) = r.now_and_next(utc(2026, 11, 27, 3, 0), Duration::days(30), &[]);
    let (now, next) = (now.unwrap(), next.unwrap());
    assert_eq!(app::domain::rotation::local_time(now.end, &r.time_zone), "2026-11-27 18:00 JST");
    assert_eq!(app::domain::rotation::local_time(next.start, &r.time_zone), "2026-11-30 09:00 JST");
    // Saturday: nobody now, Monday next.
    let (now, next) = r.now_and_next(utc(2026, 11, 28, 3, 0), Duration::days(30), &[]);
    assert!(now.is_none());
    assert_eq!(next.unwrap().start, utc(2026, 11, 30, 0, 0));
    assert_eq!(app::domain::rotation::local_time(utc(2026, 7, 1, 12, 0), "Europe/London"), "2026-07-01 13:00 BST");
}

#[test]
fn daily_shifts_follow_wall_clock_across_dst_in_both_directions() {
    let cases = [
        // America/New_York: spring forward 2026-03-08 02:00 → 03:00; fall back 2026-11-01 02:00 → 01:00.
        ("America/New_York", utc(2026, 3, 5, 14, 0), [1440, 1380, 1440], utc(2026, 3, 8, 13, 0)),
        ("America/New_York", utc(2026, 10, 29, 13, 0), [1440, 1500, 1440], utc(2026, 11, 1, 14, 0)),
        // Europe/London: 2026-03-29 01:00 → 02:00; 2026-10-25 02:00 → 01:00.
        ("Europe/London", utc(2026, 3, 26, 9, 0), [1440, 1380, 1440], utc(2026, 3, 29, 8, 0)),
        ("Europe/London", utc(2026, 10, 22, 8, 0), [1440, 1500, 1440], utc(2026, 10, 25, 9, 0)),
        // Australia/Sydney: DST ends 2026-04-05 03:00 → 02:00; starts 2026-10-04 02:00 → 03:00.
        ("Australia/Sydney", utc(2026, 4, 1, 22, 0), [1440, 1500, 1440], utc(2026, 4, 4, 23, 0)),
        ("Australia/Sydney", utc(2026, 9, 30, 23, 0), [1440, 1380, 1440], utc(2026, 10, 3, 22, 0)),
        // Asia/Tokyo has no DST: always 24 h.
        ("Asia/Tokyo", utc(2026, 3, 5, 0, 0), [1440, 1440, 1440], utc(2026, 3, 8, 0, 0)),
    ];
    for (tz, start, lengths, change_day_handoff) in cases {
        let r = daily(tz, start, 9, 0, 2);
        let shifts = r.shifts(start, start + Duration::days(5), &[]);
        let got: Vec<i64> = shifts.iter().skip(1).take(3).map(hours).collect();
        assert_eq!(got, lengths, "{tz} from {start}: {shifts:?}");
        assert_eq!(shifts[3].start, change_day_handoff, "{tz}");
    }
}

#[test]
fn skipped_and_repeated_local_times_resolve_forward_and_first() {
    // New York 2026-03-08: 02:30 does not exist → the first valid instant, 03:00 EDT (07:00Z).
    let r = daily("America/New_York", utc(2026, 3, 7, 12, 0), 2, 30, 2);
    let s = r.shifts(utc(2026, 3, 7, 12, 0), utc(2026, 3, 9, 12, 0), &[]);
    assert!(s.iter().any(|s| s.start == utc(2026, 3, 8, 7, 0)), "{s:?}");
    // New York 2026-11-01: 01:30 happens twice → the first, 01:30 EDT (05:30Z).
    let r = daily("America/New_York", utc(2026, 10, 31, 12, 0), 1, 30, 2);
    let s = r.shifts(utc(2026, 10, 31, 12, 0), utc(2026, 11, 2, 12, 0), &[]);
    assert!(s.iter().any(|s| s.start == utc(2026, 11, 1, 5, 30)), "{s:?}");
    // Sydney 2026-10-04: 02:15 does not exist → 03:00 AEDT (16:00Z the day before).
    let r = daily("Australia/Sydney", utc(2026, 10, 2, 0, 0), 2, 15, 2);
    let s = r.shifts(utc(2026, 10, 2, 0, 0), utc(2026, 10, 5, 0, 0), &[]);
    assert!(s.iter().any(|s| s.start == utc(2026, 10, 3, 16, 0)), "{s:?}");
}

#[test]
fn coverage_limits_hours_and_multiplier_and_on_call_count_apply() {
    let weekdays = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];
    let r = Rotation {
        members: members(4),
        start: utc(2026, 11, 2, 0, 0),
        time_zone: "Europe/London".into(),
        handoff: HandOff::Daily(vec![HandOffTime::new(9, 0)]),
        multiplier: 2,
        number_on_call: 2,
        coverage: weekdays
            .iter()
            .map(|d| Coverage { day: *d, start: HandOffTime::new(9, 0), end: HandOffTime::new(17, 0) })
            .collect(),
    };
    let shifts = r.shifts(utc(2026, 11, 2, 0, 0), utc(2026, 11, 9, 0, 0), &[]);
    assert_eq!(shifts.len(), 5, "one covered stretch per weekday: {shifts:?}");
    assert!(shifts.iter().all(|s| hours(s) == 8 * 60));
    // Hand-offs after the Monday 00:00 start: Mon 09:00 (1st), Tue 09:00 (2nd, ends shift 0),
    // Wed, Thu (4th, ends shift 1), …; each shift puts two members on call.
    let on_call: Vec<_> = shifts.iter().map(|s| s.members.join("+")).collect();
    assert_eq!(on_call, ["m0+m1", "m2+m3", "m2+m3", "m0+m1", "m0+m1"]);
    assert!(r.on_call_at(utc(2026, 11, 7, 12, 0), &[]).is_empty(), "Saturday is not covered");
    assert!(r.on_call_at(utc(2026, 11, 3, 18, 0), &[]).is_empty(), "evenings are not covered");
}

#[test]
fn overrides_replace_people_and_the_newest_wins() {
    let r = daily("UTC", utc(2026, 11, 1, 0, 0), 0, 0, 3);
    let first = Override { start: utc(2026, 11, 1, 12, 0), end: utc(2026, 11, 2, 12, 0), members: vec!["m2".into()] };
    let newer = Override { start: utc(2026, 11, 2, 6, 0), end: utc(2026, 11, 2, 8, 0), members: vec![] };
    let s = r.shifts(utc(2026, 11, 1, 0, 0), utc(2026, 11, 3, 0, 0), &[first, newer]);
    let got: Vec<_> = s.iter().map(|s| (s.start, s.end, s.members.clone(), s.kind.clone())).collect();
    let over = |d: &str| ShiftKind::Overridden { displaced: vec![d.into()] };
    assert_eq!(
        got,
        vec![
            (utc(2026, 11, 1, 0, 0), utc(2026, 11, 1, 12, 0), vec!["m0".to_string()], ShiftKind::Regular),
            (utc(2026, 11, 1, 12, 0), utc(2026, 11, 2, 0, 0), vec!["m2".into()], over("m0")),
            (utc(2026, 11, 2, 0, 0), utc(2026, 11, 2, 6, 0), vec!["m2".into()], over("m1")),
            (utc(2026, 11, 2, 6, 0), utc(2026, 11, 2, 8, 0), vec![], over("m1")),
            (utc(2026, 11, 2, 8, 0), utc(2026, 11, 2, 12, 0), vec!["m2".into()], over("m1")),
            (utc(2026, 11, 2, 12, 0), utc(2026, 11, 3, 0, 0), vec!["m1".into()], ShiftKind::Regular),
        ]
    );
}

#[test]
fn bad_rotations_and_overrides_get_field_errors() {
    let base = daily("Asia/Tokyo", utc(2026, 11, 1, 0, 0), 10, 0, 3);
    let field = |r: &Rotation| r.validate().unwrap_err().into_iter().map(|e| e.field).collect::<Vec<_>>();
    assert!(base.validate().is_ok());
    assert_eq!(field(&Rotation { time_zone: "Mars/Olympus".into(), ..base.clone() }), ["time_zone"]);
    assert_eq!(field(&Rotation { time_zone: "PST".into(), ..base.clone() }), ["time_zone"]);
    assert_eq!(field(&Rotation { members: members(31), ..base.clone() }), ["members"]);
    assert_eq!(field(&Rotation { members: vec!["a".into(), "a".into()], ..base.clone() }), ["members"]);
    assert_eq!(field(&Rotation { number_on_call: 4, ..base.clone() }), ["number_on_call"]);
    assert_eq!(field(&Rotation { multiplier: 0, ..base.clone() }), ["multiplier"]);
    assert_eq!(
        field(&Rotation { handoff: HandOff::Monthly(vec![(32, HandOffTime::new(9, 0))]), ..base.clone() }),
        ["handoff"]
    );
    let short = Coverage { day: Weekday::Mon, start: HandOffTime::new(9, 0), end: HandOffTime::new(9, 20) };
    assert_eq!(field(&Rotation { coverage: vec![short], ..base.clone() }), ["coverage"]);
    // Valid: 09:00 JST start, hand-off at 10:00 JST (01:00 UTC) → two shifts that day. Invalid: none.
    assert_eq!(base.shifts(utc(2026, 11, 1, 0, 0), utc(2026, 11, 2, 0, 0), &[]).len(), 2);
    assert!(
        Rotation { members: vec![], ..base.clone() }
            .shifts(utc(2026, 11, 1, 0, 0), utc(2026, 11, 2, 0, 0), &[])
            .is_empty()
    );

    let now = utc(2026, 11, 24, 0, 0);
    let o = |start, end, who: &str| Override { start, end, members: vec![who.into()] };
    let ofield = |o: Override| o.validate(&base, now).unwrap_err().into_iter().map(|e| e.field).collect::<Vec<_>>();
    assert!(o(utc(2026, 11, 25, 0, 0), utc(2026, 11, 25, 0, 30), "m1").validate(&base, now).is_ok());
    assert_eq!(ofield(o(utc(2026, 11, 25, 0, 0), utc(2026, 11, 25, 0, 29), "m1")), ["end"]);
    assert_eq!(ofield(o(utc(2026, 11, 23, 0, 0), utc(2026, 11, 23, 5, 0), "m1")), ["start"]);
    assert_eq!(ofield(o(utc(2027, 6, 1, 0, 0), utc(2027, 6, 2, 0, 0), "m1")), ["start"]);
    assert_eq!(ofield(o(utc(2026, 11, 25, 0, 0), utc(2026, 11, 26, 0, 0), "stranger")), ["members"]);
}

// ---- properties ----------------------------------------------------------------------------

const ZONES: [&str; 5] = ["America/New_York", "Europe/London", "Australia/Sydney", "Asia/Tokyo", "UTC"];
const DAYS: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

fn arb_time() -> impl Strategy<Value = HandOffTime> {
    (0u8..24, prop_oneof![Just(0u8), Just(15), Just(30), Just(45)]).prop_map(|(h, m)| HandOffTime::new(h, m))
}

fn arb_handoff() -> impl Strategy<Value = HandOff> {
    prop_oneof![
        prop::collection::vec(arb_time(), 1..3).prop_map(HandOff::Daily),
        prop::collection::vec((0usize..7, arb_time()), 1..3)
            .prop_map(|v| HandOff::Weekly(v.into_iter().map(|(d, t)| (DAYS[d], t)).collect())),
        prop::collection::vec((1u8..=31, arb_time()), 1..3).prop_map(HandOff::Monthly),
    ]
}

fn arb_coverage() -> impl Strategy<Value = Vec<Coverage>> {
    prop_oneof![
        Just(vec![]),
        (0u8..12, 13u8..=24, prop::collection::vec(0usize..7, 1..6)).prop_map(|(s, e, days)| {
            let mut days: Vec<_> = days.into_iter().map(|d| DAYS[d]).collect();
            days.sort_by_key(Weekday::num_days_from_monday);
            days.dedup();
            days.into_iter()
                .map(|day| Coverage { day, start: HandOffTime::new(s, 0), end: HandOffTime::new(e, 0) })
                .collect()
        }),
    ]
}

fn arb_rotation() -> impl Strategy<Value = Rotation> {
    (1usize..6, 0usize..ZONES.len(), arb_handoff(), 1u32..4, 0i64..(3 * 365 * 24 * 4), arb_coverage()).prop_flat_map(
        |(n, zone, handoff, multiplier, quarter_hours, coverage)| {
            (1u32..=u32::try_from(n).unwrap()).prop_map(move |number_on_call| Rotation {
                members: members(n),
                start: utc(2025, 1, 1, 0, 0) + Duration::minutes(quarter_hours * 15),
                time_zone: ZONES[zone].into(),
                handoff: handoff.clone(),
                multiplier,
                number_on_call,
                coverage: coverage.clone(),
            })
        },
    )
}

/// Joins pieces cut at a window split back together, unless `at` is a real hand-off (where the
/// same person may well go on for another shift).
fn merge_at(mut a: Vec<Shift>, b: Vec<Shift>, at: DateTime<Utc>, handoff_at: bool) -> Vec<Shift> {
    let mut b = b.into_iter();
    if let (Some(last), Some(first)) = (a.last_mut(), b.as_slice().first())
        && !handoff_at
        && last.end == at
        && first.start == at
        && last.members == first.members
        && last.kind == first.kind
    {
        last.end = first.end;
        b.next();
    }
    a.extend(b);
    a
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn shifts_never_overlap_and_leave_no_gap_inside_coverage(r in arb_rotation(), offset in 0i64..(400 * 24), len in 1i64..(40 * 24)) {
        let from = r.start + Duration::hours(offset) - Duration::days(3);
        let to = from + Duration::hours(len);
        let shifts = r.shifts(from, to, &[]);
        for s in &shifts {
            prop_assert!(s.start < s.end && s.start >= from.max(r.start) && s.end <= to);
        }
        for w in shifts.windows(2) {
            prop_assert!(w[0].end <= w[1].start, "overlap: {:?}", w);
        }
        if r.coverage.is_empty() {
            // Around the clock: the shifts tile the window exactly.
            let from = from.max(r.start);
            if from < to {
                prop_assert_eq!(shifts.first().map(|s| s.start), Some(from));
                prop_assert_eq!(shifts.last().map(|s| s.end), Some(to));
                for w in shifts.windows(2) {
                    prop_assert_eq!(w[0].end, w[1].start);
                }
            }
        }
        // Someone is on call exactly when an instant lies in a shift.
        for i in 0..8 {
            let at = from + (to - from) * i / 8;
            let inside = shifts.iter().find(|s| s.start <= at && at < s.end);
            prop_assert_eq!(r.on_call_at(at, &[]), inside.map(|s| s.members.clone()).unwrap_or_default());
        }
    }

    #[test]
    fn same_input_same_output_and_split_windows_agree(r in arb_rotation(), offset in 0i64..(400 * 24), len in 2i64..(40 * 24), cut in 1i64..1000) {
        let from = r.start + Duration::hours(offset);
        let to = from + Duration::hours(len);
        let mid = from + Duration::minutes((len * 60 * cut / 1000).max(1));
        let whole = r.shifts(from, to, &[]);
        prop_assert_eq!(&whole, &r.shifts(from, to, &[]));
        let handoff_at = whole.iter().any(|s| s.start == mid);
        let split = merge_at(r.shifts(from, mid, &[]), r.shifts(mid, to, &[]), mid, handoff_at);
        prop_assert_eq!(&whole, &split);
        // Starting the window at the rotation start (a walk over every hand-off) agrees too.
        let walked: Vec<Shift> = r.shifts(r.start, to, &[]).into_iter().filter_map(|s| {
            let (start, end) = (s.start.max(from), s.end.min(to));
            (start < end).then_some(Shift { start, end, ..s })
        }).collect();
        prop_assert_eq!(&whole, &walked);
    }
}
