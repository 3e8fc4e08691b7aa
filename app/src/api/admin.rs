//! User administration and the audit log (admin only).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: i64,
    /// The person this user is on the rotas.
    pub contact: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub entity: Option<String>,
    /// Inclusive bounds, epoch seconds.
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub limit: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

pub const AUDIT_PAGE: u32 = 200;

/// Parses a `datetime-local` value (`2026-11-24T09:30`, read as UTC) into epoch seconds.
pub fn parse_utc_minute(s: &str) -> Option<i64> {
    let (date, time) = s.trim().split_once('T')?;
    let mut date_parts = date.splitn(3, '-').map(str::parse::<i64>);
    let (year, month, day) = (date_parts.next()?.ok()?, date_parts.next()?.ok()?, date_parts.next()?.ok()?);
    let mut time_parts = time.splitn(3, ':').map(str::parse::<i64>);
    let (hour, minute) = (time_parts.next()?.ok()?, time_parts.next()?.ok()?);
    let valid = (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day)
        && (0..24).contains(&hour)
        && (0..60).contains(&minute);
    valid.then(|| days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60)
}

/// Formats epoch seconds as `YYYY-MM-DD HH:MM:SS` in UTC.
pub fn format_utc(epoch: i64) -> String {
    let (days, secs) = (epoch.div_euclid(86_400), epoch.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's civil-date algorithms: exact for the proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

/// Links a user to the person they are on the rotas (empty `contact` unlinks).
#[server(endpoint = "admin_set_contact")]
pub async fn set_user_contact(user_id: i64, contact: String) -> Result<UserSummary, AppError> {
    let actor = crate::auth::ssr::require_role(Role::Admin)?;
    let s = crate::ports::services()?;
    let contact = Some(contact.trim().to_owned()).filter(|c| !c.is_empty());
    if let Some(alias) = &contact {
        let people = s.backend.contacts().await?;
        let known = people
            .iter()
            .any(|c| &c.contact.alias == alias && c.contact.kind == crate::domain::contact::ContactType::Personal);
        if !known {
            let e =
                AppError::Invalid(vec![crate::error::FieldError::new("contact", crate::i18n::Msg::ErrUnknownContact)]);
            return crate::error::ssr::with_status(Err(e));
        }
    }
    crate::error::ssr::with_status(s.accounts.set_contact(&actor, user_id, contact).await)
}

/// An access key for the console's SSM-compatible API (the secret is never listed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeySummary {
    pub access_key_id: String,
    pub name: String,
    pub created_by: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

/// A key just issued: the only time its secret is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedApiKey {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub name: String,
}

#[server(endpoint = "admin_list_api_keys")]
pub async fn list_api_keys() -> Result<Vec<ApiKeySummary>, AppError> {
    crate::auth::ssr::require_role(Role::Admin)?;
    crate::ports::services()?.accounts.list_api_keys().await
}

#[server(endpoint = "admin_issue_api_key")]
pub async fn issue_api_key(name: String) -> Result<IssuedApiKey, AppError> {
    let actor = crate::auth::ssr::require_role(Role::Admin)?;
    crate::error::ssr::with_status(crate::ports::services()?.accounts.issue_api_key(&actor, &name).await)
}

#[server(endpoint = "admin_revoke_api_key")]
pub async fn revoke_api_key(access_key_id: String) -> Result<(), AppError> {
    let actor = crate::auth::ssr::require_role(Role::Admin)?;
    crate::error::ssr::with_status(crate::ports::services()?.accounts.revoke_api_key(&actor, &access_key_id).await)
}

#[server(endpoint = "admin_list_users")]
pub async fn list_users() -> Result<Vec<UserSummary>, AppError> {
    crate::auth::ssr::require_role(Role::Admin)?;
    crate::ports::services()?.accounts.list_users().await
}

#[server(endpoint = "admin_create_user")]
pub async fn create_user(
    username: String,
    display_name: String,
    password: String,
    role: String,
) -> Result<UserSummary, AppError> {
    use crate::auth::NewUser;
    use crate::error::ssr::with_status;
    let actor = crate::auth::ssr::require_role(Role::Admin)?;
    let role = with_status(parse_role(&role))?;
    let user = with_status(NewUser { username, display_name, password, role }.validated())?;
    with_status(crate::ports::services()?.accounts.create_user(&actor, user).await)
}

#[server(endpoint = "admin_set_role")]
pub async fn set_user_role(user_id: i64, role: String) -> Result<UserSummary, AppError> {
    use crate::error::ssr::with_status;
    let actor = crate::auth::ssr::require_role(Role::Admin)?;
    let role = with_status(parse_role(&role))?;
    with_status(crate::ports::services()?.accounts.set_role(&actor, user_id, role).await)
}

#[server(endpoint = "admin_set_disabled")]
pub async fn set_user_disabled(user_id: i64, disabled: bool) -> Result<UserSummary, AppError> {
    let actor = crate::auth::ssr::require_role(Role::Admin)?;
    crate::error::ssr::with_status(crate::ports::services()?.accounts.set_disabled(&actor, user_id, disabled).await)
}

#[server(endpoint = "admin_reset_password")]
pub async fn reset_user_password(user_id: i64, password: String) -> Result<(), AppError> {
    use crate::error::ssr::with_status;
    let actor = crate::auth::ssr::require_role(Role::Admin)?;
    if let Some(e) = crate::auth::validate_password("password", &password) {
        return with_status(Err(AppError::Invalid(vec![e])));
    }
    with_status(crate::ports::services()?.accounts.reset_password(&actor, user_id, &password).await)
}

/// Times are `datetime-local` values read as UTC; empty fields mean "no bound".
#[server(endpoint = "admin_audit_log")]
pub async fn audit_log(
    actor: Option<String>,
    entity: Option<String>,
    since: Option<String>,
    until: Option<String>,
) -> Result<Vec<AuditEntry>, AppError> {
    use crate::error::ssr::with_status;
    crate::auth::ssr::require_role(Role::Admin)?;
    let filter = with_status(audit_filter(actor, entity, since, until))?;
    crate::ports::services()?.accounts.audit_log(&filter).await
}

#[cfg(feature = "ssr")]
fn parse_role(role: &str) -> Result<Role, AppError> {
    use crate::error::FieldError;
    Role::parse(role).ok_or_else(|| AppError::Invalid(vec![FieldError::new("role", crate::i18n::Msg::ErrRole)]))
}

pub fn audit_filter(
    actor: Option<String>,
    entity: Option<String>,
    since: Option<String>,
    until: Option<String>,
) -> Result<AuditFilter, AppError> {
    use crate::error::FieldError;
    let non_empty = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let mut errors = Vec::new();
    let mut time = |field: &str, v: Option<String>| {
        let v = non_empty(v)?;
        let parsed = parse_utc_minute(&v);
        if parsed.is_none() {
            errors.push(FieldError::new(field, crate::i18n::Msg::ErrTimeFormat));
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
    fn utc_minutes_parse_and_format() {
        assert_eq!(parse_utc_minute("1970-01-01T00:00"), Some(0));
        assert_eq!(parse_utc_minute("2026-11-24T09:30"), Some(1_795_512_600));
        assert_eq!(format_utc(1_795_512_600), "2026-11-24 09:30:00");
        assert_eq!(parse_utc_minute("2024-02-29T23:59"), Some(1_709_251_140));
        assert_eq!(parse_utc_minute("2025-02-29T00:00"), None);
        assert_eq!(parse_utc_minute("2026-13-01T00:00"), None);
        assert_eq!(parse_utc_minute("yesterday"), None);
    }

    #[test]
    fn audit_filter_reports_bad_times_by_field() {
        let err = audit_filter(None, None, Some("nope".into()), Some("2026-01-01T00:00".into())).unwrap_err();
        assert_eq!(err.field("since"), Some(crate::i18n::Msg::ErrTimeFormat));
        assert_eq!(err.field("until"), None);
        let ok = audit_filter(Some(" ".into()), Some("user".into()), None, Some("1970-01-01T00:00".into())).unwrap();
        assert_eq!((ok.actor, ok.entity.as_deref(), ok.until), (None, Some("user"), Some(59)));
    }
}
