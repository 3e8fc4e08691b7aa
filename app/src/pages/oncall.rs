//! Read-only views of the on-call model: people and escalation plans, response plans,
//! engagements with their pages and receipts, and the outbox.

use leptos::prelude::*;

use crate::api::oncall::{
    contact_languages, list_contacts, list_deliveries, list_engagements, list_response_plans, plan_timelines,
};
use crate::api::people::gateways;
use crate::api::session::whoami;
use crate::auth::Role;
use crate::domain::contact::{ContactType, Target};
use crate::domain::delivery::{DeliveryStatus, ReceiptKind};
use crate::domain::incident::NotificationTarget;
use crate::domain::people::Names;
use crate::domain::stop_reason::StopReason;
use crate::error::AppError;
use crate::i18n::{Locale, Msg};
use crate::model::drills::DRILLS_PATH;
use crate::model::oncall::{ContactView, DeliveryEntry, EngagementView, PlanTimeline};
use crate::model::people::person_path;
use crate::model::plans::{NEW_PLAN_PATH, plan_path};
use crate::model::response_plans::{NEW_RESPONSE_PLAN_PATH, response_plan_path};
use crate::model::schedules::{NEW_SCHEDULE_PATH, schedule_path};
use crate::pages::common::{channel_label, loaded, loaded_list};
use crate::pages::people::{AddPersonForm, LanguageForm, TestPageForm, TestPageOutcome};
use crate::pages::plans::timeline_html;
use crate::zone::{When, viewer_zone};

#[component]
pub fn ContactsPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    // One resource read in one place: a resource read by several Suspense boundaries can leave
    // a server-rendered page unfinished (leptos#4851).
    let page = Resource::new(|| (), |()| load_escalation_page());
    view! {
        <section class="card">
            <h1>{t(Msg::NavEscalation)}</h1>
            <TestPageOutcome />
            {loaded(page, move |(all, timelines, manager, languages): EscalationPage| {
                if all.is_empty() {
                    return view! { <p class="empty">{t(Msg::EmptyEscalation)}</p> }.into_any();
                }
                let of = |kind: ContactType| all.iter().filter(|c| c.contact.kind == kind).cloned().collect::<Vec<_>>();
                let (people, plans, schedules) = (of(ContactType::Personal), of(ContactType::Escalation), of(ContactType::OncallSchedule));
                // Stages name their targets as people read them: display names, channels by name.
                let mut names: Vec<(String, String)> = all.iter().map(|c| (c.contact.alias.clone(), c.contact.display_name.clone())).collect();
                names.extend(all.iter().flat_map(|c| c.channels.iter().map(move |ch| (ch.id.clone(), format!("{} · {}", c.contact.display_name, ch.name)))));
                view! {
                    <h2>{t(Msg::EscalationPlans)}</h2>
                    <p class="inline">
                        {manager.then(|| view! { <a class="button" href=NEW_PLAN_PATH data-testid="new-plan">{t(Msg::NewEscalationPlan)}</a> })}
                        <a class="button" href=DRILLS_PATH data-testid="drills-link">{t(Msg::Drills)}</a>
                    </p>
                    {plans
                        .into_iter()
                        .map(|c| {
                            let timeline = timelines.iter().find(|p| p.plan == c.contact.alias).cloned();
                            view! { <PlanCard contact=c timeline manager names=names.clone() /> }
                        })
                        .collect_view()}
                    <h2>{t(Msg::Schedules)}</h2>
                    {manager.then(|| view! { <p><a class="button" href=NEW_SCHEDULE_PATH data-testid="new-schedule">{t(Msg::NewSchedule)}</a></p> })}
                    <ul>
                        {schedules
                            .into_iter()
                            .map(|c| {
                                let edit = manager.then(|| view! { " " <a href=schedule_path(&c.contact.alias) data-testid="edit-schedule">{t(Msg::Edit)}</a> });
                                view! { <li>{c.contact.display_name} " (" <code>{c.contact.alias}</code> ")" {edit}</li> }
                            })
                            .collect_view()}
                    </ul>
                    <h2>{t(Msg::People)}</h2>
                    {manager.then(|| view! { <AddPersonForm /> })}
                    <table data-testid="people" class="rows">
                        <thead>
                            <tr>
                                <th>{t(Msg::DisplayName)}</th>
                                <th>{t(Msg::Channels)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {people
                                .into_iter()
                                .map(|c| {
                                    let language = languages.iter().find(|(a, _)| *a == c.contact.alias).map(|(_, l)| l.clone());
                                    view! { <PersonRow view=c manager language /> }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                .into_any()
            })}
        </section>
    }
}

/// People and plans, each plan's timeline, and whether the reader may send test pages.
/// Also each person's message language (alias, code) where set.
type EscalationPage = (Vec<ContactView>, Vec<PlanTimeline>, bool, Vec<(String, String)>);

async fn load_escalation_page() -> Result<EscalationPage, AppError> {
    let contacts = list_contacts().await?;
    let timelines = plan_timelines().await?;
    let manager = whoami().await?.user.is_some_and(|u| u.role >= Role::Manager);
    let languages = contact_languages().await?;
    Ok((contacts, timelines, manager, languages))
}

#[component]
fn PersonRow(view: ContactView, manager: bool, language: Option<String>) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let alias = view.contact.alias.clone();
    let language_form = manager.then(|| view! { <LanguageForm alias=alias.clone() language=language.clone() /> });
    let language_note = (!manager).then(|| {
        let label = match language.as_deref() {
            Some("ja") => "日本語",
            Some("en") => "English",
            _ => Msg::LanguageNotChosen.text(locale),
        };
        view! { <p class="meta">{Msg::MessageLanguage.text(locale)} ": " {label}</p> }
    });
    let test_page = manager.then(move || view! { <TestPageForm alias /> });
    view! {
        <tr data-alias=view.contact.alias.clone()>
            <td data-label=Msg::DisplayName.text(locale)>
                <a href=person_path(&view.contact.alias) data-testid="person-link">{view.contact.display_name.clone()}</a> " " <code>{view.contact.alias.clone()}</code> {test_page}
                {language_form} {language_note}
            </td>
            <td data-label=Msg::Channels.text(locale)>
                <ul class="plain">
                    {view
                        .channels
                        .into_iter()
                        .map(|ch| {
                            // Never "active" for a channel nothing can carry.
                            let stranded = !gateways().carries(ch.kind);
                            let state = if stranded {
                                crate::pages::common::no_gateway_msgs(ch.kind).0
                            } else if ch.activated {
                                Msg::Activated
                            } else {
                                Msg::NotActivated
                            };
                            view! {
                                <li>
                                    {channel_label(ch.kind, locale)} ": " {ch.address} " · " <span class:error=stranded>{state.text(locale)}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </td>
        </tr>
    }
}

#[component]
fn PlanCard(
    contact: ContactView,
    timeline: Option<PlanTimeline>,
    manager: bool,
    /// Display names by alias or channel id.
    names: Vec<(String, String)>,
) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let name = move |id: &String| names.iter().find(|(k, _)| k == id).map_or_else(|| id.clone(), |(_, n)| n.clone());
    let c = contact.contact;
    let edit = manager.then(|| view! { " " <a href=plan_path(&c.alias) data-testid="edit-plan">{t(Msg::Edit)}</a> });
    view! {
        <article class="item" data-testid="escalation-plan" data-alias=c.alias.clone()>
            <h3>{c.display_name.clone()} " (" <code>{c.alias.clone()}</code> ")" {edit}</h3>
            <ol>
                {c
                    .plan
                    .stages
                    .iter()
                    .map(|s| {
                        let targets: Vec<String> = s
                            .targets
                            .iter()
                            .map(|target| match target {
                                // Stopping is what people expect; the exception is said.
                                Target::Contact { contact_id, essential: false } => format!("{} ({})", name(contact_id), t(Msg::KeepsPaging)),
                                Target::Contact { contact_id, .. } => name(contact_id),
                                Target::Channel { channel_id, .. } => name(channel_id),
                            })
                            .collect();
                        view! { <li>{targets.join(", ")} " — " {s.duration_minutes} " " {t(Msg::Minutes)}</li> }
                    })
                    .collect_view()}
            </ol>
            {timeline.map(|p| view! { <Timeline timeline=p /> })}
        </article>
    }
}

/// Who the plan pages when if nobody acknowledges, with the steps that reach nobody flagged.
#[component]
fn Timeline(timeline: PlanTimeline) -> impl IntoView {
    let locale = expect_context::<Locale>();
    view! {
        <h4>{Msg::TimelineIfNobody.text(locale)}</h4>
        <div inner_html=timeline_html(&timeline.steps, &locale)></div>
    }
}

#[component]
pub fn ResponsePlansPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let plans = Resource::new(|| (), |()| list_response_plans());
    let manager = crate::pages::common::page_user().is_some_and(|u| u.role >= Role::Manager);
    view! {
        <section class="card">
            <h1>{t(Msg::NavRouting)}</h1>
            <crate::pages::alerts::RoutingNav />
            <p>{t(Msg::ResponsePlansIntro)}</p>
            {manager.then(|| view! { <p><a class="button" href=NEW_RESPONSE_PLAN_PATH data-testid="new-response-plan">{t(Msg::NewResponsePlan)}</a></p> })}
            {loaded_list(plans, Msg::EmptyRouting, move |plans| {
                plans
                    .into_iter()
                    .map(|p| {
                        let targets: Vec<String> = p
                            .notification_targets
                            .iter()
                            // Webhook paths are secrets: shown by host only.
                            .map(|n| match n {
                                NotificationTarget::Slack { .. } => format!("Slack {}", n.redacted()),
                                NotificationTarget::Webhook { .. } => format!("Webhook {}", n.redacted()),
                            })
                            .collect();
                        view! {
                            <article class="item" data-testid="response-plan" data-name=p.name.clone()>
                                <h2>
                                    {p.display_name.clone()}
                                    {manager.then(|| view! { " " <a href=response_plan_path(&p.name) data-testid="edit-response-plan">{t(Msg::Edit)}</a> })}
                                </h2>
                                <dl>
                                    <dt>{t(Msg::Impact)}</dt>
                                    <dd>{p.template.impact}</dd>
                                    <dt>{t(Msg::Title)}</dt>
                                    <dd>{p.template.title.clone()}</dd>
                                    <dt>{t(Msg::Engages)}</dt>
                                    <dd>{p.engagements.join(", ")}</dd>
                                    <dt>{t(Msg::DedupeString)}</dt>
                                    <dd><code>{p.template.dedupe_string.clone()}</code></dd>
                                    <dt>{t(Msg::NotificationTargets)}</dt>
                                    <dd>{if targets.is_empty() { "—".to_owned() } else { targets.join(", ") }}</dd>
                                </dl>
                            </article>
                        }
                    })
                    .collect_view()
                    .into_any()
            })}
        </section>
    }
}

#[component]
pub fn EngagementsPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let engagements = Resource::new(|| (), |()| list_engagements());
    view! {
        <section class="card">
            <h1>{Msg::NavEngagements.text(locale)}</h1>
            {loaded_list(engagements, Msg::EmptyEngagements, move |list: Vec<EngagementView>| {
                list.into_iter().map(|e| view! { <EngagementCard view=e /> }).collect_view().into_any()
            })}
        </section>
    }
}

fn receipt_label(kind: ReceiptKind, locale: Locale) -> &'static str {
    match kind {
        ReceiptKind::Sent => Msg::ReceiptSent,
        ReceiptKind::Delivered => Msg::ReceiptDelivered,
        ReceiptKind::Read => Msg::ReceiptRead,
        ReceiptKind::Error => Msg::ReceiptError,
        ReceiptKind::Stop => Msg::ReceiptStop,
    }
    .text(locale)
}

/// An engagement: who was paged at which stage, when they acknowledged, and every receipt;
/// people by display name where `names` knows them.
#[component]
pub fn EngagementCard(view: EngagementView, #[prop(optional)] names: Names) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let zone = viewer_zone(locale);
    let t = move |m: Msg| m.text(locale);
    let state = match (&view.stopped_at, &view.stop_reason) {
        (Some(at), reason) => view! {
            {t(Msg::Stopped)} " " <When at=*at zone=zone.clone() /> " ("
            {StopReason::parse(reason.as_deref().unwrap_or_default()).text(locale, |a| names.of(a).to_owned())} ")"
        }
        .into_any(),
        (None, _) => t(Msg::Running).into_any(),
    };
    let pages = view
        .pages
        .iter()
        .map(|p| {
            view! {
                <tr data-testid="page-row">
                    <td data-label=t(Msg::Who)>{names.of(&p.contact).to_owned()}</td>
                    <td data-label=t(Msg::Stage)>{p.stage + 1}</td>
                    <td data-label=t(Msg::Paged)><When at=p.sent_at zone=zone.clone() /></td>
                    <td data-label=t(Msg::Acknowledged)>
                        {p.read_at.map_or_else(|| "—".into_any(), |at| view! { <When at zone=zone.clone() /> }.into_any())}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let receipts = view
        .receipts
        .iter()
        .map(|r| {
            view! {
                <li data-kind=r.kind.as_str()>
                    <When at=r.at zone=zone.clone() /> " " <strong>{receipt_label(r.kind, locale)}</strong> " "
                    {names.of(&r.contact).to_owned()} " " {r.info.clone().unwrap_or_default()}
                </li>
            }
        })
        .collect_view();
    view! {
        <article class="item" data-testid="engagement">
            <h3>{crate::domain::incident::localized_subject(&view.subject, locale)}</h3>
            <p class="meta">
                {names.of(&view.contact).to_owned()} " · " {view.sender.clone()} " · " <When at=view.started_at zone=zone.clone() />
                " · " {state}
            </p>
            <table class="rows">
                <thead>
                    <tr>
                        <th>{t(Msg::Who)}</th>
                        <th>{t(Msg::Stage)}</th>
                        <th>{t(Msg::Paged)}</th>
                        <th>{t(Msg::Acknowledged)}</th>
                    </tr>
                </thead>
                <tbody>{pages}</tbody>
            </table>
            <details>
                <summary>{t(Msg::Receipts)} " (" {view.receipts.len()} ")"</summary>
                <ul class="plain">{receipts}</ul>
            </details>
        </article>
    }
}

fn delivery_status_label(status: DeliveryStatus, locale: Locale) -> &'static str {
    match status {
        DeliveryStatus::Pending => Msg::DeliveryPending,
        DeliveryStatus::Sending => Msg::DeliverySending,
        DeliveryStatus::Sent => Msg::DeliverySent,
        DeliveryStatus::Outbox => Msg::DeliveryOutbox,
        DeliveryStatus::Failed => Msg::DeliveryFailed,
    }
    .text(locale)
}

#[component]
pub fn DeliveriesPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let zone = viewer_zone(locale);
    let t = move |m: Msg| m.text(locale);
    let deliveries = Resource::new(|| (), |()| list_deliveries());
    view! {
        <section class="card">
            <h1>{t(Msg::NavDeliveries)}</h1>
            <p>{t(Msg::DeliveriesIntro)}</p>
            {loaded_list(deliveries, Msg::EmptyDeliveries, move |list: Vec<DeliveryEntry>| {
                let rows = list
                    .into_iter()
                    .map(|d| {
                        view! {
                            <tr data-testid="delivery-row" data-kind=d.kind.as_str() data-status=d.status.as_str()>
                                <td data-label=t(Msg::AuditWhen)><When at=d.created_at zone=zone.clone() /></td>
                                <td data-label=t(Msg::Who)>{d.contact.unwrap_or_else(|| "—".to_owned())}</td>
                                <td data-label=t(Msg::Channel)>{d.kind.as_str()} ": " {d.address}</td>
                                <td data-label=t(Msg::Message)><strong>{d.subject}</strong> <br /> <span class="body">{d.body}</span></td>
                                <td data-label=t(Msg::Status)>
                                    {delivery_status_label(d.status, locale)} " (" {d.attempts} ")"
                                    {d.last_error.map(|e| view! { <br /> <span class="error">{e}</span> })}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <table data-testid="deliveries" class="rows">
                        <thead>
                            <tr>
                                <th>{t(Msg::AuditWhen)}</th>
                                <th>{t(Msg::Who)}</th>
                                <th>{t(Msg::Channel)}</th>
                                <th>{t(Msg::Message)}</th>
                                <th>{t(Msg::Status)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
                .into_any()
            })}
        </section>
    }
}
