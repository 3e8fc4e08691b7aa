//! What the on-call schedule editor works with.

use serde::{Deserialize, Serialize};

use crate::error::UsedBy;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleEditorData {
    /// Empty for a new schedule.
    pub alias: String,
    pub display_name: String,
    /// The saved schedule's fingerprint; empty for a new one.
    pub base: String,
    /// Every rotation, those in the schedule picked.
    pub rotations: Vec<RotationPick>,
    pub used_by: Vec<UsedBy>,
}

/// One rotation's checkbox: the form posts `picks[i][id]` always and `picks[i][on]` when ticked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationPick {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub on: Option<String>,
}

/// Where a new schedule is made.
pub const NEW_SCHEDULE_PATH: &str = "/escalation/new-schedule";

pub fn schedule_path(alias: &str) -> String {
    format!("/escalation/schedules/{alias}")
}
