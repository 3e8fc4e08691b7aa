//! The response-plan editor: a plain HTML form (no island) of the incident template, the
//! contacts engaged and the notice targets, with the stale-save refusal showing both versions.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

use crate::api::response_plans::{SaveResponsePlan, response_plan_editor};
use crate::error::AppError;
use crate::forms::{FormErrors, PostForm, outcome};
use crate::i18n::{Locale, Msg};
use crate::model::response_plans::ResponsePlanEditorData;
use crate::pages::common::loaded;

#[component]
pub fn ResponsePlanEditPage() -> impl IntoView {
    let name = use_params_map().read_untracked().get("name").unwrap_or_default();
    let data = Resource::new(move || name.clone(), response_plan_editor);
    view! { {loaded(data, |data| view! { <Editor data /> })} }
}

#[component]
pub fn ResponsePlanNewPage() -> impl IntoView {
    let data = Resource::new(String::new, response_plan_editor);
    view! { {loaded(data, |data| view! { <Editor data /> })} }
}

#[component]
fn Editor(data: ResponsePlanEditorData) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let last = outcome::<String>(SaveResponsePlan::PATH);
    let errors = FormErrors::of(SaveResponsePlan::PATH, locale);
    let is_new = data.base.is_empty();
    // After a refused save: the form as typed, and the version it started from.
    let typed = last.as_ref().filter(|o| o.result.is_err()).map(|o| o.fields.clone());
    let value = |field: &str, saved: &str| match &typed {
        Some(fields) => fields.iter().find(|(k, _)| k == field).map_or_else(String::new, |(_, v)| v.clone()),
        None => saved.to_owned(),
    };
    let ticked = |i: usize, saved: bool| match &typed {
        Some(fields) => fields.iter().any(|(k, _)| *k == format!("picks[{i}][on]")),
        None => saved,
    };
    let f = &data.form;
    let base = if typed.is_some() { value("base", &data.base) } else { data.base.clone() };
    let stale = matches!(errors.error, Some(AppError::StaleEdit));
    let (their_title, their_impact, their_summary) = (f.title.clone(), f.impact.clone(), f.summary.clone());
    let (your_title, your_impact, your_summary) = (value("title", ""), value("impact", ""), value("summary", ""));
    let conflict = stale.then(move || {
        view! {
            <div class="conflict" data-testid="conflict">
                <div class="two">
                    <div data-testid="conflict-theirs"><h3>{t(Msg::TheirVersion)}</h3><p>{their_title} " · " {their_impact}</p><p>{their_summary}</p></div>
                    <div data-testid="conflict-yours"><h3>{t(Msg::YourVersion)}</h3><p>{your_title} " · " {your_impact}</p><p>{your_summary}</p></div>
                </div>
                <a class="button" href="" data-testid="reload-latest">{t(Msg::ReloadLatest)}</a>
            </div>
        }
    });
    let saved = last
        .as_ref()
        .filter(|o| o.result.is_ok())
        .map(|_| view! { <p class="ok" role="status" data-testid="response-plan-saved">{t(Msg::Saved)}</p> });
    let typed_name = value("name", "");
    let name_field = if is_new {
        view! { <label>{t(Msg::Name)} <input name="name" value=typed_name data-testid="rp-name" autocapitalize="off" /> {errors.field("name")}</label> }.into_any()
    } else {
        view! { <input type="hidden" name="name" value=f.name.clone() /> <p class="meta">{t(Msg::Name)} ": " <code>{f.name.clone()}</code></p> }.into_any()
    };
    let impact = value("impact", &f.impact);
    let impacts = (1..=5)
        .map(|i| {
            let v = i.to_string();
            view! { <option value=v.clone() selected=v == impact>{v.clone()}</option> }
        })
        .collect_view();
    let picks = data
        .picks
        .iter()
        .enumerate()
        .map(|(i, (pick, name))| {
            view! {
                <label class="check">
                    <input type="hidden" name=format!("picks[{i}][alias]") value=pick.alias.clone() />
                    <input type="checkbox" name=format!("picks[{i}][on]") value="on" checked=ticked(i, pick.on.is_some()) />
                    {name.clone()} " " <code>{pick.alias.clone()}</code>
                </label>
            }
        })
        .collect_view();
    // One message per refused URL, named by its place in the list.
    let url_errors: Vec<_> = match &errors.error {
        Some(AppError::Invalid(fields)) => fields
            .iter()
            .filter(|e| e.field.starts_with("notification_targets."))
            .map(|e| view! { <span class="field-error" data-field=e.field.clone() role="alert">{e.msg.text(locale)}</span> })
            .collect(),
        _ => Vec::new(),
    };
    let targets = if data.aws {
        view! { <p class="meta" data-testid="aws-chat-channel">{t(Msg::ErrAwsNotificationTargets)}</p> }.into_any()
    } else {
        let (slack, hooks) = (value("slack", &f.slack), value("webhooks", &f.webhooks));
        view! {
            <label>{t(Msg::SlackTargets)} <textarea name="slack" data-testid="rp-slack">{slack}</textarea></label>
            <label>{t(Msg::WebhookTargets)} <textarea name="webhooks" data-testid="rp-webhooks">{hooks}</textarea></label>
            {errors.field("notification_targets")}
            {url_errors}
        }
        .into_any()
    };
    let title = if is_new {
        t(Msg::NewResponsePlan).to_owned()
    } else {
        format!("{}: {}", t(Msg::EditResponsePlan), f.display_name)
    };
    // Owned values for the form (its children outlive this function).
    let (display_name, incident_title, summary, dedupe) = (
        value("display_name", &f.display_name),
        value("title", &f.title),
        value("summary", &f.summary),
        value("dedupe_string", &f.dedupe_string),
    );
    view! {
        <section class="card" data-testid="response-plan-editor">
            <h1>{title}</h1>
            <p class="meta"><a href="/routing">{t(Msg::NavRouting)}</a></p>
            {saved}
            {(!stale).then(|| errors.summary("response-plan-error"))}
            {conflict}
            <PostForm action=SaveResponsePlan::PATH class="editor-form" testid="response-plan-form">
                <input type="hidden" name="base" value=base />
                {name_field}
                <label>{t(Msg::DisplayName)} <input name="display_name" value=display_name data-testid="rp-display-name" /> {errors.field("display_name")}</label>
                <label>{t(Msg::IncidentTitle)} <input name="title" value=incident_title data-testid="rp-title" /> {errors.field("template.title")}</label>
                <label>{t(Msg::Impact)} <select name="impact" data-testid="rp-impact">{impacts}</select> {errors.field("template.impact")}</label>
                <label>{t(Msg::Summary)} <textarea name="summary" data-testid="rp-summary">{summary}</textarea> {errors.field("template.summary")}</label>
                <label>{t(Msg::DedupeString)} <input name="dedupe_string" value=dedupe data-testid="rp-dedupe" /> {errors.field("template.dedupe_string")}</label>
                <fieldset>
                    <legend>{t(Msg::Engages)}</legend>
                    {picks}
                    {errors.field("engagements")}
                </fieldset>
                {targets}
                <button type="submit" class="primary" data-testid="rp-save">{t(Msg::Save)}</button>
            </PostForm>
        </section>
    }
}
