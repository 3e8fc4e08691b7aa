//! A person's page: their channels with activation and health, their own engagement plan (presets
//! or per-channel starts), what a page to them does, and what uses them. Every form is a plain
//! HTML form (no island): managers change, everyone reads.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

use crate::api::oncall::{SendTestPage, SetContactLanguage};
use crate::api::people::gateways;
use crate::api::people::{
    ActivateChannel, AddChannel, CreatePerson, DeletePerson, RenamePerson, ResendCode, SavePersonalPlan, person_page,
};
use crate::domain::contact::{ChannelType, MAX_RETRY_MINUTES};
use crate::domain::personal_plan::{ChannelStart, Preset};
use crate::forms::{FormErrors, PostForm, outcome};
use crate::i18n::{Locale, Msg};
use crate::model::people::{ChannelHealth, ChannelRow, PersonView};
use crate::pages::common::{channel_label, loaded, no_gateway_msgs};
use crate::pages::plans::timeline_html;
use crate::zone::{When, viewer_zone};

#[component]
pub fn PersonPage() -> impl IntoView {
    let alias = use_params_map().read_untracked().get("alias").unwrap_or_default();
    let data = Resource::new(move || alias.clone(), person_page);
    view! { {loaded(data, |person| view! { <Person person /> })} }
}

/// "Saved"-style notes and error lines of this page's forms, once, after a post. A code
/// "sent" to a channel whose kind has no way out was not: the note says so.
#[component]
fn Outcomes(
    /// Channels the person's engagement plan does not use (no start): activating one of them
    /// does not yet make pages use it, and the note says so.
    unused: Vec<String>,
) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let activated_unused = outcome::<serde_json::Value>(ActivateChannel::PATH)
        .filter(|o| o.result.is_ok() && o.value("channel_id").is_some_and(|id| unused.contains(&id)))
        .map(|_| view! { <p class="warning" role="status" data-testid="channel-unused">{Msg::ChannelActivatedUnused.text(locale)}</p> });
    let added = outcome::<serde_json::Value>(AddChannel::PATH).filter(|o| o.result.is_ok()).map(|o| {
        match o.value("kind").as_deref().and_then(ChannelType::parse) {
            Some(kind) if !gateways().carries(kind) => (no_gateway_msgs(kind).2, "warning"),
            _ => (Msg::ChannelAddedCodeSent, "ok"),
        }
    });
    let ok = |path: &str, msg: Msg, testid: &'static str| {
        outcome::<serde_json::Value>(path).filter(|o| o.result.is_ok()).map(move |_| {
            view! { <p class="ok" role="status" data-testid=testid>{msg.text(locale)}</p> }
        })
    };
    let err = |path: &str, testid: &'static str| FormErrors::of(path, locale).summary(testid);
    view! {
        {added.map(|(msg, class)| {
            view! { <p class=class role="status" data-testid="channel-added">{msg.text(locale)}</p> }
        })}
        {ok(ResendCode::PATH, Msg::CodeSent, "code-sent")}
        {ok(ActivateChannel::PATH, Msg::ChannelActivatedNote, "channel-activated")}
        {activated_unused}
        {ok(crate::api::people::DeleteChannel::PATH, Msg::ChannelDeleted, "channel-deleted")}
        {ok(SavePersonalPlan::PATH, Msg::PlanSavedNote, "personal-plan-saved")}
        {ok(RenamePerson::PATH, Msg::Saved, "person-renamed")}
        {err(AddChannel::PATH, "add-channel-error")}
        {err(ResendCode::PATH, "resend-error")}
        {err(ActivateChannel::PATH, "activate-error")}
        {err(crate::api::people::DeleteChannel::PATH, "delete-channel-error")}
        {err(SavePersonalPlan::PATH, "personal-plan-error")}
        {err(RenamePerson::PATH, "rename-error")}
        {err(DeletePerson::PATH, "delete-person-error")}
        <TestPageOutcome />
    }
}

#[component]
fn Person(person: PersonView) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let alias = person.contact.alias.clone();
    let manager = person.manager;
    let unreachable = (!person.reachable()).then(|| {
        view! { <p class="error" role="alert" data-testid="no-working-channel">{t(Msg::NoWorkingChannelWarning)}</p> }
    });
    let used_by = if person.used_by.is_empty() {
        view! { <p class="meta" data-testid="used-by-nothing">{t(Msg::NothingUses)}</p> }.into_any()
    } else {
        view! {
            <ul data-testid="used-by">
                {person.used_by.iter().map(|u| view! { <li>{u.what.text(locale)} " “" {u.name.clone()} "”"</li> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    let manage = manager.then(|| {
        view! {
            <div class="inline">
                <TestPageForm alias=alias.clone() />
                <LanguageForm alias=alias.clone() language=person.language.clone() />
            </div>
            <RenameForm alias=alias.clone() base=person.base.clone() name=person.contact.display_name.clone() />
        }
    });
    let delete_alias = alias.clone();
    let delete = manager.then(move || {
        view! {
            <PostForm action=DeletePerson::PATH class="inline" testid="delete-person">
                <input type="hidden" name="alias" value=delete_alias />
                <button type="submit" class="danger">{t(Msg::DeletePerson)}</button>
            </PostForm>
        }
    });
    view! {
        <section class="card" data-testid="person" data-alias=alias.clone()>
            <h1>{person.contact.display_name.clone()} " " <code>{alias.clone()}</code></h1>
            <p class="meta"><a href="/escalation">{t(Msg::NavEscalation)}</a></p>
            <Outcomes unused=person.rows.iter().filter(|r| r.start.trim().is_empty()).map(|r| r.channel_id.clone()).collect() />
            {unreachable}
            {manage}
            <h2>{t(Msg::Channels)}</h2>
            <ChannelTable alias=alias.clone() rows=person.channels.clone() manager />
            {manager.then(|| view! { <AddChannelForm alias=alias.clone() /> })}
            <h2>{t(Msg::EngagementPlan)}</h2>
            <PlanEditor person=person.clone() />
            <h3>{t(Msg::IfPagedNow)}</h3>
            <div data-testid="person-timeline" inner_html=timeline_html(&person.timeline, &locale)></div>
            <h2>{t(Msg::UsedByHeading)}</h2>
            {used_by}
            {delete}
        </section>
    }
}

#[component]
fn RenameForm(alias: String, base: String, name: String) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let errors = FormErrors::of(RenamePerson::PATH, locale);
    view! {
        <PostForm action=RenamePerson::PATH class="inline" testid="rename-person">
            <input type="hidden" name="alias" value=alias />
            <input type="hidden" name="base" value=base />
            <label>{Msg::DisplayName.text(locale)} <input name="display_name" value=name data-testid="person-name" /> {errors.field("display_name")}</label>
            <button type="submit">{Msg::Rename.text(locale)}</button>
        </PostForm>
    }
}

fn health_text(health: &ChannelHealth, kind: ChannelType, locale: Locale) -> (String, bool) {
    match health {
        ChannelHealth::NoGateway => (no_gateway_msgs(kind).1.text(locale).to_owned(), true),
        ChannelHealth::NotActivated => (Msg::NotActivated.text(locale).to_owned(), true),
        ChannelHealth::Failing { error, .. } => (format!("{}: {error}", Msg::HealthFailing.text(locale)), true),
        ChannelHealth::Working { last_sent: Some(_) } => (Msg::HealthWorking.text(locale).to_owned(), false),
        ChannelHealth::Working { last_sent: None } => (Msg::HealthUnused.text(locale).to_owned(), false),
    }
}

#[component]
fn ChannelTable(alias: String, rows: Vec<ChannelRow>, manager: bool) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let zone = viewer_zone(locale);
    if rows.is_empty() {
        return view! { <p class="empty" data-testid="no-channels">{t(Msg::NoChannels)}</p> }.into_any();
    }
    view! {
        <table class="rows" data-testid="channels">
            <thead>
                <tr><th>{t(Msg::Name)}</th><th>{t(Msg::ChannelAddress)}</th><th>{t(Msg::ChannelState)}</th></tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|row| {
                        let (health, bad) = health_text(&row.health, row.channel.kind, locale);
                        let failed_at = match &row.health {
                            ChannelHealth::Failing { at, .. } => Some(view! { " · " <When at=*at zone=zone.clone() /> }),
                            _ => None,
                        };
                        let ch = row.channel;
                        let actions = manager.then(|| view! { <ChannelActions alias=alias.clone() id=ch.id.clone() activated=ch.activated /> });
                        view! {
                            <tr data-testid="channel" data-channel=ch.name.clone()>
                                <td data-label=t(Msg::Name)>{ch.name.clone()} " · " {channel_label(ch.kind, locale)}</td>
                                <td data-label=t(Msg::ChannelAddress)><code>{ch.address.clone()}</code></td>
                                <td data-label=t(Msg::ChannelState)>
                                    <span class:error=bad data-testid="channel-health">{health}</span> {failed_at}
                                    {actions}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn ChannelActions(alias: String, id: String, activated: bool) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let (a, i) = (alias.clone(), id.clone());
    let activate = (!activated).then(move || {
        let (alias, id, alias2, id2) = (a.clone(), i.clone(), a, i);
        view! {
            <PostForm action=ActivateChannel::PATH class="inline" testid="activate-channel">
                <input type="hidden" name="contact" value=alias2 />
                <input type="hidden" name="channel_id" value=id2 />
                <input name="code" size="8" inputmode="numeric" autocomplete="one-time-code" aria-label=t(Msg::ActivationCodeLabel) placeholder=t(Msg::ActivationCodeLabel) data-testid="activation-code" />
                <button type="submit">{t(Msg::Activate)}</button>
            </PostForm>
            <PostForm action=ResendCode::PATH class="inline" testid="resend-code">
                <input type="hidden" name="contact" value=alias />
                <input type="hidden" name="channel_id" value=id />
                <button type="submit">{t(Msg::SendNewCode)}</button>
            </PostForm>
        }
    });
    view! {
        {activate}
        <PostForm action=crate::api::people::DeleteChannel::PATH class="inline" testid="delete-channel">
            <input type="hidden" name="contact" value=alias />
            <input type="hidden" name="channel_id" value=id />
            <button type="submit" class="danger">{t(Msg::Delete)}</button>
        </PostForm>
    }
}

#[component]
fn AddChannelForm(alias: String) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let errors = FormErrors::of(AddChannel::PATH, locale);
    // A refused channel comes back as typed, its problem beside the field.
    let typed = outcome::<String>(AddChannel::PATH).filter(|o| o.result.is_err());
    let value = |field: &str| typed.as_ref().and_then(|o| o.value(field)).unwrap_or_default();
    let (name, chosen, address) = (value("name"), value("kind"), value("address"));
    let kind = move |k: ChannelType| {
        view! { <option value=k.as_str() selected=chosen == k.as_str()>{channel_label(k, locale)}</option> }
    };
    view! {
        <PostForm action=AddChannel::PATH class="editor-form" testid="add-channel">
            <h3>{t(Msg::AddChannel)}</h3>
            <input type="hidden" name="contact" value=alias />
            <label>{t(Msg::Name)} <input name="name" data-testid="channel-name" value=name /> {errors.field("name")}</label>
            <label>{t(Msg::ChannelKind)}
                <select name="kind" data-testid="channel-kind">{kind(ChannelType::Email)} {kind(ChannelType::Sms)} {kind(ChannelType::Voice)}</select>
                {errors.field("kind")}
            </label>
            <label>{t(Msg::ChannelAddress)} <input name="address" data-testid="channel-address" autocapitalize="off" value=address /> {errors.field("address")}</label>
            <button type="submit" data-testid="add-channel-submit">{t(Msg::AddChannel)}</button>
        </PostForm>
    }
}

/// The person's own plan: presets, or when each channel starts and how often it retries.
#[component]
fn PlanEditor(person: PersonView) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let alias = person.contact.alias.clone();
    if !person.manager {
        return view! { <p class="meta">{t(Msg::EngagementPlanIntro)}</p> }.into_any();
    }
    let errors = FormErrors::of(SavePersonalPlan::PATH, locale);
    // A refused plan comes back as typed (a 45 stays 45, next to its error).
    let typed = outcome::<serde_json::Value>(SavePersonalPlan::PATH).filter(|o| o.result.is_err());
    let typed_cell = |i: usize, f: &str| typed.as_ref().and_then(|o| o.value(&format!("rows[{i}][{f}]")));
    let presets = Preset::ALL
        .iter()
        .map(|p| {
            let (alias, base) = (alias.clone(), person.base.clone());
            view! {
                <PostForm action=SavePersonalPlan::PATH class="inline" testid="preset">
                    <input type="hidden" name="contact" value=alias />
                    <input type="hidden" name="base" value=base />
                    <input type="hidden" name="preset" value=p.as_str() />
                    <button type="submit" data-preset=p.as_str()>{p.label().text(locale)}</button>
                </PostForm>
            }
        })
        .collect_view();
    let rows = person
        .rows
        .iter()
        .zip(&person.channels)
        .enumerate()
        .map(|(i, (row, ch)): (usize, (&ChannelStart, &ChannelRow))| {
            let field = |f: &str| format!("rows[{i}][{f}]");
            let start_err = errors.error.as_ref().and_then(|e| e.field(&format!("rows.{i}.start"))).map(|m| m.text(locale));
            let retry_err = errors.error.as_ref().and_then(|e| e.field(&format!("rows.{i}.retry"))).map(|m| m.text(locale));
            view! {
                <tr data-testid="plan-row" data-channel=ch.channel.name.clone()>
                    <td>{ch.channel.name.clone()} " · " {channel_label(ch.channel.kind, locale)}
                        <input type="hidden" name=field("channel_id") value=row.channel_id.clone() />
                    </td>
                    <td data-label=t(Msg::StartAfter)>
                        <input name=field("start") value=typed_cell(i, "start").unwrap_or_else(|| row.start.clone()) size="4" inputmode="numeric" data-testid="plan-start" />
                        <span class="field-error" role="alert">{start_err}</span>
                    </td>
                    <td data-label=t(Msg::RetryEvery)>
                        <input name=field("retry") value=typed_cell(i, "retry").unwrap_or_else(|| row.retry.clone()) size="4" inputmode="numeric" data-testid="plan-retry" />
                        <span class="field-error" role="alert">{retry_err}</span>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="meta">{t(Msg::EngagementPlanIntro)}</p>
        <div class="inline" data-testid="presets"><span class="meta">{t(Msg::UsePreset)} ": "</span> {presets}</div>
        <PostForm action=SavePersonalPlan::PATH testid="personal-plan">
            <input type="hidden" name="contact" value=alias />
            <input type="hidden" name="base" value=person.base />
            <table class="rows">
                <thead><tr><th>{t(Msg::Channels)}</th><th>{t(Msg::StartAfter)}</th><th>{t(Msg::RetryEvery)} " ≤ " {MAX_RETRY_MINUTES}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <button type="submit" class="primary" data-testid="personal-plan-save">{t(Msg::Save)}</button>
        </PostForm>
    }
    .into_any()
}

/// A new person: alias and display name; their page opens next to add channels.
#[component]
pub fn AddPersonForm() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let errors = FormErrors::of(CreatePerson::PATH, locale);
    let typed = outcome::<String>(CreatePerson::PATH).filter(|o| o.result.is_err());
    let value = |field: &str| typed.as_ref().and_then(|o| o.value(field)).unwrap_or_default();
    let (alias, name) = (value("alias"), value("display_name"));
    view! {
        <PostForm action=CreatePerson::PATH class="inline" testid="add-person">
            {errors.summary("add-person-error")}
            <label>{t(Msg::Alias)} <input name="alias" data-testid="person-alias" autocapitalize="off" value=alias /> {errors.field("alias")}</label>
            <label>{t(Msg::DisplayName)} <input name="display_name" data-testid="person-display-name" value=name /> {errors.field("display_name")}</label>
            <button type="submit" data-testid="add-person-submit">{t(Msg::AddPerson)}</button>
        </PostForm>
    }
}
/// A manager pages a person through their own plan, marked as a test.
#[component]
pub fn TestPageForm(alias: String) -> impl IntoView {
    let locale = expect_context::<Locale>();
    view! {
        <PostForm action=SendTestPage::PATH class="inline" testid="test-page">
            <input type="hidden" name="contact" value=alias />
            <button type="submit">{Msg::SendTestPage.text(locale)}</button>
        </PostForm>
    }
}

/// A manager sets the language a person's pages are written in.
#[component]
pub fn LanguageForm(alias: String, language: Option<String>) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let chosen = language.as_deref().and_then(Locale::parse);
    view! {
        <PostForm action=SetContactLanguage::PATH class="inline language" testid="contact-language">
            <input type="hidden" name="contact" value=alias />
            <span class="meta">{Msg::MessageLanguage.text(locale)} ": "</span>
            <select name="language" aria-label=Msg::MessageLanguage.text(locale)>
                {chosen.is_none().then(|| view! { <option value="" selected>{Msg::LanguageNotChosen.text(locale)}</option> })}
                <option value="ja" selected=chosen == Some(Locale::Ja)>"日本語"</option>
                <option value="en" selected=chosen == Some(Locale::En)>"English"</option>
            </select>
            <button type="submit">{Msg::Save.text(locale)}</button>
        </PostForm>
    }
}

/// The outcome of the last test page sent from this page, once.
#[component]
pub fn TestPageOutcome() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let errors = FormErrors::of(SendTestPage::PATH, locale).summary("test-page-error");
    let language_errors = FormErrors::of(SetContactLanguage::PATH, locale).summary("contact-language-error");
    let sent = crate::forms::outcome::<serde_json::Value>(SendTestPage::PATH).filter(|o| o.result.is_ok()).map(|_| {
        view! { <p class="ok" role="status" data-testid="test-page-sent">{Msg::TestPageSent.text(locale)}</p> }
    });
    view! { {errors} {language_errors} {sent} }
}
