//! Alerts routed by the rules, on SQLite and PostgreSQL, through HTTP and the demo's response
//! plans: the seed's rules (critical → sev1 with Slack, high → sev2, the rest → sev3), a repeat
//! joining its open incident, a recovery that only notifies, one that resolves, suppression, and
//! one incident however many routers race over the same alarm.

mod common;

use std::sync::Arc;
use std::time::Duration;

use app::domain::alert::IntegrationKind;
use app::domain::incident::NotificationTarget;
use app::domain::routing::{Firing, Rule};
use axum::body::Body;
use common::{Reply, TestConsole};
use http::{Request, StatusCode, header};
use server::audit::Actor;
use server::error::ServerError;
use server::ingest::store::Integrations;
use server::routing::rules::Rules;

const SLACK: &str = "http://127.0.0.1:9/slack/T0/B0/x";

fn rule(name: &str, condition: &str, firing: Firing) -> Rule {
    Rule {
        name: name.into(),
        condition: condition.into(),
        firing,
        impact: None,
        notify: vec![],
        resolve_on_recovery: false,
        hold: None,
    }
}

fn incident(plan: &str) -> Firing {
    Firing::Incident { response_plan: plan.into() }
}

/// The seed's routing: by the `level` an input transformer adds.
fn seed_rules() -> Vec<Rule> {
    let slack = vec![NotificationTarget::Slack { url: SLACK.into() }];
    vec![
        Rule { notify: slack, ..rule("critical", "alert.severity == 'critical'", incident("sev1-critical")) },
        rule("high", "alert.severity == 'high'", incident("sev2-high")),
        rule("staging", "alert.labels.env == 'staging'", Firing::Suppress),
        rule("everything else", "", incident("sev3-low")),
    ]
}

/// Replaces the demo's rules with `rules`.
async fn use_rules(c: &TestConsole, rules: Vec<Rule>) -> u32 {
    let store = Rules { db: c.db.clone() };
    let base = store.current().await.unwrap().version;
    store.save(Actor::System("test"), base, rules, 1).await.unwrap()
}

async fn integration(c: &TestConsole, name: &str, kind: IntegrationKind) -> (String, String) {
    let created = Integrations { db: c.db.clone() }.create(Actor::System("test"), name, kind, &[], 1).await.unwrap();
    (created.id, created.secret)
}

async fn post(c: &TestConsole, door: &(String, String), body: &str) -> Reply {
    let req = Request::post(format!("/ingest/{}", door.0))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {}", door.1))
        .body(Body::from(body.to_owned()))
        .unwrap();
    let r = c.send(req).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    r
}

/// Waits until the console's router has taken every stored alert.
async fn routed(c: &TestConsole) {
    for _ in 0..200 {
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM alerts WHERE routed_at IS NULL")
            .fetch_one(&c.db.pool)
            .await
            .unwrap();
        if left == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("alerts still unrouted after 10 s");
}

/// (title, status, rule, outcome, incident's plan and status) of every alert, oldest first.
async fn outcomes(c: &TestConsole) -> Vec<String> {
    type Row = (String, String, Option<String>, Option<String>, Option<String>, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT a.title, a.status, a.rule, a.outcome, i.response_plan, i.status FROM alerts a \
         LEFT JOIN incidents i ON i.id = a.incident_id ORDER BY a.seq",
    )
    .fetch_all(&c.db.pool)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(title, status, rule, outcome, plan, state)| {
            let incident = plan.map(|p| format!(" → {p} ({})", state.unwrap_or_default())).unwrap_or_default();
            format!("{title} {status}: {} by {}{incident}", outcome.unwrap_or_default(), rule.unwrap_or_default())
        })
        .collect()
}

async fn count(c: &TestConsole, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&c.db.pool).await.unwrap()
}

#[tokio::test]
async fn the_seeds_rules_route_by_level_and_recovery_only_notifies() {
    let c = TestConsole::with_admin().await;
    use_rules(&c, seed_rules()).await;
    let eb = integration(&c, "cloudwatch", IntegrationKind::EventBridge).await;
    let am = integration(&c, "prometheus", IntegrationKind::Alertmanager).await;

    post(&c, &eb, r#"{"level":"critical","alarm":"ApiErrors","state":"ALARM","reason":"5xx > 5%"}"#).await;
    routed(&c).await;
    post(&c, &eb, r#"{"level":"critical","alarm":"ApiErrors","state":"ALARM","reason":"5xx > 9%"}"#).await;
    post(&c, &eb, r#"{"level":"critical","alarm":"ApiErrors","state":"OK"}"#).await;
    let raw = r#"{"version":"0","id":"ev-1","detail-type":"CloudWatch Alarm State Change","source":"aws.cloudwatch",
      "time":"2026-11-30T01:00:00Z","region":"ap-northeast-1","resources":["arn:aws:cloudwatch:ap-northeast-1:1:alarm:QueueDepth"],
      "detail":{"alarmName":"QueueDepth","state":{"value":"ALARM","reason":"Threshold Crossed"}}}"#;
    post(&c, &eb, raw).await;
    let group = r#"{"version":"4","alerts":[
      {"status":"firing","labels":{"alertname":"ProbeFailure","severity":"high"},"startsAt":"2026-11-30T01:00:00Z","fingerprint":"p1"},
      {"status":"firing","labels":{"alertname":"CanaryDown","env":"staging"},"startsAt":"2026-11-30T01:00:00Z","fingerprint":"p2"}]}"#;
    post(&c, &am, group).await;
    routed(&c).await;

    assert_eq!(
        outcomes(&c).await,
        [
            "ApiErrors firing: incident opened by critical → sev1-critical (open)",
            "ApiErrors firing: fired again by critical → sev1-critical (open)",
            "ApiErrors resolved: recovery notified by critical → sev1-critical (open)",
            "QueueDepth firing: incident opened by everything else → sev3-low (open)",
            "ProbeFailure firing: incident opened by high → sev2-high (open)",
            "CanaryDown firing: suppressed by staging",
        ]
    );
    assert_eq!(count(&c, "SELECT COUNT(*) FROM incidents").await, 3, "one incident per alert, repeats joined");
    let slack: Vec<String> =
        sqlx::query_scalar("SELECT subject FROM deliveries WHERE channel_kind = 'slack' AND address = $1 ORDER BY id")
            .bind(SLACK)
            .fetch_all(&c.db.pool)
            .await
            .unwrap();
    assert_eq!(slack, ["[FIRING] ApiErrors", "[RESOLVED] ApiErrors"], "firing and recovery told to Slack once each");
    let paged = count(
        &c,
        "SELECT COUNT(*) FROM engagements e JOIN incidents i ON i.id = e.incident_id WHERE i.title = 'ApiErrors'",
    )
    .await;
    assert!(paged >= 1, "the sev1 plan's engagements page people");
    let trace: String = sqlx::query_scalar("SELECT trace_json FROM alerts WHERE title = 'CanaryDown'")
        .fetch_one(&c.db.pool)
        .await
        .unwrap();
    assert!(trace.contains("\"rule\":\"high\",\"result\":\"no match\"") && trace.ends_with("\"matched\"}]"), "{trace}");
}

#[tokio::test]
async fn a_rule_can_resolve_the_incident_when_the_alert_recovers() {
    let c = TestConsole::with_admin().await;
    let auto =
        Rule { resolve_on_recovery: true, ..rule("batch", "alert.integration == 'scripts'", incident("sev3-low")) };
    let rules = vec![auto, rule("rest", "", Firing::Notify)];
    use_rules(&c, rules).await;
    let hook = integration(&c, "scripts", IntegrationKind::Webhook).await;
    post(&c, &hook, r#"{"title":"Nightly batch failed","fingerprint":"batch"}"#).await;
    routed(&c).await;
    post(&c, &hook, r#"{"title":"Nightly batch failed","fingerprint":"batch","status":"resolved"}"#).await;
    routed(&c).await;
    post(&c, &hook, r#"{"title":"Nightly batch failed","fingerprint":"batch","attempt":2}"#).await;
    routed(&c).await;
    assert_eq!(
        outcomes(&c).await,
        [
            "Nightly batch failed firing: incident opened by batch → sev3-low (resolved)",
            "Nightly batch failed resolved: incident resolved by batch → sev3-low (resolved)",
            "Nightly batch failed firing: incident opened by batch → sev3-low (open)",
        ],
        "after a resolve, the next firing opens a new incident"
    );
    let running = count(
        &c,
        "SELECT COUNT(*) FROM engagements e JOIN incidents i ON i.id = e.incident_id \
         WHERE i.status = 'resolved' AND e.stopped_at IS NULL",
    )
    .await;
    assert_eq!(running, 0, "the resolved incident's engagements are stopped");
}

/// Waits until every stored alert is routed or held by its rule.
async fn settled(c: &TestConsole) {
    for _ in 0..200 {
        let left = count(c, "SELECT COUNT(*) FROM alerts WHERE routed_at IS NULL AND held_until IS NULL").await;
        if left == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("alerts still waiting after 10 s: {:?}", outcomes(c).await);
}

#[tokio::test]
async fn held_alerts_wait_for_their_hours_and_maintenance_windows_keep_quiet() {
    use chrono::{Datelike, Duration as Span, Utc};
    let c = TestConsole::with_admin().await;
    // Hours that open the day after tomorrow (UTC): whatever today is, and even if midnight
    // passes while the test runs, the alert must wait.
    let now = Utc::now();
    let opens = (now + Span::days(2)).weekday().to_string();
    let hours = format!("{opens} 00:00-24:00 UTC");
    let slack = vec![NotificationTarget::Slack { url: SLACK.into() }];
    let low = Rule {
        hold: Some(hours.clone()),
        notify: slack.clone(),
        ..rule("low waits", "alert.severity == 'low'", incident("sev3-low"))
    };
    use_rules(&c, vec![low, Rule { notify: slack, ..rule("rest", "", incident("sev2-high")) }]).await;
    let windows = server::routing::maintenance::Maintenance { db: c.db.clone() };
    let deploy = app::model::alerts::NewMaintenance {
        note: "Deploying the API".into(),
        condition: "alert.title.startsWith('Api')".into(),
        starts_at: now.timestamp() - 60,
        ends_at: now.timestamp() + 3600,
    };
    windows.create(Actor::System("test"), deploy, now.timestamp()).await.unwrap();
    let hook = integration(&c, "scripts", IntegrationKind::Webhook).await;

    post(&c, &hook, r#"{"title":"Disk 80%","fingerprint":"disk","severity":"low"}"#).await;
    post(&c, &hook, r#"{"title":"Queue slow","fingerprint":"queue","severity":"low"}"#).await;
    settled(&c).await;
    post(&c, &hook, r#"{"title":"Queue slow","fingerprint":"queue","severity":"low","status":"resolved"}"#).await;
    post(&c, &hook, r#"{"title":"Api 5xx","fingerprint":"api","severity":"critical"}"#).await;
    post(&c, &hook, r#"{"title":"Api 5xx","fingerprint":"api","severity":"critical","status":"resolved"}"#).await;
    settled(&c).await;
    assert_eq!(
        outcomes(&c).await,
        [
            "Disk 80% firing: held until its hours by low waits",
            "Queue slow firing: recovered while held: nothing was sent by low waits",
            "Queue slow resolved: recovered while held: nothing was sent by low waits",
            "Api 5xx firing: suppressed by a maintenance window by maintenance: Deploying the API",
            "Api 5xx resolved: suppressed by a maintenance window by maintenance: Deploying the API",
        ]
    );
    let opening = (now + Span::days(2)).date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
    let held_until = count(&c, "SELECT held_until FROM alerts WHERE fingerprint = 'disk'").await;
    assert_eq!(held_until, opening.timestamp(), "held until the day after tomorrow, 00:00 UTC");
    assert_eq!(count(&c, "SELECT COUNT(*) FROM incidents").await, 0);
    assert_eq!(count(&c, "SELECT COUNT(*) FROM deliveries").await, 0, "nobody paged, nothing sent");
    let listed = windows.list(now.timestamp()).await.unwrap();
    assert_eq!((listed.len(), listed[0].suppressed), (1, 2));

    // Then the hours open: the held alert is routed through the rules then in force.
    let clock = server::clock::ManualClock::new(opening + Span::minutes(1));
    let engine = server::engine::Engine::new(c.db.clone(), clock.clone());
    let later_router = server::routing::Router::new(
        c.db.clone(),
        Arc::new(server::backend::LocalBackend { engine }),
        clock,
        Arc::default(),
    );
    assert!(later_router.route_next().await.unwrap());
    assert!(!later_router.route_next().await.unwrap(), "nothing else waits");
    assert_eq!(outcomes(&c).await[0], "Disk 80% firing: incident opened by low waits → sev3-low (open)");
    let notices = count(&c, "SELECT COUNT(*) FROM deliveries WHERE channel_kind = 'slack'").await;
    assert_eq!(notices, 1, "the held alert's notice goes out when it is acted on");
}

#[tokio::test]
async fn a_rule_naming_a_missing_plan_fails_that_alert_and_routing_goes_on() {
    let c = TestConsole::with_admin().await;
    use_rules(
        &c,
        vec![
            rule("gone", "alert.severity == 'critical'", incident("no-such-plan")),
            rule("rest", "", incident("sev3-low")),
        ],
    )
    .await;
    let hook = integration(&c, "scripts", IntegrationKind::Webhook).await;
    post(&c, &hook, r#"{"title":"A","severity":"critical"}"#).await;
    post(&c, &hook, r#"{"title":"B","severity":"low"}"#).await;
    routed(&c).await;
    let got = outcomes(&c).await;
    assert!(got[0].starts_with("A firing: failed: ") && got[0].ends_with("by gone"), "{got:?}");
    assert_eq!(got[1], "B firing: incident opened by rest → sev3-low (open)");
}

#[tokio::test]
async fn a_plans_dedupe_string_merges_a_second_alarm_into_the_open_incident() {
    let c = TestConsole::with_admin().await;
    // The demo's sev1 plan has a dedupe string, as Incident Manager plans often do.
    use_rules(&c, seed_rules()).await;
    let eb = integration(&c, "cloudwatch", IntegrationKind::EventBridge).await;
    post(&c, &eb, r#"{"level":"critical","alarm":"ApiErrors","state":"ALARM"}"#).await;
    routed(&c).await;
    post(&c, &eb, r#"{"level":"critical","alarm":"DbLatency","state":"ALARM"}"#).await;
    routed(&c).await;
    assert_eq!(
        outcomes(&c).await,
        [
            "ApiErrors firing: incident opened by critical → sev1-critical (open)",
            "DbLatency firing: merged into an open incident by critical → sev1-critical (open)",
        ]
    );
    assert_eq!(count(&c, "SELECT COUNT(*) FROM incidents").await, 1);
}

#[tokio::test]
async fn racing_routers_open_one_incident_for_one_alarm() {
    let c = TestConsole::with_admin().await;
    use_rules(&c, seed_rules()).await;
    let eb = integration(&c, "cloudwatch", IntegrationKind::EventBridge).await;
    for i in 0..20 {
        post(&c, &eb, &format!(r#"{{"level":"high","alarm":"DiskFull","state":"ALARM","n":{i}}}"#)).await;
    }
    let clock: Arc<dyn app::ports::Clock> = Arc::new(server::clock::SystemClock);
    let engine = server::engine::Engine::new(c.db.clone(), clock.clone());
    let mut racers = Vec::new();
    for _ in 0..3 {
        let router = server::routing::Router::new(
            c.db.clone(),
            Arc::new(server::backend::LocalBackend { engine: engine.clone() }),
            clock.clone(),
            Arc::default(),
        );
        racers.push(tokio::spawn(async move { while router.route_next().await.unwrap() {} }));
    }
    for r in racers {
        r.await.unwrap();
    }
    routed(&c).await;
    assert_eq!(count(&c, "SELECT COUNT(*) FROM incidents").await, 1);
    let opened = count(&c, "SELECT COUNT(*) FROM alerts WHERE outcome = 'incident opened'").await;
    let joined = count(&c, "SELECT COUNT(*) FROM alerts WHERE outcome = 'fired again'").await;
    assert_eq!((opened, joined), (1, 19));
    assert_eq!(count(&c, "SELECT COUNT(*) FROM alert_incidents").await, 1);
}

#[tokio::test]
async fn rules_are_versioned_and_a_stale_save_is_refused() {
    let c = TestConsole::with_admin().await;
    let rules = Rules { db: c.db.clone() };
    let demo = rules.current().await.unwrap();
    assert_eq!((demo.version, demo.rules.len()), (1, 3), "the demo's rules");
    let v1 = rules.save(Actor::System("a"), 1, seed_rules(), 1).await.unwrap();
    let mut edited = seed_rules();
    edited[0].impact = Some(1);
    let v2 = rules.save(Actor::System("a"), v1, edited.clone(), 2).await.unwrap();
    let stale = rules.save(Actor::System("b"), v1, seed_rules(), 3).await.unwrap_err();
    assert!(matches!(stale, ServerError::Stale { current: 3 }), "{stale:?}");
    assert_eq!(rules.current().await.unwrap().rules, edited, "the stale save changed nothing");
    let mut bad = seed_rules();
    bad[1].condition = "alert.severity ==".into();
    let e = rules.save(Actor::System("a"), v2, bad, 4).await.unwrap_err();
    assert!(matches!(&e, ServerError::Invalid(f) if f[0].field == "rules.1.condition"), "{e:?}");
    let v3 = rules.restore(Actor::System("a"), v1, v2, 5).await.unwrap();
    assert_eq!((v3, rules.current().await.unwrap().rules), (4, seed_rules()));
    assert_eq!(count(&c, "SELECT COUNT(*) FROM audit_log WHERE entity = 'routing_rules'").await, 4);
}

/// An Alertmanager group of `n` firing alerts, fingerprints `{prefix}-0…`, that began in hour
/// `round` (a firing again, not a retry of the same notification).
fn group(prefix: &str, n: usize, severity: &str, round: u32) -> String {
    let alerts: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({"status": "firing", "labels": {"alertname": format!("{prefix}-{i}"), "severity": severity},
                "startsAt": format!("2026-11-30T{round:02}:00:00Z"), "fingerprint": format!("{prefix}-{i}")})
        })
        .collect();
    serde_json::json!({"version": "4", "alerts": alerts}).to_string()
}

#[tokio::test]
async fn a_flooding_integration_sends_one_storm_notice_and_keeps_every_alert() {
    use server::routing::storms::{FLOOD_ALARMS, MINUTE, flush};
    let c = TestConsole::with_admin().await;
    use_rules(&c, seed_rules()).await;
    let slack = vec![NotificationTarget::Slack { url: SLACK.into() }];
    let rules = vec![
        Rule { notify: slack.clone(), ..rule("critical", "alert.severity == 'critical'", incident("sev1-critical")) },
        Rule { notify: slack, ..rule("notify", "", Firing::Notify) },
    ];
    use_rules(&c, rules).await;
    let am = integration(&c, "prometheus", IntegrationKind::Alertmanager).await;
    let notices = "SELECT COUNT(*) FROM deliveries WHERE channel_kind = 'slack'";

    // Calm: a few alarms notify one by one.
    post(&c, &am, &group("calm", 3, "warning", 1)).await;
    routed(&c).await;
    assert_eq!(count(&c, notices).await, 3);

    // A flood: more alarms in one minute than the threshold, stored in one commit, so the router
    // sees the flood before it routes any of them; then their repeats.
    let flood = FLOOD_ALARMS + 10;
    post(&c, &am, &group("disk", flood, "warning", 1)).await;
    routed(&c).await;
    post(&c, &am, &group("disk", flood, "warning", 2)).await;
    // A critical alert in the flood pages, and keeps its own notice.
    post(&c, &am, &group("payments", 1, "critical", 1)).await;
    routed(&c).await;

    let subjects: Vec<String> =
        sqlx::query_scalar("SELECT subject FROM deliveries WHERE channel_kind = 'slack' ORDER BY id")
            .fetch_all(&c.db.pool)
            .await
            .unwrap();
    assert_eq!(subjects.len(), 5, "three calm notices, one storm notice, the critical one's: {subjects:?}");
    // The first storm notice goes with the first batch folded (how many that holds depends on
    // the router's pace); the next counts the rest.
    let first = subjects[3].strip_prefix("[STORM] prometheus is flooding: ").expect("a storm notice");
    let first_alerts: usize = first.split(' ').next().unwrap().parse().unwrap();
    assert!(first.ends_with("; its notices are folded into one a minute") && first_alerts <= flood, "{first}");
    assert_eq!(subjects[4], "[FIRING] payments-0");
    let folded = count(&c, "SELECT COUNT(*) FROM alerts WHERE outcome = 'notified in the storm notice'").await;
    assert_eq!(folded, i64::try_from(2 * flood).unwrap(), "every flood alert is stored and says where its notice went");
    assert_eq!(count(&c, "SELECT COUNT(*) FROM alerts").await, i64::try_from(3 + 2 * flood + 1).unwrap());
    assert_eq!(count(&c, "SELECT COUNT(*) FROM incidents WHERE status = 'open'").await, 1, "the critical alert paged");

    // A minute later the repeats folded since are counted in one more notice.
    let later = chrono::Utc::now().timestamp() + MINUTE;
    assert!(flush(&c.db, later).await.unwrap());
    let last: String =
        sqlx::query_scalar("SELECT subject FROM deliveries WHERE channel_kind = 'slack' ORDER BY id DESC LIMIT 1")
            .fetch_one(&c.db.pool)
            .await
            .unwrap();
    let rest = 2 * flood - first_alerts;
    assert_eq!(last, format!("[STORM] {rest} more alerts from prometheus in the last minute, {flood} alarms"));
    // And a quiet minute after that, the storm is over: nothing more is sent.
    assert!(flush(&c.db, later + MINUTE).await.unwrap());
    assert_eq!(count(&c, notices).await, 7, "the last says the storm is over");
    let over: String =
        sqlx::query_scalar("SELECT subject FROM deliveries WHERE channel_kind = 'slack' ORDER BY id DESC LIMIT 1")
            .fetch_one(&c.db.pool)
            .await
            .unwrap();
    assert_eq!(over, "[STORM] prometheus is quiet again: its notices go out one by one");
    assert_eq!(count(&c, "SELECT COUNT(*) FROM alert_storms").await, 0);
}

#[tokio::test]
async fn a_storm_routes_its_critical_alert_first() {
    let c = TestConsole::with_admin().await;
    let slack = vec![NotificationTarget::Slack { url: SLACK.into() }];
    let rules = vec![
        Rule { notify: slack.clone(), ..rule("critical", "alert.severity == 'critical'", incident("sev1-critical")) },
        Rule { notify: slack, ..rule("notify", "", Firing::Notify) },
    ];
    use_rules(&c, rules).await;
    let store = Integrations { db: c.db.clone() };
    let (am, _) = integration(&c, "prometheus", IntegrationKind::Alertmanager).await;
    // A storm of 300 alarms and, last of all, the critical one, stored in one commit: the router
    // sees them all at once, and the critical alert is the newest of them.
    let mut storm = server::ingest::normalize::read(
        IntegrationKind::Alertmanager,
        group("noise", 300, "warning", 1).as_bytes(),
        None,
        1,
    )
    .unwrap();
    let critical = server::ingest::normalize::read(
        IntegrationKind::Alertmanager,
        group("payments", 1, "critical", 1).as_bytes(),
        None,
        1,
    )
    .unwrap();
    storm.alerts.extend(critical.alerts);
    let now = chrono::Utc::now().timestamp();
    store.accept(&am, "storm", "{}", &storm.alerts, now).await.unwrap();
    routed(&c).await;

    let first: String =
        sqlx::query_scalar("SELECT subject FROM deliveries WHERE channel_kind = 'slack' ORDER BY id LIMIT 1")
            .fetch_one(&c.db.pool)
            .await
            .unwrap();
    assert_eq!(first, "[FIRING] payments-0", "the critical alert went before the 300 that came before it");
    let routed_before: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM alert_incidents l JOIN incidents i ON i.id = l.incident_id")
            .fetch_one(&c.db.pool)
            .await
            .unwrap();
    assert_eq!(routed_before, 1, "the critical alert opened its incident");
    assert_eq!(count(&c, "SELECT COUNT(*) FROM alerts WHERE routed_at IS NOT NULL").await, 301, "none lost");
}

#[tokio::test]
async fn the_console_raises_an_alert_when_routing_falls_behind_and_resolves_it() {
    use server::routing::lag::{BEHIND, FINGERPRINT, check};
    let (db, _dir) = common::test_db().await;
    let store = Integrations { db: db.clone() };
    let door = store.create(Actor::System("test"), "webhook", IntegrationKind::Webhook, &[], 1).await.unwrap();
    let body = r#"{"title":"Disk full","severity":"high","fingerprint":"disk"}"#;
    let inbound = server::ingest::normalize::read(IntegrationKind::Webhook, body.as_bytes(), None, 1000).unwrap();
    store.accept(&door.id, "one", body, &inbound.alerts, 1000).await.unwrap();
    let states = || async {
        sqlx::query_as::<_, (String, String, String)>(
            "SELECT status, title, severity FROM alerts WHERE fingerprint = $1 ORDER BY seq",
        )
        .bind(FINGERPRINT)
        .fetch_all(&db.pool)
        .await
        .unwrap()
    };

    assert!(!check(&db, 1000 + BEHIND).await.unwrap(), "a minute's wait is not yet behind");
    assert!(check(&db, 1001 + BEHIND).await.unwrap(), "past a minute it raises its alert");
    assert!(!check(&db, 1100).await.unwrap(), "once per episode");
    let raised = states().await;
    assert_eq!(raised, [("firing".into(), "Alert routing is behind".into(), "critical".into())]);
    let summary: String = sqlx::query_scalar("SELECT summary FROM alerts WHERE fingerprint = $1")
        .bind(FINGERPRINT)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(
        summary,
        "1 alerts wait to be routed; the oldest arrived 61 s ago. Pages and notices for them are late."
    );

    // Routed: the next look resolves it, once.
    let mut tx = db.begin_write().await.unwrap();
    sqlx::query("UPDATE alerts SET routed_at = 1101").execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    assert!(check(&db, 1110).await.unwrap());
    assert!(!check(&db, 1120).await.unwrap());
    // A second episode is a new firing, not a redelivery of the first.
    store.accept(&door.id, "two", body, &inbound.alerts, 2000).await.unwrap();
    assert!(check(&db, 2100).await.unwrap());
    let statuses: Vec<String> = states().await.into_iter().map(|s| s.0).collect();
    assert_eq!(statuses, ["firing", "resolved", "firing"]);
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM integrations WHERE id = 'console' AND name = 'console'")
            .fetch_one(&db.pool)
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn an_incident_opened_by_an_alert_and_its_pages_say_what_broke() {
    let c = TestConsole::with_admin().await;
    use_rules(&c, seed_rules()).await;
    let am = integration(&c, "prometheus", IntegrationKind::Alertmanager).await;
    let group = r#"{"version":"4","alerts":[{"status":"firing",
      "labels":{"alertname":"DiskFullDb1","severity":"critical","instance":"db-1","team":"web"},
      "annotations":{"summary":"Disk full on db-1","runbook_url":"javascript:alert(1)","dashboard_url":"https://grafana.example/d/disk"},
      "generatorURL":"http://prometheus.example/graph?g0.expr=disk","startsAt":"2026-12-08T01:00:00Z","fingerprint":"d1"}]}"#;
    post(&c, &am, group).await;
    routed(&c).await;
    let (title, summary, source): (String, String, String) =
        sqlx::query_as("SELECT title, summary, source FROM incidents").fetch_one(&c.db.pool).await.unwrap();
    assert_eq!(source, "alertmanager (prometheus)", "where it came from");
    let said = "Disk full on db-1\ninstance=db-1\nseverity=critical\nhttps://grafana.example/d/disk\n\
                http://prometheus.example/graph?g0.expr=disk";
    assert_eq!((title.as_str(), summary.as_str()), ("DiskFullDb1", said), "not the plan's boilerplate");
    let pages: Vec<String> = sqlx::query_scalar("SELECT content FROM engagements").fetch_all(&c.db.pool).await.unwrap();
    assert!(!pages.is_empty() && pages.iter().all(|p| p == said), "every page says it: {pages:?}");
}
