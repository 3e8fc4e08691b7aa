//! An alert storm with one alert that matters in it (`cargo bench -p server --bench storm`;
//! PostgreSQL with `ONCALL_TEST_DB=postgres` and `ONCALL_TEST_PG_ADMIN_URL`): the console's
//! release binary on loopback; 32 senders post 25,000 low-severity webhook alerts (500 alarms)
//! as fast as the door takes them, routed as the demo's rules do: anything not critical opens an
//! incident of a low plan (one per alarm; its repeats join it); 5 s in, one critical alert
//! ("Payments DB down") whose rule opens an incident paging a person by e-mail.
//!
//! Prints: the storm's accept rate; the critical alert's answer → its first page handed to the
//! mail server; how long until every alert was routed, and the routing rate. Asserts only that
//! every event was answered and the critical page arrived. Speed is never asserted.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use app::domain::incident::{IncidentTemplate, ResponsePlan};
use app::domain::routing::{Firing, Rule};
use common::alert_burst::{alert_routing, send_events};
use common::burst::Setup;
use server::audit::Actor;

const EVENTS: usize = 25_000;
const ALARMS: usize = 500;
const SENDERS: usize = 32;
const RUNS: usize = 3;

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

async fn run(setup: &Setup, url: &str, door: (String, String)) {
    let started = Instant::now();
    let storm = tokio::spawn(send_events(vec![url.to_owned()], door.clone(), (EVENTS, ALARMS, SENDERS), None));
    tokio::time::sleep(Duration::from_secs(5)).await;
    let http = reqwest::Client::new();
    let sent = Instant::now();
    let r = http
        .post(format!("{url}/ingest/{}", door.0))
        .bearer_auth(&door.1)
        .json(&serde_json::json!({"title": "Payments DB down", "fingerprint": "payments-db", "severity": "critical"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let answered = Instant::now();
    let until = Instant::now() + Duration::from_mins(5);
    let paged = loop {
        let first =
            setup.inbox.lock().unwrap().iter().filter(|r| r.subject.contains("Payments DB down")).map(|r| r.at).min();
        if let Some(at) = first {
            break at;
        }
        assert!(Instant::now() < until, "the critical page arrived");
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let events = storm.await.unwrap();
    let storm_took = events.iter().map(|s| s.answered).max().unwrap().duration_since(started);
    assert_eq!(events.len(), EVENTS, "every event answered");
    #[allow(clippy::cast_precision_loss)]
    let rate = EVENTS as f64 / storm_took.as_secs_f64();
    println!("  storm: {EVENTS} alerts accepted in {:.2} s ({rate:.0}/s)", storm_took.as_secs_f64());
    println!(
        "  critical alert: answered in {:.0} ms; answered → first page handed over {:.0} ms",
        answered.duration_since(sent).as_secs_f64() * 1e3,
        paged.duration_since(answered).as_secs_f64() * 1e3
    );
    let db = setup.db().await;
    let left = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM alerts WHERE routed_at IS NULL").fetch_one(&db.pool).await
    };
    let at_storm_end = left().await.unwrap();
    while left().await.unwrap() > 0 && started.elapsed() < Duration::from_mins(10) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let all = started.elapsed();
    #[allow(clippy::cast_precision_loss)]
    let routed_rate = (EVENTS + 1) as f64 / all.as_secs_f64();
    println!(
        "  unrouted when the storm ended: {at_storm_end}; all routed {:.1} s after it ended ({routed_rate:.0} alerts/s overall)",
        all.saturating_sub(storm_took).as_secs_f64()
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let database = std::env::var("ONCALL_TEST_DB").unwrap_or_else(|_| "sqlite".into());
    let runs = std::env::var("STORM_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(RUNS);
    println!("database: {database}");
    for n in 1..=runs {
        println!("run {n}:");
        let setup = Setup::new().await;
        let door = storm_rules(&setup).await;
        let console = setup.start_console().await;
        run(&setup, &console.url, door).await;
    }
}
