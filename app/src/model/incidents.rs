//! What the incident pages and their server functions exchange.

use serde::{Deserialize, Serialize};

use crate::domain::alert::AlertStatus;
use crate::domain::review::{SavedReview, TimelineLine};
use crate::i18n::Msg;
use crate::model::alerts::{AlertRow, alert_path};
use crate::model::oncall::IncidentDetail;

/// One incident as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentView {
    pub detail: IncidentDetail,
    /// The alerts that opened it or fired again into it, oldest first.
    pub alerts: Vec<AlertRow>,
    /// Whom it can page: people, on-call schedules, escalation plans.
    pub contacts: Vec<String>,
}

/// An incident event's kind, its label, as the timeline groups and names it.
fn event_kind(event_type: &str) -> (&'static str, Msg) {
    match event_type {
        "incident_created" => ("status", Msg::EventIncidentCreated),
        "engagement_started" => ("page", Msg::EventEngagementStarted),
        "page_sent" => ("page", Msg::EventPageSent),
        "page_accepted" => ("page", Msg::EventPageAccepted),
        "status_changed" => ("status", Msg::EventStatusChanged),
        "incident_updated" => ("status", Msg::EventIncidentUpdated),
        "trigger_merged" => ("status", Msg::EventTriggerMerged),
        _ => ("note", Msg::EventCustom),
    }
}

/// The event's own words: a note's text, or who was paged or acknowledged.
fn event_detail(data: &str) -> String {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(data) else { return data.to_owned() };
    ["text", "contact", "title", "to", "source"]
        .iter()
        .find_map(|k| value.get(*k).and_then(|v| v.as_str()).map(str::to_owned))
        .unwrap_or_default()
}

impl IncidentView {
    /// The incident's events and the alerts routed into it, in time order: what the page shows
    /// and the Markdown export writes.
    pub fn timeline(&self) -> Vec<TimelineLine> {
        let alerts = self.alerts.iter().map(|a| TimelineLine {
            at: a.received_at,
            kind: "alert".into(),
            label: match a.status {
                AlertStatus::Firing => Msg::AlertFiring,
                AlertStatus::Resolved => Msg::AlertResolved,
            },
            detail: match &a.rule {
                Some(rule) => format!("{} — {} · {rule}", a.title, a.integration),
                None => format!("{} — {}", a.title, a.integration),
            },
            by: None,
            link: Some(alert_path(&a.id)),
        });
        let events = self.detail.timeline.iter().map(|e| {
            let (kind, label) = event_kind(&e.event_type);
            TimelineLine {
                at: e.event_time,
                kind: kind.into(),
                label,
                detail: event_detail(&e.data),
                by: e.created_by.clone(),
                link: None,
            }
        });
        let mut lines: Vec<TimelineLine> = alerts.chain(events).collect();
        lines.sort_by_key(|l| l.at);
        lines
    }
}

/// The review page: the incident (for its timeline) and the review saved so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewPage {
    pub view: IncidentView,
    pub saved: Option<SavedReview>,
}
