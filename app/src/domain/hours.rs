//! Working hours as rules and maintenance name them (`Mon-Fri 09:00-18:00 Asia/Tokyo`): whether
//! an instant falls in them, and when they next open.

use chrono::{DateTime, Datelike, Timelike, Utc};

use crate::domain::rotation_form::parse_weekday;
use crate::domain::timezone::parse_time_zone;

/// Working hours as a condition names them: `Mon-Fri 09:00-18:00 Asia/Tokyo` (days as a range,
/// a list `Sat,Sun` or `daily`; an end at or before the start runs past midnight).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hours {
    /// Monday first.
    pub days: [bool; 7],
    pub start: u32,
    pub end: u32,
    pub zone: String,
}

impl Hours {
    pub fn parse(spec: &str) -> Result<Hours, String> {
        let expected = || format!("'{spec}': expected e.g. 'Mon-Fri 09:00-18:00 Asia/Tokyo'");
        let mut parts = spec.split_whitespace();
        let (Some(days), Some(times), Some(zone), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(expected());
        };
        let day = |s: &str| parse_weekday(s).map(|d| d.num_days_from_monday() as usize).ok_or_else(expected);
        let mut set = [false; 7];
        if days.eq_ignore_ascii_case("daily") {
            set = [true; 7];
        } else {
            for item in days.split(',') {
                match item.split_once('-') {
                    Some((a, b)) => {
                        let (a, b) = (day(a)?, day(b)?);
                        let mut d = a;
                        loop {
                            set[d] = true;
                            if d == b {
                                break;
                            }
                            d = (d + 1) % 7;
                        }
                    }
                    None => set[day(item)?] = true,
                }
            }
        }
        let (from, to) = times.split_once('-').ok_or_else(expected)?;
        let minute = |s: &str| {
            let (h, m) = s.split_once(':')?;
            let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
            (h <= 24 && m < 60 && h * 60 + m <= 1440).then_some(h * 60 + m)
        };
        let (start, end) = (minute(from).ok_or_else(expected)?, minute(to).ok_or_else(expected)?);
        if parse_time_zone(zone).is_none() {
            return Err(format!("'{zone}' is not an IANA time zone such as Asia/Tokyo"));
        }
        Ok(Hours { days: set, start, end, zone: zone.to_owned() })
    }

    /// The first whole minute at or after `t` inside these hours; `None` when no day is chosen.
    /// Walks minutes in UTC, so a clock change on the way is simply lived through.
    pub fn next_opening(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.contains(t) {
            return Some(t);
        }
        let start = t.with_second(0)?.with_nanosecond(0)? + chrono::Duration::minutes(1);
        (0..8 * 24 * 60).map(|m| start + chrono::Duration::minutes(m)).find(|m| self.contains(*m))
    }

    /// Whether `t` falls in these hours (a span past midnight belongs to the day it began).
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        let Some(tz) = parse_time_zone(&self.zone) else { return false };
        let local = t.with_timezone(&tz).naive_local();
        let minute = local.hour() * 60 + local.minute();
        let today = local.weekday().num_days_from_monday() as usize;
        if self.start < self.end {
            self.days[today] && (self.start..self.end).contains(&minute)
        } else {
            (self.days[today] && minute >= self.start) || (self.days[(today + 6) % 7] && minute < self.end)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_hours_read_days_times_and_zone() {
        let h = Hours::parse("Mon-Fri 09:00-18:00 Asia/Tokyo").unwrap();
        assert_eq!(h.days, [true, true, true, true, true, false, false]);
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert!(h.contains(at("2026-11-30T00:00:00Z")), "Monday 09:00 JST");
        assert!(!h.contains(at("2026-11-30T09:00:00Z")), "Monday 18:00 JST is the end");
        assert!(!h.contains(at("2026-11-28T01:00:00Z")), "Saturday");
        let night = Hours::parse("Fri-Mon 22:00-06:00 UTC").unwrap();
        assert_eq!(night.days, [true, false, false, false, true, true, true]);
        assert!(night.contains(at("2026-12-01T05:00:00Z")), "Tuesday 05:00 continues Monday night");
        assert!(!night.contains(at("2026-12-02T05:00:00Z")), "Wednesday 05:00 does not");
        for bad in ["Mon-Fri 09:00-18:00", "Funday 09:00-18:00 UTC", "daily 9-18 UTC", "daily 09:00-18:00 JST"] {
            assert!(Hours::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn held_alerts_wait_for_the_next_opening() {
        let h = Hours::parse("Mon-Fri 09:00-18:00 Asia/Tokyo").unwrap();
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(
            h.next_opening(at("2026-11-28T10:30:15Z")),
            Some(at("2026-11-30T00:00:00Z")),
            "Saturday → Monday 09:00"
        );
        assert_eq!(h.next_opening(at("2026-11-30T01:00:00Z")), Some(at("2026-11-30T01:00:00Z")), "already open");
        let none = Hours { days: [false; 7], ..h };
        assert_eq!(none.next_opening(at("2026-11-30T01:00:00Z")), None);
    }
}
