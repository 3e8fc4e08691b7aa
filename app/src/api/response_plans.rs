//! The response-plan editor: the incident template (title, impact, summary, dedupe string), the
//! contacts engaged, and where notices go. Managers only; saves carry the fingerprint of what the
//! editor showed, so a stale save is refused.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::auth::Role;
use crate::domain::response_plan_form::Pick;
use crate::error::AppError;
use crate::model::response_plans::ResponsePlanEditorData;

/// The editor for plan `name`, or for a new plan when `name` is empty.
#[server(endpoint = "response_plans_editor")]
pub async fn response_plan_editor(name: String) -> Result<ResponsePlanEditorData, AppError> {
    crate::api::ssr::serve(Role::Manager, |_, s| async move { ssr::editor(&s, &name).await }).await
}

/// Saves the form; `base` empty creates the plan (its editor opens next).
#[server(endpoint = "response_plans_save")]
pub async fn save_response_plan(
    name: String,
    base: String,
    display_name: String,
    title: String,
    impact: String,
    summary: String,
    dedupe_string: String,
    #[server(default)] slack: String,
    #[server(default)] webhooks: String,
    #[server(default)] picks: Vec<Pick>,
) -> Result<String, AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move {
        let form = crate::domain::response_plan_form::ResponsePlanForm {
            name,
            display_name,
            title,
            impact,
            summary,
            dedupe_string,
            slack,
            webhooks,
        };
        let plan = form.parse(&picks).map_err(AppError::Invalid)?;
        let name = plan.name.clone();
        if base.is_empty() {
            s.backend.create_response_plan(&user, plan).await?;
            leptos_axum::redirect(&crate::model::response_plans::response_plan_path(&name));
        } else {
            s.backend.update_response_plan(&user, plan, &base).await?;
        }
        Ok(name)
    })
    .await
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::domain::incident::ResponsePlan;
    use crate::domain::response_plan_form::{Pick, ResponsePlanForm};
    use crate::error::AppError;
    use crate::model::response_plans::ResponsePlanEditorData;
    use crate::model::session::BackendMode;
    use crate::ports::Services;

    pub async fn editor(s: &Services, name: &str) -> Result<ResponsePlanEditorData, AppError> {
        let saved: Option<ResponsePlan> = match name {
            "" => None,
            name => {
                Some(s.backend.response_plans().await?.into_iter().find(|p| p.name == name).ok_or(AppError::NotFound)?)
            }
        };
        let engaged = |alias: &str| saved.as_ref().is_some_and(|p| p.engages(alias));
        let mut picks: Vec<(Pick, String)> = s
            .backend
            .contacts()
            .await?
            .into_iter()
            .map(|v| {
                let on = engaged(&v.contact.alias).then(|| "on".to_owned());
                (Pick { alias: v.contact.alias, on }, v.contact.display_name)
            })
            .collect();
        picks.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(ResponsePlanEditorData {
            form: saved.as_ref().map_or_else(
                || ResponsePlanForm { impact: "3".into(), ..ResponsePlanForm::default() },
                ResponsePlanForm::of,
            ),
            base: saved.as_ref().map(crate::domain::names::fingerprint).unwrap_or_default(),
            picks,
            aws: s.mode == BackendMode::Aws,
        })
    }
}
