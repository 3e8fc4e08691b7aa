//! What the escalation-plan editor works with.

use serde::{Deserialize, Serialize};

use crate::domain::contact::{Contact, ContactType};
use crate::domain::escalation::Directory;
use crate::domain::plan_form::PlanForm;

/// The editor's page: the form, the plan it started from and what simulations read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanEditorData {
    /// Filled from the saved plan (a new plan: empty).
    pub form: PlanForm,
    /// The saved plan's fingerprint, the version the edit starts from; empty for a new plan.
    pub base: String,
    pub saved: Option<Contact>,
    /// People and on-call schedules a stage can page.
    pub targets: Vec<TargetChoice>,
    pub directory: Directory,
    /// Epoch seconds: the default start of the simulated incident.
    pub now: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetChoice {
    pub alias: String,
    pub name: String,
    pub kind: ContactType,
}

/// Where the editor of a new plan lives (an alias is chosen there).
pub const NEW_PLAN_PATH: &str = "/escalation/new-plan";

/// The editor's address for plan `alias`.
pub fn plan_path(alias: &str) -> String {
    format!("/escalation/plans/{alias}")
}
