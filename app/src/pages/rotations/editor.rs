//! The rotation editor: a real HTML form, rendered on the server, that saves with a version check
//! and works without script (members are then a list of aliases in a text box). A lazy island
//! ([`EditorLive`], its own WASM chunk, loaded on this page only) adds what needs the browser:
//! members reordered by drag, keyboard or buttons, field errors as you type, and a preview that
//! recomputes a year of shifts on every change, with the diff against the saved version and the
//! DST warnings. The island works on the form the server rendered; it renders its lists as HTML
//! text, which keeps reactive view code, and so the WASM, small.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

use super::shared::{Described, describe, rotation_path};
use crate::api::rotations::{SaveRotation, rotation_editor};
use crate::domain::roster::{DstEffect, Preview};
use crate::domain::rotation::{MAX_MEMBERS, MAX_MULTIPLIER, ShiftKind};
use crate::domain::rotation_form::{RotationForm, hm};
use crate::domain::timezone::parse_time_zone;
use crate::error::{AppError, FieldError};
use crate::forms::{Outcome, PostForm, outcome};
use crate::i18n::{Labels, Locale, Msg, Texts};
#[cfg(feature = "hydrate")]
use crate::islands::mark_hydrated;
use crate::islands::{IslandScripts, esc};
use crate::model::rotations::{EditorData, OverrideSpan, Person};
use crate::pages::common::loaded;

/// Days of shifts the editor's diff and DST check cover.
pub const PREVIEW_DAYS: i64 = 365;

/// The form as last posted, when this page follows a failed save.
fn typed_form(last: &Outcome<u32>) -> (RotationForm, Option<u32>) {
    let v = |f: &str| last.value(f).unwrap_or_default();
    let form = RotationForm {
        name: v("name"),
        members: RotationForm::members_from_text(&v("members")),
        start: v("start"),
        time_zone: v("time_zone"),
        kind: v("kind"),
        times: v("times"),
        multiplier: v("multiplier"),
        number_on_call: v("number_on_call"),
        coverage: v("coverage"),
    };
    (form, last.value("base").and_then(|b| b.parse().ok()))
}

/// The editor page: the form filled from the saved version, or as typed after a refused save.
#[component]
pub fn RotationEditPage() -> impl IntoView {
    let id = use_params_map().read_untracked().get("id").unwrap_or_default();
    let data = Resource::new(move || id.clone(), rotation_editor);
    view! { {loaded(data, |data| view! { <EditorCard data /> <IslandScripts /> })} }
}

/// The editor of a new rotation: a blank form; saving creates it and opens its page.
#[component]
pub fn RotationNewPage() -> impl IntoView {
    let data = Resource::new(String::new, rotation_editor);
    view! { {loaded(data, |data| view! { <EditorCard data /> <IslandScripts /> })} }
}

#[component]
fn EditorCard(data: EditorData) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let last = outcome::<u32>(SaveRotation::PATH);
    let history = format!("{}/history", rotation_path(&data.id));
    let saved = last.as_ref().and_then(|o| o.result.as_ref().ok().copied()).map(|v| {
        view! {
            <p class="ok" data-testid="saved">
                {t(Msg::SavedVersion)} " " {v} " · " <a href=history.clone() data-testid="history-link">{t(Msg::History)}</a>
            </p>
        }
    });
    let failed = last.as_ref().filter(|o| o.result.is_err());
    let error = failed.and_then(|o| o.result.as_ref().err().cloned());
    let (form, base) = match failed {
        Some(o) => {
            let (form, base) = typed_form(o);
            (form, base.unwrap_or(data.definition_version))
        }
        None => (data.form.clone(), data.definition_version),
    };
    let conflict = match &error {
        Some(AppError::StaleVersion { .. }) => Some(view! { <Conflict data=data.clone() yours=form.clone() /> }),
        _ => None,
    };
    let summary =
        error.as_ref().filter(|e| !matches!(e, AppError::StaleVersion { .. } | AppError::Invalid(_))).map(|e| {
            view! { <p class="error" data-testid="save-error">{e.message(locale)}</p> }
        });
    let field_errors = match &error {
        Some(AppError::Invalid(fields)) => fields.clone(),
        _ => Vec::new(),
    };
    view! {
        <section class="card editor" data-testid="editor">
            {if data.id.is_empty() {
                view! { <h1>{t(Msg::NewRotation)}</h1> }.into_any()
            } else {
                view! {
                    <h1>{t(Msg::Edit)} ": " {data.form.name.clone()}</h1>
                    <p class="meta">{t(Msg::Version)} " " <span data-testid="base-version">{data.definition_version}</span></p>
                }.into_any()
            }}
            {saved}
            {summary}
            {conflict}
            <EditorLive saved=data.form.clone() overrides=data.overrides.clone() people=data.people.clone() now=data.now labels=Labels::new(LIVE_LABELS, locale)>
                <EditorForm id=data.id.clone() base form people=data.people.clone() errors=field_errors />
            </EditorLive>
        </section>
    }
}

/// The save was refused: someone else saved first. Both versions, and a way to start again.
#[component]
fn Conflict(data: EditorData, yours: RotationForm) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let theirs = data.form.parse().map(|r| describe(&r, locale)).unwrap_or_default();
    let yours = yours.parse().map_or_else(
        |_| vec![(Msg::Members, yours.members.join(" → ")), (Msg::Recurrence, yours.times.clone())],
        |r| describe(&r, locale),
    );
    view! {
        <div class="conflict" data-testid="conflict">
            <p class="error">{AppError::StaleVersion { current: data.definition_version }.message(locale)}</p>
            <div class="two">
                <div data-testid="conflict-theirs">
                    <h3>{t(Msg::TheirVersion)} " (v" {data.definition_version} ")"</h3>
                    <Described lines=theirs locale />
                </div>
                <div data-testid="conflict-yours">
                    <h3>{t(Msg::YourVersion)}</h3>
                    <Described lines=yours locale />
                </div>
            </div>
            <a class="button" href=format!("{}/edit", rotation_path(&data.id)) data-testid="reload-latest">{t(Msg::ReloadLatest)}</a>
        </div>
    }
}

/// The form itself: every field a plain input, so it saves without script.
#[component]
fn EditorForm(
    id: String,
    base: u32,
    form: RotationForm,
    people: Vec<Person>,
    errors: Vec<FieldError>,
) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let error = move |field: &'static str| {
        let text = errors.iter().find(|e| e.field == field).map(|e| e.msg.text(locale)).unwrap_or_default();
        view! { <span class="field-error" data-error-for=field role="alert">{text}</span> }
    };
    let kind = form.kind.clone();
    let option =
        move |value: &'static str, label: Msg| view! { <option value=value selected=kind == value>{t(label)}</option> };
    let choices =
        people.iter().map(|p| view! { <option value=p.alias.clone()>{p.name.clone()}</option> }).collect_view();
    view! {
        <PostForm action=SaveRotation::PATH class="editor-form" testid="editor-form">
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="base" value=base />
            <label>{t(Msg::Name)} <input name="name" data-testid="edit-name" value=form.name.clone() /> {error("name")}</label>
            <fieldset>
                <legend>{t(Msg::Members)} " (≤ " {MAX_MEMBERS} ")"</legend>
                <p class="meta live-only">{t(Msg::ReorderHint)}</p>
                <ol class="members" data-testid="members" inner_html=members_html(&form.members, &people, &locale)></ol>
                <div class="inline live-only">
                    <select data-testid="member-add" aria-label=t(Msg::AddMember)>
                        <option value="">"—"</option>
                        {choices}
                    </select>
                    <button type="button" data-testid="member-add-button">{t(Msg::AddMember)}</button>
                </div>
                <label class="static-only">{t(Msg::MembersOnePerLine)}
                    <textarea name="members" data-testid="edit-members">{form.members_text()}</textarea>
                </label>
                {error("members")}
            </fieldset>
            <label>{t(Msg::StartsAt)}
                <input type="datetime-local" name="start" data-testid="edit-start" value=form.start.clone() />
                {error("start")}
            </label>
            <label>{t(Msg::TimeZone)} " (IANA, e.g. Asia/Tokyo)"
                <input name="time_zone" data-testid="edit-zone" value=form.time_zone.clone() />
                {error("time_zone")}
            </label>
            <label>{t(Msg::Recurrence)}
                <select name="kind" data-testid="edit-kind">
                    {option("daily", Msg::Daily)} {option("weekly", Msg::Weekly)} {option("monthly", Msg::Monthly)}
                </select>
            </label>
            <label>{t(Msg::HandOffTimes)} <input name="times" data-testid="edit-times" value=form.times.clone() /> {error("handoff")}</label>
            <label>{t(Msg::Multiplier)} " (1–" {MAX_MULTIPLIER} ")"
                <input name="multiplier" data-testid="edit-multiplier" value=form.multiplier.clone() inputmode="numeric" />
                {error("multiplier")}
            </label>
            <label>{t(Msg::OnCallAtOnce)}
                <input name="number_on_call" data-testid="edit-number" value=form.number_on_call.clone() inputmode="numeric" />
                {error("number_on_call")}
            </label>
            <label>{t(Msg::CoverageLabel)}
                <textarea name="coverage" data-testid="edit-coverage">{form.coverage.clone()}</textarea>
                {error("coverage")}
            </label>
            <button type="submit" class="primary" data-testid="save">{t(Msg::Save)}</button>
        </PostForm>
        <section class="card" data-testid="preview" data-preview-ms="">
            <h2>{t(Msg::Preview)}</h2>
            <div data-testid="preview-body"><p class="meta">{t(Msg::PreviewNeedsScript)}</p></div>
        </section>
    }
}

/// Every text the island shows: its lists, the preview and the form checks' messages.
pub const LIVE_LABELS: &[Msg] = &[
    Msg::Nobody,
    Msg::MoveUp,
    Msg::MoveDown,
    Msg::Remove,
    Msg::ChangesBeforeSaving,
    Msg::NoChanges,
    Msg::HoursPerPerson,
    Msg::DstWarnings,
    Msg::DstMoved,
    Msg::DstDouble,
    Msg::DstGap,
    Msg::ErrCoverage,
    Msg::ErrHandOff,
    Msg::ErrHandOffDaily,
    Msg::ErrHandOffWeekly,
    Msg::ErrMultiplier,
    Msg::ErrNumberOnCall,
    Msg::ErrRotationName,
    Msg::ErrStartTime,
    Msg::ErrOverrideBackwards,
    Msg::ErrOverrideLength,
    Msg::ErrOverrideMember,
    Msg::ErrOverridePast,
    Msg::ErrOverrideTooFar,
    Msg::ErrRotationDuplicateMember,
    Msg::ErrRotationMembers,
    Msg::ErrTimeZone,
];

/// The live part: reads the form on every change and renders members, errors and the preview.
#[island(lazy)]
fn EditorLive(
    saved: RotationForm,
    overrides: Vec<OverrideSpan>,
    people: Vec<Person>,
    now: i64,
    labels: Labels,
    children: Children,
) -> impl IntoView {
    let root = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    {
        mark_hydrated();
        let state = live::Live::new(saved, &overrides, people, now, labels);
        Effect::new(move || {
            if let Some(el) = root.get() {
                live::attach(&el, state.clone());
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (saved, overrides, people, now, labels);
    view! { <div class="editor-live" node_ref=root>{children()}</div> }
}

fn name_of<'a>(people: &'a [Person], alias: &'a str) -> &'a str {
    people.iter().find(|p| p.alias == alias).map_or(alias, |p| p.name.as_str())
}

fn names(people: &[Person], members: &[String], texts: &impl Texts) -> String {
    if members.is_empty() {
        return texts.get(Msg::Nobody).to_owned();
    }
    members.iter().map(|m| name_of(people, m)).collect::<Vec<_>>().join(", ")
}

/// The member list: one item per member, with the buttons the island handles.
pub fn members_html(members: &[String], people: &[Person], texts: &impl Texts) -> String {
    let t = |m: Msg| esc(texts.get(m));
    let last = members.len().saturating_sub(1);
    let mut html = String::new();
    for (i, alias) in members.iter().enumerate() {
        let disabled = |yes: bool| if yes { " disabled" } else { "" };
        let _ = write!(
            html,
            "<li data-testid=\"member\" data-alias=\"{a}\" data-index=\"{i}\" draggable=\"true\" tabindex=\"0\">\
             <span class=\"handle\" aria-hidden=\"true\">≡</span> {name}\
             <span class=\"live-only\"> <button type=\"button\" data-testid=\"member-up\" data-move=\"up\" title=\"{up}\"{d_up}>↑</button>\
             <button type=\"button\" data-testid=\"member-down\" data-move=\"down\" title=\"{down}\"{d_down}>↓</button>\
             <button type=\"button\" data-testid=\"member-remove\" data-move=\"remove\" title=\"{rm}\">×</button></span></li>",
            a = esc(alias),
            name = esc(name_of(people, alias)),
            up = t(Msg::MoveUp),
            down = t(Msg::MoveDown),
            rm = t(Msg::Remove),
            d_up = disabled(i == 0),
            d_down = disabled(i == last),
        );
    }
    html
}

/// Local wall time of `t` in `zone`, as date parts (no chrono format strings in the WASM).
fn local(t: DateTime<Utc>, zone: &str) -> chrono::NaiveDateTime {
    parse_time_zone(zone).map_or_else(|| t.naive_utc(), |tz| t.with_timezone(&tz).naive_local())
}

/// `11-24 Tue 09:30`.
fn md_day_hm(t: DateTime<Utc>, zone: &str, locale: Locale) -> String {
    let l = local(t, zone);
    format!("{:02}-{:02} {} {:02}:{:02}", l.month(), l.day(), locale.weekday(l.weekday()), l.hour(), l.minute())
}

/// `11-24 09:30`, or `2026-11-24 09:30` with the year.
fn md_hm(t: DateTime<Utc>, zone: &str, year: bool) -> String {
    let l = local(t, zone);
    let date = format!("{:02}-{:02} {:02}:{:02}", l.month(), l.day(), l.hour(), l.minute());
    if year { format!("{:04}-{date}", l.year()) } else { date }
}

/// `+24:00 h`, `-1:30 h`.
fn signed_hours(minutes: i64) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    format!("{sign}{}:{:02} h", minutes.abs() / 60, minutes.abs() % 60)
}

/// Microseconds as milliseconds with `decimals` (1 or 3) places: `1.7`, `0.712`.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn millis(micros: i64, decimals: u32) -> String {
    let scale = 10_i64.pow(3 - decimals);
    let rounded = (micros + scale / 2) / scale;
    let unit = 10_i64.pow(decimals);
    format!("{}.{:0width$}", rounded / unit, rounded % unit, width = decimals as usize)
}

/// The preview as HTML: the next four weeks, the changes over the year with hours gained or
/// lost per person, and the DST warnings.
pub fn preview_html(p: &Preview, zone: &str, people: &[Person], now: DateTime<Utc>, texts: &impl Texts) -> String {
    let t = |m: Msg| esc(texts.get(m));
    let who = |m: &[String]| esc(&names(people, m, texts));
    let four_weeks = now + Duration::days(28);
    let mut html = String::from("<ol class=\"plain preview-list\">");
    for s in p.shifts.iter().take_while(|s| s.start < four_weeks) {
        let class = if matches!(s.kind, ShiftKind::Overridden { .. }) { " class=\"override\"" } else { "" };
        let _ = write!(
            html,
            "<li data-testid=\"preview-shift\" data-members=\"{}\"{class}><time>{}–{}</time> {}</li>",
            esc(&s.members.join(",")),
            md_day_hm(s.start, zone, texts.locale()),
            md_hm(s.end, zone, false),
            who(&s.members)
        );
    }
    let _ = write!(html, "</ol><h3>{}</h3>", t(Msg::ChangesBeforeSaving));
    if p.diff.is_empty() {
        let _ = write!(html, "<p data-testid=\"no-changes\">{}</p>", t(Msg::NoChanges));
    } else {
        html.push_str("<ul class=\"plain\" data-testid=\"diff\">");
        for c in p.diff.changes.iter().take(40) {
            let _ = write!(
                html,
                "<li data-testid=\"diff-row\"><time>{}–{}</time>: <del>{}</del> → <ins>{}</ins></li>",
                md_hm(c.start, zone, true),
                md_hm(c.end, zone, false),
                who(&c.before),
                who(&c.after)
            );
        }
        let _ = write!(html, "</ul><h3>{}</h3><ul class=\"plain\">", t(Msg::HoursPerPerson));
        for (alias, minutes) in &p.diff.minutes {
            let _ = write!(
                html,
                "<li data-testid=\"hours\" data-alias=\"{}\">{}: {}</li>",
                esc(alias),
                esc(name_of(people, alias)),
                signed_hours(*minutes)
            );
        }
        html.push_str("</ul>");
    }
    if !p.dst.is_empty() {
        let _ = write!(html, "<h3>{}</h3><ul class=\"warnings\">", t(Msg::DstWarnings));
        for w in &p.dst {
            let what = match w.effect {
                DstEffect::MovedHandOff => Msg::DstMoved,
                DstEffect::DoubleHour => Msg::DstDouble,
                DstEffect::CoverageGap => Msg::DstGap,
            };
            let _ = write!(html, "<li data-testid=\"dst-warning\">{} {}: {}</li>", w.date, hm(w.time), t(what));
        }
        html.push_str("</ul>");
    }
    html
}

#[cfg(feature = "hydrate")]
mod live {
    //! The island's work on the server-rendered form, through the DOM directly.

    use std::cell::Cell;
    use std::rc::Rc;

    use chrono::{DateTime, Utc};
    use wasm_bindgen::JsCast;
    use web_sys::{Element, Event, HtmlElement, KeyboardEvent};

    use super::{PREVIEW_DAYS, members_html, millis, preview_html};
    use crate::domain::roster::preview;
    use crate::domain::rotation::{Override, Rotation};
    use crate::domain::rotation_form::RotationForm;
    use crate::i18n::{Labels, Msg, Texts as _};
    use crate::islands::dom::{find, listen, set_value, value};
    use crate::model::rotations::{OverrideSpan, Person};

    /// Everything the island knows besides the form: the saved definition and the preview's inputs.
    pub struct Live {
        saved: Option<Rotation>,
        overrides: Vec<Override>,
        people: Vec<Person>,
        now: DateTime<Utc>,
        labels: Labels,
        dragging: Cell<Option<usize>>,
        /// A new rotation's blank form says nothing until someone types in it.
        edited: Cell<bool>,
    }

    impl Live {
        pub fn new(
            saved: RotationForm,
            overrides: &[OverrideSpan],
            people: Vec<Person>,
            now: i64,
            labels: Labels,
        ) -> Rc<Live> {
            let at = |t: i64| DateTime::from_timestamp(t, 0).unwrap_or_default();
            Rc::new(Live {
                saved: saved.parse().ok(),
                overrides: overrides
                    .iter()
                    .map(|o| Override { start: at(o.start), end: at(o.end), members: o.members.clone() })
                    .collect(),
                people,
                now: at(now),
                labels,
                dragging: Cell::new(None),
                edited: Cell::new(false),
            })
        }
    }

    fn read(root: &Element) -> RotationForm {
        RotationForm {
            name: value(root, "name"),
            members: RotationForm::members_from_text(&value(root, "members")),
            start: value(root, "start"),
            time_zone: value(root, "time_zone"),
            kind: value(root, "kind"),
            times: value(root, "times"),
            multiplier: value(root, "multiplier"),
            number_on_call: value(root, "number_on_call"),
            coverage: value(root, "coverage"),
        }
    }

    fn now_ms() -> f64 {
        web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
    }

    /// Recomputes from the form: field errors, the save button, the preview and what it cost.
    fn refresh(root: &Element, live: &Live) {
        let started = now_ms();
        let form = read(root);
        let result = form.parse().map(|edited| {
            let saved = live.saved.as_ref().unwrap_or(&edited);
            (preview(saved, &edited, &live.overrides, live.now, PREVIEW_DAYS), edited.time_zone)
        });
        #[allow(clippy::cast_possible_truncation)]
        let micros = ((now_ms() - started) * 1000.0) as i64;
        let quiet = live.saved.is_none() && !live.edited.get();
        let errors = result.as_ref().err().filter(|_| !quiet);
        if let Ok(spans) = root.query_selector_all("[data-error-for]") {
            for i in 0..spans.length() {
                let Some(span) = spans.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else { continue };
                let field = span.get_attribute("data-error-for").unwrap_or_default();
                let text =
                    errors.and_then(|errs| errs.iter().find(|e| e.field == field)).map(|e| live.labels.get(e.msg));
                span.set_text_content(text);
            }
        }
        // Save is held back only while the reasons are shown next to their fields; a new,
        // untouched form stays submittable, and the server says what is missing.
        if let Some(save) = find(root, "[data-testid=\"save\"]") {
            let _ =
                if errors.is_some() { save.set_attribute("disabled", "") } else { save.remove_attribute("disabled") };
        }
        let body = match &result {
            Ok((p, zone)) => preview_html(p, zone, &live.people, live.now, &live.labels),
            Err(_) if quiet => String::new(),
            Err(_) => format!("<p class=\"error\">{}</p>", live.labels.get(Msg::ErrInvalid)),
        };
        if let Some(el) = find(root, "[data-testid=\"preview-body\"]") {
            el.set_inner_html(&body);
        }
        // For the preview benchmark (`.ci/bench-preview`), not for people.
        if let Some(el) = find(root, "[data-testid=\"preview\"]") {
            let _ = el.set_attribute("data-preview-ms", &millis(micros, 3));
        }
    }

    /// Changes the member order in the form and shows it; `focus` is the item to focus after.
    fn set_members(root: &Element, live: &Live, members: &[String], focus: Option<usize>) {
        live.edited.set(true);
        set_value(root, "members", &members.join("\n"));
        if let Some(list) = find(root, "[data-testid=\"members\"]") {
            list.set_inner_html(&members_html(members, &live.people, &live.labels));
        }
        if let Some(i) = focus
            && let Some(item) = find(root, &format!("[data-testid=\"member\"][data-index=\"{i}\"]"))
            && let Ok(item) = item.dyn_into::<HtmlElement>()
        {
            let _ = item.focus();
        }
        refresh(root, live);
    }

    fn move_member(root: &Element, live: &Live, from: usize, to: usize) {
        let mut members = RotationForm::members_from_text(&value(root, "members"));
        if from < members.len() && to < members.len() && from != to {
            let m = members.remove(from);
            members.insert(to, m);
            set_members(root, live, &members, Some(to));
        }
    }

    /// The member item an event happened in, and its position.
    fn member_at(event: &Event) -> Option<(Element, usize)> {
        let target = event.target()?.dyn_into::<Element>().ok()?;
        let item = target.closest("[data-testid=\"member\"]").ok()??;
        let index = item.get_attribute("data-index")?.parse().ok()?;
        Some((item, index))
    }

    pub fn attach(root: &HtmlElement, live: Rc<Live>) {
        let root: Element = root.clone().into();
        let _ = root.class_list().add_1("live");
        for kind in ["input", "change"] {
            let (r, l) = (root.clone(), live.clone());
            listen(&root, kind, move |_| {
                l.edited.set(true);
                refresh(&r, &l);
            });
        }
        let (r, l) = (root.clone(), live.clone());
        listen(&root, "click", move |event| {
            let Some(button) = event
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|t| t.closest("button").ok().flatten())
            else {
                return;
            };
            if button.get_attribute("data-testid").as_deref() == Some("member-add-button") {
                let alias = find(&r, "[data-testid=\"member-add\"]")
                    .and_then(|el| js_sys::Reflect::get(&el, &"value".into()).ok())
                    .and_then(|v| v.as_string())
                    .unwrap_or_default();
                let mut members = RotationForm::members_from_text(&value(&r, "members"));
                if !alias.is_empty() && !members.contains(&alias) {
                    members.push(alias);
                    set_members(&r, &l, &members, None);
                }
                return;
            }
            let Some((_, i)) = member_at(&event) else { return };
            match button.get_attribute("data-move").as_deref() {
                Some("up") if i > 0 => move_member(&r, &l, i, i - 1),
                Some("down") => move_member(&r, &l, i, i + 1),
                Some("remove") => {
                    let mut members = RotationForm::members_from_text(&value(&r, "members"));
                    if i < members.len() {
                        members.remove(i);
                        set_members(&r, &l, &members, None);
                    }
                }
                _ => {}
            }
        });
        let (r, l) = (root.clone(), live.clone());
        listen(&root, "keydown", move |event| {
            let Some(key) = event.dyn_ref::<KeyboardEvent>() else { return };
            let Some((item, i)) = member_at(&event) else { return };
            let on_item = event.target().and_then(|t| t.dyn_into::<Element>().ok()).is_some_and(|t| t == item);
            if !on_item || !key.alt_key() {
                return;
            }
            match key.key().as_str() {
                "ArrowUp" if i > 0 => {
                    event.prevent_default();
                    move_member(&r, &l, i, i - 1);
                }
                "ArrowDown" => {
                    event.prevent_default();
                    move_member(&r, &l, i, i + 1);
                }
                _ => {}
            }
        });
        let l = live.clone();
        listen(&root, "dragstart", move |event| l.dragging.set(member_at(&event).map(|(_, i)| i)));
        listen(&root, "dragover", |event| {
            if member_at(&event).is_some() {
                event.prevent_default();
            }
        });
        let (r, l) = (root.clone(), live.clone());
        listen(&root, "drop", move |event| {
            if let (Some(from), Some((_, to))) = (l.dragging.take(), member_at(&event)) {
                event.prevent_default();
                move_member(&r, &l, from, to);
            }
        });
        refresh(&root, &live);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_are_shown_without_float_formatting() {
        assert_eq!(millis(712, 3), "0.712");
        assert_eq!(millis(1_650, 1), "1.7");
        assert_eq!(millis(49, 1), "0.0");
        assert_eq!(millis(12_345, 1), "12.3");
    }

    #[test]
    fn the_island_has_every_message_of_the_form_checks() {
        let labels = Labels::new(LIVE_LABELS, Locale::Ja);
        for source in [include_str!("../../domain/rotation_form.rs"), include_str!("../../domain/rotation.rs")] {
            let named = crate::i18n::messages_named_in(source);
            assert!(!named.is_empty());
            assert_eq!(labels.missing(&named), Vec::<Msg>::new());
        }
    }

    #[test]
    fn names_in_generated_html_are_escaped() {
        let people = vec![Person { alias: "x".into(), name: "<b>&\"".into() }];
        let html = members_html(&["x".to_owned()], &people, &Locale::En);
        assert!(html.contains("&lt;b&gt;&amp;&quot;") && !html.contains("<b>"), "{html}");
    }
}
