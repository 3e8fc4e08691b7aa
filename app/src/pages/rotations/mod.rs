//! Rotations: the list, and one rotation's calendar (with overrides, swaps and feeds), editor
//! and history.

pub mod calendar;
pub mod editor;
pub mod feeds;
pub mod history;
pub mod overrides;
pub mod shared;
pub mod swaps;

use leptos::prelude::*;

use crate::api::oncall::list_rotations;
use crate::auth::Role;
use crate::domain::rotation::HandOff;
use crate::i18n::{Locale, Msg};
use crate::model::oncall::{RotationView, ShiftSummary};
use crate::pages::common::{loaded_list, page_user, query_param};
use crate::paths::NEW_ROTATION_PATH;
use shared::{hm, rotation_path};

/// Which rotations the list shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ListFilter {
    All,
    Gaps,
    Mine,
}

impl ListFilter {
    const ALL: [(ListFilter, &'static str, Msg); 3] = [
        (ListFilter::All, "all", Msg::FilterAll),
        (ListFilter::Gaps, "gaps", Msg::FilterGaps),
        (ListFilter::Mine, "mine", Msg::FilterMine),
    ];

    fn parse(s: &str) -> ListFilter {
        Self::ALL.iter().find(|(_, name, _)| *name == s).map_or(ListFilter::All, |(f, ..)| *f)
    }
}

fn matches(v: &RotationView, query: &str, filter: ListFilter, mine: Option<&str>) -> bool {
    let q = query.to_lowercase();
    let found = q.is_empty()
        || v.name.to_lowercase().contains(&q)
        || v.rotation.members.iter().any(|m| m.to_lowercase().contains(&q));
    found
        && match filter {
            ListFilter::All => true,
            ListFilter::Gaps => v.gap_soon,
            ListFilter::Mine => mine.is_some_and(|m| v.rotation.members.iter().any(|x| x == m)),
        }
}

fn handoff_text(h: &HandOff, locale: Locale) -> String {
    let times = |v: Vec<String>| v.join(", ");
    match h {
        HandOff::Daily(t) => {
            format!("{} {}", Msg::HandOffDaily.text(locale), times(t.iter().map(|t| hm(*t)).collect()))
        }
        HandOff::Weekly(t) => format!(
            "{} {}",
            Msg::HandOffWeekly.text(locale),
            times(t.iter().map(|(d, t)| format!("{} {}", locale.weekday(*d), hm(*t))).collect())
        ),
        HandOff::Monthly(t) => format!(
            "{} {}",
            Msg::HandOffMonthly.text(locale),
            times(t.iter().map(|(d, t)| format!("{d}. {}", hm(*t))).collect())
        ),
    }
}

/// "2 d 3 h", "45 min": how long until a hand-off.
fn duration_text(secs: i64, locale: Locale) -> String {
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    let ja = locale == Locale::Ja;
    match (d, h, ja) {
        (0, 0, _) => format!("{m} {}", Msg::Minutes.text(locale)),
        (0, _, true) => format!("{h}時間{m}分"),
        (0, _, false) => format!("{h} h {m} min"),
        (_, _, true) => format!("{d}日{h}時間"),
        (_, _, false) => format!("{d} d {h} h"),
    }
}

/// Every rotation with who is on call now and next; search and filters are a GET form.
#[component]
pub fn RotationsPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let rotations = Resource::new(|| (), |()| list_rotations());
    let query = query_param("q").unwrap_or_default();
    let filter = ListFilter::parse(&query_param("filter").unwrap_or_default());
    let mine = page_user().and_then(|u| u.contact);
    let shown_query = query.clone();
    let manager = page_user().is_some_and(|u| u.role >= Role::Manager);
    view! {
        <section class="card">
            <h1>{t(Msg::NavRotations)}</h1>
            {manager.then(|| view! { <p><a class="button" href=NEW_ROTATION_PATH data-testid="new-rotation">{t(Msg::NewRotation)}</a></p> })}
            <form method="get" class="filters" data-testid="rotation-filters">
                <label>{t(Msg::Search)}
                    <input type="search" name="q" data-testid="rotation-search" value=shown_query />
                </label>
                <label>{t(Msg::Show)}
                    <select name="filter" data-testid="rotation-filter">
                        {ListFilter::ALL.map(|(f, name, label)| view! { <option value=name selected=f == filter>{t(label)}</option> }).into_iter().collect_view()}
                    </select>
                </label>
                <button type="submit" data-testid="rotation-search-submit">{t(Msg::Search)}</button>
            </form>
            {loaded_list(rotations, Msg::EmptyRotations, move |list: Vec<RotationView>| {
                let shown: Vec<RotationView> = list.into_iter().filter(|v| matches(v, &query, filter, mine.as_deref())).collect();
                if shown.is_empty() {
                    return view! { <p class="empty" data-testid="no-match">{t(Msg::NoMatch)}</p> }.into_any();
                }
                shown.into_iter().map(|v| view! { <RotationCard view=v /> }).collect_view().into_any()
            })}
        </section>
    }
}

/// One rotation: its rules, and who is on call now and next.
#[component]
fn RotationCard(view: RotationView) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let r = &view.rotation;
    let names = |s: &ShiftSummary| if s.members.is_empty() { t(Msg::Nobody).to_owned() } else { s.who() };
    let now_line = view
        .current
        .as_ref()
        .map_or_else(|| t(Msg::Nobody).to_owned(), |s| format!("{} ({} {})", names(s), t(Msg::Until), s.end));
    let next_line =
        view.next.as_ref().map_or_else(|| "—".to_owned(), |s| format!("{} ({} {})", names(s), t(Msg::From), s.start));
    view! {
        <article class="item" data-testid="rotation" data-name=view.name.clone()>
            <h2><a href=rotation_path(&view.id) data-testid="open-rotation">{view.name.clone()}</a></h2>
            {view.gap_soon.then(|| view! { <p class="warning" data-testid="gap-warning">{t(Msg::GapWarning)}</p> })}
            {view.next_handoff_in_secs.map(|s| view! { <p class="meta" data-testid="next-handoff">{t(Msg::NextHandOffIn)} " " {duration_text(s, locale)}</p> })}
            <p class="meta">
                {handoff_text(&r.handoff, locale)} " · " {r.time_zone.clone()} " · " {t(Msg::NumberOnCall)} " "
                {r.number_on_call}
            </p>
            <dl>
                <dt>{t(Msg::OnCallNow)}</dt>
                <dd data-testid="on-call-now">{now_line}</dd>
                <dt>{t(Msg::OnCallNext)}</dt>
                <dd data-testid="on-call-next">{next_line}</dd>
                <dt>{t(Msg::Members)}</dt>
                <dd>{if view.member_names.len() == r.members.len() { view.member_names.join(" → ") } else { r.members.join(" → ") }}</dd>
                <dt>{t(Msg::Overrides)}</dt>
                <dd>{view.upcoming_overrides}</dd>
            </dl>
        </article>
    }
}
