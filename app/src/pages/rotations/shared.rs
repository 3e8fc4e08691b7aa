//! What the rotation pages share: names of people, colours, rotation descriptions for diffs.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use crate::domain::rotation::{HandOff, HandOffTime, Rotation};
use crate::i18n::{Locale, Msg};
use crate::model::rotations::Person;
use crate::zone::format_in;

pub use crate::paths::rotation_path;

/// The colour class of a member: stable per position in the rotation.
pub fn colour(rotation: &Rotation, alias: &str) -> String {
    let i = rotation.members.iter().position(|m| m == alias).unwrap_or(rotation.members.len());
    format!("c{}", i % 8)
}

/// People's display names, or "nobody".
pub fn names(people: &[Person], members: &[String], locale: Locale) -> String {
    if members.is_empty() {
        return Msg::Nobody.text(locale).to_owned();
    }
    members
        .iter()
        .map(|m| people.iter().find(|p| &p.alias == m).map_or_else(|| m.clone(), |p| p.name.clone()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn hm(t: HandOffTime) -> String {
    format!("{:02}:{:02}", t.hour, t.minute)
}

pub fn fmt(t: DateTime<Utc>, zone: &str, pattern: &str) -> String {
    format_in(t, zone, pattern)
}

/// A rotation as labelled lines, for side-by-side comparisons and history diffs.
pub fn describe(r: &Rotation, locale: Locale) -> Vec<(Msg, String)> {
    let joined = |v: Vec<String>| v.join(", ");
    let times = match &r.handoff {
        HandOff::Daily(v) => format!("{} {}", Msg::Daily.text(locale), joined(v.iter().map(|t| hm(*t)).collect())),
        HandOff::Weekly(v) => {
            format!(
                "{} {}",
                Msg::Weekly.text(locale),
                joined(v.iter().map(|(d, t)| format!("{} {}", locale.weekday(*d), hm(*t))).collect())
            )
        }
        HandOff::Monthly(v) => format!(
            "{} {}",
            Msg::Monthly.text(locale),
            joined(v.iter().map(|(d, t)| format!("{d} {}", hm(*t))).collect())
        ),
    };
    let coverage = r
        .coverage
        .iter()
        .map(|c| format!("{} {}-{}", locale.weekday(c.day), hm(c.start), hm(c.end)))
        .collect::<Vec<_>>()
        .join("; ");
    vec![
        (Msg::Members, r.members.join(" → ")),
        (Msg::StartsAt, fmt(r.start, &r.time_zone, "%Y-%m-%d %H:%M")),
        (Msg::TimeZone, r.time_zone.clone()),
        (Msg::Recurrence, times),
        (Msg::Multiplier, r.multiplier.to_string()),
        (Msg::OnCallAtOnce, r.number_on_call.to_string()),
        (Msg::CoverageLabel, coverage),
    ]
}

#[component]
pub fn Described(lines: Vec<(Msg, String)>, locale: Locale) -> impl IntoView {
    view! { <dl>{lines.into_iter().map(|(k, v)| view! { <dt>{k.text(locale)}</dt> <dd>{v}</dd> }).collect_view()}</dl> }
}
