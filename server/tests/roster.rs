//! The recorded roster through the engine and the database (SQLite and PostgreSQL): answers given
//! while paging stay the recorded answers after edits, overrides and removals across a DST change;
//! and the calendar feed parses with a standard iCalendar parser and lists exactly the shifts the
//! console lists.

mod common;

use std::io::BufReader;

use app::domain::contact::{Contact, ContactType, Plan};
use app::domain::rotation::{HandOff, HandOffTime, Override, Rotation};
use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use common::{TestConsole, form};
use http::StatusCode;
use server::audit::Actor;
use server::clock::ManualClock;
use server::engine::Engine;

const TEST: Actor<'static> = Actor::System("test");

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn contact(alias: &str, kind: ContactType, rotation_ids: Vec<String>) -> Contact {
    Contact { alias: alias.into(), display_name: alias.into(), kind, plan: Plan { stages: vec![], rotation_ids } }
}

enum Step {
    Wait(i64),
    Reorder,
    MoveHandOff(u8, u8),
    Cover { in_minutes: i64, minutes: i64, who: &'static str },
    Uncover,
}

#[tokio::test]
async fn recorded_roster_keeps_what_paging_saw_across_edits_and_dst() {
    let (db, _dir) = common::test_db().await;
    // New York springs forward at 2027-03-14 07:00 UTC (02:00 → 03:00 local).
    let clock = ManualClock::new(utc(2027, 3, 12, 12, 0));
    let engine = Engine::new(db, clock.clone());
    for who in ["p0", "p1", "p2"] {
        engine.put_contact(TEST, contact(who, ContactType::Personal, vec![])).await.unwrap();
    }
    let rotation = Rotation {
        members: vec!["p0".into(), "p1".into(), "p2".into()],
        start: utc(2027, 3, 10, 0, 0),
        time_zone: "America/New_York".into(),
        handoff: HandOff::Daily(vec![HandOffTime::new(2, 30)]),
        multiplier: 1,
        number_on_call: 1,
        coverage: vec![],
    };
    let id = engine.create_rotation(TEST, "ny", rotation).await.unwrap();
    let schedule = contact("ny-oncall", ContactType::OncallSchedule, vec![id.clone()]);
    engine.put_contact(TEST, schedule.clone()).await.unwrap();

    use Step::{Cover, MoveHandOff, Reorder, Uncover, Wait};
    let steps = [
        Wait(300),
        Reorder,
        Wait(200),
        Cover { in_minutes: 60, minutes: 300, who: "p2" },
        Wait(90),
        Wait(90),
        Uncover,
        Wait(600),
        Wait(600),
        MoveHandOff(8, 0),
        Wait(500),
        Reorder,
        Wait(700),
        Cover { in_minutes: 30, minutes: 24 * 60, who: "p0" },
        Wait(400),
        MoveHandOff(2, 15),
        Wait(900),
    ];
    let mut asked = Vec::new();
    let mut cover_id = None;
    for step in steps {
        // Changes happen a minute after the last question, never in the same second.
        if !matches!(step, Wait(_)) {
            clock.advance(Duration::minutes(1));
        }
        let now = engine.now();
        match step {
            Wait(minutes) => {
                // Ask the way paging asks, every 20 minutes while time passes.
                for _ in 0..minutes / 20 {
                    clock.advance(Duration::minutes(20));
                    asked.push((engine.now(), engine.on_call(&schedule, engine.now()).await.unwrap()));
                }
            }
            Reorder | MoveHandOff(..) => {
                let current = engine.named_rotation(&id).await.unwrap();
                let mut r = current.rotation;
                match step {
                    MoveHandOff(h, m) => r.handoff = HandOff::Daily(vec![HandOffTime::new(h, m)]),
                    _ => r.members.rotate_left(1),
                }
                let base = engine.roster_head(&id).await.unwrap().definition_version;
                engine.update_rotation(TEST, &id, Some(base), "ny", r).await.unwrap();
            }
            Cover { in_minutes, minutes, who } => {
                let start = now + Duration::minutes(in_minutes);
                let o = Override { start, end: start + Duration::minutes(minutes), members: vec![who.into()] };
                cover_id = Some(engine.add_override(TEST, &id, o).await.unwrap());
            }
            Uncover => engine.delete_override(TEST, &id, &cover_id.take().unwrap()).await.unwrap(),
        }
    }
    assert!(asked.iter().any(|(at, _)| *at > utc(2027, 3, 14, 7, 0)), "the walk crosses the DST change");

    let roster = engine.roster(&id).await.unwrap();
    assert_eq!(roster.versions.len(), 1 + 4 + 3, "created, four edits, two overrides added and one removed");
    let current = engine.rotation(&id).await.unwrap();
    let mut rewritten = 0;
    for (at, answer) in &asked {
        assert_eq!(&roster.on_call_at(*at), answer, "recorded answer at {at}");
        if &current.on_call_at(*at, &[]) != answer {
            rewritten += 1;
        }
    }
    assert!(rewritten > 0, "recomputing from today's definition would have rewritten the past");
    // The shift listing (what the calendar shows) agrees with every answer.
    let listed = roster.shifts(asked[0].0, asked.last().unwrap().0 + Duration::seconds(1));
    for (at, answer) in &asked {
        let shift = listed.iter().find(|s| s.start <= *at && *at < s.end);
        assert_eq!(&shift.map(|s| s.members.clone()).unwrap_or_default(), answer, "listed at {at}");
    }
}

/// RFC 5545 TEXT unescaping (the parser hands values over raw).
fn unescape(value: &str) -> String {
    value.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")
}

fn parse_ics_time(value: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%SZ").unwrap().and_utc()
}

/// (start, end, summary) of every event in an iCalendar document, via the `ical` parser.
fn events(ics: &str) -> Vec<(DateTime<Utc>, DateTime<Utc>, String, String)> {
    let calendars: Vec<_> = ical::IcalParser::new(BufReader::new(ics.as_bytes())).collect::<Result<_, _>>().unwrap();
    assert_eq!(calendars.len(), 1);
    calendars[0]
        .events
        .iter()
        .map(|e| {
            let prop = |name: &str| {
                e.properties.iter().find(|p| p.name == name).and_then(|p| p.value.clone()).unwrap_or_default()
            };
            (
                parse_ics_time(&prop("DTSTART")),
                parse_ics_time(&prop("DTEND")),
                unescape(&prop("SUMMARY")),
                unescape(&prop("DESCRIPTION")),
            )
        })
        .collect()
}

#[tokio::test]
async fn calendar_feed_parses_and_matches_the_listed_shifts() {
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    let id: String =
        sqlx::query_scalar("SELECT id FROM rotations ORDER BY name LIMIT 1").fetch_one(&c.db.pool).await.unwrap();
    let rotation: Rotation = serde_json::from_str(
        &sqlx::query_scalar::<_, String>("SELECT definition_json FROM rotations WHERE id = $1")
            .bind(&id)
            .fetch_one(&c.db.pool)
            .await
            .unwrap(),
    )
    .unwrap();

    let url = c.call("feed_regenerate", &form(&[("kind", "rotation"), ("subject", &id)]), Some(&admin)).await;
    assert_eq!(url.status, StatusCode::OK, "{}", url.body);
    let url: String = serde_json::from_str(&url.body).unwrap();
    let feed = c.get(&url, None).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.headers[http::header::CONTENT_TYPE].to_str().unwrap().starts_with("text/calendar"));
    assert!(feed.body.contains("\r\nX-WR-TIMEZONE:Asia/Tokyo\r\n"));
    let feed_events = events(&feed.body);

    // What the rotation page lists for the next 92 days.
    let page = c.call("rotation_page", &format!("id={id}&offset_days=0&days=92"), Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let page: app::model::rotations::RotationPageData = serde_json::from_str(&page.body).unwrap();
    let (from, to) = (DateTime::from_timestamp(page.from, 0).unwrap(), DateTime::from_timestamp(page.to, 0).unwrap());
    let names: std::collections::HashMap<_, _> =
        page.people.iter().map(|p| (p.alias.clone(), p.name.clone())).collect();
    let inside = |s: &DateTime<Utc>, e: &DateTime<Utc>| *s > from && *e < to;
    let listed: Vec<_> = page
        .shifts
        .iter()
        .filter(|s| inside(&s.start, &s.end))
        .map(|s| {
            let people: Vec<_> = s.members.iter().map(|m| names[m].clone()).collect();
            (s.start, s.end, format!("{}: {}", page.detail.name, people.join(", ")))
        })
        .collect();
    let fed: Vec<_> = feed_events
        .iter()
        .filter(|(s, e, ..)| inside(s, e))
        .map(|(s, e, summary, _)| (*s, *e, summary.clone()))
        .collect();
    assert!(listed.len() >= 10, "a weekly or daily demo rotation has shifts in 92 days: {listed:?}");
    assert_eq!(fed, listed);
    assert!(feed_events.iter().all(|(.., d)| d.contains("Time zone: Asia/Tokyo")));

    // A person's feed has only their shifts; regenerating stops the old URL.
    let person = &rotation.members[0];
    let mine = c.call("feed_regenerate", &form(&[("kind", "person"), ("subject", person)]), Some(&admin)).await;
    let mine: String = serde_json::from_str(&mine.body).unwrap();
    let mine_events = events(&c.get(&mine, None).await.body);
    assert!(!mine_events.is_empty() && mine_events.iter().all(|(_, _, s, _)| s.contains(&names[person])));
    let again = c.call("feed_regenerate", &form(&[("kind", "rotation"), ("subject", &id)]), Some(&admin)).await;
    let again: String = serde_json::from_str(&again.body).unwrap();
    assert_eq!(c.get(&url, None).await.status, StatusCode::NOT_FOUND, "the old URL stops");
    assert_eq!(c.get(&again, None).await.status, StatusCode::OK);
    assert_eq!(c.get("/calendar/not-a-token.ics", None).await.status, StatusCode::NOT_FOUND);

    // A disabled user's feeds stop too.
    let viewer_id = c.create_user(&admin, "feedviewer", "viewer").await;
    let viewer = c.login("feedviewer", &common::password_of("feedviewer")).await;
    let theirs = c.call("feed_regenerate", &form(&[("kind", "rotation"), ("subject", &id)]), Some(&viewer)).await;
    let theirs: String = serde_json::from_str(&theirs.body).unwrap();
    assert_eq!(c.get(&theirs, None).await.status, StatusCode::OK);
    let disabled = c
        .call("admin_set_disabled", &form(&[("user_id", &viewer_id.to_string()), ("disabled", "true")]), Some(&admin))
        .await;
    assert_eq!(disabled.status, StatusCode::OK);
    assert_eq!(c.get(&theirs, None).await.status, StatusCode::NOT_FOUND);
}
