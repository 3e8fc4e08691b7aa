//! What the alert pages, their server functions and the server's alert store exchange.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::alert::{AlertStatus, IntegrationView};
use crate::domain::routing::RuleSet;
use crate::i18n::{Locale, Msg};

pub const INTEGRATIONS_PATH: &str = "/routing/integrations";
pub const ALERTS_PATH: &str = "/routing/alerts";
/// The Alerts page lists at most this many, newest first.
pub const ALERTS_SHOWN: u32 = 200;
pub const RULES_PATH: &str = "/routing/rules";
pub const MAINTENANCE_PATH: &str = "/routing/maintenance";

pub fn alert_path(id: &str) -> String {
    format!("{ALERTS_PATH}/{id}")
}

/// One rule's answer for one alert.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceStep {
    pub rule: String,
    /// `matched`, `no match`, or `error: …` (the evaluator's words, kept with the alert).
    pub result: String,
    /// For an error, what it was, for the page to say in the reader's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<ConditionProblem>,
}

/// Why a condition gave neither true nor false for an alert.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConditionProblem {
    /// A field or label the alert does not have (`alert.labels.service`).
    NoSuchKey(String),
    /// A name that is neither `alert`, `payload` nor a function.
    Undeclared(String),
    /// A value that is not true or false.
    NotBoolean,
    /// Values of kinds that cannot be compared or combined.
    Types,
    /// Anything else, in the evaluator's own words.
    Other(String),
}

impl ConditionProblem {
    pub fn text(&self, locale: Locale) -> String {
        match self {
            ConditionProblem::NoSuchKey(key) => Msg::CondNoSuchKey.text(locale).replace("{key}", key),
            ConditionProblem::Undeclared(name) => Msg::CondUndeclared.text(locale).replace("{name}", name),
            ConditionProblem::NotBoolean => Msg::CondNotBoolean.text(locale).to_owned(),
            ConditionProblem::Types => Msg::CondTypes.text(locale).to_owned(),
            ConditionProblem::Other(words) => words.clone(),
        }
    }
}

/// How routing keeps up, at the top of the Alerts page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingStatus {
    /// Alerts stored and due but not routed yet.
    pub waiting: i64,
    /// Seconds since the oldest of them arrived (0 when none waits).
    pub lag_secs: i64,
    pub routed_last_minute: i64,
    /// Integrations flooding now, whose notices are folded into storm notices.
    pub storms: Vec<StormView>,
}

/// A storm in progress (see the router's storms).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StormView {
    pub integration: String,
    pub started_at: i64,
    /// Storm notices sent so far.
    pub notices: i64,
}

/// An alert in the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertRow {
    pub id: String,
    pub integration: String,
    pub title: String,
    pub status: AlertStatus,
    pub severity: String,
    pub rule: Option<String>,
    /// What routing did ("incident opened", "fired again", …); none while it waits.
    pub outcome: Option<String>,
    pub incident_id: Option<String>,
    pub received_at: i64,
}

/// One alert with everything routing saw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertDetail {
    pub row: AlertRow,
    pub fingerprint: String,
    pub summary: String,
    pub labels: Vec<(String, String)>,
    pub links: Vec<String>,
    pub trace: Vec<TraceStep>,
    /// The raw event as received.
    pub payload: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarantineRow {
    pub integration: String,
    pub received_at: i64,
    pub reason: String,
    pub body: String,
}

/// An integration just made (or given a new secret): the secret is shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedSecret {
    pub name: String,
    pub url: String,
    pub secret: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationsPage {
    pub integrations: Vec<IntegrationView>,
    /// The console's base URL, for the integrations' URLs.
    pub base_url: String,
    pub quarantine: Vec<QuarantineRow>,
}

/// A saved version of the rules, for the history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleVersion {
    pub version: u32,
    pub saved_by: String,
    pub saved_at: i64,
    pub rules: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesPage {
    pub current: RuleSet,
    pub history: Vec<RuleVersion>,
    pub integrations: Vec<IntegrationView>,
    /// Response plans and contacts a rule can name.
    pub plans: Vec<String>,
    pub contacts: Vec<String>,
}

/// What a rule does with an alert (dry runs and replays), shown in the reader's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// No rule matched.
    Nothing,
    Incident {
        plan: String,
    },
    Engage {
        contact: String,
    },
    Notify,
    Suppress,
    /// A recovery that resolves its incident.
    ResolveIncident,
    /// A recovery that only tells the targets.
    RecoveryNotify,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionText {
    pub action: Action,
    /// Slack and webhook targets told.
    pub targets: usize,
    /// The hours a firing alert waits for.
    pub hold: Option<String>,
}

impl ActionText {
    pub fn text(&self, locale: crate::i18n::Locale) -> String {
        use crate::i18n::Msg;
        let t = |m: Msg| m.text(locale);
        let mut text = match &self.action {
            Action::Nothing => t(Msg::ActNothing).to_owned(),
            Action::Incident { plan } => format!("{}: {plan}", t(Msg::ActIncident)),
            Action::Engage { contact } => format!("{}: {contact}", t(Msg::ActEngage)),
            Action::Notify => t(Msg::ActNotify).to_owned(),
            Action::Suppress => t(Msg::ActSuppress).to_owned(),
            Action::ResolveIncident => t(Msg::ActResolve).to_owned(),
            Action::RecoveryNotify => t(Msg::ActRecoveryNotify).to_owned(),
        };
        if self.targets > 0 {
            text = format!("{text}; {} {}", t(Msg::ActTargets), self.targets);
        }
        if let Some(hours) = &self.hold {
            text = format!("{text}; {} {hours}", t(Msg::ActHeld));
        }
        text
    }
}

/// What the draft rules would do with one alert.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DryRunAlert {
    pub title: String,
    pub summary: String,
    pub status: AlertStatus,
    pub severity: String,
    pub fingerprint: String,
    /// The labels as conditions see them (`alert.labels.<name>`).
    pub labels: BTreeMap<String, String>,
    pub matched: Option<String>,
    pub action: ActionText,
    pub trace: Vec<TraceStep>,
}

/// A stored alert whose handling the draft would change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayChange {
    pub alert_id: String,
    pub title: String,
    pub received_at: i64,
    /// What happened: the rule and the outcome recorded (routing's words).
    pub before_rule: Option<String>,
    pub before_outcome: Option<String>,
    /// What the draft would do: the rule and its action.
    pub after_rule: Option<String>,
    pub after: ActionText,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replay {
    pub days: u32,
    pub alerts: usize,
    pub changes: Vec<ReplayChange>,
    /// Firing alerts that would start an incident: before (recorded) and with the draft.
    pub incidents_before: usize,
    pub incidents_after: usize,
    pub notices_before: usize,
    pub notices_after: usize,
}

/// A maintenance window: while in force, alerts its condition matches page and notify nobody.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaintenanceWindow {
    pub id: String,
    pub note: String,
    /// CEL like a rule's; empty matches every alert.
    pub condition: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub created_by: String,
    /// Alerts it has suppressed so far.
    pub suppressed: u64,
}

/// A new maintenance window as checked: the note, the condition (CEL, compiled by the server),
/// the range as instants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMaintenance {
    pub note: String,
    pub condition: String,
    pub starts_at: i64,
    pub ends_at: i64,
}

/// The longest window: maintenance is planned work, not a way to silence an alarm for good.
pub const MAX_MAINTENANCE_SECONDS: i64 = 30 * 86_400;

impl NewMaintenance {
    /// Every problem but the condition's CEL (the server compiles it), by field.
    pub fn check(&self, now: i64) -> Result<(), Vec<crate::error::FieldError>> {
        use crate::error::FieldError;
        use crate::i18n::Msg;
        let mut errors = Vec::new();
        let note = self.note.trim().chars().count();
        if note == 0 || note > 500 {
            errors.push(FieldError::new("note", Msg::ErrMaintenanceNote));
        }
        if self.condition.chars().count() > crate::domain::routing::MAX_CONDITION_CHARS {
            errors.push(FieldError::new("condition", Msg::ErrConditionLength));
        }
        let span = self.ends_at - self.starts_at;
        if span <= 0 || span > MAX_MAINTENANCE_SECONDS || self.ends_at <= now {
            errors.push(FieldError::new("ends", Msg::ErrMaintenanceRange));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaintenancePage {
    /// Newest first: in force and upcoming, then the last ended.
    pub windows: Vec<MaintenanceWindow>,
    pub now: i64,
}
