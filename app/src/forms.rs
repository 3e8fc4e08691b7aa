//! Forms that work without JavaScript (post/redirect/get).
//!
//! A form posts to its server function like any HTML form. The server (`server::forms`) runs the
//! function, keeps its outcome (the output or the error, and the submitted fields without secrets)
//! in the session as a [`Flash`], and redirects back to the page, or to where the function
//! redirected. The next page render takes the flash: [`outcome`] gives a form its result, so the
//! page can show the error next to the field, refill the form, or show a result once (a new
//! secret). Scripts, where a page has an island, only add behaviour on top.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::{Locale, Msg};

/// Only local paths are followed after a form (or sign-in), never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_owned(),
        _ => "/".to_owned(),
    }
}

/// The outcome of one form submission, kept in the session until the next page is rendered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    /// The server function's path, e.g. `/api/admin_create_user`.
    pub path: String,
    /// Its output as JSON, when it succeeded.
    pub ok: Option<String>,
    pub err: Option<AppError>,
    /// The submitted fields, passwords and other secrets left out.
    pub fields: Vec<(String, String)>,
}

impl Flash {
    pub const SESSION_KEY: &'static str = "flash";

    /// Fields never kept: what a person typed as a secret.
    pub fn is_secret_field(name: &str) -> bool {
        ["password", "secret", "token", "code"].iter().any(|s| name.contains(s))
    }
}

/// What the last submission of a form returned, and what was typed into it.
#[derive(Clone, Debug)]
pub struct Outcome<T> {
    pub result: Result<T, AppError>,
    pub fields: Vec<(String, String)>,
}

impl<T> Outcome<T> {
    /// The value typed into `field`, to fill the form again after an error.
    pub fn value(&self, field: &str) -> Option<String> {
        self.fields.iter().find(|(k, _)| k == field).map(|(_, v)| v.clone())
    }
}

/// The outcome of the form whose server function lives at `path`, if this page follows it.
pub fn outcome<T: serde::de::DeserializeOwned>(path: &str) -> Option<Outcome<T>> {
    let flash = current_flash().filter(|f| f.path == path)?;
    let result = match (flash.err, flash.ok) {
        (Some(e), _) => Err(e),
        (None, Some(json)) => serde_json::from_str(&json).map_err(|_| AppError::Internal),
        (None, None) => return None,
    };
    Some(Outcome { result, fields: flash.fields })
}

#[cfg(feature = "ssr")]
fn current_flash() -> Option<Flash> {
    use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<Flash>().cloned())
}

#[cfg(not(feature = "ssr"))]
fn current_flash() -> Option<Flash> {
    None
}

/// A POST form to the server function at `action` (its `PATH`).
#[component]
pub fn PostForm(
    action: &'static str,
    #[prop(optional, into)] class: Option<String>,
    #[prop(optional)] testid: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <form method="post" action=action class=class data-testid=testid>
            {children()}
        </form>
    }
}

/// The error of a form's last submission: a line for the form and messages next to its fields.
#[derive(Clone, Debug)]
pub struct FormErrors {
    pub error: Option<AppError>,
    pub locale: Locale,
}

impl FormErrors {
    pub fn new(error: Option<AppError>, locale: Locale) -> Self {
        FormErrors { error, locale }
    }

    /// The errors of the form posting to `path`.
    pub fn of(path: &str, locale: Locale) -> Self {
        FormErrors::new(outcome::<serde_json::Value>(path).and_then(|o| o.result.err()), locale)
    }

    pub fn field(&self, field: &str) -> impl IntoView + use<> {
        let locale = self.locale;
        let name = field.to_owned();
        self.error.as_ref().and_then(|e| e.field(field)).map(|m| {
            view! {
                <span class="field-error" data-field=name role="alert">
                    {m.text(locale)}
                </span>
            }
        })
    }

    pub fn summary(&self, testid: &'static str) -> impl IntoView + use<> {
        let locale = self.locale;
        self.error.as_ref().map(|e| {
            let text = match e {
                // Field messages are shown next to their fields; say what to look at here.
                AppError::Invalid(fields) if fields.len() == 1 => fields[0].msg.text(locale).to_owned(),
                other => other.message(locale),
            };
            view! {
                <p class="error" data-testid=testid role="alert">
                    {text}
                </p>
            }
        })
    }
}

/// "Saved" under a form whose last submission succeeded.
pub fn saved_note(path: &str, locale: Locale) -> impl IntoView + use<> {
    outcome::<serde_json::Value>(path).filter(|o| o.result.is_ok()).map(|_| {
        view! {
            <p class="ok" role="status" data-testid="saved-note">
                {Msg::Saved.text(locale)}
            </p>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/admin/users")), "/admin/users");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
