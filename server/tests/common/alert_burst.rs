//! Alerts as senders deliver them, to the console's own binary: an integration and a rule that
//! sends every alert to a plan paging the burst team, and many concurrent senders that retry until
//! answered. Shared by the alert burst tests and the ingestion benchmark.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use app::domain::alert::IntegrationKind;
use app::domain::incident::{IncidentTemplate, ResponsePlan};
use app::domain::routing::{Firing, Rule};
use server::audit::Actor;

use super::burst::Setup;

/// An integration and a rule sending every alert to a plan that pages the burst team.
pub async fn alert_routing(setup: &Setup) -> (String, String) {
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
        hold: None,
    };
    server::routing::rules::Rules { db: db.clone() }.save(Actor::System("test"), 0, vec![rule], 1).await.unwrap();
    let door = server::ingest::store::Integrations { db: db.clone() }
        .create(Actor::System("test"), "burst", IntegrationKind::Webhook, &[], 1)
        .await
        .unwrap();
    (door.id, door.secret)
}

/// One event's delivery to the consoles: when it was first sent and when the last answer came.
#[derive(Clone, Debug)]
pub struct Sent {
    pub index: usize,
    pub started: Instant,
    pub answered: Instant,
}

/// Posts `events` events (`alarms` distinct alarms, round robin) to every console in `urls` from
/// `senders` tasks, each retrying until answered 2xx (a dead console refuses connections; its
/// restart answers). Signals `kill_at` once that many events have been accepted.
pub async fn send_events(
    urls: Vec<String>,
    door: (String, String),
    (events, alarms, senders): (usize, usize, usize),
    kill_at: Option<(usize, tokio::sync::oneshot::Sender<()>)>,
) -> Vec<Sent> {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let next = Arc::new(AtomicUsize::new(0));
    let accepted = Arc::new(AtomicUsize::new(0));
    let kill = Arc::new(std::sync::Mutex::new(kill_at));
    let mut tasks = Vec::new();
    for _ in 0..senders {
        let (http, next, accepted, kill, urls, door) =
            (http.clone(), next.clone(), accepted.clone(), kill.clone(), urls.clone(), door.clone());
        tasks.push(tokio::spawn(async move {
            let mut sent = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= events {
                    return sent;
                }
                let started = Instant::now();
                let body = serde_json::json!({"title": format!("alarm {}", i % alarms), "fingerprint": format!("alarm-{}", i % alarms), "n": i});
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
                sent.push(Sent { index: i, started, answered: Instant::now() });
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
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort_by_key(|s| s.index);
    all
}
