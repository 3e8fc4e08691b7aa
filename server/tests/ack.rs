//! Acknowledging from a phone through the personal link in a page, on a virtual clock, on SQLite
//! and PostgreSQL: the e-mail (captured by a loopback SMTP server) carries the link; a scanner
//! that fetches every URL in it acknowledges nothing; the page is in the person's language,
//! without script or WASM and within 14 KB; pressing Acknowledge stops the escalation (the next
//! stage's delivery never comes); pressing again says who acknowledged; tampered, expired and
//! over-used links get their own answers. In AWS mode the console sends its own notice with the
//! link for the page Incident Manager made, and the link acknowledges through `AcceptPage`.

mod common;

use std::sync::Arc;

use app::auth::{CurrentUser, Role};
use app::domain::contact::{ChannelType, Contact, ContactChannel, ContactType, Plan, Stage, Target};
use app::i18n::Locale;
use app::ports::{Backend, EngagementStart};
use axum::body::Body;
use chrono::{DateTime, Duration, TimeZone, Utc};
use http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use server::ack::{AckState, Limiter};
use server::audit::Actor;
use server::backend::LocalBackend;
use server::clock::ManualClock;
use server::engine::Engine;
use server::engine::links;
use server::engine::outbox::{Outbox, Transports};
use server::engine::paging::EngagementRequest;
use tower::ServiceExt;

use common::transports::{Inbox, smtp_sink};

const SEED: Actor<'static> = Actor::System("test");
const ORIGIN: &str = "http://127.0.0.1:3000";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 18, 0, 0).unwrap()
}

struct World {
    engine: Engine,
    clock: Arc<ManualClock>,
    outbox: Outbox,
    mail: Inbox,
    router: axum::Router,
    gateway: axum::Router,
    _dir: tempfile::TempDir,
}

const GATEWAY_SECRET: &str = "gateway-secret-0123456789";

struct Reply {
    status: StatusCode,
    headers: http::HeaderMap,
    body: String,
    bytes: usize,
}

/// A person with e-mail and SMS at once, then a phone call 10 minutes later.
async fn person(engine: &Engine, alias: &str, language: Locale) {
    let number = format!("+81900{}000000", alias.len());
    let channels = [
        (ChannelType::Email, format!("{alias}@example.co.jp")),
        (ChannelType::Sms, number.clone()),
        (ChannelType::Voice, number),
    ];
    let contact =
        Contact { alias: alias.into(), display_name: alias.into(), kind: ContactType::Personal, plan: Plan::default() };
    engine.put_contact(SEED, contact.clone()).await.unwrap();
    let mut ids = Vec::new();
    for (kind, address) in channels {
        let ch = ContactChannel {
            id: String::new(),
            contact_id: alias.into(),
            name: format!("{kind:?}"),
            kind,
            address,
            activated: true,
        };
        ids.push(engine.add_channel(SEED, ch).await.unwrap().id);
    }
    let target = |i: usize| Target::Channel { channel_id: ids[i].clone(), retry_minutes: 0 };
    let plan = Plan {
        stages: vec![
            Stage { duration_minutes: 10, targets: vec![target(0), target(1)] },
            Stage { duration_minutes: 0, targets: vec![target(2)] },
        ],
        rotation_ids: vec![],
    };
    engine.put_contact(SEED, Contact { plan, ..contact }).await.unwrap();
    let db = engine.database();
    let mut conn = db.writer().acquire().await.unwrap();
    links::set_language_in(&mut conn, alias, language, 0).await.unwrap();
}

async fn world() -> World {
    let (db, dir) = common::test_db().await;
    let clock = ManualClock::new(t0());
    let engine = Engine::new(db.clone(), clock.clone());
    person(&engine, "tanaka", Locale::Ja).await;
    person(&engine, "emily", Locale::En).await;
    let (url, mail) = smtp_sink().await;
    let smtp = server::engine::outbox::smtp(&url, "On-call <oncall@example.com>").unwrap();
    let outbox = engine.outbox_sender(Transports::new(Some(smtp), None).with_base_url(ORIGIN));
    let state = AckState {
        db,
        backend: Arc::new(LocalBackend { engine: engine.clone() }),
        clock: clock.clone(),
        origin: ORIGIN.into(),
        trusted_proxy_hops: 0,
        limiter: Arc::new(Limiter::default()),
    };
    let gateway = server::gateway::routes(server::gateway::GatewayState {
        engine: engine.clone(),
        secret: Some(GATEWAY_SECRET.into()),
    });
    World { engine, clock, outbox, mail, router: server::ack::routes(state), gateway, _dir: dir }
}

impl World {
    async fn page(&self, who: &str, token: &str) -> String {
        let req = EngagementRequest {
            contact: who.into(),
            sender: "cloudwatch".into(),
            subject: "[Impact 1] 決済APIのエラー率上昇".into(),
            content: "決済APIの5xxが5%を超えています。".into(),
            idempotency_token: Some(token.into()),
            ..EngagementRequest::default()
        };
        let id = self.engine.start_engagement(req).await.unwrap();
        self.run().await;
        id
    }

    async fn run(&self) {
        while self.engine.run_due().await.unwrap() > 0 {}
        self.outbox.run_due().await.unwrap();
    }

    async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Reply { status, headers, bytes: bytes.len(), body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    async fn get(&self, path: &str, method: &str) -> Reply {
        let req = Request::builder().method(method).uri(path).header(header::ACCEPT_LANGUAGE, "en-US");
        self.send(req.body(Body::empty()).unwrap()).await
    }

    async fn press(&self, path: &str, origin: Option<&str>) -> Reply {
        let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        self.send(req.header(header::USER_AGENT, "phone-test").body(Body::empty()).unwrap()).await
    }

    /// The tap as a browser sends it from the page: `Referrer-Policy: no-referrer` makes its
    /// Origin `null`, and `Sec-Fetch-Site` (which no page can set) says where it came from.
    async fn tap(&self, path: &str, fetch_site: &str) -> Reply {
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, "null")
            .header("sec-fetch-site", fetch_site)
            .header(header::USER_AGENT, "phone-test");
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// Every `/a/…` path in the mail to `to`.
    fn links_in_mail(&self, to: &str) -> Vec<String> {
        let mail = self.mail.lock().unwrap();
        let mut found = Vec::new();
        for m in mail.iter().filter(|m| m.to.contains(to)) {
            let data = m.data.replace("=\n", "");
            let mut rest = data.as_str();
            while let Some(i) = rest.find("/a/") {
                let token: String =
                    rest[i + 3..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
                if links::well_formed(&token) && !found.contains(&format!("/a/{token}")) {
                    found.push(format!("/a/{token}"));
                }
                rest = &rest[i + 3..];
            }
        }
        found
    }

    /// Posts to the gateway hook; returns the status and the JSON answer.
    async fn gateway(&self, secret: &str, body: serde_json::Value) -> (StatusCode, serde_json::Value) {
        let req = Request::post("/hooks/gateway")
            .header(header::AUTHORIZATION, format!("Bearer {secret}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let res = self.gateway.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
    }

    async fn sms(&self, from: &str, text: &str) -> serde_json::Value {
        let (status, answer) =
            self.gateway(GATEWAY_SECRET, serde_json::json!({"type": "sms", "from": from, "text": text})).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        answer
    }

    async fn read(&self, engagement: &str) -> bool {
        self.engine.pages(engagement).await.unwrap()[0].read_at.is_some()
    }

    async fn delivery_kinds(&self) -> Vec<String> {
        let mut kinds: Vec<String> =
            self.engine.outbox(100).await.unwrap().into_iter().map(|d| d.kind.to_string()).collect();
        kinds.sort();
        kinds
    }
}

#[tokio::test]
async fn a_link_acknowledges_once_and_stops_the_escalation() {
    let w = world().await;
    let engagement = w.page("tanaka", "alarm-1").await;
    let links = w.links_in_mail("tanaka");
    assert_eq!(links.len(), 1, "one personal link in the e-mail");
    let link = &links[0];

    // A scanner opens every URL in the mail, with GET and HEAD: nothing is acknowledged.
    for method in ["GET", "HEAD", "GET"] {
        let r = w.get(link, method).await;
        assert_eq!(r.status, StatusCode::OK, "{method}");
    }
    let pages = w.engine.pages(&engagement).await.unwrap();
    assert!(pages[0].read_at.is_none() && pages[0].delivered_at.is_none(), "a GET records nothing");

    // The page: Japanese for a Japanese contact (whatever the browser says), no script, small.
    let r = w.get(link, "GET").await;
    assert!(r.body.starts_with("<!doctype html><html lang=\"ja\""), "{}", r.body);
    assert!(r.body.contains("決済APIのエラー率上昇") && r.body.contains("対応する"), "{}", r.body);
    assert!(!r.body.contains("<script") && !r.body.contains(".wasm"), "no script, no WASM");
    assert!(r.bytes <= 14 * 1024, "{} bytes", r.bytes);
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(r.headers[header::REFERRER_POLICY], "no-referrer");

    // A POST from elsewhere is refused and changes nothing.
    assert_eq!(w.press(link, Some("https://evil.example")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(w.press(link, None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(w.tap(link, "cross-site").await.status, StatusCode::FORBIDDEN);
    assert!(w.engine.pages(&engagement).await.unwrap()[0].read_at.is_none());

    // Pressing Acknowledge stops the escalation: the phone call 10 minutes on never comes.
    let r = w.tap(link, "same-origin").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("data-testid=\"ack-done\"") && r.body.contains("tanaka"), "{}", r.body);
    w.clock.advance(Duration::minutes(15));
    w.run().await;
    assert_eq!(w.delivery_kinds().await, ["email", "sms"], "no voice call after acknowledging");
    let e = w.engine.engagement(&engagement).await.unwrap();
    assert!(e.summary.stopped_at.is_some(), "the engagement stopped");
    let receipts = w.engine.receipts(&engagement).await.unwrap();
    assert!(receipts.iter().any(|r| r.kind.as_str() == "read" && r.info.as_deref() == Some("via link")));

    // Again: already acknowledged, 200; the link's use is in the audit log with who and how.
    let again = w.press(link, Some(ORIGIN)).await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(again.body.contains("対応済み") && again.body.contains("tanaka"), "{}", again.body);
    let audit: Vec<(String, String)> =
        sqlx::query_as("SELECT actor, after_json FROM audit_log WHERE entity = 'page_acknowledgement'")
            .fetch_all(&w.engine.database().pool)
            .await
            .unwrap();
    assert_eq!(audit.len(), 1, "recorded once");
    assert_eq!(audit[0].0, "recipient:tanaka");
    assert!(audit[0].1.contains("phone-test") && audit[0].1.contains("\"via\":\"link\""), "{}", audit[0].1);
}

/// The tap, sent with a form body (the stop button's `action=stop`) and cookies.
async fn tap_with(w: &World, path: &str, body: &str, cookie: &str) -> Reply {
    let req = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "null")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, cookie)
        .header(header::USER_AGENT, "phone-test");
    w.send(req.body(Body::from(body.to_owned())).unwrap()).await
}

/// "Tanaka first, then Emily a minute later": with the stage's switch on (the editor's default)
/// tanaka's tap stops it and the page says so; with it off, the page says Emily is paged next
/// and when (in the reader's zone), Emily is paged, and "stop paging the others" stops it.
#[tokio::test]
async fn the_page_says_what_an_acknowledgement_did_and_can_stop_the_others() {
    use app::domain::plan_form::PlanForm;
    for (plan, stops) in [("stops", true), ("goes-on", false)] {
        let w = world().await;
        let stages = if stops { "1: tanaka\n1: emily" } else { "1: tanaka~\n1: emily" };
        let form =
            PlanForm { alias: plan.into(), display_name: plan.into(), stages: stages.into(), repeat: "1".into() };
        w.engine.put_contact(SEED, form.parse().unwrap()).await.unwrap();
        let engagement = w.page(plan, plan).await;
        let link = w.links_in_mail("tanaka").remove(0);
        let before = w.get(&link, "GET").await.body;
        let consequence = if stops {
            "押すとエスカレーションが止まり"
        } else {
            "エスカレーションは続きます"
        };
        assert!(before.contains(consequence), "{plan}: {before}");
        // The reader's browser is in New York (its cookie, from the console's own pages).
        let r = tap_with(&w, &link, "", "tz=America%2FNew_York").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let standing = r.body.split("data-testid=\"ack-standing\">").nth(1).unwrap().split("</p>").next().unwrap();
        if stops {
            assert!(standing.contains("エスカレーションは止まりました"), "{standing}");
            assert!(!r.body.contains("data-testid=\"ack-stop\""), "nothing to stop");
            w.clock.advance(Duration::minutes(2));
            w.run().await;
            assert!(w.links_in_mail("emily").is_empty(), "emily is never paged");
            continue;
        }
        // Goes on: emily at +1 min, 13:01 in New York (18:01 UTC), said truthfully, with the stop.
        assert!(standing.contains("emily が呼び出されます") && standing.contains("13:01 EST"), "{standing}");
        assert!(r.body.contains("data-testid=\"ack-stop\""), "{}", r.body);
        w.clock.advance(Duration::minutes(2));
        w.run().await;
        assert_eq!(w.links_in_mail("emily").len(), 1, "the next stage pages emily");
        let r = tap_with(&w, &link, "action=stop", "").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("tanaka がエスカレーションを止めました"), "{}", r.body);
        let e = w.engine.engagement(&engagement).await.unwrap();
        assert_eq!(e.summary.stop_reason.as_deref(), Some("stopped by tanaka after acknowledging"));
        let audit: Vec<String> =
            sqlx::query_scalar("SELECT actor FROM audit_log WHERE entity = 'engagement' AND action = 'stop'")
                .fetch_all(&w.engine.database().pool)
                .await
                .unwrap();
        assert_eq!(audit, ["recipient:tanaka"]);
        // Emily's own page now says who stopped it, in English.
        let emily = w.links_in_mail("emily").remove(0);
        let r = w.get(&emily, "GET").await;
        assert!(r.body.contains("The escalation was stopped by tanaka"), "{}", r.body);
    }
}

#[tokio::test]
async fn without_an_acknowledgement_the_next_stage_calls() {
    let w = world().await;
    w.page("tanaka", "alarm-2").await;
    w.clock.advance(Duration::minutes(10));
    w.run().await;
    assert_eq!(w.delivery_kinds().await, ["email", "sms", "voice"]);
}

#[tokio::test]
async fn an_english_contact_reads_english() {
    let w = world().await;
    w.page("emily", "alarm-3").await;
    let link = w.links_in_mail("emily").remove(0);
    let r = w.get(&link, "GET").await;
    assert!(r.body.contains("lang=\"en\"") && r.body.contains(">Acknowledge</button>"), "{}", r.body);
    let mail = w.mail.lock().unwrap().iter().find(|m| m.to.contains("emily")).unwrap().clone();
    assert!(mail.subject.starts_with("[Action needed]"), "{}", mail.subject);
}

#[tokio::test]
async fn tampered_expired_and_overused_links_get_their_own_answers() {
    let w = world().await;
    w.page("emily", "alarm-4").await;
    let link = w.links_in_mail("emily").remove(0);
    // One character changed: unknown, in the browser's language, saying what to do instead.
    let mut tampered = link.clone().into_bytes();
    let last = tampered.len() - 1;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let r = w.get(&String::from_utf8(tampered).unwrap(), "GET").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("not valid") && r.body.contains("Sign in"), "{}", r.body);
    assert_eq!(w.get("/a/not-a-token", "GET").await.status, StatusCode::NOT_FOUND);
    // 24 hours on, the link has expired: 410, and pressing does nothing.
    w.clock.advance(Duration::hours(24));
    let r = w.get(&link, "GET").await;
    assert_eq!(r.status, StatusCode::GONE, "{}", r.body);
    assert!(r.body.contains("expired"), "{}", r.body);
    assert_eq!(w.press(&link, Some(ORIGIN)).await.status, StatusCode::GONE);
    // A page whose engagement was stopped (the incident lead took over): 410 too.
    let stopped = w.page("emily", "alarm-5").await;
    w.engine
        .stop_engagement(server::audit::Actor::System("test"), &stopped, "handled by the incident lead")
        .await
        .unwrap();
    let ended = w.links_in_mail("emily").into_iter().find(|l| *l != link).unwrap();
    let r = w.get(&ended, "GET").await;
    assert_eq!(r.status, StatusCode::GONE, "{}", r.body);
    assert!(r.body.contains("data-testid=\"ack-ended\""), "{}", r.body);
    // Ten requests a minute per token (two made above), then 429.
    let statuses: Vec<StatusCode> = {
        let mut s = Vec::new();
        for _ in 0..8 {
            s.push(w.get(&link, "HEAD").await.status);
        }
        s
    };
    assert!(statuses.iter().all(|s| *s != StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    assert_eq!(w.get(&link, "GET").await.status, StatusCode::TOO_MANY_REQUESTS);
}

/// A console in AWS mode (its own database, outbox and mail) over the SSM API of an engine that
/// plays Incident Manager, with tanaka (Japanese) on it.
struct AwsWorld {
    api: common::ssm::SsmServer,
    aws: server::aws_backend::AwsBackend,
    outbox: Outbox,
    mail: Inbox,
    router: axum::Router,
}

fn manager() -> CurrentUser {
    CurrentUser { id: 1, username: "hana".into(), display_name: "Hana".into(), role: Role::Manager, contact: None }
}

async fn aws_world(db: &server::db::Db) -> AwsWorld {
    let api = common::ssm::SsmServer::start(db).await;
    person(&api.engine, "tanaka", Locale::Ja).await;
    // The AWS-mode console keeps the person's language in its own database.
    let mut conn = api.console_db.writer().acquire().await.unwrap();
    links::set_language_in(&mut conn, "tanaka", Locale::Ja, 0).await.unwrap();
    drop(conn);
    let aws = api.aws_backend().await;
    let console = Engine::new(api.console_db.clone(), api.clock.clone());
    let (url, mail) = smtp_sink().await;
    let smtp = server::engine::outbox::smtp(&url, "On-call <oncall@example.com>").unwrap();
    let outbox = console.outbox_sender(Transports::new(Some(smtp), None).with_base_url(ORIGIN));
    let state = AckState {
        db: api.console_db.clone(),
        backend: api.backend(common::ssm::Mode::Aws).await,
        clock: api.clock.clone(),
        origin: ORIGIN.into(),
        trusted_proxy_hops: 0,
        limiter: Arc::new(Limiter::default()),
    };
    AwsWorld { router: server::ack::routes(state), api, aws, outbox, mail }
}

impl AwsWorld {
    /// Incident Manager pages; the watcher notices; the console's outbox sends. The link in the
    /// newest e-mail.
    async fn link_after_paging(&self) -> String {
        self.api.run_due().await;
        let notices = self.aws.notices();
        assert_eq!(notices.run_once().await.unwrap(), 1, "the page is noticed");
        assert_eq!(notices.run_once().await.unwrap(), 0, "once");
        self.outbox.run_due().await.unwrap();
        let text = self.mail.lock().unwrap().last().expect("an e-mail").data.replace("=\n", "");
        let start = text.find("/a/").expect("the e-mail carries the link") + 3;
        let token: String = text[start..].chars().take(22).collect();
        assert!(links::well_formed(&token), "{token}");
        format!("/a/{token}")
    }

    async fn call(&self, req: Request<Body>) -> (StatusCode, String) {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        (status, String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned())
    }
}

#[tokio::test]
async fn in_aws_mode_the_console_sends_the_link_and_it_accepts_with_accept_page() {
    let (db, _dir) = common::test_db().await;
    let w = aws_world(&db).await;
    let start = EngagementStart {
        contact: "tanaka".into(),
        sender: "cloudwatch".into(),
        subject: "[Impact 1] 決済APIのエラー率上昇".into(),
        content: "決済APIの5xxが5%を超えています。".into(),
        ..EngagementStart::default()
    };
    let engagement_arn = w.aws.start_engagement(&manager(), start).await.unwrap();
    let link = w.link_after_paging().await;
    // The console's notice: e-mail and SMS, not a second call; the Deliveries page shows them.
    let kinds: Vec<String> = sqlx::query_scalar("SELECT channel_kind FROM deliveries ORDER BY channel_kind")
        .fetch_all(&w.api.console_db.pool)
        .await
        .unwrap();
    assert_eq!(kinds, ["email", "sms"]);
    let listed = w.aws.deliveries(50).await.unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed.iter().all(|d| d.contact.as_deref() == Some("tanaka")), "{listed:?}");

    let (status, body) = w.call(Request::get(&link).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("lang=\"ja\"") && body.contains("決済APIのエラー率上昇"), "{body}");
    assert!(body.contains("決済APIの5xxが5%を超えています。"), "the summary is shown: {body}");
    let (status, body) = w.call(Request::post(&link).header(header::ORIGIN, ORIGIN).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("ack-done"), "{body}");
    // AcceptPage reached Incident Manager with the code not checked, and the escalation stopped.
    let engagement = engagement_arn.rsplit('/').next().unwrap();
    let receipts = w.api.engine.receipts(engagement).await.unwrap();
    assert!(
        receipts.iter().any(|r| r.kind.as_str() == "read" && r.info.as_deref() == Some("via link")),
        "{receipts:?}"
    );
    assert!(w.api.engine.engagement(engagement).await.unwrap().summary.stopped_at.is_some());
}

#[tokio::test]
async fn in_aws_mode_an_incidents_pages_get_the_link_and_its_timeline_says_who_acknowledged() {
    let (db, _dir) = common::test_db().await;
    let w = aws_world(&db).await;
    let plan = app::domain::incident::ResponsePlan {
        name: "sev1".into(),
        display_name: "Sev 1".into(),
        template: app::domain::incident::IncidentTemplate {
            title: "決済APIのエラー率上昇".into(),
            impact: 1,
            summary: "5xx above 5%".into(),
            dedupe_string: String::new(),
        },
        engagements: vec!["tanaka".into()],
        notification_targets: vec![],
    };
    w.aws.create_response_plan(&manager(), plan).await.unwrap();
    let start = app::ports::IncidentStart { response_plan: "sev1".into(), ..app::ports::IncidentStart::default() };
    let incident = w.aws.start_incident(&manager(), start).await.unwrap();
    let link = w.link_after_paging().await;
    let (status, body) = w.call(Request::post(&link).header(header::ORIGIN, ORIGIN).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Incident Manager's timeline (the engine's, behind the API) names who acknowledged, and how.
    let id = incident.rsplit('.').next().unwrap();
    let timeline = w.api.engine.timeline(id).await.unwrap();
    assert!(timeline.iter().any(|e| e.data.contains("Page acknowledged by tanaka via link")), "{timeline:?}");
    // The incident's timeline in the console lists the notice the console sent for the page.
    let detail = w.aws.incident(&incident).await.unwrap();
    let sent = w.aws.incident_deliveries(&detail).await.unwrap();
    assert!(!sent.is_empty() && sent.iter().all(|d| d.contact.as_deref() == Some("tanaka")), "{sent:?}");
}

const TANAKA: &str = "+819006000000";
const EMILY: &str = "+819005000000";

#[tokio::test]
async fn an_sms_reply_with_the_code_or_1_acknowledges() {
    let w = world().await;
    let first = w.page("tanaka", "sms-1").await;
    let second = w.page("tanaka", "sms-2").await;
    // Two pages open: "1" is ambiguous, a wrong code matches nothing; neither changes anything.
    let a = w.sms(TANAKA, "1").await;
    assert_eq!((a["result"].as_str(), a["language"].as_str()), (Some("ambiguous"), Some("ja")), "{a}");
    assert!(a["reply"].as_str().unwrap().contains("2件"), "{a}");
    assert_eq!(w.sms(TANAKA, "000000").await["result"], "no_match");
    assert!(!w.read(&first).await && !w.read(&second).await);
    // The first page's code acknowledges that page only, and says so in Japanese.
    let code = w.engine.pages(&first).await.unwrap()[0].accept_code.clone();
    let a = w.sms("+81 90-0600-0000", &format!(" {code} ")).await;
    assert_eq!(a["result"], "acknowledged", "{a}");
    assert!(a["reply"].as_str().unwrap().contains("受け付けました"), "{a}");
    assert!(w.read(&first).await && !w.read(&second).await);
    // Now one is open: "1" takes it.
    assert_eq!(w.sms(TANAKA, "1").await["result"], "acknowledged");
    assert!(w.read(&second).await);
    assert_eq!(w.sms(TANAKA, "1").await["result"], "nothing_open");
    let receipts = w.engine.receipts(&second).await.unwrap();
    assert!(receipts.iter().any(|r| r.info.as_deref() == Some("by SMS reply")), "{receipts:?}");
    let audit: Vec<(String, String)> =
        sqlx::query_as("SELECT actor, after_json FROM audit_log WHERE entity = 'page_acknowledgement'")
            .fetch_all(&w.engine.database().pool)
            .await
            .unwrap();
    assert_eq!(audit.len(), 2, "both SMS acknowledgements: {audit:?}");
    assert!(audit.iter().all(|(actor, after)| actor == "recipient:tanaka" && after.contains("\"via\":\"sms\"")));
    // A number nobody has; English for an English contact.
    assert_eq!(w.sms("+15550000000", "1").await["result"], "unknown_number");
    w.page("emily", "sms-3").await;
    let a = w.sms(EMILY, "1").await;
    assert!(a["reply"].as_str().unwrap().starts_with("Acknowledged"), "{a}");
}

#[tokio::test]
async fn a_key_press_acknowledges_and_other_keys_change_nothing() {
    let w = world().await;
    let engagement = w.page("tanaka", "call-1").await;
    w.clock.advance(Duration::minutes(10));
    w.run().await;
    let call_id: String = sqlx::query_scalar("SELECT idempotency_key FROM deliveries WHERE channel_kind = 'voice'")
        .fetch_one(&w.engine.database().pool)
        .await
        .unwrap();
    let press =
        |digit: &'static str| serde_json::json!({"type": "keypress", "call_id": call_id.clone(), "digit": digit});
    let (_, a) = w.gateway(GATEWAY_SECRET, press("9")).await;
    assert_eq!(a["result"], "ignored", "{a}");
    let (_, a) = w.gateway(GATEWAY_SECRET, press("2")).await;
    assert_eq!(a["result"], "repeat");
    assert!(
        a["reply"].as_str().unwrap().starts_with("[影響度 1] 決済APIのエラー率上昇"),
        "in the person's language: {a}"
    );
    assert!(!w.read(&engagement).await, "keys other than 1 change nothing");
    let (_, a) = w.gateway(GATEWAY_SECRET, press("1")).await;
    assert_eq!(a["result"], "acknowledged", "{a}");
    assert!(w.read(&engagement).await);
    let unknown = serde_json::json!({"type": "keypress", "call_id": "nope", "digit": "1"});
    assert_eq!(w.gateway(GATEWAY_SECRET, unknown).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_gateway_hook_refuses_a_bad_secret_and_bad_json() {
    let w = world().await;
    let engagement = w.page("tanaka", "sec-1").await;
    let body = serde_json::json!({"type": "sms", "from": TANAKA, "text": "1"});
    let (status, a) = w.gateway("wrong-secret-0123456789", body.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{a}");
    assert!(!w.read(&engagement).await);
    let (status, a) = w.gateway(GATEWAY_SECRET, serde_json::json!({"type": "fax"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(a["error"].as_str().unwrap().contains("expected"), "{a}");
    // The SMS payload is in the person's language, with the link and where replies go.
    let (url, seen) = common::transports::hook(0, std::time::Duration::ZERO).await;
    let outbox = w.engine.outbox_sender(
        Transports::new(None, Some(url))
            .with_outbound(server::outbound::Outbound::with_loopback())
            .with_base_url(ORIGIN),
    );
    let req = EngagementRequest {
        contact: "tanaka".into(),
        sender: "cw".into(),
        subject: "ディスク容量不足".into(),
        content: "db-1".into(),
        ..EngagementRequest::default()
    };
    w.engine.start_engagement(req).await.unwrap();
    while w.engine.run_due().await.unwrap() > 0 {}
    outbox.run_due().await.unwrap();
    let sms = seen.lock().unwrap().iter().find(|r| r.json["kind"] == "sms").unwrap().json.clone();
    assert_eq!(sms["language"], "ja");
    assert!(sms["body"].as_str().unwrap().contains("/a/") && sms["reply_url"] == format!("{ORIGIN}/hooks/gateway"));
}

#[tokio::test]
async fn my_pages_lists_and_acknowledges_a_page_without_script() {
    use common::{TestConsole, form};
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    let user_id = c.create_user(&admin, "tanaka-user", "responder").await;
    let link = form(&[("user_id", &user_id.to_string()), ("contact", "tanaka")]);
    assert!(c.call("admin_set_contact", &link, Some(&admin)).await.status.is_success());
    let me = c.login("tanaka-user", &common::password_of("tanaka-user")).await;

    // A page for tanaka (demo data: e-mail and SMS first), run by the console's own worker.
    let engine = Engine::new(c.db.clone(), Arc::new(server::clock::SystemClock));
    let req = EngagementRequest {
        contact: "tanaka".into(),
        sender: "cw".into(),
        subject: "Checkout errors".into(),
        content: "5xx above 5%".into(),
        ..EngagementRequest::default()
    };
    let engagement = engine.start_engagement(req).await.unwrap();
    for _ in 0..100 {
        if !engine.pages(&engagement).await.unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let page = c.get("/me", Some(&me)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("data-testid=\"me-open\"") && page.body.contains("Checkout errors"), "{}", page.body);
    assert!(!page.body.contains(".wasm"), "no WASM on /me");
    let page_id = engine.pages(&engagement).await.unwrap().remove(0).id;

    // The page's own button, posted as a browser without script does.
    let r = c.submit("me_acknowledge", &form(&[("page_id", &page_id)]), "/me", Some(&me)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.get("/me", Some(&me)).await;
    assert!(page.body.contains("data-testid=\"me-nothing-open\""), "{}", page.body);
    assert!(engine.engagement(&engagement).await.unwrap().summary.stopped_at.is_some());
    // Not twice, and not someone else's page.
    let again = c.call("me_acknowledge", &form(&[("page_id", &page_id)]), Some(&me)).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.body);
    let other = c.call("me_acknowledge", &form(&[("page_id", "not-mine")]), Some(&me)).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);

    // The language of their pages.
    assert!(c.call("me_language", &form(&[("language", "ja")]), Some(&me)).await.status.is_success());
    let page = c.get("/me", Some(&me)).await;
    assert!(page.body.contains("<option value=\"ja\" selected"), "{}", page.body);
    assert_eq!(c.call("me_language", &form(&[("language", "fr")]), Some(&me)).await.status, StatusCode::BAD_REQUEST);
}
