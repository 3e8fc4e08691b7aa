//! User administration, the audit log and API keys (admin only).

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::auth::Role;
use crate::domain::timezone::parse_local_minute;
use crate::error::{AppError, FieldError};
use crate::i18n::Msg;
use crate::model::admin::{ApiKeySummary, AuditEntry, AuditFilter, IssuedApiKey, UserSummary};

pub const AUDIT_PAGE: u32 = 200;

/// Links a user to the person they are on the rotas (empty `contact` unlinks).
#[server(endpoint = "admin_set_contact")]
pub async fn set_user_contact(user_id: i64, contact: String) -> Result<UserSummary, AppError> {
    crate::api::ssr::serve(Role::Admin, |actor, s| async move {
        let contact = Some(contact.trim().to_owned()).filter(|c| !c.is_empty());
        if let Some(alias) = &contact {
            let people = s.backend.contacts().await?;
            let known = people
                .iter()
                .any(|c| &c.contact.alias == alias && c.contact.kind == crate::domain::contact::ContactType::Personal);
            if !known {
                return Err(AppError::Invalid(vec![FieldError::new("contact", Msg::ErrUnknownContact)]));
            }
        }
        s.accounts.set_contact(&actor, user_id, contact).await
    })
    .await
}

#[server(endpoint = "admin_list_api_keys")]
pub async fn list_api_keys() -> Result<Vec<ApiKeySummary>, AppError> {
    crate::api::ssr::serve(Role::Admin, |_, s| async move { s.accounts.list_api_keys().await }).await
}

#[server(endpoint = "admin_issue_api_key")]
pub async fn issue_api_key(name: String) -> Result<IssuedApiKey, AppError> {
    crate::api::ssr::serve(Role::Admin, |actor, s| async move { s.accounts.issue_api_key(&actor, &name).await }).await
}

#[server(endpoint = "admin_revoke_api_key")]
pub async fn revoke_api_key(access_key_id: String) -> Result<(), AppError> {
    crate::api::ssr::serve(
        Role::Admin,
        |actor, s| async move { s.accounts.revoke_api_key(&actor, &access_key_id).await },
    )
    .await
}

#[server(endpoint = "admin_list_users")]
pub async fn list_users() -> Result<Vec<UserSummary>, AppError> {
    crate::api::ssr::serve(Role::Admin, |_, s| async move { s.accounts.list_users().await }).await
}

#[server(endpoint = "admin_create_user")]
pub async fn create_user(
    username: String,
    display_name: String,
    password: String,
    role: String,
) -> Result<UserSummary, AppError> {
    use crate::auth::NewUser;
    crate::api::ssr::serve(Role::Admin, |actor, s| async move {
        let role = parse_role(&role)?;
        let user = NewUser { username, display_name, password, role }.validated()?;
        s.accounts.create_user(&actor, user).await
    })
    .await
}

#[server(endpoint = "admin_set_role")]
pub async fn set_user_role(user_id: i64, role: String) -> Result<UserSummary, AppError> {
    crate::api::ssr::serve(Role::Admin, |actor, s| async move {
        s.accounts.set_role(&actor, user_id, parse_role(&role)?).await
    })
    .await
}

#[server(endpoint = "admin_set_disabled")]
pub async fn set_user_disabled(user_id: i64, disabled: bool) -> Result<UserSummary, AppError> {
    crate::api::ssr::serve(
        Role::Admin,
        |actor, s| async move { s.accounts.set_disabled(&actor, user_id, disabled).await },
    )
    .await
}

#[server(endpoint = "admin_reset_password")]
pub async fn reset_user_password(user_id: i64, password: String) -> Result<(), AppError> {
    crate::api::ssr::serve(Role::Admin, |actor, s| async move {
        if let Some(e) = crate::auth::validate_password("password", &password) {
            return Err(AppError::Invalid(vec![e]));
        }
        s.accounts.reset_password(&actor, user_id, &password).await
    })
    .await
}

/// Times are `datetime-local` values in `zone` (the viewer's); empty fields mean "no bound".
#[server(endpoint = "admin_audit_log")]
pub async fn audit_log(
    actor: Option<String>,
    entity: Option<String>,
    since: Option<String>,
    until: Option<String>,
    zone: Option<String>,
) -> Result<Vec<AuditEntry>, AppError> {
    crate::api::ssr::serve(Role::Admin, |_, s| async move {
        let zone = zone.unwrap_or_else(|| "UTC".to_owned());
        let filter = audit_filter(actor, entity, since, until, &zone)?;
        s.accounts.audit_log(&filter).await
    })
    .await
}

#[cfg(feature = "ssr")]
fn parse_role(role: &str) -> Result<Role, AppError> {
    Role::parse(role).ok_or_else(|| AppError::Invalid(vec![FieldError::new("role", Msg::ErrRole)]))
}

pub fn audit_filter(
    actor: Option<String>,
    entity: Option<String>,
    since: Option<String>,
    until: Option<String>,
    zone: &str,
) -> Result<AuditFilter, AppError> {
    let non_empty = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let mut errors = Vec::new();
    let mut time = |field: &str, v: Option<String>| {
        let v = non_empty(v)?;
        let parsed = parse_local_minute(&v, zone).map(|t| t.timestamp());
        if parsed.is_none() {
            errors.push(FieldError::new(field, Msg::ErrTimeFormat));
        }
        parsed
    };
    let since = time("since", since);
    let until = time("until", until).map(|t| t + 59);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(AuditFilter { actor: non_empty(actor), entity: non_empty(entity), since, until, limit: AUDIT_PAGE })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_filter_reports_bad_times_by_field() {
        let err = audit_filter(None, None, Some("nope".into()), Some("2026-01-01T00:00".into()), "UTC").unwrap_err();
        assert_eq!(err.field("since"), Some(Msg::ErrTimeFormat));
        assert_eq!(err.field("until"), None);
        let ok =
            audit_filter(Some(" ".into()), Some("user".into()), None, Some("1970-01-01T00:00".into()), "UTC").unwrap();
        assert_eq!((ok.actor, ok.entity.as_deref(), ok.until), (None, Some("user"), Some(59)));
    }
}
