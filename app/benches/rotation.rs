//! Rotation math benchmark (`cargo bench -p app --bench rotation`): a year of shifts for a
//! 30-member rotation, and who-is-on-call look-ups. Prints figures for the README; asserts nothing
//! about speed.

use std::hint::black_box;
use std::time::{Duration as StdDuration, Instant};

use app::domain::rotation::{Coverage, HandOff, HandOffTime, Override, Rotation};
use chrono::{Duration, TimeZone, Utc, Weekday};

fn rotation(handoff: HandOff, coverage: Vec<Coverage>) -> Rotation {
    Rotation {
        members: (0..30).map(|i| format!("member-{i}")).collect(),
        start: Utc.with_ymd_and_hms(2025, 1, 6, 1, 0, 0).unwrap(),
        time_zone: "America/New_York".into(),
        handoff,
        multiplier: 1,
        number_on_call: 2,
        coverage,
    }
}

/// Runs `f` repeatedly for about `budget` and returns the mean time per call.
fn time_per_call(budget: StdDuration, mut f: impl FnMut() -> usize) -> (StdDuration, usize) {
    let started = Instant::now();
    let (mut calls, mut last) = (0u32, 0);
    while started.elapsed() < budget || calls < 3 {
        last = black_box(f());
        calls += 1;
    }
    (started.elapsed() / calls, last)
}

fn main() {
    let weekdays = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];
    let business_hours = weekdays
        .iter()
        .map(|d| Coverage { day: *d, start: HandOffTime::new(9, 0), end: HandOffTime::new(18, 0) })
        .collect();
    let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let to = from + Duration::days(365);
    let overrides: Vec<Override> = (0..50)
        .map(|i| Override {
            start: from + Duration::days(i * 7) + Duration::hours(3),
            end: from + Duration::days(i * 7) + Duration::hours(15),
            members: vec!["member-3".into()],
        })
        .collect();
    let cases = [
        ("daily 09:00, 24/7", rotation(HandOff::Daily(vec![HandOffTime::new(9, 0)]), vec![]), vec![]),
        (
            "weekly Mon 10:00, 24/7",
            rotation(HandOff::Weekly(vec![(Weekday::Mon, HandOffTime::new(10, 0))]), vec![]),
            vec![],
        ),
        (
            "daily 09:00, weekday 09-18 coverage, 50 overrides",
            rotation(HandOff::Daily(vec![HandOffTime::new(9, 0)]), business_hours),
            overrides,
        ),
    ];
    println!("Rotation math, 30 members, 2 on call, America/New_York (release build, one core):");
    for (name, r, overrides) in &cases {
        let (per_call, shifts) = time_per_call(StdDuration::from_secs(2), || r.shifts(from, to, overrides).len());
        println!("  one year of shifts, {name}: {shifts} shifts in {:.1} µs per call", per_call.as_secs_f64() * 1e6);
    }
    let (name, r, overrides) = &cases[2];
    let mut at = from;
    let lookups = 200_000;
    let started = Instant::now();
    for _ in 0..lookups {
        black_box(r.on_call_at(at, overrides));
        at += Duration::minutes(37);
    }
    let rate = f64::from(lookups) / started.elapsed().as_secs_f64();
    println!("  who is on call ({name}): {rate:.0} look-ups per second");
}
