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
    /// The members' display names, in order, filled where the page is made (see
    /// [`ShiftSummary::names`]).
    #[serde(default)]
    pub member_names: Vec<String>,
}

impl RotationView {
    /// Fills in display names for the members and the people on call now and next.
    pub fn name_people(&mut self, contacts: &[ContactView]) {
        let name = |alias: &String| {
            contacts
                .iter()
                .find(|c| c.contact.alias == *alias)
                .map_or_else(|| alias.clone(), |c| c.contact.display_name.clone())
        };
        self.member_names = self.rotation.members.iter().map(name).collect();
        for shift in self.current.iter_mut().chain(self.next.iter_mut()) {
            shift.names = shift.members.iter().map(name).collect();
        }
    }
}

impl ShiftSummary {
    /// Who is on call, as people read it (the aliases if no names were filled in).
    pub fn who(&self) -> String {
        let shown = if self.names.len() == self.members.len() { &self.names } else { &self.members };
        shown.join(", ")
    }
}

/// A shift with its times in the rotation's own zone (`2026-12-07 10:00 JST`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftSummary {
    pub members: Vec<String>,
    /// The members' display names, filled where the page is made (backends leave it empty).
    #[serde(default)]
    pub names: Vec<String>,
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

/// What still comes of an engagement, as it stands now: what the acknowledge page and "My
/// pages" tell a person who acknowledged, so they never read that the escalation stopped when it
/// did not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ahead {
    /// Stopped: nobody else is paged.
    Stopped,
    /// The plan's next stage pages these targets (aliases) at this time.
    NextStage { at: i64, targets: Vec<String> },
    /// No further stage, but these people were paged and have not acknowledged: their own
    /// plans still message them.
    StillPaging { people: Vec<String> },
    /// Nothing more is due.
    Nothing,
}

impl EngagementView {
    /// What still comes, given the engaged contact (`engaged`, if known) and the time.
    pub fn ahead(&self, engaged: Option<&Contact>, now: i64) -> Ahead {
        use crate::domain::contact::ContactType;
        if self.stopped_at.is_some() {
            return Ahead::Stopped;
        }
        let next = engaged
            .filter(|c| c.kind == ContactType::Escalation)
            .and_then(|plan| crate::domain::escalation::next_stage(&plan.plan, self.started_at, now));
        if let Some((_, at, targets)) = next {
            return Ahead::NextStage { at, targets };
        }
        let mut people: Vec<String> =
            self.pages.iter().filter(|p| p.read_at.is_none()).map(|p| p.contact.clone()).collect();
        people.dedup();
        if people.is_empty() { Ahead::Nothing } else { Ahead::StillPaging { people } }
    }

    /// Whether acknowledging page `page_id` stops the escalation, when it can be told: an
    /// engagement of a person or on-call schedule stops; in an escalation plan's stage, the
    /// target's switch says (a person targeted directly, or every target of the stage alike).
    pub fn ack_stops(&self, page_id: &str, engaged: Option<&Contact>) -> Option<bool> {
        use crate::domain::contact::{ContactType, Target};
        let page = self.pages.iter().find(|p| p.id == page_id)?;
        let plan = engaged?;
        if plan.kind != ContactType::Escalation {
            return Some(true);
        }
        let stage = plan.plan.stages.get(usize::try_from(page.stage).ok()?)?;
        let flags: Vec<(&str, bool)> = stage
            .targets
            .iter()
            .filter_map(|t| match t {
                Target::Contact { contact_id, essential } => Some((contact_id.as_str(), *essential)),
                Target::Channel { .. } => None,
            })
            .collect();
        if let Some((_, essential)) = flags.iter().find(|(alias, _)| *alias == page.contact) {
            return Some(*essential);
        }
        let first = flags.first()?.1;
        flags.iter().all(|(_, e)| *e == first).then_some(first)
    }
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
