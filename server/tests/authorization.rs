//! Every registered server function and every page route is checked against the role it needs:
//! anonymous → 401 (pages: redirect to sign-in), wrong role → 403, right role → allowed.
//! A server function or route missing from the tables below fails the test.

mod common;

use app::auth::Role;
use common::{TestConsole, form};
use http::StatusCode;
use server::engine::incidents::StartIncident;

#[derive(Clone, Copy, Debug)]
enum Access {
    Public,
    Needs(Role),
}
use Access::{Needs, Public};

/// (endpoint, who may call it, a well-formed request body).
const SERVER_FNS: &[(&str, Access, &str)] = &[
    ("whoami", Public, ""),
    ("login", Public, "username=nobody&password=wrong-password-1"),
    ("logout", Public, ""),
    ("setup_status", Public, "token=abc"),
    ("setup_admin", Public, "token=abc&username=x&display_name=&password=p&password_confirm=p"),
    ("admin_list_users", Needs(Role::Admin), ""),
    ("admin_create_user", Needs(Role::Admin), "username=matrix&display_name=&password=matrix-password-1&role=viewer"),
    ("admin_set_role", Needs(Role::Admin), "user_id=999999&role=viewer"),
    ("admin_set_disabled", Needs(Role::Admin), "user_id=999999&disabled=true"),
    ("admin_reset_password", Needs(Role::Admin), "user_id=999999&password=another-password-1"),
    ("admin_audit_log", Needs(Role::Admin), ""),
    ("admin_list_api_keys", Needs(Role::Admin), ""),
    ("admin_issue_api_key", Needs(Role::Admin), "name=matrix"),
    ("admin_revoke_api_key", Needs(Role::Admin), "access_key_id=AKOCNOSUCHKEY"),
    ("oncall_contacts", Needs(Role::Viewer), ""),
    ("oncall_plan_timelines", Needs(Role::Viewer), ""),
    ("oncall_test_page", Needs(Role::Manager), "contact=tanaka"),
    ("oncall_contact_language", Needs(Role::Manager), "contact=tanaka&language=ja"),
    ("oncall_contact_languages", Needs(Role::Viewer), ""),
    ("plans_editor", Needs(Role::Manager), "alias=web-escalation"),
    ("people_page", Needs(Role::Viewer), "alias=tanaka"),
    ("response_plans_editor", Needs(Role::Manager), "name=sev1-critical"),
    (
        "response_plans_save",
        Needs(Role::Manager),
        "name=sev1-critical&base=0&display_name=x&title=x&impact=9&summary=&dedupe_string=",
    ),
    ("schedules_editor", Needs(Role::Manager), "alias=primary-oncall"),
    ("schedules_save", Needs(Role::Manager), "alias=Bad%20Alias&base=&display_name=x"),
    ("schedules_delete", Needs(Role::Manager), "alias=primary-oncall"),
    ("drills_run", Needs(Role::Manager), "plan=no-such-plan"),
    ("drills_get", Needs(Role::Viewer), "id=no-such-drill"),
    ("drills_overview", Needs(Role::Viewer), ""),
    (
        "drills_schedule",
        Needs(Role::Manager),
        "plan=web-escalation&week=fifth&weekday=0&time=10%3A00&time_zone=Asia%2FTokyo",
    ),
    ("drills_unschedule", Needs(Role::Manager), "id=no-such-schedule"),
    ("people_create", Needs(Role::Manager), "alias=Not%20Valid&display_name=x"),
    ("alerts_integrations", Needs(Role::Viewer), ""),
    ("alerts_create_integration", Needs(Role::Manager), "name=&kind=webhook"),
    ("alerts_rotate_secret", Needs(Role::Manager), "id=no-such-integration"),
    ("alerts_list", Needs(Role::Viewer), "status=&outcome="),
    ("alerts_routing_status", Needs(Role::Viewer), ""),
    ("alerts_detail", Needs(Role::Viewer), "id=no-such-alert"),
    ("alerts_rules", Needs(Role::Viewer), ""),
    ("alerts_save_rules", Needs(Role::Manager), "base=0"),
    ("alerts_restore_rules", Needs(Role::Manager), "version=99&base=1"),
    ("alerts_dry_run", Needs(Role::Manager), "integration=x&event=%7B%7D"),
    ("alerts_replay", Needs(Role::Manager), "days=7"),
    ("alerts_reorder_rules", Needs(Role::Manager), "step=0%3Aup"),
    ("alerts_maintenance", Needs(Role::Viewer), ""),
    ("incidents_view", Needs(Role::Viewer), "id=no-such-incident"),
    ("incidents_declare", Needs(Role::Responder), "response_plan=&title="),
    ("incidents_update", Needs(Role::Responder), "id=no-such-incident&impact=9&status=open"),
    ("incidents_summary", Needs(Role::Responder), "id=no-such-incident&base=&summary=x"),
    ("incidents_note", Needs(Role::Responder), "id=no-such-incident&text=x"),
    ("incidents_edit_note", Needs(Role::Responder), "id=no-such-incident&event=1&text=x"),
    ("incidents_delete_note", Needs(Role::Responder), "id=no-such-incident&event=1"),
    ("incidents_add_link", Needs(Role::Responder), "id=no-such-incident&url=x"),
    ("incidents_remove_link", Needs(Role::Responder), "id=no-such-incident&link=x"),
    ("incidents_page", Needs(Role::Responder), "id=no-such-incident&contact="),
    ("incidents_review", Needs(Role::Viewer), "id=no-such-incident"),
    ("incidents_analytics", Needs(Role::Viewer), "from=2026-11-01&to=2026-11-30&zone=UTC"),
    (
        "incidents_save_review",
        Needs(Role::Responder),
        "id=no-such-incident&base=0&review%5Bactions%5D%5B0%5D%5Bdue%5D=x",
    ),
    ("alerts_create_maintenance", Needs(Role::Manager), "note=&starts=x&ends=y&zone=UTC"),
    ("alerts_end_maintenance", Needs(Role::Manager), "id=no-such-window"),
    ("people_rename", Needs(Role::Manager), "alias=tanaka&base=0&display_name=x"),
    ("people_delete", Needs(Role::Manager), "alias=tanaka"),
    ("people_add_channel", Needs(Role::Manager), "contact=tanaka&name=x&kind=email&address=not-an-address"),
    ("people_activate_channel", Needs(Role::Manager), "contact=tanaka&channel_id=no-such-channel&code=1"),
    ("people_resend_code", Needs(Role::Manager), "contact=tanaka&channel_id=no-such-channel"),
    ("people_delete_channel", Needs(Role::Manager), "contact=tanaka&channel_id=no-such-channel"),
    ("people_save_plan", Needs(Role::Manager), "contact=tanaka&base=0&preset=nonsense"),
    ("plans_save", Needs(Role::Manager), "alias=web-escalation&base=0&display_name=x&stages=10%3A%20tanaka&repeat=1"),
    ("plans_preview", Needs(Role::Manager), "alias=x&base=&display_name=x&stages=10%3A%20tanaka&repeat=1&at="),
    ("oncall_rotations", Needs(Role::Viewer), ""),
    ("oncall_response_plans", Needs(Role::Viewer), ""),
    ("oncall_engagements", Needs(Role::Viewer), ""),
    ("oncall_incidents", Needs(Role::Viewer), "query%5Bstatus%5D=open"),
    ("oncall_incident", Needs(Role::Viewer), "id=no-such-incident"),
    ("oncall_deliveries", Needs(Role::Manager), ""),
    ("oncall_refresh", Needs(Role::Viewer), ""),
    ("admin_set_contact", Needs(Role::Admin), "user_id=999999&contact="),
    ("rotation_page", Needs(Role::Viewer), "id=no-such-rotation&offset_days=0&days=7"),
    (
        "rotation_save",
        Needs(Role::Manager),
        "id=no-such-rotation&base=1&name=x&members=a&start=2026-11-24T09%3A00&time_zone=UTC&kind=daily&times=09%3A00&multiplier=1&number_on_call=1&coverage=",
    ),
    ("rotation_editor", Needs(Role::Manager), "id=no-such-rotation"),
    ("rotation_history", Needs(Role::Viewer), "id=no-such-rotation"),
    ("rotation_restore", Needs(Role::Manager), "id=no-such-rotation&version=1&base=1"),
    (
        "rotation_add_override",
        Needs(Role::Manager),
        "rotation_id=no-such-rotation&base=1&who=a&shift=1893456000%2F1893459600",
    ),
    ("rotation_delete_override", Needs(Role::Manager), "rotation_id=no-such-rotation&override_id=x"),
    ("rotation_swap_approval", Needs(Role::Manager), "rotation_id=no-such-rotation&required=true"),
    ("swap_request", Needs(Role::Responder), "rotation_id=no-such-rotation&shift=0%2F1&other=b"),
    ("swap_answer", Needs(Role::Responder), "id=no-such-swap&accept=true"),
    ("swap_approve", Needs(Role::Manager), "id=no-such-swap&approve=true"),
    ("feed_regenerate", Needs(Role::Viewer), "kind=rotation&subject=no-such-rotation"),
    ("me_overview", Needs(Role::Viewer), ""),
    ("home_overview", Needs(Role::Viewer), ""),
    ("me_acknowledge", Needs(Role::Responder), "page_id=no-such-page"),
    ("me_stop_paging", Needs(Role::Responder), "page_id=no-such-page"),
    ("me_language", Needs(Role::Viewer), "language=ja"),
];

/// (path, who may open it).
const PAGES: &[(&str, Access)] = &[
    ("/login", Public),
    ("/setup", Public),
    ("/", Needs(Role::Viewer)),
    ("/rotations", Needs(Role::Viewer)),
    ("/rotations/new", Needs(Role::Manager)),
    ("/rotations/{id}", Needs(Role::Viewer)),
    ("/rotations/{id}/edit", Needs(Role::Manager)),
    ("/rotations/{id}/history", Needs(Role::Viewer)),
    ("/escalation", Needs(Role::Viewer)),
    ("/escalation/new-plan", Needs(Role::Manager)),
    ("/escalation/new-schedule", Needs(Role::Manager)),
    ("/escalation/schedules/{alias}", Needs(Role::Manager)),
    ("/escalation/drills", Needs(Role::Viewer)),
    ("/escalation/drills/{id}", Needs(Role::Viewer)),
    ("/escalation/people/{alias}", Needs(Role::Viewer)),
    ("/escalation/plans/{alias}", Needs(Role::Manager)),
    ("/routing", Needs(Role::Viewer)),
    ("/routing/integrations", Needs(Role::Viewer)),
    ("/routing/alerts", Needs(Role::Viewer)),
    ("/routing/alerts/{id}", Needs(Role::Viewer)),
    ("/routing/rules", Needs(Role::Viewer)),
    ("/routing/maintenance", Needs(Role::Viewer)),
    ("/routing/new-plan", Needs(Role::Manager)),
    ("/routing/plans/{name}", Needs(Role::Manager)),
    ("/incidents", Needs(Role::Viewer)),
    ("/incidents/new", Needs(Role::Responder)),
    ("/incidents/analytics", Needs(Role::Viewer)),
    ("/incidents/{id}/review", Needs(Role::Viewer)),
    ("/incidents/{id}", Needs(Role::Viewer)),
    ("/me", Needs(Role::Viewer)),
    ("/engagements", Needs(Role::Viewer)),
    ("/deliveries", Needs(Role::Manager)),
    ("/admin/users", Needs(Role::Admin)),
    ("/admin/audit", Needs(Role::Admin)),
    ("/admin/api-keys", Needs(Role::Admin)),
];

async fn cookies_by_role(c: &TestConsole) -> Vec<(Role, String)> {
    let admin = c.admin().await;
    let mut out = vec![(Role::Admin, admin.clone())];
    for role in [Role::Manager, Role::Responder, Role::Viewer] {
        let name = format!("user-{}", role.as_str());
        c.create_user(&admin, &name, role.as_str()).await;
        out.push((role, c.login(&name, &common::password_of(&name)).await));
    }
    out
}

#[tokio::test]
async fn every_server_function_checks_its_role() {
    let registered: Vec<(String, http::Method)> =
        leptos::server_fn::axum::server_fn_paths().map(|(p, m)| (p.to_owned(), m)).collect();
    for (path, method) in &registered {
        let name = path.strip_prefix("/api/").unwrap_or(path);
        assert!(
            SERVER_FNS.iter().any(|(n, ..)| *n == name),
            "server function {path} is not in the authorization table"
        );
        assert_eq!(*method, http::Method::POST, "{path} must be POST-only");
    }
    for (name, ..) in SERVER_FNS {
        assert!(
            registered.iter().any(|(p, _)| p == &format!("/api/{name}")),
            "{name} is in the table but not registered"
        );
    }

    let c = TestConsole::with_admin().await;
    let users = cookies_by_role(&c).await;
    for (name, access, body) in SERVER_FNS {
        let Needs(needed) = access else { continue };
        let anon = c.call(name, body, None).await;
        assert_eq!(anon.status, StatusCode::UNAUTHORIZED, "anonymous {name}: {}", anon.body);
        for (role, cookie) in &users {
            let r = c.call(name, body, Some(cookie)).await;
            if role >= needed {
                assert!(
                    r.status != StatusCode::UNAUTHORIZED && r.status != StatusCode::FORBIDDEN,
                    "{role:?} {name}: {} {}",
                    r.status,
                    r.body
                );
            } else {
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?} calling {name}: {}", r.body);
            }
        }
    }
}

#[tokio::test]
async fn state_changes_need_post_from_the_same_origin() {
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    let body =
        form(&[("username", "csrf"), ("display_name", ""), ("password", "csrf-password-123"), ("role", "admin")]);
    for origin in [Some("http://evil.example"), None] {
        let mut req = http::Request::post("/api/admin_create_user")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", &admin);
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        let r = c.send(req.body(axum::body::Body::from(body.clone())).unwrap()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "origin {origin:?}");
    }
    // Same origin through Sec-Fetch-Site only is accepted.
    let req = http::Request::post("/api/admin_list_users")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .header("cookie", &admin);
    assert_eq!(c.send(req.body(axum::body::Body::empty()).unwrap()).await.status, StatusCode::OK);
    // GET never runs a server function.
    let r = c.get(&format!("/api/admin_create_user?{body}"), Some(&admin)).await;
    assert!(r.status.is_client_error(), "GET ran a server function: {}", r.status);
    let list = c.call("admin_list_users", "", Some(&admin)).await.json();
    assert!(!list.to_string().contains("csrf"), "a refused request created a user");
}

#[tokio::test]
async fn every_page_route_checks_its_role() {
    let routes: Vec<String> =
        leptos_axum::generate_route_list(app::app::App).iter().map(|r| r.path().to_owned()).collect();
    for path in &routes {
        assert!(PAGES.iter().any(|(p, _)| p == path), "route {path} is not in the authorization table");
    }
    assert_eq!(routes.len(), PAGES.len(), "every table entry is a registered route: {routes:?}");

    let c = TestConsole::with_admin().await;
    let users = cookies_by_role(&c).await;
    // A real incident for `/incidents/{id}`, from a demo response plan.
    let engine = server::engine::Engine::new(c.db.clone(), std::sync::Arc::new(server::clock::SystemClock));
    let start = StartIncident { response_plan: "sev3-low".into(), source: "test".into(), ..StartIncident::default() };
    let incident = engine.start_incident(start).await.expect("incident").id().to_owned();
    let rotation: String =
        sqlx::query_scalar("SELECT id FROM rotations ORDER BY name LIMIT 1").fetch_one(&c.db.pool).await.unwrap();
    let drill = c.call("drills_run", "plan=web-escalation", Some(&users[0].1)).await;
    assert!(drill.status.is_success(), "a drill for `/escalation/drills/{{id}}`: {}", drill.body);
    let drill: String = serde_json::from_str(&drill.body).unwrap();
    let alert = common::stored_alert(&c).await;
    for (route, access) in PAGES {
        let id = if route.starts_with("/rotations/") {
            &rotation
        } else if route.starts_with("/routing/alerts/") {
            &alert
        } else if route.contains("/drills/") {
            &drill
        } else {
            &incident
        };
        let path =
            &route.replace("{id}", id).replace("{alias}", common::demo_alias(route)).replace("{name}", "sev1-critical");
        let anon = c.get(path, None).await;
        match access {
            Public => assert_eq!(anon.status, StatusCode::OK, "anonymous {path}"),
            Needs(needed) => {
                assert!(anon.status.is_redirection(), "anonymous {path}: {}", anon.status);
                let to = anon.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or("");
                assert!(to.starts_with("/login?next="), "anonymous {path} sent to {to}");
                // Clients that do not ask for HTML (curl, monitoring) get a real redirect too.
                let plain = c.send(http::Request::get(path).body(axum::body::Body::empty()).unwrap()).await;
                assert_eq!(plain.status, StatusCode::FOUND, "anonymous {path} without Accept: text/html");
                for (role, cookie) in &users {
                    let r = c.get(path, Some(cookie)).await;
                    let want = if role >= needed { StatusCode::OK } else { StatusCode::FORBIDDEN };
                    assert_eq!(r.status, want, "{role:?} opening {path}");
                    assert_eq!(
                        r.body.contains("data-testid=\"forbidden\""),
                        want == StatusCode::FORBIDDEN,
                        "{role:?} {path}"
                    );
                }
            }
        }
    }
    let missing = c.get("/no/such/page", Some(&users[0].1)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

/// Bodies that pass every check made before the database is read, where the table above uses
/// one that does not.
const WELL_FORMED: &[(&str, &str)] = &[
    (
        "setup_admin",
        "token=abc&username=second&display_name=&password=a-long-password-1&password_confirm=a-long-password-1",
    ),
    ("admin_set_role", "user_id={other}&role=manager"),
    ("admin_set_disabled", "user_id={other}&disabled=true"),
    ("admin_reset_password", "user_id={other}&password=another-password-1"),
    ("admin_set_contact", "user_id={other}&contact=tanaka"),
    ("drills_schedule", "plan=web-escalation&week=first&weekday=0&time=10%3A00&time_zone=Asia%2FTokyo"),
    ("response_plans_save", "name=sev1-critical&base=0&display_name=x&title=x&impact=1&summary=&dedupe_string="),
    ("alerts_create_integration", "name=matrix&kind=webhook"),
    ("alerts_save_rules", "base=1&rules%5B0%5D%5Bname%5D=rest&rules%5B0%5D%5Bfiring%5D=notify"),
    ("alerts_dry_run", "integration=x&event=%7B%7D&rules%5B0%5D%5Bname%5D=rest&rules%5B0%5D%5Bfiring%5D=notify"),
    ("alerts_replay", "days=7&rules%5B0%5D%5Bname%5D=rest&rules%5B0%5D%5Bfiring%5D=notify"),
    ("incidents_declare", "response_plan=sev1-critical&title=Checkout%20down"),
    ("incidents_update", "id=no-such-incident&impact=2&status=open"),
    ("incidents_page", "id=no-such-incident&contact=tanaka"),
    ("incidents_add_link", "id=no-such-incident&url=https%3A%2F%2Fwiki.example.com%2Frunbook"),
    ("incidents_save_review", "id=no-such-incident&base=0"),
    ("alerts_create_maintenance", "note=deploy&starts=2099-01-01T10%3A00&ends=2099-01-02T00%3A00&zone=UTC"),
];

/// Server functions that touch only the tables sign-in itself needs (kept working below), or
/// none (`oncall_refresh` empties AWS mode's read cache; `plans_preview` and
/// `alerts_reorder_rules` only read the form they are sent).
const ACCOUNTS_ONLY: &[&str] =
    &["whoami", "admin_list_users", "oncall_refresh", "plans_preview", "alerts_reorder_rules"];

#[tokio::test]
async fn a_database_failure_is_a_server_error_in_every_server_function() {
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    c.create_user(&admin, "other", "viewer").await;
    let id_of = |name: &'static str| {
        sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE username = $1").bind(name).fetch_one(&c.db.pool)
    };
    let other = id_of("other").await.unwrap();
    // Linked to a person, as a responder asking for a swap is.
    let link = format!("user_id={}&contact=sato", id_of("admin").await.unwrap());
    assert!(c.call("admin_set_contact", &link, Some(&admin)).await.status.is_success());
    // Everything but sign-in's own tables stops answering, as when the database fails under a
    // running console: a signed-in administrator then calls every server function.
    common::break_tables(&c.db, &["users", "console_sessions", "login_failures", "_sqlx_migrations"]).await;
    for (name, _, body) in SERVER_FNS {
        let body = WELL_FORMED.iter().find(|(n, _)| n == name).map_or(*body, |(_, b)| *b);
        let body = body.replace("{other}", &other.to_string());
        if *name == "logout" {
            continue; // last, below: it ends the session the others use
        }
        let r = c.call(name, &body, Some(&admin)).await;
        if ACCOUNTS_ONLY.contains(name) {
            assert!(r.status.is_success(), "{name} needs none of the failed tables: {} {}", r.status, r.body);
            continue;
        }
        // Sign-in with a wrong password is refused before anything else is read.
        if *name == "login" {
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{name}: {}", r.body);
            continue;
        }
        assert!(r.status.is_server_error(), "{name} with the database failing: {} {}", r.status, r.body);
    }
    let r = c.call("logout", "", Some(&admin)).await;
    assert!(r.status.is_success(), "logout needs only the session: {} {}", r.status, r.body);
    let admin = c.admin().await;
    // And with sign-in's own tables gone, a signed-in call is refused as unavailable, not as
    // signed out.
    sqlx::query("ALTER TABLE users RENAME TO gone_users").execute(c.db.writer()).await.unwrap();
    let r = c.call("whoami", "", Some(&admin)).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
}
