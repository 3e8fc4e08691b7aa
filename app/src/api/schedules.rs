//! The on-call schedule editor: which rotations (at most 8) a schedule combines. Managers only;
//! saves carry the fingerprint of what the editor showed, so a stale save is refused; a delete
//! is refused while a plan or response plan uses the schedule.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::auth::Role;
use crate::error::AppError;
use crate::model::schedules::{RotationPick, ScheduleEditorData};

/// The editor for schedule `alias`, or for a new one when `alias` is empty.
#[server(endpoint = "schedules_editor")]
pub async fn schedule_editor(alias: String) -> Result<ScheduleEditorData, AppError> {
    crate::api::ssr::serve(Role::Manager, |_, s| async move { ssr::editor(&s, &alias).await }).await
}

/// Saves the ticked rotations (`picks` with `on`) as the schedule `alias`; `base` empty creates it.
#[server(endpoint = "schedules_save")]
pub async fn save_schedule(
    alias: String,
    base: String,
    display_name: String,
    #[server(default)] picks: Vec<RotationPick>,
) -> Result<String, AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move {
        use crate::domain::contact::{Contact, ContactType, Plan};
        let contact = Contact {
            alias: alias.trim().to_owned(),
            display_name: display_name.trim().to_owned(),
            kind: ContactType::OncallSchedule,
            plan: Plan {
                stages: Vec::new(),
                rotation_ids: picks.into_iter().filter(|p| p.on.is_some()).map(|p| p.id).collect(),
            },
        };
        let alias = contact.alias.clone();
        if base.is_empty() {
            s.backend.create_contact(&user, contact).await?;
            leptos_axum::redirect(&crate::model::schedules::schedule_path(&alias));
        } else {
            ssr::schedule(&s, &alias).await?;
            s.backend.update_contact(&user, contact, &base).await?;
        }
        Ok(alias)
    })
    .await
}

#[server(endpoint = "schedules_delete")]
pub async fn delete_schedule(alias: String) -> Result<(), AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move {
        ssr::schedule(&s, &alias).await?;
        crate::api::people::ssr::delete_unused(&s, &user, &alias).await
    })
    .await
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::domain::contact::{Contact, ContactType};
    use crate::error::AppError;
    use crate::model::schedules::{RotationPick, ScheduleEditorData};
    use crate::ports::Services;

    pub async fn schedule(s: &Services, alias: &str) -> Result<Contact, AppError> {
        let all = s.backend.contacts().await?;
        all.into_iter()
            .map(|v| v.contact)
            .find(|c| c.alias == alias && c.kind == ContactType::OncallSchedule)
            .ok_or(AppError::NotFound)
    }

    pub async fn editor(s: &Services, alias: &str) -> Result<ScheduleEditorData, AppError> {
        let saved = match alias {
            "" => None,
            alias => Some(schedule(s, alias).await?),
        };
        let picked = |id: &str| saved.as_ref().is_some_and(|c| c.plan.rotation_ids.iter().any(|r| r == id));
        let mut rotations: Vec<RotationPick> = s
            .backend
            .rotations()
            .await?
            .into_iter()
            .map(|r| RotationPick { on: picked(&r.id).then(|| "on".to_owned()), id: r.id, name: r.name })
            .collect();
        rotations.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(ScheduleEditorData {
            alias: alias.to_owned(),
            display_name: saved.as_ref().map(|c| c.display_name.clone()).unwrap_or_default(),
            base: saved.as_ref().map(Contact::fingerprint).unwrap_or_default(),
            used_by: match &saved {
                Some(c) => crate::api::people::ssr::users_of(s, &c.alias).await?,
                None => Vec::new(),
            },
            rotations,
        })
    }
}
