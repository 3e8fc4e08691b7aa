//! Roles and the one authorization rule every server function and page goes through.

use serde::{Deserialize, Serialize};

use crate::error::{AppError, FieldError};
use crate::i18n::Msg;

/// Roles are ordered: each one can do everything the ones below it can.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Responder,
    Manager,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Manager, Role::Responder, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Responder => "responder",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The person (contact alias) this user is on the rotas, if an admin linked one.
    pub contact: Option<String>,
}

/// Why a request was refused: the caller is unknown (401) or lacks the role (403).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denied {
    Unauthenticated,
    Forbidden,
}

/// The single authorization rule.
pub fn authorize(user: Option<&CurrentUser>, needed: Role) -> Result<&CurrentUser, Denied> {
    match user {
        None => Err(Denied::Unauthenticated),
        Some(u) if u.role >= needed => Ok(u),
        Some(_) => Err(Denied::Forbidden),
    }
}

impl From<Denied> for AppError {
    fn from(d: Denied) -> Self {
        match d {
            Denied::Unauthenticated => AppError::Unauthenticated,
            Denied::Forbidden => AppError::Forbidden,
        }
    }
}

/// A user to be created, as typed into a form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: Role,
}

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 256;

pub fn validate_username(username: &str) -> Option<FieldError> {
    let ok_len = (3..=32).contains(&username.chars().count());
    let ok_chars =
        username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    (!ok_len || !ok_chars).then(|| FieldError::new("username", Msg::ErrUsernameFormat))
}

pub fn validate_password(field: &'static str, password: &str) -> Option<FieldError> {
    let n = password.chars().count();
    (!(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&n)).then(|| FieldError::new(field, Msg::ErrPasswordLength))
}

fn validate_display_name(name: &str) -> Option<FieldError> {
    (name.chars().count() > 64 || name.chars().any(char::is_control))
        .then(|| FieldError::new("display_name", Msg::ErrDisplayName))
}

impl NewUser {
    /// Trims the names, then checks every field; all problems are reported at once.
    pub fn validated(self) -> Result<NewUser, AppError> {
        let username = self.username.trim().to_owned();
        let display_name = match self.display_name.trim() {
            "" => username.clone(),
            name => name.to_owned(),
        };
        let user = NewUser { username, display_name, ..self };
        let errors: Vec<FieldError> = [
            validate_username(&user.username),
            validate_display_name(&user.display_name),
            validate_password("password", &user.password),
        ]
        .into_iter()
        .flatten()
        .collect();
        if errors.is_empty() { Ok(user) } else { Err(AppError::Invalid(errors)) }
    }
}

/// Server side: the current request's user, checked against the role a function needs.
#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{CurrentUser, Role, authorize};
    use crate::error::AppError;

    /// Client address as seen by the server (inserted into request extensions by the server).
    #[derive(Clone, Debug)]
    pub struct ClientAddr(pub String);

    fn parts() -> Option<http::request::Parts> {
        leptos::prelude::use_context::<http::request::Parts>()
    }

    pub fn current_user() -> Option<CurrentUser> {
        parts().and_then(|p| p.extensions.get::<CurrentUser>().cloned())
    }

    pub fn client_addr() -> String {
        parts()
            .and_then(|p| p.extensions.get::<ClientAddr>().map(|c| c.0.clone()))
            .unwrap_or_else(|| "unknown".to_owned())
    }

    pub fn session() -> Result<tower_sessions::Session, AppError> {
        parts().and_then(|p| p.extensions.get::<tower_sessions::Session>().cloned()).ok_or(AppError::Internal)
    }

    /// Every `#[server]` function that is not public starts with this call.
    pub fn require_role(needed: Role) -> Result<CurrentUser, AppError> {
        let user = current_user();
        match authorize(user.as_ref(), needed) {
            Ok(u) => Ok(u.clone()),
            Err(denied) => {
                let err = AppError::from(denied);
                crate::error::ssr::set_status(&err);
                Err(err)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role) -> CurrentUser {
        CurrentUser { id: 1, username: "u".into(), display_name: "U".into(), role, contact: None }
    }

    #[test]
    fn roles_are_ordered_and_checked() {
        assert_eq!(authorize(None, Role::Viewer), Err(Denied::Unauthenticated));
        assert!(authorize(Some(&user(Role::Viewer)), Role::Viewer).is_ok());
        assert_eq!(authorize(Some(&user(Role::Manager)), Role::Admin), Err(Denied::Forbidden));
        assert!(authorize(Some(&user(Role::Admin)), Role::Manager).is_ok());
        assert_eq!(authorize(Some(&user(Role::Responder)), Role::Manager), Err(Denied::Forbidden));
    }

    #[test]
    fn role_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn new_user_validation_reports_every_field() {
        let bad = NewUser {
            username: "A B".into(),
            display_name: "x".repeat(65),
            password: "short".into(),
            role: Role::Viewer,
        };
        let Err(AppError::Invalid(errs)) = bad.validated() else { panic!("accepted bad input") };
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["username", "display_name", "password"]);

        let ok = NewUser {
            username: " vera ".into(),
            display_name: String::new(),
            password: "long-enough-password".into(),
            role: Role::Viewer,
        }
        .validated()
        .expect("valid");
        assert_eq!(ok.username, "vera");
        assert_eq!(ok.display_name, "vera");
    }
}
