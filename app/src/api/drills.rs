//! Drills: run one now, read its report, the history, and schedules. Managers run and schedule;
//! everyone reads. The report is worked out from the drill's engagement as the backend holds it.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::auth::Role;
use crate::error::AppError;
use crate::model::drills::{DrillScheduleView, DrillView};

/// How many past drills the history shows.
pub const DRILL_HISTORY: u32 = 50;

/// Engages `plan` as a drill now; its report opens next.
#[server(endpoint = "drills_run")]
pub async fn run_drill(plan: String) -> Result<String, AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move {
        let id = s.drills.start(&user, plan.trim()).await?;
        leptos_axum::redirect(&crate::model::drills::drill_path(&id));
        Ok(id)
    })
    .await
}

#[server(endpoint = "drills_get")]
pub async fn get_drill(id: String) -> Result<DrillView, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move {
        let record = s.drills.get(&id).await?;
        let contacts = s.backend.contacts().await?;
        ssr::view(&s, record, &contacts).await
    })
    .await
}

/// The history (newest first), the schedules, the plans that can be drilled (alias, name), and
/// whether the reader may run and schedule drills.
pub type DrillsSummary = (Vec<DrillView>, Vec<DrillScheduleView>, Vec<(String, String)>, bool);

#[server(endpoint = "drills_overview")]
pub async fn drills_overview() -> Result<DrillsSummary, AppError> {
    crate::api::ssr::serve(Role::Viewer, |user, s| async move {
        use crate::domain::contact::ContactType;
        let contacts = s.backend.contacts().await?;
        let mut history = Vec::new();
        for record in s.drills.list(DRILL_HISTORY).await? {
            history.push(ssr::view(&s, record, &contacts).await?);
        }
        let plans = contacts
            .iter()
            .filter(|c| matches!(c.contact.kind, ContactType::Escalation | ContactType::Personal))
            .map(|c| (c.contact.alias.clone(), c.contact.display_name.clone()))
            .collect();
        Ok((history, s.drills.schedules().await?, plans, user.role >= Role::Manager))
    })
    .await
}

/// Drills of `plan` on a weekday (`0` Monday … `6` Sunday) of the chosen weeks of each month
/// (`every`, `first` … `fourth`, `last`), at `time` (`10:00`) in `time_zone`.
#[server(endpoint = "drills_schedule")]
pub async fn schedule_drill(
    plan: String,
    week: String,
    weekday: String,
    time: String,
    time_zone: String,
) -> Result<String, AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move {
        let rule =
            crate::domain::drill::DrillRule::parse(&week, &weekday, &time, &time_zone).map_err(AppError::Invalid)?;
        s.drills.add_schedule(&user, plan.trim(), rule).await
    })
    .await
}

#[server(endpoint = "drills_unschedule")]
pub async fn unschedule_drill(id: String) -> Result<(), AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move { s.drills.delete_schedule(&user, &id).await }).await
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::AppError;
    use crate::model::drills::{DrillRecord, DrillView};
    use crate::model::oncall::ContactView;
    use crate::ports::Services;

    /// A drill with its report, from its engagement as the backend has it now.
    pub async fn view(s: &Services, record: DrillRecord, contacts: &[ContactView]) -> Result<DrillView, AppError> {
        let engagement = s.backend.engagement(&record.engagement_id).await?;
        Ok(super::drill_view(record, &engagement, contacts))
    }
}

/// A drill's report from its engagement: who was paged at which stage and when, when they
/// acknowledged, and the errors seen.
pub fn drill_view(
    record: crate::model::drills::DrillRecord,
    engagement: &crate::model::oncall::EngagementView,
    contacts: &[crate::model::oncall::ContactView],
) -> DrillView {
    use crate::domain::delivery::ReceiptKind;
    use crate::domain::drill::{DrillFailure, DrillPage, report};
    let pages: Vec<DrillPage> = engagement
        .pages
        .iter()
        .map(|p| DrillPage { person: p.contact.clone(), stage: p.stage, sent_at: p.sent_at, read_at: p.read_at })
        .collect();
    let failures: Vec<DrillFailure> = engagement
        .receipts
        .iter()
        .filter(|r| r.kind == ReceiptKind::Error)
        .map(|r| DrillFailure { person: r.contact.clone(), at: r.at, info: r.info.clone().unwrap_or_default() })
        .collect();
    let name = |alias: &str| contacts.iter().find(|c| c.contact.alias == alias).map(|c| c.contact.display_name.clone());
    let mut names: Vec<(String, String)> =
        pages.iter().filter_map(|p| name(&p.person).map(|n| (p.person.clone(), n))).collect();
    names.sort();
    names.dedup();
    DrillView {
        plan_name: name(&record.plan).unwrap_or_else(|| record.plan.clone()),
        names,
        running: engagement.stopped_at.is_none(),
        report: report(record.started_at, &pages, &failures),
        record,
    }
}
