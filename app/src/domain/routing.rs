//! Routing rules: one ordered list, the first rule whose condition holds decides what a firing
//! alert does, and the last rule is the catch-all. Conditions are CEL expressions over `alert`
//! (and `payload`, the raw event), evaluated on the server only (`server::routing::eval`): the
//! CEL interpreter is too heavy for the browser, and one evaluator means dry runs, replays and
//! live routing can never disagree.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::incident::{NotificationTarget, validate_impact, webhook_url_ok};
use crate::domain::rotation_form::parse_weekday;
use crate::domain::timezone::parse_time_zone;
use crate::error::FieldError;
use crate::i18n::Msg;

pub const MAX_RULES: usize = 100;
pub const MAX_CONDITION_CHARS: usize = 2_000;
pub const MAX_TARGETS: usize = 5;

/// What a firing alert that matches the rule does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum Firing {
    /// Start an incident from this response plan (its engagements page people). An alert that
    /// fires again while its incident is open joins that incident instead.
    Incident { response_plan: String },
    /// Engage a contact or escalation plan directly, without an incident.
    Engage { contact: String },
    /// Only tell the rule's Slack and webhook targets.
    Notify,
    /// Keep the alert (it stays visible) and do nothing.
    Suppress,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub name: String,
    /// CEL over `alert` and `payload`; empty matches every alert (the catch-all).
    pub condition: String,
    pub firing: Firing,
    /// The incident's impact (1–5); the response plan's own when empty.
    pub impact: Option<u8>,
    /// Told when an alert fires and when it recovers.
    pub notify: Vec<NotificationTarget>,
    /// When the alert recovers: also resolve its incident. Off by default: a recovery only
    /// notifies the targets (the seed's behaviour).
    pub resolve_on_recovery: bool,
}

impl Rule {
    /// Every problem, each against its field (`rules.<i>.<field>`). CEL syntax is checked by
    /// the server, which compiles it.
    fn check(&self, i: usize, errors: &mut Vec<FieldError>) {
        let field = |f: &str| format!("rules.{i}.{f}");
        if self.name.trim().is_empty() || self.name.chars().count() > 100 {
            errors.push(FieldError::new(&field("name"), Msg::ErrRuleName));
        }
        if self.condition.chars().count() > MAX_CONDITION_CHARS {
            errors.push(FieldError::new(&field("condition"), Msg::ErrConditionLength));
        }
        if let Some(impact) = self.impact {
            validate_impact(impact, &field("impact"), errors);
        }
        match &self.firing {
            Firing::Incident { response_plan: s } | Firing::Engage { contact: s } if s.trim().is_empty() => {
                errors.push(FieldError::new(&field("firing"), Msg::ErrRequired));
            }
            _ => {}
        }
        if self.notify.len() > MAX_TARGETS {
            errors.push(FieldError::new(&field("notify"), Msg::ErrRuleTooManyTargets));
        }
        for (t, target) in self.notify.iter().enumerate() {
            if !webhook_url_ok(target.url()) {
                errors.push(FieldError::new(&field(&format!("notify.{t}")), Msg::ErrWebhookUrl));
            }
        }
    }
}

/// The rules as saved: every save is a new version; edits carry the version they began from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSet {
    pub version: u32,
    pub rules: Vec<Rule>,
}

/// Checks a draft: 1–100 rules with unique names, the last one a catch-all.
pub fn check_rules(rules: &[Rule]) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if rules.is_empty() || rules.len() > MAX_RULES {
        errors.push(FieldError::new("rules", Msg::ErrRuleCount));
    }
    for (i, rule) in rules.iter().enumerate() {
        rule.check(i, &mut errors);
        if rules[..i].iter().any(|r| r.name.trim() == rule.name.trim()) {
            errors.push(FieldError::new(&format!("rules.{i}.name"), Msg::ErrRuleNameTaken));
        }
    }
    if rules.last().is_some_and(|r| !r.condition.trim().is_empty()) {
        errors.push(FieldError::new(&format!("rules.{}.condition", rules.len() - 1), Msg::ErrCatchAllLast));
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// A rule as the editor's form posts it (`rules[i][…]`): every field text, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleForm {
    /// The rule's place: rows are sorted by it (so rules are reordered by renumbering).
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub condition: String,
    /// `incident`, `engage`, `notify` or `suppress`.
    #[serde(default)]
    pub firing: String,
    /// The response plan (incident) or contact (engage).
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub impact: String,
    /// Slack incoming-webhook or JSON-webhook URLs, one per line.
    #[serde(default)]
    pub notify: String,
    #[serde(default)]
    pub resolve: Option<String>,
    #[serde(default)]
    pub remove: Option<String>,
}

impl RuleForm {
    pub fn of(rule: &Rule, i: usize) -> RuleForm {
        let (firing, target) = match &rule.firing {
            Firing::Incident { response_plan } => ("incident", response_plan.clone()),
            Firing::Engage { contact } => ("engage", contact.clone()),
            Firing::Notify => ("notify", String::new()),
            Firing::Suppress => ("suppress", String::new()),
        };
        RuleForm {
            position: (i + 1).to_string(),
            name: rule.name.clone(),
            condition: rule.condition.clone(),
            firing: firing.to_owned(),
            target,
            impact: rule.impact.map(|i| i.to_string()).unwrap_or_default(),
            notify: rule.notify.iter().map(NotificationTarget::url).collect::<Vec<_>>().join("\n"),
            resolve: rule.resolve_on_recovery.then(|| "on".to_owned()),
            remove: None,
        }
    }

    fn blank(&self) -> bool {
        self.name.trim().is_empty() && self.condition.trim().is_empty() && self.target.trim().is_empty()
    }
}

/// The rows that make rules, in order: removed and blank rows dropped, sorted by position
/// (rows without a number keep their place after the numbered ones).
pub fn ordered_forms(forms: &[RuleForm]) -> Vec<RuleForm> {
    let mut kept: Vec<(f64, usize, RuleForm)> = forms
        .iter()
        .enumerate()
        .filter(|(_, f)| f.remove.is_none() && !f.blank())
        .map(|(i, f)| (f.position.trim().parse::<f64>().unwrap_or(1e9), i, f.clone()))
        .collect();
    kept.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    kept.into_iter().map(|(_, _, f)| f).collect()
}

/// The rules the rows describe (already [`ordered_forms`]), or every problem by field.
pub fn rules_from_forms(forms: &[RuleForm]) -> Result<Vec<Rule>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut rules = Vec::new();
    for (i, f) in forms.iter().enumerate() {
        let target = f.target.trim().to_owned();
        let firing = match f.firing.as_str() {
            "incident" => Firing::Incident { response_plan: target },
            "engage" => Firing::Engage { contact: target },
            "suppress" => Firing::Suppress,
            _ => Firing::Notify,
        };
        let impact = match f.impact.trim() {
            "" => None,
            text => {
                let parsed = text.parse::<u8>().ok();
                if parsed.is_none() {
                    errors.push(FieldError::new(&format!("rules.{i}.impact"), Msg::ErrImpact));
                }
                parsed
            }
        };
        let notify = f
            .notify
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|url| {
                let slack = url.strip_prefix("https://hooks.slack.com/").is_some();
                if slack {
                    NotificationTarget::Slack { url: url.to_owned() }
                } else {
                    NotificationTarget::Webhook { url: url.to_owned() }
                }
            })
            .collect();
        rules.push(Rule {
            name: f.name.trim().to_owned(),
            condition: f.condition.trim().to_owned(),
            firing,
            impact,
            notify,
            resolve_on_recovery: f.resolve.is_some(),
        });
    }
    if let Err(more) = check_rules(&rules) {
        errors.extend(more);
    }
    if errors.is_empty() { Ok(rules) } else { Err(errors) }
}

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

    fn rule(name: &str, condition: &str) -> Rule {
        Rule {
            name: name.into(),
            condition: condition.into(),
            firing: Firing::Notify,
            impact: None,
            notify: vec![],
            resolve_on_recovery: false,
        }
    }

    #[test]
    fn rule_rows_are_ordered_by_position_and_blank_or_removed_rows_dropped() {
        let row = |position: &str, name: &str| RuleForm {
            position: position.into(),
            name: name.into(),
            firing: "incident".into(),
            target: "sev3-low".into(),
            ..RuleForm::default()
        };
        let mut removed = row("0", "gone");
        removed.remove = Some("on".into());
        let rows = [row("3", "rest"), row("1", "critical"), removed, RuleForm::default(), row("2", "high")];
        let names: Vec<String> = ordered_forms(&rows).into_iter().map(|f| f.name).collect();
        assert_eq!(names, ["critical", "high", "rest"]);
        let mut rows = ordered_forms(&rows);
        rows[0].condition = "alert.severity == 'critical'".into();
        rows[1].condition = "alert.severity == 'high'".into();
        rows[0].notify = "https://hooks.slack.com/services/T/B/x\nhttps://example.com/hook".into();
        let rules = rules_from_forms(&rows).unwrap();
        assert!(matches!(rules[0].notify[0], NotificationTarget::Slack { .. }));
        assert!(matches!(rules[0].notify[1], NotificationTarget::Webhook { .. }));
        assert_eq!(RuleForm::of(&rules[0], 0).notify, rows[0].notify);
        rows[1].impact = "x".into();
        let e = rules_from_forms(&rows).unwrap_err();
        assert_eq!(e[0].field, "rules.1.impact");
    }

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
    fn a_rule_set_ends_with_a_catch_all_and_names_are_unique() {
        assert!(check_rules(&[rule("a", "alert.severity == 'critical'"), rule("rest", "")]).is_ok());
        let e = check_rules(&[rule("a", "true")]).unwrap_err();
        assert_eq!(e[0].field, "rules.0.condition");
        let e = check_rules(&[rule("a", "x"), rule("a", "")]).unwrap_err();
        assert_eq!((e[0].field.as_str(), e[0].msg), ("rules.1.name", Msg::ErrRuleNameTaken));
        let mut bad = rule("b", "");
        bad.impact = Some(9);
        bad.notify = vec![NotificationTarget::Slack { url: "http://example.com/x".into() }];
        bad.firing = Firing::Incident { response_plan: " ".into() };
        let fields: Vec<String> = check_rules(&[bad]).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["rules.0.impact", "rules.0.firing", "rules.0.notify.0"]);
        assert!(check_rules(&[]).is_err());
    }
}
