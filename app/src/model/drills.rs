//! Drills as the console records them, and their schedules.

use serde::{Deserialize, Serialize};

use crate::domain::drill::{DrillReport, DrillRule};

/// One drill: the plan engaged, when, by whom (or by which schedule), and its engagement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillRecord {
    pub id: String,
    /// The escalation plan or person engaged.
    pub plan: String,
    pub engagement_id: String,
    pub started_at: i64,
    /// A username, or `schedule` for a scheduled drill.
    pub started_by: String,
    pub schedule_id: Option<String>,
}

/// A drill with its report, for its page and the history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillView {
    pub record: DrillRecord,
    pub plan_name: String,
    /// Display names by alias, for the people in the report.
    pub names: Vec<(String, String)>,
    /// The engagement is still paging (nobody acknowledged yet and stages remain).
    pub running: bool,
    pub report: DrillReport,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillScheduleView {
    pub id: String,
    pub plan: String,
    pub rule: DrillRule,
    /// Epoch seconds.
    pub next_at: i64,
    pub created_by: String,
}

/// The page of one drill.
pub fn drill_path(id: &str) -> String {
    format!("/escalation/drills/{id}")
}

/// The drill history and schedules.
pub const DRILLS_PATH: &str = "/escalation/drills";
