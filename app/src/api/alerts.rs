//! Alerts in: integrations (managers create them and rotate their secrets; the secret is shown
//! once), the alerts with what routing did, and the routing rules with dry runs and replays.
//! Everyone reads; managers change. Conditions are judged on the server only.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::auth::Role;
use crate::domain::routing::RuleForm;
use crate::error::AppError;
use crate::model::alerts::{
    AlertDetail, AlertRow, DryRunAlert, IntegrationsPage, IssuedSecret, MaintenancePage, Replay, RulesPage,
};

#[server(endpoint = "alerts_integrations")]
pub async fn load_integrations() -> Result<IntegrationsPage, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move { s.alerts.integrations_page().await }).await
}

/// Creates an integration; the answer carries its secret, shown once. SNS needs its topics.
#[server(endpoint = "alerts_create_integration")]
pub async fn create_integration(
    name: String,
    kind: String,
    #[server(default)] topics: String,
) -> Result<IssuedSecret, AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move {
        use crate::error::FieldError;
        use crate::i18n::Msg;
        let kind = crate::domain::alert::IntegrationKind::parse(kind.trim())
            .ok_or_else(|| AppError::Invalid(vec![FieldError::new("kind", Msg::ErrRequired)]))?;
        let topics: Vec<String> = topics.lines().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect();
        s.alerts.create_integration(&user, &name, kind, &topics).await
    })
    .await
}

#[server(endpoint = "alerts_rotate_secret")]
pub async fn rotate_integration_secret(id: String) -> Result<IssuedSecret, AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move { s.alerts.rotate_secret(&user, &id).await }).await
}

#[server(endpoint = "alerts_list")]
pub async fn alerts_list(status: String, outcome: String) -> Result<Vec<AlertRow>, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move {
        s.alerts.alerts(&status, &outcome, crate::model::alerts::ALERTS_SHOWN).await
    })
    .await
}

#[server(endpoint = "alerts_routing_status")]
pub async fn routing_status() -> Result<crate::model::alerts::RoutingStatus, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move { s.alerts.routing_status().await }).await
}

#[server(endpoint = "alerts_detail")]
pub async fn load_alert(id: String) -> Result<AlertDetail, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move { s.alerts.alert(&id).await }).await
}

#[server(endpoint = "alerts_rules")]
pub async fn load_rules() -> Result<RulesPage, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move { s.alerts.rules_page().await }).await
}

/// Saves the rules as typed, the version after `base`; a stale base is refused.
#[server(endpoint = "alerts_save_rules")]
pub async fn save_rules(base: u32, #[server(default)] rules: Vec<RuleForm>) -> Result<u32, AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move {
        let rules = parse(&rules)?;
        s.alerts.save_rules(&user, base, rules).await
    })
    .await
}

#[server(endpoint = "alerts_restore_rules")]
pub async fn restore_rules(version: u32, base: u32) -> Result<u32, AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move { s.alerts.restore_rules(&user, version, base).await })
        .await
}

/// The rules as typed with one moved up or down (`step`: `<row>:up` or `<row>:down`), to be
/// saved later: nothing is stored; the page shows the rows in their new order.
#[server(endpoint = "alerts_reorder_rules")]
pub async fn reorder_rules(
    #[server(default)] base: u32,
    #[server(default)] rules: Vec<RuleForm>,
    step: String,
) -> Result<(), AppError> {
    crate::api::ssr::serve(Role::Manager, |_, _| async move {
        let _ = (base, rules);
        match crate::domain::routing::Step::parse(&step) {
            Some(_) => Ok(()),
            None => Err(AppError::Invalid(vec![crate::error::FieldError::new("step", crate::i18n::Msg::ErrInvalid)])),
        }
    })
    .await
}

/// What the rules as typed would do with a pasted event, received by `integration`.
#[server(endpoint = "alerts_dry_run")]
pub async fn dry_run_rules(
    #[server(default)] base: u32,
    #[server(default)] rules: Vec<RuleForm>,
    integration: String,
    event: String,
) -> Result<Vec<DryRunAlert>, AppError> {
    crate::api::ssr::serve(Role::Manager, |_, s| async move {
        let _ = base;
        let rules = parse(&rules)?;
        s.alerts.dry_run(&rules, &integration, &event).await
    })
    .await
}

/// The stored alerts of the last `days` days through the rules as typed.
#[server(endpoint = "alerts_replay")]
pub async fn replay_rules(
    #[server(default)] base: u32,
    #[server(default)] rules: Vec<RuleForm>,
    days: u32,
) -> Result<Replay, AppError> {
    crate::api::ssr::serve(Role::Manager, |_, s| async move {
        let _ = base;
        let rules = parse(&rules)?;
        s.alerts.replay(&rules, days).await
    })
    .await
}

#[server(endpoint = "alerts_maintenance")]
pub async fn load_maintenance() -> Result<MaintenancePage, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move { s.alerts.maintenance_page().await }).await
}

/// A maintenance window from the form: `starts` and `ends` are `datetime-local` values in
/// `zone` (the viewer's), the condition CEL (empty: every alert).
#[server(endpoint = "alerts_create_maintenance")]
pub async fn create_maintenance(
    note: String,
    #[server(default)] condition: String,
    starts: String,
    ends: String,
    zone: String,
) -> Result<String, AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move {
        use crate::domain::timezone::parse_local_minute;
        use crate::error::FieldError;
        use crate::i18n::Msg;
        use crate::model::alerts::NewMaintenance;
        let at = |field: &str, value: &str| {
            parse_local_minute(value.trim(), &zone)
                .map(|t| t.timestamp())
                .ok_or_else(|| FieldError::new(field, Msg::ErrDateTime))
        };
        let (starts_at, ends_at) = match (at("starts", &starts), at("ends", &ends)) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => return Err(AppError::Invalid([a.err(), b.err()].into_iter().flatten().collect())),
        };
        let window =
            NewMaintenance { note: note.trim().to_owned(), condition: condition.trim().to_owned(), starts_at, ends_at };
        s.alerts.create_maintenance(&user, window).await
    })
    .await
}

#[server(endpoint = "alerts_end_maintenance")]
pub async fn end_maintenance(id: String) -> Result<(), AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move { s.alerts.end_maintenance(&user, &id).await }).await
}

#[cfg(feature = "ssr")]
fn parse(rows: &[RuleForm]) -> Result<Vec<crate::domain::routing::Rule>, AppError> {
    let ordered = crate::domain::routing::ordered_forms(rows);
    crate::domain::routing::rules_from_forms(&ordered).map_err(AppError::Invalid)
}
