//! Routing rules: one ordered list, the first rule whose condition holds decides what a firing
//! alert does, and the last rule is the catch-all. Conditions are CEL expressions over `alert`
//! (and `payload`, the raw event), evaluated on the server only (`server::routing::eval`): the
//! CEL interpreter is too heavy for the browser, and one evaluator means dry runs, replays and
//! live routing can never disagree.

use serde::{Deserialize, Serialize};

use crate::domain::condition::{Condition, Op, Problem, Test, Window};
use crate::domain::hours::Hours;
use crate::domain::incident::{NotificationTarget, validate_impact, webhook_url_ok};
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
    /// Working hours (`Mon-Fri 09:00-18:00 Asia/Tokyo`): a firing alert that matches outside
    /// them waits, and is acted on when they open (unless it recovered meanwhile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold: Option<String>,
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
        if self.hold.as_deref().is_some_and(|h| Hours::parse(h).is_err()) {
            errors.push(FieldError::new(&field("hold"), Msg::ErrHours));
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
    /// Working hours to hold firing alerts until; empty acts at once.
    #[serde(default)]
    pub hold: String,
    /// The builder: `any` joins the tests with "or", anything else with "and".
    #[serde(default)]
    pub match_any: String,
    #[serde(default)]
    pub tests: Vec<TestForm>,
    /// `within`, `outside` or empty (any time), with the hours' parts.
    #[serde(default)]
    pub window: String,
    #[serde(default)]
    pub window_days: String,
    #[serde(default)]
    pub window_from: String,
    #[serde(default)]
    pub window_to: String,
    #[serde(default)]
    pub window_zone: String,
    /// The CEL as the page showed it: a CEL box that differs was edited, and wins over the
    /// builder; one the builder could not show is never replaced by it.
    #[serde(default)]
    pub cel_shown: String,
    /// Set on the row for a new rule: at a position another rule has, the new one goes first
    /// (typing 1 means "make it the first").
    #[serde(default)]
    pub new: Option<String>,
    /// Set on the catch-all's row, which stays last: while a refused edit shows it with a
    /// condition typed in, it is still the catch-all being edited, not a rule to move.
    #[serde(default)]
    pub pinned: Option<String>,
}

/// One test row of the builder, as posted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestForm {
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub op: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub not: Option<String>,
}

impl TestForm {
    fn blank(&self) -> bool {
        self.field.trim().is_empty() && self.value.trim().is_empty()
    }
}

/// A blank row's time window: office hours in `zone`, so choosing "only within" is enough.
pub const DEFAULT_WINDOW: (&str, &str, &str) = ("Mon-Fri", "09:00", "18:00");

impl RuleForm {
    pub fn of(rule: &Rule, i: usize) -> RuleForm {
        let (firing, target) = match &rule.firing {
            Firing::Incident { response_plan } => ("incident", response_plan.clone()),
            Firing::Engage { contact } => ("engage", contact.clone()),
            Firing::Notify => ("notify", String::new()),
            Firing::Suppress => ("suppress", String::new()),
        };
        let row = RuleForm {
            position: (i + 1).to_string(),
            name: rule.name.clone(),
            firing: firing.to_owned(),
            target,
            impact: rule.impact.map(|i| i.to_string()).unwrap_or_default(),
            notify: rule.notify.iter().map(NotificationTarget::url).collect::<Vec<_>>().join("\n"),
            resolve: rule.resolve_on_recovery.then(|| "on".to_owned()),
            hold: rule.hold.clone().unwrap_or_default(),
            ..RuleForm::default()
        };
        row.showing(&rule.condition, "UTC")
    }

    /// This row with its builder and CEL box showing `cel` (the builder empty when it cannot
    /// show it); `zone` fills an unset time window's zone.
    #[must_use]
    pub fn showing(self, cel: &str, zone: &str) -> RuleForm {
        let built = Condition::from_cel(cel).unwrap_or_default();
        let tests = built
            .tests
            .iter()
            .map(|t| TestForm {
                field: t.field.clone(),
                op: t.op.word().to_owned(),
                value: t.value.clone(),
                not: t.negate.then(|| "on".to_owned()),
            })
            .collect();
        let (window, spec) = match &built.window {
            Some(Window::Within(spec)) => ("within", Some(spec)),
            Some(Window::Outside(spec)) => ("outside", Some(spec)),
            None => ("", None),
        };
        let hours = spec
            .and_then(|s| Hours::parse(s).ok().map(|_| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>()));
        let part = |k: usize, default: &str| {
            hours.as_ref().and_then(|h| h.get(k).cloned()).unwrap_or_else(|| default.to_owned())
        };
        let (from, to) = part(1, "").split_once('-').map(|(a, b)| (a.to_owned(), b.to_owned())).unwrap_or_default();
        RuleForm {
            condition: cel.to_owned(),
            cel_shown: cel.to_owned(),
            match_any: if built.any { "any" } else { "all" }.to_owned(),
            tests,
            window: window.to_owned(),
            window_days: part(0, DEFAULT_WINDOW.0),
            window_from: if from.is_empty() { DEFAULT_WINDOW.1.to_owned() } else { from },
            window_to: if to.is_empty() { DEFAULT_WINDOW.2.to_owned() } else { to },
            window_zone: part(2, zone),
            ..self
        }
    }

    /// Whether the page can show this row's CEL in the builder.
    pub fn builder_shows(&self) -> bool {
        Condition::from_cel(&self.condition).is_some()
    }

    /// The condition this row saves: the CEL box when it was edited (or the builder could not
    /// show it), else what the builder says. Problems are named `rules.<i>.tests.<j>.field`,
    /// `….value` and `rules.<i>.window`.
    pub fn condition_cel(&self, i: usize) -> Result<String, Vec<FieldError>> {
        let typed = self.condition.trim();
        let shown = self.cel_shown.trim();
        if typed != shown || Condition::from_cel(shown).is_none() {
            return Ok(typed.to_owned());
        }
        let (built, rows) = self.built();
        let problems = built.check();
        if problems.is_empty() {
            return Ok(built.to_cel());
        }
        Err(problems
            .into_iter()
            .map(|(p, msg)| {
                let field = match p {
                    Problem::Field(j) => format!("rules.{i}.tests.{}.field", rows[j]),
                    Problem::Value(j) => format!("rules.{i}.tests.{}.value", rows[j]),
                    Problem::Window => format!("rules.{i}.window"),
                };
                FieldError::new(&field, msg)
            })
            .collect())
    }

    /// The builder as typed, and each test's row: rows with neither field nor value are left out.
    fn built(&self) -> (Condition, Vec<usize>) {
        let (rows, tests) = self
            .tests
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.blank())
            .map(|(j, t)| {
                let test = Test {
                    field: t.field.trim().to_owned(),
                    op: Op::parse(&t.op).unwrap_or(Op::Equals),
                    value: t.value.trim().to_owned(),
                    negate: t.not.is_some(),
                };
                (j, test)
            })
            .unzip();
        let spec = || {
            let days: String = self.window_days.split_whitespace().collect();
            format!("{days} {}-{} {}", self.window_from.trim(), self.window_to.trim(), self.window_zone.trim())
        };
        let window = match self.window.as_str() {
            "within" => Some(Window::Within(spec())),
            "outside" => Some(Window::Outside(spec())),
            _ => None,
        };
        (Condition { any: self.match_any == "any", tests, window }, rows)
    }

    /// The last row: the catch-all, or the row that was it before an edit.
    pub fn stays_last(&self) -> bool {
        self.pinned.is_some() || self.is_catch_all()
    }

    /// A rule without any condition: it takes every alert that reaches it.
    pub fn is_catch_all(&self) -> bool {
        self.condition.trim().is_empty() && self.tests.iter().all(TestForm::blank) && self.window.is_empty()
    }

    fn blank(&self) -> bool {
        self.name.trim().is_empty()
            && self.condition.trim().is_empty()
            && self.target.trim().is_empty()
            && self.tests.iter().all(TestForm::blank)
    }
}

/// The rows that make rules, in order: removed and blank rows dropped, sorted by position
/// (rows without a number keep their place after the numbered ones; the catch-all row has
/// none, so it stays last, and a pinned row is last whatever it says). At the same position a
/// new rule goes before an existing one.
pub fn ordered_forms(forms: &[RuleForm]) -> Vec<RuleForm> {
    let mut kept: Vec<(f64, bool, usize, RuleForm)> = forms
        .iter()
        .enumerate()
        .filter(|(_, f)| f.remove.is_none() && !f.blank())
        .map(|(i, f)| {
            let at = if f.pinned.is_some() { f64::INFINITY } else { f.position.trim().parse::<f64>().unwrap_or(1e9) };
            (at, f.new.is_none(), i, f.clone())
        })
        .collect();
    kept.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    kept.into_iter().map(|(_, _, _, f)| f).collect()
}

/// Which way a rule moves in the editor's list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Up,
    Down,
}

impl Step {
    /// A move button's value, `<form row>:up` or `<form row>:down`.
    pub fn parse(value: &str) -> Option<(usize, Step)> {
        let (row, way) = value.split_once(':')?;
        let step = match way {
            "up" => Step::Up,
            "down" => Step::Down,
            _ => return None,
        };
        Some((row.parse().ok()?, step))
    }
}

/// The rows in order ([`ordered_forms`]) with form row `row` moved one place `step`, renumbered
/// 1, 2, …; the catch-all stays last (nothing moves below it, and it does not move). An unknown
/// row or a move past either end leaves the order as it was.
pub fn moved(forms: &[RuleForm], row: usize, step: Step) -> Vec<RuleForm> {
    let Some(wanted) = forms.get(row).cloned() else { return ordered_forms(forms) };
    let mut rows = ordered_forms(forms);
    let pinned = rows.last().is_some_and(RuleForm::stays_last);
    let movable = rows.len() - usize::from(pinned);
    if let Some(at) = rows.iter().position(|r| *r == wanted).filter(|at| *at < movable) {
        match step {
            Step::Up if at > 0 => rows.swap(at, at - 1),
            Step::Down if at + 1 < movable => rows.swap(at, at + 1),
            _ => {}
        }
    }
    for (k, r) in rows.iter_mut().enumerate() {
        r.position = if pinned && k == movable { String::new() } else { (k + 1).to_string() };
    }
    rows
}

/// For each rule (by its CEL condition), the earlier rule that takes every alert it would
/// match, so it can never fire: one without a condition, or one with the same condition.
pub fn never_matching(conditions: &[String]) -> Vec<Option<usize>> {
    let normal = |c: &str| {
        let words = c.split_whitespace().collect::<Vec<_>>().join(" ");
        if words == "true" { String::new() } else { words }
    };
    let normalised: Vec<String> = conditions.iter().map(|c| normal(c)).collect();
    normalised
        .iter()
        .enumerate()
        .map(|(i, mine)| normalised[..i].iter().position(|earlier| earlier.is_empty() || earlier == mine))
        .collect()
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
        let condition = f.condition_cel(i).unwrap_or_else(|more| {
            errors.extend(more);
            String::new()
        });
        let hold = Some(f.hold.trim().to_owned()).filter(|h| !h.is_empty());
        rules.push(Rule {
            name: f.name.trim().to_owned(),
            condition,
            firing,
            impact,
            notify,
            resolve_on_recovery: f.resolve.is_some(),
            hold,
        });
    }
    if let Err(more) = check_rules(&rules) {
        errors.extend(more);
    }
    if errors.is_empty() { Ok(rules) } else { Err(errors) }
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
            hold: None,
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

    /// A notify-only rule's row as the editor posts it.
    fn notify_row(position: &str, name: &str, condition: &str) -> RuleForm {
        RuleForm {
            position: position.into(),
            name: name.into(),
            condition: condition.into(),
            firing: "notify".into(),
            ..RuleForm::default()
        }
    }

    #[test]
    fn a_new_rule_at_a_taken_position_goes_first_and_the_catch_all_stays_last() {
        let row = notify_row;
        let mut new = row("1", "payments", "alert.labels.service == 'payments'");
        new.new = Some("1".into());
        let rows = [row("1", "critical", "alert.severity == 'critical'"), row("", "rest", ""), new];
        let names: Vec<String> = ordered_forms(&rows).into_iter().map(|f| f.name).collect();
        assert_eq!(names, ["payments", "critical", "rest"]);
    }

    #[test]
    fn a_rule_moves_one_place_and_never_below_the_catch_all() {
        let row = notify_row;
        // Form rows as posted: the blank new row sits among them, positions as typed.
        let rows = [
            row("2", "high", "alert.severity == 'high'"),
            row("1", "critical", "alert.severity == 'critical'"),
            RuleForm::default(),
            row("", "rest", ""),
        ];
        let order = |forms: &[RuleForm]| -> Vec<(String, String)> {
            forms.iter().map(|f| (f.name.clone(), f.position.clone())).collect()
        };
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
        };
        assert_eq!(order(&moved(&rows, 0, Step::Up)), pairs(&[("high", "1"), ("critical", "2"), ("rest", "")]));
        assert_eq!(order(&moved(&rows, 1, Step::Down)), pairs(&[("high", "1"), ("critical", "2"), ("rest", "")]));
        // Past either end, the catch-all, a blank or unknown row: the order stays, renumbered.
        let same = pairs(&[("critical", "1"), ("high", "2"), ("rest", "")]);
        for (at, step) in [(1, Step::Up), (0, Step::Down), (3, Step::Up), (3, Step::Down), (2, Step::Up), (9, Step::Up)]
        {
            assert_eq!(order(&moved(&rows, at, step)), same, "row {at} {step:?}");
        }
        assert_eq!(Step::parse("3:up"), Some((3, Step::Up)));
        assert_eq!(Step::parse("0:down"), Some((0, Step::Down)));
        assert_eq!(Step::parse("x:up"), None);
        assert_eq!(Step::parse("1:left"), None);
    }

    #[test]
    fn a_rule_behind_one_that_always_matches_never_matches() {
        let conditions = ["alert.severity == 'critical'", "", "alert.severity ==  'critical'", "x", "true", "y"];
        let conditions: Vec<String> = conditions.iter().map(|c| (*c).to_owned()).collect();
        assert_eq!(never_matching(&conditions), [None, None, Some(0), Some(1), Some(1), Some(1)]);
        let distinct: Vec<String> = ["a", "b", "a ", ""].iter().map(|c| (*c).to_owned()).collect();
        assert_eq!(never_matching(&distinct), [None, None, Some(0), None]);
    }

    fn builder_row() -> RuleForm {
        let row = RuleForm { name: "critical".into(), firing: "notify".into(), ..RuleForm::default() };
        row.showing("", "Asia/Tokyo")
    }

    #[test]
    fn the_builder_decides_unless_the_cel_box_was_edited() {
        let mut row = builder_row();
        assert_eq!((row.window_days.as_str(), row.window_zone.as_str()), ("Mon-Fri", "Asia/Tokyo"));
        row.tests = vec![
            TestForm { field: "alert.severity".into(), op: "equals".into(), value: "critical".into(), not: None },
            TestForm::default(),
        ];
        row.window = "outside".into();
        assert_eq!(
            row.condition_cel(0).unwrap(),
            "alert.severity == \"critical\" && !in_hours(\"Mon-Fri 09:00-18:00 Asia/Tokyo\")"
        );
        let mut edited = row.clone();
        edited.condition = "alert.severity == 'high'".into();
        assert_eq!(edited.condition_cel(0).unwrap(), "alert.severity == 'high'");
        // CEL the builder cannot show is never replaced by the (empty) builder.
        let cel_only = builder_row().showing("size(alert.links) > 1", "UTC");
        assert!(!cel_only.builder_shows());
        assert_eq!(cel_only.condition_cel(0).unwrap(), "size(alert.links) > 1");
        row.tests.push(TestForm { field: "severity".into(), op: "gt".into(), value: "x".into(), not: None });
        row.window_zone = "JST".into();
        let fields: Vec<String> = row.condition_cel(2).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["rules.2.tests.2.field", "rules.2.tests.2.value", "rules.2.window"]);
    }

    #[test]
    fn the_form_posts_nested_builder_rows() {
        #[derive(Deserialize)]
        struct Posted {
            rules: Vec<RuleForm>,
        }
        let body = "rules[0][name]=a&rules[0][condition]=&rules[0][cel_shown]=&rules[0][match_any]=any\
            &rules[0][tests][0][field]=alert.severity&rules[0][tests][0][op]=one_of&rules[0][tests][0][value]=critical,high\
            &rules[0][tests][1][field]=alert.labels.env&rules[0][tests][1][op]=equals&rules[0][tests][1][value]=dev&rules[0][tests][1][not]=on\
            &rules[1][name]=rest";
        let posted: Posted = serde_qs::Config::new(5, false).deserialize_str(body).unwrap();
        let rules = rules_from_forms(&ordered_forms(&posted.rules)).unwrap();
        assert_eq!(rules[0].condition, "alert.severity in [\"critical\", \"high\"] || !(alert.labels.env == \"dev\")");
        assert_eq!(rules[1].condition, "");
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
