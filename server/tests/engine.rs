//! Engine scenarios on a virtual clock, on SQLite and PostgreSQL: a three-stage escalation pages
//! the right people at the right times; acknowledgement stops it; restarts neither skip nor
//! repeat a page; two engines on one database never page twice.

mod common;

use std::sync::Arc;

use app::domain::contact::{ChannelType, Contact, ContactChannel, ContactType, Plan, Stage, Target};
use app::domain::rotation::{HandOff, HandOffTime, Rotation};
use chrono::{DateTime, Duration, TimeZone, Utc};
use server::audit::Actor;
use server::clock::ManualClock;
use server::db::Db;
use server::engine::Engine;
use server::engine::paging::{AcceptType, EngagementRequest};
use server::error::ServerError;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 0, 0, 0).unwrap()
}

const SEED: Actor<'static> = Actor::System("test");

fn person(alias: &str, stages: Vec<Stage>) -> Contact {
    Contact {
        alias: alias.into(),
        display_name: alias.into(),
        kind: ContactType::Personal,
        plan: Plan { stages, rotation_ids: vec![] },
    }
}

fn stage(minutes: u32, targets: Vec<Target>) -> Stage {
    Stage { duration_minutes: minutes, targets }
}

fn essential(who: &str) -> Target {
    Target::Contact { contact_id: who.into(), essential: true }
}

async fn channel(engine: &Engine, who: &str, kind: ChannelType, address: &str) -> String {
    let ch = ContactChannel {
        id: String::new(),
        contact_id: who.into(),
        name: format!("{who} {kind:?}"),
        kind,
        address: address.into(),
        activated: true,
    };
    engine.add_channel(SEED, ch).await.expect("channel").id
}

/// tanaka: e-mail first, a phone call 10 minutes later. sato and kim are on a daily rotation
/// (kim today); smith is the last resort. Plan "main": tanaka (10 min) → the schedule (15 min) → smith.
async fn team(db: &Db, clock: Arc<ManualClock>) -> Engine {
    let engine = Engine::new(db.clone(), clock);
    engine.put_contact(SEED, person("tanaka", vec![])).await.unwrap();
    let email = channel(&engine, "tanaka", ChannelType::Email, "tanaka@example.co.jp").await;
    let voice = channel(&engine, "tanaka", ChannelType::Voice, "+819012345678").await;
    let plan = vec![
        stage(10, vec![Target::Channel { channel_id: email, retry_minutes: 5 }]),
        stage(0, vec![Target::Channel { channel_id: voice, retry_minutes: 0 }]),
    ];
    engine.put_contact(SEED, person("tanaka", plan)).await.unwrap();
    for (who, address) in [("sato", "sato@example.co.jp"), ("kim", "kim@example.com"), ("smith", "smith@example.com")] {
        engine.put_contact(SEED, person(who, vec![])).await.unwrap();
        channel(&engine, who, ChannelType::Email, address).await;
    }
    let rotation = Rotation {
        members: vec!["kim".into(), "sato".into()],
        start: t0() - Duration::days(2),
        time_zone: "Asia/Tokyo".into(),
        handoff: HandOff::Daily(vec![HandOffTime::new(9, 0)]),
        multiplier: 1,
        number_on_call: 1,
        coverage: vec![],
    };
    let rotation_id = engine.create_rotation(SEED, "secondary", rotation).await.unwrap();
    let schedule = Contact {
        alias: "secondary-oncall".into(),
        display_name: "Secondary".into(),
        kind: ContactType::OncallSchedule,
        plan: Plan { stages: vec![], rotation_ids: vec![rotation_id] },
    };
    engine.put_contact(SEED, schedule).await.unwrap();
    let main = Contact {
        alias: "main".into(),
        display_name: "Main escalation".into(),
        kind: ContactType::Escalation,
        plan: Plan {
            stages: vec![
                stage(10, vec![essential("tanaka")]),
                stage(15, vec![essential("secondary-oncall")]),
                stage(0, vec![essential("smith")]),
            ],
            rotation_ids: vec![],
        },
    };
    engine.put_contact(SEED, main).await.unwrap();
    engine
}

fn alarm(token: &str) -> EngagementRequest {
    EngagementRequest {
        contact: "main".into(),
        sender: "cloudwatch".into(),
        subject: "CPU high on api-1".into(),
        content: "CPUUtilization > 90% for 5 minutes".into(),
        idempotency_token: Some(token.into()),
        ..EngagementRequest::default()
    }
}

/// (minutes after t0, person, channel kind) of every delivery so far.
async fn sent(engine: &Engine, engagement: &str) -> Vec<(i64, String, String)> {
    let mut v: Vec<_> = engine
        .deliveries(engagement)
        .await
        .unwrap()
        .into_iter()
        .map(|d| ((d.at - t0()).num_minutes(), d.contact, d.channel_kind))
        .collect();
    v.sort();
    v
}

fn row(m: i64, who: &str, kind: &str) -> (i64, String, String) {
    (m, who.into(), kind.into())
}

#[tokio::test]
async fn a_three_stage_escalation_pages_the_right_people_at_the_right_times() {
    let (db, _dir) = common::test_db().await;
    let clock = ManualClock::new(t0());
    let engine = team(&db, clock.clone()).await;
    let id = engine.start_engagement(alarm("alarm-1")).await.unwrap();
    for _ in 0..9 {
        engine.run_due().await.unwrap();
        clock.advance(Duration::minutes(5));
    }
    engine.run_due().await.unwrap();
    // t0 is 09:00 JST on 2026-11-24: kim's shift (the rotation began two days earlier with kim).
    assert_eq!(
        sent(&engine, &id).await,
        [row(0, "tanaka", "email"), row(10, "kim", "email"), row(10, "tanaka", "voice"), row(25, "smith", "email")]
    );
    let pages = engine.pages(&id).await.unwrap();
    let stages: Vec<_> = pages.iter().map(|p| (p.contact.as_str(), p.stage_index)).collect();
    assert_eq!(stages, [("tanaka", 0), ("kim", 1), ("smith", 2)]);
    // The outbox keeps the content as given; the code and the personal link are written into
    // the message when it is sent (server/tests/delivery.rs and ack.rs), so they are not stored.
    let body = &engine.deliveries(&id).await.unwrap()[0].body;
    assert_eq!(body, &alarm("alarm-1").content);
    assert!(!body.contains(&pages[0].accept_code));
    // The same idempotency token gives the same engagement and pages nobody again.
    assert_eq!(engine.start_engagement(alarm("alarm-1")).await.unwrap(), id);
    assert_eq!(engine.run_due().await.unwrap(), 0);
}

#[tokio::test]
async fn acknowledging_in_stage_one_stops_stages_two_and_three() {
    let (db, _dir) = common::test_db().await;
    let clock = ManualClock::new(t0());
    let engine = team(&db, clock.clone()).await;
    let id = engine.start_engagement(alarm("alarm-2")).await.unwrap();
    engine.run_due().await.unwrap();
    clock.advance(Duration::minutes(4));
    let page = engine.pages(&id).await.unwrap().remove(0);
    let wrong = engine.accept_page(&page.id, AcceptType::Read, "000000x", true, None).await;
    assert!(matches!(wrong, Err(ServerError::Invalid(ref e)) if e[0].field == "accept_code"), "{wrong:?}");
    assert!(engine.pages(&id).await.unwrap()[0].read_at.is_none(), "a wrong code changes nothing");
    engine.accept_page(&page.id, AcceptType::Read, &page.accept_code, true, None).await.unwrap();
    clock.advance(Duration::minutes(60));
    engine.run_due().await.unwrap();
    assert_eq!(sent(&engine, &id).await, [row(0, "tanaka", "email")], "no phone call, no stage 2 or 3");
    assert_eq!(engine.pages(&id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_restart_between_stages_neither_skips_nor_repeats_a_page() {
    let (db, _dir) = common::test_db().await;
    let clock = ManualClock::new(t0());
    let id = {
        let engine = team(&db, clock.clone()).await;
        let id = engine.start_engagement(alarm("alarm-3")).await.unwrap();
        engine.run_due().await.unwrap();
        id
    };
    // A new process: its own pool on the same database, 12 minutes later.
    db.pool.close().await;
    let db2 = Db::connect(&db.url).await.unwrap();
    clock.advance(Duration::minutes(12));
    let engine = Engine::new(db2, clock.clone());
    engine.run_due().await.unwrap();
    assert_eq!(
        sent(&engine, &id).await,
        [row(0, "tanaka", "email"), row(10, "kim", "email"), row(10, "tanaka", "voice")]
    );
    clock.advance(Duration::minutes(30));
    engine.run_due().await.unwrap();
    assert_eq!(sent(&engine, &id).await.len(), 4);
}

#[tokio::test]
async fn two_engines_on_one_database_never_page_twice() {
    let (db, _dir) = common::test_db().await;
    let clock = ManualClock::new(t0());
    let a = team(&db, clock.clone()).await;
    let b = Engine::new(Db::connect(&db.url).await.unwrap(), clock.clone());
    let mut ids = Vec::new();
    for i in 0..15 {
        ids.push(a.start_engagement(alarm(&format!("storm-{i}"))).await.unwrap());
    }
    for _ in 0..8 {
        let (ra, rb) = tokio::join!(a.run_due(), b.run_due());
        ra.unwrap();
        rb.unwrap();
        clock.advance(Duration::minutes(5));
    }
    a.run_due().await.unwrap();
    for id in &ids {
        assert_eq!(sent(&a, id).await.len(), 4, "engagement {id}");
    }
    // Deliveries are unique per page and channel anyway; a step run twice would still leave a
    // second SENT receipt, so count those.
    let receipts: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM receipts WHERE kind = 'sent'").fetch_one(&db.pool).await.unwrap();
    assert_eq!(receipts, 15 * 4);
    let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM engine_steps WHERE done_at IS NULL")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(pending, 0);
}

#[tokio::test]
async fn a_commit_wakes_the_workers_here_and_on_other_replicas() {
    let (db, _dir) = common::test_db().await;
    let clock = ManualClock::new(t0());
    let a = team(&db, clock.clone()).await;
    let b = Engine::new(Db::connect(&db.url).await.unwrap(), clock.clone());
    b.spawn_listener();
    let (here, there) = (a.signals(), b.signals());
    if db.dialect == server::db::Dialect::Postgres {
        // Let the other replica's LISTEN take hold (it wakes itself once when it does).
        tokio::time::timeout(std::time::Duration::from_secs(10), there.steps.notified()).await.unwrap();
    }
    a.start_engagement(alarm("wake")).await.unwrap();
    let wait = std::time::Duration::from_secs(10);
    tokio::time::timeout(wait, here.steps.notified()).await.expect("this process's worker is woken");
    match db.dialect {
        server::db::Dialect::Postgres => {
            tokio::time::timeout(wait, there.steps.notified()).await.expect("another replica is woken through NOTIFY");
        }
        // One process per SQLite file: nothing to tell, and nobody listening.
        server::db::Dialect::Sqlite => {
            let short = std::time::Duration::from_millis(300);
            assert!(tokio::time::timeout(short, there.steps.notified()).await.is_err(), "no listener on SQLite");
        }
    }
}

#[tokio::test]
async fn bad_input_is_rejected_with_field_errors_and_changes_nothing() {
    let (db, _dir) = common::test_db().await;
    let clock = ManualClock::new(t0());
    let engine = team(&db, clock.clone()).await;
    let base = || Rotation {
        members: vec!["kim".into()],
        start: t0(),
        time_zone: "Asia/Tokyo".into(),
        handoff: HandOff::Daily(vec![HandOffTime::new(9, 0)]),
        multiplier: 1,
        number_on_call: 1,
        coverage: vec![],
    };
    let tz = Rotation { time_zone: "Tokyo/Nowhere".into(), ..base() };
    assert_eq!(fields(engine.create_rotation(SEED, "r1", tz).await), ["time_zone"]);
    let many = Rotation { members: (0..31).map(|i| format!("p{i}")).collect(), ..base() };
    assert_eq!(fields(engine.create_rotation(SEED, "r2", many).await), ["members", "members"]);
    let stranger = Rotation { members: vec!["nobody".into()], ..base() };
    assert_eq!(fields(engine.create_rotation(SEED, "r3", stranger).await), ["members"]);
    let long_stage = Contact {
        alias: "slow".into(),
        display_name: "Slow".into(),
        kind: ContactType::Escalation,
        plan: Plan { stages: vec![stage(31, vec![essential("tanaka")])], rotation_ids: vec![] },
    };
    assert_eq!(fields(engine.put_contact(SEED, long_stage).await), ["plan.stages.0.duration_minutes"]);
    let unknown = Contact {
        plan: Plan { stages: vec![stage(5, vec![essential("ghost")])], rotation_ids: vec![] },
        ..engine.contact("main").await.unwrap()
    };
    assert_eq!(fields(engine.put_contact(SEED, unknown).await), ["plan.stages.0.targets.0"]);
    let rotation_id = engine.create_rotation(SEED, "ok", base()).await.unwrap();
    let past = app::domain::rotation::Override {
        start: t0() - Duration::hours(2),
        end: t0() - Duration::hours(1),
        members: vec!["kim".into()],
    };
    assert_eq!(fields(engine.add_override(SEED, &rotation_id, past).await), ["start"]);
    let none = EngagementRequest { contact: "ghost".into(), ..EngagementRequest::default() };
    assert_eq!(fields(engine.start_engagement(none).await), ["sender", "subject", "content", "contact"]);

    // Nothing above was stored: the main plan is unchanged, no "slow" contact, one rotation.
    assert_eq!(engine.contact("main").await.unwrap().plan.stages.len(), 3);
    assert!(matches!(engine.contact("slow").await, Err(ServerError::NotFound(..))));
    let rotations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rotations").fetch_one(&db.pool).await.unwrap();
    assert_eq!(rotations, 2, "secondary + ok");
    let overrides: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM rotation_overrides").fetch_one(&db.pool).await.unwrap();
    assert_eq!(overrides, 0);
}

fn fields<T>(r: Result<T, ServerError>) -> Vec<String> {
    match r {
        Err(ServerError::Invalid(e)) => e.into_iter().map(|e| e.field).collect(),
        Err(other) => panic!("wrong error: {other}"),
        Ok(_) => panic!("bad input accepted"),
    }
}
