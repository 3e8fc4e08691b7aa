//! "My pages": what a signed-in person sees of the pages sent to them and their next shifts.

use serde::{Deserialize, Serialize};

/// A page sent to the person, with what it was about and where it stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyPage {
    pub page_id: String,
    pub engagement_id: String,
    pub subject: String,
    pub incident_id: Option<String>,
    pub sent_at: i64,
    pub read_at: Option<i64>,
    /// Unacknowledged and its engagement still running: it can be acknowledged.
    pub open: bool,
    /// Its engagement still runs (others may still be paged, even after this one was
    /// acknowledged).
    #[serde(default)]
    pub engagement_running: bool,
    /// For a page the person acknowledged: what still comes of its engagement (names as people
    /// read them), so "My pages" says whether others are still paged.
    #[serde(default)]
    pub ahead: Option<crate::model::oncall::Ahead>,
}

/// One of the person's coming shifts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyShift {
    pub rotation_id: String,
    pub rotation: String,
    pub start: i64,
    pub end: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyOverview {
    /// The person the signed-in user is on the rotas; none until an admin links one.
    pub contact: Option<String>,
    /// Their message language ("ja", "en"), if they chose one.
    pub language: Option<String>,
    pub open: Vec<MyPage>,
    pub recent: Vec<MyPage>,
    pub shifts: Vec<MyShift>,
}
