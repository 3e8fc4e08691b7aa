//! Pieces every page uses: the role guard, error pages and field errors.

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

use crate::app::SessionResource;
use crate::auth::{Denied, Role, authorize};
use crate::error::AppError;
use crate::i18n::{Locale, Msg};

/// Renders its children only for users with `role`; sends anonymous visitors to sign in.
#[component]
pub fn Guarded(role: Role, children: ChildrenFn) -> impl IntoView {
    let session = expect_context::<SessionResource>();
    let location = use_location();
    view! {
        <Suspense>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    let user = session.await.ok().and_then(|i| i.user);
                    match authorize(user.as_ref(), role) {
                        Ok(_) => children().into_any(),
                        Err(Denied::Unauthenticated) => {
                            let next = location.pathname.get_untracked();
                            let path = format!("/login?next={}", encode_query_value(&next));
                            view! { <Redirect path /> }.into_any()
                        }
                        Err(Denied::Forbidden) => view! { <Forbidden /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// Percent-encodes everything but unreserved characters and those in `keep`.
fn percent_encode(s: &str, keep: &[u8]) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ if keep.contains(&b) => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn encode_query_value(s: &str) -> String {
    percent_encode(s, b"/")
}

/// For one path segment, e.g. an AWS ARN as a rotation id (`:` and `/` encoded).
pub fn encode_path_segment(s: &str) -> String {
    percent_encode(s, b"")
}

#[cfg(feature = "ssr")]
fn set_status(code: u16) {
    if let (Some(opts), Ok(status)) = (use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(code))
    {
        opts.set_status(status);
    }
}

#[component]
pub fn Forbidden() -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_status(403);
    let locale = expect_context::<Locale>();
    view! {
        <section class="card" data-testid="forbidden">
            <h1>{Msg::ForbiddenTitle.text(locale)}</h1>
            <p>{Msg::ForbiddenBody.text(locale)}</p>
        </section>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_status(404);
    let locale = expect_context::<Locale>();
    view! {
        <section class="card" data-testid="not-found">
            <h1>{Msg::NotFoundTitle.text(locale)}</h1>
            <p>
                <a href="/">{Msg::NavHome.text(locale)}</a>
            </p>
        </section>
    }
}

/// The message under a form when the last submission failed, and per-field messages.
#[derive(Clone, Copy)]
pub struct FormErrors {
    pub error: Signal<Option<AppError>>,
    pub locale: Locale,
}

impl FormErrors {
    pub fn new<T: Clone + Send + Sync + 'static>(
        value: impl Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
        locale: Locale,
    ) -> Self {
        FormErrors { error: Signal::derive(move || value.get().and_then(Result::err)), locale }
    }

    pub fn field(self, field: &'static str) -> impl IntoView {
        move || {
            self.error.get().and_then(|e| e.field(field)).map(|m| {
                view! {
                    <span class="field-error" data-field=field role="alert">
                        {m.text(self.locale)}
                    </span>
                }
            })
        }
    }

    pub fn summary(self, testid: &'static str) -> impl IntoView {
        move || {
            self.error.get().map(|e| {
                view! {
                    <p class="error" data-testid=testid role="alert">
                        {e.message(self.locale)}
                    </p>
                }
            })
        }
    }
}
