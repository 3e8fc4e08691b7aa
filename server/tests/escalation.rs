//! The escalation timeline the editor shows (`app::domain::escalation`) against the engine, on
//! SQLite and PostgreSQL: random people (channels activated or not, their own plans), rotations
//! (zones, hand-offs, working-hours coverage, overrides), schedules and escalation plans; each engaged at
//! a random time. The engine, on a virtual clock with nobody acknowledging, sends exactly the
//! messages the simulation lists, at the times it lists.

mod common;

use std::collections::BTreeMap;

use app::domain::contact::{ChannelType, Contact, ContactChannel, ContactType, Plan, Stage, Target};
use app::domain::escalation::{Directory, PlannedMessage};
use app::domain::rotation::{Coverage, HandOff, HandOffTime, Override, Rotation};
use chrono::{DateTime, Duration, TimeZone, Utc, Weekday};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use server::audit::Actor;
use server::clock::ManualClock;
use server::engine::{EngagementRequest, Engine};

const SEED: Actor<'static> = Actor::System("test");
/// Random worlds checked per run (fixed seeds: a failure names its case and repeats).
const CASES: u64 = 40;
const ZONES: [&str; 3] = ["Asia/Tokyo", "UTC", "America/New_York"];

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
}

/// One random world in `engine`, its names prefixed with `p`; returns what to engage.
async fn random_world(engine: &Engine, rng: &mut StdRng, p: &str, now: DateTime<Utc>) -> String {
    let mut people = Vec::new();
    for i in 0..rng.gen_range(2..=5) {
        let alias = format!("{p}p{i}");
        let bare = Contact {
            alias: alias.clone(),
            display_name: alias.clone(),
            kind: ContactType::Personal,
            plan: Plan::default(),
        };
        engine.put_contact(SEED, bare.clone()).await.unwrap();
        let mut ids = Vec::new();
        for (kind, address) in [
            (ChannelType::Email, format!("{alias}@example.com")),
            (ChannelType::Sms, format!("+8190{:08}", rng.gen_range(0..99_999_999))),
            (ChannelType::Voice, format!("+8180{:08}", rng.gen_range(0..99_999_999))),
        ] {
            if rng.gen_bool(0.8) {
                let channel = ContactChannel {
                    id: String::new(),
                    contact_id: alias.clone(),
                    name: format!("{kind:?}"),
                    kind,
                    address,
                    activated: rng.gen_bool(0.8),
                };
                ids.push(engine.add_channel(SEED, channel).await.unwrap().id);
            }
        }
        let stages = (0..rng.gen_range(0..=3))
            .map(|_| {
                let targets: Vec<Target> = ids
                    .iter()
                    .filter(|_| rng.gen_bool(0.5))
                    .map(|id| Target::Channel { channel_id: id.clone(), retry_minutes: 0 })
                    .collect();
                let duration_minutes = if targets.is_empty() { rng.gen_range(1..=30) } else { rng.gen_range(0..=30) };
                Stage { duration_minutes, targets }
            })
            .collect();
        engine.put_contact(SEED, Contact { plan: Plan { stages, rotation_ids: vec![] }, ..bare }).await.unwrap();
        people.push(alias);
    }
    let mut rotation_ids = Vec::new();
    for r in 0..rng.gen_range(1..=2) {
        let mut members = people.clone();
        members.shuffle(rng);
        members.truncate(rng.gen_range(1..=people.len()));
        let working_hours = rng.gen_bool(0.3);
        let coverage = if working_hours {
            [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri]
                .into_iter()
                .map(|day| Coverage { day, start: HandOffTime::new(9, 0), end: HandOffTime::new(18, 0) })
                .collect()
        } else {
            vec![]
        };
        let rotation = Rotation {
            number_on_call: rng.gen_range(1..=u32::try_from(members.len().min(2)).unwrap()),
            members,
            start: t0() - Duration::hours(rng.gen_range(0..24 * 14)),
            time_zone: ZONES[rng.gen_range(0..ZONES.len())].into(),
            handoff: HandOff::Daily(vec![HandOffTime::new(rng.gen_range(0..24), 0)]),
            multiplier: 1,
            coverage,
        };
        let members = rotation.members.clone();
        let id = engine.create_rotation(SEED, &format!("{p}r{r}"), rotation).await.unwrap();
        // Sometimes someone covers, or nobody is on call, for a few hours of the coming week.
        if rng.gen_bool(0.4) {
            let start = now + Duration::hours(rng.gen_range(1..24 * 7));
            let mut cover = members;
            cover.shuffle(rng);
            cover.truncate(rng.gen_range(0..=1));
            let o = Override { start, end: start + Duration::hours(rng.gen_range(1..=48)), members: cover };
            engine.add_override(SEED, &id, o).await.unwrap();
        }
        rotation_ids.push(id);
    }
    let schedule = format!("{p}oncall");
    let plan = Plan { stages: vec![], rotation_ids };
    let contact =
        Contact { alias: schedule.clone(), display_name: schedule.clone(), kind: ContactType::OncallSchedule, plan };
    engine.put_contact(SEED, contact).await.unwrap();
    let mut targets: Vec<String> = people.clone();
    targets.push(schedule.clone());
    let stages = (0..rng.gen_range(1..=4))
        .map(|_| Stage {
            duration_minutes: rng.gen_range(0..=30),
            targets: (0..rng.gen_range(1..=3))
                .map(|_| Target::Contact {
                    contact_id: targets[rng.gen_range(0..targets.len())].clone(),
                    essential: rng.gen_bool(0.5),
                })
                .collect(),
        })
        .collect();
    let escalation = format!("{p}plan");
    let plan = Plan { stages, rotation_ids: vec![] };
    let contact =
        Contact { alias: escalation.clone(), display_name: escalation.clone(), kind: ContactType::Escalation, plan };
    engine.put_contact(SEED, contact).await.unwrap();
    match rng.gen_range(0..10) {
        0..=5 => escalation,
        6..=7 => schedule,
        _ => people[0].clone(),
    }
}

/// The world as the engine holds it, for the simulation.
async fn directory(engine: &Engine, p: &str) -> Directory {
    let mut d = Directory::default();
    for contact in engine.contacts().await.unwrap().into_iter().filter(|c| c.alias.starts_with(p)) {
        if contact.kind == ContactType::Personal {
            d.channels.insert(contact.alias.clone(), engine.channels_of(&contact.alias).await.unwrap());
        }
        for id in &contact.plan.rotation_ids {
            let overrides = engine.overrides(id, t0(), t0() + Duration::days(3650)).await.unwrap();
            d.rotations.insert(id.clone(), (engine.rotation(id).await.unwrap(), overrides));
        }
        d.contacts.insert(contact.alias.clone(), contact);
    }
    d
}

/// What the engine sent for an engagement: when, to whom, on which channel.
async fn sent(engine: &Engine, engagement: &str) -> Vec<PlannedMessage> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT d.created_at, p.contact_alias, d.channel_id FROM deliveries d JOIN pages p ON p.id = d.page_id \
         WHERE p.engagement_id = $1",
    )
    .bind(engagement)
    .fetch_all(&engine.database().pool)
    .await
    .unwrap();
    let mut out: Vec<PlannedMessage> = rows
        .into_iter()
        .map(|(at, person, channel_id)| PlannedMessage {
            at: DateTime::from_timestamp(at, 0).unwrap(),
            person,
            channel_id,
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn the_simulated_timeline_is_what_the_engine_does() {
    let (db, _dir) = common::test_db().await;
    let clock = ManualClock::new(t0());
    let engine = Engine::new(db, clock.clone());
    let mut counted = BTreeMap::<&str, usize>::new();
    for case in 0..CASES {
        let mut rng = StdRng::seed_from_u64(case);
        let p = format!("c{case}-");
        let now = app::ports::Clock::now(clock.as_ref());
        let engaged = random_world(&engine, &mut rng, &p, now).await;
        // A random moment in the coming week (nights and weekends included).
        clock.advance(Duration::minutes(rng.gen_range(1..7 * 24 * 60)));
        let start = app::ports::Clock::now(clock.as_ref());
        let request = EngagementRequest {
            contact: engaged.clone(),
            sender: "simulation".into(),
            subject: format!("case {case}"),
            content: "x".into(),
            ..EngagementRequest::default()
        };
        let engagement = engine.start_engagement(request).await.unwrap();
        // Longer than any plan: 4 stages of 30 min, then 3 personal stages of 30 min.
        clock.advance(Duration::hours(4));
        while engine.run_due().await.unwrap() > 0 {}
        let simulated = directory(&engine, &p).await.simulate(&engaged, start);
        assert_eq!(sent(&engine, &engagement).await, simulated.messages, "case {case}: {engaged} at {start}");
        *counted.entry(if simulated.messages.is_empty() { "silent" } else { "paged" }).or_default() += 1;
        *counted.entry("gaps").or_default() += simulated.gaps.len();
    }
    // The generator reaches both kinds of case.
    assert!(counted.get("paged").copied().unwrap_or(0) >= usize::try_from(CASES / 2).unwrap(), "{counted:?}");
    assert!(counted.get("gaps").copied().unwrap_or(0) > 0, "{counted:?}");
}

#[tokio::test]
async fn a_manager_sends_a_test_page_to_one_person_and_bad_targets_change_nothing() {
    let c = common::TestConsole::with_admin().await;
    let admin = c.admin().await;
    let started = || async {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT contact_alias, subject FROM engagements WHERE sender LIKE 'test page by %'")
                .fetch_all(&c.db.pool)
                .await
                .unwrap();
        rows
    };
    // A schedule, a plan or nobody: refused with the field named, nothing started.
    for bad in ["primary-oncall", "web-escalation", "nobody"] {
        let r = c.call("oncall_test_page", &format!("contact={bad}"), Some(&admin)).await;
        assert_eq!(r.status, http::StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
        assert!(r.body.contains("contact"), "{}", r.body);
    }
    assert!(started().await.is_empty());
    // One person: one engagement, marked as a test in both languages.
    let r = c.call("oncall_test_page", "contact=tanaka", Some(&admin)).await;
    assert_eq!(r.status, http::StatusCode::OK, "{}", r.body);
    let rows = started().await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "tanaka");
    assert!(rows[0].1.contains("TEST") && rows[0].1.contains("テスト"), "{}", rows[0].1);
}

#[tokio::test]
async fn a_manager_sets_a_persons_message_language_and_bad_input_changes_nothing() {
    let c = common::TestConsole::with_admin().await;
    let admin = c.admin().await;
    let language = || async {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT contact_id, language FROM contact_preferences WHERE contact_id = 'emily'")
                .fetch_all(&c.db.pool)
                .await
                .unwrap();
        rows
    };
    let before = language().await;
    for bad in ["contact=emily&language=fr", "contact=primary-oncall&language=ja", "contact=nobody&language=ja"] {
        let r = c.call("oncall_contact_language", bad, Some(&admin)).await;
        assert_eq!(r.status, http::StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
    }
    assert_eq!(language().await, before, "nothing changed");
    let r = c.call("oncall_contact_language", "contact=emily&language=ja", Some(&admin)).await;
    assert_eq!(r.status, http::StatusCode::OK, "{}", r.body);
    assert_eq!(language().await, [("emily".to_owned(), "ja".to_owned())]);
    let listed = c.call("oncall_contact_languages", "", Some(&admin)).await;
    assert!(listed.body.contains("[\"emily\",\"ja\"]"), "{}", listed.body);
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE entity = 'contact_language'")
        .fetch_one(&c.db.pool)
        .await
        .unwrap();
    assert_eq!(audited, 1);
}
