//! A rotation as its editor's form holds it: text per field, kept as typed. The browser parses it
//! on every change for the live preview; the server parses it the same way when the form is
//! posted, so both report the same problems against the same fields.
//!
//! Dates are read and written by hand (no chrono format strings), which keeps chrono's parser
//! and formatter out of the browser's WASM.

use chrono::Weekday;
use serde::{Deserialize, Serialize};

use crate::domain::rotation::{Coverage, HandOff, HandOffTime, Rotation};
use crate::domain::timezone::{local_minute, parse_local_minute, parse_time_zone};
use crate::error::FieldError;
use crate::i18n::Msg;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationForm {
    pub name: String,
    /// Aliases in order.
    pub members: Vec<String>,
    /// `2026-11-24T09:30`, in `time_zone`.
    pub start: String,
    pub time_zone: String,
    /// `daily`, `weekly` or `monthly`.
    pub kind: String,
    /// Comma-separated: `09:00`; weekly `Mon 09:00`; monthly `1 09:00`.
    pub times: String,
    pub multiplier: String,
    pub number_on_call: String,
    /// One per line: `Mon 09:00-18:00`.
    pub coverage: String,
}

/// `09:05`.
pub fn hm(t: HandOffTime) -> String {
    format!("{:02}:{:02}", t.hour, t.minute)
}

/// `9:05` or `09:05` (range checks are the rotation's).
pub fn parse_hm(s: &str) -> Option<HandOffTime> {
    let (h, m) = s.trim().split_once(':')?;
    Some(HandOffTime::new(h.trim().parse().ok()?, m.trim().parse().ok()?))
}

pub(crate) fn weekday_name(d: Weekday) -> &'static str {
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][d.num_days_from_monday() as usize]
}

/// `Mon`, `mon`, or the Japanese `月`, `月曜` or `月曜日`.
pub(crate) fn parse_weekday(s: &str) -> Option<Weekday> {
    let s = s.trim();
    let ja = s.trim_end_matches('日').trim_end_matches('曜');
    let ja = if ja.is_empty() { s } else { ja };
    (0..7)
        .map(|i| Weekday::try_from(i).unwrap_or(Weekday::Mon))
        .find(|d| weekday_name(*d).eq_ignore_ascii_case(s) || crate::i18n::Locale::Ja.weekday(*d) == ja)
}

impl RotationForm {
    /// The form filled from a saved rotation.
    pub fn of(name: &str, r: &Rotation) -> RotationForm {
        let (kind, times) = match &r.handoff {
            HandOff::Daily(v) => ("daily", v.iter().map(|t| hm(*t)).collect::<Vec<_>>()),
            HandOff::Weekly(v) => {
                ("weekly", v.iter().map(|(d, t)| format!("{} {}", weekday_name(*d), hm(*t))).collect())
            }
            HandOff::Monthly(v) => ("monthly", v.iter().map(|(d, t)| format!("{d} {}", hm(*t))).collect()),
        };
        let coverage: Vec<String> =
            r.coverage.iter().map(|c| format!("{} {}-{}", weekday_name(c.day), hm(c.start), hm(c.end))).collect();
        RotationForm {
            name: name.to_owned(),
            members: r.members.clone(),
            start: local_minute(r.start, &r.time_zone),
            time_zone: r.time_zone.clone(),
            kind: kind.to_owned(),
            times: times.join(", "),
            multiplier: r.multiplier.to_string(),
            number_on_call: r.number_on_call.to_string(),
            coverage: coverage.join("\n"),
        }
    }

    /// The form of a new rotation: nobody yet, a daily hand-off at 09:00 from today, in `zone`.
    pub fn blank(zone: &str, now: chrono::DateTime<chrono::Utc>) -> RotationForm {
        let today = local_minute(now, zone);
        RotationForm {
            name: String::new(),
            members: Vec::new(),
            start: format!("{}T09:00", today.split('T').next().unwrap_or_default()),
            time_zone: zone.to_owned(),
            kind: "daily".to_owned(),
            times: "09:00".to_owned(),
            multiplier: "1".to_owned(),
            number_on_call: "1".to_owned(),
            coverage: String::new(),
        }
    }

    /// Members as the form's text area holds them: one alias per line.
    pub fn members_text(&self) -> String {
        self.members.join("\n")
    }

    pub fn members_from_text(text: &str) -> Vec<String> {
        text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
    }

    /// The rotation this form describes, or every problem with it, each against its field.
    pub fn parse(&self) -> Result<Rotation, Vec<FieldError>> {
        let mut errors = Vec::new();
        let start = parse_local_minute(&self.start, self.time_zone.trim());
        if start.is_none() && parse_time_zone(self.time_zone.trim()).is_some() {
            errors.push(FieldError::new("start", Msg::ErrStartTime));
        }
        let items: Vec<&str> = self.times.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
        let day_and_time = |s: &str| s.split_once(' ').map(|(d, t)| (d.trim().to_owned(), parse_hm(t)));
        let handoff = match self.kind.as_str() {
            "weekly" => items
                .iter()
                .map(|s| day_and_time(s).and_then(|(d, t)| Some((parse_weekday(&d)?, t?))))
                .collect::<Option<Vec<_>>>()
                .map(HandOff::Weekly),
            "monthly" => items
                .iter()
                .map(|s| day_and_time(s).and_then(|(d, t)| Some((d.parse::<u8>().ok()?, t?))))
                .collect::<Option<Vec<_>>>()
                .map(HandOff::Monthly),
            _ => items.iter().map(|s| parse_hm(s)).collect::<Option<Vec<_>>>().map(HandOff::Daily),
        };
        let coverage = self
            .coverage
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (day, range) = l.split_once(' ')?;
                let (s, e) = range.split_once('-')?;
                Some(Coverage { day: parse_weekday(day)?, start: parse_hm(s)?, end: parse_hm(e)? })
            })
            .collect::<Option<Vec<_>>>();
        let multiplier = self.multiplier.trim().parse::<u32>().ok();
        let number_on_call = self.number_on_call.trim().parse::<u32>().ok();
        for (ok, field, msg) in [
            (handoff.is_some(), "handoff", crate::domain::rotation::handoff_problem(&self.kind)),
            (coverage.is_some(), "coverage", Msg::ErrCoverage),
            (multiplier.is_some(), "multiplier", Msg::ErrMultiplier),
            (number_on_call.is_some(), "number_on_call", Msg::ErrNumberOnCall),
        ] {
            if !ok {
                errors.push(FieldError::new(field, msg));
            }
        }
        // No control characters: the name goes into calendar feeds and messages line by line.
        if self.name.trim().is_empty() || self.name.chars().count() > 255 || self.name.chars().any(char::is_control) {
            errors.push(FieldError::new("name", Msg::ErrRotationName));
        }
        let rotation = Rotation {
            members: self.members.clone(),
            start: start.unwrap_or_default(),
            time_zone: self.time_zone.trim().to_owned(),
            handoff: handoff.unwrap_or(HandOff::Daily(Vec::new())),
            multiplier: multiplier.unwrap_or(0),
            number_on_call: number_on_call.unwrap_or(0),
            coverage: coverage.unwrap_or_default(),
        };
        if let Err(more) = rotation.validate() {
            let fresh: Vec<FieldError> =
                more.into_iter().filter(|m| !errors.iter().any(|e| e.field == m.field)).collect();
            errors.extend(fresh);
        }
        if errors.is_empty() { Ok(rotation) } else { Err(errors) }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn weekly() -> Rotation {
        Rotation {
            members: vec!["tanaka".into(), "sato".into()],
            start: Utc.with_ymd_and_hms(2026, 1, 5, 1, 0, 0).unwrap(),
            time_zone: "Asia/Tokyo".into(),
            handoff: HandOff::Weekly(vec![(Weekday::Mon, HandOffTime::new(10, 0))]),
            multiplier: 1,
            number_on_call: 1,
            coverage: vec![Coverage { day: Weekday::Tue, start: HandOffTime::new(9, 0), end: HandOffTime::new(18, 0) }],
        }
    }

    #[test]
    fn a_rotation_survives_the_form() {
        let form = RotationForm::of("Primary", &weekly());
        assert_eq!(form.start, "2026-01-05T10:00");
        assert_eq!(form.times, "Mon 10:00");
        assert_eq!(form.coverage, "Tue 09:00-18:00");
        assert_eq!(form.parse().unwrap(), weekly());
    }

    #[test]
    fn problems_are_reported_against_their_fields() {
        let mut form = RotationForm::of("", &weekly());
        form.times = "Funday 10:00".into();
        form.multiplier = "many".into();
        form.start = "yesterday".into();
        let fields: Vec<String> = form.parse().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["start", "handoff", "multiplier", "name"]);
    }
}
