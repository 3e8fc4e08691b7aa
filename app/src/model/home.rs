//! The home page: what a person opening the console wants to know first.

use serde::{Deserialize, Serialize};

use crate::domain::incident::IncidentRecord;
use crate::model::me::MyPage;
use crate::model::oncall::RotationView;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeOverview {
    /// Whether the signed-in user is linked to a person on the rotas.
    pub linked: bool,
    /// The rotations the person is in (or every rotation, when they are in none), with who is
    /// on call now and next.
    pub rotations: Vec<RotationView>,
    /// Whether `rotations` are the person's own.
    pub mine: bool,
    /// The person's pages waiting for an acknowledgement.
    pub open_pages: Vec<MyPage>,
    /// Open incidents, newest first.
    pub incidents: Vec<IncidentRecord>,
    /// People on a rotation whom nothing can reach (no activated channel): (alias, name).
    pub unreachable: Vec<(String, String)>,
}
