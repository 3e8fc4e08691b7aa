//! Alert ingestion benchmark on the production path (`cargo bench -p server --bench ingest`;
//! PostgreSQL with `ONCALL_TEST_DB=postgres` and `ONCALL_TEST_PG_ADMIN_URL`): the console's
//! release binary on loopback, events posted over HTTP to a webhook integration, routed by a rule
//! to a plan paging two people on e-mail and SMS through loopback transports.
//!
//! - reference: the raw commit rate of SQLite on the same disk (one connection, WAL, one row per
//!   transaction), measured in the same run;
//! - burst: 5,000 events (500 alarms firing ten times) from 32 senders: events accepted per
//!   second and the answer time;
//! - light load: 200 alarms one at a time, 25 ms apart: event answered → first delivery handed
//!   over (routing, the incident, its engagement and the first page's delivery).
//!
//! Prints figures for the README; asserts only that every event was answered and every alarm's
//! delivery arrived. Speed is never asserted.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::alert_burst::{alert_routing, send_events};
use common::burst::Setup;
use common::stats::describe;
use sqlx::Connection;

const EVENTS: usize = 5_000;
const ALARMS: usize = 500;
const SENDERS: usize = 32;
const LIGHT: usize = 200;
const RUNS: usize = 3;

/// Commits per second of one SQLite connection in WAL mode on the setup's disk, one row each.
async fn sqlite_commit_rate(dir: &std::path::Path) -> f64 {
    let url = format!("sqlite:{}?mode=rwc", dir.join("reference.db").display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("PRAGMA journal_mode = WAL").execute(&mut conn).await.unwrap();
    sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)").execute(&mut conn).await.unwrap();
    let started = Instant::now();
    let mut n = 0_u32;
    while started.elapsed() < Duration::from_secs(3) {
        let mut tx = conn.begin().await.unwrap();
        sqlx::query("INSERT INTO t (body) VALUES ($1)").bind("{\"title\":\"x\"}").execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        n += 1;
    }
    f64::from(n) / started.elapsed().as_secs_f64()
}

async fn burst(setup: &Setup, url: &str, door: (String, String)) {
    let started = Instant::now();
    let sent = send_events(vec![url.to_owned()], door, (EVENTS, ALARMS, SENDERS), None).await;
    let took = started.elapsed();
    assert_eq!(sent.len(), EVENTS, "every event answered");
    #[allow(clippy::cast_precision_loss)]
    let rate = EVENTS as f64 / took.as_secs_f64();
    println!(
        "burst ({EVENTS} events, {ALARMS} alarms, {SENDERS} senders): all accepted in {:.2} s, {rate:.0} events/s",
        took.as_secs_f64()
    );
    describe("event answered", sent.iter().map(|s| s.answered.duration_since(s.started)).collect());
    let db = setup.db().await;
    for _ in 0..1_200 {
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM alerts WHERE routed_at IS NULL")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!("  all {EVENTS} alerts routed {:.2} s after the first event", started.elapsed().as_secs_f64());
}

async fn light(setup: &Setup, url: &str, door: &(String, String)) {
    let http = reqwest::Client::new();
    let mut answered = Vec::new();
    for i in 0..LIGHT {
        let title = format!("light-{i:04}");
        let started = Instant::now();
        let r = http
            .post(format!("{url}/ingest/{}", door.0))
            .bearer_auth(&door.1)
            .json(&serde_json::json!({"title": title, "fingerprint": title}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        answered.push((title, started, Instant::now()));
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let until = Instant::now() + Duration::from_mins(1);
    let first =
        |title: &str| setup.inbox.lock().unwrap().iter().filter(|r| r.subject.contains(title)).map(|r| r.at).min();
    while answered.iter().any(|(t, ..)| first(t).is_none()) && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!("light load ({LIGHT} alarms, one at a time):");
    describe("event answered", answered.iter().map(|(_, s, a)| a.duration_since(*s)).collect());
    describe(
        "event answered → first delivery handed over",
        answered.iter().map(|(t, _, a)| first(t).expect("every alarm's delivery arrived").duration_since(*a)).collect(),
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let database = std::env::var("ONCALL_TEST_DB").unwrap_or_else(|_| "sqlite".into());
    println!("database: {database}");
    for run in 1..=RUNS {
        println!("run {run}:");
        let setup = Setup::new().await;
        println!("  reference: raw SQLite commits on this disk: {:.0}/s", sqlite_commit_rate(setup.dir.path()).await);
        let door = alert_routing(&setup).await;
        let console = setup.start_console().await;
        light(&setup, &console.url, &door).await;
        burst(&setup, &console.url, door).await;
    }
}
