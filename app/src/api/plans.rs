//! The escalation-plan editor's server functions: what it needs to open, and saving. Managers
//! only; every save goes through the backend (local engine or AWS) with the fingerprint of the
//! plan the edit started from, so a stale save is refused and nothing is overwritten.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::auth::Role;
use crate::error::AppError;
use crate::model::plans::PlanEditorData;

/// The editor for plan `alias`, or for a new plan when `alias` is empty.
#[server(endpoint = "plans_editor")]
pub async fn plan_editor(alias: String) -> Result<PlanEditorData, AppError> {
    crate::api::ssr::serve(Role::Manager, |_, s| async move { ssr::editor(&s, &alias).await }).await
}

/// Saves the editor's form. `base` is the fingerprint of the plan the edit started from, empty
/// for a new plan. Returns the plan's alias; a new plan's editor opens next.
#[server(endpoint = "plans_save")]
pub async fn save_plan(
    alias: String,
    base: String,
    display_name: String,
    stages: String,
    repeat: String,
) -> Result<String, AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move {
        let form = crate::domain::plan_form::PlanForm { alias, display_name, stages, repeat };
        let contact = form.parse().map_err(AppError::Invalid)?;
        let alias = contact.alias.clone();
        if base.is_empty() {
            s.backend.create_contact(&user, contact).await?;
            leptos_axum::redirect(&crate::model::plans::plan_path(&alias));
        } else {
            s.backend.update_contact(&user, contact, &base).await?;
        }
        Ok(alias)
    })
    .await
}

/// Shows the timeline of the form as typed, without saving (for browsers without script; the
/// island recomputes it on every change). Checks only that the form can be read.
#[server(endpoint = "plans_preview")]
pub async fn preview_plan(
    alias: String,
    base: String,
    display_name: String,
    stages: String,
    repeat: String,
    at: String,
) -> Result<(), AppError> {
    crate::api::ssr::serve(Role::Manager, |_, _| async move {
        let _ = (base, at);
        crate::domain::plan_form::PlanForm { alias, display_name, stages, repeat }
            .parse()
            .map_err(AppError::Invalid)?;
        Ok(())
    })
    .await
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::domain::contact::ContactType;
    use crate::domain::escalation::Directory;
    use crate::domain::plan_form::PlanForm;
    use crate::error::AppError;
    use crate::model::plans::{PlanEditorData, TargetChoice};
    use crate::ports::Services;

    /// Every contact, channel and rotation (with its overrides), for simulations.
    pub async fn directory(s: &Services) -> Result<Directory, AppError> {
        let mut d = Directory { gateways: s.gateways, ..Directory::default() };
        for view in s.backend.contacts().await? {
            d.channels.insert(view.contact.alias.clone(), view.channels);
            d.contacts.insert(view.contact.alias.clone(), view.contact);
        }
        for r in s.backend.rotations().await? {
            let detail = s.backend.rotation(&r.id).await?;
            let overrides = detail.overrides.into_iter().map(|o| o.value).collect();
            d.rotations.insert(r.id, (detail.rotation, overrides));
        }
        Ok(d)
    }

    pub async fn editor(s: &Services, alias: &str) -> Result<PlanEditorData, AppError> {
        let directory = directory(s).await?;
        let saved = match alias {
            "" => None,
            alias => match directory.contacts.get(alias) {
                Some(c) if c.kind == ContactType::Escalation => Some(c.clone()),
                _ => return Err(AppError::NotFound),
            },
        };
        let targets = directory
            .contacts
            .values()
            .filter(|c| c.kind != ContactType::Escalation)
            .map(|c| TargetChoice { alias: c.alias.clone(), name: c.display_name.clone(), kind: c.kind })
            .collect();
        Ok(PlanEditorData {
            form: saved.as_ref().map_or_else(|| PlanForm { repeat: "1".into(), ..PlanForm::default() }, PlanForm::of),
            base: saved.as_ref().map(crate::domain::contact::Contact::fingerprint).unwrap_or_default(),
            saved,
            targets,
            sim: crate::model::plans::SimData::of(&directory),
            now: s.clock.now().timestamp(),
        })
    }
}
