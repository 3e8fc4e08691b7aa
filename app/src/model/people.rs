//! What a person's page shows: their channels with activation and health, their own engagement
//! plan, the timeline of a page to them, and what uses them.

use serde::{Deserialize, Serialize};

use crate::domain::contact::{Contact, ContactChannel};
use crate::domain::escalation::TimelineStep;
use crate::domain::personal_plan::ChannelStart;
use crate::error::UsedBy;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonView {
    pub contact: Contact,
    /// The contact's fingerprint: the version an edit starts from.
    pub base: String,
    pub channels: Vec<ChannelRow>,
    /// The engagement-plan editor's rows, one per channel in the order of `channels`.
    pub rows: Vec<ChannelStart>,
    /// The message language, where set (`ja`, `en`).
    pub language: Option<String>,
    /// What paging this person now does if they do not acknowledge.
    pub timeline: Vec<TimelineStep>,
    pub used_by: Vec<UsedBy>,
    /// The reader may edit.
    pub manager: bool,
}

impl PersonView {
    /// Some channel is activated and its last delivery did not fail.
    pub fn reachable(&self) -> bool {
        self.channels.iter().any(|c| matches!(c.health, ChannelHealth::Working { .. }))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelRow {
    pub channel: ContactChannel,
    pub health: ChannelHealth,
}

/// How a channel is doing, from its activation and its latest finished delivery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChannelHealth {
    /// A channel whose kind has no way out ([`crate::domain::contact::Gateways`]): its
    /// messages (the activation code too) wait in the outbox.
    NoGateway,
    /// Pages skip it until the code sent to it is entered.
    NotActivated,
    /// The latest delivery to it failed (epoch seconds, the transport's error).
    Failing { at: i64, error: String },
    /// Activated; the latest delivery (if any) was sent.
    Working { last_sent: Option<i64> },
}

/// A person's page.
pub fn person_path(alias: &str) -> String {
    format!("/escalation/people/{alias}")
}
