//! Paging benchmark on the production path (`cargo bench -p server --bench burst`; PostgreSQL
//! with `ONCALL_TEST_DB=postgres` and `ONCALL_TEST_PG_ADMIN_URL`): the console's release binary
//! on loopback, `StartEngagement` through the AWS SDK, deliveries into a loopback SMTP server and
//! SMS gateway, each engagement paging two people on e-mail and SMS (four deliveries).
//!
//! - light load: one call at a time, 25 ms apart; `StartEngagement` → first delivery handed over;
//! - burst: 1,000 calls from 32 clients; time from the first call to the last first-stage
//!   delivery handed over, deliveries per second, call latency, and `StartEngagement` → first
//!   delivery in the burst.
//!
//! Prints figures for the README; asserts only that every call was answered and every delivery
//! arrived (a benchmark of lost pages would be meaningless). Speed is never asserted.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::burst::{Call, DELIVERIES_PER_ENGAGEMENT, Setup, first_arrivals, start_engagements};
use common::stats::describe;

const LIGHT: usize = 200;
const BURST: usize = 1000;
const CLIENTS: usize = 32;
const RUNS: usize = 3;

/// Per call, from its start to the first of its messages to arrive.
fn to_first_delivery(calls: &[Call], setup: &Setup) -> Vec<Duration> {
    let first = first_arrivals(&setup.inbox.lock().unwrap());
    calls.iter().map(|c| first[&c.index].duration_since(c.started)).collect()
}

async fn light(setup: &Setup, client: &aws_sdk_ssmcontacts::Client) {
    let mut calls = Vec::new();
    for i in 0..LIGHT {
        let index = 1_000_000 + i;
        calls.extend(start_engagements(client, vec![index], 1, None).await);
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(calls.iter().all(|c| c.result.is_ok()), "every call answered");
    let received = setup.wait_for_messages(LIGHT * DELIVERIES_PER_ENGAGEMENT, Duration::from_mins(1)).await;
    assert_eq!(received.len(), LIGHT * DELIVERIES_PER_ENGAGEMENT, "every delivery arrived once");
    println!("light load ({LIGHT} engagements, one at a time):");
    describe("StartEngagement → first delivery handed over", to_first_delivery(&calls, setup));
    setup.inbox.lock().unwrap().clear();
}

async fn burst(setup: &Setup, client: &aws_sdk_ssmcontacts::Client) {
    let started = Instant::now();
    let calls = start_engagements(client, (0..BURST).collect(), CLIENTS, None).await;
    let answered = started.elapsed();
    assert!(calls.iter().all(|c| c.result.is_ok()), "every call answered");
    let expected = BURST * DELIVERIES_PER_ENGAGEMENT;
    let received = setup.wait_for_messages(expected, Duration::from_mins(2)).await;
    assert_eq!(received.len(), expected, "every delivery arrived once");
    let last = received.iter().map(|r| r.at).max().unwrap();
    let took = last.duration_since(started);
    #[allow(clippy::cast_precision_loss)]
    let rate = expected as f64 / took.as_secs_f64();
    println!(
        "burst ({BURST} engagements from {CLIENTS} clients, {expected} deliveries): all answered in {:.2} s; \
         last first-stage delivery handed over {:.2} s after the first call; {rate:.0} deliveries/s",
        answered.as_secs_f64(),
        took.as_secs_f64()
    );
    describe("StartEngagement answered", calls.iter().map(|c| c.answered.duration_since(c.started)).collect());
    describe("StartEngagement → first delivery handed over", to_first_delivery(&calls, setup));
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let database = std::env::var("ONCALL_TEST_DB").unwrap_or_else(|_| "sqlite".into());
    println!("database: {database}");
    for run in 1..=RUNS {
        println!("run {run}:");
        let setup = Setup::new().await;
        let console = setup.start_console().await;
        let client = setup.client(&console).await;
        light(&setup, &client).await;
        burst(&setup, &client).await;
    }
}
