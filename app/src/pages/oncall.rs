//! Read-only views of the on-call model: rotations with who is on call now and next, contacts
//! and plans, response plans, engagements, incidents with their timelines, and the outbox.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::admin::format_utc;
use crate::api::oncall::{
    ContactView, DeliveryEntry, EngagementView, RotationView, get_incident, list_contacts, list_deliveries,
    list_engagements, list_incidents, list_response_plans, list_rotations,
};
use crate::domain::contact::{ChannelType, ContactType, Target};
use crate::domain::incident::{IncidentRecord, IncidentStatus, NotificationTarget, TimelineEvent};
use crate::domain::rotation::HandOff;
use crate::error::AppError;
use crate::i18n::{Locale, Msg};

/// Renders a resource's value, its error, or a loading line.
fn loaded<T, V>(
    resource: Resource<Result<T, AppError>>,
    render: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    let locale = expect_context::<Locale>();
    view! {
        <Transition fallback=move || view! { <p>{Msg::Loading.text(locale)}</p> }>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => render(value).into_any(),
                        Err(e) => view! { <p class="error">{e.message(locale)}</p> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

/// Like [`loaded`] for a list: its empty state, or `render` with the items.
fn loaded_list<T>(
    resource: Resource<Result<Vec<T>, AppError>>,
    empty: Msg,
    render: impl Fn(Vec<T>) -> AnyView + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
{
    let locale = expect_context::<Locale>();
    loaded(resource, move |list: Vec<T>| {
        if list.is_empty() { view! { <p class="empty">{empty.text(locale)}</p> }.into_any() } else { render(list) }
    })
}

fn utc(epoch: i64) -> String {
    format!("{} UTC", format_utc(epoch))
}

fn handoff_text(h: &HandOff, locale: Locale) -> String {
    let times = |v: Vec<String>| v.join(", ");
    match h {
        HandOff::Daily(t) => format!(
            "{} {}",
            Msg::HandOffDaily.text(locale),
            times(t.iter().map(|t| format!("{:02}:{:02}", t.hour, t.minute)).collect())
        ),
        HandOff::Weekly(t) => format!(
            "{} {}",
            Msg::HandOffWeekly.text(locale),
            times(t.iter().map(|(d, t)| format!("{d} {:02}:{:02}", t.hour, t.minute)).collect())
        ),
        HandOff::Monthly(t) => format!(
            "{} {}",
            Msg::HandOffMonthly.text(locale),
            times(t.iter().map(|(d, t)| format!("{d}. {:02}:{:02}", t.hour, t.minute)).collect())
        ),
    }
}

/// "2 d 3 h", "45 min": how long until a hand-off.
fn duration_text(secs: i64, locale: Locale) -> String {
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    let ja = locale == Locale::Ja;
    match (d, h) {
        (0, 0) => format!("{m} {}", Msg::Minutes.text(locale)),
        (0, _) => {
            if ja {
                format!("{h}時間{m}分")
            } else {
                format!("{h} h {m} min")
            }
        }
        _ => {
            if ja {
                format!("{d}日{h}時間")
            } else {
                format!("{d} d {h} h")
            }
        }
    }
}

#[component]
pub fn RotationsPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let rotations = Resource::new(|| (), |()| list_rotations());
    let search = RwSignal::new(String::new());
    let filter = RwSignal::new(String::from("all"));
    let me = expect_context::<crate::app::SessionResource>();
    view! {
        <section class="card">
            <h1>{t(Msg::NavRotations)}</h1>
            <div class="filters">
                <label>{t(Msg::Search)}
                    <input type="search" data-testid="rotation-search" on:input=move |ev| search.set(event_target_value(&ev)) />
                </label>
                <label>" "
                    <select data-testid="rotation-filter" on:change=move |ev| filter.set(event_target_value(&ev))>
                        <option value="all">{t(Msg::FilterAll)}</option>
                        <option value="gaps">{t(Msg::FilterGaps)}</option>
                        <option value="mine">{t(Msg::FilterMine)}</option>
                    </select>
                </label>
            </div>
            {loaded_list(rotations, Msg::EmptyRotations, move |list: Vec<RotationView>| {
                view! {
                    <Suspense>
                        {move || {
                            let list = list.clone();
                            Suspend::new(async move {
                                let mine = me.await.ok().and_then(|s| s.user).and_then(|u| u.contact);
                                view! {
                                    {move || {
                                        let q = search.get().to_lowercase();
                                        let f = filter.get();
                                        list.iter()
                                            .filter(|v| q.is_empty() || v.name.to_lowercase().contains(&q) || v.rotation.members.iter().any(|m| m.contains(&q)))
                                            .filter(|v| match f.as_str() {
                                                "gaps" => v.gap_soon,
                                                "mine" => mine.as_ref().is_some_and(|m| v.rotation.members.contains(m)),
                                                _ => true,
                                            })
                                            .map(|v| view! { <RotationCard view=v.clone() /> })
                                            .collect_view()
                                    }}
                                }
                            })
                        }}
                    </Suspense>
                }
                .into_any()
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
    let names = |m: &[String]| if m.is_empty() { t(Msg::Nobody).to_owned() } else { m.join(", ") };
    let now_line = view
        .current
        .as_ref()
        .map_or_else(|| t(Msg::Nobody).to_owned(), |s| format!("{} ({} {})", names(&s.members), t(Msg::Until), s.end));
    let next_line = view
        .next
        .as_ref()
        .map_or_else(|| "—".to_owned(), |s| format!("{} ({} {})", names(&s.members), t(Msg::From), s.start));
    view! {
        <article class="item" data-testid="rotation" data-name=view.name.clone()>
            <h2><a href=format!("/rotations/{}", crate::pages::common::encode_path_segment(&view.id)) data-testid="open-rotation">{view.name.clone()}</a></h2>
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
                <dd>{r.members.join(" → ")}</dd>
                <dt>{t(Msg::Overrides)}</dt>
                <dd>{view.upcoming_overrides}</dd>
            </dl>
        </article>
    }
}

fn channel_label(kind: ChannelType, locale: Locale) -> &'static str {
    match kind {
        ChannelType::Email => Msg::ChannelEmail.text(locale),
        ChannelType::Sms => Msg::ChannelSms.text(locale),
        ChannelType::Voice => Msg::ChannelVoice.text(locale),
    }
}

#[component]
pub fn ContactsPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let contacts = Resource::new(|| (), |()| list_contacts());
    view! {
        <section class="card">
            <h1>{t(Msg::NavEscalation)}</h1>
            {loaded_list(contacts, Msg::EmptyEscalation, move |all: Vec<ContactView>| {
                let of = |kind: ContactType| all.iter().filter(|c| c.contact.kind == kind).cloned().collect::<Vec<_>>();
                let (people, plans, schedules) = (of(ContactType::Personal), of(ContactType::Escalation), of(ContactType::OncallSchedule));
                view! {
                    <h2>{t(Msg::EscalationPlans)}</h2>
                    {plans.into_iter().map(|c| view! { <PlanCard contact=c /> }).collect_view()}
                    <h2>{t(Msg::Schedules)}</h2>
                    <ul>
                        {schedules
                            .into_iter()
                            .map(|c| view! { <li>{c.contact.display_name} " (" <code>{c.contact.alias}</code> ")"</li> })
                            .collect_view()}
                    </ul>
                    <h2>{t(Msg::People)}</h2>
                    <div class="table-wrap">
                        <table data-testid="people">
                            <thead>
                                <tr>
                                    <th>{t(Msg::DisplayName)}</th>
                                    <th>{t(Msg::Channels)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {people.into_iter().map(|c| view! { <PersonRow view=c /> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            })}
        </section>
    }
}

#[component]
fn PersonRow(view: ContactView) -> impl IntoView {
    let locale = expect_context::<Locale>();
    view! {
        <tr data-alias=view.contact.alias.clone()>
            <td>{view.contact.display_name.clone()} <br /> <code>{view.contact.alias.clone()}</code></td>
            <td>
                <ul class="plain">
                    {view
                        .channels
                        .into_iter()
                        .map(|ch| {
                            let state = if ch.activated { Msg::Activated } else { Msg::NotActivated };
                            view! {
                                <li>
                                    {channel_label(ch.kind, locale)} ": " {ch.address} " · " {state.text(locale)}
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
fn PlanCard(contact: ContactView) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let c = contact.contact;
    view! {
        <article class="item" data-testid="escalation-plan" data-alias=c.alias.clone()>
            <h3>{c.display_name.clone()} " (" <code>{c.alias.clone()}</code> ")"</h3>
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
                                Target::Contact { contact_id, essential: true } => format!("{contact_id} ({})", t(Msg::Essential)),
                                Target::Contact { contact_id, .. } => contact_id.clone(),
                                Target::Channel { channel_id, .. } => channel_id.clone(),
                            })
                            .collect();
                        view! { <li>{targets.join(", ")} " — " {s.duration_minutes} " " {t(Msg::Minutes)}</li> }
                    })
                    .collect_view()}
            </ol>
        </article>
    }
}

#[component]
pub fn ResponsePlansPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let plans = Resource::new(|| (), |()| list_response_plans());
    view! {
        <section class="card">
            <h1>{t(Msg::NavRouting)}</h1>
            <p>{t(Msg::ResponsePlansIntro)}</p>
            {loaded_list(plans, Msg::EmptyRouting, move |plans| {
                plans
                    .into_iter()
                    .map(|p| {
                        let targets: Vec<String> = p
                            .notification_targets
                            .iter()
                            .map(|n| match n {
                                NotificationTarget::Slack { url } => format!("Slack {url}"),
                                NotificationTarget::Webhook { url } => format!("Webhook {url}"),
                            })
                            .collect();
                        view! {
                            <article class="item" data-testid="response-plan" data-name=p.name.clone()>
                                <h2>{p.display_name.clone()}</h2>
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

fn status_text(status: IncidentStatus, locale: Locale) -> &'static str {
    match status {
        IncidentStatus::Open => Msg::StatusOpen.text(locale),
        IncidentStatus::Resolved => Msg::StatusResolved.text(locale),
    }
}

#[component]
pub fn IncidentsPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let query = use_query_map();
    let status = move || query.read().get("status").filter(|s| !s.is_empty());
    let incidents = Resource::new(status, list_incidents);
    view! {
        <section class="card">
            <h1>{t(Msg::NavIncidents)}</h1>
            <nav class="filters">
                <a href="/incidents">{t(Msg::Any)}</a>
                " · "
                <a href="/incidents?status=open">{t(Msg::StatusOpen)}</a>
                " · "
                <a href="/incidents?status=resolved">{t(Msg::StatusResolved)}</a>
                " · "
                <a href="/engagements">{t(Msg::NavEngagements)}</a>
            </nav>
            {loaded_list(incidents, Msg::EmptyIncidents, move |list: Vec<IncidentRecord>| {
                view! {
                    <div class="table-wrap">
                        <table data-testid="incidents">
                            <thead>
                                <tr>
                                    <th>{t(Msg::Title)}</th>
                                    <th>{t(Msg::Impact)}</th>
                                    <th>{t(Msg::Status)}</th>
                                    <th>{t(Msg::Opened)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {list
                                    .into_iter()
                                    .map(|i| {
                                        view! {
                                            <tr data-testid="incident-row">
                                                <td><a href=format!("/incidents/{}", i.id)>{i.title}</a></td>
                                                <td>{i.impact}</td>
                                                <td>{status_text(i.status, locale)}</td>
                                                <td>{utc(i.created_at)}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            })}
        </section>
    }
}

#[component]
pub fn IncidentPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let params = use_params_map();
    let incident = Resource::new(move || params.read().get("id").unwrap_or_default(), get_incident);
    view! {
        <section class="card">
            {loaded(incident, move |d| {
                let r = d.record;
                view! {
                    <h1 data-testid="incident-title">{r.title.clone()}</h1>
                    <dl>
                        <dt>{t(Msg::Status)}</dt>
                        <dd data-testid="incident-status">{status_text(r.status, locale)}</dd>
                        <dt>{t(Msg::Impact)}</dt>
                        <dd>{r.impact}</dd>
                        <dt>{t(Msg::Opened)}</dt>
                        <dd>{utc(r.created_at)}</dd>
                        <dt>{t(Msg::Resolved)}</dt>
                        <dd>{r.resolved_at.map_or_else(|| "—".to_owned(), utc)}</dd>
                        <dt>{t(Msg::Source)}</dt>
                        <dd>{r.source.clone()}</dd>
                    </dl>
                    <p>{r.summary.clone()}</p>
                    <h2>{t(Msg::Timeline)}</h2>
                    <ol class="timeline" data-testid="timeline">
                        {d.timeline.into_iter().map(|e| view! { <TimelineItem event=e /> }).collect_view()}
                    </ol>
                    <h2>{t(Msg::NavEngagements)}</h2>
                    {d.engagements.into_iter().map(|e| view! { <EngagementCard view=e /> }).collect_view()}
                }
            })}
        </section>
    }
}

fn event_label(kind: &str, locale: Locale) -> &'static str {
    let msg = match kind {
        "incident_created" => Msg::EventIncidentCreated,
        "engagement_started" => Msg::EventEngagementStarted,
        "page_sent" => Msg::EventPageSent,
        "page_accepted" => Msg::EventPageAccepted,
        "status_changed" => Msg::EventStatusChanged,
        "incident_updated" => Msg::EventIncidentUpdated,
        "trigger_merged" => Msg::EventTriggerMerged,
        _ => Msg::EventCustom,
    };
    msg.text(locale)
}

/// The event's own words: a note's text, or who was paged or acknowledged.
fn event_detail(data: &str) -> String {
    let Ok(serde_value) = serde_json::from_str::<serde_json::Value>(data) else { return data.to_owned() };
    ["text", "contact", "title", "to", "source"]
        .iter()
        .find_map(|k| serde_value.get(*k).and_then(|v| v.as_str()).map(str::to_owned))
        .unwrap_or_default()
}

#[component]
fn TimelineItem(event: TimelineEvent) -> impl IntoView {
    let locale = expect_context::<Locale>();
    view! {
        <li data-event=event.event_type.clone()>
            <time>{utc(event.event_time)}</time>
            " "
            <strong>{event_label(&event.event_type, locale)}</strong>
            " "
            {event_detail(&event.data)}
            {event.created_by.map(|by| view! { <span class="meta">" — " {by}</span> })}
        </li>
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

#[component]
fn EngagementCard(view: EngagementView) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let state = match (&view.stopped_at, &view.stop_reason) {
        (Some(at), reason) => format!("{} {} ({})", t(Msg::Stopped), utc(*at), reason.clone().unwrap_or_default()),
        (None, _) => t(Msg::Running).to_owned(),
    };
    view! {
        <article class="item" data-testid="engagement">
            <h3>{view.subject.clone()}</h3>
            <p class="meta">
                {view.contact.clone()} " · " {view.sender.clone()} " · " {utc(view.started_at)} " · " {state}
            </p>
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th>{t(Msg::Who)}</th>
                            <th>{t(Msg::Stage)}</th>
                            <th>{t(Msg::Paged)}</th>
                            <th>{t(Msg::Acknowledged)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {view
                            .pages
                            .iter()
                            .map(|p| {
                                view! {
                                    <tr data-testid="page-row">
                                        <td>{p.contact.clone()}</td>
                                        <td>{p.stage + 1}</td>
                                        <td>{utc(p.sent_at)}</td>
                                        <td>{p.read_at.map_or_else(|| "—".to_owned(), utc)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
            <details>
                <summary>{t(Msg::Receipts)} " (" {view.receipts.len()} ")"</summary>
                <ul class="plain">
                    {view
                        .receipts
                        .iter()
                        .map(|r| {
                            view! {
                                <li>
                                    {utc(r.at)} " " <strong>{r.kind.to_uppercase()}</strong> " " {r.contact.clone()} " "
                                    {r.info.clone().unwrap_or_default()}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </details>
        </article>
    }
}

#[component]
pub fn DeliveriesPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let deliveries = Resource::new(|| (), |()| list_deliveries());
    view! {
        <section class="card">
            <h1>{t(Msg::NavDeliveries)}</h1>
            <p>{t(Msg::DeliveriesIntro)}</p>
            {loaded_list(deliveries, Msg::EmptyDeliveries, move |list: Vec<DeliveryEntry>| {
                view! {
                    <div class="table-wrap">
                        <table data-testid="deliveries">
                            <thead>
                                <tr>
                                    <th>{t(Msg::AuditWhen)}</th>
                                    <th>{t(Msg::Who)}</th>
                                    <th>{t(Msg::Channel)}</th>
                                    <th>{t(Msg::Message)}</th>
                                    <th>{t(Msg::Status)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {list
                                    .into_iter()
                                    .map(|d| {
                                        let kind = d.kind.clone();
                                        view! {
                                            <tr data-testid="delivery-row" data-kind=kind>
                                                <td>{utc(d.created_at)}</td>
                                                <td>{d.contact.unwrap_or_else(|| "—".to_owned())}</td>
                                                <td>{d.kind} ": " {d.address}</td>
                                                <td><strong>{d.subject}</strong> <br /> <span class="body">{d.body}</span></td>
                                                <td>
                                                    {d.status} " (" {d.attempts} ")"
                                                    {d.last_error.map(|e| view! { <br /> <span class="error">{e}</span> })}
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            })}
        </section>
    }
}
