//! Alerts under a burst, on the console's own binary: 5,000 events (500 alarms, each firing ten
//! times) from 32 concurrent senders while the console is killed (SIGKILL) a third of the way in
//! and restarted; senders retry what was not answered. Every event that got a 2xx is stored
//! exactly once, every alarm opened exactly one incident, and every page's deliveries arrive
//! (only those in flight at the kill twice, with the same idempotency key). On PostgreSQL, two
//! consoles on one database receive the same stream and route each alert once.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::alert_burst::{alert_routing, send_events};
use common::burst::{DELIVERIES_PER_ENGAGEMENT, Setup};
use server::db::Dialect;

const EVENTS: usize = 5_000;
const ALARMS: usize = 500;
const SENDERS: usize = 32;

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
    let door = alert_routing(&setup).await;
    let mut console = setup.start_console().await;
    let url = console.url.clone();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let senders = tokio::spawn(send_events(vec![url.clone()], door, (EVENTS, ALARMS, SENDERS), Some((EVENTS / 3, tx))));
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
    let door = alert_routing(&setup).await;
    let (a, b) = (setup.start_console().await, setup.start_console().await);
    send_events(vec![a.url.clone(), b.url.clone()], door, (EVENTS, ALARMS, SENDERS), None).await;
    assert_exactly_once(&setup).await;
}
