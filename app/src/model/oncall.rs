//! Views of the on-call model: contacts and channels, rotations with who is on call, engagements
//! with their pages and receipts, incidents with their timelines, and the outbox.

use serde::{Deserialize, Serialize};

use crate::domain::contact::{Contact, ContactChannel};
use crate::domain::delivery::{DeliveryKind, DeliveryStatus, ReceiptKind};
use crate::domain::incident::{IncidentRecord, TimelineEvent};
use crate::domain::rotation::Rotation;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactView {
    pub contact: Contact,
    /// Only people have channels.
    pub channels: Vec<ContactChannel>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationView {
    pub id: String,
    pub name: String,
    pub rotation: Rotation,
    /// Overrides that have not ended yet.
    pub upcoming_overrides: usize,
    pub current: Option<ShiftSummary>,
    pub next: Option<ShiftSummary>,
    /// Nobody on call for some of the next 7 days (coverage windows aside, a gap is a gap).
    pub gap_soon: bool,
    /// Seconds until the people on call change next, if within the horizon.
    pub next_handoff_in_secs: Option<i64>,
}

/// A shift with its times in the rotation's own zone (`2026-12-07 10:00 JST`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftSummary {
    pub members: Vec<String>,
    pub start: String,
    pub end: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageEntry {
    pub id: String,
    pub contact: String,
    pub stage: i64,
    pub sent_at: i64,
    pub read_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptEntry {
    pub contact: String,
    pub kind: ReceiptKind,
    pub info: Option<String>,
    pub at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngagementView {
    pub id: String,
    pub contact: String,
    pub sender: String,
    pub subject: String,
    /// What the sender wrote (an incident's summary, an alarm's details).
    pub content: String,
    pub incident_id: Option<String>,
    pub started_at: i64,
    pub stopped_at: Option<i64>,
    pub stop_reason: Option<String>,
    pub pages: Vec<PageEntry>,
    pub receipts: Vec<ReceiptEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentDetail {
    pub record: IncidentRecord,
    pub timeline: Vec<TimelineEvent>,
    pub engagements: Vec<EngagementView>,
}

impl IncidentDetail {
    /// Seconds from the incident's opening to its first acknowledgement, if anyone acknowledged
    /// (as analytics counts it: [`crate::domain::analytics::by_plan`]).
    pub fn acknowledged_after(&self) -> Option<i64> {
        let first = self.engagements.iter().flat_map(|e| &e.pages).filter_map(|p| p.read_at).min()?;
        Some(first - self.record.created_at)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryEntry {
    pub id: i64,
    /// The person paged; none for incident notices and activation codes.
    pub contact: Option<String>,
    pub incident_id: Option<String>,
    pub kind: DeliveryKind,
    /// Webhook URLs are shown by host only.
    pub address: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// What an escalation plan does if nobody acknowledges, engaged at `from`
/// (`crate::domain::escalation`, on the recorded rotations and each person's plan).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanTimeline {
    pub plan: String,
    pub from: i64,
    pub steps: Vec<TimelineStep>,
}

pub use crate::domain::escalation::{TimelineStep, TimelineWhat};
