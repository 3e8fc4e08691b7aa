//! The on-call schedule editor: a plain HTML form (no island) of the rotations a schedule
//! combines, with the stale-save refusal showing both versions, and delete.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

use crate::api::schedules::{DeleteSchedule, SaveSchedule, schedule_editor};
use crate::domain::contact::MAX_SCHEDULE_ROTATIONS;
use crate::error::AppError;
use crate::forms::{FormErrors, PostForm, outcome};
use crate::i18n::{Locale, Msg};
use crate::model::schedules::{RotationPick, ScheduleEditorData};
use crate::pages::common::loaded;

#[component]
pub fn ScheduleEditPage() -> impl IntoView {
    let alias = use_params_map().read_untracked().get("alias").unwrap_or_default();
    let data = Resource::new(move || alias.clone(), schedule_editor);
    view! { {loaded(data, |data| view! { <ScheduleEditor data /> })} }
}

#[component]
pub fn ScheduleNewPage() -> impl IntoView {
    let data = Resource::new(String::new, schedule_editor);
    view! { {loaded(data, |data| view! { <ScheduleEditor data /> })} }
}

#[component]
fn ScheduleEditor(data: ScheduleEditorData) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let last = outcome::<String>(SaveSchedule::PATH);
    let errors = FormErrors::of(SaveSchedule::PATH, locale);
    let is_new = data.base.is_empty();
    // After a refused save, the boxes as they were ticked.
    let typed = last.as_ref().filter(|o| o.result.is_err()).map(|o| o.fields.clone());
    let ticked = |i: usize, pick: &RotationPick| match &typed {
        Some(fields) => fields.iter().any(|(k, _)| *k == format!("picks[{i}][on]")),
        None => pick.on.is_some(),
    };
    let stale = matches!(errors.error, Some(AppError::StaleEdit));
    // A refused save keeps the version it started from: saving again needs "start again".
    let base = typed
        .as_ref()
        .and_then(|f| f.iter().find(|(k, _)| k == "base").map(|(_, v)| v.clone()))
        .unwrap_or_else(|| data.base.clone());
    let conflict = stale.then(|| {
        let theirs: Vec<String> = data.rotations.iter().filter(|p| p.on.is_some()).map(|p| p.name.clone()).collect();
        let yours: Vec<String> =
            data.rotations.iter().enumerate().filter(|(i, p)| ticked(*i, p)).map(|(_, p)| p.name.clone()).collect();
        view! {
            <div class="conflict" data-testid="conflict">
                <div class="two">
                    <div data-testid="conflict-theirs"><h3>{t(Msg::TheirVersion)}</h3><p>{theirs.join(", ")}</p></div>
                    <div data-testid="conflict-yours"><h3>{t(Msg::YourVersion)}</h3><p>{yours.join(", ")}</p></div>
                </div>
                <a class="button" href="" data-testid="reload-latest">{t(Msg::ReloadLatest)}</a>
            </div>
        }
    });
    let saved = last
        .as_ref()
        .filter(|o| o.result.is_ok())
        .map(|_| view! { <p class="ok" role="status" data-testid="schedule-saved">{t(Msg::Saved)}</p> });
    let boxes = data
        .rotations
        .iter()
        .enumerate()
        .map(|(i, pick)| {
            view! {
                <label class="check" data-testid="schedule-rotation">
                    <input type="hidden" name=format!("picks[{i}][id]") value=pick.id.clone() />
                    <input type="checkbox" name=format!("picks[{i}][on]") value="on" checked=ticked(i, pick) />
                    {pick.name.clone()}
                </label>
            }
        })
        .collect_view();
    let title = if is_new {
        t(Msg::NewSchedule).to_owned()
    } else {
        format!("{}: {}", t(Msg::EditSchedule), data.display_name)
    };
    let typed_value =
        |field: &str| typed.as_ref().and_then(|f| f.iter().find(|(k, _)| k == field).map(|(_, v)| v.clone()));
    let typed_alias = typed_value("alias").unwrap_or_default();
    let display_name = typed_value("display_name").unwrap_or_else(|| data.display_name.clone());
    let alias_field = if is_new {
        view! { <label>{t(Msg::Alias)} <input name="alias" data-testid="schedule-alias" autocapitalize="off" value=typed_alias /> {errors.field("alias")}</label> }.into_any()
    } else {
        view! { <input type="hidden" name="alias" value=data.alias.clone() /> <p class="meta">{t(Msg::Alias)} ": " <code>{data.alias.clone()}</code></p> }.into_any()
    };
    let used = (!is_new).then(|| {
        let list = data
            .used_by
            .iter()
            .map(|u| view! { <li>{u.what.text(locale)} " “" {u.name.clone()} "”"</li> })
            .collect_view();
        view! {
            <h2>{t(Msg::UsedByHeading)}</h2>
            <ul data-testid="used-by">{list}</ul>
            {FormErrors::of(DeleteSchedule::PATH, locale).summary("delete-schedule-error")}
            <PostForm action=DeleteSchedule::PATH class="inline" testid="delete-schedule">
                <input type="hidden" name="alias" value=data.alias.clone() />
                <button type="submit" class="danger">{t(Msg::Delete)}</button>
            </PostForm>
        }
    });
    view! {
        <section class="card" data-testid="schedule-editor">
            <h1>{title}</h1>
            <p class="meta"><a href="/escalation">{t(Msg::NavEscalation)}</a></p>
            {saved}
            {(!stale).then(|| errors.summary("schedule-error"))}
            {conflict}
            <PostForm action=SaveSchedule::PATH class="editor-form" testid="schedule-form">
                <input type="hidden" name="base" value=base />
                {alias_field}
                <label>{t(Msg::DisplayName)} <input name="display_name" value=display_name data-testid="schedule-name" /> {errors.field("display_name")}</label>
                <fieldset>
                    <legend>{t(Msg::ScheduleRotations)} " (1–" {MAX_SCHEDULE_ROTATIONS} ")"</legend>
                    {boxes}
                    {errors.field("plan.rotation_ids")}
                </fieldset>
                <button type="submit" class="primary" data-testid="schedule-save">{t(Msg::Save)}</button>
            </PostForm>
            {used}
        </section>
    }
}
