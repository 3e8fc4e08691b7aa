//! What the response-plan editor works with.

use serde::{Deserialize, Serialize};

use crate::domain::response_plan_form::{Pick, ResponsePlanForm};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponsePlanEditorData {
    pub form: ResponsePlanForm,
    /// The saved plan's fingerprint; empty for a new plan.
    pub base: String,
    /// Every contact a plan can engage (alias, display name), those engaged ticked.
    pub picks: Vec<(Pick, String)>,
    /// AWS mode: notices go through the plan's chat channel in AWS, not these targets.
    pub aws: bool,
}

/// Where a new response plan is made.
pub const NEW_RESPONSE_PLAN_PATH: &str = "/routing/new-plan";

pub fn response_plan_path(name: &str) -> String {
    format!("/routing/plans/{name}")
}
