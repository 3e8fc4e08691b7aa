//! Forms that work without JavaScript (post/redirect/get).
//!
//! A form posts to its server function like any HTML form. The server (`server::forms`) runs the
//! function, keeps its outcome (the output or the error, and the submitted fields without secrets)
//! in the session as a [`Flash`], and redirects back to the page, or to where the function
//! redirected. The next page render takes the flash: [`outcome`] gives a form its result, so the
//! page can show the error next to the field, refill the form, or show a result once (a new
//! secret). Scripts, where a page has an island, only add behaviour on top.

use std::fmt::Write as _;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::{Locale, Msg};

/// Where to go after a form (or sign-in): a path on this site, never another site, and always a
/// valid `Location` header. Browsers drop tabs and newlines inside a URL and read `\\` as `/`, so
/// `/\t/evil.example` or `/\\evil.example` would leave the site: anything with a control
/// character, a backslash, or two slashes at the start gives `/`. Characters outside ASCII (a
/// search typed in Japanese) are percent-encoded rather than refused.
pub fn safe_next(next: Option<&str>) -> String {
    let Some(path) = next else { return "/".to_owned() };
    let local = path.starts_with('/') && !path.starts_with("//");
    if !local || path.chars().any(|c| c.is_control() || c == '\\') {
        return "/".to_owned();
    }
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if c.is_ascii_graphic() {
            out.push(c);
        } else {
            let mut bytes = [0; 4];
            for b in c.encode_utf8(&mut bytes).bytes() {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
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
                AppError::Invalid(fields) if fields.len() == 1 => fields[0].text(locale),
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
    done_note(path, Msg::Saved, locale)
}

/// `msg` ("Override added."), once, on the page that follows a successful post to `path`.
pub fn done_note(path: &str, msg: Msg, locale: Locale) -> impl IntoView + use<> {
    outcome::<serde_json::Value>(path).filter(|o| o.result.is_ok()).map(move |_| {
        view! {
            <p class="ok" role="status" data-testid="saved-note">
                {msg.text(locale)}
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
        assert_eq!(safe_next(Some("/rotations?q=primary&filter=all")), "/rotations?q=primary&filter=all");
        assert_eq!(safe_next(Some("/rotations?q=田中 太")), "/rotations?q=%E7%94%B0%E4%B8%AD%20%E5%A4%AA");
        assert_eq!(safe_next(None), "/");
        // Still encoded, the tab is part of a path here, and the browser stays on this site.
        assert_eq!(safe_next(Some("/%09/evil.example/phish")), "/%09/evil.example/phish");
        for hostile in [
            "//evil.example",
            "https://evil.example",
            "HTTP://evil.example",
            "javascript:alert(1)",
            "evil.example/phish",
            "/\\evil",
            "\\\\evil.example",
            "/\t/evil.example/phish",
            "/\n/evil.example",
            "/\r\nSet-Cookie: x=1",
            "/\u{b}/evil.example",
            "/\u{0}",
            "/\u{7f}/x",
            "/\u{85}/x",
            "",
        ] {
            assert_eq!(safe_next(Some(hostile)), "/", "{hostile:?}");
        }
        // Whatever it is given, the answer is a valid header value (leptos_axum::redirect would
        // panic on one that is not).
        for c in (0u32..0x250).filter_map(char::from_u32) {
            let next = safe_next(Some(&format!("/a{c}b")));
            assert!(http_header_ok(&next), "{c:?} gave {next:?}");
        }
    }

    /// What `http::HeaderValue::from_str` accepts: visible ASCII and spaces.
    fn http_header_ok(v: &str) -> bool {
        v.bytes().all(|b| b == b' ' || (0x21..0x7f).contains(&b))
    }
}
