//! One rotation as the console shows it: its definition and versions, overrides, swaps between
//! responders and calendar feeds.

use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::domain::rotation::{Override, Rotation, Shift};
use crate::domain::rotation_form::RotationForm;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverrideEntry {
    pub id: String,
    pub value: Override,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationDetail {
    pub id: String,
    pub name: String,
    pub rotation: Rotation,
    /// Every change (definition or override) makes a version.
    pub version: u32,
    /// The latest version that changed the definition: edits start from it.
    pub definition_version: u32,
    /// Accepted swaps wait for a manager.
    pub swap_approval: bool,
    /// Overrides that have not ended.
    pub overrides: Vec<OverrideEntry>,
}

/// A person who can be on a rotation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub alias: String,
    pub name: String,
}

crate::named_enum! {
    pub enum SwapStatus {
        /// Waiting for the other person.
        Pending = "pending",
        /// Accepted; waiting for a manager.
        AwaitingApproval = "awaiting_approval",
        Declined = "declined",
        /// A manager said no.
        Rejected = "rejected",
        /// The override is in place.
        Applied = "applied",
    }
}
crate::serde_by_name!(SwapStatus);

/// A swap: `from` gives the shift `[start, end)` to `to`. Whoever did not ask answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwapView {
    pub id: String,
    pub rotation_id: String,
    pub start: i64,
    pub end: i64,
    pub from: String,
    pub to: String,
    /// The contact who asked: `from` offering the shift, or `to` asking for it.
    pub requested_by: String,
    pub status: SwapStatus,
    pub override_id: Option<String>,
    pub created_at: i64,
}

impl SwapView {
    /// The person who must accept or decline.
    pub fn answerer(&self) -> &str {
        if self.requested_by == self.from { &self.to } else { &self.from }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwapRequest {
    pub rotation_id: String,
    pub start: i64,
    pub end: i64,
    pub from: String,
    pub to: String,
}

crate::named_enum! {
    pub enum FeedKind {
        Rotation = "rotation",
        Person = "person",
    }
}
crate::serde_by_name!(FeedKind);

/// Everything the rotation pages show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationPageData {
    pub detail: RotationDetail,
    pub people: Vec<Person>,
    /// `[from, to)`: recorded shifts for the past, planned ones for the future.
    pub shifts: Vec<Shift>,
    /// Whole shifts from now to five weeks ahead, the override form's shortcut list.
    pub upcoming: Vec<Shift>,
    /// For each override (by id), whom it puts off call: who the rotation itself has on call
    /// in its time (empty: nobody was).
    pub replaced: Vec<(String, Vec<String>)>,
    pub from: i64,
    pub to: i64,
    /// The server's clock when this was made: "now" on the calendar and in the preview.
    pub now: i64,
    pub swaps: Vec<SwapView>,
    /// The viewer's own person, if linked.
    pub me: Option<String>,
    pub role: Role,
    /// People due on call within 7 days whom no page would reach (no activated channel, or the
    /// last delivery to every activated one failed), with when their shift starts.
    pub unreachable: Vec<(String, i64)>,
}

/// An override as the editor's preview needs it: epoch seconds, so the browser parses no dates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverrideSpan {
    pub start: i64,
    pub end: i64,
    pub members: Vec<String>,
}

/// What the editor starts from: the saved definition as the form holds it, and what its
/// preview needs. Kept to text and numbers: it travels to the editor island as JSON, and every
/// type in it is code in the WASM.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorData {
    pub id: String,
    pub form: RotationForm,
    /// The version the edit starts from.
    pub definition_version: u32,
    /// Overrides that have not ended, for the preview.
    pub overrides: Vec<OverrideSpan>,
    pub people: Vec<Person>,
    /// The server's clock: "now" in the preview.
    pub now: i64,
}
