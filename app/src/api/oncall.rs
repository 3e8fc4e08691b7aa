//! The on-call model as the console shows it: contacts and channels, rotations, response plans,
//! engagements with their pages and receipts, incidents with their timelines, and the outbox.
//! Read-only for now; every function goes through the backend in context (local engine or AWS).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::contact::{Contact, ContactChannel};
use crate::domain::incident::{IncidentRecord, ResponsePlan, TimelineEvent};
use crate::domain::rotation::Rotation;
use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactView {
    pub contact: Contact,
    /// Only people have channels.
    pub channels: Vec<ContactChannel>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationView {
    pub id: String,
    pub name: String,
    pub rotation: Rotation,
    /// Overrides that have not ended yet.
    pub upcoming_overrides: usize,
    pub current: Option<ShiftSummary>,
    pub next: Option<ShiftSummary>,
    /// Nobody on call for some of the next 7 days (coverage windows aside, a gap is a gap).
    pub gap_soon: bool,
    /// Seconds until the people on call change next, if within the horizon.
    pub next_handoff_in_secs: Option<i64>,
}

/// A shift worked out on the server, with its times in the rotation's own zone
/// (`2026-12-07 10:00 JST`): the browser needs neither the rotation math nor the zone database
/// to show it, which keeps them out of the WASM bundle until the editor's live preview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftSummary {
    pub members: Vec<String>,
    pub start: String,
    pub end: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageEntry {
    pub id: String,
    pub contact: String,
    pub stage: i64,
    pub sent_at: i64,
    pub read_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptEntry {
    pub contact: String,
    /// `sent`, `delivered`, `read`, `error` or `stop`.
    pub kind: String,
    pub info: Option<String>,
    pub at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngagementView {
    pub id: String,
    pub contact: String,
    pub sender: String,
    pub subject: String,
    pub incident_id: Option<String>,
    pub started_at: i64,
    pub stopped_at: Option<i64>,
    pub stop_reason: Option<String>,
    pub pages: Vec<PageEntry>,
    pub receipts: Vec<ReceiptEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentDetail {
    pub record: IncidentRecord,
    pub timeline: Vec<TimelineEvent>,
    pub engagements: Vec<EngagementView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryEntry {
    pub id: i64,
    /// The person paged; none for incident notices and activation codes.
    pub contact: Option<String>,
    pub incident_id: Option<String>,
    /// `email`, `sms`, `voice`, `slack` or `webhook`.
    pub kind: String,
    /// Webhook URLs are shown by host only.
    pub address: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
    /// `pending`, `sent`, `outbox` (no transport configured) or `failed`.
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

pub const ENGAGEMENTS_PAGE: u32 = 100;
pub const INCIDENTS_PAGE: u32 = 100;
pub const DELIVERIES_PAGE: u32 = 200;

#[server(endpoint = "oncall_contacts")]
pub async fn list_contacts() -> Result<Vec<ContactView>, AppError> {
    crate::auth::ssr::require_role(crate::auth::Role::Viewer)?;
    crate::ports::services()?.backend.contacts().await
}

#[server(endpoint = "oncall_rotations")]
pub async fn list_rotations() -> Result<Vec<RotationView>, AppError> {
    crate::auth::ssr::require_role(crate::auth::Role::Viewer)?;
    crate::ports::services()?.backend.rotations().await
}

#[server(endpoint = "oncall_response_plans")]
pub async fn list_response_plans() -> Result<Vec<ResponsePlan>, AppError> {
    crate::auth::ssr::require_role(crate::auth::Role::Viewer)?;
    crate::ports::services()?.backend.response_plans().await
}

#[server(endpoint = "oncall_engagements")]
pub async fn list_engagements() -> Result<Vec<EngagementView>, AppError> {
    crate::auth::ssr::require_role(crate::auth::Role::Viewer)?;
    crate::ports::services()?.backend.engagements(ENGAGEMENTS_PAGE).await
}

/// `status`: `open`, `resolved`, or empty for all.
#[server(endpoint = "oncall_incidents")]
pub async fn list_incidents(status: Option<String>) -> Result<Vec<IncidentRecord>, AppError> {
    crate::auth::ssr::require_role(crate::auth::Role::Viewer)?;
    let status = status.as_deref().and_then(crate::domain::incident::IncidentStatus::parse);
    crate::ports::services()?.backend.incidents(status, INCIDENTS_PAGE).await
}

#[server(endpoint = "oncall_incident")]
pub async fn get_incident(id: String) -> Result<IncidentDetail, AppError> {
    crate::auth::ssr::require_role(crate::auth::Role::Viewer)?;
    crate::error::ssr::with_status(crate::ports::services()?.backend.incident(&id).await)
}

/// Managers only: the outbox shows message bodies, acknowledgement codes included.
#[server(endpoint = "oncall_deliveries")]
pub async fn list_deliveries() -> Result<Vec<DeliveryEntry>, AppError> {
    crate::auth::ssr::require_role(crate::auth::Role::Manager)?;
    crate::ports::services()?.backend.deliveries(DELIVERIES_PAGE).await
}

/// Forgets cached reads (AWS mode caches them briefly) so the next page load asks the backend.
#[server(endpoint = "oncall_refresh")]
pub async fn refresh() -> Result<(), AppError> {
    crate::auth::ssr::require_role(crate::auth::Role::Viewer)?;
    crate::ports::services()?.backend.refresh().await;
    Ok(())
}
