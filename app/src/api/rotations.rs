//! Rotations: one rotation with its calendar, editing with a version check, overrides, roster
//! history and restore, shift swaps and calendar feeds. Works over either backend; the history,
//! swaps and feeds are kept by the console itself.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::domain::roster::RosterVersion;
use crate::domain::rotation::{Override, Rotation, Shift};
use crate::error::AppError;

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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SwapStatus {
    /// Waiting for the other person.
    Pending,
    /// Accepted; waiting for a manager.
    AwaitingApproval,
    Declined,
    /// A manager said no.
    Rejected,
    /// The override is in place.
    Applied,
}

impl SwapStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SwapStatus::Pending => "pending",
            SwapStatus::AwaitingApproval => "awaiting_approval",
            SwapStatus::Declined => "declined",
            SwapStatus::Rejected => "rejected",
            SwapStatus::Applied => "applied",
        }
    }

    pub fn parse(s: &str) -> Option<SwapStatus> {
        [Self::Pending, Self::AwaitingApproval, Self::Declined, Self::Rejected, Self::Applied]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeedKind {
    Rotation,
    Person,
}

impl FeedKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedKind::Rotation => "rotation",
            FeedKind::Person => "person",
        }
    }
}

/// Everything the rotation page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationPageData {
    pub detail: RotationDetail,
    pub people: Vec<Person>,
    /// `[from, to)`: recorded shifts for the past, planned ones for the future.
    pub shifts: Vec<Shift>,
    pub from: i64,
    pub to: i64,
    /// The server's clock when this was made: "now" on the calendar and in the preview.
    pub now: i64,
    pub swaps: Vec<SwapView>,
    /// The viewer's own person, if linked.
    pub me: Option<String>,
    pub role: Role,
}

/// Longest calendar window one call returns.
pub const MAX_WINDOW_DAYS: u32 = 92;

/// The rotation with its shifts for `days` days from `offset_days` days after yesterday (the
/// window starts a day early so that every zone's first day is complete).
#[server(endpoint = "rotation_page")]
pub async fn rotation_page(id: String, offset_days: i64, days: u32) -> Result<RotationPageData, AppError> {
    use crate::ports::services;
    let user = crate::auth::ssr::require_role(Role::Viewer)?;
    let s = services()?;
    let detail = crate::error::ssr::with_status(s.backend.rotation(&id).await)?;
    let now = crate::ports::now_epoch_secs();
    let from = now - 86_400 + offset_days.clamp(-3660, 3660) * 86_400;
    let to = from + i64::from(days.clamp(1, MAX_WINDOW_DAYS)) * 86_400;
    let people = s
        .backend
        .contacts()
        .await?
        .into_iter()
        .filter(|c| c.contact.kind == crate::domain::contact::ContactType::Personal)
        .map(|c| Person { alias: c.contact.alias, name: c.contact.display_name })
        .collect();
    Ok(RotationPageData {
        shifts: s.backend.rotation_shifts(&id, from, to).await?,
        swaps: s.swaps.list(&id).await?,
        detail,
        people,
        from,
        to,
        now,
        me: user.contact,
        role: user.role,
    })
}

/// Saves an edit that started from definition version `base`.
#[server(endpoint = "rotation_save", input = Json)]
pub async fn save_rotation(id: String, base: u32, name: String, rotation: Rotation) -> Result<u32, AppError> {
    let user = crate::auth::ssr::require_role(Role::Manager)?;
    crate::error::ssr::with_status(
        crate::ports::services()?.backend.update_rotation(&user, &id, base, &name, rotation).await,
    )
}

#[server(endpoint = "rotation_history")]
pub async fn rotation_history(id: String) -> Result<Vec<RosterVersion>, AppError> {
    crate::auth::ssr::require_role(Role::Viewer)?;
    let roster = crate::error::ssr::with_status(crate::ports::services()?.backend.roster(&id).await)?;
    Ok(roster.versions)
}

#[server(endpoint = "rotation_restore")]
pub async fn restore_rotation(id: String, version: u32, base: u32) -> Result<u32, AppError> {
    let user = crate::auth::ssr::require_role(Role::Manager)?;
    crate::error::ssr::with_status(crate::ports::services()?.backend.restore_rotation(&user, &id, version, base).await)
}

/// Creates an override. People who are not members yet are added to the end of the member list
/// first (a definition change made from `base`) when `add_members` says so.
#[server(endpoint = "rotation_add_override", input = Json)]
pub async fn add_override(
    rotation_id: String,
    value: Override,
    add_members: bool,
    base: u32,
) -> Result<String, AppError> {
    let user = crate::auth::ssr::require_role(Role::Manager)?;
    let backend = crate::ports::services()?.backend;
    let detail = backend.rotation(&rotation_id).await?;
    let missing: Vec<String> = value.members.iter().filter(|m| !detail.rotation.members.contains(m)).cloned().collect();
    if !missing.is_empty() {
        if !add_members {
            let e =
                AppError::Invalid(vec![crate::error::FieldError::new("members", crate::i18n::Msg::ErrOverrideMember)]);
            return crate::error::ssr::with_status(Err(e));
        }
        let mut rotation = detail.rotation.clone();
        rotation.members.extend(missing);
        crate::error::ssr::with_status(
            backend.update_rotation(&user, &rotation_id, base, &detail.name, rotation).await,
        )?;
    }
    crate::error::ssr::with_status(backend.add_override(&user, &rotation_id, value).await)
}

#[server(endpoint = "rotation_delete_override")]
pub async fn delete_override(rotation_id: String, override_id: String) -> Result<(), AppError> {
    let user = crate::auth::ssr::require_role(Role::Manager)?;
    crate::error::ssr::with_status(
        crate::ports::services()?.backend.delete_override(&user, &rotation_id, &override_id).await,
    )
}

#[server(endpoint = "rotation_swap_approval")]
pub async fn set_swap_approval(rotation_id: String, required: bool) -> Result<(), AppError> {
    let user = crate::auth::ssr::require_role(Role::Manager)?;
    crate::error::ssr::with_status(
        crate::ports::services()?.backend.set_swap_approval(&user, &rotation_id, required).await,
    )
}

/// A responder offers their shift to someone, or asks for someone's shift.
#[server(endpoint = "swap_request", input = Json)]
pub async fn request_swap(request: SwapRequest) -> Result<String, AppError> {
    let user = crate::auth::ssr::require_role(Role::Responder)?;
    crate::error::ssr::with_status(crate::ports::services()?.swaps.request(&user, request).await)
}

/// The other person accepts or declines.
#[server(endpoint = "swap_answer")]
pub async fn answer_swap(id: String, accept: bool) -> Result<SwapView, AppError> {
    let user = crate::auth::ssr::require_role(Role::Responder)?;
    crate::error::ssr::with_status(crate::ports::services()?.swaps.answer(&user, &id, accept).await)
}

/// A manager approves or rejects an accepted swap (rotations that ask for approval).
#[server(endpoint = "swap_approve")]
pub async fn approve_swap(id: String, approve: bool) -> Result<SwapView, AppError> {
    let user = crate::auth::ssr::require_role(Role::Manager)?;
    crate::error::ssr::with_status(crate::ports::services()?.swaps.approve(&user, &id, approve).await)
}

/// A new secret feed URL (path) of the caller's own for a rotation or a person; the caller's
/// previous URL for it stops working. Feeds end when their user is disabled.
#[server(endpoint = "feed_regenerate")]
pub async fn regenerate_feed(kind: FeedKind, subject: String) -> Result<String, AppError> {
    let user = crate::auth::ssr::require_role(Role::Viewer)?;
    crate::error::ssr::with_status(crate::ports::services()?.feeds.regenerate(&user, kind, &subject).await)
}
