//! Paging under a burst, through the SSM API into real loopback transports, on the console's
//! own binary: 1,000 engagements from 32 concurrent clients are all answered, every first-stage
//! delivery reaches its transport exactly once, and the database never reports itself locked.
//! Then the same burst with the console killed (SIGKILL) a third of the way in and restarted:
//! the unanswered calls retried with their tokens start nothing twice, every delivery arrives,
//! and only deliveries in flight at the kill arrive twice, with the same idempotency key.
//! (Speed is the burst benchmark's business: `cargo bench -p server --bench burst`.)

mod common;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use common::burst::{DELIVERIES_PER_ENGAGEMENT, Setup, deliveries, start_engagements, wait_until_finished};
use common::transports::Received;

const ENGAGEMENTS: usize = 1000;
const CLIENTS: usize = 32;
const EXPECTED: usize = ENGAGEMENTS * DELIVERIES_PER_ENGAGEMENT;

/// What a console log must never say under load.
fn assert_log_clean(log: &str) {
    for bad in ["database is locked", "(code: 5)", "PoolTimedOut", "pool timed out"] {
        let hits: Vec<&str> = log.lines().filter(|l| l.contains(bad)).take(3).collect();
        assert!(hits.is_empty(), "the log says {bad:?}: {hits:#?}");
    }
}

/// Messages by idempotency key.
fn by_key(received: &[Received]) -> HashMap<&str, Vec<&Received>> {
    let mut keys: HashMap<&str, Vec<&Received>> = HashMap::new();
    for r in received {
        keys.entry(r.key.as_str()).or_default().push(r);
    }
    keys
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_is_answered_and_each_delivery_handed_over_once() {
    let setup = Setup::new().await;
    let console = setup.start_console().await;
    let client = setup.client(&console).await;
    let calls = start_engagements(&client, (0..ENGAGEMENTS).collect(), CLIENTS, None).await;
    let failed: Vec<_> = calls.iter().filter(|c| c.result.is_err()).take(5).collect();
    assert!(failed.is_empty(), "every call is answered with success: {failed:#?}");
    let engagements: HashSet<_> = calls.iter().map(|c| c.result.clone().unwrap()).collect();
    assert_eq!(engagements.len(), ENGAGEMENTS);

    let received = setup.wait_for_messages(EXPECTED, Duration::from_mins(2)).await;
    let keys = by_key(&received);
    assert_eq!(keys.len(), EXPECTED, "every first-stage delivery arrives");
    let repeated: Vec<_> = keys.iter().filter(|(_, v)| v.len() > 1).map(|(k, _)| k).take(5).collect();
    assert!(repeated.is_empty(), "handed over exactly once: {repeated:?} came twice");
    assert_eq!(received.len(), EXPECTED);

    let db = setup.db().await;
    let recorded = deliveries(&db).await;
    assert_eq!(recorded.len(), EXPECTED);
    for (key, status) in &recorded {
        assert_eq!(status, "sent", "{key}");
        assert!(keys.contains_key(key.as_str()), "delivery {key} was recorded and received");
    }
    let metrics = console.metrics().await;
    for line in [
        "oncall_delivery_outcomes_total{kind=\"email\",outcome=\"sent\"} 2000",
        "oncall_delivery_outcomes_total{kind=\"sms\",outcome=\"sent\"} 2000",
        "oncall_deliveries_pending{kind=\"email\"} 0",
        "oncall_escalation_steps_due 0",
        "oncall_database_up 1",
    ] {
        assert!(metrics.lines().any(|l| l == line), "/metrics has {line}:\n{metrics}");
    }
    assert_log_clean(&setup.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_survives_a_kill_mid_way() {
    let setup = Setup::new().await;
    let mut console = setup.start_console().await;
    let client = setup.client(&console).await;
    let (killed_tx, killed_rx) = tokio::sync::oneshot::channel::<()>();
    let kill_at = ENGAGEMENTS / 3;
    let (burst, killed) = tokio::join!(
        start_engagements(
            &client,
            (0..ENGAGEMENTS).collect(),
            CLIENTS,
            Some((
                kill_at,
                Box::new(move || {
                    let _ = killed_tx.send(());
                })
            )),
        ),
        async {
            killed_rx.await.unwrap();
            console.kill();
        }
    );
    let () = killed;
    let answered = burst.iter().filter(|c| c.result.is_ok()).count();
    let unanswered: Vec<usize> = burst.iter().filter(|c| c.result.is_err()).map(|c| c.index).collect();
    assert!(answered >= kill_at && !unanswered.is_empty(), "the kill came mid-way: {answered} answered");

    // What the row said at the moment of the kill: handed over, no outcome recorded.
    let db = setup.db().await;
    let in_flight: HashSet<String> =
        deliveries(&db).await.into_iter().filter(|(_, status)| status == "sending").map(|(k, _)| k).collect();

    let console = setup.start_console().await;
    let client = setup.client(&console).await;
    let retried = start_engagements(&client, unanswered.clone(), CLIENTS, None).await;
    let failed: Vec<_> = retried.iter().filter(|c| c.result.is_err()).take(5).collect();
    assert!(failed.is_empty(), "every retried call is answered: {failed:#?}");
    let engagements: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM engagements").fetch_one(&db.pool).await.unwrap();
    assert_eq!(engagements, i64::try_from(ENGAGEMENTS).unwrap(), "a retried token starts nothing twice");

    // In-flight deliveries go again once their deadline (30 s) passes.
    wait_until_finished(&db, Duration::from_mins(2)).await;
    let received = setup.wait_for_messages(EXPECTED, Duration::from_secs(10)).await;
    let keys = by_key(&received);
    let recorded = deliveries(&db).await;
    assert_eq!(recorded.len(), EXPECTED, "four deliveries for each of the engagements");
    for (key, status) in &recorded {
        assert_eq!(status, "sent", "{key}");
        assert!(keys.contains_key(key.as_str()), "delivery {key} reached its transport");
    }
    for (key, copies) in keys.iter().filter(|(_, v)| v.len() > 1) {
        assert!(in_flight.contains(*key), "{key} came {} times but was not in flight at the kill", copies.len());
        assert!(copies.iter().all(|c| c.to == copies[0].to && c.subject == copies[0].subject), "{copies:#?}");
    }
    let repeats = received.len() - keys.len();
    println!(
        "killed after {answered} answers; {} calls retried; {} deliveries in flight at the kill; {repeats} repeats",
        unanswered.len(),
        in_flight.len()
    );
    assert_log_clean(&setup.log());
}
