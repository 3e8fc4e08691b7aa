//! An alert storm with one alert that matters in it (`cargo bench -p server --bench storm`;
//! PostgreSQL with `ONCALL_TEST_DB=postgres` and `ONCALL_TEST_PG_ADMIN_URL`): the console's
//! release binary on loopback; 32 senders post 25,000 low-severity webhook alerts (500 alarms)
//! as fast as the door takes them, routed as the demo's rules do: anything not critical opens an
//! incident of a low plan (one per alarm; its repeats join it); from 5 s in, a critical alert
//! ("Payments DB down #N", each its own alarm) every 400 ms, ten in all, whose rule opens an
//! incident paging a person by e-mail.
//!
//! Prints: the storm's accept rate; each critical alert's answer → its first page handed to the
//! mail server (p50 and max per run, p99 over all runs); how long until every alert was routed,
//! and the routing rate. Then routing's capacity without the door: the same 25,000 alerts
//! stored beforehand and routed by one console (and by two on PostgreSQL). Asserts only that
//! every event was answered and every critical page arrived. Speed is never asserted.
//! `STORM_RUNS=n` sets the runs (3); `STORM_CAPACITY_ONLY` skips the storms and
//! `STORM_SKIP_CAPACITY` the capacity runs.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use app::domain::alert::{Alert, AlertStatus};
use app::domain::incident::{IncidentTemplate, ResponsePlan};
use app::domain::routing::{Firing, Rule};
use common::alert_burst::{alert_routing, send_events};
use common::burst::Setup;
use server::audit::Actor;

const EVENTS: usize = 25_000;
const ALARMS: usize = 500;
const SENDERS: usize = 32;
const RUNS: usize = 3;
/// Critical alerts sent during each storm, from 5 s in.
const CRITICALS: usize = 10;
/// Alerts per stored event when the capacity run fills its backlog.
const PER_EVENT: usize = 50;
const CRITICAL_EVERY: Duration = Duration::from_millis(400);

/// The critical alert opens an incident of the burst plan (paging by e-mail); the rest open (or
/// join) an incident of a low plan that pages nobody.
async fn storm_rules(setup: &Setup) -> (String, String) {
    let door = alert_routing(setup).await;
    let db = setup.db().await;
    let engine = server::engine::Engine::new(db.clone(), std::sync::Arc::new(server::clock::SystemClock));
    let low = ResponsePlan {
        name: "storm-low".into(),
        display_name: "Low".into(),
        template: IncidentTemplate {
            title: "Low".into(),
            impact: 3,
            summary: String::new(),
            dedupe_string: String::new(),
        },
        engagements: vec![],
        notification_targets: vec![],
    };
    engine.put_response_plan(Actor::System("bench"), low).await.unwrap();
    let rule = |name: &str, condition: &str, firing: Firing| Rule {
        name: name.into(),
        condition: condition.into(),
        firing,
        impact: None,
        notify: vec![],
        resolve_on_recovery: false,
        hold: None,
    };
    let rules = vec![
        rule("critical", "alert.severity == 'critical'", Firing::Incident { response_plan: "burst-alarms".into() }),
        rule("rest", "", Firing::Incident { response_plan: "storm-low".into() }),
    ];
    server::routing::rules::Rules { db }.save(Actor::System("bench"), 1, rules, 2).await.unwrap();
    door
}

/// Sends the critical alerts, one every [`CRITICAL_EVERY`] from 5 s into the storm, each a
/// different alarm; answers each with how long from its answer until its first page reached the
/// mail server.
async fn criticals(setup: &Setup, url: &str, door: &(String, String)) -> Vec<Duration> {
    let http = reqwest::Client::new();
    let mut waits = Vec::new();
    for i in 0..CRITICALS {
        let title = format!("Payments DB down #{i}");
        let r = http
            .post(format!("{url}/ingest/{}", door.0))
            .bearer_auth(&door.1)
            .json(
                &serde_json::json!({"title": title, "fingerprint": format!("payments-db-{i}"), "severity": "critical"}),
            )
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        let answered = Instant::now();
        let until = answered + Duration::from_mins(5);
        let paged = loop {
            let first = setup.inbox.lock().unwrap().iter().filter(|r| r.subject.contains(&title)).map(|r| r.at).min();
            if let Some(at) = first {
                break at;
            }
            assert!(Instant::now() < until, "the critical page arrived");
            tokio::time::sleep(Duration::from_millis(2)).await;
        };
        waits.push(paged.saturating_duration_since(answered));
        tokio::time::sleep(CRITICAL_EVERY.saturating_sub(answered.elapsed())).await;
    }
    waits
}

/// One storm; the critical alerts' waits for their first page.
async fn run(setup: &Setup, url: &str, door: (String, String)) -> Vec<Duration> {
    let started = Instant::now();
    let storm = tokio::spawn(send_events(vec![url.to_owned()], door.clone(), (EVENTS, ALARMS, SENDERS), None));
    tokio::time::sleep(Duration::from_secs(5)).await;
    let waits = criticals(setup, url, &door).await;
    let events = storm.await.unwrap();
    let storm_took = events.iter().map(|s| s.answered).max().unwrap().duration_since(started);
    assert_eq!(events.len(), EVENTS, "every event answered");
    #[allow(clippy::cast_precision_loss)]
    let rate = EVENTS as f64 / storm_took.as_secs_f64();
    println!("  storm: {EVENTS} alerts accepted in {:.2} s ({rate:.0}/s)", storm_took.as_secs_f64());
    let mut sorted = waits.clone();
    sorted.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "  {CRITICALS} critical alerts during it: answer → first page handed over p50 {:.0} ms, max {:.0} ms",
        ms(sorted[sorted.len() / 2]),
        ms(sorted[sorted.len() - 1])
    );
    let db = setup.db().await;
    let left = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM alerts WHERE routed_at IS NULL").fetch_one(&db.pool).await
    };
    let at_storm_end = left().await.unwrap();
    while left().await.unwrap() > 0 && started.elapsed() < Duration::from_mins(10) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let all = started.elapsed();
    #[allow(clippy::cast_precision_loss)]
    let routed_rate = (EVENTS + CRITICALS) as f64 / all.as_secs_f64();
    println!(
        "  unrouted when the storm ended: {at_storm_end}; all routed {:.1} s after it ended ({routed_rate:.0} alerts/s overall)",
        all.saturating_sub(storm_took).as_secs_f64()
    );
    waits
}

/// Routing capacity without the door: [`EVENTS`] alerts (the storm's alarms and rules) stored
/// while no console runs, then `replicas` consoles on the database route them; alerts per second
/// from the first routed until none is left.
async fn capacity(replicas: usize) -> f64 {
    let setup = Setup::new().await;
    let door = storm_rules(&setup).await;
    let db = setup.db().await;
    let store = server::ingest::store::Integrations { db: db.clone() };
    let now = chrono::Utc::now().timestamp();
    for event in 0..EVENTS / PER_EVENT {
        let alerts: Vec<Alert> = (0..PER_EVENT)
            .map(|i| {
                let alarm = (event * PER_EVENT + i) % ALARMS;
                Alert {
                    fingerprint: format!("alarm-{alarm}"),
                    status: AlertStatus::Firing,
                    title: format!("Alarm {alarm}"),
                    summary: String::new(),
                    severity: "warning".into(),
                    labels: std::collections::BTreeMap::new(),
                    links: vec![],
                    occurred_at: now,
                }
            })
            .collect();
        store.accept(&door.0, &format!("backlog-{event}"), "{}", &alerts, now).await.unwrap();
    }
    let left = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM alerts WHERE routed_at IS NULL").fetch_one(&db.pool).await
    };
    let mut consoles = Vec::new();
    for _ in 0..replicas {
        consoles.push(setup.start_console().await);
    }
    let total = i64::try_from(EVENTS).unwrap();
    let mut first = None;
    loop {
        let n = left().await.unwrap();
        if n < total && first.is_none() {
            first = Some((Instant::now(), total - n));
        }
        if n == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (began, already) = first.unwrap();
    #[allow(clippy::cast_precision_loss)]
    let rate = (total - already) as f64 / began.elapsed().as_secs_f64();
    println!("  {replicas} console(s): {EVENTS} stored alerts routed at {rate:.0}/s");
    drop(consoles);
    rate
}

/// `runs` capacity measurements with `replicas` consoles, one after another.
async fn capacity_runs(runs: usize, replicas: usize) -> Vec<f64> {
    let mut rates = Vec::new();
    for _ in 0..runs {
        rates.push(capacity(replicas).await);
    }
    rates
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let database = std::env::var("ONCALL_TEST_DB").unwrap_or_else(|_| "sqlite".into());
    let runs = std::env::var("STORM_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(RUNS);
    println!("database: {database}");
    let mut waits = Vec::new();
    let storms = if std::env::var("STORM_CAPACITY_ONLY").is_ok() { 0 } else { runs };
    for n in 1..=storms {
        println!("run {n}:");
        let setup = Setup::new().await;
        let door = storm_rules(&setup).await;
        let console = setup.start_console().await;
        waits.extend(run(&setup, &console.url, door).await);
    }
    waits.sort();
    // Nearest rank.
    let p99 = if waits.is_empty() { Duration::ZERO } else { waits[(waits.len() * 99).div_ceil(100) - 1] };
    if !waits.is_empty() {
        println!(
            "all runs: critical alert answered → first page p99 {:.0} ms ({} alerts)",
            p99.as_secs_f64() * 1e3,
            waits.len()
        );
    }
    // Several replicas need PostgreSQL (SQLite serves one process).
    let replicas: &[usize] = match (database.as_str(), std::env::var("STORM_SKIP_CAPACITY").is_ok()) {
        (_, true) => &[],
        ("postgres", _) => &[1, 2],
        _ => &[1],
    };
    println!("routing capacity (a stored backlog, no door):");
    for &n in replicas {
        let rates = capacity_runs(runs, n).await;
        #[allow(clippy::cast_precision_loss)]
        let mean = rates.iter().sum::<f64>() / rates.len() as f64;
        println!("  {n} console(s): mean {mean:.0} alerts/s over {} runs", rates.len());
    }
}
