//! What the escalation-plan editor works with.

use serde::{Deserialize, Serialize};

use chrono::DateTime;

use crate::domain::contact::{Contact, ContactChannel, ContactType, Gateways};
use crate::domain::escalation::Directory;
use crate::domain::plan_form::PlanForm;
use crate::domain::rotation::Override;
use crate::domain::rotation_form::RotationForm;
use crate::model::rotations::OverrideSpan;

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
    pub sim: SimData,
    /// Epoch seconds: the default start of the simulated incident.
    pub now: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetChoice {
    pub alias: String,
    pub name: String,
    pub kind: ContactType,
}

/// What the simulated timeline reads, as the island receives it: rotations as their form's text
/// and overrides as epoch seconds, so the browser parses no dates with chrono's parser (which
/// would otherwise be code in the WASM).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimData {
    pub contacts: Vec<Contact>,
    /// Each person's channels, by alias.
    pub channels: Vec<(String, Vec<ContactChannel>)>,
    /// Each rotation by id, with its overrides.
    pub rotations: Vec<(String, RotationForm, Vec<OverrideSpan>)>,
    pub gateways: Gateways,
}

impl SimData {
    pub fn of(d: &Directory) -> SimData {
        SimData {
            contacts: d.contacts.values().cloned().collect(),
            channels: d.channels.iter().map(|(a, c)| (a.clone(), c.clone())).collect(),
            rotations: d
                .rotations
                .iter()
                .map(|(id, (rotation, overrides))| {
                    let spans = overrides
                        .iter()
                        .map(|o| OverrideSpan {
                            start: o.start.timestamp(),
                            end: o.end.timestamp(),
                            members: o.members.clone(),
                        })
                        .collect();
                    (id.clone(), RotationForm::of(id, rotation), spans)
                })
                .collect(),
            gateways: d.gateways,
        }
    }

    /// The directory again (a rotation whose form no longer reads is left out).
    pub fn directory(&self) -> Directory {
        let at = |t: i64| DateTime::from_timestamp(t, 0).unwrap_or_default();
        Directory {
            contacts: self.contacts.iter().map(|c| (c.alias.clone(), c.clone())).collect(),
            channels: self.channels.iter().cloned().collect(),
            rotations: self
                .rotations
                .iter()
                .filter_map(|(id, form, spans)| {
                    let overrides = spans
                        .iter()
                        .map(|o| Override { start: at(o.start), end: at(o.end), members: o.members.clone() })
                        .collect();
                    Some((id.clone(), (form.parse().ok()?, overrides)))
                })
                .collect(),
            gateways: self.gateways,
        }
    }
}

/// Where the editor of a new plan lives (an alias is chosen there).
pub const NEW_PLAN_PATH: &str = "/escalation/new-plan";

/// The editor's address for plan `alias`.
pub fn plan_path(alias: &str) -> String {
    format!("/escalation/plans/{alias}")
}
