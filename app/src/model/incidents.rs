//! What the incident pages and their server functions exchange.

use serde::{Deserialize, Serialize};

use crate::domain::alert::AlertStatus;
use crate::domain::delivery::{DeliveryStatus, ReceiptKind};
use crate::domain::review::{SavedReview, TimelineLine};
use crate::i18n::Msg;
use crate::model::alerts::{AlertRow, alert_path};
use crate::model::oncall::{DeliveryEntry, IncidentDetail};

/// One incident as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentView {
    pub detail: IncidentDetail,
    /// The alerts that opened it or fired again into it, oldest first.
    pub alerts: Vec<AlertRow>,
    /// Whom it can page: people, on-call schedules, escalation plans.
    pub contacts: Vec<String>,
    /// Every message sent for it (pages' and notices'), newest first.
    pub deliveries: Vec<DeliveryEntry>,
    /// Who was on call in each rotation its engagements reached, when they reached it.
    pub rosters: Vec<RosterAt>,
    pub links: Vec<crate::domain::incident::RelatedLink>,
    /// Who the aliases in it are.
    pub names: crate::domain::people::Names,
}

/// The people on call in a rotation at a moment, as the roster recorded them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterAt {
    pub at: i64,
    pub rotation: String,
    pub members: Vec<String>,
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

/// A text member of the event's JSON.
fn json_text(data: &str, key: &str) -> Option<String> {
    let value = serde_json::from_str::<serde_json::Value>(data).ok()?;
    value.get(key).and_then(|v| v.as_str()).map(str::to_owned)
}

/// The event's own words: a note's text, or who was paged or acknowledged.
fn event_detail(data: &str) -> String {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(data) else { return data.to_owned() };
    ["text", "contact", "title", "to", "source"]
        .iter()
        .find_map(|k| value.get(*k).and_then(|v| v.as_str()).map(str::to_owned))
        .unwrap_or_default()
}

/// How a page was acknowledged, from the note the engine keeps with it.
fn acknowledged_how(data: &str) -> Msg {
    let note = serde_json::from_str::<serde_json::Value>(data)
        .ok()
        .and_then(|v| v.get("note").and_then(|n| n.as_str()).map(str::to_owned));
    match note.as_deref() {
        Some("via link") => Msg::AckedViaLink,
        Some("by SMS reply") => Msg::AckedBySms,
        Some("by key press") => Msg::AckedByKey,
        Some(n) if n.starts_with("in the console") => Msg::AckedInConsole,
        // AcceptPage through the SSM API, with or without a note of the caller's.
        _ => Msg::AckedByApi,
    }
}

fn delivery_label(status: DeliveryStatus) -> Msg {
    match status {
        DeliveryStatus::Pending | DeliveryStatus::Sending => Msg::TimelineDeliveryPending,
        DeliveryStatus::Sent => Msg::TimelineDeliverySent,
        DeliveryStatus::Outbox => Msg::TimelineDeliveryKept,
        DeliveryStatus::Failed => Msg::TimelineDeliveryFailed,
    }
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
            edited_by: None,
            link: Some(alert_path(&a.id)),
            note: None,
        });
        let events = self.detail.timeline.iter().map(|e| {
            let (kind, label) = event_kind(&e.event_type);
            let label = if e.event_type == "page_accepted" { acknowledged_how(&e.data) } else { label };
            TimelineLine {
                at: e.event_time,
                kind: kind.into(),
                label,
                detail: event_detail(&e.data),
                by: e.created_by.clone(),
                edited_by: (e.event_type == "custom").then(|| json_text(&e.data, "edited_by")).flatten(),
                link: None,
                note: (e.event_type == "custom").then(|| e.id.clone()),
            }
        });
        let deliveries = self.deliveries.iter().map(|d| {
            let mut detail = format!(
                "{} · {} {} · ×{}",
                d.contact.as_deref().unwrap_or("—"),
                d.kind.as_str(),
                d.address,
                d.attempts
            );
            if let Some(error) = &d.last_error {
                detail = format!("{detail} · {error}");
            }
            let label = delivery_label(d.status);
            TimelineLine {
                at: d.created_at,
                kind: "page".into(),
                label,
                detail,
                by: None,
                edited_by: None,
                link: None,
                note: None,
            }
        });
        // Failures and opt-outs: what went wrong on the way to someone (sent and read are the
        // page lines above).
        let receipts = self.detail.engagements.iter().flat_map(|e| &e.receipts).filter_map(|r| {
            let label = match r.kind {
                ReceiptKind::Error => Msg::TimelineReceiptError,
                ReceiptKind::Stop => Msg::TimelineReceiptStop,
                ReceiptKind::Sent | ReceiptKind::Delivered | ReceiptKind::Read => return None,
            };
            let detail = match &r.info {
                Some(info) => format!("{} — {info}", r.contact),
                None => r.contact.clone(),
            };
            Some(TimelineLine {
                at: r.at,
                kind: "page".into(),
                label,
                detail,
                by: None,
                edited_by: None,
                link: None,
                note: None,
            })
        });
        let rosters = self.rosters.iter().map(|r| TimelineLine {
            at: r.at,
            kind: "page".into(),
            label: Msg::TimelineOnCall,
            detail: format!(
                "{}: {}",
                r.rotation,
                if r.members.is_empty() { "—".to_owned() } else { r.members.join(", ") }
            ),
            by: None,
            edited_by: None,
            link: None,
            note: None,
        });
        let mut lines: Vec<TimelineLine> =
            alerts.chain(events).chain(rosters).chain(deliveries).chain(receipts).collect();
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

/// The incident list's filters, as its form (a GET form) sends them; empty means any.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IncidentQuery {
    pub status: String,
    pub impact: String,
    pub plan: String,
    /// Words in the title or summary (case-insensitive).
    pub text: String,
    /// Opened on or after / before the end of these days (`YYYY-MM-DD`, in the viewer's zone).
    pub from: String,
    pub to: String,
    /// 0-based.
    pub page: u32,
}

/// The incidents a list page shows: one page of the matches, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentList {
    pub rows: Vec<crate::domain::incident::IncidentRecord>,
    pub page: u32,
    /// More matches after this page.
    pub more: bool,
}

/// Incidents per list page.
pub const LIST_PAGE: usize = 50;
/// How many of the newest incidents a search looks through.
pub const SEARCHED: u32 = 2_000;

/// The instants a query's days bound (inclusive start, exclusive end), read in `zone`.
pub fn period(query: &IncidentQuery, zone: &str) -> Result<(Option<i64>, Option<i64>), Vec<crate::error::FieldError>> {
    use crate::error::FieldError;
    use crate::i18n::Msg;
    let day = |field: &str, text: &str, next: bool| -> Result<Option<i64>, FieldError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| FieldError::new(field, Msg::ErrActionDue))?;
        let date = if next { date.succ_opt().unwrap_or(date) } else { date };
        let local = format!("{}T00:00", date.format("%Y-%m-%d"));
        crate::domain::timezone::parse_local_minute(&local, zone)
            .map(|t| Some(t.timestamp()))
            .ok_or_else(|| FieldError::new(field, Msg::ErrActionDue))
    };
    match (day("from", &query.from, false), day("to", &query.to, true)) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (a, b) => Err([a.err(), b.err()].into_iter().flatten().collect()),
    }
}

impl IncidentQuery {
    /// Whether `i` passes the filters other than status (the backend filters that), opened in
    /// `[from, to)`.
    pub fn matches(&self, i: &crate::domain::incident::IncidentRecord, from: Option<i64>, to: Option<i64>) -> bool {
        let text = self.text.trim().to_lowercase();
        (self.impact.trim().is_empty() || self.impact.trim() == i.impact.to_string())
            && (self.plan.trim().is_empty() || self.plan.trim() == i.response_plan)
            && (text.is_empty() || i.title.to_lowercase().contains(&text) || i.summary.to_lowercase().contains(&text))
            && from.is_none_or(|f| i.created_at >= f)
            && to.is_none_or(|t| i.created_at < t)
    }
}

pub const ANALYTICS_PATH: &str = "/incidents/analytics";

/// How the team is doing over a period (see [`crate::domain::analytics`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticsPage {
    /// The period's first and last days (`YYYY-MM-DD`, the viewer's zone).
    pub from: String,
    pub to: String,
    /// `jp` (Japan's public holidays) or `none`.
    pub holidays: String,
    pub incidents: usize,
    pub plans: Vec<crate::domain::analytics::PlanRow>,
    pub people: Vec<crate::domain::analytics::PersonRow>,
    pub on_call: Vec<crate::domain::analytics::OnCallRow>,
    pub rotations: Vec<crate::domain::analytics::RotationRow>,
    /// The drills started in the period, oldest first.
    pub drills: Vec<DrillResult>,
    /// People's display names by alias: the tables name people as people read them (the CSV
    /// files keep the alias, which stays the same when a name changes).
    pub names: Vec<(String, String)>,
}

/// How one drill went, for the analytics page's drill history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillResult {
    pub id: String,
    pub plan_name: String,
    pub started_at: i64,
    /// People paged.
    pub paged: usize,
    /// Seconds from the drill's start to the first acknowledgement; none if nobody acknowledged.
    pub first_ack_after: Option<i64>,
    pub failures: usize,
    /// The engagement is still paging.
    pub running: bool,
}

impl DrillResult {
    pub fn of(view: &crate::model::drills::DrillView) -> DrillResult {
        DrillResult {
            id: view.record.id.clone(),
            plan_name: view.plan_name.clone(),
            started_at: view.record.started_at,
            paged: view.report.people.len(),
            first_ack_after: view.report.first_acknowledgement.as_ref().map(|(_, after)| *after),
            failures: view.report.failures.len(),
            running: view.running,
        }
    }
}

/// How many of the newest drills analytics looks through (a weekly drill for ten years).
pub const DRILLS_SEARCHED: u32 = 520;

/// The longest period analytics looks at.
pub const MAX_ANALYTICS_DAYS: i64 = 366;
