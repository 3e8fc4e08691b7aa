//! Incidents on the demo team, on a virtual clock, on SQLite and PostgreSQL: client tokens,
//! dedupe merges, timelines written by paging and acknowledgement, resolving, bad input.

mod common;

use std::sync::Arc;

use app::domain::incident::{IncidentStatus, IncidentUpdate, NotificationTarget};
use chrono::{DateTime, Duration, TimeZone, Utc};
use server::audit::Actor;
use server::clock::ManualClock;
use server::engine::Engine;
use server::engine::incidents::{StartIncident, Started};
use server::engine::paging::AcceptType;
use server::error::ServerError;

/// Tuesday 2026-11-24, 09:00 in Tokyo.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 0, 0, 0).unwrap()
}

const TEST: Actor<'static> = Actor::System("test");

async fn demo_engine() -> (Engine, Arc<ManualClock>, tempfile::TempDir) {
    let (db, dir) = common::test_db().await;
    let clock = ManualClock::new(t0());
    let engine = Engine::new(db, clock.clone());
    assert!(server::demo::seed_if_empty(&engine).await.unwrap());
    (engine, clock, dir)
}

fn alarm(plan: &str, token: &str) -> StartIncident {
    StartIncident {
        response_plan: plan.into(),
        client_token: Some(token.into()),
        source: "aws.cloudwatch".into(),
        raw_data: Some(r#"{"alarmName":"api-5xx"}"#.into()),
        ..StartIncident::default()
    }
}

async fn events(engine: &Engine, id: &str) -> Vec<(String, String)> {
    engine
        .timeline(id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| {
            let data: serde_json::Value = serde_json::from_str(&e.data).unwrap();
            let who = data.get("contact").and_then(|c| c.as_str()).unwrap_or_default().to_owned();
            (e.event_type, who)
        })
        .collect()
}

fn ev(kind: &str, who: &str) -> (String, String) {
    (kind.into(), who.into())
}

#[tokio::test]
async fn the_same_client_token_twice_gives_one_incident() {
    let (engine, _clock, _dir) = demo_engine().await;
    let first = engine.start_incident(alarm("sev1-critical", "alarm-1")).await.unwrap();
    let Started::Created(id) = first else { panic!("expected a new incident: {first:?}") };
    let again = engine.start_incident(alarm("sev1-critical", "alarm-1")).await.unwrap();
    assert_eq!(again, Started::Existing(id.clone()));
    assert_eq!(engine.incidents(None, 100).await.unwrap().len(), 1);
    assert_eq!(engine.engagements(Some(&id), 100).await.unwrap().len(), 1, "engaged once");
    assert_eq!(events(&engine, &id).await, [ev("incident_created", ""), ev("engagement_started", "web-escalation")]);
}

#[tokio::test]
async fn a_matching_dedupe_string_merges_into_the_open_incident_only() {
    let (engine, _clock, _dir) = demo_engine().await;
    let id = engine.start_incident(alarm("sev2-high", "a")).await.unwrap().id().to_owned();
    let merged = engine.start_incident(alarm("sev2-high", "b")).await.unwrap();
    assert_eq!(merged, Started::Existing(id.clone()));
    assert!(events(&engine, &id).await.contains(&ev("trigger_merged", "")));
    // Token "b" now names that incident too.
    assert_eq!(engine.start_incident(alarm("sev2-high", "b")).await.unwrap(), Started::Existing(id.clone()));
    let resolve = IncidentUpdate { status: Some(IncidentStatus::Resolved), ..IncidentUpdate::default() };
    engine.update_incident(TEST, &id, resolve).await.unwrap();
    let next = engine.start_incident(alarm("sev2-high", "c")).await.unwrap();
    assert!(matches!(next, Started::Created(ref new) if *new != id), "{next:?}");
    // Concurrent duplicates with different tokens all land on one incident.
    let mut starts = tokio::task::JoinSet::new();
    for i in 0..8 {
        let engine = engine.clone();
        starts.spawn(async move { engine.start_incident(alarm("sev3-low", &format!("storm-{i}"))).await });
    }
    let ids: Vec<String> = starts.join_all().await.into_iter().map(|r| r.unwrap().id().to_owned()).collect();
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
}

#[tokio::test]
async fn paging_acknowledgement_and_resolution_write_the_timeline() {
    let (engine, clock, _dir) = demo_engine().await;
    let mut plan = engine.response_plan("sev1-critical").await.unwrap();
    plan.notification_targets = vec![NotificationTarget::Slack { url: "http://127.0.0.1:9/slack".into() }];
    engine.put_response_plan(TEST, plan).await.unwrap();
    let id = engine.start_incident(alarm("sev1-critical", "x")).await.unwrap().id().to_owned();
    engine.run_due().await.unwrap();
    // 09:00 JST Tuesday of the week that began Monday 2026-11-23: suzuki is the primary.
    let engagement = engine.engagements(Some(&id), 10).await.unwrap().remove(0);
    let page = engine.pages(&engagement.id).await.unwrap().remove(0);
    assert_eq!(page.contact, "suzuki");
    clock.advance(Duration::minutes(5));
    engine.accept_page(&page.id, AcceptType::Read, &page.accept_code, true, None).await.unwrap();
    let update = IncidentUpdate { impact: Some(2), ..IncidentUpdate::default() };
    engine.update_incident(TEST, &id, update).await.unwrap();
    engine.add_timeline_event(TEST, &id, None, "Rolled back release 2026.11.24-1").await.unwrap();
    let resolve = IncidentUpdate { status: Some(IncidentStatus::Resolved), ..IncidentUpdate::default() };
    let resolved = engine.update_incident(TEST, &id, resolve).await.unwrap();
    assert_eq!(resolved.resolved_at, Some(t0().timestamp() + 300));
    clock.advance(Duration::minutes(60));
    engine.run_due().await.unwrap();
    assert_eq!(
        events(&engine, &id).await,
        [
            ev("incident_created", ""),
            ev("engagement_started", "web-escalation"),
            ev("page_sent", "suzuki"),
            ev("page_accepted", "suzuki"),
            ev("incident_updated", ""),
            ev("custom", ""),
            ev("status_changed", ""),
        ]
    );
    assert_eq!(engine.pages(&engagement.id).await.unwrap().len(), 1, "nobody else was paged");
    // Opened and resolved notices went to the Slack target; pages went to suzuki's channels.
    let outbox = engine.outbox(100).await.unwrap();
    let slack: Vec<_> = outbox.iter().filter(|d| d.kind.as_str() == "slack").map(|d| d.subject.clone()).collect();
    assert_eq!(slack.len(), 2, "{slack:?}");
    assert!(slack.iter().any(|s| s.starts_with("Incident resolved")), "{slack:?}");
}

#[tokio::test]
async fn resolving_stops_paging() {
    let (engine, clock, _dir) = demo_engine().await;
    let id = engine.start_incident(alarm("sev1-critical", "y")).await.unwrap().id().to_owned();
    engine.run_due().await.unwrap();
    let resolve = IncidentUpdate { status: Some(IncidentStatus::Resolved), ..IncidentUpdate::default() };
    engine.update_incident(TEST, &id, resolve).await.unwrap();
    clock.advance(Duration::minutes(45));
    engine.run_due().await.unwrap();
    let engagement = engine.engagements(Some(&id), 10).await.unwrap().remove(0);
    assert_eq!(engagement.stop_reason.as_deref(), Some("incident resolved"));
    let pages = engine.pages(&engagement.id).await.unwrap();
    assert_eq!(pages.len(), 1, "the secondary was not paged after resolution");
    let kinds: Vec<_> = engine.receipts(&engagement.id).await.unwrap().into_iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["sent", "sent", "stop"], "e-mail and SMS sent, then stopped; no phone call");
}

#[tokio::test]
async fn bad_incident_input_is_refused_per_field_and_writes_nothing() {
    let (engine, _clock, _dir) = demo_engine().await;
    let bad = StartIncident {
        response_plan: "no-such-plan".into(),
        title: Some(String::new()),
        impact: Some(7),
        source: String::new(),
        ..StartIncident::default()
    };
    let Err(ServerError::Invalid(errors)) = engine.start_incident(bad).await else { panic!("accepted") };
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["response_plan", "title", "impact", "source"]);
    assert!(engine.incidents(None, 10).await.unwrap().is_empty());

    let id = engine.start_incident(alarm("sev3-low", "z")).await.unwrap().id().to_owned();
    let before = events(&engine, &id).await;
    let update = IncidentUpdate { impact: Some(0), title: Some("x".repeat(201)), ..IncidentUpdate::default() };
    let Err(ServerError::Invalid(errors)) = engine.update_incident(TEST, &id, update).await else { panic!() };
    assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["title", "impact"]);
    assert!(matches!(engine.add_timeline_event(TEST, &id, None, "  ").await, Err(ServerError::Invalid(_))));
    assert_eq!(events(&engine, &id).await, before, "nothing was written");
    assert_eq!(engine.incident(&id).await.unwrap().impact, 3);
    let missing = engine.update_incident(TEST, "nope", IncidentUpdate::default()).await;
    assert!(matches!(missing, Err(ServerError::NotFound(..))), "{missing:?}");
}

#[tokio::test]
async fn notes_can_be_edited_and_deleted_but_automatic_events_cannot_and_incidents_can_be_deleted() {
    let (engine, _clock, _dir) = demo_engine().await;
    let id = engine.start_incident(alarm("sev1-critical", "n")).await.unwrap().id().to_owned();
    let note = engine.add_timeline_event(TEST, &id, None, "Paged the DBA").await.unwrap();
    engine.update_timeline_event(TEST, &id, &note, Some(t0().timestamp() - 60), "Paged the DBA (Sato)").await.unwrap();
    let timeline = engine.timeline(&id).await.unwrap();
    assert_eq!(timeline[0].id, note, "the note moved to its new time, first");
    assert!(timeline[0].data.contains("(Sato)"));
    let created = timeline.iter().find(|e| e.event_type == "incident_created").unwrap().id.clone();
    let refused = engine.update_timeline_event(TEST, &id, &created, None, "rewritten").await;
    assert!(matches!(refused, Err(ServerError::Invalid(ref e)) if e[0].field == "event_id"), "{refused:?}");
    assert!(engine.delete_timeline_event(TEST, &id, &created).await.is_err());
    engine.delete_timeline_event(TEST, &id, &note).await.unwrap();
    assert!(engine.timeline(&id).await.unwrap().iter().all(|e| e.event_type != "custom"));

    engine.delete_incident(TEST, &id).await.unwrap();
    assert!(matches!(engine.incident(&id).await, Err(ServerError::NotFound(..))));
    let history = engine.engagements(None, 10).await.unwrap();
    assert_eq!(history.len(), 1, "the paging history stays");
    assert_eq!(history[0].stop_reason.as_deref(), Some("incident deleted"));
    // The token is free again: a new trigger opens a new incident.
    assert!(matches!(engine.start_incident(alarm("sev1-critical", "n")).await.unwrap(), Started::Created(_)));
}
