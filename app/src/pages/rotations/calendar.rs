//! One rotation: a day, week or month calendar (an agenda on phones) in the rotation's zone or
//! the viewer's, rendered on the server; views, paging and the zone are links.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

use super::feeds::FeedsCard;
use super::overrides::OverridesCard;
use super::shared::{colour, fmt, names, rotation_path};
use super::swaps::SwapsCard;
use crate::api::rotations::{SaveRotation, rotation_page};
use crate::auth::Role;
use crate::domain::rotation::{Shift, ShiftKind};
use crate::domain::timezone::parse_time_zone;
use crate::forms::done_note;
use crate::i18n::{Locale, Msg};
use crate::model::rotations::RotationPageData;
use crate::pages::common::{encode_path_segment, loaded, query_param};
use crate::zone::{instant, viewer_zone};

/// How many days the calendar shows.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum CalendarView {
    Day,
    Week,
    Month,
}

impl CalendarView {
    const ALL: [(CalendarView, &'static str, Msg); 3] = [
        (CalendarView::Day, "day", Msg::ViewDay),
        (CalendarView::Week, "week", Msg::ViewWeek),
        (CalendarView::Month, "month", Msg::ViewMonth),
    ];

    fn days(self) -> i64 {
        match self {
            CalendarView::Day => 1,
            CalendarView::Week => 7,
            CalendarView::Month => 35,
        }
    }

    fn name(self) -> &'static str {
        Self::ALL.iter().find(|(v, ..)| *v == self).map_or("week", |(_, n, _)| n)
    }

    fn parse(s: &str) -> CalendarView {
        Self::ALL.iter().find(|(_, n, _)| *n == s).map_or(CalendarView::Week, |(v, ..)| *v)
    }
}

/// What the calendar's links change: the view, the first day, and whose zone.
#[derive(Clone, Copy)]
struct Window {
    view: CalendarView,
    offset: i64,
    mine: bool,
}

impl Window {
    fn from_query() -> Window {
        Window {
            view: CalendarView::parse(&query_param("view").unwrap_or_default()),
            offset: query_param("offset").and_then(|o| o.parse().ok()).unwrap_or(0).clamp(-3650, 3650),
            mine: query_param("zone").as_deref() == Some("mine"),
        }
    }

    fn href(self, base: &str) -> String {
        let zone = if self.mine { "&zone=mine" } else { "" };
        format!("{base}?view={}&offset={}{zone}", self.view.name(), self.offset)
    }
}

fn local_date(t: DateTime<Utc>, zone: &str) -> NaiveDate {
    parse_time_zone(zone).map_or_else(|| t.date_naive(), |tz| t.with_timezone(&tz).date_naive())
}

/// Midnight of `date` in `zone`, as an instant.
fn midnight(date: NaiveDate, zone: &str) -> DateTime<Utc> {
    let naive = date.and_time(chrono::NaiveTime::MIN);
    parse_time_zone(zone)
        .and_then(|tz| tz.from_local_datetime(&naive).earliest())
        .map_or_else(|| naive.and_utc(), |t| t.with_timezone(&Utc))
}

#[component]
pub fn RotationPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let id = use_params_map().read_untracked().get("id").unwrap_or_default();
    let window = Window::from_query();
    let data = Resource::new(
        move || id.clone(),
        move |id| rotation_page(id, window.offset, u32::try_from(window.view.days() + 2).unwrap_or(9)),
    );
    view! {
        {loaded(data, move |page| {
            let zone = if window.mine { viewer_zone(locale) } else { page.detail.rotation.time_zone.clone() };
            view! {
                // A rotation just made in the editor opens here.
                {done_note(SaveRotation::PATH, Msg::RotationCreated, locale)}
                <RotationHeader page=page.clone() />
                <CalendarCard page=page.clone() zone window />
                <OverridesCard page=page.clone() />
                <SwapsCard page=page.clone() />
                <FeedsCard page />
            }
        })}
    }
}

#[component]
fn RotationHeader(page: RotationPageData) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let d = &page.detail;
    let base = rotation_path(&d.id);
    view! {
        <section class="card">
            <h1 data-testid="rotation-name">{d.name.clone()}</h1>
            <p class="meta">
                {d.rotation.time_zone.clone()} " · " {t(Msg::Version)} " " <span data-testid="rotation-version">{d.version}</span>
            </p>
            <p class="meta">{t(Msg::Members)} ": " {names(&page.people, &d.rotation.members, locale)}</p>
            <p class="actions">
                {(page.role >= Role::Manager).then(|| view! { <a href=format!("{base}/edit") data-testid="edit-link">{t(Msg::Edit)}</a> " " })}
                <a href=format!("{base}/history") data-testid="history-link">{t(Msg::History)}</a>
            </p>
            {(page.role < Role::Manager).then(|| view! { <p class="meta" data-testid="view-only">{t(Msg::ViewOnly)}</p> })}
            {page
                .unreachable
                .iter()
                .map(|(alias, from)| {
                    let zone = crate::zone::viewer_zone(locale);
                    view! {
                        <p class="error" role="alert" data-testid="unreachable-soon">
                            <a href=crate::model::people::person_path(alias)>{names(&page.people, std::slice::from_ref(alias), locale)}</a>
                            " " {t(Msg::UnreachableOnCall)} " " <crate::zone::When at=*from zone />
                        </p>
                    }
                })
                .collect_view()}
        </section>
    }
}

#[component]
fn CalendarCard(page: RotationPageData, zone: String, window: Window) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let base = format!("/rotations/{}", encode_path_segment(&page.detail.id));
    let link = |w: Window| w.href(&base);
    let step = window.view.days();
    let views = CalendarView::ALL
        .map(|(v, name, label)| {
            view! {
                <a class="button" class:active=v == window.view href=link(Window { view: v, ..window }) data-testid=format!("view-{name}")>
                    {t(label)}
                </a>
            }
        })
        .into_iter().collect_view();
    let toggle_label = if window.mine { Msg::ZoneRotation } else { Msg::ZoneMine };
    view! {
        <section class="card" data-testid="calendar">
            <h2>{t(Msg::Calendar)}</h2>
            <nav class="toolbar">
                {views}
                <a class="button" href=link(Window { offset: window.offset - step, ..window }) data-testid="earlier">{t(Msg::Earlier)}</a>
                <a class="button" href=link(Window { offset: 0, ..window }) data-testid="today">{t(Msg::Today)}</a>
                <a class="button" href=link(Window { offset: window.offset + step, ..window }) data-testid="later">{t(Msg::Later)}</a>
                <a class="button" href=link(Window { mine: !window.mine, ..window }) data-testid="zone-toggle">{t(toggle_label)}</a>
                <span class="meta" data-testid="zone">{zone.clone()}</span>
            </nav>
            <CalendarGrid page zone days=step />
        </section>
    }
}

/// Days as cells (a grid on wide screens, an agenda on phones); each lists its shifts clipped
/// to the day, overrides marked, uncovered time highlighted and the current shift marked.
#[component]
fn CalendarGrid(page: RotationPageData, zone: String, days: i64) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let now = instant(page.now);
    let first = local_date(instant(page.from + 86_400), &zone);
    let cells = (0..days)
        .map(|i| {
            let date = first + Duration::days(i);
            let (start, end) = (midnight(date, &zone), midnight(date + Duration::days(1), &zone));
            let mut parts: Vec<(DateTime<Utc>, DateTime<Utc>, Option<&Shift>)> = Vec::new();
            let mut cursor = start;
            for s in page.shifts.iter().filter(|s| s.end > start && s.start < end) {
                if s.start > cursor {
                    parts.push((cursor, s.start, None));
                }
                parts.push((s.start.max(start), s.end.min(end), Some(s)));
                cursor = s.end.min(end);
            }
            if cursor < end && instant(page.to) >= end {
                parts.push((cursor, end, None));
            }
            let today = start <= now && now < end;
            let rows = parts
                .into_iter()
                .map(|(s, e, shift)| {
                    let time = format!("{}–{}", fmt(s, &zone, "%H:%M"), fmt(e, &zone, "%H:%M"));
                    let current = s <= now && now < e;
                    match shift {
                        None => view! {
                            <li class="gap" data-testid="uncovered"><time>{time}</time> " " {Msg::Uncovered.text(locale)}</li>
                        }
                        .into_any(),
                        Some(shift) => {
                            let overridden = matches!(shift.kind, ShiftKind::Overridden { .. });
                            let colours = shift.members.first().map(|m| colour(&page.detail.rotation, m)).unwrap_or_default();
                            let instead = match &shift.kind {
                                ShiftKind::Overridden { displaced } => format!(" ({} {})", Msg::Instead.text(locale), names(&page.people, displaced, locale)),
                                ShiftKind::Regular => String::new(),
                            };
                            view! {
                                <li class=format!("shift {colours}") class:override=overridden class:now=current
                                    data-testid="shift" data-members=shift.members.join(",") data-start=shift.start.timestamp() data-end=shift.end.timestamp()>
                                    <time>{time}</time> " " {names(&page.people, &shift.members, locale)} {instead}
                                </li>
                            }
                            .into_any()
                        }
                    }
                })
                .collect_view();
            view! {
                <div class="day" class:today=today data-testid="calendar-day" data-date=date.to_string()>
                    <h3>{date.format("%m-%d").to_string()} " " {locale.weekday(date.weekday())}</h3>
                    <ul class="plain">{rows}</ul>
                </div>
            }
        })
        .collect_view();
    view! { <div class=format!("calendar days-{days}")>{cells}</div> }
}
