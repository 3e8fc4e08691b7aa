//! Analytics benchmark (`cargo bench -p server --bench analytics`; PostgreSQL with
//! `ONCALL_TEST_DB=postgres` and `ONCALL_TEST_PG_ADMIN_URL`): the console's router in-process
//! on a database holding 10,000 incidents opened over 90 days with 100,000 pages (two
//! engagements of five people each, seven in ten acknowledged), plus the demo's rotations with
//! their recorded roster. Times the analytics page view over the whole 90 days: the page as a
//! browser gets it (server render, every table, both charts, the CSV links).
//!
//! Prints figures for the README; asserts only that the page counted every incident. Speed is
//! never asserted.

#[path = "../tests/common/mod.rs"]
mod common;

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use common::TestConsole;
use common::stats::describe;

const INCIDENTS: usize = 10_000;
const ENGAGEMENTS_PER_INCIDENT: usize = 2;
const PAGES_PER_ENGAGEMENT: usize = 5;
const DAYS: i64 = 90;
const PEOPLE: usize = 40;
const VIEWS: usize = 20;
const PLANS: [&str; 3] = ["sev1-critical", "sev2-high", "sev3-low"];
/// Incidents written per transaction.
const BATCH: usize = 500;

/// A small deterministic generator, so every run seeds the same history.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> i64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        i64::try_from((self.0 >> 33) % below).unwrap()
    }
}

/// Incidents, engagements and pages as rows of three multi-row `INSERT`s per batch.
async fn seed(c: &TestConsole, end: i64) {
    let mut rng = Lcg(7);
    let span = u64::try_from(DAYS * 86_400).unwrap();
    for batch in 0..INCIDENTS / BATCH {
        let (mut incidents, mut engagements, mut pages) = (Vec::new(), Vec::new(), Vec::new());
        for n in batch * BATCH..(batch + 1) * BATCH {
            let opened = end - rng.next(span) - 1;
            let resolved = if rng.next(10) < 9 { (opened + 300 + rng.next(20_000)).to_string() } else { "NULL".into() };
            let status = if resolved == "NULL" { "open" } else { "resolved" };
            let plan = PLANS[n % PLANS.len()];
            incidents.push(format!(
                "('bench-{n}', '{plan}', 'Load {n}', '', 2, '{status}', 'bench', {opened}, {opened}, {resolved})"
            ));
            for e in 0..ENGAGEMENTS_PER_INCIDENT {
                let started = opened + i64::try_from(e).unwrap() * 600;
                engagements.push(format!(
                    "('bench-{n}-{e}', 'escalation-{e}', 'bench', 'Load {n}', '', 'bench-{n}', {started}, {started})"
                ));
                for p in 0..PAGES_PER_ENGAGEMENT {
                    let person = (n * 7 + e * PAGES_PER_ENGAGEMENT + p) % PEOPLE;
                    let sent = started + i64::try_from(p).unwrap() * 30;
                    let read = if rng.next(10) < 7 { (sent + 20 + rng.next(1_800)).to_string() } else { "NULL".into() };
                    pages.push(format!(
                        "('bench-{n}-{e}-{p}', 'bench-{n}-{e}', 'person-{person:02}', {e}, 0, '000000', {sent}, {read})"
                    ));
                }
            }
        }
        let mut sql = String::new();
        let _ = write!(
            sql,
            "INSERT INTO incidents (id, response_plan, title, summary, impact, status, source, created_at, \
             updated_at, resolved_at) VALUES {}",
            incidents.join(",")
        );
        let mut tx = c.db.begin_write().await.unwrap();
        sqlx::query(&sql).execute(&mut *tx).await.unwrap();
        let sql = format!(
            "INSERT INTO engagements (id, contact_alias, sender, subject, content, incident_id, started_at, \
             stopped_at) VALUES {}",
            engagements.join(",")
        );
        sqlx::query(&sql).execute(&mut *tx).await.unwrap();
        let sql = format!(
            "INSERT INTO pages (id, engagement_id, contact_alias, stage_index, essential, accept_code, sent_at, \
             read_at) VALUES {}",
            pages.join(",")
        );
        sqlx::query(&sql).execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let database = std::env::var("ONCALL_TEST_DB").unwrap_or_else(|_| "sqlite".into());
    println!("database: {database}");
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    let today = chrono::Utc::now().date_naive();
    let end = (today + chrono::Duration::days(1)).and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
    let started = Instant::now();
    seed(&c, end).await;
    let pages = INCIDENTS * ENGAGEMENTS_PER_INCIDENT * PAGES_PER_ENGAGEMENT;
    println!(
        "seeded {INCIDENTS} incidents, {pages} pages over {DAYS} days in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let from = (today - chrono::Duration::days(DAYS - 1)).format("%Y-%m-%d");
    let path = format!("/incidents/analytics?from={from}&to={}", today.format("%Y-%m-%d"));
    let mut times: Vec<Duration> = Vec::new();
    let mut bytes = 0;
    for view in 0..VIEWS + 2 {
        let asked = Instant::now();
        let reply = c.get(&path, Some(&admin)).await;
        let took = asked.elapsed();
        assert_eq!(reply.status, http::StatusCode::OK, "{}", reply.body);
        let counted =
            reply.body.split("data-testid=\"analytics-incidents\">").nth(1).and_then(|r| r.split("</p>").next());
        assert!(
            counted.is_some_and(|c| c.replace("<!-- -->", "").ends_with(&INCIDENTS.to_string())),
            "every incident counted: {counted:?}"
        );
        bytes = reply.body.len();
        // The first two views warm the caches and the allocator.
        if view >= 2 {
            times.push(took);
        }
    }
    println!("analytics page view, {DAYS} days, {INCIDENTS} incidents, {pages} pages ({} kB of HTML):", bytes / 1024);
    describe("page view", times);
    // Of which the read of the period's incidents and pages through the backend port.
    let clock: std::sync::Arc<dyn app::ports::Clock> = std::sync::Arc::new(server::clock::SystemClock);
    let backend = server::backend::LocalBackend { engine: server::engine::Engine::new(c.db.clone(), clock) };
    let start = end - DAYS * 86_400;
    let mut reads = Vec::new();
    for _ in 0..VIEWS {
        let asked = Instant::now();
        let facts = app::ports::Backend::incident_facts(&backend, start, end).await.unwrap();
        reads.push(asked.elapsed());
        assert_eq!(facts.iter().map(|f| f.pages.len()).sum::<usize>(), pages, "every page read");
    }
    describe("of which reading the incidents and pages (Backend::incident_facts)", reads);
}
