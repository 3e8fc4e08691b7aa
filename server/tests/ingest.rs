//! Alerts in through HTTP (`POST /ingest/<id>`), on SQLite and PostgreSQL: the secret checked
//! (Bearer or Basic, two valid while rotating), size and shape checked, the event and its alerts
//! stored once however often it is delivered, unreadable bodies quarantined, and nothing else
//! written when a request is refused.

mod common;

use axum::body::Body;
use base64::Engine as _;
use common::{Reply, TestConsole};
use http::{Request, StatusCode, header};
use proptest::prelude::*;
use server::audit::Actor;
use server::config::IntegrationCommand;
use server::ingest::store::Integrations;

use app::domain::alert::IntegrationKind;

const ALARM: &str = r#"{"version":"0","id":"c4c1c1c9-6542","detail-type":"CloudWatch Alarm State Change",
 "source":"aws.cloudwatch","account":"123456789012","time":"2026-11-30T01:00:00Z","region":"ap-northeast-1",
 "resources":["arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:ApiErrors"],
 "detail":{"alarmName":"ApiErrors","state":{"value":"ALARM","reason":"Threshold Crossed","timestamp":"2026-11-30T01:00:00.000+0000"}}}"#;

async fn integration(c: &TestConsole, name: &str, kind: IntegrationKind) -> (String, String) {
    let created = Integrations { db: c.db.clone() }.create(Actor::System("test"), name, kind, &[], 1).await.unwrap();
    (created.id, created.secret)
}

fn bearer(secret: &str) -> String {
    format!("Bearer {secret}")
}

fn basic(secret: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("sns:{secret}")))
}

async fn post(c: &TestConsole, id: &str, auth: Option<&str>, body: impl Into<Vec<u8>>, key: Option<&str>) -> Reply {
    let mut req = Request::post(format!("/ingest/{id}")).header(header::CONTENT_TYPE, "application/json");
    if let Some(a) = auth {
        req = req.header(header::AUTHORIZATION, a);
    }
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    c.send(req.body(Body::from(body.into())).unwrap()).await
}

/// (events, alerts, quarantined bodies) stored.
async fn counts(c: &TestConsole) -> (i64, i64, i64) {
    let n = |table: &str| {
        let pool = c.db.pool.clone();
        let sql = format!("SELECT COUNT(*) FROM {table}");
        async move { sqlx::query_scalar::<_, i64>(&sql).fetch_one(&pool).await.unwrap() }
    };
    (n("inbound_events").await, n("alerts").await, n("quarantine").await)
}

/// (fingerprint, status, severity) of every alert stored, oldest first.
async fn alerts(c: &TestConsole) -> Vec<(String, String, String)> {
    sqlx::query_as("SELECT fingerprint, status, severity FROM alerts ORDER BY seq").fetch_all(&c.db.pool).await.unwrap()
}

#[tokio::test]
async fn a_refused_request_says_why_and_changes_nothing() {
    let c = TestConsole::with_admin().await;
    let (id, secret) = integration(&c, "cloudwatch", IntegrationKind::EventBridge).await;
    let cases = [
        ("no-such-integration", Some(bearer(&secret)), StatusCode::UNAUTHORIZED),
        (id.as_str(), None, StatusCode::UNAUTHORIZED),
        (id.as_str(), Some(bearer("wrong")), StatusCode::UNAUTHORIZED),
        (id.as_str(), Some(basic("wrong")), StatusCode::UNAUTHORIZED),
        (id.as_str(), Some(format!("Token {secret}")), StatusCode::UNAUTHORIZED),
    ];
    for (target, auth, status) in cases {
        let r = post(&c, target, auth.as_deref(), ALARM, None).await;
        assert_eq!(r.status, status, "{target} {auth:?}: {}", r.body);
        assert!(r.json()["error"].as_str().is_some_and(|e| !e.contains('\n')), "one line: {}", r.body);
    }
    let big = format!(r#"{{"title":"big","pad":"{}"}}"#, "x".repeat(256 * 1024));
    let r = post(&c, &id, Some(&bearer(&secret)), big, None).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(counts(&c).await, (0, 0, 0), "nothing stored for refused requests");

    let r = post(&c, &id, Some(&bearer(&secret)), "{\"title\": ", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["error"].as_str().unwrap().starts_with("not JSON"), "{}", r.body);
    let r = post(&c, &id, Some(&bearer(&secret)), b"\x00\xff binary".to_vec(), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(counts(&c).await, (0, 0, 2), "unreadable bodies are quarantined, nothing else");
    let reasons: Vec<String> =
        sqlx::query_scalar("SELECT reason FROM quarantine ORDER BY received_at").fetch_all(&c.db.pool).await.unwrap();
    assert!(reasons.iter().all(|r| r.starts_with("not JSON")), "{reasons:?}");
}

#[tokio::test]
async fn every_source_becomes_alerts() {
    let c = TestConsole::with_admin().await;
    let (eb, eb_secret) = integration(&c, "eventbridge", IntegrationKind::EventBridge).await;
    let (am, am_secret) = integration(&c, "prometheus", IntegrationKind::Alertmanager).await;
    let (hook, hook_secret) = integration(&c, "scripts", IntegrationKind::Webhook).await;

    // A raw CloudWatch alarm event (Bearer), then its input-transformed form (Basic auth).
    let r = post(&c, &eb, Some(&bearer(&eb_secret)), ALARM, None).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    assert_eq!((r.json()["duplicate"].as_bool(), r.json()["alerts"].as_i64()), (Some(false), Some(1)));
    let transformed = r#"{"level":"critical","alarm":"ApiErrors","state":"ALARM"}"#;
    assert_eq!(post(&c, &eb, Some(&basic(&eb_secret)), transformed, None).await.status, StatusCode::ACCEPTED);
    let ok = ALARM.replace("\"ALARM\"", "\"OK\"").replace("c4c1c1c9-6542", "c4c1c1c9-6543");
    assert_eq!(post(&c, &eb, Some(&bearer(&eb_secret)), ok, None).await.status, StatusCode::ACCEPTED);

    // An Alertmanager group mixing firing and resolved alerts.
    let group = r#"{"version":"4","status":"firing","commonLabels":{"severity":"critical"},
      "alerts":[{"status":"firing","labels":{"alertname":"ProbeFailure"},"startsAt":"2026-11-30T01:00:00Z","fingerprint":"aa"},
                {"status":"resolved","labels":{"alertname":"DiskFull","severity":"warning"},
                 "startsAt":"2026-11-30T00:00:00Z","endsAt":"2026-11-30T00:30:00Z","fingerprint":"bb"}]}"#;
    let r = post(&c, &am, Some(&bearer(&am_secret)), group, None).await;
    assert_eq!(r.json()["alerts"].as_i64(), Some(2), "{}", r.body);

    // A generic webhook with an idempotency key, delivered twice with different bodies.
    let first =
        post(&c, &hook, Some(&bearer(&hook_secret)), r#"{"title":"Batch failed","severity":"high"}"#, Some("run-7"))
            .await;
    let again = post(&c, &hook, Some(&bearer(&hook_secret)), r#"{"title":"Batch failed!"}"#, Some("run-7")).await;
    assert_eq!(again.json()["duplicate"].as_bool(), Some(true));
    assert_eq!(again.json()["event_id"], first.json()["event_id"], "the first event's id is returned");

    let arn = "arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:ApiErrors";
    let mut seen = alerts(&c).await;
    seen.sort();
    let expected = [
        ("ApiErrors", "firing", "critical"),
        ("Batch failed", "firing", "high"),
        ("aa", "firing", "critical"),
        (arn, "firing", ""),
        (arn, "resolved", ""),
        ("bb", "resolved", "warning"),
    ];
    let mut expected: Vec<(String, String, String)> =
        expected.iter().map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned())).collect();
    expected.sort();
    assert_eq!(seen, expected);
    assert_eq!(counts(&c).await, (5, 6, 0));
}

#[tokio::test]
async fn the_same_event_delivered_a_hundred_times_is_stored_once() {
    let c = std::sync::Arc::new(TestConsole::with_admin().await);
    let (id, secret) = integration(&c, "cloudwatch", IntegrationKind::EventBridge).await;
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let (c, id, auth) = (c.clone(), id.clone(), bearer(&secret));
        tasks.push(tokio::spawn(async move { post(&c, &id, Some(&auth), ALARM, None).await }));
    }
    let mut ids = std::collections::BTreeSet::new();
    let mut fresh = 0;
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
        ids.insert(r.json()["event_id"].as_str().unwrap().to_owned());
        fresh += usize::from(r.json()["duplicate"] == false);
    }
    assert_eq!((ids.len(), fresh), (1, 1), "one event, answered as new once");
    assert_eq!(counts(&c).await, (1, 1, 0));
}

#[tokio::test]
async fn a_rotated_secret_keeps_the_previous_one_until_the_next_rotation() {
    let c = TestConsole::with_admin().await;
    let (id, first) = integration(&c, "cloudwatch", IntegrationKind::Webhook).await;
    let store = Integrations { db: c.db.clone() };
    let second = store.rotate_secret(Actor::System("test"), &id, 2).await.unwrap();
    for (secret, body) in [(&first, r#"{"title":"a"}"#), (&second, r#"{"title":"b"}"#)] {
        assert_eq!(post(&c, &id, Some(&bearer(secret)), body, None).await.status, StatusCode::ACCEPTED);
    }
    let third = store.rotate_secret(Actor::System("test"), &id, 3).await.unwrap();
    assert_eq!(post(&c, &id, Some(&bearer(&first)), r#"{"title":"c"}"#, None).await.status, StatusCode::UNAUTHORIZED);
    for secret in [&second, &third] {
        assert_eq!(post(&c, &id, Some(&basic(secret)), r#"{"title":"d"}"#, None).await.status, StatusCode::ACCEPTED);
    }
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE entity = 'integration' AND entity_id = $1")
            .bind(&id)
            .fetch_one(&c.db.pool)
            .await
            .unwrap();
    assert_eq!(audited, 3, "created and rotated twice");
}

#[tokio::test]
async fn an_unavailable_database_asks_the_sender_to_retry() {
    let c = TestConsole::with_admin().await;
    let (id, secret) = integration(&c, "cloudwatch", IntegrationKind::EventBridge).await;
    common::break_tables(&c.db, &["integrations", "_sqlx_migrations"]).await;
    let r = post(&c, &id, Some(&bearer(&secret)), ALARM, None).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert!(r.headers.contains_key(header::RETRY_AFTER));
}

#[tokio::test]
async fn integrations_are_scripted_from_the_command_line() {
    let c = TestConsole::with_admin().await;
    let add = IntegrationCommand::Add { name: "cloudwatch".into(), kind: "eventbridge".into(), topic: vec![] };
    let out = server::ingest::cli::run(&c.config, &add).await.unwrap();
    let field = |out: &str, name: &str| {
        out.lines().find_map(|l| l.strip_prefix(&format!("{name}: ")).map(str::to_owned)).unwrap()
    };
    let (url, secret) = (field(&out, "url"), field(&out, "secret"));
    assert_eq!(secret.len(), 64, "256 bits, hex");
    let path = url.strip_prefix(&c.origin()).unwrap().to_owned();
    let id = path.strip_prefix("/ingest/").unwrap();
    assert_eq!(post(&c, id, Some(&bearer(&secret)), ALARM, None).await.status, StatusCode::ACCEPTED);
    let list = server::ingest::cli::run(&c.config, &IntegrationCommand::List).await.unwrap();
    assert!(list.contains("cloudwatch\teventbridge") && list.contains("events 1"), "{list}");
    let rotate = IntegrationCommand::RotateSecret { integration: "cloudwatch".into() };
    let new = field(&server::ingest::cli::run(&c.config, &rotate).await.unwrap(), "secret");
    assert_ne!(new, secret);
    let bad = IntegrationCommand::Add { name: "x".into(), kind: "sqs".into(), topic: vec![] };
    let e = server::ingest::cli::run(&c.config, &bad).await.unwrap_err();
    assert!(e.contains("--kind") && e.contains("eventbridge, sns, alertmanager, webhook"), "{e}");
    let taken = server::ingest::cli::run(&c.config, &add).await.unwrap_err();
    assert!(taken.contains("--name") && taken.contains("already exists"), "{taken}");
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(serde_json::Value::from),
        ".{0,20}".prop_map(serde_json::Value::from),
        prop_oneof![Just("firing"), Just("resolved"), Just("OK"), Just("ALARM")].prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        let keys = prop_oneof![
            Just("alerts".to_owned()),
            Just("status".to_owned()),
            Just("labels".to_owned()),
            Just("fingerprint".to_owned()),
            Just("detail".to_owned()),
            Just("detail-type".to_owned()),
            Just("source".to_owned()),
            Just("state".to_owned()),
            Just("value".to_owned()),
            Just("startsAt".to_owned()),
            Just("resources".to_owned()),
            "[a-z]{1,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(keys, inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Whatever arrives, on every kind: an answer that is not a 5xx, and no panic.
    #[test]
    fn arbitrary_bodies_never_get_a_server_error(bytes in prop::collection::vec(any::<u8>(), 0..512), value in json_value()) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let c = TestConsole::with_admin().await;
            let mut doors = Vec::new();
            for kind in IntegrationKind::ALL {
                let topics = [format!("arn:aws:sns:ap-northeast-1:123456789012:{kind}")];
                let created = Integrations { db: c.db.clone() }
                    .create(Actor::System("test"), kind.as_str(), *kind, &topics, 1)
                    .await
                    .unwrap();
                doors.push((created.id, created.secret));
            }
            for (id, secret) in &doors {
                for body in [bytes.clone(), serde_json::to_vec(&value).unwrap()] {
                    let r = post(&c, id, Some(&bearer(secret)), body, None).await;
                    // SNS also refuses (403) a message from a topic it does not know.
                    prop_assert!(
                        r.status == StatusCode::ACCEPTED || r.status == StatusCode::BAD_REQUEST || r.status == StatusCode::FORBIDDEN,
                        "{}: {}", r.status, r.body
                    );
                }
            }
            Ok(())
        })?;
    }
}
