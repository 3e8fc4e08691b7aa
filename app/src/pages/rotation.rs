//! One rotation: its calendar (day, week, month; an agenda on phones) in the rotation's zone or
//! the viewer's, overrides, swaps and calendar feeds; the editor with a live preview computed in
//! the browser; and the roster history with restore.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::rotations::{
    FeedKind, RotationDetail, RotationPageData, SwapRequest, SwapStatus, SwapView, add_override, answer_swap,
    approve_swap, delete_override, regenerate_feed, request_swap, restore_rotation, rotation_history, rotation_page,
    save_rotation, set_swap_approval,
};
use crate::auth::Role;
use crate::domain::roster::{DstEffect, Preview, Roster, RosterVersion, VersionKind, preview};
use crate::domain::rotation::{
    Coverage, HandOff, HandOffTime, MAX_MEMBERS, MAX_MULTIPLIER, Override, Rotation, Shift, ShiftKind, parse_time_zone,
};
use crate::error::{AppError, FieldError};
use crate::i18n::{Locale, Msg};
use crate::pages::common::encode_path_segment;

/// The browser's IANA zone (none while rendering on the server).
fn browser_zone() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let options =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new()).resolved_options();
        js_sys::Reflect::get(&options, &"timeZone".into()).ok()?.as_string()
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

/// Milliseconds from the browser's monotonic clock (0 on the server).
fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
    }
    #[cfg(not(feature = "hydrate"))]
    0.0
}

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn fmt(t: DateTime<Utc>, zone: &str, pattern: &str) -> String {
    match parse_time_zone(zone) {
        Some(tz) => t.with_timezone(&tz).format(pattern).to_string(),
        None => t.format(pattern).to_string(),
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

/// A `datetime-local` value in `zone` as an instant.
fn parse_local(value: &str, zone: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(value.trim(), "%Y-%m-%dT%H:%M").ok()?;
    let tz = parse_time_zone(zone)?;
    tz.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&Utc))
}

fn rotation_id() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("id").unwrap_or_default())
}

/// The colour class of a member: stable per position in the rotation.
fn colour(rotation: &Rotation, alias: &str) -> String {
    let i = rotation.members.iter().position(|m| m == alias).unwrap_or(rotation.members.len());
    format!("c{}", i % 8)
}

fn names(people: &[crate::api::rotations::Person], members: &[String], locale: Locale) -> String {
    if members.is_empty() {
        return Msg::Nobody.text(locale).to_owned();
    }
    members
        .iter()
        .map(|m| people.iter().find(|p| &p.alias == m).map_or_else(|| m.clone(), |p| p.name.clone()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CalendarView {
    Day,
    Week,
    Month,
}

impl CalendarView {
    fn days(self) -> i64 {
        match self {
            CalendarView::Day => 1,
            CalendarView::Week => 7,
            CalendarView::Month => 35,
        }
    }
}

#[component]
pub fn RotationPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let id = rotation_id();
    let view_kind = RwSignal::new(CalendarView::Week);
    // Days from today (in the rotation's zone) to the first day shown.
    let offset = RwSignal::new(0i64);
    let mine = RwSignal::new(false);
    let reload = RwSignal::new(0u32);
    let data = Resource::new(
        move || (id.get(), view_kind.get(), offset.get(), reload.get()),
        |(id, kind, offset, _)| rotation_page(id, offset, u32::try_from(kind.days() + 2).unwrap_or(9)),
    );
    view! {
        <Transition fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <p class="error">{e.message(locale)}</p> }.into_any(),
                    Ok(page) => {
                        let zone = if mine.get() {
                            browser_zone().unwrap_or_else(|| page.detail.rotation.time_zone.clone())
                        } else {
                            page.detail.rotation.time_zone.clone()
                        };
                        view! {
                            <RotationHeader page=page.clone() />
                            <section class="card" data-testid="calendar">
                                <h2>{t(Msg::Calendar)}</h2>
                                <div class="toolbar">
                                    {[(CalendarView::Day, Msg::ViewDay, "day"), (CalendarView::Week, Msg::ViewWeek, "week"), (CalendarView::Month, Msg::ViewMonth, "month")]
                                        .into_iter()
                                        .map(|(k, m, name)| view! {
                                            <button class:active=move || view_kind.get() == k data-testid=format!("view-{name}") on:click=move |_| view_kind.set(k)>{t(m)}</button>
                                        })
                                        .collect_view()}
                                    <button data-testid="earlier" on:click=move |_| offset.update(|o| *o -= view_kind.get_untracked().days())>{t(Msg::Earlier)}</button>
                                    <button data-testid="today" on:click=move |_| offset.set(0)>{t(Msg::Today)}</button>
                                    <button data-testid="later" on:click=move |_| offset.update(|o| *o += view_kind.get_untracked().days())>{t(Msg::Later)}</button>
                                    <label class="check">
                                        <input type="checkbox" data-testid="zone-toggle" prop:checked=move || mine.get() on:change=move |ev| mine.set(event_target_checked(&ev)) />
                                        {move || if mine.get() { t(Msg::ZoneMine) } else { t(Msg::ZoneRotation) }}
                                    </label>
                                    <span class="meta" data-testid="zone">{zone.clone()}</span>
                                </div>
                                <CalendarGrid page=page.clone() zone=zone.clone() days=view_kind.get().days() />
                            </section>
                            <OverridesCard page=page.clone() reload />
                            <SwapsCard page=page.clone() reload />
                            <FeedsCard page=page />
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn RotationHeader(page: RotationPageData) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let d = &page.detail;
    let base = format!("/rotations/{}", encode_path_segment(&d.id));
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
        </section>
    }
}

/// Days as cells (a grid on wide screens, an agenda on phones); each lists its shifts clipped
/// to the day, overrides marked, uncovered time highlighted and the current shift marked.
#[component]
fn CalendarGrid(page: RotationPageData, zone: String, days: i64) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let now = at(page.now);
    let first = local_date(at(page.from + 86_400), &zone);
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
            if cursor < end && at(page.to) >= end {
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
                    <h3>{date.format("%m-%d").to_string()} " " {weekday_name(date.weekday(), locale)}</h3>
                    <ul class="plain">{rows}</ul>
                </div>
            }
        })
        .collect_view();
    view! { <div class=format!("calendar days-{days}")>{cells}</div> }
}

fn weekday_name(d: Weekday, locale: Locale) -> &'static str {
    const JA: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let i = d.num_days_from_monday() as usize;
    if locale == Locale::Ja { JA[i] } else { EN[i] }
}

fn field_error(error: Option<AppError>, field: &str, locale: Locale) -> Option<String> {
    error.and_then(|e| e.field(field)).map(|m| m.text(locale).to_owned())
}

/// Overrides: list (delete for managers) and a form that a shift on the calendar can fill.
#[component]
fn OverridesCard(page: RotationPageData, reload: RwSignal<u32>) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let manager = page.role >= Role::Manager;
    let d = page.detail.clone();
    let zone = d.rotation.time_zone.clone();
    let (start, end, who) = (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let add_first = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let members = d.rotation.members.clone();
    let not_member = move || !who.get().is_empty() && !members.contains(&who.get());
    let (id, base) = (d.id.clone(), d.definition_version);
    let zone_for_submit = zone.clone();
    let submit = Action::new(move |value: &Override| {
        let (id, value, add) = (id.clone(), value.clone(), add_first.get_untracked());
        async move { add_override(id, value, add, base).await }
    });
    Effect::new(move || match submit.value().get() {
        Some(Ok(_)) => reload.update(|r| *r += 1),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let remove = Action::new(move |(rotation, id): &(String, String)| {
        let (rotation, id) = (rotation.clone(), id.clone());
        async move { delete_override(rotation, id).await }
    });
    Effect::new(move || {
        if remove.value().get().is_some() {
            reload.update(|r| *r += 1);
        }
    });
    // Picking a future shift on the calendar fills the form.
    let upcoming: Vec<Shift> = page.shifts.iter().filter(|s| s.end.timestamp() > page.now).cloned().collect();
    let pick_zone = zone.clone();
    view! {
        <section class="card" data-testid="overrides">
            <h2>{t(Msg::OverridesHeading)}</h2>
            <ul class="plain">
                {d.overrides.iter().map(|o| {
                    let (rid, oid) = (d.id.clone(), o.id.clone());
                    view! {
                        <li data-testid="override" data-members=o.value.members.join(",")>
                            {fmt(o.value.start, &zone, "%Y-%m-%d %H:%M")} " – " {fmt(o.value.end, &zone, "%Y-%m-%d %H:%M %Z")} ": "
                            {names(&page.people, &o.value.members, locale)}
                            {manager.then(|| view! { " " <button data-testid="delete-override" on:click=move |_| { remove.dispatch((rid.clone(), oid.clone())); }>{t(Msg::Delete)}</button> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {manager.then(|| view! {
                <form class="grid-form" data-testid="override-form" on:submit=move |ev| {
                    ev.prevent_default();
                    error.set(None);
                    match (parse_local(&start.get_untracked(), &zone_for_submit), parse_local(&end.get_untracked(), &zone_for_submit)) {
                        (Some(s), Some(e)) => { submit.dispatch(Override { start: s, end: e, members: vec![who.get_untracked()] }); }
                        _ => error.set(Some(AppError::Invalid(vec![FieldError::new("start", Msg::ErrStartTime)]))),
                    }
                }>
                    <h3>{t(Msg::AddOverride)}</h3>
                    <label>{t(Msg::Shift)}
                        <select data-testid="override-shift" on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if let Some((s, e)) = v.split_once('/') {
                                let parse = |x: &str| x.parse::<i64>().ok().map(at);
                                if let (Some(s), Some(e)) = (parse(s), parse(e)) {
                                    start.set(fmt(s, &pick_zone, "%Y-%m-%dT%H:%M"));
                                    end.set(fmt(e, &pick_zone, "%Y-%m-%dT%H:%M"));
                                }
                            }
                        }>
                            <option value="">"—"</option>
                            {upcoming.iter().map(|s| view! {
                                <option value=format!("{}/{}", s.start.timestamp(), s.end.timestamp())>
                                    {fmt(s.start, &zone, "%m-%d %H:%M")} "–" {fmt(s.end, &zone, "%m-%d %H:%M")} " " {names(&page.people, &s.members, locale)}
                                </option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label>{t(Msg::Starts)} <input type="datetime-local" data-testid="override-start" prop:value=move || start.get() on:input=move |ev| start.set(event_target_value(&ev)) />
                        <span class="field-error">{move || field_error(error.get(), "start", locale)}</span></label>
                    <label>{t(Msg::Ends)} <input type="datetime-local" data-testid="override-end" prop:value=move || end.get() on:input=move |ev| end.set(event_target_value(&ev)) />
                        <span class="field-error">{move || field_error(error.get(), "end", locale)}</span></label>
                    <label>{t(Msg::Replacement)}
                        <select data-testid="override-who" on:change=move |ev| who.set(event_target_value(&ev))>
                            <option value="">"—"</option>
                            {page.people.iter().map(|p| view! { <option value=p.alias.clone()>{p.name.clone()}</option> }).collect_view()}
                        </select>
                        <span class="field-error">{move || field_error(error.get(), "members", locale)}</span>
                    </label>
                    <Show when=not_member.clone()>
                        <label class="check"><input type="checkbox" data-testid="override-add-member" on:change=move |ev| add_first.set(event_target_checked(&ev)) />
                            {move || who.get()} " " {t(Msg::AddToRotationFirst)}</label>
                    </Show>
                    <p class="error">{move || error.get().filter(|e| !matches!(e, AppError::Invalid(_))).map(|e| e.message(locale))}</p>
                    <button type="submit" data-testid="override-submit">{t(Msg::AddOverride)}</button>
                </form>
            })}
        </section>
    }
}

fn swap_status(s: SwapStatus) -> Msg {
    match s {
        SwapStatus::Pending => Msg::SwapPending,
        SwapStatus::AwaitingApproval => Msg::SwapAwaiting,
        SwapStatus::Declined => Msg::SwapDeclined,
        SwapStatus::Rejected => Msg::SwapRejected,
        SwapStatus::Applied => Msg::SwapApplied,
    }
}

/// Swaps: the list with the answers each viewer may give, the approval switch, and a request form.
#[component]
fn SwapsCard(page: RotationPageData, reload: RwSignal<u32>) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let zone = page.detail.rotation.time_zone.clone();
    let me = page.me.clone();
    let manager = page.role >= Role::Manager;
    let error = RwSignal::new(None::<AppError>);
    let done = move |r: Option<Result<(), AppError>>| match r {
        Some(Ok(())) => reload.update(|n| *n += 1),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    };
    let answer = Action::new(|(id, yes): &(String, bool)| {
        let (id, yes) = (id.clone(), *yes);
        async move { answer_swap(id, yes).await.map(|_| ()) }
    });
    let approve = Action::new(|(id, yes): &(String, bool)| {
        let (id, yes) = (id.clone(), *yes);
        async move { approve_swap(id, yes).await.map(|_| ()) }
    });
    let request = Action::new(|r: &SwapRequest| {
        let r = r.clone();
        async move { request_swap(r).await.map(|_| ()) }
    });
    let approval = Action::new(|(id, on): &(String, bool)| {
        let (id, on) = (id.clone(), *on);
        async move { set_swap_approval(id, on).await }
    });
    Effect::new(move || done(answer.value().get()));
    Effect::new(move || done(approve.value().get()));
    Effect::new(move || done(request.value().get()));
    Effect::new(move || done(approval.value().get()));
    let rows = page.swaps.iter().map(|s: &SwapView| {
        let mine_to_answer = me.as_deref() == Some(s.answerer()) && s.status == SwapStatus::Pending;
        let to_approve = manager && s.status == SwapStatus::AwaitingApproval;
        let (a, b, c, d) = (s.id.clone(), s.id.clone(), s.id.clone(), s.id.clone());
        view! {
            <li data-testid="swap" data-status=s.status.as_str()>
                {fmt(at(s.start), &zone, "%m-%d %H:%M")} "–" {fmt(at(s.end), &zone, "%m-%d %H:%M")} ": "
                {names(&page.people, std::slice::from_ref(&s.from), locale)} " → " {names(&page.people, std::slice::from_ref(&s.to), locale)}
                " · " <span data-testid="swap-status">{t(swap_status(s.status))}</span>
                {mine_to_answer.then(|| view! {
                    " " <button data-testid="swap-accept" on:click=move |_| { answer.dispatch((a.clone(), true)); }>{t(Msg::Accept)}</button>
                    " " <button data-testid="swap-decline" on:click=move |_| { answer.dispatch((b.clone(), false)); }>{t(Msg::Decline)}</button>
                })}
                {to_approve.then(|| view! {
                    " " <button data-testid="swap-approve" on:click=move |_| { approve.dispatch((c.clone(), true)); }>{t(Msg::Approve)}</button>
                    " " <button data-testid="swap-reject" on:click=move |_| { approve.dispatch((d.clone(), false)); }>{t(Msg::Reject)}</button>
                })}
            </li>
        }
    }).collect_view();
    let rotation_id = page.detail.id.clone();
    let approval_id = rotation_id.clone();
    let required = page.detail.swap_approval;
    // Shifts a linked responder can offer (theirs) or ask for (someone else's), and with whom.
    let form = me.clone().filter(|_| page.role >= Role::Responder).map(|me| {
        let shift = RwSignal::new(String::new());
        let other = RwSignal::new(String::new());
        let upcoming: Vec<Shift> = page.shifts.iter().filter(|s| s.start.timestamp() > page.now && !s.members.is_empty()).cloned().collect();
        let chosen = upcoming.clone();
        let others: Vec<String> = page.detail.rotation.members.iter().filter(|m| **m != me).cloned().collect();
        let me2 = me.clone();
        view! {
            <form class="grid-form" data-testid="swap-form" on:submit=move |ev| {
                ev.prevent_default();
                error.set(None);
                let Some(s) = chosen.iter().find(|s| format!("{}/{}", s.start.timestamp(), s.end.timestamp()) == shift.get_untracked()) else { return };
                let other = other.get_untracked();
                let (from, to) = if s.members.contains(&me2) { (me2.clone(), other) } else { (s.members[0].clone(), me2.clone()) };
                request.dispatch(SwapRequest { rotation_id: rotation_id.clone(), start: s.start.timestamp(), end: s.end.timestamp(), from, to });
            }>
                <label>{t(Msg::Shift)}
                    <select data-testid="swap-shift" on:change=move |ev| shift.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {upcoming.iter().map(|s| view! {
                            <option value=format!("{}/{}", s.start.timestamp(), s.end.timestamp())>
                                {fmt(s.start, &zone, "%m-%d %H:%M")} "–" {fmt(s.end, &zone, "%m-%d %H:%M")} " " {names(&page.people, &s.members, locale)}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <label>{t(Msg::OfferShift)}
                    <select data-testid="swap-other" on:change=move |ev| other.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {others.iter().map(|m| view! { <option value=m.clone()>{names(&page.people, std::slice::from_ref(m), locale)}</option> }).collect_view()}
                    </select>
                </label>
                <button type="submit" data-testid="swap-submit">{t(Msg::RequestShift)}</button>
            </form>
        }
    });
    view! {
        <section class="card" data-testid="swaps">
            <h2>{t(Msg::SwapsHeading)}</h2>
            {manager.then(|| view! {
                <label class="check"><input type="checkbox" data-testid="swap-approval" prop:checked=required
                    on:change=move |ev| { approval.dispatch((approval_id.clone(), event_target_checked(&ev))); } />
                    {t(Msg::SwapApproval)}</label>
            })}
            <ul class="plain">{rows}</ul>
            {form}
            <p class="error" data-testid="swap-error">{move || error.get().map(|e| match &e {
                AppError::Invalid(f) => f.iter().map(|f| f.msg.text(locale)).collect::<Vec<_>>().join(" "),
                other => other.message(locale),
            })}</p>
        </section>
    }
}

/// Secret feed URLs: made (and shown) on request; a new one replaces the old.
#[component]
fn FeedsCard(page: RotationPageData) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let make = Action::new(|(kind, subject): &(FeedKind, String)| {
        let (kind, subject) = (*kind, subject.clone());
        async move { regenerate_feed(kind, subject).await }
    });
    let id = page.detail.id.clone();
    let me = page.me.clone();
    view! {
        <section class="card" data-testid="feeds">
            <h2>{t(Msg::FeedsHeading)}</h2>
            <p class="meta">{t(Msg::FeedHint)}</p>
            <button data-testid="feed-rotation" on:click=move |_| { make.dispatch((FeedKind::Rotation, id.clone())); }>{t(Msg::FeedRotation)}</button>
            {me.map(|me| view! { " " <button data-testid="feed-mine" on:click=move |_| { make.dispatch((FeedKind::Person, me.clone())); }>{t(Msg::FeedMine)}</button> })}
            {move || make.value().get().map(|r| match r {
                Ok(path) => {
                    #[cfg(feature = "hydrate")]
                    let origin = window().location().origin().unwrap_or_default();
                    #[cfg(not(feature = "hydrate"))]
                    let origin = String::new();
                    view! { <p>{t(Msg::NewFeedUrl)} ": " <code data-testid="feed-url">{format!("{origin}{path}")}</code></p> }.into_any()
                }
                Err(e) => view! { <p class="error">{e.message(locale)}</p> }.into_any(),
            })}
        </section>
    }
}

// ---- Editor ----

/// The form's raw text, so every keystroke is kept even while it does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Draft {
    name: String,
    members: Vec<String>,
    start: String,
    time_zone: String,
    kind: String,
    times: String,
    multiplier: String,
    number_on_call: String,
    coverage: String,
}

fn hm(t: HandOffTime) -> String {
    format!("{:02}:{:02}", t.hour, t.minute)
}

fn parse_hm(s: &str) -> Option<HandOffTime> {
    let (h, m) = s.trim().split_once(':')?;
    Some(HandOffTime::new(h.trim().parse().ok()?, m.trim().parse().ok()?))
}

impl Draft {
    fn of(name: &str, r: &Rotation) -> Draft {
        let (kind, times) = match &r.handoff {
            HandOff::Daily(v) => ("daily", v.iter().map(|t| hm(*t)).collect::<Vec<_>>()),
            HandOff::Weekly(v) => ("weekly", v.iter().map(|(d, t)| format!("{d} {}", hm(*t))).collect()),
            HandOff::Monthly(v) => ("monthly", v.iter().map(|(d, t)| format!("{d} {}", hm(*t))).collect()),
        };
        Draft {
            name: name.to_owned(),
            members: r.members.clone(),
            start: fmt(r.start, &r.time_zone, "%Y-%m-%dT%H:%M"),
            time_zone: r.time_zone.clone(),
            kind: kind.to_owned(),
            times: times.join(", "),
            multiplier: r.multiplier.to_string(),
            number_on_call: r.number_on_call.to_string(),
            coverage: r
                .coverage
                .iter()
                .map(|c| format!("{} {}-{}", c.day, hm(c.start), hm(c.end)))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// The rotation this draft describes, or every problem with it, each against its field.
    fn rotation(&self) -> Result<Rotation, Vec<FieldError>> {
        let mut errors = Vec::new();
        let start = parse_local(&self.start, &self.time_zone);
        if start.is_none() && parse_time_zone(&self.time_zone).is_some() {
            errors.push(FieldError::new("start", Msg::ErrStartTime));
        }
        let items: Vec<&str> = self.times.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
        let day_and_time = |s: &str| s.split_once(' ').map(|(d, t)| (d.trim().to_owned(), parse_hm(t)));
        let handoff = match self.kind.as_str() {
            "weekly" => items
                .iter()
                .map(|s| day_and_time(s).and_then(|(d, t)| Some((d.parse::<Weekday>().ok()?, t?))))
                .collect::<Option<Vec<_>>>()
                .map(HandOff::Weekly),
            "monthly" => items
                .iter()
                .map(|s| day_and_time(s).and_then(|(d, t)| Some((d.parse::<u8>().ok()?, t?))))
                .collect::<Option<Vec<_>>>()
                .map(HandOff::Monthly),
            _ => items.iter().map(|s| parse_hm(s)).collect::<Option<Vec<_>>>().map(HandOff::Daily),
        };
        let coverage = self
            .coverage
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (day, range) = l.split_once(' ')?;
                let (s, e) = range.split_once('-')?;
                Some(Coverage { day: day.parse().ok()?, start: parse_hm(s)?, end: parse_hm(e)? })
            })
            .collect::<Option<Vec<_>>>();
        let multiplier = self.multiplier.trim().parse::<u32>().ok();
        let number_on_call = self.number_on_call.trim().parse::<u32>().ok();
        for (ok, field, msg) in [
            (handoff.is_some(), "handoff", Msg::ErrHandOff),
            (coverage.is_some(), "coverage", Msg::ErrCoverage),
            (multiplier.is_some(), "multiplier", Msg::ErrMultiplier),
            (number_on_call.is_some(), "number_on_call", Msg::ErrNumberOnCall),
        ] {
            if !ok {
                errors.push(FieldError::new(field, msg));
            }
        }
        let rotation = Rotation {
            members: self.members.clone(),
            start: start.unwrap_or_default(),
            time_zone: self.time_zone.trim().to_owned(),
            handoff: handoff.unwrap_or(HandOff::Daily(Vec::new())),
            multiplier: multiplier.unwrap_or(0),
            number_on_call: number_on_call.unwrap_or(0),
            coverage: coverage.unwrap_or_default(),
        };
        if let Err(more) = rotation.validate() {
            let fresh: Vec<FieldError> =
                more.into_iter().filter(|m| !errors.iter().any(|e| e.field == m.field)).collect();
            errors.extend(fresh);
        }
        if errors.is_empty() { Ok(rotation) } else { Err(errors) }
    }
}

/// What the editor computed on the last keystroke, and how long it took.
#[derive(Clone, Debug, PartialEq)]
struct Computed {
    result: Result<Preview, Vec<FieldError>>,
    millis: f64,
}

#[component]
pub fn RotationEditPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let id = rotation_id();
    let data = Resource::new(move || id.get(), |id| rotation_page(id, 0, 1));
    view! {
        <Transition fallback=move || view! { <p>{Msg::Loading.text(locale)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => view! { <Editor page /> }.into_any(),
                    Err(e) => view! { <p class="error">{e.message(locale)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Days of shifts the editor's diff and DST check cover.
pub const PREVIEW_DAYS: i64 = 365;

#[component]
fn Editor(page: RotationPageData) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let saved = RwSignal::new(page.detail.clone());
    let draft = RwSignal::new(Draft::of(&page.detail.name, &page.detail.rotation));
    let now = at(page.now);
    let overrides: Vec<Override> = page.detail.overrides.iter().map(|o| o.value.clone()).collect();
    // The preview runs here, in the browser, on every change: no server round trip.
    let computed = Memo::new(move |_| {
        let started = now_ms();
        let result = draft
            .with(Draft::rotation)
            .map(|edited| saved.with(|s| preview(&s.rotation, &edited, &overrides, now, PREVIEW_DAYS)));
        Computed { result, millis: now_ms() - started }
    });
    let field = move |name: &'static str| {
        move || {
            computed.with(|c| {
                c.result
                    .as_ref()
                    .err()
                    .and_then(|errs| errs.iter().find(|e| e.field == name))
                    .map(|e| e.msg.text(locale))
            })
        }
    };
    let save_error = RwSignal::new(None::<AppError>);
    let conflict = RwSignal::new(None::<RotationDetail>);
    let saved_version = RwSignal::new(None::<u32>);
    let id = page.detail.id.clone();
    let save = Action::new(move |(): &()| {
        let (id, base) = (id.clone(), saved.with_untracked(|s| s.definition_version));
        let (name, rotation) = (draft.with_untracked(|d| d.name.clone()), draft.with_untracked(Draft::rotation));
        async move {
            let rotation = rotation.map_err(AppError::Invalid)?;
            match save_rotation(id.clone(), base, name, rotation).await {
                Err(AppError::StaleVersion { .. }) => {
                    let latest = rotation_page(id, 0, 1).await?;
                    Ok(Err(latest.detail))
                }
                other => other.map(Ok),
            }
        }
    });
    let edited_for_save = move || draft.with_untracked(Draft::rotation).ok();
    Effect::new(move || match save.value().get() {
        Some(Ok(Ok(version))) => {
            save_error.set(None);
            conflict.set(None);
            saved_version.set(Some(version));
            if let Some(rotation) = edited_for_save() {
                saved.update(|s| {
                    s.rotation = rotation;
                    s.definition_version = version;
                    s.version = version;
                });
            }
        }
        Some(Ok(Err(latest))) => {
            saved_version.set(None);
            conflict.set(Some(latest));
        }
        Some(Err(e)) => save_error.set(Some(e)),
        None => {}
    });
    let people = page.people.clone();
    let history = format!("/rotations/{}/history", encode_path_segment(&page.detail.id));
    let zone = move || draft.with(|d| d.time_zone.clone());
    let input = move |get: fn(&Draft) -> String, set: fn(&mut Draft, String), testid: &'static str| {
        view! { <input data-testid=testid prop:value=move || draft.with(get) on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| set(d, v)); } /> }
    };
    view! {
        <section class="card editor" data-testid="editor">
            <h1>{t(Msg::Edit)} ": " {page.detail.name.clone()}</h1>
            <p class="meta">{t(Msg::Version)} " " <span data-testid="base-version">{move || saved.with(|s| s.definition_version)}</span></p>
            <label>{t(Msg::Name)} {input(|d| d.name.clone(), |d, v| d.name = v, "edit-name")}</label>
            <fieldset>
                <legend>{t(Msg::Members)} " (≤ " {MAX_MEMBERS} ")"</legend>
                <p class="meta">{t(Msg::ReorderHint)}</p>
                <MemberList draft people=people.clone() />
                <span class="field-error">{field("members")}</span>
            </fieldset>
            <label>{t(Msg::StartsAt)}
                <input type="datetime-local" data-testid="edit-start" prop:value=move || draft.with(|d| d.start.clone()) on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.start = v); } />
                <span class="field-error">{field("start")}</span></label>
            <label>{t(Msg::TimeZone)} " (IANA, e.g. Asia/Tokyo)" {input(|d| d.time_zone.clone(), |d, v| d.time_zone = v, "edit-zone")}
                <span class="field-error">{field("time_zone")}</span></label>
            <label>{t(Msg::Recurrence)}
                <select data-testid="edit-kind" prop:value=move || draft.with(|d| d.kind.clone()) on:change=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.kind = v); }>
                    <option value="daily">{t(Msg::Daily)}</option>
                    <option value="weekly">{t(Msg::Weekly)}</option>
                    <option value="monthly">{t(Msg::Monthly)}</option>
                </select></label>
            <label>{t(Msg::HandOffTimes)} {input(|d| d.times.clone(), |d, v| d.times = v, "edit-times")}
                <span class="field-error">{field("handoff")}</span></label>
            <label>{t(Msg::Multiplier)} " (1–" {MAX_MULTIPLIER} ")" {input(|d| d.multiplier.clone(), |d, v| d.multiplier = v, "edit-multiplier")}
                <span class="field-error">{field("multiplier")}</span></label>
            <label>{t(Msg::OnCallAtOnce)} {input(|d| d.number_on_call.clone(), |d, v| d.number_on_call = v, "edit-number")}
                <span class="field-error">{field("number_on_call")}</span></label>
            <label>{t(Msg::CoverageLabel)}
                <textarea data-testid="edit-coverage" prop:value=move || draft.with(|d| d.coverage.clone()) on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.coverage = v); }></textarea>
                <span class="field-error">{field("coverage")}</span></label>
            <button class="primary" data-testid="save" disabled=move || computed.with(|c| c.result.is_err()) || save.pending().get()
                on:click=move |_| { save.dispatch(()); }>{t(Msg::Save)}</button>
            {move || saved_version.get().map(|v| view! {
                <p class="ok" data-testid="saved">{t(Msg::SavedVersion)} " " {v} " · " <a href=history.clone() data-testid="history-link">{t(Msg::History)}</a></p>
            })}
            {move || save_error.get().map(|e| view! { <p class="error" data-testid="save-error">{e.message(locale)}</p> })}
            {move || conflict.get().map(|latest| {
                let theirs = describe(&latest.rotation, locale);
                let yours = draft.with_untracked(Draft::rotation).map(|r| describe(&r, locale)).unwrap_or_default();
                view! {
                    <div class="conflict" data-testid="conflict">
                        <p class="error">{AppError::StaleVersion { current: latest.definition_version }.message(locale)}</p>
                        <div class="two">
                            <div data-testid="conflict-theirs"><h3>{t(Msg::TheirVersion)} " (v" {latest.definition_version} ")"</h3><Described lines=theirs /></div>
                            <div data-testid="conflict-yours"><h3>{t(Msg::YourVersion)}</h3><Described lines=yours /></div>
                        </div>
                        <button data-testid="reload-latest" on:click=move |_| {
                            draft.set(Draft::of(&latest.name, &latest.rotation));
                            saved.set(latest.clone());
                            conflict.set(None);
                        }>{t(Msg::ReloadLatest)}</button>
                    </div>
                }
            })}
        </section>
        <PreviewPanel computed zone=Signal::derive(zone) people=page.people.clone() now />
    }
}

#[component]
fn MemberList(draft: RwSignal<Draft>, people: Vec<crate::api::rotations::Person>) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let dragging = RwSignal::new(None::<usize>);
    let move_member = move |from: usize, to: usize| {
        draft.update(|d| {
            if from < d.members.len() && to < d.members.len() {
                let m = d.members.remove(from);
                d.members.insert(to, m);
            }
        });
    };
    let add = RwSignal::new(String::new());
    let name_of = {
        let people = people.clone();
        move |alias: &str| people.iter().find(|p| p.alias == alias).map_or_else(|| alias.to_owned(), |p| p.name.clone())
    };
    view! {
        <ol class="members" data-testid="members">
            {move || {
                let members = draft.with(|d| d.members.clone());
                let count = members.len();
                members.into_iter().enumerate().map(|(i, alias)| {
                    let label = name_of(&alias);
                    view! {
                        <li data-testid="member" data-alias=alias.clone() draggable="true" tabindex="0"
                            on:dragstart=move |_| dragging.set(Some(i))
                            on:dragover=move |ev| ev.prevent_default()
                            on:drop=move |ev| { ev.prevent_default(); if let Some(from) = dragging.get_untracked() { move_member(from, i); } dragging.set(None); }
                            on:keydown=move |ev| {
                                if ev.alt_key() && ev.key() == "ArrowUp" && i > 0 { ev.prevent_default(); move_member(i, i - 1); }
                                if ev.alt_key() && ev.key() == "ArrowDown" && i + 1 < count { ev.prevent_default(); move_member(i, i + 1); }
                            }>
                            <span class="handle" aria-hidden="true">"≡"</span> {label}
                            <button type="button" data-testid="member-up" title=t(Msg::MoveUp) disabled=i == 0 on:click=move |_| move_member(i, i.saturating_sub(1))>"↑"</button>
                            <button type="button" data-testid="member-down" title=t(Msg::MoveDown) disabled=i + 1 == count on:click=move |_| move_member(i, i + 1)>"↓"</button>
                            <button type="button" data-testid="member-remove" title=t(Msg::Remove) on:click=move |_| draft.update(|d| { d.members.remove(i); })>"×"</button>
                        </li>
                    }
                }).collect_view()
            }}
        </ol>
        <div class="inline">
            <select data-testid="member-add" on:change=move |ev| add.set(event_target_value(&ev))>
                <option value="">"—"</option>
                {people.iter().map(|p| view! { <option value=p.alias.clone()>{p.name.clone()}</option> }).collect_view()}
            </select>
            <button type="button" data-testid="member-add-button" on:click=move |_| {
                let alias = add.get_untracked();
                if !alias.is_empty() { draft.update(|d| if !d.members.contains(&alias) { d.members.push(alias) }); }
            }>{t(Msg::AddMember)}</button>
        </div>
    }
}

#[component]
fn PreviewPanel(
    computed: Memo<Computed>,
    zone: Signal<String>,
    people: Vec<crate::api::rotations::Person>,
    now: DateTime<Utc>,
) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let four_weeks = now + Duration::days(28);
    let people = StoredValue::new(people);
    let who = move |m: &[String]| people.with_value(|p| names(p, m, locale));
    view! {
        <section class="card" data-testid="preview" data-preview-ms=move || format!("{:.3}", computed.with(|c| c.millis))>
            <h2>{t(Msg::Preview)}</h2>
            <p class="meta">{t(Msg::PreviewCost)} " " <span data-testid="preview-ms">{move || format!("{:.1}", computed.with(|c| c.millis))}</span> " ms"</p>
            {move || computed.with(|c| match &c.result {
                Err(_) => view! { <p class="error">{Msg::ErrInvalid.text(locale)}</p> }.into_any(),
                Ok(p) => {
                    let zone = zone.get();
                    let shifts = p.shifts.iter().take_while(|s| s.start < four_weeks).map(|s| view! {
                        <li data-testid="preview-shift" data-members=s.members.join(",") class:override=matches!(s.kind, ShiftKind::Overridden { .. })>
                            <time>{fmt(s.start, &zone, "%m-%d %a %H:%M")} "–" {fmt(s.end, &zone, "%m-%d %H:%M")}</time> " " {who(&s.members)}
                        </li>
                    }).collect_view();
                    let changes = p.diff.changes.iter().take(40).map(|c| view! {
                        <li data-testid="diff-row">
                            <time>{fmt(c.start, &zone, "%Y-%m-%d %H:%M")} "–" {fmt(c.end, &zone, "%m-%d %H:%M")}</time> ": "
                            <del>{who(&c.before)}</del> " → " <ins>{who(&c.after)}</ins>
                        </li>
                    }).collect_view();
                    let hours = p.diff.minutes.iter().map(|(m, mins)| view! {
                        <li data-testid="hours" data-alias=m.clone()>{who(std::slice::from_ref(m))} ": " {signed_hours(*mins)}</li>
                    }).collect_view();
                    let dst = p.dst.iter().map(|w| {
                        let what = match w.effect {
                            DstEffect::MovedHandOff => Msg::DstMoved,
                            DstEffect::DoubleHour => Msg::DstDouble,
                            DstEffect::CoverageGap => Msg::DstGap,
                        };
                        view! { <li data-testid="dst-warning">{w.date.to_string()} " " {hm(w.time)} ": " {what.text(locale)}</li> }
                    }).collect_view();
                    view! {
                        <ol class="plain preview-list">{shifts}</ol>
                        <h3>{t(Msg::ChangesBeforeSaving)}</h3>
                        {if p.diff.is_empty() { view! { <p data-testid="no-changes">{t(Msg::NoChanges)}</p> }.into_any() } else {
                            view! { <ul class="plain" data-testid="diff">{changes}</ul> <h3>{t(Msg::HoursPerPerson)}</h3> <ul class="plain">{hours}</ul> }.into_any()
                        }}
                        {(!p.dst.is_empty()).then(|| view! { <h3>{t(Msg::DstWarnings)}</h3> <ul class="warnings">{dst}</ul> })}
                    }
                    .into_any()
                }
            })}
        </section>
    }
}

/// `+24:00 h`, `-1:30 h`.
fn signed_hours(minutes: i64) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    format!("{sign}{}:{:02} h", minutes.abs() / 60, minutes.abs() % 60)
}

/// A rotation as labelled lines, for side-by-side comparisons and history diffs.
fn describe(r: &Rotation, locale: Locale) -> Vec<(Msg, String)> {
    let times = match &r.handoff {
        HandOff::Daily(v) => {
            format!("{} {}", Msg::Daily.text(locale), v.iter().map(|t| hm(*t)).collect::<Vec<_>>().join(", "))
        }
        HandOff::Weekly(v) => format!(
            "{} {}",
            Msg::Weekly.text(locale),
            v.iter().map(|(d, t)| format!("{d} {}", hm(*t))).collect::<Vec<_>>().join(", ")
        ),
        HandOff::Monthly(v) => format!(
            "{} {}",
            Msg::Monthly.text(locale),
            v.iter().map(|(d, t)| format!("{d} {}", hm(*t))).collect::<Vec<_>>().join(", ")
        ),
    };
    vec![
        (Msg::Members, r.members.join(" → ")),
        (Msg::StartsAt, fmt(r.start, &r.time_zone, "%Y-%m-%d %H:%M")),
        (Msg::TimeZone, r.time_zone.clone()),
        (Msg::Recurrence, times),
        (Msg::Multiplier, r.multiplier.to_string()),
        (Msg::OnCallAtOnce, r.number_on_call.to_string()),
        (
            Msg::CoverageLabel,
            r.coverage
                .iter()
                .map(|c| format!("{} {}-{}", c.day, hm(c.start), hm(c.end)))
                .collect::<Vec<_>>()
                .join("; "),
        ),
    ]
}

#[component]
fn Described(lines: Vec<(Msg, String)>) -> impl IntoView {
    let locale = expect_context::<Locale>();
    view! { <dl>{lines.into_iter().map(|(k, v)| view! { <dt>{k.text(locale)}</dt> <dd>{v}</dd> }).collect_view()}</dl> }
}

// ---- History ----

#[component]
pub fn RotationHistoryPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let id = rotation_id();
    let reload = RwSignal::new(0u32);
    let data = Resource::new(
        move || (id.get(), reload.get()),
        |(id, _)| async move {
            let page = rotation_page(id.clone(), 0, 1).await?;
            Ok::<_, AppError>((page, rotation_history(id).await?))
        },
    );
    let restore = Action::new(|(id, version, base): &(String, u32, u32)| {
        let (id, version, base) = (id.clone(), *version, *base);
        async move { restore_rotation(id, version, base).await }
    });
    Effect::new(move || {
        if restore.value().get().is_some_and(|r| r.is_ok()) {
            reload.update(|r| *r += 1);
        }
    });
    view! {
        <Transition fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <p class="error">{e.message(locale)}</p> }.into_any(),
                    Ok((page, versions)) => {
                        let zone = page.detail.rotation.time_zone.clone();
                        let manager = page.role >= Role::Manager;
                        let base = page.detail.definition_version;
                        let rows = versions.iter().enumerate().rev().map(|(i, v)| {
                            let previous = i.checked_sub(1).map(|p| &versions[p]);
                            let changes = version_changes(previous, v, locale);
                            let restorable = manager && v.kind.changes_definition() && v.version != base;
                            let rid = page.detail.id.clone();
                            let number = v.version;
                            view! {
                                <tr data-testid="version" data-version=v.version>
                                    <td>{v.version}</td>
                                    <td>{fmt(v.saved_at, &zone, "%Y-%m-%d %H:%M %Z")}</td>
                                    <td>{v.actor.clone()}</td>
                                    <td><strong>{kind_text(&v.kind, locale)}</strong>
                                        <ul class="plain">{changes.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul></td>
                                    <td>{restorable.then(|| view! {
                                        <button data-testid="restore" on:click=move |_| { restore.dispatch((rid.clone(), number, base)); }>{t(Msg::Restore)}</button>
                                    })}</td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <section class="card">
                                <h1>{t(Msg::History)} ": " {page.detail.name.clone()}</h1>
                                <p><a href=format!("/rotations/{}", encode_path_segment(&page.detail.id))>{t(Msg::Calendar)}</a></p>
                                <WhoWasOnCall versions=versions.clone() zone=zone.clone() people=page.people.clone() />
                                {move || restore.value().get().and_then(Result::err).map(|e| view! { <p class="error">{e.message(locale)}</p> })}
                                <div class="table-wrap"><table data-testid="history">
                                    <thead><tr><th>{t(Msg::Version)}</th><th>{t(Msg::SavedAt)}</th><th>{t(Msg::By)}</th><th>{t(Msg::Change)}</th><th></th></tr></thead>
                                    <tbody>{rows}</tbody>
                                </table></div>
                            </section>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}

fn kind_text(kind: &VersionKind, locale: Locale) -> String {
    match kind {
        VersionKind::Created => Msg::KindCreated.text(locale).to_owned(),
        VersionKind::Edited => Msg::KindEdited.text(locale).to_owned(),
        VersionKind::Restored { from } => format!("{} {from}", Msg::KindRestored.text(locale)),
        VersionKind::OverrideAdded { .. } => Msg::KindOverrideAdded.text(locale).to_owned(),
        VersionKind::OverrideRemoved { .. } => Msg::KindOverrideRemoved.text(locale).to_owned(),
        VersionKind::Observed => Msg::KindObserved.text(locale).to_owned(),
    }
}

/// "field: before → after" for every line of the definition that changed, or the override.
fn version_changes(previous: Option<&RosterVersion>, v: &RosterVersion, locale: Locale) -> Vec<String> {
    if let VersionKind::OverrideAdded { value, .. } = &v.kind {
        let zone = &v.rotation.time_zone;
        return vec![format!(
            "{} – {}: {}",
            fmt(value.start, zone, "%Y-%m-%d %H:%M"),
            fmt(value.end, zone, "%Y-%m-%d %H:%M"),
            value.members.join(", ")
        )];
    }
    let Some(previous) = previous else { return Vec::new() };
    let mut out: Vec<String> = describe(&previous.rotation, locale)
        .into_iter()
        .zip(describe(&v.rotation, locale))
        .filter(|(a, b)| a.1 != b.1)
        .map(|((label, before), (_, after))| format!("{}: {before} → {after}", label.text(locale)))
        .collect();
    if previous.name != v.name {
        out.insert(0, format!("{}: {} → {}", Msg::Name.text(locale), previous.name, v.name));
    }
    out
}

/// "Who was on call at T", answered in the browser from the recorded versions.
#[component]
fn WhoWasOnCall(
    versions: Vec<RosterVersion>,
    zone: String,
    people: Vec<crate::api::rotations::Person>,
) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let roster = Roster::new(versions);
    let when = RwSignal::new(String::new());
    let answer = move || parse_local(&when.get(), &zone).map(|at| names(&people, &roster.on_call_at(at), locale));
    view! {
        <div class="inline lookup">
            <label>{t(Msg::WhoWasOnCall)}
                <input type="datetime-local" data-testid="lookup-at" on:input=move |ev| when.set(event_target_value(&ev)) />
            </label>
            <strong data-testid="lookup-result">{answer}</strong>
        </div>
    }
}
