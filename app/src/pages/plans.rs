//! The escalation-plan editor: a real HTML form, rendered on the server, that saves with a
//! stale-edit check and works without script (the stages are then lines in a text box, and "Show
//! the timeline" recomputes the simulated timeline on the server). A lazy island ([`PlanLive`])
//! adds a list of stages to reorder by drag, keyboard or buttons, field errors as you type, and
//! the simulated timeline recomputed in the browser on every change, by the same
//! `domain::escalation` the server and the engine's property test use.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

use crate::api::plans::{PreviewPlan, SavePlan, plan_editor};
use crate::domain::contact::{Contact, MAX_STAGE_MINUTES, References};
use crate::domain::escalation::{Directory, TimelineStep, TimelineWhat};
use crate::domain::plan_form::{MAX_REPEAT, PlanForm, StageLine, line_of_stage, stage_lines};
use crate::domain::timezone::{local_minute, parse_local_minute};
use crate::error::{AppError, FieldError};
use crate::forms::{Outcome, PostForm, outcome};
use crate::i18n::{Labels, Locale, Msg, Texts};
#[cfg(feature = "hydrate")]
use crate::islands::mark_hydrated;
use crate::islands::{IslandScripts, esc};
use crate::model::drills::DRILLS_PATH;
use crate::model::plans::{NEW_PLAN_PATH, PlanEditorData, SimData, TargetChoice, plan_path};
use crate::pages::common::{channel_msg, loaded};
use crate::pages::drills::RunDrillForm;
use crate::zone::viewer_zone;

#[component]
pub fn PlanEditPage() -> impl IntoView {
    let alias = use_params_map().read_untracked().get("alias").unwrap_or_default();
    let data = Resource::new(move || alias.clone(), plan_editor);
    view! { {loaded(data, |data| view! { <PlanEditor data /> <IslandScripts /> })} }
}

#[component]
pub fn PlanNewPage() -> impl IntoView {
    let data = Resource::new(String::new, plan_editor);
    view! { {loaded(data, |data| view! { <PlanEditor data /> <IslandScripts /> })} }
}

/// The form as last posted (a refused save, or "Show the timeline"), with its start time.
fn typed(last: &Outcome<impl Sized>) -> (PlanForm, String, String) {
    let v = |f: &str| last.value(f).unwrap_or_default();
    let form =
        PlanForm { alias: v("alias"), display_name: v("display_name"), stages: v("stages"), repeat: v("repeat") };
    (form, v("base"), v("at"))
}

#[component]
fn PlanEditor(data: PlanEditorData) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let zone = viewer_zone(locale);
    let saved_now = outcome::<String>(SavePlan::PATH);
    let previewed = outcome::<()>(PreviewPlan::PATH);
    let error = saved_now.as_ref().and_then(|o| o.result.as_ref().err().cloned());
    let (form, base, at) = match (&saved_now, &previewed) {
        (Some(o), _) if o.result.is_err() => typed(o),
        (_, Some(o)) => typed(o),
        _ => (data.form.clone(), data.base.clone(), String::new()),
    };
    let now = DateTime::from_timestamp(data.now, 0).unwrap_or_default();
    let at = if at.is_empty() { local_minute(now, &zone) } else { at };
    let start = parse_local_minute(&at, &zone).unwrap_or(now);
    let directory = data.sim.directory();
    let field_errors = match &error {
        Some(AppError::Invalid(fields)) => fields.clone(),
        _ => draft_errors(&form, &directory),
    };
    let saved_note = saved_now.as_ref().filter(|o| o.result.is_ok()).map(|_| {
        view! { <p class="ok" role="status" data-testid="plan-saved">{t(Msg::PlanSaved)}</p> }
    });
    let summary = error.as_ref().filter(|e| !matches!(e, AppError::Invalid(_) | AppError::StaleEdit)).map(|e| {
        view! { <p class="error" role="alert" data-testid="plan-save-error">{e.message(locale)}</p> }
    });
    let conflict = matches!(error, Some(AppError::StaleEdit)).then(|| {
        view! { <Conflict saved=data.saved.clone() yours=form.clone() /> }
    });
    let title = match &data.saved {
        Some(c) => format!("{}: {}", t(Msg::EditEscalationPlan), c.display_name),
        None => t(Msg::NewEscalationPlan).to_owned(),
    };
    let timeline = timeline_html(&draft_steps(&form, &directory, start), &locale);
    let ack_effects = ack_html(&form, &data.targets, &locale);
    view! {
        <section class="card editor" data-testid="plan-editor">
            <h1>{title}</h1>
            <p class="meta"><a href="/escalation">{t(Msg::NavEscalation)}</a> " · " <a href=DRILLS_PATH>{t(Msg::Drills)}</a></p>
            {data.saved.as_ref().map(|c| view! { <RunDrillForm plans=Vec::new() chosen=Some(c.alias.clone()) /> })}
            {saved_note}
            {summary}
            {conflict}
            <PlanLive sim=data.sim.clone() zone=zone.clone() now=data.now labels=Labels::new(LIVE_LABELS, locale)>
                <PlanFields form base at is_new=data.saved.is_none() targets=data.targets.clone() errors=field_errors />
                <section class="card" data-testid="plan-timeline-card">
                    <h2>{t(Msg::TimelineDraft)}</h2>
                    <div data-testid="plan-timeline-body" inner_html=timeline></div>
                    <div data-testid="plan-ack-body" inner_html=ack_effects></div>
                </section>
            </PlanLive>
        </section>
    }
}

/// Problems of the draft as the server would find them at save (shown before saving).
fn draft_errors(form: &PlanForm, directory: &Directory) -> Vec<FieldError> {
    match form.parse() {
        Err(errors) => errors,
        Ok(contact) if contact.plan.stages.is_empty() => Vec::new(),
        Ok(contact) => contact
            .validate(directory)
            .err()
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e.field.starts_with("plan."))
            .collect(),
    }
}

/// What the draft does if nobody acknowledges an incident at `start`.
pub fn draft_steps(form: &PlanForm, directory: &Directory, start: DateTime<Utc>) -> Vec<TimelineStep> {
    let Ok(mut draft) = form.parse() else { return Vec::new() };
    // A new plan has no alias until one is typed; the simulation only needs a name for it.
    if draft.alias.is_empty() || directory.contact_type(&draft.alias).is_some_and(|k| k != draft.kind) {
        "\u{0}draft".clone_into(&mut draft.alias);
    }
    let mut d = directory.clone();
    let alias = draft.alias.clone();
    d.contacts.insert(alias.clone(), draft);
    d.simulate(&alias, start).steps(&d, start)
}

/// Every text the island shows: its lists, the timeline and the form checks' messages.
pub const LIVE_LABELS: &[Msg] = &[
    Msg::Nobody,
    Msg::GapNobodyOnCall,
    Msg::GapNoWorkingChannel,
    Msg::GapUnknownContact,
    Msg::GapNoGateway,
    Msg::Minutes,
    Msg::ChannelEmail,
    Msg::ChannelSms,
    Msg::ChannelVoice,
    Msg::StageN,
    Msg::PagesWho,
    Msg::WaitMinutes,
    Msg::MoveUp,
    Msg::MoveDown,
    Msg::Remove,
    Msg::AckStopsSwitch,
    Msg::IfAcknowledged,
    Msg::AckStopsAll,
    Msg::AckGoesOn,
    Msg::AckGoesOnLast,
    Msg::ErrRepeat,
    Msg::ErrStageDuration,
    Msg::ErrStageLine,
    Msg::ErrAlias,
    Msg::ErrChannelName,
    Msg::ErrName255,
    Msg::ErrEmail,
    Msg::ErrEscalationTarget,
    Msg::ErrNoStages,
    Msg::ErrPersonalTarget,
    Msg::ErrPhone,
    Msg::ErrRetryInterval,
    Msg::ErrRotationsOnlyForSchedules,
    Msg::ErrScheduleRotations,
    Msg::ErrScheduleStages,
    Msg::ErrUnknownChannel,
    Msg::ErrUnknownContact,
    Msg::ErrUnknownRotation,
];

/// The timeline as HTML text: rendered on the server and by the island alike.
pub fn timeline_html(steps: &[TimelineStep], texts: &impl Texts) -> String {
    let t = |m: Msg| esc(texts.get(m));
    if steps.is_empty() {
        return format!("<p class=\"meta\" data-testid=\"plan-timeline-empty\">{}</p>", t(Msg::Nobody));
    }
    let mut html = String::from("<ol class=\"timeline\" data-testid=\"plan-timeline\">");
    for step in steps {
        let (what, gap) = match step.what {
            TimelineWhat::Message(kind) => (t(channel_msg(kind)), false),
            TimelineWhat::NoGateway(kind) => (t(Msg::GapNoGateway).replace("{channel}", &t(channel_msg(kind))), true),
            TimelineWhat::NobodyOnCall => (t(Msg::GapNobodyOnCall), true),
            TimelineWhat::NoWorkingChannel => (t(Msg::GapNoWorkingChannel), true),
            TimelineWhat::UnknownContact => (t(Msg::GapUnknownContact), true),
        };
        let _ = write!(
            html,
            "<li{cls} data-testid=\"timeline-step\"><span class=\"minute\">+{m} {min}</span> <strong>{who}</strong>{via}: {what}</li>",
            cls = if gap { " class=\"gap\"" } else { "" },
            m = step.minute,
            min = t(Msg::Minutes),
            who = esc(&step.who),
            via = step.via.as_ref().map(|v| format!(" <span class=\"meta\">({})</span>", esc(v))).unwrap_or_default(),
        );
    }
    html.push_str("</ol>");
    html
}

/// Stage errors as "Stage N: …" lines, N the form's line (repeated stages map to their line).
pub fn stage_errors_html(errors: &[FieldError], lines: usize, texts: &impl Texts) -> String {
    let mut html = String::new();
    for e in errors.iter().filter(|e| e.field.starts_with("plan.stages")) {
        let index = e.field.split('.').nth(2).and_then(|i| i.parse::<usize>().ok());
        let label = match index {
            Some(i) => format!("{} {}: ", texts.get(Msg::StageN), line_of_stage(i, lines) + 1),
            None => String::new(),
        };
        let _ = write!(html, "<li class=\"field-error\" role=\"alert\">{}{}</li>", esc(&label), esc(texts.get(e.msg)));
    }
    html
}

/// The list of stages the island edits: one row per line of the text box.
pub fn stages_html(lines: &[StageLine], targets: &[TargetChoice], texts: &impl Texts) -> String {
    let t = |m: Msg| esc(texts.get(m));
    let last = lines.len().saturating_sub(1);
    let mut html = String::new();
    for (i, line) in lines.iter().enumerate() {
        let disabled = |yes: bool| if yes { " disabled" } else { "" };
        let _ = write!(
            html,
            "<li data-testid=\"stage\" data-index=\"{i}\" draggable=\"true\" tabindex=\"0\">\
             <span class=\"handle\" aria-hidden=\"true\">≡</span> <strong>{stage} {n}</strong> \
             <label>{pages} <input data-stage-field=\"targets\" data-testid=\"stage-targets\" list=\"plan-targets\" value=\"{targets}\"></label> \
             <label>{wait} <input data-stage-field=\"minutes\" data-testid=\"stage-minutes\" inputmode=\"numeric\" size=\"3\" value=\"{minutes}\"></label> \
             <button type=\"button\" data-testid=\"stage-up\" data-move=\"up\" title=\"{up}\"{d_up}>↑</button>\
             <button type=\"button\" data-testid=\"stage-down\" data-move=\"down\" title=\"{down}\"{d_down}>↓</button>\
             <button type=\"button\" data-testid=\"stage-remove\" data-move=\"remove\" title=\"{rm}\">×</button>\
             <div class=\"stage-who\" data-stage-who>{who}</div></li>",
            stage = t(Msg::StageN),
            n = i + 1,
            pages = t(Msg::PagesWho),
            targets = esc(&line.targets_text()),
            wait = t(Msg::WaitMinutes),
            minutes = esc(&line.minutes),
            who = who_html(line, targets, texts),
            up = t(Msg::MoveUp),
            down = t(Msg::MoveDown),
            rm = t(Msg::Remove),
            d_up = disabled(i == 0),
            d_down = disabled(i == last),
        );
    }
    html
}

/// Who a stage pages, by name, each with its switch: whether their acknowledgement stops the
/// escalation (on for a new target; the island writes `~` into the line when it is turned off).
pub fn who_html(line: &StageLine, targets: &[TargetChoice], texts: &impl Texts) -> String {
    let name = |alias: &str| targets.iter().find(|c| c.alias == alias).map_or(alias, |c| c.name.as_str()).to_owned();
    let mut html = String::new();
    for (j, (alias, stops)) in line.targets.iter().enumerate() {
        let _ = write!(
            html,
            "<label class=\"check stop-switch\"><input type=\"checkbox\" data-stops=\"{j}\" data-testid=\"stage-stops\"{checked}> \
             <strong>{who}</strong> — {switch}</label>",
            checked = if *stops { " checked" } else { "" },
            who = esc(&name(alias)),
            switch = esc(texts.get(Msg::AckStopsSwitch)),
        );
    }
    html
}

/// What an acknowledgement in each stage does, as the plan stands: stops the escalation, or lets
/// it go on to the next stage (and when). Rendered under the timeline, on the server and by the
/// island alike.
pub fn ack_html(form: &PlanForm, targets: &[TargetChoice], texts: &impl Texts) -> String {
    let Ok(plan) = form.parse() else { return String::new() };
    let effects = crate::domain::escalation::ack_effects(&plan.plan);
    if effects.is_empty() {
        return String::new();
    }
    let name = |alias: &str| targets.iter().find(|c| c.alias == alias).map_or(alias, |c| c.name.as_str()).to_owned();
    let names = |list: &[String]| list.iter().map(|a| name(a)).collect::<Vec<_>>().join(", ");
    let mut html = format!(
        "<h3>{}</h3><ul class=\"plain\" data-testid=\"plan-ack-effects\">",
        esc(texts.get(Msg::IfAcknowledged))
    );
    for e in effects {
        let stage = format!("{} {} (+{} {})", texts.get(Msg::StageN), e.stage + 1, e.minute, texts.get(Msg::Minutes));
        let mut lines = Vec::new();
        if !e.stops.is_empty() {
            lines.push(texts.get(Msg::AckStopsAll).replace("{who}", &names(&e.stops)));
        }
        if !e.goes_on.is_empty() {
            lines.push(match e.next {
                Some((n, m)) => texts
                    .get(Msg::AckGoesOn)
                    .replace("{who}", &names(&e.goes_on))
                    .replace("{n}", &(n + 1).to_string())
                    .replace("{m}", &m.to_string()),
                None => texts.get(Msg::AckGoesOnLast).replace("{who}", &names(&e.goes_on)),
            });
        }
        let _ = write!(
            html,
            "<li data-testid=\"ack-effect\" data-stage=\"{}\"><strong>{}</strong>: {}</li>",
            e.stage,
            esc(&stage),
            esc(&lines.join(" "))
        );
    }
    html.push_str("</ul>");
    html
}

/// How many stages the form saves (the lines times the repeat), when it can be read.
fn unrolled_count(form: &PlanForm) -> Option<usize> {
    form.parse().ok().map(|c: Contact| c.plan.stages.len())
}

/// The form: every field a plain input, so it saves without script.
#[component]
fn PlanFields(
    form: PlanForm,
    base: String,
    at: String,
    is_new: bool,
    targets: Vec<TargetChoice>,
    errors: Vec<FieldError>,
) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let error = {
        let errors = errors.clone();
        move |field: &'static str| {
            let text = errors.iter().find(|e| e.field == field).map(|e| e.msg.text(locale)).unwrap_or_default();
            view! { <span class="field-error" data-error-for=field role="alert">{text}</span> }
        }
    };
    let lines = stage_lines(&form.stages);
    let alias_field = if is_new {
        view! {
            <label>{t(Msg::Alias)} <input name="alias" data-testid="plan-alias" value=form.alias.clone() autocapitalize="off" /> {error("alias")}</label>
        }
        .into_any()
    } else {
        view! { <input type="hidden" name="alias" value=form.alias.clone() /> <p class="meta">{t(Msg::Alias)} ": " <code>{form.alias.clone()}</code></p> }.into_any()
    };
    let options =
        targets.iter().map(|c| view! { <option value=c.alias.clone()>{c.name.clone()}</option> }).collect_view();
    let count = unrolled_count(&form).map(|n| n.to_string()).unwrap_or_default();
    view! {
        <PostForm action=SavePlan::PATH class="editor-form" testid="plan-form">
            <input type="hidden" name="base" value=base />
            {alias_field}
            <label>{t(Msg::DisplayName)} <input name="display_name" data-testid="plan-name" value=form.display_name.clone() /> {error("display_name")}</label>
            <fieldset>
                <legend>{t(Msg::Stages)}</legend>
                <p class="meta">{t(Msg::StageCapNote)}</p>
                <p class="meta" data-testid="rotation-hint">{t(Msg::RotationsNeedSchedule)} " " <a href="/escalation/new-schedule">{t(Msg::NewSchedule)}</a></p>
                <p class="meta live-only">{t(Msg::StagesReorderHint)}</p>
                <ol class="stages live-only" data-testid="stage-list" inner_html=stages_html(&lines, &targets, &locale)></ol>
                <div class="inline live-only">
                    <button type="button" data-testid="stage-add">{t(Msg::AddStage)}</button>
                </div>
                <label class="static-only">{t(Msg::StagesOnePerLine)}
                    <textarea name="stages" data-testid="plan-stages" rows="5">{form.stages.clone()}</textarea>
                </label>
                <ul class="errors" data-testid="stage-errors" inner_html=stage_errors_html(&errors, lines.len(), &locale)></ul>
                <datalist id="plan-targets">{options}</datalist>
            </fieldset>
            <label>{t(Msg::RepeatTimes)} " (1–" {MAX_REPEAT} ")"
                <input name="repeat" data-testid="plan-repeat" value=form.repeat.clone() inputmode="numeric" size="3" />
                {error("repeat")}
            </label>
            <p class="meta">{t(Msg::SavedAsStages)} " " <span data-testid="plan-stage-count">{count}</span> " · ≤ " {MAX_STAGE_MINUTES} " " {t(Msg::Minutes)}</p>
            <label>{t(Msg::TimelineAt)}
                <input type="datetime-local" name="at" data-testid="plan-at" value=at />
            </label>
            <div class="inline">
                <button type="submit" class="primary" data-testid="plan-save">{t(Msg::Save)}</button>
                <button type="submit" class="static-only" formaction=PreviewPlan::PATH data-testid="plan-preview">{t(Msg::ShowTimeline)}</button>
            </div>
        </PostForm>
    }
}

/// The save was refused: someone else changed the plan first. Both versions, and a way back.
#[component]
fn Conflict(saved: Option<Contact>, yours: PlanForm) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let theirs = saved.as_ref().map(|c| PlanForm::of(c).stages).unwrap_or_default();
    let reload = saved.as_ref().map_or_else(|| NEW_PLAN_PATH.to_owned(), |c| plan_path(&c.alias));
    view! {
        <div class="conflict" data-testid="conflict">
            <p class="error">{AppError::StaleEdit.message(locale)}</p>
            <div class="two">
                <div data-testid="conflict-theirs">
                    <h3>{t(Msg::TheirVersion)}</h3>
                    <p>{saved.map(|c| c.display_name).unwrap_or_default()}</p>
                    <pre>{theirs}</pre>
                </div>
                <div data-testid="conflict-yours">
                    <h3>{t(Msg::YourVersion)}</h3>
                    <p>{yours.display_name.clone()}</p>
                    <pre>{yours.stages.clone()}</pre>
                </div>
            </div>
            <a class="button" href=reload data-testid="reload-latest">{t(Msg::ReloadLatest)}</a>
        </div>
    }
}

/// The live part: reads the form on every change, edits the stage list, renders errors and the
/// simulated timeline.
#[island(lazy)]
fn PlanLive(sim: SimData, zone: String, now: i64, labels: Labels, children: Children) -> impl IntoView {
    let root = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    {
        mark_hydrated();
        let state = std::rc::Rc::new(live::Live::new(sim.directory(), zone, now, labels));
        Effect::new(move || {
            if let Some(el) = root.get() {
                live::attach(&el, state.clone());
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (sim, zone, now, labels);
    view! { <div class="editor-live plan-live" node_ref=root>{children()}</div> }
}

#[cfg(feature = "hydrate")]
mod live {
    //! The island's work on the server-rendered form.

    use std::cell::Cell;
    use std::rc::Rc;

    use wasm_bindgen::JsCast;
    use web_sys::{Element, Event, HtmlElement, KeyboardEvent};

    use super::{ack_html, draft_steps, stage_errors_html, stages_html, timeline_html, unrolled_count, who_html};
    use crate::domain::escalation::Directory;
    use crate::domain::plan_form::{PlanForm, StageLine, read_line, stage_lines, stages_text};
    use crate::domain::timezone::parse_local_minute;
    use crate::i18n::{Labels, Texts as _};
    use crate::islands::dom::{find, listen, set_value, value};
    use crate::model::plans::TargetChoice;

    pub struct Live {
        directory: Directory,
        targets: Vec<TargetChoice>,
        zone: String,
        /// When the page was rendered: the simulated incident's start if none is typed.
        now: chrono::DateTime<chrono::Utc>,
        labels: Labels,
        dragging: Cell<Option<usize>>,
    }

    impl Live {
        pub fn new(directory: Directory, zone: String, now: i64, labels: Labels) -> Live {
            let targets = directory
                .contacts
                .values()
                .map(|c| TargetChoice { alias: c.alias.clone(), name: c.display_name.clone(), kind: c.kind })
                .collect();
            let now = chrono::DateTime::from_timestamp(now, 0).unwrap_or_default();
            Live { directory, targets, zone, now, labels, dragging: Cell::new(None) }
        }
    }

    fn read(root: &Element) -> PlanForm {
        PlanForm {
            alias: value(root, "alias"),
            display_name: value(root, "display_name"),
            stages: value(root, "stages"),
            repeat: value(root, "repeat"),
        }
    }

    /// Recomputes from the form: field errors, the stage count and the timeline.
    fn refresh(root: &Element, live: &Live) {
        refresh_with(root, live, true);
    }

    /// As [`refresh`]; `errors` false keeps the errors the server rendered (a refused save's
    /// "Stage 1: no such contact", which the island's own checks do not make) until the
    /// person changes something.
    fn refresh_with(root: &Element, live: &Live, errors: bool) {
        let form = read(root);
        // What the form itself says; references to other contacts show on the timeline (the
        // save checks them again), which keeps the plan checks out of the WASM.
        let problems = form.parse().err().unwrap_or_default();
        let lines = stage_lines(&form.stages).len();
        if errors && let Some(el) = find(root, "[data-testid=\"stage-errors\"]") {
            el.set_inner_html(&stage_errors_html(&problems, lines, &live.labels));
        }
        if errors && let Some(span) = find(root, "[data-error-for=\"repeat\"]") {
            let text = problems.iter().find(|e| e.field == "repeat").map(|e| live.labels.get(e.msg));
            span.set_text_content(text);
        }
        if let Some(el) = find(root, "[data-testid=\"plan-stage-count\"]") {
            el.set_text_content(unrolled_count(&form).map(|n| n.to_string()).as_deref());
        }
        let start = parse_local_minute(&value(root, "at"), &live.zone).unwrap_or(live.now);
        if let Some(el) = find(root, "[data-testid=\"plan-timeline-body\"]") {
            el.set_inner_html(&timeline_html(&draft_steps(&form, &live.directory, start), &live.labels));
        }
        if let Some(el) = find(root, "[data-testid=\"plan-ack-body\"]") {
            el.set_inner_html(&ack_html(&form, &live.targets, &live.labels));
        }
    }

    /// Writes the stages into the form and shows them; `focus` is the row to focus after.
    fn set_lines(root: &Element, live: &Live, lines: &[StageLine], focus: Option<usize>) {
        set_value(root, "stages", &stages_text(lines));
        if let Some(list) = find(root, "[data-testid=\"stage-list\"]") {
            list.set_inner_html(&stages_html(lines, &live.targets, &live.labels));
        }
        if let Some(i) = focus
            && let Some(item) = find(root, &format!("[data-testid=\"stage\"][data-index=\"{i}\"]"))
            && let Ok(item) = item.dyn_into::<HtmlElement>()
        {
            let _ = item.focus();
        }
        refresh(root, live);
    }

    fn move_stage(root: &Element, live: &Live, from: usize, to: usize) {
        let mut lines = stage_lines(&value(root, "stages"));
        if from < lines.len() && to < lines.len() && from != to {
            let line = lines.remove(from);
            lines.insert(to, line);
            set_lines(root, live, &lines, Some(to));
        }
    }

    /// The stage row an event happened in, and its position.
    fn stage_at(event: &Event) -> Option<(Element, usize)> {
        let target = event.target()?.dyn_into::<Element>().ok()?;
        let item = target.closest("[data-testid=\"stage\"]").ok()??;
        let index = item.get_attribute("data-index")?.parse().ok()?;
        Some((item, index))
    }

    /// A target's "acknowledging stops the escalation" switch was turned: its line gets or loses
    /// the `~`, in the row's field and in the text box.
    fn switch_turned(root: &Element, live: &Live, event: &Event, switch: &Element) {
        let Some((item, i)) = stage_at(event) else { return };
        let Some(j) = switch.get_attribute("data-stops").and_then(|j| j.parse::<usize>().ok()) else { return };
        let on = js_sys::Reflect::get(switch, &"checked".into()).ok().and_then(|v| v.as_bool()).unwrap_or(true);
        let mut lines = stage_lines(&value(root, "stages"));
        let Some(line) = lines.get_mut(i) else { return };
        let Some(target) = line.targets.get_mut(j) else { return };
        target.1 = on;
        if let Some(field) = find(&item, "[data-stage-field=\"targets\"]") {
            let _ = js_sys::Reflect::set(&field, &"value".into(), &line.targets_text().into());
        }
        set_value(root, "stages", &stages_text(&lines));
        refresh(root, live);
    }

    /// A field of a stage row was typed in: rewrite that line of the text box (the row stays as
    /// it is, so typing is not interrupted).
    fn stage_typed(root: &Element, live: &Live, event: &Event) {
        let switch =
            event.target().and_then(|t| t.dyn_into::<Element>().ok()).filter(|t| t.has_attribute("data-stops"));
        if let Some(switch) = switch {
            switch_turned(root, live, event, &switch);
            return;
        }
        let Some((item, i)) = stage_at(event) else { return };
        let field = |name: &str| {
            find(&item, &format!("[data-stage-field=\"{name}\"]"))
                .and_then(|el| js_sys::Reflect::get(&el, &"value".into()).ok())
                .and_then(|v| v.as_string())
                .unwrap_or_default()
        };
        let mut lines = stage_lines(&value(root, "stages"));
        if i < lines.len() {
            let line = read_line(&format!("{}: {}", field("minutes"), field("targets")));
            // Only the names change under the row: the fields being typed in stay as they are.
            if let Some(who) = find(&item, "[data-stage-who]") {
                who.set_inner_html(&who_html(&line, &live.targets, &live.labels));
            }
            lines[i] = line;
            set_value(root, "stages", &stages_text(&lines));
        }
        refresh(root, live);
    }

    pub fn attach(root: &HtmlElement, live: Rc<Live>) {
        let root: Element = root.clone().into();
        let _ = root.class_list().add_1("live");
        for kind in ["input", "change"] {
            let (r, l) = (root.clone(), live.clone());
            listen(&root, kind, move |event| {
                if stage_at(&event).is_some() {
                    stage_typed(&r, &l, &event);
                } else {
                    refresh(&r, &l);
                }
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
            let mut lines = stage_lines(&value(&r, "stages"));
            if button.get_attribute("data-testid").as_deref() == Some("stage-add") {
                lines.push(StageLine { minutes: "10".into(), targets: Vec::new() });
                let last = lines.len() - 1;
                set_lines(&r, &l, &lines, Some(last));
                return;
            }
            let Some((_, i)) = stage_at(&event) else { return };
            match button.get_attribute("data-move").as_deref() {
                Some("up") if i > 0 => move_stage(&r, &l, i, i - 1),
                Some("down") => move_stage(&r, &l, i, i + 1),
                Some("remove") if i < lines.len() => {
                    lines.remove(i);
                    set_lines(&r, &l, &lines, None);
                }
                _ => {}
            }
        });
        let (r, l) = (root.clone(), live.clone());
        listen(&root, "keydown", move |event| {
            let Some(key) = event.dyn_ref::<KeyboardEvent>() else { return };
            let Some((item, i)) = stage_at(&event) else { return };
            let on_item = event.target().and_then(|t| t.dyn_into::<Element>().ok()).is_some_and(|t| t == item);
            if !on_item || !key.alt_key() {
                return;
            }
            match key.key().as_str() {
                "ArrowUp" if i > 0 => {
                    event.prevent_default();
                    move_stage(&r, &l, i, i - 1);
                }
                "ArrowDown" => {
                    event.prevent_default();
                    move_stage(&r, &l, i, i + 1);
                }
                _ => {}
            }
        });
        let l = live.clone();
        listen(&root, "dragstart", move |event| l.dragging.set(stage_at(&event).map(|(_, i)| i)));
        listen(&root, "dragover", |event| {
            if stage_at(&event).is_some() {
                event.prevent_default();
            }
        });
        let (r, l) = (root.clone(), live.clone());
        listen(&root, "drop", move |event| {
            if let (Some(from), Some((_, to))) = (l.dragging.take(), stage_at(&event)) {
                event.prevent_default();
                move_stage(&r, &l, from, to);
            }
        });
        refresh_with(&root, &live, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_island_has_every_message_of_the_form_checks() {
        let labels = Labels::new(LIVE_LABELS, Locale::Ja);
        for source in [include_str!("../domain/plan_form.rs"), include_str!("../domain/contact.rs")] {
            let named = crate::i18n::messages_named_in(source);
            assert!(!named.is_empty());
            assert_eq!(labels.missing(&named), Vec::<Msg>::new());
        }
    }

    #[test]
    fn stage_errors_name_the_line_a_repeated_stage_came_from() {
        let errors = vec![FieldError::new("plan.stages.3.duration_minutes", Msg::ErrStageDuration)];
        let html = stage_errors_html(&errors, 2, &Locale::En);
        assert!(html.contains("Stage 2: "), "{html}");
    }

    #[test]
    fn names_in_generated_html_are_escaped() {
        let steps = vec![TimelineStep { minute: 0, who: "<b>".into(), via: None, what: TimelineWhat::NobodyOnCall }];
        assert!(timeline_html(&steps, &Locale::En).contains("&lt;b&gt;"));
    }
}
