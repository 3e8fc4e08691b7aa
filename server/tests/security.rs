//! The attacks of an adversarial test, each reproduced against the console's own binary on
//! loopback and shown refused: a `javascript:` alert link, pages without a script policy, an open
//! redirect after sign-in, webhooks pointed into the console's network, a replayed SigV4
//! signature naming another operation, slow clients holding connections, and the smaller ones
//! (formula cells, calendar line injection, someone else's note, sign-in lockout, Markdown with
//! HTML). The SNS certificate URL cases are in `sns.rs`, CSV and Markdown escaping also as unit
//! tests (`app::domain::analytics`, `app::domain::review`).

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::binary::{Answer, Binary};
use common::form;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// An integration of `kind` made through the console's server function: (door URL, secret).
async fn integration(console: &Binary, admin: &str, kind: &str) -> (String, String) {
    let r = console.call("alerts_create_integration", &form(&[("name", kind), ("kind", kind)]), Some(admin)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let issued = r.json();
    let path = issued["url"].as_str().unwrap().split("/ingest/").nth(1).unwrap().to_owned();
    (format!("{}/ingest/{path}", console.url), issued["secret"].as_str().unwrap().to_owned())
}

async fn post_alert(door: &(String, String), body: &str) -> Answer {
    let res = Binary::http()
        .post(&door.0)
        .header("authorization", format!("Bearer {}", door.1))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    Binary::read(res).await
}

/// The id of the newest alert titled `title`, once it is stored.
async fn alert_id(console: &Binary, admin: &str, title: &str) -> String {
    for _ in 0..200 {
        let list = console.call("alerts_list", &form(&[("status", ""), ("outcome", "")]), Some(admin)).await.json();
        if let Some(a) = list.as_array().unwrap().iter().find(|a| a["title"] == title) {
            return a["id"].as_str().unwrap().to_owned();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("alert {title} was not stored");
}

/// Every `href="…"` in a page.
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"").skip(1).filter_map(|s| s.split('"').next()).map(str::to_owned).collect()
}

#[tokio::test]
async fn alert_links_are_links_only_when_they_are_web_addresses() {
    let console = Binary::start(&[]).await;
    let admin = console.admin().await;
    let webhook = integration(&console, &admin, "webhook").await;
    let hostile = r#"{"title":"Disk full","severity":"critical","runbook":"javascript:fetch('/api/admin_issue_api_key',{method:'POST'})","url":" JavaScript:alert(1)","link":"data:text/html,<script>alert(1)</script>","dashboard":"https://grafana.example.com/d/disk"}"#;
    assert_eq!(post_alert(&webhook, hostile).await.status, 202);
    let am = integration(&console, &admin, "alertmanager").await;
    let group = r#"{"version":"4","status":"firing","externalURL":"javascript:alert(2)","alerts":[{"status":"firing","labels":{"alertname":"CpuHigh","severity":"critical"},"annotations":{"summary":"CPU"},"startsAt":"2026-12-01T00:00:00Z","generatorURL":"java\tscript:alert(3)"}]}"#;
    assert_eq!(post_alert(&am, group).await.status, 202);

    for title in ["Disk full", "CpuHigh"] {
        let id = alert_id(&console, &admin, title).await;
        let page = console.get(&format!("/routing/alerts/{id}"), Some(&admin)).await;
        assert_eq!(page.status, 200);
        for href in hrefs(&page.body) {
            assert!(href.starts_with('/') || href.starts_with("https://"), "{title}: a link to {href:?}");
        }
        // The refused addresses are still shown, as text.
        assert!(page.body.contains("data-testid=\"alert-link-text\""), "{}", page.body);
    }
    let disk =
        console.get(&format!("/routing/alerts/{}", alert_id(&console, &admin, "Disk full").await), Some(&admin)).await;
    assert!(disk.body.contains("href=\"https://grafana.example.com/d/disk\""), "the web link stays a link");
    assert!(
        disk.body.contains("javascript:fetch(&#x27;/api/admin_issue_api_key&#x27;")
            || disk.body.contains("javascript:fetch('/api/admin_issue_api_key'")
    );
}

#[tokio::test]
async fn every_route_has_security_headers_and_pages_a_script_policy_with_a_nonce() {
    let console = Binary::start(&["--base-url", "https://oncall.example.test"]).await;
    let admin = console.admin().await;
    let webhook = integration(&console, &admin, "webhook").await;
    let ingest = Binary::read(Binary::http().post(&webhook.0).body("{}").send().await.unwrap()).await;
    assert_eq!(ingest.status, 401);
    let css = console.get("/login", None).await.body;
    let css = css.split("href=\"/pkg/").nth(1).and_then(|s| s.split('"').next()).map(|s| format!("/pkg/{s}"));
    let mut routes: Vec<(String, Answer)> = vec![("POST /ingest (401)".into(), ingest)];
    for path in
        ["/login", "/", "/escalation/new-plan", "/metrics", "/healthz", "/readyz", "/no-such-page", "/a/not-a-token"]
            .into_iter()
            .map(str::to_owned)
            .chain(css)
    {
        routes.push((path.clone(), console.get(&path, Some(&admin)).await));
    }
    routes.push(("POST /api/whoami".into(), console.call("whoami", "", Some(&admin)).await));
    for (route, answer) in &routes {
        for (name, value) in [
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
            ("strict-transport-security", "max-age=31536000"),
        ] {
            assert_eq!(answer.header(name), value, "{route}: {name}");
        }
        let csp = answer.header("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{route}: {csp}");
        let html = answer.header("content-type").starts_with("text/html");
        if html && !route.starts_with("/a/") {
            // A console page: scripts from the console and inline ones carrying this response's
            // nonce, nothing else; every inline script on the page carries it.
            let nonce = csp.split("'nonce-").nth(1).and_then(|s| s.split('\'').next()).unwrap_or_default();
            assert!(nonce.len() >= 16, "{route}: {csp}");
            assert!(csp.contains(&format!("script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval';")), "{route}: {csp}");
            assert!(!csp.contains("unsafe-inline") && csp.contains("default-src 'self'"), "{route}: {csp}");
            let scripts = answer.body.matches("<script").count();
            assert!(scripts >= 1, "{route}: the zone script at least");
            assert_eq!(answer.body.matches(&format!("nonce=\"{nonce}\"")).count(), scripts, "{route}: {}", answer.body);
        } else if !html {
            assert!(csp.starts_with("default-src 'none'"), "{route}: {csp}");
        }
    }
    // Each response its own nonce.
    let nonce = |a: &Answer| a.header("content-security-policy").split("'nonce-").nth(1).unwrap_or_default().to_owned();
    assert_ne!(nonce(&console.get("/login", None).await), nonce(&console.get("/login", None).await));
    // The acknowledge page keeps its own, stricter policy.
    let ack = routes.iter().find(|(r, _)| r.starts_with("/a/")).unwrap();
    assert!(ack.1.header("content-security-policy").starts_with("default-src 'none'"));
    // Without https, no HSTS (a browser would refuse the console for a year).
    let plain = Binary::start(&[]).await;
    assert_eq!(plain.get("/login", None).await.header("strict-transport-security"), "");
}

#[tokio::test]
async fn sign_in_never_sends_anyone_to_another_site() {
    let console = Binary::start(&[]).await;
    let hostile = [
        "/\t/evil.example/phish",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/\n/evil.example",
        "/\r/evil.example",
        "/\u{b}/evil.example",
        "/\r\nSet-Cookie: stolen=1",
    ];
    for next in hostile {
        let fields = form(&[("username", "admin"), ("password", common::ADMIN_PASSWORD), ("next", next)]);
        // As a script calls it, and as a browser without script posts the form.
        let called = console.call("login", &fields, None).await;
        assert!(called.status < 400, "{next:?}: {} {}", called.status, called.body);
        assert!(matches!(called.header("location").as_str(), "" | "/"), "{next:?}: {}", called.header("location"));
        let posted = Binary::read(
            Binary::http()
                .post(format!("{}/api/login", console.url))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "text/html")
                .header("origin", &console.origin)
                .body(fields)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!((posted.status, posted.header("location").as_str()), (303, "/"), "{next:?}");
    }
    // A local path still works, and the console is still up (no panic dropped a connection).
    let fields = form(&[("username", "admin"), ("password", common::ADMIN_PASSWORD), ("next", "/rotations?q=田中")]);
    let called = console.call("login", &fields, None).await;
    assert_eq!(called.header("location"), "/rotations?q=%E7%94%B0%E4%B8%AD");
    assert_eq!(console.get("/healthz", None).await.status, 200);
}

/// A loopback HTTP server counting the requests it gets, answering with `status` and `location`.
async fn target(status: u16, location: Option<String>) -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = vec![0u8; 8192];
            let n = socket.read(&mut buf).await.unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or_default().to_owned();
            log.lock().unwrap().push(head);
            let location = location.as_ref().map(|l| format!("Location: {l}\r\n")).unwrap_or_default();
            let answer = format!("HTTP/1.1 {status} X\r\n{location}Content-Length: 0\r\nConnection: close\r\n\r\n");
            let _ = socket.write_all(answer.as_bytes()).await;
        }
    });
    (url, seen)
}

/// Declares an incident from a new response plan notifying `webhooks`; the deliveries to them,
/// once each was tried (sent, failed, or waiting to be tried again).
async fn notify(console: &Binary, admin: &str, name: &str, webhooks: &[String]) -> Vec<serde_json::Value> {
    let plan = form(&[
        ("name", name),
        ("base", ""),
        ("display_name", name),
        ("title", name),
        ("impact", "3"),
        ("summary", ""),
        ("dedupe_string", ""),
        ("slack", ""),
        ("webhooks", &webhooks.join("\n")),
    ]);
    let r = console.call("response_plans_save", &plan, Some(admin)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let declare = form(&[("response_plan", name), ("title", name), ("impact", ""), ("summary", "")]);
    let r = console.call("incidents_declare", &declare, Some(admin)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    for _ in 0..300 {
        let all = console.call("oncall_deliveries", "", Some(admin)).await.json();
        let ours: Vec<serde_json::Value> = all
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["subject"].as_str().is_some_and(|s| s.contains(name)) && d["kind"] == "webhook")
            .cloned()
            .collect();
        // Done, or tried once and waiting to retry.
        let tried =
            |d: &serde_json::Value| d["status"] == "sent" || d["status"] == "failed" || d["last_error"].is_string();
        if ours.len() == webhooks.len() && ours.iter().all(tried) {
            return ours;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("deliveries for {name} did not finish");
}

#[tokio::test]
async fn webhooks_reach_no_internal_address_and_follow_no_redirect() {
    // Policy as shipped: nothing internal. A live loopback target and the metadata address are
    // refused alike, said as "refused by policy" and nothing more.
    let console = Binary::start(&[]).await;
    let admin = console.admin().await;
    let (live, live_seen) = target(200, None).await;
    let targets =
        [format!("{live}/hook"), "https://169.254.169.254/latest/meta-data/".into(), "https://10.0.0.1/hook".into()];
    let deliveries = notify(&console, &admin, "internal", &targets).await;
    for d in &deliveries {
        assert_eq!(
            (d["status"].as_str(), d["last_error"].as_str()),
            (Some("failed"), Some("refused by policy")),
            "{d}"
        );
    }
    assert!(live_seen.lock().unwrap().is_empty(), "the live internal target was never contacted");
    let page = console.get("/deliveries", Some(&admin)).await.body;
    assert!(page.contains("refused by policy") && !page.contains("Connection refused"), "{page}");
    // User info reading as one host and going to another is refused when typed.
    let sneaky = form(&[
        ("name", "sneaky"),
        ("base", ""),
        ("display_name", "Sneaky"),
        ("title", "Sneaky"),
        ("impact", "3"),
        ("summary", ""),
        ("dedupe_string", ""),
        ("slack", ""),
        ("webhooks", "http://127.0.0.1:80@evil.example/hook"),
    ]);
    let r = console.call("response_plans_save", &sneaky, Some(&admin)).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("notification_targets.0"), "{}", r.body);
    drop(console);

    // With loopback allowed (a gateway on the same machine), a target answering with a redirect
    // to another internal address gets "HTTP 302": the redirect is not followed.
    let console = Binary::start(&["--outbound-allow", "127.0.0.1/32"]).await;
    let admin = console.admin().await;
    let (metadata, metadata_seen) = target(200, None).await;
    let (redirecting, redirect_seen) = target(302, Some(format!("{metadata}/latest/meta-data/iam"))).await;
    let deliveries = notify(&console, &admin, "redirect", &[format!("{redirecting}/hook")]).await;
    assert_eq!(redirect_seen.lock().unwrap().len(), 1, "the allowed target was called once");
    assert!(metadata_seen.lock().unwrap().is_empty(), "the redirect was not followed");
    assert_eq!(deliveries[0]["last_error"], "HTTP 302", "{:?}", deliveries[0]);
}

#[tokio::test]
async fn a_signature_must_cover_the_operation_it_names() {
    use server::ssm_api::sigv4;
    let console = Binary::start(&[]).await;
    let admin = console.admin().await;
    let key = console.call("admin_issue_api_key", &form(&[("name", "ci")]), Some(&admin)).await.json();
    let (id, secret) = (key["access_key_id"].as_str().unwrap(), key["secret_access_key"].as_str().unwrap());
    let arn = "arn:aws:ssm-contacts:ap-northeast-1:000000000000:contact/tanaka";
    let body = format!(r#"{{"ContactId":"{arn}"}}"#);
    let send = |target: &'static str, signed: &'static [&'static str], replay_as: Option<&'static str>| {
        let body = body.clone();
        let url = console.url.clone();
        async move {
            let mut headers = http::HeaderMap::new();
            headers.insert("host", url.trim_start_matches("http://").parse().unwrap());
            headers.insert("x-amz-date", chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string().parse().unwrap());
            headers.insert("content-type", "application/x-amz-json-1.1".parse().unwrap());
            headers.insert("x-amz-target", format!("SSMContacts.{target}").parse().unwrap());
            let req =
                sigv4::SignedRequest { method: "POST", path: "/", query: "", headers: &headers, body: body.as_bytes() };
            let auth = sigv4::sign(&req, id, secret, "ap-northeast-1", "ssm-contacts", signed);
            // A replay: the captured signature, another operation in the header.
            if let Some(other) = replay_as {
                headers.insert("x-amz-target", format!("SSMContacts.{other}").parse().unwrap());
            }
            let mut req = Binary::http().post(format!("{url}/")).header("authorization", auth);
            for (name, value) in &headers {
                if name != "host" {
                    req = req.header(name.as_str(), value.to_str().unwrap());
                }
            }
            Binary::read(req.body(body).send().await.unwrap()).await
        }
    };
    let all: &[&str] = &["content-type", "host", "x-amz-date", "x-amz-target"];
    let without_target: &[&str] = &["content-type", "host", "x-amz-date"];
    assert_eq!(send("GetContact", all, None).await.status, 200, "an SDK's request");
    let unsigned = send("GetContact", without_target, Some("DeleteContact")).await;
    assert_eq!(unsigned.status, 403, "{}", unsigned.body);
    assert!(unsigned.body.contains("x-amz-target must be signed"), "{}", unsigned.body);
    let replayed = send("GetContact", all, Some("DeleteContact")).await;
    assert_eq!(replayed.status, 403, "{}", replayed.body);
    assert_eq!(send("GetContact", all, None).await.status, 200, "the contact is still there");
}

/// Reads until the peer closes or answers; whether that happened within `limit`.
async fn closed_or_answered(socket: &mut TcpStream, limit: Duration) -> bool {
    let mut buf = [0u8; 1024];
    tokio::time::timeout(limit, socket.read(&mut buf)).await.is_ok()
}

#[tokio::test]
async fn slow_clients_are_cut_off_and_connections_are_capped() {
    let console = Binary::start(&["--header-timeout-secs", "1", "--body-timeout-secs", "2"]).await;
    let admin = console.admin().await;
    let addr = console.url.trim_start_matches("http://").to_owned();

    // Headers one line a second: cut off (a connection held for as long as it liked before).
    let mut slow = TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
    let trickle = async {
        for i in 0..30 {
            if slow.write_all(format!("X-Slow-{i}: 1\r\n").as_bytes()).await.is_err() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        false
    };
    assert!(tokio::time::timeout(Duration::from_secs(20), trickle).await.unwrap_or(false), "the slow head was cut off");

    // A kept-alive connection left idle is closed.
    let mut idle = TcpStream::connect(&addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut buf = [0u8; 1024];
    assert!(idle.read(&mut buf).await.unwrap() > 0, "answered");
    let mut rest = Vec::new();
    let eof = tokio::time::timeout(Duration::from_secs(20), idle.read_to_end(&mut rest)).await;
    assert!(eof.is_ok(), "the idle connection was closed");

    // A body one byte at a time: cut off too, while the door still refuses a bad secret at once,
    // without reading a body it announces as huge.
    let door = integration(&console, &admin, "webhook").await;
    let path = door.0.trim_start_matches(&console.url).to_owned();
    let mut body_slow = TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{{",
        door.1
    );
    body_slow.write_all(head.as_bytes()).await.unwrap();
    let drip = async {
        for _ in 0..150 {
            if body_slow.write_all(b" ").await.is_err() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            let mut peek = [0u8; 64];
            if let Ok(Ok(n)) = tokio::time::timeout(Duration::from_millis(1), body_slow.read(&mut peek)).await {
                return n == 0 || !String::from_utf8_lossy(&peek[..n]).starts_with("HTTP/1.1 2");
            }
        }
        false
    };
    assert!(tokio::time::timeout(Duration::from_secs(30), drip).await.unwrap_or(false), "the slow body was cut off");
    let mut huge = TcpStream::connect(&addr).await.unwrap();
    huge.write_all(
        format!("POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong\r\nContent-Length: 100000000\r\n\r\n")
            .as_bytes(),
    )
    .await
    .unwrap();
    let mut answer = [0u8; 64];
    let n =
        tokio::time::timeout(Duration::from_secs(5), huge.read(&mut answer)).await.expect("answered at once").unwrap();
    assert!(
        String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 401"),
        "{}",
        String::from_utf8_lossy(&answer[..n])
    );
    drop(console);

    // Two connections at most: a third waits until one closes, then is served.
    let capped = Binary::start(&["--max-connections", "2", "--header-timeout-secs", "60"]).await;
    let addr = capped.url.trim_start_matches("http://").to_owned();
    let first = TcpStream::connect(&addr).await.unwrap();
    let _second = TcpStream::connect(&addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut third = TcpStream::connect(&addr).await.unwrap();
    third.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
    assert!(!closed_or_answered(&mut third, Duration::from_secs(1)).await, "the third waits while two are open");
    drop(first);
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), third.read_to_end(&mut answer)).await.expect("served").unwrap();
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"), "{}", String::from_utf8_lossy(&answer));
    assert!(capped.log().contains("connection cap reached"), "{}", capped.log());
}

#[tokio::test]
async fn calendar_feeds_notes_and_exports_keep_outside_text_as_text() {
    let console = Binary::start(&[]).await;
    let admin = console.admin().await;
    // A rotation name with a line break is refused when typed…
    let rotation = |name: &str| {
        form(&[
            ("id", ""),
            ("base", "0"),
            ("name", name),
            ("members", "tanaka"),
            ("start", "2026-01-05T10:00"),
            ("time_zone", "Asia/Tokyo"),
            ("kind", "daily"),
            ("times", "10:00"),
            ("multiplier", "1"),
            ("number_on_call", "1"),
            ("coverage", ""),
        ])
    };
    let r = console.call("rotation_save", &rotation("Night\r\nBEGIN:VALARM\r\nTRIGGER:-PT5M"), Some(&admin)).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("\"name\""), "{}", r.body);
    // …and one stored before (or by another backend) cannot add lines to a calendar feed.
    assert_eq!(console.call("rotation_save", &rotation("Night"), Some(&admin)).await.status, 200);
    let db = console.db().await;
    sqlx::query("UPDATE rotations SET name = 'Night' || char(13) || char(10) || 'BEGIN:VALARM' || char(13) || char(10) || 'TRIGGER:-PT5M' WHERE name = 'Night'")
        .execute(db.writer())
        .await
        .or(sqlx::query("UPDATE rotations SET name = 'Night' || chr(13) || chr(10) || 'BEGIN:VALARM' || chr(13) || chr(10) || 'TRIGGER:-PT5M' WHERE name = 'Night'").execute(db.writer()).await)
        .unwrap();
    let rotations = console.call("oncall_rotations", "", Some(&admin)).await.json();
    let id =
        rotations.as_array().unwrap().iter().find(|r| r["name"].as_str().unwrap().starts_with("Night")).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let feed =
        console.call("feed_regenerate", &form(&[("kind", "rotation"), ("subject", &id)]), Some(&admin)).await.json();
    let feed_path = feed.as_str().unwrap().split("/calendar/").nth(1).unwrap().to_owned();
    let ics = console.get(&format!("/calendar/{feed_path}"), None).await.body;
    assert!(ics.contains("BEGIN:VEVENT"), "{ics}");
    assert!(!ics.split("\r\n").any(|l| l.starts_with("BEGIN:VALARM") || l.starts_with("TRIGGER")), "{ics}");
    assert!(!ics.replace("\r\n", "").contains('\r'), "no bare CR: {ics:?}");

    // Someone else's note: not a responder's to rewrite; a manager's edit says who edited it.
    let alice = console.user(&admin, "alice", "responder").await;
    let bob = console.user(&admin, "bob", "responder").await;
    let boss = console.user(&admin, "boss", "manager").await;
    let declare = form(&[("response_plan", "sev3-low"), ("title", "Queue slow"), ("impact", ""), ("summary", "")]);
    let incident = console.call("incidents_declare", &declare, Some(&alice)).await.json().as_str().unwrap().to_owned();
    let note = console
        .call("incidents_note", &form(&[("id", &incident), ("text", "Restarted the workers")]), Some(&alice))
        .await;
    let event = note.json().as_str().unwrap().to_owned();
    let edit = |text: &str| form(&[("id", &incident), ("event", &event), ("text", text)]);
    assert_eq!(console.call("incidents_edit_note", &edit("Alice did nothing"), Some(&bob)).await.status, 403);
    assert_eq!(
        console.call("incidents_delete_note", &form(&[("id", &incident), ("event", &event)]), Some(&bob)).await.status,
        403
    );
    assert_eq!(
        console.call("incidents_edit_note", &edit("Restarted the workers at 10:05"), Some(&alice)).await.status,
        200
    );
    assert_eq!(
        console.call("incidents_edit_note", &edit("Restarted the workers (2 of 3)"), Some(&boss)).await.status,
        200
    );
    let page = console.get(&format!("/incidents/{incident}"), Some(&bob)).await.body;
    let edited =
        page.split("data-testid=\"note-edited-by\"").nth(1).and_then(|s| s.split("</span>").next()).unwrap_or_default();
    assert!(page.contains("Restarted the workers (2 of 3)") && edited.contains("boss"), "{page}");
    assert!(!page.contains("data-testid=\"note-tools\""), "bob is offered no tools for alice's note");

    // The review's Markdown: HTML escaped, no link but web links.
    let review = form(&[
        ("id", &incident),
        ("base", "0"),
        ("review[what_happened]", "<img src=x onerror=alert(1)> [click](javascript:alert(1))"),
        ("review[actions][0][text]", "<script>alert(2)</script>"),
    ]);
    assert_eq!(console.call("incidents_save_review", &review, Some(&alice)).await.status, 200);
    let link = form(&[("id", &incident), ("url", "https://wiki.example.com/queue"), ("title", "<b>Runbook</b>")]);
    assert_eq!(console.call("incidents_add_link", &link, Some(&alice)).await.status, 200);
    let page = console.get(&format!("/incidents/{incident}/review"), Some(&alice)).await.body;
    let data = page.split("data:text/markdown;charset=utf-8,").nth(1).and_then(|s| s.split('"').next()).unwrap();
    let markdown = percent_decode(&html_unescape(data));
    assert!(!markdown.contains('<'), "{markdown}");
    assert!(markdown.contains("&lt;img src=x onerror=alert(1)&gt; \\[click\\](javascript:alert(1))"), "{markdown}");
    assert!(markdown.contains("- [&lt;b&gt;Runbook&lt;/b&gt;](https://wiki.example.com/queue)"), "{markdown}");

    // An analytics CSV with a formula-looking name writes it as text.
    assert_eq!(
        console.call("rotation_save", &rotation("=HYPERLINK(\"http://evil.example\")"), Some(&admin)).await.status,
        200
    );
    // Analytics counts on-call time that has passed: give the new rotation a second of it.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let analytics = console.get("/incidents/analytics", Some(&admin)).await.body;
    let csvs: Vec<String> = analytics
        .split("data:text/csv;charset=utf-8,")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|d| percent_decode(&html_unescape(d)))
        .collect();
    let rotations_csv = csvs.iter().find(|c| c.contains("HYPERLINK")).expect("the rotation is in a CSV");
    assert!(rotations_csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\""), "{rotations_csv}");
}

fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn percent_decode(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let byte = s.get(i + 1..i + 3).filter(|_| s.as_bytes()[i] == b'%').and_then(|h| u8::from_str_radix(h, 16).ok());
        if let Some(b) = byte {
            out.push(b);
            i += 3;
        } else {
            out.push(s.as_bytes()[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn sign_in_slows_a_guesser_but_never_locks_the_owner_out() {
    let console = Binary::start(&["--trusted-proxy-hops", "1"]).await;
    let attempt = |from: &'static str, password: &'static str| {
        let url = console.url.clone();
        let origin = console.origin.clone();
        async move {
            let body = form(&[("username", "admin"), ("password", password)]);
            let res = Binary::http()
                .post(format!("{url}/api/login"))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .header("origin", origin)
                .header("x-forwarded-for", from)
                .body(body)
                .send()
                .await
                .unwrap();
            res.status().as_u16()
        }
    };
    let (guesser, other_guesser, owner) = ("203.0.113.7", "198.51.100.9", "192.0.2.44");
    for _ in 0..3 {
        assert_eq!(attempt(guesser, "wrong-password-1").await, 401);
    }
    // The guessing address now waits, whatever it sends.
    assert_eq!(attempt(guesser, "wrong-password-1").await, 429);
    assert_eq!(attempt(guesser, common::ADMIN_PASSWORD).await, 429);
    for _ in 0..3 {
        assert_eq!(attempt(other_guesser, "wrong-password-2").await, 401);
    }
    // Six failures on the account from two addresses: the owner's right password from a third
    // still signs in (after a short pause), as often as they like.
    assert_eq!(attempt(owner, common::ADMIN_PASSWORD).await, 200);
    assert_eq!(attempt(owner, common::ADMIN_PASSWORD).await, 200);
    assert!(console.log().contains("sign-in slowed"), "{}", console.log());
}
