//! Local engine benchmark on SQLite (`cargo bench -p server --bench engine`): engagements started
//! per second, escalation steps turned into pages and outbox deliveries per second, and outbox
//! rows handled per second by the sender. Prints figures for the README; asserts nothing about
//! speed. A file database in WAL mode, as the console runs it.

use std::time::{Duration, Instant};

use app::domain::contact::{ChannelType, Contact, ContactChannel, ContactType, Plan, Stage, Target};
use chrono::{TimeZone, Utc};
use server::audit::Actor;
use server::clock::ManualClock;
use server::db::Db;
use server::engine::Engine;
use server::engine::outbox::Transports;
use server::engine::paging::EngagementRequest;

const SEED: Actor<'static> = Actor::System("bench");
const ENGAGEMENTS: usize = 2000;

/// Two people with e-mail and SMS, both essential targets of one single-stage plan.
async fn team(engine: &Engine) {
    let mut targets = Vec::new();
    for who in ["tanaka", "sato"] {
        let person =
            Contact { alias: who.into(), display_name: who.into(), kind: ContactType::Personal, plan: Plan::default() };
        engine.put_contact(SEED, person).await.unwrap();
        for (kind, address) in
            [(ChannelType::Email, format!("{who}@example.co.jp")), (ChannelType::Sms, "+819012345678".into())]
        {
            let ch = ContactChannel {
                id: String::new(),
                contact_id: who.into(),
                name: format!("{kind:?}"),
                kind,
                address,
                activated: true,
            };
            engine.add_channel(SEED, ch).await.unwrap();
        }
        targets.push(Target::Contact { contact_id: who.into(), essential: true });
    }
    let plan = Contact {
        alias: "main".into(),
        display_name: "Main".into(),
        kind: ContactType::Escalation,
        plan: Plan { stages: vec![Stage { duration_minutes: 0, targets }], rotation_ids: vec![] },
    };
    engine.put_contact(SEED, plan).await.unwrap();
}

fn per_second(n: usize, took: Duration) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let n = n as f64;
    n / took.as_secs_f64()
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!("sqlite:{}?mode=rwc", dir.path().join("bench.db").display())).await.unwrap();
    db.migrate().await.unwrap();
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 24, 0, 0, 0).unwrap());
    let engine = Engine::new(db, clock);
    team(&engine).await;

    let started = Instant::now();
    for i in 0..ENGAGEMENTS {
        let req = EngagementRequest {
            contact: "main".into(),
            sender: "bench".into(),
            subject: format!("alarm {i}"),
            content: "CPUUtilization > 90%".into(),
            idempotency_token: Some(format!("bench-{i}")),
            ..EngagementRequest::default()
        };
        engine.start_engagement(req).await.unwrap();
    }
    let took = started.elapsed();
    let rate = per_second(ENGAGEMENTS, took);
    println!("engagements started: {ENGAGEMENTS} in {took:.2?} → {rate:.0}/s");

    // Each engagement: one plan step paging two people, then one step per person that writes
    // two deliveries (e-mail, SMS) and their SENT receipts.
    let started = Instant::now();
    let steps = engine.run_due().await.unwrap();
    let took = started.elapsed();
    let deliveries = engine.outbox(u32::MAX).await.unwrap().len();
    println!(
        "escalation steps: {steps} in {took:.2?} → {:.0} steps/s, {:.0} pages/s, {:.0} deliveries to the outbox/s",
        per_second(steps, took),
        per_second(ENGAGEMENTS * 2, took),
        per_second(deliveries, took)
    );

    let sender = engine.outbox_sender(Transports::new(None, None));
    let started = Instant::now();
    let handled = sender.run_due().await.unwrap();
    let took = started.elapsed();
    let rate = per_second(handled, took);
    println!("outbox sender, no transport configured (recorded only): {handled} rows in {took:.2?} → {rate:.0}/s");
}
