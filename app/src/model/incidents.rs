//! What the incident pages and their server functions exchange.

use serde::{Deserialize, Serialize};

use crate::model::alerts::AlertRow;
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
