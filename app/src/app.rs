//! The HTML shell, the app with its header and navigation, and the route table.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::api::session::{BackendMode, Logout, SessionInfo, whoami};
use crate::auth::Role;
use crate::error::AppError;
use crate::i18n::{Locale, Msg, current_locale};
use crate::pages::admin::{ApiKeysPage, AuditPage, UsersPage};
use crate::pages::auth::{LoginPage, SetupPage};
use crate::pages::common::{Guarded, NotFound};
use crate::pages::home::HomePage;
use crate::pages::oncall::{
    ContactsPage, DeliveriesPage, EngagementsPage, IncidentPage, IncidentsPage, ResponsePlansPage, RotationsPage,
};
use crate::pages::rotation::{RotationEditPage, RotationHistoryPage, RotationPage};

pub type SessionResource = Resource<Result<SessionInfo, AppError>>;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    let locale = current_locale();
    view! {
        <!DOCTYPE html>
        <html lang=locale.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let locale = current_locale();
    provide_context(locale);
    // Lets tests (and people) know the page is interactive.
    Effect::new(|| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/oncall-console.css" />
        <Title text=Msg::AppName.text(locale) />
        <Router>
            <SessionScope />
        </Router>
    }
}

/// Provides who is signed in to the header and pages. Fetched again on every navigation, because
/// signing in or out ends with a client-side redirect.
#[component]
fn SessionScope() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let session: SessionResource = Resource::new_blocking(move || location.pathname.get(), |_| whoami());
    provide_context(session);
    let guarded = |role: Role, page: fn() -> AnyView| move || view! { <Guarded role>{page()}</Guarded> };
    view! {
            <Header />
            <main class="main">
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/setup") view=SetupPage ssr=SsrMode::Async />
                    <Route path=path!("/") view=guarded(Role::Viewer, || HomePage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/rotations") view=guarded(Role::Viewer, || RotationsPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/rotations/:id") view=guarded(Role::Viewer, || RotationPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/rotations/:id/edit") view=guarded(Role::Manager, || RotationEditPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/rotations/:id/history") view=guarded(Role::Viewer, || RotationHistoryPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/escalation") view=guarded(Role::Viewer, || ContactsPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/routing") view=guarded(Role::Viewer, || ResponsePlansPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/incidents") view=guarded(Role::Viewer, || IncidentsPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/incidents/:id") view=guarded(Role::Viewer, || IncidentPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/engagements") view=guarded(Role::Viewer, || EngagementsPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/deliveries") view=guarded(Role::Manager, || DeliveriesPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/admin/users") view=guarded(Role::Admin, || UsersPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/admin/audit") view=guarded(Role::Admin, || AuditPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/admin/api-keys") view=guarded(Role::Admin, || ApiKeysPage().into_any()) ssr=SsrMode::Async />
                </Routes>
            </main>
    }
}

#[component]
fn Header() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let session = expect_context::<SessionResource>();
    let menu_open = RwSignal::new(false);
    let t = move |m: Msg| m.text(locale);
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                {t(Msg::AppName)}
            </a>
            <Suspense>
                {move || Suspend::new(async move {
                    let info = session.await.ok();
                    let backend = info.as_ref().map_or(BackendMode::Local, |i| i.backend);
                    let location = info.as_ref().and_then(|i| i.backend_location.clone()).unwrap_or_default();
                    let user = info.and_then(|i| i.user);
                    let badge = match backend {
                        BackendMode::Local => Msg::BackendLocal,
                        BackendMode::Aws => Msg::BackendAws,
                    };
                    view! {
                        <span class="backend" data-testid="backend-mode" title=t(badge)>
                            {t(badge)}
                            {(!location.is_empty()).then(|| view! { " " <small data-testid="backend-location">{location.clone()}</small> })}
                        </span>
                        {(backend == BackendMode::Aws).then(|| view! { <RefreshButton /> })}
                        {user
                            .map(|user| {
                                let is_admin = user.role >= Role::Admin;
                                let is_manager = user.role >= Role::Manager;
                                view! {
                                    <button
                                        class="menu-toggle"
                                        data-testid="menu-toggle"
                                        aria-expanded=move || menu_open.get().to_string()
                                        on:click=move |_| menu_open.update(|o| *o = !*o)
                                    >
                                        {t(Msg::Menu)}
                                    </button>
                                    <nav class="nav" class:open=move || menu_open.get()>
                                        <a href="/rotations" data-testid="nav-rotations">{t(Msg::NavRotations)}</a>
                                        <a href="/escalation" data-testid="nav-escalation">{t(Msg::NavEscalation)}</a>
                                        <a href="/routing" data-testid="nav-routing">{t(Msg::NavRouting)}</a>
                                        <a href="/incidents" data-testid="nav-incidents">{t(Msg::NavIncidents)}</a>
                                        <a href="/engagements" data-testid="nav-engagements">{t(Msg::NavEngagements)}</a>
                                        {is_manager.then(|| view! { <a href="/deliveries" data-testid="nav-deliveries">{t(Msg::NavDeliveries)}</a> })}
                                        {is_admin.then(|| view! { <a href="/admin/users" data-testid="nav-admin">{t(Msg::NavAdmin)}</a> })}
                                        <span class="user" data-testid="current-user" title=t(Msg::SignedInAs)>
                                            {user.display_name.clone()} " (" {user.username.clone()} ")"
                                        </span>
                                        <SignOut />
                                    </nav>
                                }
                            })}
                    }
                })}
            </Suspense>
            <LanguageSwitch />
        </header>
    }
}

#[component]
fn SignOut() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let logout = ServerAction::<Logout>::new();
    view! {
        <ActionForm action=logout attr:class="inline">
            <button type="submit" data-testid="logout">
                {Msg::SignOut.text(locale)}
            </button>
        </ActionForm>
    }
}

/// A plain POST form: the server remembers the choice in a cookie and sends the page back.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let here = move || {
        let (path, search) = (location.pathname.get(), location.search.get());
        match search.trim_start_matches('?') {
            "" => path,
            q => format!("{path}?{q}"),
        }
    };
    let button = move |l: Locale, label: &'static str| {
        view! {
            <form method="post" action="/locale" class="inline">
                <input type="hidden" name="lang" value=l.code() />
                <input type="hidden" name="next" value=here />
                <button type="submit" data-testid=format!("lang-{}", l.code()) lang=l.code()>
                    {label}
                </button>
            </form>
        }
    };
    view! { <div class="lang">{button(Locale::En, "English")} {button(Locale::Ja, "日本語")}</div> }
}

/// AWS mode: forget the cached reads and load the page again from AWS.
#[component]
fn RefreshButton() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let refresh = ServerAction::<crate::api::oncall::Refresh>::new();
    Effect::new(move || {
        if refresh.value().get().is_some_and(|r| r.is_ok()) {
            #[cfg(feature = "hydrate")]
            let _ = leptos::prelude::window().location().reload();
        }
    });
    view! {
        <ActionForm action=refresh attr:class="inline">
            <button type="submit" data-testid="refresh">{Msg::Refresh.text(locale)}</button>
        </ActionForm>
    }
}
