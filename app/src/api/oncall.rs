//! The on-call model's read views, each through the backend in context (local engine or AWS).

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::auth::Role;
#[cfg(feature = "ssr")]
use crate::domain::incident::IncidentStatus;
use crate::domain::incident::ResponsePlan;
use crate::error::AppError;
use crate::model::incidents::{IncidentList, IncidentQuery};
#[cfg(feature = "ssr")]
use crate::model::incidents::{LIST_PAGE, SEARCHED, period};
use crate::model::oncall::{ContactView, DeliveryEntry, EngagementView, IncidentDetail, PlanTimeline, RotationView};

pub const ENGAGEMENTS_PAGE: u32 = 100;
pub const DELIVERIES_PAGE: u32 = 200;

#[server(endpoint = "oncall_contacts")]
pub async fn list_contacts() -> Result<Vec<ContactView>, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move { s.backend.contacts().await }).await
}

#[server(endpoint = "oncall_rotations")]
pub async fn list_rotations() -> Result<Vec<RotationView>, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move {
        let mut rotations = s.backend.rotations().await?;
        // People read names, not aliases.
        let contacts = s.backend.contacts().await?;
        for r in &mut rotations {
            r.name_people(&contacts);
        }
        Ok(rotations)
    })
    .await
}

#[server(endpoint = "oncall_response_plans")]
pub async fn list_response_plans() -> Result<Vec<ResponsePlan>, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move { s.backend.response_plans().await }).await
}

#[server(endpoint = "oncall_engagements")]
pub async fn list_engagements() -> Result<Vec<EngagementView>, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move { s.backend.engagements(ENGAGEMENTS_PAGE).await }).await
}

/// One page of the incidents matching the list's filters (see [`IncidentQuery`]); `zone` reads
/// its days. Looks through the newest [`SEARCHED`] incidents.
#[server(endpoint = "oncall_incidents")]
pub async fn list_incidents(
    #[server(default)] query: IncidentQuery,
    #[server(default)] zone: String,
) -> Result<IncidentList, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move {
        let state = match query.status.trim() {
            "" => None,
            name => Some(IncidentStatus::parse(name).ok_or_else(|| {
                AppError::Invalid(vec![crate::error::FieldError::new("status", crate::i18n::Msg::ErrStatus)])
            })?),
        };
        let zone = if zone.trim().is_empty() { "UTC".to_owned() } else { zone };
        let (from, to) = period(&query, &zone).map_err(AppError::Invalid)?;
        let matches: Vec<_> =
            s.backend.incidents(state, SEARCHED).await?.into_iter().filter(|i| query.matches(i, from, to)).collect();
        let start = query.page as usize * LIST_PAGE;
        let more = matches.len() > start + LIST_PAGE;
        let rows = matches.into_iter().skip(start).take(LIST_PAGE).collect();
        Ok(IncidentList { rows, page: query.page, more })
    })
    .await
}

#[server(endpoint = "oncall_incident")]
pub async fn get_incident(id: String) -> Result<IncidentDetail, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move { s.backend.incident(&id).await }).await
}

/// Managers only: the outbox shows addresses and message bodies.
#[server(endpoint = "oncall_deliveries")]
pub async fn list_deliveries() -> Result<Vec<DeliveryEntry>, AppError> {
    crate::api::ssr::serve(Role::Manager, |_, s| async move { s.backend.deliveries(DELIVERIES_PAGE).await }).await
}

/// Managers: pages one person through their own plan, marked as a test in the subject and the
/// text, so the whole chain (channels, acknowledge link, replies) is proved without an
/// incident. Acknowledged like any page. Returns the engagement's id.
#[server(endpoint = "oncall_test_page")]
pub async fn send_test_page(contact: String) -> Result<String, AppError> {
    crate::api::ssr::serve(Role::Manager, |actor, s| async move {
        use crate::domain::contact::ContactType;
        use crate::error::FieldError;
        use crate::i18n::Msg;
        let contacts = s.backend.contacts().await?;
        let Some(person) = contacts.iter().find(|v| v.contact.alias == contact) else {
            return Err(AppError::Invalid(vec![FieldError::new("contact", Msg::ErrUnknownContact)]));
        };
        if person.contact.kind != ContactType::Personal {
            return Err(AppError::Invalid(vec![FieldError::new("contact", Msg::ErrTestPagePerson)]));
        }
        let start = crate::ports::EngagementStart {
            contact,
            sender: format!("test page by {}", actor.username),
            subject: TEST_PAGE_SUBJECT.into(),
            content: format!("{} ({})", TEST_PAGE_CONTENT, actor.display_name),
            incident_id: None,
            idempotency_token: None,
        };
        s.backend.start_engagement(&actor, start).await
    })
    .await
}

/// Managers: the language a person's pages are written in (each person can also set their own
/// on `/me`). Audited.
#[server(endpoint = "oncall_contact_language")]
pub async fn set_contact_language(contact: String, language: String) -> Result<(), AppError> {
    crate::api::ssr::serve(Role::Manager, |actor, s| async move {
        use crate::domain::contact::ContactType;
        use crate::error::FieldError;
        use crate::i18n::{Locale, Msg};
        let contacts = s.backend.contacts().await?;
        if !contacts.iter().any(|v| v.contact.alias == contact && v.contact.kind == ContactType::Personal) {
            return Err(AppError::Invalid(vec![FieldError::new("contact", Msg::ErrUnknownContact)]));
        }
        let Some(language) = Locale::parse(&language) else {
            return Err(AppError::Invalid(vec![FieldError::new("language", Msg::ErrLanguage)]));
        };
        s.accounts.set_contact_language(&actor, &contact, language).await
    })
    .await
}

/// Each person's message language, where one is set.
#[server(endpoint = "oncall_contact_languages")]
pub async fn contact_languages() -> Result<Vec<(String, String)>, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move {
        let mut out = Vec::new();
        for view in s.backend.contacts().await? {
            if let Some(language) = s.accounts.contact_language(&view.contact.alias).await? {
                out.push((view.contact.alias, language.code().to_owned()));
            }
        }
        Ok(out)
    })
    .await
}

/// A test page's words, in both languages at once: it may reach anyone, and says plainly that
/// nothing is wrong.
#[cfg(feature = "ssr")]
const TEST_PAGE_SUBJECT: &str = "[TEST / テスト] Test page, no incident / 試験呼び出し（障害ではありません）";
#[cfg(feature = "ssr")]
const TEST_PAGE_CONTENT: &str = "This is a test of your paging chain: please acknowledge it. \
     呼び出し経路の試験です。対応ボタンを押してください。Sent by / 送信者";

/// Each escalation plan's timeline if it were engaged now and nobody acknowledged.
#[server(endpoint = "oncall_plan_timelines")]
pub async fn plan_timelines() -> Result<Vec<PlanTimeline>, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move { ssr::plan_timelines(&s).await }).await
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::domain::contact::ContactType;
    use crate::error::AppError;
    use crate::model::oncall::PlanTimeline;
    use crate::ports::Services;

    pub async fn plan_timelines(s: &Services) -> Result<Vec<PlanTimeline>, AppError> {
        let d = crate::api::plans::ssr::directory(s).await?;
        let now = s.clock.now();
        let plans = d.contacts.values().filter(|c| c.kind == ContactType::Escalation);
        Ok(plans
            .map(|plan| PlanTimeline {
                plan: plan.alias.clone(),
                from: now.timestamp(),
                steps: d.simulate(&plan.alias, now).steps(&d, now),
            })
            .collect())
    }
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
