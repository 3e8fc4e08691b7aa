//! The rotation editor: a lazy island (its own WASM chunk, loaded on this page only) that
//! recomputes a year of shifts in the browser on every change, with the diff against the saved
//! version and DST warnings, and saves with a version check.

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc, Weekday};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::shared::{Described, describe, fmt, hm, names, rotation_path};
use crate::api::rotations::{rotation_editor, save_rotation};
use crate::domain::roster::{DstEffect, Preview, preview};
use crate::domain::rotation::{
    Coverage, HandOff, HandOffTime, MAX_MEMBERS, MAX_MULTIPLIER, Rotation, ShiftKind, parse_time_zone,
};
use crate::error::{AppError, FieldError};
use crate::i18n::{Locale, Msg, current_locale};
use crate::islands::{IslandScripts, mark_hydrated};
use crate::model::rotations::{EditorData, Person};
use crate::pages::common::loaded;
use crate::zone::instant;

/// Milliseconds from the browser's monotonic clock (0 on the server).
fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
    }
    #[cfg(not(feature = "hydrate"))]
    0.0
}

/// A `datetime-local` value in `zone` as an instant.
fn parse_local(value: &str, zone: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(value.trim(), "%Y-%m-%dT%H:%M").ok()?;
    let tz = parse_time_zone(zone)?;
    tz.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&Utc))
}

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
    /// Microseconds it took (whole numbers: formatting floats costs WASM).
    micros: i64,
}

/// The editor page: loaded on the server, edited in the island.
#[component]
pub fn RotationEditPage() -> impl IntoView {
    let id = use_params_map().read_untracked().get("id").unwrap_or_default();
    let data = Resource::new(move || id.clone(), rotation_editor);
    view! {
        {loaded(data, |data| view! { <Editor data /> <IslandScripts /> })}
    }
}

/// Days of shifts the editor's diff and DST check cover.
pub const PREVIEW_DAYS: i64 = 365;

#[island(lazy)]
fn Editor(data: EditorData) -> impl IntoView {
    let locale = current_locale();
    mark_hydrated();
    let t = move |m: Msg| m.text(locale);
    let draft = RwSignal::new(Draft::of(&data.name, &data.rotation));
    let now = instant(data.now);
    let overrides = data.overrides.clone();
    let saved = RwSignal::new(data.clone());
    // The preview runs here, in the browser, on every change: no server round trip.
    let computed = Memo::new(move |_| {
        let started = now_ms();
        let result = draft
            .with(Draft::rotation)
            .map(|edited| saved.with(|s| preview(&s.rotation, &edited, &overrides, now, PREVIEW_DAYS)));
        #[allow(clippy::cast_possible_truncation)]
        let micros = ((now_ms() - started) * 1000.0) as i64;
        Computed { result, micros }
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
    let conflict = RwSignal::new(None::<EditorData>);
    let saved_version = RwSignal::new(None::<u32>);
    let id = data.id.clone();
    let save = Action::new(move |(): &()| {
        let (id, base) = (id.clone(), saved.with_untracked(|s| s.definition_version));
        let (name, rotation) = (draft.with_untracked(|d| d.name.clone()), draft.with_untracked(Draft::rotation));
        async move {
            let rotation = rotation.map_err(AppError::Invalid)?;
            match save_rotation(id.clone(), base, name, rotation).await {
                Err(AppError::StaleVersion { .. }) => Ok(Err(rotation_editor(id).await?)),
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
    let people = data.people.clone();
    let history = format!("{}/history", rotation_path(&data.id));
    let zone = move || draft.with(|d| d.time_zone.clone());
    let input = move |get: fn(&Draft) -> String, set: fn(&mut Draft, String), testid: &'static str| {
        view! { <input data-testid=testid prop:value=move || draft.with(get) on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| set(d, v)); } /> }
    };
    view! {
        <section class="card editor" data-testid="editor">
            <h1>{t(Msg::Edit)} ": " {data.name.clone()}</h1>
            <p class="meta">{t(Msg::Version)} " " <span data-testid="base-version">{move || saved.with(|s| s.definition_version)}</span></p>
            <label>{t(Msg::Name)} {input(|d| d.name.clone(), |d, v| d.name = v, "edit-name")}</label>
            <fieldset>
                <legend>{t(Msg::Members)} " (≤ " {MAX_MEMBERS} ")"</legend>
                <p class="meta">{t(Msg::ReorderHint)}</p>
                <MemberList draft people=people.clone() locale />
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
                            <div data-testid="conflict-theirs"><h3>{t(Msg::TheirVersion)} " (v" {latest.definition_version} ")"</h3><Described lines=theirs locale /></div>
                            <div data-testid="conflict-yours"><h3>{t(Msg::YourVersion)}</h3><Described lines=yours locale /></div>
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
        <PreviewPanel computed zone=Signal::derive(zone) people=data.people.clone() now locale />
    }
}

#[component]
fn MemberList(draft: RwSignal<Draft>, people: Vec<Person>, locale: Locale) -> impl IntoView {
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
    people: Vec<Person>,
    now: DateTime<Utc>,
    locale: Locale,
) -> impl IntoView {
    let t = move |m: Msg| m.text(locale);
    let four_weeks = now + Duration::days(28);
    let people = StoredValue::new(people);
    let who = move |m: &[String]| people.with_value(|p| names(p, m, locale));
    view! {
        <section class="card" data-testid="preview" data-preview-ms=move || millis(computed.with(|c| c.micros), 3)>
            <h2>{t(Msg::Preview)}</h2>
            <p class="meta">{t(Msg::PreviewCost)} " " <span data-testid="preview-ms">{move || millis(computed.with(|c| c.micros), 1)}</span> " ms"</p>
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

/// Microseconds as milliseconds with `decimals` (1 or 3) places: `1.7`, `0.712`.
fn millis(micros: i64, decimals: u32) -> String {
    let scale = 10_i64.pow(3 - decimals);
    let rounded = (micros + scale / 2) / scale;
    let unit = 10_i64.pow(decimals);
    format!("{}.{:0width$}", rounded / unit, rounded % unit, width = decimals as usize)
}

/// `+24:00 h`, `-1:30 h`.
fn signed_hours(minutes: i64) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    format!("{sign}{}:{:02} h", minutes.abs() / 60, minutes.abs() % 60)
}
