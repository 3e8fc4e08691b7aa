//! `/`: what someone opening the console wants first: who is on call in their rotations, their
//! pages waiting, open incidents, and people nothing can reach. Each list says what would be
//! there, and how to get it there, when it is empty.

use leptos::prelude::*;

use crate::api::home::load_home;
use crate::i18n::{Locale, Msg};
use crate::model::home::HomeOverview;
use crate::model::oncall::ShiftSummary;
use crate::model::people::person_path;
use crate::pages::common::loaded;
use crate::paths::{incident_path, rotation_path};

#[component]
pub fn HomePage() -> impl IntoView {
    let overview = Resource::new(|| (), |()| load_home());
    view! { {loaded(overview, |o| view! { <Overview o /> })} }
}

#[component]
fn Overview(o: HomeOverview) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let names = |s: &ShiftSummary| if s.members.is_empty() { t(Msg::Nobody).to_owned() } else { s.who() };
    let rotations = if o.rotations.is_empty() {
        view! { <p class="meta" data-testid="home-no-rotations">{t(Msg::HomeNoRotations)} " " <a href="/rotations/new">{t(Msg::NewRotation)}</a></p> }.into_any()
    } else {
        let rows = o
            .rotations
            .iter()
            .map(|r| {
                let now = r.current.as_ref().map_or_else(
                    || t(Msg::Nobody).to_owned(),
                    |s| format!("{} ({} {})", names(s), t(Msg::Until), s.end),
                );
                let next = r
                    .next
                    .as_ref()
                    .map_or_else(|| "—".to_owned(), |s| format!("{} ({} {})", names(s), t(Msg::From), s.start));
                view! {
                    <tr data-testid="home-rotation" data-name=r.name.clone()>
                        <td data-label=t(Msg::NavRotations)><a href=rotation_path(&r.id)>{r.name.clone()}</a></td>
                        <td data-label=t(Msg::OnCallNow) data-testid="home-on-call-now">{now}</td>
                        <td data-label=t(Msg::OnCallNext)>{next}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="rows">
                <thead><tr><th>{t(Msg::NavRotations)}</th><th>{t(Msg::OnCallNow)}</th><th>{t(Msg::OnCallNext)}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    let pages = if !o.linked {
        view! { <p class="meta" data-testid="home-not-linked">{t(Msg::HomeNotLinked)}</p> }.into_any()
    } else if o.open_pages.is_empty() {
        view! { <p class="meta" data-testid="home-nothing-open">{t(Msg::NothingWaiting)}</p> }.into_any()
    } else {
        let items = o
            .open_pages
            .iter()
            .map(|p| view! { <li><strong>{crate::domain::incident::localized_subject(&p.subject, locale)}</strong></li> })
            .collect_view();
        view! {
            <ul data-testid="home-open-pages">{items}</ul>
            <p><a class="button primary" href="/me" data-testid="home-to-me">{t(Msg::AcknowledgeOnMyPages)}</a></p>
        }
        .into_any()
    };
    let incidents = if o.incidents.is_empty() {
        view! { <p class="meta" data-testid="home-no-incidents">{t(Msg::HomeNoIncidents)}</p> }.into_any()
    } else {
        let items = o
            .incidents
            .iter()
            .map(|i| view! { <li data-testid="home-incident"><a href=incident_path(&i.id)>{i.title.clone()}</a> <span class="meta">{t(Msg::Impact)} " " {i.impact}</span></li> })
            .collect_view();
        view! { <ul>{items}</ul> }.into_any()
    };
    let reach = if o.unreachable.is_empty() {
        view! { <p class="meta" data-testid="home-all-reachable">{t(Msg::HomeAllReachable)}</p> }.into_any()
    } else {
        let items = o
            .unreachable
            .iter()
            .map(|(alias, name)| view! { <li data-testid="home-unreachable"><a href=person_path(alias)>{name.clone()}</a></li> })
            .collect_view();
        view! { <p class="warning">{t(Msg::HomeUnreachable)}</p> <ul>{items}</ul> }.into_any()
    };
    view! {
        <section class="card" data-testid="home">
            <h1>{t(if o.mine { Msg::HomeMyRotations } else { Msg::HomeRotations })}</h1>
            {rotations}
            <h2>{t(Msg::WaitingForYou)}</h2>
            {pages}
            <h2>{t(Msg::HomeOpenIncidents)}</h2>
            {incidents}
            <p class="meta"><a href="/incidents">{t(Msg::NavIncidents)}</a></p>
            <h2>{t(Msg::HomeReach)}</h2>
            {reach}
        </section>
    }
}
