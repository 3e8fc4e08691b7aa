//! The on-call model's read views, each through the backend in context (local engine or AWS).

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::auth::Role;
#[cfg(feature = "ssr")]
use crate::domain::incident::IncidentStatus;
use crate::domain::incident::{IncidentRecord, ResponsePlan};
use crate::error::AppError;
use crate::model::oncall::{ContactView, DeliveryEntry, EngagementView, IncidentDetail, RotationView};

pub const ENGAGEMENTS_PAGE: u32 = 100;
pub const INCIDENTS_PAGE: u32 = 100;
pub const DELIVERIES_PAGE: u32 = 200;

#[server(endpoint = "oncall_contacts")]
pub async fn list_contacts() -> Result<Vec<ContactView>, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move { s.backend.contacts().await }).await
}

#[server(endpoint = "oncall_rotations")]
pub async fn list_rotations() -> Result<Vec<RotationView>, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move { s.backend.rotations().await }).await
}

#[server(endpoint = "oncall_response_plans")]
pub async fn list_response_plans() -> Result<Vec<ResponsePlan>, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move { s.backend.response_plans().await }).await
}

#[server(endpoint = "oncall_engagements")]
pub async fn list_engagements() -> Result<Vec<EngagementView>, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move { s.backend.engagements(ENGAGEMENTS_PAGE).await }).await
}

/// `status`: `open`, `resolved`, or empty for all.
#[server(endpoint = "oncall_incidents")]
pub async fn list_incidents(status: Option<String>) -> Result<Vec<IncidentRecord>, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move {
        let status = match status.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(name) => Some(IncidentStatus::parse(name).ok_or_else(|| {
                AppError::Invalid(vec![crate::error::FieldError::new("status", crate::i18n::Msg::ErrStatus)])
            })?),
        };
        s.backend.incidents(status, INCIDENTS_PAGE).await
    })
    .await
}

#[server(endpoint = "oncall_incident")]
pub async fn get_incident(id: String) -> Result<IncidentDetail, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move { s.backend.incident(&id).await }).await
}

/// Managers only: the outbox shows message bodies, acknowledgement codes included.
#[server(endpoint = "oncall_deliveries")]
pub async fn list_deliveries() -> Result<Vec<DeliveryEntry>, AppError> {
    crate::api::ssr::serve(Role::Manager, |_, s| async move { s.backend.deliveries(DELIVERIES_PAGE).await }).await
}

/// Forgets cached reads (AWS mode caches them briefly) so the next page load asks the backend.
#[server(endpoint = "oncall_refresh")]
pub async fn refresh() -> Result<(), AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move {
        s.backend.refresh().await;
        Ok(())
    })
    .await
}
