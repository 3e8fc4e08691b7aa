//! What routing reads of an alert and what it decides for it: shared by the router and what a
//! batch knows.

use app::domain::alert::Alert;
use app::domain::incident::NotificationTarget;

/// An alarm: (integration id, fingerprint).
pub type Alarm = (String, String);

/// An alert waiting to be routed, with what its rules may look at.
pub(super) struct Pending {
    pub(super) seq: i64,
    pub(super) id: String,
    pub(super) integration_id: String,
    pub(super) integration: (String, String),
    pub(super) alert: Alert,
    pub(super) payload: serde_json::Value,
    pub(super) received_at: i64,
}

impl Pending {
    pub(super) fn alarm(&self) -> Alarm {
        (self.integration_id.clone(), self.alert.fingerprint.clone())
    }
}

/// What routing did with one alert.
#[derive(Debug, Default)]
pub(super) struct Outcome {
    pub(super) rule: Option<String>,
    pub(super) text: String,
    pub(super) incident_id: Option<String>,
    /// A new link to write (episode) for the incident opened.
    pub(super) opened: Option<i64>,
    /// The open link this resolve closes (episode).
    pub(super) closed: Option<i64>,
    pub(super) notices: Vec<NotificationTarget>,
    /// Held by its rule until then (the alert stays unrouted).
    pub(super) held_until: Option<i64>,
    /// The alarm recovered while earlier firings were held: they are closed with it.
    pub(super) closes_held: bool,
    /// The maintenance window that suppressed it.
    pub(super) maintenance: Option<String>,
    /// The recovery resolved its incident.
    pub(super) resolved_incident: bool,
    /// Whether its notices go out on their own or in its integration's storm notice.
    pub(super) notice: Notice,
}

/// How an alert's notices go out.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) enum Notice {
    /// On their own, unless its integration floods.
    #[default]
    Own,
    /// On their own, always: it paged someone (engaged a contact or opened an incident of
    /// paging impact).
    Pages,
    /// In its integration's storm notice.
    Folded,
}

/// Outcome words routing records (the pages translate them).
pub(super) const HELD: &str = "held until its hours";
pub(super) const RECOVERED_WHILE_HELD: &str = "recovered while held: nothing was sent";
pub(super) const IN_MAINTENANCE: &str = "suppressed by a maintenance window";
pub(super) const NOTIFIED_IN_STORM: &str = "notified in the storm notice";
pub(super) const RECOVERY_IN_STORM: &str = "recovery notified in the storm notice";
