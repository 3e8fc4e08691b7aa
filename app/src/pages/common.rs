//! Pieces every page uses: the role guard, error pages, loading helpers and URL encoding.

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

use crate::auth::{CurrentUser, Denied, Role, authorize};
use crate::domain::contact::ChannelType;
use crate::error::AppError;
use crate::i18n::{Locale, Msg};

/// The signed-in user of the request being rendered.
pub fn page_user() -> Option<CurrentUser> {
    #[cfg(feature = "ssr")]
    {
        crate::auth::ssr::current_user()
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// Renders its children only for users with `role`; sends anonymous visitors to sign in.
#[component]
pub fn Guarded(role: Role, children: ChildrenFn) -> impl IntoView {
    let location = use_location();
    match authorize(page_user().as_ref(), role) {
        Ok(_) => children().into_any(),
        Err(Denied::Unauthenticated) => {
            let (path, search) = (location.pathname.get_untracked(), location.search.get_untracked());
            let next = if search.is_empty() { path } else { format!("{path}{search}") };
            let path = format!("/login?next={}", encode_query_value(&next));
            view! { <Redirect path /> }.into_any()
        }
        Err(Denied::Forbidden) => view! { <Forbidden /> }.into_any(),
    }
}

pub use crate::paths::{encode_path_segment, encode_query_value};

#[cfg(feature = "ssr")]
pub fn set_status(code: u16) {
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

/// An error where a page's data should be, with the error's status on the response.
pub fn error_view(e: &AppError, locale: Locale) -> AnyView {
    #[cfg(feature = "ssr")]
    set_status(e.status());
    view! { <p class="error" data-testid="load-error">{e.message(locale)}</p> }.into_any()
}

/// Renders a resource's value, or its error.
pub fn loaded<T, V>(
    resource: Resource<Result<T, AppError>>,
    render: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    let locale = expect_context::<Locale>();
    view! {
        <Suspense>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => render(value).into_any(),
                        Err(e) => error_view(&e, locale),
                    }
                })
            }}
        </Suspense>
    }
}

/// Like [`loaded`] for a list: its empty state, or `render` with the items.
pub fn loaded_list<T>(
    resource: Resource<Result<Vec<T>, AppError>>,
    empty: Msg,
    render: impl Fn(Vec<T>) -> AnyView + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
{
    let locale = expect_context::<Locale>();
    loaded(resource, move |list: Vec<T>| {
        if list.is_empty() { view! { <p class="empty">{empty.text(locale)}</p> }.into_any() } else { render(list) }
    })
}

/// A query parameter of the page's URL.
pub fn query_param(name: &str) -> Option<String> {
    leptos_router::hooks::use_query_map().read_untracked().get(name).filter(|v| !v.is_empty())
}

pub fn channel_label(kind: ChannelType, locale: Locale) -> &'static str {
    channel_msg(kind).text(locale)
}

/// What a channel of `kind` is when nothing can send its messages: (a few words, the channel's
/// health, the note after adding one).
pub fn no_gateway_msgs(kind: ChannelType) -> (Msg, Msg, Msg) {
    match kind {
        ChannelType::Email => (Msg::NoMailServerShort, Msg::HealthNoMailServer, Msg::ChannelAddedNoMailServer),
        ChannelType::Sms | ChannelType::Voice => {
            (Msg::NoGatewayShort, Msg::HealthNoGateway, Msg::ChannelAddedNoGateway)
        }
    }
}

pub fn channel_msg(kind: ChannelType) -> Msg {
    match kind {
        ChannelType::Email => Msg::ChannelEmail,
        ChannelType::Sms => Msg::ChannelSms,
        ChannelType::Voice => Msg::ChannelVoice,
    }
}
