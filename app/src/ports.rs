//! Server-side services the `#[server]` functions call, implemented in the `server` crate and
//! provided through Leptos context. Compiled only with `ssr`.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::api::admin::{AuditEntry, AuditFilter, UserSummary};
use crate::api::oncall::{ContactView, DeliveryEntry, EngagementView, IncidentDetail, RotationView};
use crate::api::session::BackendMode;
use crate::auth::{CurrentUser, NewUser, Role};
use crate::domain::incident::{IncidentRecord, IncidentStatus, ResponsePlan};
use crate::error::AppError;

/// Accounts, sign-in and the audit log. Implementations validate input, write the audit entry in
/// the same transaction as the change, and never half-apply a change.
#[async_trait::async_trait]
pub trait Accounts: Send + Sync {
    /// Checks credentials, applying the per-account and per-client attempt limits.
    async fn sign_in(&self, username: &str, password: &str, client: &str) -> Result<SignedIn, AppError>;
    async fn setup_link_valid(&self, token: &str) -> Result<bool, AppError>;
    /// Consumes the one-time setup token and creates the first administrator.
    async fn setup_first_admin(&self, token: &str, user: NewUser) -> Result<SignedIn, AppError>;
    async fn list_users(&self) -> Result<Vec<UserSummary>, AppError>;
    async fn create_user(&self, actor: &CurrentUser, user: NewUser) -> Result<UserSummary, AppError>;
    async fn set_role(&self, actor: &CurrentUser, user_id: i64, role: Role) -> Result<UserSummary, AppError>;
    /// Disabling also ends every session of that user at once.
    async fn set_disabled(&self, actor: &CurrentUser, user_id: i64, disabled: bool) -> Result<UserSummary, AppError>;
    async fn reset_password(&self, actor: &CurrentUser, user_id: i64, password: &str) -> Result<(), AppError>;
    async fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, AppError>;
}

/// The on-call model: the local engine, or (later) SSM Contacts and SSM Incidents on AWS.
/// Every server function over the model goes through this, so both backends behave alike.
#[async_trait::async_trait]
pub trait Backend: Send + Sync {
    async fn contacts(&self) -> Result<Vec<ContactView>, AppError>;
    /// Each rotation with who is on call now and next.
    async fn rotations(&self) -> Result<Vec<RotationView>, AppError>;
    /// Notification target URLs come back redacted (they are secrets).
    async fn response_plans(&self) -> Result<Vec<ResponsePlan>, AppError>;
    async fn engagements(&self, limit: u32) -> Result<Vec<EngagementView>, AppError>;
    async fn incidents(&self, status: Option<IncidentStatus>, limit: u32) -> Result<Vec<IncidentRecord>, AppError>;
    async fn incident(&self, id: &str) -> Result<IncidentDetail, AppError>;
    async fn deliveries(&self, limit: u32) -> Result<Vec<DeliveryEntry>, AppError>;
}

/// A successful authentication, to be recorded in the session.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub user: CurrentUser,
    pub session_epoch: i64,
}

/// What the session stores about who is signed in. The server checks it on every request:
/// a changed `epoch` (user disabled or password reset) or an expired absolute lifetime ends it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SessionClaims {
    pub user_id: i64,
    pub epoch: i64,
    pub authenticated_at: i64,
}

impl SessionClaims {
    pub const KEY: &'static str = "auth";
}

#[derive(Clone)]
pub struct Services {
    pub accounts: Arc<dyn Accounts>,
    pub backend: Arc<dyn Backend>,
    pub mode: BackendMode,
}

pub fn services() -> Result<Services, AppError> {
    leptos::prelude::use_context::<Services>().ok_or(AppError::Internal)
}

pub fn now_epoch_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
