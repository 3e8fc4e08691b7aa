//! The HTML shell, the header and footer, and the route table. Every page renders on the server;
//! only the islands a page contains (see [`crate::islands`]) run in the browser, and navigation is
//! ordinary page loads.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::{SsrMode, path};

use crate::api::oncall::Refresh;
use crate::api::session::Logout;
use crate::auth::Role;
use crate::i18n::{Locale, Msg, current_locale};
use crate::model::session::BackendMode;
use crate::pages::admin::{ApiKeysPage, AuditPage, UsersPage};
use crate::pages::alerts::{AlertPage, AlertsPage, IntegrationsPage, MaintenancePage, RulesPage};
use crate::pages::auth::{LoginPage, SetupPage};
use crate::pages::common::{Guarded, NotFound};
use crate::pages::drills::{DrillPage, DrillsPage};
use crate::pages::home::HomePage;
use crate::pages::incidents::{AnalyticsPage, IncidentPage, IncidentReviewPage, IncidentsPage, NewIncidentPage};
use crate::pages::me::MePage;
use crate::pages::oncall::{ContactsPage, DeliveriesPage, EngagementsPage, ResponsePlansPage};
use crate::pages::people::PersonPage;
use crate::pages::plans::{PlanEditPage, PlanNewPage};
use crate::pages::response_plans::{ResponsePlanEditPage, ResponsePlanNewPage};
use crate::pages::rotations::RotationsPage;
use crate::pages::rotations::calendar::RotationPage;
use crate::pages::rotations::editor::{RotationEditPage, RotationNewPage};
use crate::pages::rotations::history::RotationHistoryPage;
use crate::pages::schedules::{ScheduleEditPage, ScheduleNewPage};
use crate::zone::{ZONE_SCRIPT, viewer_zone};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    // Islands mode: the page itself is not hydrated, so it needs neither hydration markers nor its
    // data serialised for the browser; an island switches hydration on for its own markup.
    if let Some(sc) = Owner::current_shared_context() {
        sc.set_is_hydrating(false);
    }
    #[cfg(feature = "ssr")]
    provide_request_nonce();
    let locale = current_locale();
    let zone = viewer_zone(locale);
    provide_context(options.clone());
    view! {
        <!DOCTYPE html>
        <html lang=locale.code() data-tz=zone>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <script nonce=leptos::nonce::use_nonce() inner_html=ZONE_SCRIPT></script>
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The Content-Security-Policy nonce the server's header middleware made for this response
/// (`server::web::security_headers`), for the inline scripts: the zone script and the islands'
/// hydration scripts. Without one (a test rendering the shell alone), inline scripts carry none.
#[cfg(feature = "ssr")]
fn provide_request_nonce() {
    let nonce = use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<leptos::nonce::Nonce>().cloned());
    if let Some(nonce) = nonce {
        provide_context(nonce);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let locale = current_locale();
    provide_context(locale);
    #[cfg(feature = "ssr")]
    let css = use_context::<LeptosOptions>().map(|o| crate::islands::stylesheet_href(&o)).unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    let css = "";

    let guarded = |role: Role, page: fn() -> AnyView| move || view! { <Guarded role>{page()}</Guarded> };
    view! {
        <Stylesheet id="leptos" href=css />
        <Title text=Msg::AppName.text(locale) />
        <Router>
            <Header />
            <main class="main">
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/setup") view=SetupPage ssr=SsrMode::Async />
                    <Route path=path!("/") view=guarded(Role::Viewer, || HomePage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/rotations") view=guarded(Role::Viewer, || RotationsPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/rotations/new") view=guarded(Role::Manager, || RotationNewPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/rotations/:id") view=guarded(Role::Viewer, || RotationPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/rotations/:id/edit") view=guarded(Role::Manager, || RotationEditPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/rotations/:id/history") view=guarded(Role::Viewer, || RotationHistoryPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/escalation") view=guarded(Role::Viewer, || ContactsPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/escalation/people/:alias") view=guarded(Role::Viewer, || PersonPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/escalation/drills") view=guarded(Role::Viewer, || DrillsPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/escalation/drills/:id") view=guarded(Role::Viewer, || DrillPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/escalation/new-schedule") view=guarded(Role::Manager, || ScheduleNewPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/escalation/schedules/:alias") view=guarded(Role::Manager, || ScheduleEditPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/escalation/new-plan") view=guarded(Role::Manager, || PlanNewPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/escalation/plans/:alias") view=guarded(Role::Manager, || PlanEditPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/routing") view=guarded(Role::Viewer, || ResponsePlansPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/routing/integrations") view=guarded(Role::Viewer, || IntegrationsPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/routing/alerts") view=guarded(Role::Viewer, || AlertsPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/routing/alerts/:id") view=guarded(Role::Viewer, || AlertPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/routing/rules") view=guarded(Role::Viewer, || RulesPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/routing/maintenance") view=guarded(Role::Viewer, || MaintenancePage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/routing/new-plan") view=guarded(Role::Manager, || ResponsePlanNewPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/routing/plans/:name") view=guarded(Role::Manager, || ResponsePlanEditPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/incidents") view=guarded(Role::Viewer, || IncidentsPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/incidents/new") view=guarded(Role::Responder, || NewIncidentPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/incidents/analytics") view=guarded(Role::Viewer, || AnalyticsPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/incidents/:id") view=guarded(Role::Viewer, || IncidentPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/incidents/:id/review") view=guarded(Role::Viewer, || IncidentReviewPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/me") view=guarded(Role::Viewer, || MePage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/engagements") view=guarded(Role::Viewer, || EngagementsPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/deliveries") view=guarded(Role::Manager, || DeliveriesPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/admin/users") view=guarded(Role::Admin, || UsersPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/admin/audit") view=guarded(Role::Admin, || AuditPage().into_any()) ssr=SsrMode::Async />
                    <Route path=path!("/admin/api-keys") view=guarded(Role::Admin, || ApiKeysPage().into_any()) ssr=SsrMode::Async />
                </Routes>
            </main>
            <Footer />
        </Router>
    }
}

/// The current path with its query, for forms that come back to this page.
fn here() -> String {
    let location = use_location();
    let (path, search) = (location.pathname.get_untracked(), location.search.get_untracked());
    match search.trim_start_matches('?') {
        "" => path,
        q => format!("{path}?{q}"),
    }
}

/// Brand, backend, navigation, the signed-in user, sign-out and language. No script: on phones
/// the menu opens with a checkbox and CSS.
#[component]
fn Header() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let info = crate::api::session::session_info();
    let t = move |m: Msg| m.text(locale);
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                {t(Msg::AppName)}
            </a>
            {
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
                        {(backend == BackendMode::Aws && user.is_some()).then(|| view! {
                            <form method="post" action=Refresh::PATH class="inline">
                                <button type="submit" data-testid="refresh">{t(Msg::Refresh)}</button>
                            </form>
                        })}
                        {user.map(|user| {
                            let is_admin = user.role >= Role::Admin;
                            let is_manager = user.role >= Role::Manager;
                            view! {
                                // One tap to "My pages" on a phone, outside the folded menu.
                                <a class="me-link" href="/me" data-testid="nav-me">{t(Msg::MyPages)}</a>
                                <input type="checkbox" id="menu-open" class="menu-box" aria-label=t(Msg::Menu) />
                                <label for="menu-open" class="menu-toggle" data-testid="menu-toggle">{t(Msg::Menu)}</label>
                                <nav class="nav">
                                    <a href="/rotations" data-testid="nav-rotations">{t(Msg::NavRotations)}</a>
                                    <a href="/escalation" data-testid="nav-escalation">{t(Msg::NavEscalation)}</a>
                                    <a href="/routing" data-testid="nav-routing">{t(Msg::NavRouting)}</a>
                                    <a href="/incidents" data-testid="nav-incidents">{t(Msg::NavIncidents)}</a>
                                    <a href="/engagements" data-testid="nav-engagements">{t(Msg::NavEngagements)}</a>
                                    {is_manager.then(|| view! { <a href="/deliveries" data-testid="nav-deliveries">{t(Msg::NavDeliveries)}</a> })}
                                    {is_admin.then(|| view! { <a href="/admin/users" data-testid="nav-admin">{t(Msg::NavAdmin)}</a> })}
                                    <a class="user" href="/me" data-testid="current-user" title=t(Msg::MyPages)>
                                        {user.display_name.clone()} " (" {user.username.clone()} ")"
                                    </a>
                                    <form method="post" action=Logout::PATH class="inline">
                                        <button type="submit" data-testid="logout">{t(Msg::SignOut)}</button>
                                    </form>
                                </nav>
                            }
                        })}
                    }
            }
            <LanguageSwitch />
        </header>
    }
}

/// A plain POST form: the server remembers the choice in a cookie and sends the page back.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let next = here();
    let button = move |l: Locale, label: &'static str| {
        view! {
            <form method="post" action="/locale" class="inline">
                <input type="hidden" name="lang" value=l.code() />
                <input type="hidden" name="next" value=next.clone() />
                <button type="submit" data-testid=format!("lang-{}", l.code()) lang=l.code()>
                    {label}
                </button>
            </form>
        }
    };
    view! { <div class="lang">{button(Locale::En, "English")} {button(Locale::Ja, "日本語")}</div> }
}

/// Which zone times are shown in, and a switch to UTC or back to the browser's zone.
#[component]
fn Footer() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let zone = viewer_zone(locale);
    let next = here();
    let choice = move |value: &'static str, label: Msg, testid: &'static str| {
        view! {
            <form method="post" action="/zone" class="inline">
                <input type="hidden" name="tz" value=value />
                <input type="hidden" name="next" value=next.clone() />
                <button type="submit" class="link" data-testid=testid>{t(label)}</button>
            </form>
        }
    };
    view! {
        <footer class="footer">
            <span data-testid="viewer-zone">{t(Msg::TimesIn)} " " {zone}</span>
            {choice("UTC", Msg::ShowUtc, "zone-utc")}
            {choice("", Msg::ZoneAutomatic, "zone-auto")}
        </footer>
    }
}
