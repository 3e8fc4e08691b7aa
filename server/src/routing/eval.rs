//! The one evaluator of routing conditions: live routing, dry runs and replays all call
//! [`Compiled::evaluate`]. A condition is CEL over `alert` (the normalised alert, with its
//! integration's name and kind) and `payload` (the raw event as JSON), plus
//! `in_hours("Mon-Fri 09:00-18:00 Asia/Tokyo")` for working hours. A rule whose condition
//! fails on an alert (a missing field, not true or false) does not match and says why in the
//! trace; it never stops the alert from being routed.

use std::sync::Arc;

use app::domain::alert::{Alert, AlertStatus};
use app::domain::condition::wildcard_match;
use app::domain::hours::Hours;
use app::domain::routing::Rule;
use app::error::FieldError;
use app::i18n::Msg;
use app::model::alerts::{ConditionProblem, TraceStep};
use cel::{Context, ExecutionError, Program};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluated {
    /// The first rule that matched (its position).
    pub matched: Option<usize>,
    /// Every rule tried, in order, up to the match.
    pub trace: Vec<TraceStep>,
}

/// What a condition sees as `alert`.
#[derive(Serialize)]
struct AlertVars<'a> {
    title: &'a str,
    summary: &'a str,
    severity: &'a str,
    status: &'a str,
    fingerprint: &'a str,
    labels: &'a std::collections::BTreeMap<String, String>,
    links: &'a [String],
    integration: &'a str,
    kind: &'a str,
}

/// A condition that is not CEL: its position in the list, and the line and column of its
/// first mistake when the parser gives one.
pub type NotCel = (usize, Option<(u32, u32)>);

/// A rule set ready to run: each condition parsed once.
pub struct Compiled {
    rules: Vec<(String, Option<Program>)>,
}

impl Compiled {
    /// Parses every condition; a condition that is not CEL is a problem with its field, at
    /// the place the parser stopped.
    pub fn new(rules: &[Rule]) -> Result<Compiled, Vec<FieldError>> {
        Compiled::conditions(rules.iter().map(|r| (r.name.as_str(), r.condition.as_str()))).map_err(|bad| {
            bad.into_iter()
                .map(|(i, at)| {
                    let field = format!("rules.{i}.condition");
                    match at {
                        Some((line, column)) => FieldError::at(&field, Msg::ErrCondition, line, column),
                        None => FieldError::new(&field, Msg::ErrCondition),
                    }
                })
                .collect()
        })
    }

    /// Named conditions (empty matches everything), or those that are not CEL: their
    /// positions, with the line and column of the first mistake when the parser gives one.
    pub fn conditions<'a>(named: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Compiled, Vec<NotCel>> {
        let mut bad = Vec::new();
        let mut compiled = Vec::new();
        for (i, (name, condition)) in named.into_iter().enumerate() {
            // Positions are counted in the text as typed, so only the end is trimmed.
            let typed = condition.trim_end();
            let program = if typed.trim_start().is_empty() {
                None
            } else {
                match Program::compile(typed) {
                    Ok(program) => Some(program),
                    Err(e) => {
                        bad.push((i, first_position(&e)));
                        None
                    }
                }
            };
            compiled.push((name.to_owned(), program));
        }
        if bad.is_empty() { Ok(Compiled { rules: compiled }) } else { Err(bad) }
    }

    /// The first rule whose condition holds for `alert` at `now`, with the trace.
    pub fn evaluate(
        &self,
        alert: &Alert,
        integration: (&str, &str),
        payload: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Evaluated {
        let vars = AlertVars {
            title: &alert.title,
            summary: &alert.summary,
            severity: &alert.severity,
            status: match alert.status {
                AlertStatus::Firing => "firing",
                AlertStatus::Resolved => "resolved",
            },
            fingerprint: &alert.fingerprint,
            labels: &alert.labels,
            links: &alert.links,
            integration: integration.0,
            kind: integration.1,
        };
        let context = context(&vars, payload, now);
        let mut trace = Vec::new();
        for (i, (name, program)) in self.rules.iter().enumerate() {
            let result = match (program, &context) {
                (None, _) => Ok(true),
                (Some(_), Err(e)) => Err((e.clone(), ConditionProblem::Other(e.clone()))),
                (Some(p), Ok(c)) => match p.execute(c) {
                    Ok(cel::Value::Bool(b)) => Ok(b),
                    Ok(other) => {
                        Err((format!("the condition gave {other:?}, not true or false"), ConditionProblem::NotBoolean))
                    }
                    Err(e) => Err((e.to_string(), problem_of(&e))),
                },
            };
            let (text, problem, matched) = match result {
                Ok(true) => ("matched".to_owned(), None, true),
                Ok(false) => ("no match".to_owned(), None, false),
                Err((e, problem)) => (format!("error: {e}"), Some(problem), false),
            };
            trace.push(TraceStep { rule: name.clone(), result: text, problem });
            if matched {
                return Evaluated { matched: Some(i), trace };
            }
        }
        Evaluated { matched: None, trace }
    }
}

/// The first mistake's line and column (from 1) as the parser reports them.
fn first_position(e: &cel::ParseErrors) -> Option<(u32, u32)> {
    let first = e.errors.first()?;
    let (line, column) = first.pos;
    Some((u32::try_from(line).ok().filter(|l| *l > 0)?, u32::try_from(column).ok()?.max(1)))
}

/// What went wrong, for the page to say in the reader's language.
fn problem_of(e: &ExecutionError) -> ConditionProblem {
    match e {
        ExecutionError::NoSuchKey(key) => ConditionProblem::NoSuchKey(key.to_string()),
        ExecutionError::UndeclaredReference(name) => ConditionProblem::Undeclared(name.to_string()),
        ExecutionError::UnexpectedType { .. }
        | ExecutionError::ValuesNotComparable(..)
        | ExecutionError::UnsupportedBinaryOperator(..)
        | ExecutionError::NoSuchOverload(_) => ConditionProblem::Types,
        other => ConditionProblem::Other(other.to_string()),
    }
}

fn context(
    vars: &AlertVars<'_>,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<Context<'static, 'static>, String> {
    let mut c = Context::default();
    c.add_variable("alert", vars).map_err(|e| e.to_string())?;
    c.add_variable("payload", payload).map_err(|e| e.to_string())?;
    c.add_function("in_hours", move |spec: Arc<String>| -> Result<bool, ExecutionError> {
        let hours = Hours::parse(&spec).map_err(|e| ExecutionError::function_error("in_hours", e))?;
        Ok(hours.contains(now))
    })
    .map_err(|e| e.to_string())?;
    c.add_function("wildcard", |text: Arc<String>, pattern: Arc<String>| wildcard_match(&text, &pattern))
        .map_err(|e| e.to_string())?;
    Ok(c)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use app::domain::routing::Firing;

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

    fn alert(severity: &str) -> Alert {
        Alert {
            fingerprint: "fp".into(),
            status: AlertStatus::Firing,
            title: "ApiErrors".into(),
            summary: String::new(),
            severity: severity.into(),
            labels: BTreeMap::from([("region".to_owned(), "ap-northeast-1".to_owned())]),
            links: vec![],
            occurred_at: 0,
        }
    }

    /// Monday 2026-11-30 10:00 in Tokyo.
    fn monday_morning() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-30T01:00:00Z").unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_first_matching_rule_wins_and_the_trace_says_why() {
        let rules = [
            rule("typo", "alert.labels.nosuch == 'x'"),
            rule("critical", "alert.severity == 'critical' && payload.detail.state.value == 'ALARM'"),
            rule("rest", ""),
        ];
        let c = Compiled::new(&rules).unwrap();
        let payload = serde_json::json!({"detail": {"state": {"value": "ALARM"}}});
        let got = c.evaluate(&alert("critical"), ("cw", "eventbridge"), &payload, monday_morning());
        assert_eq!(got.matched, Some(1));
        assert!(got.trace[0].result.starts_with("error: "), "{:?}", got.trace);
        assert_eq!(got.trace[0].problem, Some(ConditionProblem::NoSuchKey("nosuch".into())));
        assert_eq!(got.trace[1].result, "matched");
        let got = c.evaluate(&alert("low"), ("cw", "eventbridge"), &payload, monday_morning());
        assert_eq!((got.matched, got.trace.len()), (Some(2), 3));
    }

    #[test]
    fn working_hours_are_a_function_of_the_time_routed() {
        let rules = [rule("office", "in_hours('Mon-Fri 09:00-18:00 Asia/Tokyo')"), rule("rest", "")];
        let c = Compiled::new(&rules).unwrap();
        let at = |t: DateTime<Utc>| c.evaluate(&alert(""), ("cw", "webhook"), &serde_json::Value::Null, t).matched;
        assert_eq!(at(monday_morning()), Some(0));
        assert_eq!(at(monday_morning() + chrono::Duration::hours(9)), Some(1), "19:00 is outside");
        let bad = Compiled::new(&[rule("bad", "in_hours('someday')"), rule("rest", "")]).unwrap();
        let got = bad.evaluate(&alert(""), ("cw", "webhook"), &serde_json::Value::Null, monday_morning());
        assert!(got.trace[0].result.contains("in_hours"), "{:?}", got.trace);
    }

    /// Every operator the builder offers, as CEL the evaluator runs: what the form says is
    /// what routing does.
    #[test]
    fn every_builder_operator_runs() {
        use app::domain::condition::{Condition, Op, Test, Window};
        let payload = serde_json::json!({
            "level": "critical",
            "detail": {"state": {"value": "ALARM"}, "count": 95, "ratio": 0.75, "text": "12.5"},
        });
        let cases = [
            ("alert.severity", Op::Equals, "critical", true),
            ("alert.severity", Op::OneOf, "high, critical", true),
            ("alert.title", Op::Contains, "Error", true),
            ("alert.title", Op::StartsWith, "Api", true),
            ("alert.title", Op::Wildcard, "Api*rs", true),
            ("alert.title", Op::Wildcard, "Api?", false),
            ("payload.detail.count", Op::Greater, "90", true),
            ("payload.detail.count", Op::AtMost, "90", false),
            ("payload.detail.ratio", Op::Less, "0.8", true),
            ("payload.detail.text", Op::AtLeast, "12.5", true),
            ("alert.labels.region", Op::Exists, "", true),
            ("alert.labels.team-name", Op::Exists, "", false),
            ("payload.detail.state.value", Op::Equals, "OK", false),
        ];
        for (field, op, value, expected) in cases {
            for negate in [false, true] {
                let test = Test { field: field.into(), op, value: value.into(), negate };
                let condition = Condition { any: false, tests: vec![test], window: None };
                assert!(condition.check().is_empty());
                let c = Compiled::new(&[rule("r", &condition.to_cel()), rule("rest", "")]).unwrap();
                let got = c.evaluate(&alert("critical"), ("cw", "eventbridge"), &payload, monday_morning());
                assert_eq!(got.matched == Some(0), expected != negate, "{} → {:?}", condition.to_cel(), got.trace);
            }
        }
        let outside = Condition {
            any: true,
            tests: vec![Test { field: "alert.severity".into(), op: Op::Equals, value: "low".into(), negate: false }],
            window: Some(Window::Outside("Mon-Fri 09:00-18:00 Asia/Tokyo".into())),
        };
        let c = Compiled::new(&[rule("r", &outside.to_cel()), rule("rest", "")]).unwrap();
        let got = c.evaluate(&alert("low"), ("cw", "eventbridge"), &payload, monday_morning());
        assert_eq!(got.matched, Some(1), "Monday 10:00 in Tokyo is within the hours");
    }

    #[test]
    fn a_condition_that_is_not_cel_is_refused_by_field() {
        let e = Compiled::new(&[rule("a", "alert.severity ==="), rule("rest", "")]).err().unwrap();
        assert_eq!((e[0].field.as_str(), e[0].msg), ("rules.0.condition", Msg::ErrCondition));
        let (line, column) = e[0].at.expect("the parser says where");
        assert_eq!(line, 1);
        assert!((15..=19).contains(&column), "the mistake is near the end of the line, got column {column}");
        let two_lines = Compiled::new(&[rule("a", "alert.severity == 'x' &&\n  (alert.title"), rule("rest", "")]);
        assert_eq!(two_lines.err().unwrap()[0].at.map(|at| at.0), Some(2));
        assert!(e[0].text(app::i18n::Locale::Ja).contains("1行目"), "{}", e[0].text(app::i18n::Locale::Ja));
    }
}
