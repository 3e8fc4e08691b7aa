//! Errors as types: what the browser is told, in a form it can translate and place next to fields.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::i18n::{Locale, Msg};

/// A problem with one form field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub msg: Msg,
    /// Where in the field's text the problem is (line, column; from 1), when it is text
    /// a parser read (a CEL condition).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<(u32, u32)>,
}

impl FieldError {
    pub fn new(field: &str, msg: Msg) -> Self {
        FieldError { field: field.to_owned(), msg, at: None }
    }

    /// A problem at a place in the field's text.
    pub fn at(field: &str, msg: Msg, line: u32, column: u32) -> Self {
        FieldError { field: field.to_owned(), msg, at: Some((line, column)) }
    }

    /// What a person reads: the message, and where when known.
    pub fn text(&self, locale: Locale) -> String {
        match self.at {
            None => self.msg.text(locale).to_owned(),
            Some((line, column)) => format!(
                "{}{}",
                self.msg.text(locale),
                Msg::AtLineColumn
                    .text(locale)
                    .replace("{line}", &line.to_string())
                    .replace("{column}", &column.to_string())
            ),
        }
    }
}

/// Something that still uses an item a delete was asked for: what kind of thing, and its name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsedBy {
    /// The kind of thing, as a noun (`Msg::UsedByEscalationPlan`, …).
    pub what: Msg,
    pub name: String,
}

/// What went wrong when the console called AWS, in terms a person can act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AwsProblem {
    /// The IAM identity lacks `action` (e.g. `ssm-contacts:ListContacts`).
    #[error("access denied for {action}")]
    AccessDenied { action: String },
    #[error("throttled")]
    Throttled,
    #[error("unreachable: {detail}")]
    Unreachable { detail: String },
    #[error("{code}: {message}")]
    Rejected { code: String, message: String },
}

impl AwsProblem {
    pub fn message(&self, locale: Locale) -> String {
        match self {
            AwsProblem::AccessDenied { action } => Msg::ErrAwsAccessDenied.text(locale).replace("{action}", action),
            AwsProblem::Throttled => Msg::ErrAwsThrottled.text(locale).to_owned(),
            AwsProblem::Unreachable { detail } => Msg::ErrAwsUnreachable.text(locale).replace("{detail}", detail),
            AwsProblem::Rejected { code, message } => {
                Msg::ErrAwsRejected.text(locale).replace("{code}", code).replace("{message}", message)
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("sign-in required")]
    Unauthenticated,
    #[error("your role does not allow this")]
    Forbidden,
    #[error("incorrect username or password")]
    BadCredentials,
    #[error("too many sign-in attempts; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("not found")]
    NotFound,
    #[error("the setup link is invalid or was already used")]
    SetupLinkInvalid,
    #[error("internal error")]
    Internal,
    #[error("AWS: {0}")]
    Aws(AwsProblem),
    /// Someone else saved the rotation (now at definition version `current`) since this edit
    /// began; nothing was saved.
    #[error("stale edit: the rotation is now at version {current}")]
    StaleVersion { current: u32 },
    /// The item is still used by these; nothing was deleted.
    #[error("still used by {0:?}")]
    InUse(Vec<UsedBy>),
    /// Someone else changed the item (a contact) since this edit began; nothing was saved.
    #[error("stale edit: changed since the edit began")]
    StaleEdit,
    #[error("{0}")]
    ServerFn(ServerFnErrorErr),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::ServerFn(value)
    }
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::BadCredentials => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::RateLimited { .. } => 429,
            AppError::StaleVersion { .. } | AppError::StaleEdit | AppError::InUse(_) => 409,
            AppError::Invalid(_) | AppError::SetupLinkInvalid | AppError::ServerFn(_) => 400,
            AppError::Internal => 500,
            AppError::Aws(AwsProblem::Throttled) => 503,
            AppError::Aws(_) => 502,
        }
    }

    /// The message for a person, in their language.
    pub fn message(&self, locale: Locale) -> String {
        let msg = match self {
            AppError::Unauthenticated => Msg::ErrUnauthenticated,
            AppError::Forbidden => Msg::ErrForbidden,
            AppError::BadCredentials => Msg::ErrBadCredentials,
            AppError::RateLimited { retry_after_secs } => {
                let minutes = retry_after_secs.div_ceil(60);
                return Msg::ErrRateLimited.text(locale).replace("{n}", &minutes.to_string());
            }
            AppError::Invalid(_) => Msg::ErrInvalid,
            AppError::NotFound => Msg::ErrNotFound,
            AppError::StaleEdit => Msg::ErrStaleEdit,
            AppError::InUse(by) => {
                let names: Vec<String> = by.iter().map(|u| format!("{} “{}”", u.what.text(locale), u.name)).collect();
                return Msg::ErrInUse.text(locale).replace("{list}", &names.join(", "));
            }
            AppError::SetupLinkInvalid => Msg::SetupInvalid,
            AppError::Internal | AppError::ServerFn(_) => Msg::ErrInternal,
            AppError::Aws(problem) => return problem.message(locale),
            AppError::StaleVersion { current } => {
                return Msg::ErrStaleVersion.text(locale).replace("{n}", &current.to_string());
            }
        };
        msg.text(locale).to_owned()
    }

    /// The error for one field, if this is a validation error that names it.
    pub fn field(&self, field: &str) -> Option<Msg> {
        match self {
            AppError::Invalid(errs) => errs.iter().find(|e| e.field == field).map(|e| e.msg),
            _ => None,
        }
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::AppError;

    /// Makes the HTTP response carry the error's status code.
    pub fn set_status(err: &AppError) {
        if let Some(opts) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            opts.set_status(
                http::StatusCode::from_u16(err.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
            );
        }
    }

    /// Sets the status for an error result on its way out of a server function.
    pub fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
        if let Err(e) = &result {
            set_status(e);
        }
        result
    }
}
