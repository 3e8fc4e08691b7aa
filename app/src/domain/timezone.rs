//! Time zones for the rotation math. On the server, the IANA database compiled in (chrono-tz).
//! In the browser, the browser's own database (`Intl.DateTimeFormat`): the same rules, and 80 KB
//! of zone tables stay out of the WASM.
//!
//! The browser only answers "what is the local wall time at this instant?", and slowly. An
//! [`OffsetTable`] turns such an oracle into a chrono time zone: per UTC year it samples the offset
//! once a day and finds each change to the second, so later look-ups are a binary search. It is
//! pure code, tested here against chrono-tz.

use std::cell::RefCell;
use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};

/// The zone type the rotation math uses on this target.
#[cfg(not(target_arch = "wasm32"))]
pub type Zone = chrono_tz::Tz;
#[cfg(target_arch = "wasm32")]
pub type Zone = browser::BrowserZone;

/// An IANA zone by name (on the server, case as in the database; in the browser, as the browser
/// knows it).
pub fn parse_zone(name: &str) -> Option<Zone> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        name.parse::<chrono_tz::Tz>().ok()
    }
    #[cfg(target_arch = "wasm32")]
    {
        browser::BrowserZone::named(name)
    }
}

/// Parses an IANA zone name; fixed-offset abbreviations such as `PST` or `EST` are refused.
pub fn parse_time_zone(name: &str) -> Option<Zone> {
    if name != "UTC" && !name.contains('/') {
        return None;
    }
    parse_zone(name)
}

/// A `datetime-local` value (`2026-11-24T09:30`, seconds allowed) as a naive date-time.
pub fn parse_datetime_local(value: &str) -> Option<NaiveDateTime> {
    let (date, time) = value.trim().split_once('T')?;
    let mut date = date.splitn(3, '-');
    let (year, month, day) = (date.next()?.parse().ok()?, date.next()?.parse().ok()?, date.next()?.parse().ok()?);
    let mut time = time.splitn(3, ':');
    let (hour, minute) = (time.next()?.parse().ok()?, time.next()?.parse().ok()?);
    let second = match time.next() {
        Some(second) => second.parse().ok()?,
        None => 0,
    };
    NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(hour, minute, second)
}

/// A `datetime-local` value read in `zone`, as an instant (the earlier one in a repeated hour).
pub fn parse_local_minute(value: &str, zone: &str) -> Option<DateTime<Utc>> {
    let naive = parse_datetime_local(value)?;
    let tz = parse_time_zone(zone)?;
    tz.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&Utc))
}

/// An instant as a `datetime-local` value in `zone` (UTC if the zone is unknown).
pub fn local_minute(t: DateTime<Utc>, zone: &str) -> String {
    let local = parse_time_zone(zone).map_or_else(|| t.naive_utc(), |tz| t.with_timezone(&tz).naive_local());
    format!("{:04}-{:02}-{:02}T{:02}:{:02}", local.year(), local.month(), local.day(), local.hour(), local.minute())
}

const DAY: i64 = 86_400;

/// Offsets from UTC (seconds) over time, learnt from an oracle and kept per UTC year.
pub struct OffsetTable<F: Fn(i64) -> i32> {
    oracle: F,
    /// Per year: `(from, offset)` sorted by `from`; the first starts at the year's first second.
    years: RefCell<HashMap<i32, Vec<(i64, i32)>>>,
}

fn year_of(t: i64) -> i32 {
    chrono::DateTime::from_timestamp(t, 0).map_or(1970, |d| d.year())
}

fn year_start(year: i32) -> i64 {
    NaiveDate::from_ymd_opt(year, 1, 1).map_or(0, |d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().timestamp())
}

impl<F: Fn(i64) -> i32> OffsetTable<F> {
    pub fn new(oracle: F) -> Self {
        OffsetTable { oracle, years: RefCell::new(HashMap::new()) }
    }

    /// The offset in force at instant `t` (epoch seconds).
    pub fn offset_at(&self, t: i64) -> i32 {
        let year = year_of(t);
        let mut years = self.years.borrow_mut();
        let spans = years.entry(year).or_insert_with(|| self.learn(year));
        let i = spans.partition_point(|(from, _)| *from <= t);
        spans[i.saturating_sub(1)].1
    }

    /// Samples a year day by day; where two samples differ, finds the second of the change.
    fn learn(&self, year: i32) -> Vec<(i64, i32)> {
        let (start, end) = (year_start(year), year_start(year + 1));
        let mut current = (self.oracle)(start);
        let mut spans = vec![(start, current)];
        let mut t = start;
        while t < end {
            let next = (t + DAY).min(end);
            let sampled = (self.oracle)(next);
            if sampled != current {
                // The first second in (t, next] whose offset differs (one change a day at most).
                let (mut lo, mut hi) = (t, next);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if (self.oracle)(mid) == current {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                if hi < end {
                    spans.push((hi, sampled));
                }
                current = sampled;
            }
            t = next;
        }
        spans
    }

    /// The offsets a local wall time (given as if it were UTC) can have: none in a gap, two
    /// in a repeated hour (earlier instant first).
    pub fn local_offsets(&self, local: i64) -> Vec<i32> {
        let mut candidates = vec![self.offset_at(local - DAY), self.offset_at(local + DAY)];
        candidates.dedup();
        let mut valid: Vec<(i64, i32)> = candidates
            .into_iter()
            .filter(|o| self.offset_at(local - i64::from(*o)) == *o)
            .map(|o| (local - i64::from(o), o))
            .collect();
        valid.sort_unstable();
        valid.dedup();
        valid.into_iter().map(|(_, o)| o).collect()
    }
}

/// Seconds of a naive date-time read as UTC.
pub fn naive_secs(t: &NaiveDateTime) -> i64 {
    t.and_utc().timestamp()
}

#[cfg(target_arch = "wasm32")]
mod browser {
    //! The browser's zone database, through `Intl.DateTimeFormat`.

    use std::collections::HashMap;
    use std::fmt;

    use chrono::{FixedOffset, MappedLocalTime, NaiveDate, NaiveDateTime, Offset, TimeZone};
    use wasm_bindgen::{JsCast, JsValue};

    use super::{OffsetTable, naive_secs};

    type Oracle = Box<dyn Fn(i64) -> i32>;

    /// A zone the browser knows: its name and its learnt offsets, both kept for the page's life
    /// (a page uses a zone or two), so the zone is cheap to copy.
    #[derive(Clone, Copy)]
    pub struct BrowserZone {
        name: &'static str,
        table: &'static OffsetTable<Oracle>,
    }

    impl PartialEq for BrowserZone {
        fn eq(&self, other: &Self) -> bool {
            self.name == other.name
        }
    }

    impl Eq for BrowserZone {}

    impl fmt::Debug for BrowserZone {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.name)
        }
    }

    thread_local! {
        static KNOWN: std::cell::RefCell<HashMap<String, Option<BrowserZone>>> = std::cell::RefCell::new(HashMap::new());
    }

    /// `new Intl.DateTimeFormat("en-US", {timeZone, …})`, or none if the browser does not know it.
    fn formatter(name: &str) -> Option<js_sys::Intl::DateTimeFormat> {
        let options = js_sys::Object::new();
        let set = |k: &str, v: &str| js_sys::Reflect::set(&options, &k.into(), &v.into()).ok();
        set("timeZone", name)?;
        set("hourCycle", "h23")?;
        for field in ["year", "month", "day", "hour", "minute", "second"] {
            set(field, "numeric")?;
        }
        let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
        let ctor: js_sys::Function = js_sys::Reflect::get(&intl, &"DateTimeFormat".into()).ok()?.dyn_into().ok()?;
        let args = js_sys::Array::of2(&"en-US".into(), &options);
        let made = js_sys::Reflect::construct(&ctor, &args).ok()?;
        Some(made.unchecked_into())
    }

    /// The offset at `t`: the wall time the formatter shows, minus `t`.
    fn offset_of(format: &js_sys::Intl::DateTimeFormat, t: i64) -> i32 {
        // Epoch seconds of real dates are far below 2^52: the conversion is exact.
        #[allow(clippy::cast_precision_loss)]
        let date = js_sys::Date::new(&JsValue::from_f64(t as f64 * 1000.0));
        let parts = format.format_to_parts(&date);
        let mut f = [0u32; 6];
        for part in parts.iter() {
            let get = |k: &str| js_sys::Reflect::get(&part, &k.into()).ok().and_then(|v| v.as_string());
            let (Some(kind), Some(value)) = (get("type"), get("value")) else { continue };
            let index = ["year", "month", "day", "hour", "minute", "second"].iter().position(|k| *k == kind);
            if let (Some(i), Ok(v)) = (index, value.parse::<u32>()) {
                f[i] = v;
            }
        }
        let local = NaiveDate::from_ymd_opt(i32::try_from(f[0]).unwrap_or(1970), f[1], f[2])
            .and_then(|d| d.and_hms_opt(f[3] % 24, f[4], f[5]));
        local.map_or(0, |l| i32::try_from(naive_secs(&l) - t).unwrap_or(0))
    }

    impl BrowserZone {
        pub fn named(name: &str) -> Option<BrowserZone> {
            KNOWN.with(|known| {
                if let Some(z) = known.borrow().get(name) {
                    return *z;
                }
                let zone = formatter(name).filter(|f| resolves_to(f, name)).map(|format| {
                    let oracle: Oracle = Box::new(move |t| offset_of(&format, t));
                    BrowserZone {
                        name: Box::leak(name.to_owned().into_boxed_str()),
                        table: Box::leak(Box::new(OffsetTable::new(oracle))),
                    }
                });
                known.borrow_mut().insert(name.to_owned(), zone);
                zone
            })
        }

        fn offset(self, secs: i32) -> BrowserOffset {
            BrowserOffset {
                zone: self,
                fixed: FixedOffset::east_opt(secs).unwrap_or(FixedOffset::east_opt(0).unwrap()),
            }
        }
    }

    /// Browsers accept zone names in any case; the server does not, so neither does the editor.
    fn resolves_to(format: &js_sys::Intl::DateTimeFormat, name: &str) -> bool {
        let options = format.resolved_options();
        let resolved = js_sys::Reflect::get(&options, &"timeZone".into()).ok().and_then(|v| v.as_string());
        resolved.is_some_and(|r| r == name || !r.eq_ignore_ascii_case(name))
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct BrowserOffset {
        zone: BrowserZone,
        fixed: FixedOffset,
    }

    impl Offset for BrowserOffset {
        fn fix(&self) -> FixedOffset {
            self.fixed
        }
    }

    impl fmt::Display for BrowserOffset {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            fmt::Display::fmt(&self.fixed, f)
        }
    }

    impl TimeZone for BrowserZone {
        type Offset = BrowserOffset;

        fn from_offset(offset: &BrowserOffset) -> Self {
            offset.zone
        }

        fn offset_from_local_date(&self, local: &NaiveDate) -> MappedLocalTime<BrowserOffset> {
            self.offset_from_local_datetime(&local.and_hms_opt(0, 0, 0).unwrap_or_default())
        }

        fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> MappedLocalTime<BrowserOffset> {
            match self.table.local_offsets(naive_secs(local)).as_slice() {
                [] => MappedLocalTime::None,
                [one] => MappedLocalTime::Single(self.offset(*one)),
                [first, .., last] => MappedLocalTime::Ambiguous(self.offset(*first), self.offset(*last)),
            }
        }

        fn offset_from_utc_date(&self, utc: &NaiveDate) -> BrowserOffset {
            self.offset_from_utc_datetime(&utc.and_hms_opt(0, 0, 0).unwrap_or_default())
        }

        fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> BrowserOffset {
            self.offset(self.table.offset_at(naive_secs(utc)))
        }
    }

    impl BrowserZone {
        pub fn name(&self) -> &'static str {
            self.name
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Offset, TimeZone};

    use super::*;

    fn table(zone: chrono_tz::Tz) -> OffsetTable<impl Fn(i64) -> i32> {
        OffsetTable::new(move |t| {
            let at = chrono::DateTime::from_timestamp(t, 0).unwrap();
            zone.offset_from_utc_datetime(&at.naive_utc()).fix().local_minus_utc()
        })
    }

    #[test]
    fn offsets_match_the_zone_database_every_hour_across_years() {
        for zone in [
            chrono_tz::America::New_York,
            chrono_tz::Europe::London,
            chrono_tz::Australia::Lord_Howe,
            chrono_tz::Asia::Tokyo,
        ] {
            let learnt = table(zone);
            let start = year_start(2025);
            for h in 0..(3 * 366 * 24) {
                let t = start + h * 3600 + 1799;
                let expected =
                    zone.offset_from_utc_datetime(&chrono::DateTime::from_timestamp(t, 0).unwrap().naive_utc()).fix();
                assert_eq!(learnt.offset_at(t), expected.local_minus_utc(), "{zone} at {t}");
            }
        }
    }

    #[test]
    fn datetime_local_values_parse_by_hand() {
        assert_eq!(parse_datetime_local("2026-11-24T09:30").unwrap().to_string(), "2026-11-24 09:30:00");
        assert_eq!(parse_datetime_local("2026-11-24T09:30:15").unwrap().to_string(), "2026-11-24 09:30:15");
        assert!(parse_datetime_local("2026-02-30T09:30").is_none());
        assert!(parse_datetime_local("2026-11-24 09:30").is_none());
        let t = parse_local_minute("2026-11-24T18:30", "Asia/Tokyo").unwrap();
        assert_eq!(t.timestamp(), 1_795_512_600);
        assert_eq!(local_minute(t, "Asia/Tokyo"), "2026-11-24T18:30");
        assert_eq!(local_minute(t, "UTC"), "2026-11-24T09:30");
    }

    #[test]
    fn changes_are_found_to_the_second() {
        let zone = chrono_tz::America::New_York;
        let learnt = table(zone);
        // 2027-03-14 07:00 UTC: 02:00 EST becomes 03:00 EDT.
        let change = chrono::Utc.with_ymd_and_hms(2027, 3, 14, 7, 0, 0).unwrap().timestamp();
        assert_eq!(learnt.offset_at(change - 1), -5 * 3600);
        assert_eq!(learnt.offset_at(change), -4 * 3600);
    }

    #[test]
    fn local_times_in_gaps_and_repeats_resolve_like_the_database() {
        for zone in [chrono_tz::America::New_York, chrono_tz::Europe::London, chrono_tz::Australia::Lord_Howe] {
            let learnt = table(zone);
            let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
            for d in 0..730 {
                for minute in (0..1440).step_by(30) {
                    let local = (day + chrono::Duration::days(d)).and_hms_opt(minute / 60, minute % 60, 0).unwrap();
                    let expected: Vec<i32> = match zone.offset_from_local_datetime(&local) {
                        chrono::LocalResult::None => vec![],
                        chrono::LocalResult::Single(o) => vec![o.fix().local_minus_utc()],
                        chrono::LocalResult::Ambiguous(a, b) => {
                            vec![a.fix().local_minus_utc(), b.fix().local_minus_utc()]
                        }
                    };
                    assert_eq!(learnt.local_offsets(naive_secs(&local)), expected, "{zone} {local}");
                }
            }
        }
    }
}
