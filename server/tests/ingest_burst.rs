//! Alerts under a burst, on the console's own binary: 5,000 events (500 alarms, each firing ten
//! times) from 32 concurrent senders while the console is killed (SIGKILL) a third of the way in
//! and restarted; senders retry what was not answered. Every event that got a 2xx is stored
//! exactly once, every alarm opened exactly one incident, and every page's deliveries arrive
//! (only those in flight at the kill twice, with the same idempotency key). On PostgreSQL, two
//! consoles on one database receive the same stream and route each alert once.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use app::domain::alert::IntegrationKind;
use app::domain::incident::{IncidentTemplate, ResponsePlan};
use app::domain::routing::{Firing, Rule};
use common::burst::{DELIVERIES_PER_ENGAGEMENT, Setup};
use server::audit::Actor;
use server::db::Dialect;

const EVENTS: usize = 5_000;
const ALARMS: usize = 500;
const SENDERS: usize = 32;

/// An integration and a rule sending every alert to a plan that pages the burst team.
async fn routing(setup: &Setup) -> (String, String) {
    let db = setup.db().await;
    let engine = server::engine::Engine::new(db.clone(), Arc::new(server::clock::SystemClock));
    let plan = ResponsePlan {
        name: "burst-alarms".into(),
        display_name: "Burst alarms".into(),
        template: IncidentTemplate {
            title: "Alarm".into(),
            impact: 2,
            summary: String::new(),
            dedupe_string: String::new(),
        },
        engagements: vec!["burst".into()],
        notification_targets: vec![],
    };
    engine.put_response_plan(Actor::System("test"), plan).await.unwrap();
    let rule = Rule {
        name: "all".into(),
        condition: String::new(),
        firing: Firing::Incident { response_plan: "burst-alarms".into() },
        impact: None,
        notify: vec![],
        resolve_on_recovery: false,
    };
    server::routing::rules::Rules { db: db.clone() }.save(Actor::System("test"), 0, vec![rule], 1).await.unwrap();
    let door = server::ingest::store::Integrations { db: db.clone() }
        .create(Actor::System("test"), "burst", IntegrationKind::Webhook, &[], 1)
        .await
        .unwrap();
    (door.id, door.secret)
}

/// Posts events `0..EVENTS` to every console in `urls` from `SENDERS` tasks, each retrying until
/// answered 2xx (a dead console refuses connections; its restart answers). Calls `after` once
/// `kill_at` events have been accepted.
async fn send(urls: Vec<String>, door: (String, String), kill_at: Option<(usize, tokio::sync::oneshot::Sender<()>)>) {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let next = Arc::new(AtomicUsize::new(0));
    let accepted = Arc::new(AtomicUsize::new(0));
    let kill = Arc::new(std::sync::Mutex::new(kill_at));
    let mut tasks = Vec::new();
    for _ in 0..SENDERS {
        let (http, next, accepted, kill, urls, door) =
            (http.clone(), next.clone(), accepted.clone(), kill.clone(), urls.clone(), door.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= EVENTS {
                    return;
                }
                let body = serde_json::json!({"title": format!("alarm {}", i % ALARMS), "fingerprint": format!("alarm-{}", i % ALARMS), "n": i});
                for url in &urls {
                    loop {
                        let sent = http
                            .post(format!("{url}/ingest/{}", door.0))
                            .bearer_auth(&door.1)
                            .header("Idempotency-Key", format!("event-{i}"))
                            .json(&body)
                            .send()
                            .await;
                        if sent.is_ok_and(|r| r.status().is_success()) {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
                let done = accepted.fetch_add(1, Ordering::Relaxed) + 1;
                let mut guard = kill.lock().unwrap();
                if guard.as_ref().is_some_and(|(at, _)| done >= *at)
                    && let Some((_, tx)) = guard.take()
                {
                    let _ = tx.send(());
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

async fn count(db: &server::db::Db, sql: &str) -> usize {
    let n: i64 = sqlx::query_scalar(sql).fetch_one(&db.pool).await.unwrap();
    usize::try_from(n).unwrap()
}

/// Waits until every stored alert is routed and every page's deliveries were handed over.
async fn settled(db: &server::db::Db) {
    for _ in 0..1_200 {
        let unrouted = count(db, "SELECT COUNT(*) FROM alerts WHERE routed_at IS NULL").await;
        let pending = count(db, "SELECT COUNT(*) FROM deliveries WHERE status <> 'sent'").await;
        if unrouted == 0 && pending == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("alerts or deliveries still pending after 2 minutes");
}

/// Every event once, every alarm one incident with one engagement, every delivery arrived.
async fn assert_exactly_once(setup: &Setup) {
    let db = setup.db().await;
    settled(&db).await;
    assert_eq!(count(&db, "SELECT COUNT(*) FROM inbound_events").await, EVENTS, "every accepted event once");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM alerts").await, EVENTS);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM incidents").await, ALARMS, "one incident per alarm");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM alert_incidents").await, ALARMS);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM engagements").await, ALARMS, "one engagement per incident");
    let opened = count(&db, "SELECT COUNT(*) FROM alerts WHERE outcome = 'incident opened'").await;
    let joined = count(&db, "SELECT COUNT(*) FROM alerts WHERE outcome = 'fired again'").await;
    assert_eq!((opened, joined), (ALARMS, EVENTS - ALARMS));
    let expected = ALARMS * DELIVERIES_PER_ENGAGEMENT;
    let received = setup.wait_for_messages(expected, Duration::from_mins(1)).await;
    let mut keys: HashMap<String, usize> = HashMap::new();
    for r in &received {
        *keys.entry(r.key.clone()).or_default() += 1;
    }
    assert_eq!(keys.len(), expected, "every page's deliveries arrive");
    let twice = keys.values().filter(|n| **n > 1).count();
    assert!(twice <= SENDERS * DELIVERIES_PER_ENGAGEMENT, "only deliveries in flight at the kill repeat: {twice}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_alerts_survives_a_kill_and_opens_each_incident_once() {
    let setup = Setup::new().await;
    let door = routing(&setup).await;
    let mut console = setup.start_console().await;
    let url = console.url.clone();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let senders = tokio::spawn(send(vec![url.clone()], door, Some((EVENTS / 3, tx))));
    rx.await.unwrap();
    console.kill();
    let port = url.rsplit(':').next().unwrap().to_owned();
    let _restarted = setup.start_console_on(&port).await;
    senders.await.unwrap();
    assert_exactly_once(&setup).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_consoles_on_one_postgresql_route_each_alert_once() {
    let setup = Setup::new().await;
    if setup.db().await.dialect != Dialect::Postgres {
        return; // SQLite serves one process; several replicas need PostgreSQL.
    }
    let door = routing(&setup).await;
    let (a, b) = (setup.start_console().await, setup.start_console().await);
    send(vec![a.url.clone(), b.url.clone()], door, None).await;
    assert_exactly_once(&setup).await;
}
