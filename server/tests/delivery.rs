//! Delivery in local mode, against real transports on loopback: a JSON gateway for SMS and voice,
//! Slack and webhook notification targets, and an SMTP server. Failures retry with backoff on a
//! virtual clock and end as ERROR receipts; a slow target times out without holding up others.
//! Also: channel activation codes, and deletes refused while something still uses the item.

mod common;

use std::sync::Arc;
use std::time::Duration as StdDuration;

use app::domain::contact::{ChannelType, Contact, ContactChannel, ContactType, Plan};
use app::domain::incident::{IncidentTemplate, NotificationTarget, ResponsePlan};
use app::domain::rotation::Override;
use chrono::{DateTime, Duration, TimeZone, Utc};
use server::audit::Actor;
use server::clock::ManualClock;
use server::engine::Engine;
use server::engine::incidents::StartIncident;
use server::engine::outbox::{Outbox, Transports};
use server::engine::paging::EngagementRequest;
use server::error::ServerError;
use server::outbound::Outbound;

use common::transports::{hook, smtp_sink};

const TEST: Actor<'static> = Actor::System("test");

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 0, 0, 0).unwrap()
}

async fn person(engine: &Engine, alias: &str, channels: &[(ChannelType, &str)]) -> Vec<String> {
    let contact =
        Contact { alias: alias.into(), display_name: alias.into(), kind: ContactType::Personal, plan: Plan::default() };
    engine.put_contact(TEST, contact).await.unwrap();
    let mut ids = Vec::new();
    for (kind, address) in channels {
        let ch = ContactChannel {
            id: String::new(),
            contact_id: alias.into(),
            name: format!("{kind:?}"),
            kind: *kind,
            address: (*address).into(),
            activated: true,
        };
        ids.push(engine.add_channel(TEST, ch).await.unwrap().id);
    }
    ids
}

fn page(alias: &str) -> EngagementRequest {
    EngagementRequest {
        contact: alias.into(),
        sender: "test".into(),
        subject: "Disk full on db-1".into(),
        content: "/var is 100% full".into(),
        ..EngagementRequest::default()
    }
}

async fn setup() -> (Engine, Arc<ManualClock>, tempfile::TempDir) {
    let (db, dir) = common::test_db().await;
    let clock = ManualClock::new(t0());
    (Engine::new(db, clock.clone()), clock, dir)
}

/// Kind, status and attempts of every outbox row, by kind.
async fn statuses(engine: &Engine) -> Vec<(String, String, i64)> {
    let mut rows: Vec<_> = engine
        .outbox(100)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.kind.to_string(), d.status.to_string(), d.attempts))
        .collect();
    rows.sort();
    rows
}

fn st(kind: &str, status: &str, attempts: i64) -> (String, String, i64) {
    (kind.into(), status.into(), attempts)
}

#[tokio::test]
async fn sms_pages_reach_the_gateway_and_failures_retry_with_backoff() {
    let (engine, clock, _dir) = setup().await;
    person(&engine, "tanaka", &[(ChannelType::Sms, "+819012345678")]).await;
    let (url, seen) = hook(2, StdDuration::ZERO).await;
    let outbox = engine.outbox_sender(Transports::new(None, Some(url)).with_outbound(Outbound::with_loopback()));
    let id = engine.start_engagement(page("tanaka")).await.unwrap();
    engine.run_due().await.unwrap();
    assert_eq!(outbox.run_due().await.unwrap(), 1);
    assert_eq!(statuses(&engine).await, [st("sms", "pending", 1)]);
    assert_eq!(outbox.run_due().await.unwrap(), 0, "not due again before the backoff");
    clock.advance(Duration::seconds(30));
    assert_eq!(outbox.run_due().await.unwrap(), 1);
    clock.advance(Duration::seconds(59));
    assert_eq!(outbox.run_due().await.unwrap(), 0, "the second wait is 60 s");
    clock.advance(Duration::seconds(1));
    assert_eq!(outbox.run_due().await.unwrap(), 1);
    assert_eq!(statuses(&engine).await, [st("sms", "sent", 3)]);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    let code = engine.pages(&id).await.unwrap()[0].accept_code.clone();
    assert_eq!(seen[2].json["kind"], "sms");
    assert_eq!(seen[2].to, "+819012345678");
    assert!(seen[2].json["body"].as_str().unwrap().contains(&code), "the SMS carries the acknowledge code");
    // Every attempt carries the same key, in the header and the body, so the gateway can drop a repeat.
    assert_eq!(seen[0].key.len(), 32, "{:?}", seen[0].key);
    assert!(seen.iter().all(|r| r.key == seen[0].key && r.json["idempotency_key"] == seen[0].key.as_str()));
    let kinds: Vec<_> = engine.receipts(&id).await.unwrap().into_iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["sent"], "a retried success is no error");
}

#[tokio::test]
async fn a_target_that_keeps_failing_ends_as_an_error_receipt() {
    let (engine, clock, _dir) = setup().await;
    person(&engine, "sato", &[(ChannelType::Voice, "+819087654321")]).await;
    let (url, seen) = hook(usize::MAX, StdDuration::ZERO).await;
    let outbox = engine.outbox_sender(Transports::new(None, Some(url)).with_outbound(Outbound::with_loopback()));
    let id = engine.start_engagement(page("sato")).await.unwrap();
    engine.run_due().await.unwrap();
    for _ in 0..10 {
        outbox.run_due().await.unwrap();
        clock.advance(Duration::minutes(10));
    }
    assert_eq!(statuses(&engine).await, [st("voice", "failed", 5)]);
    assert_eq!(seen.lock().unwrap().len(), 5, "five attempts, then given up");
    let receipts = engine.receipts(&id).await.unwrap();
    let kinds: Vec<_> = receipts.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["sent", "error"]);
    assert!(receipts[1].info.as_deref().unwrap().contains("HTTP 500"), "{:?}", receipts[1].info);
}

#[tokio::test]
async fn a_slow_target_times_out_without_holding_up_the_others() {
    let (engine, _clock, _dir) = setup().await;
    // The slow target answers long after the timeout; the timeout is long enough that the fast
    // one answers within it even on a loaded machine.
    let (slow, slow_seen) = hook(0, StdDuration::from_mins(1)).await;
    let (fast, fast_seen) = hook(0, StdDuration::ZERO).await;
    let plan = ResponsePlan {
        name: "notify".into(),
        display_name: "Notify only".into(),
        template: IncidentTemplate {
            title: "Queue backlog".into(),
            impact: 3,
            summary: "s".into(),
            dedupe_string: String::new(),
        },
        engagements: vec![],
        notification_targets: vec![NotificationTarget::Webhook { url: slow }, NotificationTarget::Slack { url: fast }],
    };
    engine.put_response_plan(TEST, plan).await.unwrap();
    let start = StartIncident { response_plan: "notify".into(), source: "test".into(), ..StartIncident::default() };
    engine.start_incident(start).await.unwrap();
    let outbox = engine.outbox_sender(
        Transports::new(None, None)
            .with_outbound(Outbound::with_loopback())
            .with_send_timeout(StdDuration::from_secs(3)),
    );
    assert_eq!(outbox.run_due().await.unwrap(), 2);
    assert_eq!(statuses(&engine).await, [st("slack", "sent", 1), st("webhook", "pending", 1)]);
    let rows = engine.outbox(10).await.unwrap();
    let slow_row = rows.iter().find(|d| d.kind.as_str() == "webhook").unwrap();
    assert!(slow_row.last_error.as_deref().unwrap().contains("timed out"), "{:?}", slow_row.last_error);
    let slack = fast_seen.lock().unwrap()[0].json.clone();
    assert!(slack["text"].as_str().unwrap().contains("Incident opened [Impact 3]: Queue backlog"), "{slack}");
    drop(slow_seen);
}

#[tokio::test]
async fn email_pages_go_out_over_smtp_and_without_a_transport_stay_in_the_outbox() {
    let (engine, _clock, _dir) = setup().await;
    person(&engine, "kim", &[(ChannelType::Email, "kim@example.com"), (ChannelType::Sms, "+819011112222")]).await;
    let (url, mail) = smtp_sink().await;
    let smtp = server::engine::outbox::smtp(&url, "On-call console <oncall@example.com>").unwrap();
    let outbox: Outbox = engine.outbox_sender(Transports::new(Some(smtp), None));
    let id = engine.start_engagement(page("kim")).await.unwrap();
    engine.run_due().await.unwrap();
    assert_eq!(outbox.run_due().await.unwrap(), 2);
    assert_eq!(statuses(&engine).await, [st("email", "sent", 1), st("sms", "outbox", 1)]);
    let mail = mail.lock().unwrap().clone();
    assert_eq!(mail.len(), 1);
    let code = engine.pages(&id).await.unwrap()[0].accept_code.clone();
    let mail = &mail[0];
    assert_eq!(mail.subject, "[Action needed] Disk full on db-1", "{}", mail.data);
    assert!(mail.data.contains(&code), "the e-mail carries the acknowledge code: {}", mail.data);
    assert!(mail.data.contains("multipart/alternative") && mail.data.contains("text/html"), "{}", mail.data);
    assert!(mail.data.contains("http://127.0.0.1:3000/a/"), "the e-mail carries the link: {}", mail.data);
    assert_eq!(mail.to, "kim@example.com", "{}", mail.data);
    assert!(mail.data.contains(&format!("Message-ID: <{}@example.com>", mail.key)), "{}", mail.data);
    assert_eq!(mail.key.len(), 32, "a stable key per delivery: {}", mail.data);
}

#[tokio::test]
async fn a_channel_is_activated_with_the_code_sent_to_it() {
    let (engine, _clock, _dir) = setup().await;
    person(&engine, "emily", &[]).await;
    let fresh = ContactChannel {
        id: String::new(),
        contact_id: "emily".into(),
        name: "Mobile".into(),
        kind: ChannelType::Sms,
        address: "+819033334444".into(),
        activated: false,
    };
    let ch = engine.add_channel(TEST, fresh).await.unwrap();
    engine.send_activation_code(TEST, &ch.id).await.unwrap();
    let sent = engine.outbox(10).await.unwrap().remove(0);
    let code: String = sent.body.chars().filter(char::is_ascii_digit).collect();
    assert_eq!((sent.kind.as_str(), sent.address.as_str(), code.len()), ("sms", "+819033334444", 6));
    let wrong = engine.activate_channel(TEST, &ch.id, "000000x").await;
    assert!(matches!(wrong, Err(ServerError::Invalid(ref e)) if e[0].field == "activation_code"), "{wrong:?}");
    assert!(!engine.channel(&ch.id).await.unwrap().activated);
    engine.activate_channel(TEST, &ch.id, &code).await.unwrap();
    assert!(engine.channel(&ch.id).await.unwrap().activated);
    assert!(engine.activate_channel(TEST, &ch.id, &code).await.is_err(), "a code works once");
    // A new number must be activated again.
    engine.update_channel(TEST, &ch.id, "Mobile", "+819055556666").await.unwrap();
    assert!(!engine.channel(&ch.id).await.unwrap().activated);
    let bad = engine.update_channel(TEST, &ch.id, "Mobile", "not a number").await;
    assert!(matches!(bad, Err(ServerError::Invalid(_))), "{bad:?}");
    assert_eq!(engine.channel(&ch.id).await.unwrap().address, "+819055556666", "a refused update changes nothing");
}

#[tokio::test]
async fn deletes_are_refused_while_something_still_uses_the_item() {
    let (engine, _clock, _dir) = setup().await;
    assert!(server::demo::seed_if_empty(&engine).await.unwrap());
    assert!(!server::demo::seed_if_empty(&engine).await.unwrap(), "seeded once");
    let in_use = |r: Result<(), ServerError>, field: &str| {
        assert!(matches!(r, Err(ServerError::Invalid(ref e)) if e[0].field == field), "{r:?}");
    };
    in_use(engine.delete_contact(TEST, "tanaka").await, "alias"); // a rotation member
    in_use(engine.delete_contact(TEST, "primary-oncall").await, "alias"); // an escalation target
    in_use(engine.delete_contact(TEST, "web-escalation").await, "alias"); // engaged by response plans
    let primary = engine.rotations().await.unwrap().into_iter().find(|r| r.name.starts_with("Primary")).unwrap();
    in_use(engine.delete_rotation(TEST, &primary.id).await, "rotation_id");
    let email = engine.channels_of("tanaka").await.unwrap().remove(0);
    in_use(engine.delete_channel(TEST, &email.id).await, "channel_id");
    assert_eq!(engine.contacts().await.unwrap().len(), 9, "nothing was deleted");
    let cover =
        Override { start: t0() + Duration::hours(1), end: t0() + Duration::hours(2), members: vec!["sato".into()] };
    let override_id = engine.add_override(TEST, &primary.id, cover).await.unwrap();
    assert_eq!(engine.override_list(&primary.id, t0()).await.unwrap().len(), 1);
    let elsewhere = engine.delete_override(TEST, "other-rotation", &override_id).await;
    assert!(matches!(elsewhere, Err(ServerError::NotFound(..))), "{elsewhere:?}");
    engine.delete_override(TEST, &primary.id, &override_id).await.unwrap();
    assert!(engine.override_list(&primary.id, t0()).await.unwrap().is_empty());
    // Bottom up, everything can go.
    for plan in ["sev1-critical", "sev2-high", "sev3-low"] {
        engine.delete_response_plan(TEST, plan).await.unwrap();
    }
    engine.delete_contact(TEST, "web-escalation").await.unwrap();
    engine.delete_contact(TEST, "primary-oncall").await.unwrap();
    engine.delete_rotation(TEST, &primary.id).await.unwrap();
    engine.delete_contact(TEST, "tanaka").await.unwrap();
    assert!(engine.channels_of("tanaka").await.unwrap().is_empty(), "channels go with their contact");
    assert!(matches!(engine.contact("tanaka").await, Err(ServerError::NotFound(..))));
}
