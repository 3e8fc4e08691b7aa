//! Incidents: the list, and one incident with its timeline and engagements.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::oncall::{get_incident, list_incidents};
use crate::domain::incident::{IncidentRecord, IncidentStatus, TimelineEvent};
use crate::i18n::{Locale, Msg};
use crate::pages::common::{encode_path_segment, loaded, loaded_list, query_param};
use crate::pages::oncall::EngagementCard;
use crate::zone::{When, viewer_zone};

fn status_text(status: IncidentStatus, locale: Locale) -> &'static str {
    match status {
        IncidentStatus::Open => Msg::StatusOpen.text(locale),
        IncidentStatus::Resolved => Msg::StatusResolved.text(locale),
    }
}

#[component]
pub fn IncidentsPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let zone = viewer_zone(locale);
    let t = move |m: Msg| m.text(locale);
    let status = query_param("status");
    let incidents = Resource::new(move || status.clone(), list_incidents);
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
                let rows = list
                    .into_iter()
                    .map(|i| {
                        view! {
                            <tr data-testid="incident-row">
                                <td data-label=t(Msg::Title)><a href=format!("/incidents/{}", encode_path_segment(&i.id))>{i.title}</a></td>
                                <td data-label=t(Msg::Impact)>{i.impact}</td>
                                <td data-label=t(Msg::Status)>{status_text(i.status, locale)}</td>
                                <td data-label=t(Msg::Opened)><When at=i.created_at zone=zone.clone() /></td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <table data-testid="incidents" class="rows">
                        <thead>
                            <tr>
                                <th>{t(Msg::Title)}</th>
                                <th>{t(Msg::Impact)}</th>
                                <th>{t(Msg::Status)}</th>
                                <th>{t(Msg::Opened)}</th>
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

#[component]
pub fn IncidentPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let zone = viewer_zone(locale);
    let t = move |m: Msg| m.text(locale);
    let id = use_params_map().read_untracked().get("id").unwrap_or_default();
    let incident = Resource::new(move || id.clone(), get_incident);
    view! {
        <section class="card">
            {loaded(incident, move |d| {
                let r = d.record;
                let zone = zone.clone();
                view! {
                    <h1 data-testid="incident-title">{r.title.clone()}</h1>
                    <dl>
                        <dt>{t(Msg::Status)}</dt>
                        <dd data-testid="incident-status">{status_text(r.status, locale)}</dd>
                        <dt>{t(Msg::Impact)}</dt>
                        <dd>{r.impact}</dd>
                        <dt>{t(Msg::Opened)}</dt>
                        <dd><When at=r.created_at zone=zone.clone() /></dd>
                        <dt>{t(Msg::Resolved)}</dt>
                        <dd>{r.resolved_at.map_or_else(|| "—".into_any(), |at| view! { <When at zone=zone.clone() /> }.into_any())}</dd>
                        <dt>{t(Msg::Source)}</dt>
                        <dd>{r.source.clone()}</dd>
                    </dl>
                    <p>{r.summary.clone()}</p>
                    <h2>{t(Msg::Timeline)}</h2>
                    <ol class="timeline" data-testid="timeline">
                        {d.timeline.into_iter().map(|e| view! { <TimelineItem event=e zone=zone.clone() /> }).collect_view()}
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
fn TimelineItem(event: TimelineEvent, zone: String) -> impl IntoView {
    let locale = expect_context::<Locale>();
    view! {
        <li data-event=event.event_type.clone()>
            <When at=event.event_time zone /> " " <strong>{event_label(&event.event_type, locale)}</strong> " "
            {event_detail(&event.data)} {event.created_by.map(|by| view! { <span class="meta">" — " {by}</span> })}
        </li>
    }
}
