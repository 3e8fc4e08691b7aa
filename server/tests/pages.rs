//! Pages render on the server: only a page that renders an island loads WASM, every form works
//! without script (post/redirect/get with its outcome shown once), and static files are served
//! ahead of sessions and the database.

mod common;

use common::{TestConsole, form};
use http::{StatusCode, header};

/// The routes whose page renders an island (and so loads the islands runtime).
const ISLAND_PAGES: &[&str] =
    &["/rotations/new", "/rotations/{id}/edit", "/escalation/new-plan", "/escalation/plans/{alias}"];

fn has_island(body: &str) -> bool {
    body.contains("<leptos-island")
}

fn loads_wasm(body: &str) -> bool {
    body.contains("rel=\"modulepreload\"") || body.contains(".wasm")
}

// On a multi-threaded runtime, as the console runs: a run of this test on the default
// single-threaded one once stopped answering mid-walk (not reproduced since; see
// `TestConsole::send`'s time limit).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_pages_with_islands_load_the_runtime() {
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    let rotation: String =
        sqlx::query_scalar("SELECT id FROM rotations ORDER BY name LIMIT 1").fetch_one(&c.db.pool).await.unwrap();
    let drill = c.call("drills_run", "plan=web-escalation", Some(&admin)).await;
    let drill: String = serde_json::from_str(&drill.body).unwrap();
    let alert = common::stored_alert(&c).await;
    let routes: Vec<String> =
        leptos_axum::generate_route_list(app::app::App).iter().map(|r| r.path().to_owned()).collect();
    for route in &routes {
        if route.contains("/incidents/") {
            continue; // needs an incident; its page is a list of records like the others
        }
        let id = if route.contains("/drills/") {
            &drill
        } else if route.starts_with("/routing/alerts/") {
            &alert
        } else {
            &rotation
        };
        let path =
            route.replace("{id}", id).replace("{alias}", common::demo_alias(route)).replace("{name}", "sev1-critical");
        let page = c.get(&path, Some(&admin)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        let expected = ISLAND_PAGES.contains(&route.as_str());
        assert_eq!(has_island(&page.body), expected, "{route}: islands");
        assert_eq!(loads_wasm(&page.body), expected, "{route}: loads WASM only where an island is");
        assert!(!page.body.contains("__RESOLVED_RESOURCES["), "{route}: server data is not shipped as JSON");
    }
}

#[tokio::test]
async fn a_form_without_script_shows_its_error_once_and_keeps_what_was_typed() {
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    let body =
        form(&[("username", "Not Valid"), ("display_name", "Nobody"), ("password", "short"), ("role", "viewer")]);
    let r = c.submit("admin_create_user", &body, "/admin/users", Some(&admin)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers.get(header::LOCATION).unwrap(), "/admin/users");

    let page = c.get("/admin/users", Some(&admin)).await;
    assert!(page.body.contains("data-field=\"username\""), "field error shown");
    assert!(page.body.contains("data-field=\"password\""), "field error shown");
    assert!(page.body.contains("value=\"Not Valid\""), "typed value kept");
    assert!(!page.body.contains("short"), "the typed password is never kept");
    let again = c.get("/admin/users", Some(&admin)).await;
    assert!(!again.body.contains("data-field=\"username\""), "shown once");

    let ok =
        form(&[("username", "plain"), ("display_name", ""), ("password", "plain-password-123"), ("role", "viewer")]);
    let r = c.submit("admin_create_user", &ok, "/admin/users", Some(&admin)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = c.get("/admin/users", Some(&admin)).await;
    assert!(page.body.contains("data-username=\"plain\""));
}

#[tokio::test]
async fn sign_in_without_script_follows_next_and_a_wrong_password_comes_back() {
    let c = TestConsole::with_admin().await;
    let wrong = form(&[("username", "admin"), ("password", "wrong-password-123"), ("next", "/rotations")]);
    let r = c.submit("login", &wrong, "/login?next=/rotations", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers.get(header::LOCATION).unwrap(), "/login?next=/rotations");
    let cookie = r.set_cookie(server::sessions::cookie_name(false)).map(|c| c.split(';').next().unwrap().to_owned());
    let page = c.get("/login?next=/rotations", cookie.as_deref()).await;
    assert!(page.body.contains("data-testid=\"login-error\""), "{}", page.body);

    let right = form(&[("username", "admin"), ("password", common::ADMIN_PASSWORD), ("next", "/rotations")]);
    let r = c.submit("login", &right, "/login?next=/rotations", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers.get(header::LOCATION).unwrap(), "/rotations");
}

#[tokio::test]
async fn static_files_skip_sessions_and_the_database() {
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("pkg")).unwrap();
    std::fs::write(site.path().join("pkg/app.wasm"), b"\0asm-raw").unwrap();
    std::fs::write(site.path().join("pkg/app.wasm.br"), b"brotli-bytes").unwrap();
    std::fs::write(site.path().join("favicon.svg"), b"<svg/>").unwrap();
    let root = site.path().display().to_string();
    let c = TestConsole::start(true, &["--site-root", &root]).await;
    // The pool refuses new connections from the call on; waiting for every background task to
    // hand its connection back is not what this test is about (and once hung a run).
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), c.db.pool.close()).await;
    assert_eq!(c.get("/readyz", None).await.status, StatusCode::SERVICE_UNAVAILABLE);

    let req =
        http::Request::get("/pkg/app.wasm").header(header::ACCEPT_ENCODING, "gzip, br").body(axum::body::Body::empty());
    let r = c.send(req.unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, "brotli-bytes");
    assert_eq!(r.headers.get(header::CONTENT_ENCODING).unwrap(), "br");
    assert_eq!(r.headers.get(header::CONTENT_TYPE).unwrap(), "application/wasm");
    assert!(r.headers.get(header::SET_COOKIE).is_none());
    let plain = c.send(http::Request::get("/pkg/app.wasm").body(axum::body::Body::empty()).unwrap()).await;
    assert_eq!(plain.body, "\0asm-raw");
    let etag = plain.headers.get(header::ETAG).unwrap().clone();
    let cached = c
        .send(
            http::Request::get("/pkg/app.wasm")
                .header(header::IF_NONE_MATCH, etag)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(cached.status, StatusCode::NOT_MODIFIED);
    assert_eq!(c.get("/favicon.svg", None).await.body, "<svg/>");
    assert_eq!(c.get("/pkg/missing.js", None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn pages_are_compressed() {
    let c = TestConsole::with_admin().await;
    let req = http::Request::get("/login").header(header::ACCEPT, "text/html").header(header::ACCEPT_ENCODING, "br");
    let r = c.send(req.body(axum::body::Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers.get(header::CONTENT_ENCODING).unwrap(), "br");
}

#[tokio::test]
async fn a_server_function_error_carries_its_own_status() {
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    // An argument that does not parse is the caller's mistake, not the server's.
    let r = c.call("feed_regenerate", &form(&[("kind", "Calendar"), ("subject", "x")]), Some(&admin)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = c.call("admin_set_role", "user_id=not-a-number&role=viewer", Some(&admin)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = c.call("oncall_incidents", "query%5Bstatus%5D=sideways", Some(&admin)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = c.call("oncall_incident", "id=no-such-incident", Some(&admin)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

/// The escalation-plan editor without script: the draft's timeline on request, a refused save
/// that keeps what was typed and names the stage, a save, and a stale save that shows both.
#[tokio::test]
async fn the_plan_editor_works_without_script() {
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    let path = "/escalation/plans/web-escalation";
    let page = c.get(path, Some(&admin)).await;
    let base = page.body.split("name=\"base\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_owned();
    assert_eq!(base.len(), 16, "the form carries the plan's fingerprint");
    assert!(page.body.contains("data-testid=\"timeline-step\""), "the saved plan's timeline is shown");
    let fields = |stages: &str, base: &str| {
        form(&[
            ("alias", "web-escalation"),
            ("base", base),
            ("display_name", "Web service escalation"),
            ("stages", stages),
            ("repeat", "1"),
            ("at", "2026-12-01T03:00"),
        ])
    };

    let r = c.submit("plans_preview", &fields("0: nobody-here", &base), path, Some(&admin)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = c.get(path, Some(&admin)).await;
    assert!(page.body.contains("nobody-here"), "the typed stages are shown again");
    assert!(page.body.contains("class=\"gap\""), "an unknown target is flagged on the timeline");

    let r =
        c.submit("plans_save", &fields("10: primary-oncall!\n45: secondary-oncall", &base), path, Some(&admin)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = c.get(path, Some(&admin)).await;
    assert!(page.body.contains("Stage 2: "), "the error names the stage: {}", page.body);
    assert!(page.body.contains("45: secondary-oncall"), "what was typed is kept");

    let r =
        c.submit("plans_save", &fields("10: primary-oncall!\n5: secondary-oncall", &base), path, Some(&admin)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = c.get(path, Some(&admin)).await;
    assert!(page.body.contains("data-testid=\"plan-saved\""), "saved: {}", page.body);
    assert!(page.body.contains("10: primary-oncall\n5: secondary-oncall"), "the saved stages are shown");

    let r = c.submit("plans_save", &fields("1: primary-oncall", &base), path, Some(&admin)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = c.get(path, Some(&admin)).await;
    assert!(page.body.contains("data-testid=\"conflict\""), "a stale save shows both versions");
    assert!(page.body.contains("1: primary-oncall"), "yours");
    assert!(page.body.contains("5: secondary-oncall"), "theirs");

    let new = form(&[
        ("alias", "night"),
        ("base", ""),
        ("display_name", "Night"),
        ("stages", "5: primary-oncall"),
        ("repeat", "3"),
    ]);
    let r = c.submit("plans_save", &new, "/escalation/new-plan", Some(&admin)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers.get(header::LOCATION).unwrap(), "/escalation/plans/night", "a new plan's editor opens");
    let page = c.get("/escalation/plans/night", Some(&admin)).await;
    assert!(page.body.contains("5: primary-oncall\n5: primary-oncall\n5: primary-oncall"), "repeat unrolled");
}

/// A rotation from scratch without script: the blank form in the viewer's zone, a refused save
/// that keeps what was typed and creates nothing, then a save that opens the new rotation.
#[tokio::test]
async fn a_rotation_is_created_without_script() {
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    let path = "/rotations/new";
    let page = c.get(path, Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("New rotation") && page.body.contains("value=\"UTC\""), "blank form: {}", page.body);
    let rotations = |c: &TestConsole| {
        let pool = c.db.pool.clone();
        async move { sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM rotations").fetch_one(&pool).await.unwrap() }
    };
    let before = rotations(&c).await;
    let fields = |name: &str, members: &str| {
        form(&[
            ("id", ""),
            ("base", "0"),
            ("name", name),
            ("members", members),
            ("start", "2026-12-01T10:00"),
            ("time_zone", "Asia/Tokyo"),
            ("kind", "weekly"),
            ("times", "Mon 10:00"),
            ("multiplier", "1"),
            ("number_on_call", "1"),
            ("coverage", ""),
        ])
    };
    let r = c.submit("rotation_save", &fields("", "tanaka\nsuzuki"), path, Some(&admin)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = c.get(path, Some(&admin)).await;
    assert!(
        page.body.contains("data-error-for=\"name\" role=\"alert\" class=\"field-error\">Give the rotation"),
        "name refused: {}",
        page.body
    );
    assert!(page.body.contains("tanaka\nsuzuki"), "what was typed is kept");
    assert_eq!(rotations(&c).await, before, "a refused save creates nothing");

    let r = c.submit("rotation_save", &fields("Night desk", "tanaka\nsuzuki"), path, Some(&admin)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let id: String =
        sqlx::query_scalar("SELECT id FROM rotations WHERE name = 'Night desk'").fetch_one(&c.db.pool).await.unwrap();
    assert_eq!(r.headers.get(header::LOCATION).unwrap(), &format!("/rotations/{id}"), "the new rotation opens");
    let page = c.get(&format!("/rotations/{id}"), Some(&admin)).await;
    assert!(page.body.contains("Night desk"));
    let r = c.submit("rotation_save", &fields("Night desk", "tanaka"), path, Some(&admin)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = c.get(path, Some(&admin)).await;
    assert!(
        page.body.contains("data-error-for=\"name\" role=\"alert\" class=\"field-error\">A rotation with this name"),
        "a taken name is refused"
    );
    assert_eq!(rotations(&c).await, before + 1);
}

/// A person from scratch without script: created, a channel added (its code taken from the
/// database, where the outbox put it), activated, a preset and then typed starts saved; deletes
/// refused while something uses the item, naming it.
#[tokio::test]
async fn people_and_channels_are_managed_without_script() {
    let c = TestConsole::with_mail().await;
    let admin = c.admin().await;
    let r = c
        .submit("people_create", &form(&[("alias", "ito"), ("display_name", "伊藤 花")]), "/escalation", Some(&admin))
        .await;
    assert_eq!(r.headers.get(header::LOCATION).unwrap(), "/escalation/people/ito");
    let path = "/escalation/people/ito";
    let page = c.get(path, Some(&admin)).await;
    assert!(page.body.contains("data-testid=\"no-working-channel\""), "no channel yet: said");
    assert!(page.body.contains("data-testid=\"no-channels\""), "the empty list says what to add");

    let bad = form(&[("contact", "ito"), ("name", "Phone"), ("kind", "sms"), ("address", "090-1234")]);
    c.submit("people_add_channel", &bad, path, Some(&admin)).await;
    let page = c.get(path, Some(&admin)).await;
    assert!(page.body.contains("data-field=\"address\""), "a bad number is refused by field");
    assert!(
        page.body.contains("data-testid=\"channel-name\" value=\"Phone\"")
            && page.body.contains("value=\"sms\" selected")
            && page.body.contains("data-testid=\"channel-address\" autocapitalize=\"off\" value=\"090-1234\""),
        "what was typed comes back: {}",
        page.body
    );
    for (name, kind, address) in [("Work mail", "email", "ito@example.co.jp"), ("Mobile", "voice", "+819011112222")] {
        let add = form(&[("contact", "ito"), ("name", name), ("kind", kind), ("address", address)]);
        let r = c.submit("people_add_channel", &add, path, Some(&admin)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        // Without a gateway, a code "sent" by voice was not: the note says where it is.
        let page = c.get(path, Some(&admin)).await.body;
        let note =
            page.split("data-testid=\"channel-added\"").nth(1).and_then(|r| r.split_once('>')).unwrap_or_default().1;
        let said = if kind == "email" { "An activation code was sent" } else { "no SMS/voice gateway is configured" };
        assert!(note.starts_with("Channel added") && note.contains(said), "{kind}: {note}");
    }
    let channels: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, activation_code FROM contact_channels WHERE contact_alias = 'ito' ORDER BY name DESC",
    )
    .fetch_all(&c.db.pool)
    .await
    .unwrap();
    assert_eq!(channels.len(), 2);
    let wrong = form(&[("contact", "ito"), ("channel_id", &channels[0].0), ("code", "000000x")]);
    c.submit("people_activate_channel", &wrong, path, Some(&admin)).await;
    let page = c.get(path, Some(&admin)).await;
    assert!(page.body.contains("data-testid=\"activate-error\""), "a wrong code is refused");
    for (id, code) in &channels {
        let ok = form(&[("contact", "ito"), ("channel_id", id), ("code", code)]);
        c.submit("people_activate_channel", &ok, path, Some(&admin)).await;
    }
    let page = c.get(path, Some(&admin)).await;
    assert!(
        page.body.contains("data-testid=\"channel-unused\""),
        "activated, but the new person's engagement plan does not use it yet: said"
    );
    assert!(!page.body.contains("data-testid=\"no-working-channel\""), "activated: reachable");
    assert!(page.body.contains("No SMS/voice gateway configured"), "the voice channel is not called working");
    let list = c.get("/escalation", Some(&admin)).await.body;
    let ito = list.split("data-alias=\"ito\"").nth(1).and_then(|r| r.split("</tr>").next()).unwrap_or_default();
    let voice = ito.split("<li>").find(|li| li.contains("+819011112222")).unwrap_or_default();
    assert!(voice.contains("<span class=\"error\">no SMS/voice gateway</span>"), "{ito}");

    let page = c.get(path, Some(&admin)).await;
    let base = page.body.split("name=\"base\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_owned();
    let preset = form(&[("contact", "ito"), ("base", &base), ("preset", "email-call-10")]);
    c.submit("people_save_plan", &preset, path, Some(&admin)).await;
    let page = c.get(path, Some(&admin)).await;
    assert!(page.body.contains("data-testid=\"personal-plan-saved\""), "{}", page.body);
    assert!(page.body.contains("+10"), "the timeline shows the call 10 minutes later");
    let stale = form(&[("contact", "ito"), ("base", &base), ("preset", "sms-call-3")]);
    c.submit("people_save_plan", &stale, path, Some(&admin)).await;
    let page = c.get(path, Some(&admin)).await;
    assert!(page.body.contains("data-testid=\"personal-plan-error\""), "a stale save is refused");

    let base = page.body.split("name=\"base\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_owned();
    let (mail, phone) = (&channels[0].0, &channels[1].0);
    let typed = |call_after: &str| {
        form(&[
            ("contact", "ito"),
            ("base", &base),
            ("rows[0][channel_id]", mail),
            ("rows[0][start]", "0"),
            ("rows[0][retry]", "2"),
            ("rows[1][channel_id]", phone),
            ("rows[1][start]", call_after),
            ("rows[1][retry]", "5"),
        ])
    };
    c.submit("people_save_plan", &typed("45"), path, Some(&admin)).await;
    let page = c.get(path, Some(&admin)).await;
    assert!(page.body.contains("data-testid=\"personal-plan-error\""), "45 minutes after is over the cap");
    assert!(page.body.contains("name=\"rows[1][start]\" value=\"45\""), "the typed 45 stays: {}", page.body);
    assert!(
        page.body.contains("Incident Manager&#x27;s limit") || page.body.contains("Incident Manager's limit"),
        "and says why"
    );
    c.submit("people_save_plan", &typed("15"), path, Some(&admin)).await;
    let page = c.get(path, Some(&admin)).await;
    assert!(page.body.contains("data-testid=\"personal-plan-saved\""), "{}", page.body);
    assert!(page.body.contains("+15"), "the call now comes 15 minutes later");

    let used = form(&[("contact", "ito"), ("channel_id", mail)]);
    c.submit("people_delete_channel", &used, path, Some(&admin)).await;
    let page = c.get(path, Some(&admin)).await;
    assert!(page.body.contains("data-testid=\"delete-channel-error\""), "the plan still uses the channel");

    c.submit("people_delete", &form(&[("alias", "tanaka")]), "/escalation/people/tanaka", Some(&admin)).await;
    let page = c.get("/escalation/people/tanaka", Some(&admin)).await;
    assert!(page.body.contains("data-testid=\"delete-person-error\""), "tanaka is on a rotation");
    assert!(page.body.contains("rotation “"), "and the rotation is named: {}", page.body);
    let r = c.submit("people_delete", &form(&[("alias", "ito")]), path, Some(&admin)).await;
    assert_eq!(r.headers.get(header::LOCATION).unwrap(), "/escalation");
    assert_eq!(c.get(path, Some(&admin)).await.status, StatusCode::NOT_FOUND);
}

/// A rotation page warns about someone due on call within 7 days whom no page would reach.
#[tokio::test]
async fn a_rotation_warns_about_an_unreachable_person_on_call_soon() {
    let c = TestConsole::with_mail().await;
    let admin = c.admin().await;
    let (id, members): (String, String) =
        sqlx::query_as("SELECT id, definition_json FROM rotations ORDER BY name LIMIT 1")
            .fetch_one(&c.db.pool)
            .await
            .unwrap();
    let path = format!("/rotations/{id}");
    let page = c.get(&path, Some(&admin)).await;
    assert!(!page.body.contains("data-testid=\"unreachable-soon\""), "the demo team is reachable");
    let rotation: app::domain::rotation::Rotation = serde_json::from_str(&members).unwrap();
    for member in &rotation.members {
        sqlx::query("UPDATE contact_channels SET activated = 0 WHERE contact_alias = $1")
            .bind(member)
            .execute(c.db.writer())
            .await
            .unwrap();
    }
    let page = c.get(&path, Some(&admin)).await;
    assert!(page.body.contains("data-testid=\"unreachable-soon\""), "nobody on it has a working channel now");
    let member = rotation.members.iter().find(|m| page.body.contains(&format!("/escalation/people/{m}\""))).unwrap();
    assert!(page.body.contains(&format!("/escalation/people/{member}")), "and the warning links to them");
}

/// A console with no mail server and no SMS/voice gateway never calls a channel "working": the
/// person page says what is missing, the plan's timeline shows nothing can send its messages, the
/// escalation list marks the channels, and the rotation warns that its people are unreachable.
#[tokio::test]
async fn without_a_mail_server_nothing_claims_a_page_gets_through() {
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    let page = c.get("/escalation/people/tanaka", Some(&admin)).await.body;
    assert!(page.contains("No mail server configured: nothing sends its e-mail"), "{page}");
    assert!(!page.contains(">Working<"), "{page}");
    let timeline = page.split("data-testid=\"person-timeline\"").nth(1).unwrap_or_default();
    assert!(timeline.contains("E-mail — nothing can send it (no gateway configured)"), "{timeline}");
    let ja = format!("{admin}; lang=ja");
    let page = c.get("/escalation/people/tanaka", Some(&ja)).await.body;
    assert!(page.contains("メールサーバー未設定: メールを送る手段がありません"), "{page}");
    let list = c.get("/escalation", Some(&admin)).await.body;
    assert!(list.contains("no mail server"), "{list}");
    let (id,): (String,) =
        sqlx::query_as("SELECT id FROM rotations ORDER BY name LIMIT 1").fetch_one(&c.db.pool).await.unwrap();
    let page = c.get(&format!("/rotations/{id}"), Some(&admin)).await.body;
    assert!(page.contains("data-testid=\"unreachable-soon\""), "{page}");
}

/// The home page says what matters first, without script: who is on call (the person's own
/// rotations when they are in one), their open pages with the way to /me, open incidents, and
/// people on a rotation nothing reaches; each list, when empty, says so and how to fill it.
#[tokio::test]
async fn the_home_page_shows_who_is_on_call_my_pages_incidents_and_who_cannot_be_reached() {
    // An empty console: every list says what would be there.
    let empty = TestConsole::start(true, &["--demo-data", "false"]).await;
    let admin = empty.admin().await;
    let page = empty.get("/", Some(&admin)).await.body;
    for empty_state in ["home-no-rotations", "home-not-linked", "home-no-incidents", "home-all-reachable"] {
        assert!(page.contains(&format!("data-testid=\"{empty_state}\"")), "{empty_state}: {page}");
    }

    // The demo team: a responder linked to tanaka, paged once.
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    let id = c.create_user(&admin, "tanaka-user", "responder").await;
    let link = form(&[("user_id", &id.to_string()), ("contact", "tanaka")]);
    assert_eq!(c.call("admin_set_contact", &link, Some(&admin)).await.status, StatusCode::OK);
    let tanaka = c.login("tanaka-user", &common::password_of("tanaka-user")).await;
    let page = c.get("/", Some(&tanaka)).await.body;
    assert!(page.contains("data-testid=\"nav-me\""), "/me is one tap away");
    assert!(
        page.contains("Your rotations") && page.contains("data-name=\"Primary (weekly, Mon 10:00 JST)\""),
        "{page}"
    );
    assert!(!page.contains("data-name=\"Secondary (daily, 10:00 JST)\""), "only the rotations tanaka is in");
    assert!(page.contains("data-testid=\"home-nothing-open\""), "{page}");
    c.call("oncall_test_page", &form(&[("contact", "tanaka")]), Some(&admin)).await;
    let declare = form(&[("response_plan", "sev3-low"), ("title", "Queue slow"), ("impact", ""), ("summary", "")]);
    assert_eq!(c.call("incidents_declare", &declare, Some(&admin)).await.status, StatusCode::OK);
    sqlx::query("UPDATE contact_channels SET activated = 0 WHERE contact_alias = 'kim'")
        .execute(c.db.writer())
        .await
        .unwrap();
    let mut page = String::new();
    for _ in 0..100 {
        page = c.get("/", Some(&tanaka)).await.body;
        if page.contains("data-testid=\"home-open-pages\"") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(page.contains("data-testid=\"home-open-pages\"") && page.contains("href=\"/me\""), "{page}");
    assert!(page.contains("data-testid=\"home-incident\"") && page.contains("Queue slow"), "{page}");
    assert!(page.contains("data-testid=\"home-unreachable\"") && page.contains("/escalation/people/kim"), "{page}");
    // A viewer linked to nobody sees every rotation and is told why no pages come to them.
    c.create_user(&admin, "viewer", "viewer").await;
    let viewer = c.login("viewer", &common::password_of("viewer")).await;
    let page = c.get("/", Some(&viewer)).await.body;
    assert!(page.contains("data-testid=\"home-not-linked\"") && page.contains("Who is on call"), "{page}");
    assert_eq!(page.matches("data-testid=\"home-rotation\"").count(), 2, "{page}");
}

/// The schedule editor without script: a new schedule of ticked rotations, a save with none
/// ticked refused by field, a stale save showing both, and a delete refused while a plan uses it.
#[tokio::test]
async fn schedules_are_edited_without_script() {
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    let page = c.get("/escalation/new-schedule", Some(&admin)).await;
    let ids: Vec<String> = page
        .body
        .split("name=\"picks[")
        .skip(1)
        .filter_map(|r| r.split("value=\"").nth(1).and_then(|v| v.split('"').next()).map(str::to_owned))
        .filter(|v| v != "on")
        .collect();
    assert!(ids.len() >= 2, "every rotation offered: {ids:?}");
    // A refused new schedule comes back as typed.
    let bad =
        form(&[("alias", "Late Shift!"), ("base", ""), ("display_name", "Late shift"), ("picks[0][id]", &ids[0])]);
    c.submit("schedules_save", &bad, "/escalation/new-schedule", Some(&admin)).await;
    let page = c.get("/escalation/new-schedule", Some(&admin)).await;
    assert!(page.body.contains("data-field=\"alias\""), "{}", page.body);
    assert!(
        page.body.contains("value=\"Late Shift!\"") && page.body.contains("value=\"Late shift\""),
        "the typed alias and name stay: {}",
        page.body
    );
    let new = form(&[
        ("alias", "late"),
        ("base", ""),
        ("display_name", "Late shift"),
        ("picks[0][id]", &ids[0]),
        ("picks[0][on]", "on"),
        ("picks[1][id]", &ids[1]),
    ]);
    let r = c.submit("schedules_save", &new, "/escalation/new-schedule", Some(&admin)).await;
    assert_eq!(r.headers.get(header::LOCATION).unwrap(), "/escalation/schedules/late");
    let path = "/escalation/schedules/late";
    let page = c.get(path, Some(&admin)).await;
    let base = page.body.split("name=\"base\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_owned();
    assert_eq!(page.body.matches("checked").count(), 1, "one rotation ticked");

    let none = form(&[("alias", "late"), ("base", &base), ("display_name", "Late shift"), ("picks[0][id]", &ids[0])]);
    c.submit("schedules_save", &none, path, Some(&admin)).await;
    let page = c.get(path, Some(&admin)).await;
    assert!(page.body.contains("data-field=\"plan.rotation_ids\""), "no rotation: refused by field");

    let both = form(&[
        ("alias", "late"),
        ("base", &base),
        ("display_name", "Late shift"),
        ("picks[0][id]", &ids[0]),
        ("picks[0][on]", "on"),
        ("picks[1][id]", &ids[1]),
        ("picks[1][on]", "on"),
    ]);
    c.submit("schedules_save", &both, path, Some(&admin)).await;
    assert!(c.get(path, Some(&admin)).await.body.contains("data-testid=\"schedule-saved\""));
    c.submit(
        "schedules_save",
        &new.replace("alias=late&base=", &format!("alias=late&base={base}")),
        path,
        Some(&admin),
    )
    .await;
    let page = c.get(path, Some(&admin)).await;
    assert!(page.body.contains("data-testid=\"conflict\""), "a stale save shows both versions");

    c.submit(
        "schedules_delete",
        &form(&[("alias", "primary-oncall")]),
        "/escalation/schedules/primary-oncall",
        Some(&admin),
    )
    .await;
    let page = c.get("/escalation/schedules/primary-oncall", Some(&admin)).await;
    assert!(page.body.contains("data-testid=\"delete-schedule-error\""), "the demo plan uses it");
    let r = c.submit("schedules_delete", &form(&[("alias", "late")]), path, Some(&admin)).await;
    assert_eq!(r.headers.get(header::LOCATION).unwrap(), "/escalation");
}

/// The response-plan editor without script: a new plan, an edit, a bad impact and an insecure
/// webhook refused by field, and a stale save showing both versions.
#[tokio::test]
async fn response_plans_are_edited_without_script() {
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    let fields = |name: &str, base: &str, impact: &str, hook: &str| {
        form(&[
            ("name", name),
            ("base", base),
            ("display_name", "Payments down"),
            ("title", "Payments API failing"),
            ("impact", impact),
            ("summary", "Checkout cannot take payments."),
            ("dedupe_string", "payments"),
            ("slack", ""),
            ("webhooks", hook),
            ("picks[0][alias]", "web-escalation"),
            ("picks[0][on]", "on"),
        ])
    };
    let r = c.submit("response_plans_save", &fields("payments", "", "2", ""), "/routing/new-plan", Some(&admin)).await;
    assert_eq!(r.headers.get(header::LOCATION).unwrap(), "/routing/plans/payments");
    let path = "/routing/plans/payments";
    let page = c.get(path, Some(&admin)).await;
    let base = page.body.split("name=\"base\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_owned();
    assert!(page.body.contains("Payments API failing"));

    c.submit("response_plans_save", &fields("payments", &base, "7", ""), path, Some(&admin)).await;
    let page = c.get(path, Some(&admin)).await;
    assert!(page.body.contains("data-field=\"template.impact\""), "impact 7 refused by field");
    c.submit("response_plans_save", &fields("payments", &base, "2", "http://example.com/hook"), path, Some(&admin))
        .await;
    let page = c.get(path, Some(&admin)).await;
    assert!(page.body.contains("data-field=\"notification_targets.0\""), "plain HTTP refused by field");

    c.submit("response_plans_save", &fields("payments", &base, "1", "https://example.com/hook"), path, Some(&admin))
        .await;
    let page = c.get(path, Some(&admin)).await;
    assert!(page.body.contains("data-testid=\"response-plan-saved\""), "{}", page.body);
    c.submit("response_plans_save", &fields("payments", &base, "3", ""), path, Some(&admin)).await;
    let page = c.get(path, Some(&admin)).await;
    assert!(page.body.contains("data-testid=\"conflict\""), "a stale save shows both versions");
    let routing = c.get("/routing", Some(&admin)).await;
    assert!(routing.body.contains("https://example.com/…"), "the saved plan: impact 1, its webhook shown by host");
}

/// Alerts without script: an integration created (its secret and wiring shown once), an event
/// posted to it routed by the demo's rules into an incident, the alert with its trace, and the
/// rules: a dry run of a pasted event, a replay, a save, and a stale save showing both versions.
#[tokio::test]
async fn alerts_and_rules_work_without_script() {
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    let path = "/routing/integrations";
    let r = c
        .submit(
            "alerts_create_integration",
            &form(&[("name", "cloudwatch"), ("kind", "eventbridge"), ("topics", "")]),
            path,
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = c.get(path, Some(&admin)).await;
    let secret =
        page.body.split("data-testid=\"issued-value\">").nth(1).and_then(|s| s.split('<').next()).unwrap().to_owned();
    let url =
        page.body.split("data-testid=\"issued-url\">").nth(1).and_then(|s| s.split('<').next()).unwrap().to_owned();
    assert_eq!(secret.len(), 64, "{}", page.body);
    assert!(
        page.body.contains("aws events create-api-destination") && page.body.contains("InputTransformer"),
        "wiring help"
    );
    let again = c.get(path, Some(&admin)).await;
    assert!(!again.body.contains(&secret), "the secret is shown once");

    let ingest = url.strip_prefix(&c.origin()).unwrap().to_owned();
    let req = http::Request::post(&ingest)
        .header(header::AUTHORIZATION, format!("Bearer {secret}"))
        .body(axum::body::Body::from(r#"{"level":"critical","alarm":"ApiErrors","state":"ALARM"}"#))
        .unwrap();
    assert_eq!(c.send(req).await.status, StatusCode::ACCEPTED);
    let mut list = String::new();
    for _ in 0..100 {
        list = c.get("/routing/alerts", Some(&admin)).await.body;
        if list.contains("incident opened") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        list.contains("ApiErrors")
            && list.contains("incident opened")
            && list.contains("data-testid=\"alert-incident\""),
        "{list}"
    );
    // How routing keeps up, over the list: nothing waits, and the alert counts as routed.
    assert!(list.contains("Routing keeps up: no alert is waiting; 1 routed in the last minute."), "{list}");
    let id = list.split("href=\"/routing/alerts/").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();
    let detail = c.get(&format!("/routing/alerts/{id}"), Some(&admin)).await.body;
    assert!(
        detail.contains("data-testid=\"trace-step\"")
            && detail.contains("Critical")
            && detail.contains("\"level\": \"critical\""),
        "{detail}"
    );

    let rules_path = "/routing/rules";
    let page = c.get(rules_path, Some(&admin)).await;
    assert!(
        page.body.contains("alert.severity == &#39;critical&#39;")
            || page.body.contains("alert.severity == 'critical'"),
        "the demo's rules"
    );
    let integration = page
        .body
        .split("<option value=\"")
        .find(|s| s.contains("(eventbridge)") && s.contains("cloudwatch"))
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let rules = [
        ("rules[0][position]", "1"),
        ("rules[0][name]", "Critical"),
        ("rules[0][condition]", "alert.severity == 'critical'"),
        ("rules[0][firing]", "incident"),
        ("rules[0][target]", "sev1-critical"),
        ("rules[0][notify]", "https://hooks.slack.com/services/T0/B0/x"),
        ("rules[1][position]", "2"),
        ("rules[1][name]", "Rest"),
        ("rules[1][condition]", ""),
        ("rules[1][firing]", "incident"),
        ("rules[1][target]", "sev3-low"),
    ];
    let with = |extra: &[(&str, &str)]| {
        let mut all: Vec<(&str, &str)> = rules.to_vec();
        all.extend_from_slice(extra);
        form(&all)
    };
    let event = r#"{"level":"critical","alarm":"Latency","state":"ALARM"}"#;
    c.submit(
        "alerts_dry_run",
        &with(&[("base", "1"), ("integration", &integration), ("event", event)]),
        rules_path,
        Some(&admin),
    )
    .await;
    let page = c.get(rules_path, Some(&admin)).await.body;
    assert!(
        page.contains("data-testid=\"dry-run-result\"")
            && page.contains("start an incident from: sev1-critical; targets told: 1"),
        "{page}"
    );
    assert!(page.contains("Latency</textarea>") || page.contains("Latency"), "the pasted event stays");
    c.submit("alerts_replay", &with(&[("base", "1"), ("days", "7")]), rules_path, Some(&admin)).await;
    let page = c.get(rules_path, Some(&admin)).await.body;
    assert!(page.contains("data-testid=\"replay-result\""), "{page}");
    c.submit("alerts_save_rules", &with(&[("base", "1")]), rules_path, Some(&admin)).await;
    let page = c.get(rules_path, Some(&admin)).await.body;
    assert!(page.contains("data-testid=\"rules-saved\""), "{page}");
    c.submit("alerts_save_rules", &with(&[("base", "1")]), rules_path, Some(&admin)).await;
    let page = c.get(rules_path, Some(&admin)).await.body;
    assert!(page.contains("data-testid=\"conflict\""), "a stale save shows both versions: {page}");
    let bad = form(&[
        ("base", "2"),
        ("rules[0][name]", "Broken"),
        ("rules[0][condition]", "alert.severity =="),
        ("rules[0][firing]", "notify"),
        ("rules[1][name]", "Rest"),
        ("rules[1][firing]", "notify"),
    ]);
    c.submit("alerts_save_rules", &bad, rules_path, Some(&admin)).await;
    let page = c.get(rules_path, Some(&admin)).await.body;
    assert!(
        page.contains("data-field=\"rules.0.condition\""),
        "a condition that is not CEL is refused by field: {page}"
    );
    assert!(page.contains("alert.severity =="), "what was typed is kept");
}

#[tokio::test]
async fn the_condition_builder_hold_and_maintenance_windows_work_without_script() {
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    let rules_path = "/routing/rules";
    let page = c.get(rules_path, Some(&admin)).await.body;
    assert!(
        page.contains("data-testid=\"condition-builder\"")
            && page.contains("value=\"alert.severity\"")
            && page.contains("value=\"critical\""),
        "the demo's condition is shown in the builder: {page}"
    );
    let store = server::routing::rules::Rules { db: c.db.clone() };
    let base = store.current().await.unwrap().version.to_string();
    let built = |field: &'static str, hold: &'static str| {
        vec![
            ("base", base.clone()),
            ("rules[0][name]", "Night critical".to_owned()),
            ("rules[0][condition]", String::new()),
            ("rules[0][cel_shown]", String::new()),
            ("rules[0][match_any]", "all".to_owned()),
            ("rules[0][tests][0][field]", field.to_owned()),
            ("rules[0][tests][0][op]", "one_of".to_owned()),
            ("rules[0][tests][0][value]", "critical, high".to_owned()),
            ("rules[0][tests][1][field]", "alert.labels.env".to_owned()),
            ("rules[0][tests][1][op]", "equals".to_owned()),
            ("rules[0][tests][1][value]", "staging".to_owned()),
            ("rules[0][tests][1][not]", "on".to_owned()),
            ("rules[0][tests][2][field]", String::new()),
            ("rules[0][tests][2][value]", String::new()),
            ("rules[0][window]", "outside".to_owned()),
            ("rules[0][window_days]", "Mon-Fri".to_owned()),
            ("rules[0][window_from]", "09:00".to_owned()),
            ("rules[0][window_to]", "18:00".to_owned()),
            ("rules[0][window_zone]", "Asia/Tokyo".to_owned()),
            ("rules[0][firing]", "incident".to_owned()),
            ("rules[0][target]", "sev1-critical".to_owned()),
            ("rules[0][hold]", hold.to_owned()),
            ("rules[1][name]", "Rest".to_owned()),
            ("rules[1][firing]", "notify".to_owned()),
        ]
    };
    let body = |pairs: Vec<(&str, String)>| {
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        form(&refs)
    };
    c.submit("alerts_save_rules", &body(built("severity", "someday")), rules_path, Some(&admin)).await;
    let page = c.get(rules_path, Some(&admin)).await.body;
    assert!(
        page.contains("data-field=\"rules.0.tests.0.field\"") && page.contains("data-field=\"rules.0.hold\""),
        "a builder problem is refused by field: {page}"
    );
    assert!(page.contains("value=\"critical, high\""), "what was typed is kept");
    assert_eq!(store.current().await.unwrap().version.to_string(), base, "nothing saved");

    c.submit(
        "alerts_save_rules",
        &body(built("alert.severity", "Mon-Fri 09:00-18:00 Asia/Tokyo")),
        rules_path,
        Some(&admin),
    )
    .await;
    let saved = store.current().await.unwrap();
    assert_eq!(
        saved.rules[0].condition,
        "alert.severity in [\"critical\", \"high\"] && !(alert.labels.env == \"staging\") && \
         !in_hours(\"Mon-Fri 09:00-18:00 Asia/Tokyo\")"
    );
    assert_eq!(saved.rules[0].hold.as_deref(), Some("Mon-Fri 09:00-18:00 Asia/Tokyo"));
    let page = c.get(rules_path, Some(&admin)).await.body;
    assert!(page.contains("alert.severity in [&quot;critical&quot;, &quot;high&quot;]"), "the CEL is shown: {page}");

    // CEL the builder cannot show stays CEL, and saving the page again keeps it.
    let mut cel = body(vec![
        ("base", saved.version.to_string()),
        ("rules[0][name]", "Links".to_owned()),
        ("rules[0][condition]", "size(alert.links) > 1".to_owned()),
        ("rules[0][firing]", "notify".to_owned()),
        ("rules[1][name]", "Rest".to_owned()),
        ("rules[1][firing]", "notify".to_owned()),
    ]);
    c.submit("alerts_save_rules", &cel, rules_path, Some(&admin)).await;
    let page = c.get(rules_path, Some(&admin)).await.body;
    assert!(page.contains("data-testid=\"cel-only\""), "{page}");
    cel = cel.replace(&format!("base={}", saved.version), &format!("base={}", saved.version + 1));
    cel.push_str("&rules%5B0%5D%5Bcel_shown%5D=size%28alert.links%29+%3E+1");
    c.submit("alerts_save_rules", &cel, rules_path, Some(&admin)).await;
    assert_eq!(store.current().await.unwrap().rules[0].condition, "size(alert.links) > 1");

    let path = "/routing/maintenance";
    let page = c.get(path, Some(&admin)).await.body;
    assert!(page.contains("data-testid=\"new-maintenance\""), "{page}");
    let at = |hours: i64| (chrono::Utc::now() + chrono::Duration::hours(hours)).format("%Y-%m-%dT%H:%M").to_string();
    let (starts, ends) = (at(-1), at(2));
    let window = |note: &str, ends: &str| {
        let condition = "alert.title.startsWith('Api')";
        form(&[("note", note), ("condition", condition), ("starts", &starts), ("ends", ends), ("zone", "UTC")])
    };
    c.submit("alerts_create_maintenance", &window("", &starts), path, Some(&admin)).await;
    let page = c.get(path, Some(&admin)).await.body;
    assert!(
        page.contains("data-field=\"note\"") && page.contains("data-field=\"ends\""),
        "an empty note and a past, empty range are refused by field: {page}"
    );
    c.submit("alerts_create_maintenance", &window("Deploying the API", &ends), path, Some(&admin)).await;
    let page = c.get(path, Some(&admin)).await.body;
    assert!(
        page.contains("data-testid=\"maintenance-saved\"")
            && page.contains("Deploying the API")
            && page.contains("data-state=\"in force\""),
        "{page}"
    );
    let id = page.split("name=\"id\" value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();
    c.submit("alerts_end_maintenance", &form(&[("id", &id)]), path, Some(&admin)).await;
    let page = c.get(path, Some(&admin)).await.body;
    assert!(page.contains("data-state=\"ended\"") && !page.contains("data-testid=\"end-maintenance\""), "{page}");

    c.create_user(&admin, "watcher", "viewer").await;
    let viewer = c.login("watcher", &common::password_of("watcher")).await;
    let page = c.get(path, Some(&viewer)).await.body;
    assert!(page.contains("Deploying the API") && !page.contains("data-testid=\"new-maintenance\""), "{page}");
}

#[tokio::test]
async fn an_incident_is_declared_and_run_without_script() {
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    c.create_user(&admin, "responder", "responder").await;
    c.create_user(&admin, "watcher", "viewer").await;
    let responder = c.login("responder", &common::password_of("responder")).await;
    let viewer = c.login("watcher", &common::password_of("watcher")).await;
    let new = "/incidents/new";
    let page = c.get(new, Some(&responder)).await.body;
    assert!(page.contains("data-testid=\"declare-form\"") && page.contains("sev1-critical"), "{page}");
    assert_eq!(c.get(new, Some(&viewer)).await.status, StatusCode::FORBIDDEN, "viewers do not declare");

    let r = c
        .submit("incidents_declare", &form(&[("response_plan", "sev1-critical"), ("title", "")]), new, Some(&responder))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = c.get(new, Some(&responder)).await.body;
    assert!(page.contains("data-field=\"title\""), "a declaration without a title is refused by field: {page}");
    let declare = form(&[
        ("response_plan", "sev1-critical"),
        ("title", "Checkout down"),
        ("impact", "2"),
        ("summary", "5xx on every checkout"),
    ]);
    let r = c.submit("incidents_declare", &declare, new, Some(&responder)).await;
    let path = r.headers.get(header::LOCATION).unwrap().to_str().unwrap().to_owned();
    assert!(path.starts_with("/incidents/"), "the new incident opens: {path}");
    let again = c.submit("incidents_declare", &declare, new, Some(&responder)).await;
    assert_eq!(again.headers.get(header::LOCATION).unwrap().to_str().unwrap(), path, "a double submit declares once");
    let id = path.trim_start_matches("/incidents/").to_owned();
    let page = c.get(&path, Some(&responder)).await.body;
    assert!(
        page.contains("Checkout down")
            && page.contains("data-testid=\"incident-impact\">2<")
            && page.contains("5xx on every checkout")
            && page.contains("data-testid=\"incident-actions\""),
        "{page}"
    );

    // The list's filters: by words, impact, plan and days.
    let listed = |query: &str| {
        let c = &c;
        let viewer = viewer.clone();
        let query = query.to_owned();
        async move {
            c.get(&format!("/incidents?{query}"), Some(&viewer))
                .await
                .body
                .matches("data-testid=\"incident-row\"")
                .count()
        }
    };
    assert_eq!(listed("text=CHECKOUT&impact=2&plan=sev1-critical&status=open").await, 1);
    assert_eq!(listed("text=payments").await, 0);
    assert_eq!(listed("impact=5").await, 0);
    assert_eq!(listed("plan=sev2-high").await, 0);
    assert_eq!(listed("from=2000-01-01&to=2000-01-02").await, 0);
    // Yesterday too: midnight (UTC) may have passed since the incident was declared.
    let today = chrono::Utc::now();
    let (from, to) = ((today - chrono::Duration::days(1)).format("%Y-%m-%d"), today.format("%Y-%m-%d"));
    assert_eq!(listed(&format!("from={from}&to={to}")).await, 1);
    let r = c.call("oncall_incidents", "query%5Bfrom%5D=yesterday", Some(&viewer)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);

    let note = form(&[("id", &id), ("text", "Rolled back deploy 42")]);
    c.submit("incidents_note", &note, &path, Some(&responder)).await;
    c.submit("incidents_page", &form(&[("id", &id), ("contact", "tanaka")]), &path, Some(&responder)).await;
    let edit = |base: &str, summary: &str| form(&[("id", &id), ("base", base), ("summary", summary)]);
    c.submit("incidents_summary", &edit("5xx on every checkout", "Deploy 42 broke checkout"), &path, Some(&responder))
        .await;
    c.submit("incidents_summary", &edit("5xx on every checkout", "Stale words"), &path, Some(&admin)).await;
    let page = c.get(&path, Some(&admin)).await.body;
    assert!(
        page.contains("data-testid=\"summary-conflict\"")
            && page.contains("Deploy 42 broke checkout")
            && page.contains("Stale words"),
        "a stale summary edit is refused, both versions shown: {page}"
    );
    let page = c.get(&format!("{path}?kind=note"), Some(&viewer)).await.body;
    assert!(page.contains("Rolled back deploy 42") && !page.contains("data-testid=\"incident-actions\""), "{page}");

    // Tanaka (the responder, linked to the person) acknowledges in the console; the timeline
    // says how, lists each message with its channel, address, outcome and tries, and who was
    // on call in the rotation the escalation plan's first stage reached.
    let responder_id: i64 =
        sqlx::query_scalar("SELECT id FROM users WHERE username = 'responder'").fetch_one(&c.db.pool).await.unwrap();
    let link = form(&[("user_id", &responder_id.to_string()), ("contact", "tanaka")]);
    assert_eq!(c.call("admin_set_contact", &link, Some(&admin)).await.status, StatusCode::OK);
    let responder = c.login("responder", &common::password_of("responder")).await;
    // The engine's workers page tanaka and store the e-mail in the background: wait for both.
    let mut page_id = None;
    for _ in 0..200 {
        page_id = sqlx::query_scalar(
            "SELECT p.id FROM pages p JOIN engagements e ON e.id = p.engagement_id \
             JOIN deliveries d ON d.page_id = p.id AND d.channel_kind = 'email' \
             WHERE e.incident_id = $1 AND p.contact_alias = 'tanaka'",
        )
        .bind(&id)
        .fetch_optional(&c.db.pool)
        .await
        .unwrap();
        if page_id.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let page_id: String = page_id.expect("tanaka paged by e-mail within 10 s");
    let r = c.call("me_acknowledge", &form(&[("page_id", &page_id)]), Some(&responder)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let page = c.get(&format!("{path}?kind=page"), Some(&viewer)).await.body;
    let on_call: String =
        sqlx::query_scalar("SELECT name FROM rotations ORDER BY name").fetch_one(&c.db.pool).await.unwrap();
    assert!(page.contains("Acknowledged in the console"), "how the page was acknowledged: {page}");
    assert!(page.contains("acknowledged by 田中 太郎"), "why it stopped, naming the person: {page}");
    assert!(page.contains("Message kept (no transport configured)") && page.contains("tanaka · email "), "{page}");
    assert!(page.contains("<strong>On call</strong>") && page.contains(&format!("{on_call}: ")), "{page}");
    assert!(!page.contains("data-testid=\"timeline-note\""), "filtered to pages: {page}");
    assert!(
        page.contains("data-testid=\"incident-ack-after\">") && !page.contains("data-testid=\"incident-ack-after\">—"),
        "{page}"
    );

    // Notes are edited and deleted; automatic events are the record and stay.
    let event = |kind: &'static str| {
        sqlx::query_scalar::<_, i64>(
            "SELECT id FROM timeline_events WHERE incident_id = $1 AND event_type = $2 ORDER BY id LIMIT 1",
        )
        .bind(id.clone())
        .bind(kind)
        .fetch_one(&c.db.pool)
    };
    let (note_id, created_id) =
        (event("custom").await.unwrap().to_string(), event("incident_created").await.unwrap().to_string());
    let fix = form(&[("id", &id), ("event", &note_id), ("text", "Rolled back deploy 42 at 10:05")]);
    c.submit("incidents_edit_note", &fix, &path, Some(&responder)).await;
    let page = c.get(&path, Some(&responder)).await.body;
    assert!(page.contains("Rolled back deploy 42 at 10:05") && page.contains("data-testid=\"note-edit\""), "{page}");
    let r = c
        .call("incidents_edit_note", &form(&[("id", &id), ("event", &created_id), ("text", "x")]), Some(&responder))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "automatic events are not edited: {}", r.body);
    let r = c.call("incidents_delete_note", &form(&[("id", &id), ("event", &created_id)]), Some(&responder)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "nor deleted: {}", r.body);
    let r = c
        .call("incidents_edit_note", &form(&[("id", &id), ("event", &note_id), ("text", " ")]), Some(&responder))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "an empty note is refused: {}", r.body);
    let wrong = form(&[("id", &id), ("text", "Posted on the wrong incident")]);
    let r = c.call("incidents_note", &wrong, Some(&responder)).await;
    let wrong_id: String = serde_json::from_str(&r.body).unwrap();
    c.submit("incidents_delete_note", &form(&[("id", &id), ("event", &wrong_id)]), &path, Some(&responder)).await;
    let page = c.get(&path, Some(&viewer)).await.body;
    assert!(
        !page.contains("Posted on the wrong incident") && page.contains("Rolled back deploy 42 at 10:05"),
        "{page}"
    );
    assert!(!page.contains("data-testid=\"note-tools\""), "viewers neither edit nor delete: {page}");
    assert!(page.contains("data-testid=\"timeline-status\""), "the automatic events stay: {page}");

    // Related links: a bad address is refused by field and nothing is added; a good one is
    // listed (and kept once); removed again.
    let link = |url: &str| form(&[("id", &id), ("url", url), ("title", "Checkout runbook")]);
    c.submit("incidents_add_link", &link("javascript:alert(1)"), &path, Some(&responder)).await;
    let page = c.get(&path, Some(&responder)).await.body;
    assert!(page.contains("data-field=\"url\"") && !page.contains("data-testid=\"related-link\""), "{page}");
    let runbook = "https://wiki.example.com/runbooks/checkout";
    c.submit("incidents_add_link", &link(runbook), &path, Some(&responder)).await;
    let r = c.call("incidents_add_link", &link(runbook), Some(&responder)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "the same address twice: {}", r.body);
    let page = c.get(&path, Some(&viewer)).await.body;
    assert_eq!(page.matches("data-testid=\"related-link\"").count(), 1, "{page}");
    assert!(page.contains(&format!("href=\"{runbook}\"")) && !page.contains("data-testid=\"link-form\""), "{page}");
    let link_id: String = sqlx::query_scalar("SELECT id FROM incident_links WHERE incident_id = $1")
        .bind(&id)
        .fetch_one(&c.db.pool)
        .await
        .unwrap();
    c.submit("incidents_remove_link", &form(&[("id", &id), ("link", &link_id)]), &path, Some(&responder)).await;
    assert!(!c.get(&path, Some(&viewer)).await.body.contains("data-testid=\"related-link\""));
    c.submit("incidents_add_link", &link(runbook), &path, Some(&responder)).await;
    let engagements: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM engagements WHERE incident_id = $1")
        .bind(&id)
        .fetch_one(&c.db.pool)
        .await
        .unwrap();
    assert!(engagements >= 2, "the plan's engagement and the one paged from the page: {engagements}");

    let resolve = form(&[("id", &id), ("impact", ""), ("status", "resolved")]);
    c.submit("incidents_update", &resolve, &path, Some(&responder)).await;
    let page = c.get(&path, Some(&viewer)).await.body;
    assert!(page.contains("data-testid=\"incident-status\">Resolved<"), "{page}");

    // The review: saved from version 0, a second save from 0 refused, exported with the timeline.
    let review_path = format!("{path}/review");
    let review = |base: &str, due: &str| {
        form(&[
            ("id", &id),
            ("base", base),
            ("review[what_happened]", "Deploy 42 broke checkout"),
            ("review[actions][0][text]", "Add a canary stage"),
            ("review[actions][0][owner]", "sato"),
            ("review[actions][0][due]", due),
            ("review[actions][1][text]", ""),
        ])
    };
    c.submit("incidents_save_review", &review("0", "next week"), &review_path, Some(&responder)).await;
    let page = c.get(&review_path, Some(&responder)).await.body;
    assert!(page.contains("data-field=\"actions.0.due\"") && page.contains("Add a canary stage"), "{page}");
    c.submit("incidents_save_review", &review("0", "2026-12-15"), &review_path, Some(&responder)).await;
    let page = c.get(&review_path, Some(&responder)).await.body;
    assert!(page.contains("data-testid=\"review-saved\""), "{page}");
    c.submit("incidents_save_review", &review("0", "2026-12-16"), &review_path, Some(&admin)).await;
    let page = c.get(&review_path, Some(&admin)).await.body;
    assert!(page.contains("data-testid=\"review-stale\""), "a save from an older version is refused: {page}");
    let page = c.get(&review_path, Some(&viewer)).await.body;
    let markdown = page
        .split("data-testid=\"review-markdown\"")
        .nth(1)
        .and_then(|s| s.split_once('>'))
        .and_then(|(_, s)| s.split("</pre>").next())
        .unwrap();
    assert!(
        markdown.contains("# Checkout down")
            && markdown.contains("- [ ] Add a canary stage — sato (due 2026-12-15)")
            && markdown.contains("**Note** Rolled back deploy 42"),
        "{markdown}"
    );
    assert!(!page.contains("data-testid=\"review-form\""), "viewers read the review");
    // Every line of the page's timeline is in the export.
    let timeline = c.get(&path, Some(&viewer)).await.body;
    let lines = timeline.matches("<li data-event=").count();
    assert_eq!(markdown.lines().filter(|l| l.starts_with("- 20")).count(), lines, "{markdown}");
}

#[tokio::test]
async fn analytics_follow_the_incidents_and_the_recorded_shifts() {
    use app::ports::Backend;
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    let declare = form(&[("response_plan", "sev3-low"), ("title", "Disk full"), ("impact", ""), ("summary", "")]);
    c.submit("incidents_declare", &declare, "/incidents/new", Some(&admin)).await;
    let today = chrono::Utc::now().date_naive();
    let from = (today - chrono::Duration::days(6)).format("%Y-%m-%d").to_string();
    let to = today.format("%Y-%m-%d").to_string();
    // Shifts are recorded from the console's start, in whole seconds: let one pass, so that
    // someone has been on call for some of the period however fast the machine is.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let before = chrono::Utc::now().timestamp();
    let r = c.call("incidents_analytics", &form(&[("from", &from), ("to", &to), ("zone", "UTC")]), Some(&admin)).await;
    let after = chrono::Utc::now().timestamp();
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let page: app::model::incidents::AnalyticsPage = serde_json::from_str(&r.body).unwrap();
    assert_eq!(page.incidents, 1);
    assert_eq!((page.plans[0].plan.as_str(), page.plans[0].incidents), ("sev3-low", 1));

    // On-call hours are the rotations' shifts over the period up to now (today's rest has
    // not happened), each person counted once.
    let clock: std::sync::Arc<dyn app::ports::Clock> = std::sync::Arc::new(server::clock::SystemClock);
    let backend = server::backend::LocalBackend { engine: server::engine::Engine::new(c.db.clone(), clock) };
    let start = (today - chrono::Duration::days(6)).and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
    let end = (today + chrono::Duration::days(1)).and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
    let mut shifts = Vec::new();
    for rotation in backend.rotations().await.unwrap() {
        shifts.extend(backend.rotation_shifts(&rotation.id, start, end).await.unwrap());
    }
    // Each person's hours with the period cut at `now`.
    let totals = |now: i64| {
        let mut spans: std::collections::BTreeMap<String, Vec<(i64, i64)>> = std::collections::BTreeMap::default();
        for shift in &shifts {
            for m in &shift.members {
                let span = (shift.start.timestamp().max(start), shift.end.timestamp().min(end).min(now));
                spans.entry(m.clone()).or_default().push(span);
            }
        }
        spans
            .into_iter()
            .map(|(who, mut s)| {
                s.sort_unstable();
                let (mut total, mut reach) = (0, i64::MIN);
                for (a, b) in s {
                    let a = a.max(reach);
                    if b > a {
                        total += b - a;
                    }
                    reach = reach.max(b);
                }
                (who, total)
            })
            .filter(|(_, total)| *total > 0)
            .collect::<std::collections::BTreeMap<String, i64>>()
    };
    // The server read its clock during the call: between `before` and `after`.
    let (least, most) = (totals(before), totals(after));
    let got: std::collections::BTreeMap<String, i64> =
        page.on_call.iter().map(|r| (r.contact.clone(), r.seconds.total())).collect();
    assert!(!most.is_empty(), "the demo's rotations have shifts this week");
    assert_eq!(got.keys().collect::<Vec<_>>(), most.keys().collect::<Vec<_>>());
    for (who, total) in &got {
        let range = least.get(who).copied().unwrap_or_default()..=most[who];
        assert!(range.contains(total), "{who}: {total} on call, expected within {range:?}");
    }
    assert!(got.values().all(|t| *t <= after - start), "no one is on call longer than the period so far");

    let html = c.get(&format!("/incidents/analytics?from={from}&to={to}"), Some(&admin)).await.body;
    assert!(
        html.contains("data-testid=\"ack-chart\"")
            && html.contains("data-testid=\"csv-on-call\"")
            && html.contains("sev3-low"),
        "{html}"
    );
    let bad =
        c.call("incidents_analytics", &form(&[("from", &to), ("to", &from), ("zone", "UTC")]), Some(&admin)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
}

/// The rules editor as a manager meets it without script: a new rule goes above the catch-all
/// (first, when numbered 1), a rule that can never fire is pointed out, and a dry run shows
/// the alert as conditions see it — nested labels included — with condition errors in the
/// reader's language and syntax errors with their place.
#[tokio::test]
async fn the_rules_editor_places_new_rules_warns_and_explains_itself() {
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    let rules_path = "/routing/rules";
    let page = c.get(rules_path, Some(&admin)).await.body;
    let (new_row, pinned) = (page.find("data-testid=\"rule-new\"").unwrap(), page.find("data-testid=\"rule-pinned\""));
    assert!(pinned.is_some_and(|p| new_row < p), "the new rule's row sits above the pinned catch-all: {page}");
    // Every field of the form has a name of its own: a row's builder sharing another's names
    // would post one row's tests as the other's.
    let names: Vec<&str> = page.split(" name=\"rules[").skip(1).filter_map(|s| s.split('"').next()).collect();
    let distinct: std::collections::BTreeSet<&str> = names.iter().copied().collect();
    assert!(names.len() > 20 && distinct.len() == names.len(), "{names:?}");
    let integration = page
        .split("<option value=\"")
        .find(|s| s.contains("(eventbridge)"))
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let store = server::routing::rules::Rules { db: c.db.clone() };
    let base = store.current().await.unwrap().version.to_string();
    let row = |i: usize, position: &'static str, name: &'static str, condition: &'static str| {
        [
            (format!("rules[{i}][position]"), position.to_owned()),
            (format!("rules[{i}][name]"), name.to_owned()),
            (format!("rules[{i}][condition]"), condition.to_owned()),
            (format!("rules[{i}][firing]"), "notify".to_owned()),
        ]
    };
    let body = |rows: Vec<[(String, String); 4]>, extra: &[(&str, &str)]| {
        let mut all: Vec<(String, String)> = rows.into_iter().flatten().collect();
        all.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        form(&all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect::<Vec<_>>())
    };

    // Numbered 1 next to an existing rule 1, the new rule goes first.
    let rows = vec![
        row(0, "1", "Critical", "alert.severity == 'critical'"),
        row(1, "1", "Payments", "alert.labels.service == 'payments'"),
        row(2, "", "Rest", ""),
    ];
    c.submit("alerts_save_rules", &body(rows, &[("base", &base), ("rules[1][new]", "1")]), rules_path, Some(&admin))
        .await;
    let saved = store.current().await.unwrap();
    let names: Vec<&str> = saved.rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Payments", "Critical", "Rest"]);
    let page = c.get(rules_path, Some(&admin)).await.body;
    assert!(page.contains("data-testid=\"rules-saved\"") && !page.contains("rule-never-matches"), "{page}");

    // A rule behind one without a condition is saved, and the page says it never fires.
    let base = saved.version.to_string();
    let rows = vec![
        row(0, "1", "Everything", ""),
        row(1, "2", "Critical", "alert.severity == 'critical'"),
        row(2, "", "Rest", ""),
    ];
    c.submit("alerts_save_rules", &body(rows, &[("base", &base)]), rules_path, Some(&admin)).await;
    let page = c.get(rules_path, Some(&admin)).await.body;
    assert!(page.contains("data-testid=\"rule-never-matches\"") && page.contains("“Everything”"), "{page}");

    // Moving "Critical" up shows the rules in their new order, renumbered and not yet saved,
    // with what was typed kept; the catch-all has no move buttons.
    let version = store.current().await.unwrap().version;
    let rows = vec![
        row(0, "1", "Everything", ""),
        row(1, "2", "Critical", "alert.severity == 'critical' && alert.title != 'x'"),
        row(2, "", "Rest", ""),
    ];
    let step = body(rows, &[("base", &version.to_string()), ("step", "1:up")]);
    c.submit("alerts_reorder_rules", &step, rules_path, Some(&admin)).await;
    let page = c.get(rules_path, Some(&admin)).await.body;
    let names = page.split("data-testid=\"rule-name\"");
    let order: Vec<&str> = names.filter_map(|s| s.rsplit("value=\"").next()?.split('"').next()).collect();
    assert_eq!(order[..2], ["Critical", "Everything"], "{page}");
    assert!(page.contains("data-testid=\"rules-reordered\""), "{page}");
    // Critical now fires; only the catch-all behind "Everything" never does.
    assert_eq!(page.matches("data-testid=\"rule-never-matches\"").count(), 1, "{page}");
    assert!(page.contains("alert.title != &#x27;x&#x27;") || page.contains("alert.title != 'x'"), "{page}");
    assert_eq!(page.matches("data-testid=\"rule-up\"").count(), 2, "the catch-all does not move: {page}");
    assert_eq!(store.current().await.unwrap().version, version, "moving saves nothing");
    // The page comes back at the moved rule, which says so with a Save at hand.
    let first = page.split("id=\"rule-0\"").nth(1).and_then(|r| r.split("</fieldset>").next()).unwrap_or_default();
    assert!(
        first.contains("data-testid=\"rule-moved\"") && first.contains("data-testid=\"rule-moved-save\""),
        "{page}"
    );
    assert!(page.contains("alerts_reorder_rules#rule-1\""), "a move button leads to the rule's new place: {page}");

    // A condition typed into the catch-all is refused there, and it stays the last row, pinned.
    let rows = vec![row(0, "1", "Critical", "alert.severity == 'critical'"), row(1, "", "Rest", "alert.title == 'x'")];
    let pinned = body(rows, &[("base", &version.to_string()), ("rules[1][pinned]", "1")]);
    c.submit("alerts_save_rules", &pinned, rules_path, Some(&admin)).await;
    let page = c.get(rules_path, Some(&admin)).await.body;
    assert!(page.contains("data-field=\"rules.1.condition\""), "refused where it is: {page}");
    let (new_row, pinned) = (page.find("data-testid=\"rule-new\"").unwrap(), page.find("data-testid=\"rule-pinned\""));
    assert!(pinned.is_some_and(|p| new_row < p), "still pinned last, below the new row: {page}");
    assert_eq!(page.matches("data-testid=\"rule-up\"").count(), 1, "{page}");

    // A dry run in Japanese: nested labels are labels; a missing one is said in Japanese.
    let ja = format!("{admin}; lang=ja");
    let base = store.current().await.unwrap().version.to_string();
    let rows = vec![
        row(0, "1", "Team", "alert.labels.team == 'web'"),
        row(1, "2", "Payments", "alert.labels.service == 'payments'"),
        row(2, "", "Rest", ""),
    ];
    let event = r#"{"title":"Checkout slow","labels":{"service":"payments"},"tags":["env:prod"]}"#;
    let dry = body(rows, &[("base", &base), ("integration", &integration), ("event", event)]);
    c.submit("alerts_dry_run", &dry, rules_path, Some(&ja)).await;
    let page = c.get(rules_path, Some(&ja)).await.body;
    assert!(page.contains("data-testid=\"dry-run-match\">Payments<"), "nested labels route: {page}");
    assert!(
        page.contains("アラートに「team」という項目やラベルはありません") && !page.contains("No such key"),
        "{page}"
    );
    assert!(
        page.contains("<code>alert.labels.service</code> = payments")
            && page.contains("<code>alert.labels.env</code> = prod"),
        "the dry run shows the labels as conditions name them: {page}"
    );

    // A condition that is not CEL is refused where it is, saying the place.
    let rows = vec![row(0, "1", "Broken", "alert.severity == 'x' &&"), row(1, "", "Rest", "")];
    c.submit("alerts_save_rules", &body(rows, &[("base", &base)]), rules_path, Some(&ja)).await;
    let page = c.get(rules_path, Some(&ja)).await.body;
    let error = page.split("data-field=\"rules.0.condition\"").nth(1).unwrap_or_default();
    assert!(error.starts_with(" role=\"alert\"") && error.contains("正しくありません。(1行目 25文字目)"), "{page}");
}

/// Overrides: a backwards range is told so, an overlapping one is refused, and adding one says so.
#[tokio::test]
async fn overrides_refuse_overlaps_and_say_what_happened() {
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    let rotation = app::ports::Backend::rotations(&server::backend::LocalBackend {
        engine: server::engine::Engine::new(c.db.clone(), std::sync::Arc::new(server::clock::SystemClock)),
    })
    .await
    .unwrap()
    .into_iter()
    .next()
    .expect("the demo has rotations");
    let path = app::paths::rotation_path(&rotation.id);
    let member = rotation.rotation.members[0].clone();
    let zone = app::domain::timezone::parse_time_zone(&rotation.rotation.time_zone).unwrap();
    let at = |days: i64, hour: u32| {
        let day = chrono::Utc::now().with_timezone(&zone).date_naive() + chrono::Duration::days(days);
        day.and_hms_opt(hour, 0, 0).unwrap().format("%Y-%m-%dT%H:%M").to_string()
    };
    let add = |start: String, end: String| {
        let base = "0".to_owned();
        let fields = [
            ("rotation_id", rotation.id.clone()),
            ("base", base),
            ("who", member.clone()),
            ("shift", String::new()),
            ("start", start),
            ("end", end),
        ];
        form(&fields.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>())
    };
    // The shortcut lists whole shifts over five weeks, not only the calendar's days.
    let page = c.get(&path, Some(&admin)).await.body;
    let list = page.split("data-testid=\"override-shift\"").nth(1).and_then(|r| r.split("</select>").next()).unwrap();
    assert!(list.matches("<option value=\"1").count() >= 4, "{list}");
    c.submit("rotation_add_override", &add(at(3, 12), at(3, 9)), &path, Some(&admin)).await;
    let page = c.get(&path, Some(&admin)).await.body;
    assert!(page.contains("The end is before the start"), "{page}");
    c.submit("rotation_add_override", &add(at(3, 9), at(3, 12)), &path, Some(&admin)).await;
    let page = c.get(&path, Some(&admin)).await.body;
    assert!(page.contains("Override added."), "{page}");
    // It says whom it replaces: whoever the rotation itself has on call then.
    let start = chrono::NaiveDateTime::parse_from_str(&at(3, 9), "%Y-%m-%dT%H:%M").unwrap();
    let start = start.and_local_timezone(zone).unwrap().with_timezone(&chrono::Utc);
    let regular = rotation.rotation.shifts(start, start + chrono::Duration::hours(3), &[]);
    let mut displaced: Vec<String> = regular.into_iter().flat_map(|s| s.members).collect();
    displaced.dedup();
    let replaces = page.split("data-testid=\"override-replaces\"").nth(1);
    let replaces = replaces.and_then(|r| r.split_once('>')).and_then(|(_, r)| r.split('<').next());
    let want = if displaced.is_empty() {
        "(adds cover: nobody is on call then)".to_owned()
    } else {
        let contacts = sqlx::query_as::<_, (String, String)>("SELECT alias, display_name FROM contacts")
            .fetch_all(&c.db.pool)
            .await
            .unwrap();
        let name = |a: &String| contacts.iter().find(|(alias, _)| alias == a).map_or(a.clone(), |(_, n)| n.clone());
        format!("(in place of {})", displaced.iter().map(name).collect::<Vec<_>>().join(", "))
    };
    assert_eq!(replaces, Some(want.as_str()), "{page}");
    c.submit("rotation_add_override", &add(at(3, 11), at(3, 14)), &path, Some(&admin)).await;
    let page = c.get(&path, Some(&admin)).await.body;
    assert!(page.contains("overlaps another override"), "{page}");
    assert_eq!(page.matches("data-testid=\"override\"").count(), 1, "the overlapping one was not added");
}
