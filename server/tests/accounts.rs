//! Sign-in, sessions, the setup link, user administration and the audit log, end to end
//! through the HTTP router.

mod common;

use common::{ADMIN_PASSWORD, TestConsole, form};
use http::StatusCode;

#[tokio::test]
async fn sign_in_sets_a_strict_fresh_session_and_sign_out_ends_it() {
    let c = TestConsole::with_admin().await;
    let r = c.call("login", &form(&[("username", "admin"), ("password", ADMIN_PASSWORD)]), None).await;
    let set = r.set_cookie("oncall_session").expect("cookie");
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"), "{set}");
    assert!(set.contains("Max-Age=43200"), "12 h idle timeout by default: {set}");
    assert!(!set.contains("Secure"), "plain-http base URL: {set}");
    let first = set.split(';').next().unwrap().to_owned();
    assert_eq!(c.whoami(Some(&first)).await["username"], "admin");

    // Signing in again cycles the id: the old one stops working.
    let r = c.call("login", &form(&[("username", "admin"), ("password", ADMIN_PASSWORD)]), Some(&first)).await;
    let second = r.set_cookie("oncall_session").expect("new cookie").split(';').next().unwrap().to_owned();
    assert_ne!(first, second);
    assert!(c.whoami(Some(&first)).await.is_null(), "old session id still valid");
    assert_eq!(c.whoami(Some(&second)).await["username"], "admin");

    let out = c.call("logout", "", Some(&second)).await;
    assert!(out.status.is_success() || out.status.is_redirection(), "{}", out.status);
    assert!(c.whoami(Some(&second)).await.is_null(), "session survived sign-out");
}

#[tokio::test]
async fn https_base_url_gives_a_secure_host_prefixed_cookie() {
    let c = TestConsole::start(true, &["--base-url", "https://oncall.example.com"]).await;
    let r = c.call("login", &form(&[("username", "admin"), ("password", ADMIN_PASSWORD)]), None).await;
    let set = r.set_cookie("__Host-oncall_session").expect("__Host- cookie");
    assert!(set.contains("Secure") && set.contains("HttpOnly"), "{set}");
}

#[tokio::test]
async fn wrong_password_is_refused_and_one_address_backs_off_on_one_account() {
    let c = TestConsole::with_admin().await;
    let bad = form(&[("username", "admin"), ("password", "not-the-password")]);
    for _ in 0..3 {
        let r = c.call("login", &bad, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.json(), serde_json::json!("BadCredentials"));
        assert!(r.set_cookie("oncall_session").is_none());
    }
    // The same address must now wait, even with the right password (it may be the guesser's).
    let good = form(&[("username", "admin"), ("password", ADMIN_PASSWORD)]);
    let r = c.call("login", &good, None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    let retry = r.json()["RateLimited"]["retry_after_secs"].as_u64().unwrap();
    assert!((1..=30).contains(&retry), "{retry}");
}

#[tokio::test]
async fn attempts_are_limited_per_client_address() {
    let c = TestConsole::with_admin().await;
    for i in 0..20 {
        let r =
            c.call("login", &form(&[("username", &format!("guess{i}")), ("password", "x-password-123")]), None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = c.call("login", &form(&[("username", "admin"), ("password", ADMIN_PASSWORD)]), None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn disabling_a_user_ends_all_their_sessions_at_once() {
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    let id = c.create_user(&admin, "vera", "viewer").await;
    let phone = c.login("vera", &common::password_of("vera")).await;
    let laptop = c.login("vera", &common::password_of("vera")).await;
    assert_eq!(c.whoami(Some(&phone)).await["username"], "vera");

    let r = c.call("admin_set_disabled", &format!("user_id={id}&disabled=true"), Some(&admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for cookie in [&phone, &laptop] {
        assert!(c.whoami(Some(cookie)).await.is_null());
        assert_eq!(c.get("/", Some(cookie)).await.status, StatusCode::FOUND);
    }
    let r = c.call("login", &form(&[("username", "vera"), ("password", &common::password_of("vera"))]), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "a disabled user signed in");

    c.call("admin_set_disabled", &format!("user_id={id}&disabled=false"), Some(&admin)).await;
    c.login("vera", &common::password_of("vera")).await;
}

#[tokio::test]
async fn role_changes_apply_at_once_and_admins_cannot_lock_themselves_out() {
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    let id = c.create_user(&admin, "mia", "viewer").await;
    let mia = c.login("mia", &common::password_of("mia")).await;
    assert_eq!(c.call("admin_list_users", "", Some(&mia)).await.status, StatusCode::FORBIDDEN);
    let r = c.call("admin_set_role", &format!("user_id={id}&role=admin"), Some(&admin)).await;
    assert_eq!(r.json()["role"], "admin");
    assert_eq!(c.call("admin_list_users", "", Some(&mia)).await.status, StatusCode::OK);

    let me = c.whoami(Some(&admin)).await["id"].as_i64().unwrap();
    let r = c.call("admin_set_role", &format!("user_id={me}&role=viewer"), Some(&admin)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["Invalid"][0]["field"], "role");
    let r = c.call("admin_set_role", &format!("user_id={id}&role=root"), Some(&admin)).await;
    assert_eq!(r.json()["Invalid"][0]["field"], "role");
}

#[tokio::test]
async fn password_reset_ends_sessions_and_takes_the_new_password() {
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    let id = c.create_user(&admin, "ren", "responder").await;
    let ren = c.login("ren", &common::password_of("ren")).await;
    let r = c.call("admin_reset_password", &format!("user_id={id}&password=short"), Some(&admin)).await;
    assert_eq!(r.json()["Invalid"][0]["field"], "password");
    assert_eq!(c.whoami(Some(&ren)).await["username"], "ren", "a rejected reset changed nothing");
    let r = c.call("admin_reset_password", &format!("user_id={id}&password=brand-new-password"), Some(&admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(c.whoami(Some(&ren)).await.is_null());
    c.login("ren", "brand-new-password").await;
}

#[tokio::test]
async fn bad_user_input_gets_field_errors_and_changes_nothing() {
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    c.create_user(&admin, "taken", "viewer").await;
    let audit_before = c.call("admin_audit_log", "", Some(&admin)).await.json().as_array().unwrap().len();
    let cases = [
        (
            form(&[
                ("username", "Bad Name"),
                ("display_name", ""),
                ("password", "long-enough-pass"),
                ("role", "viewer"),
            ]),
            "username",
        ),
        (form(&[("username", "okname"), ("display_name", ""), ("password", "short"), ("role", "viewer")]), "password"),
        (
            form(&[("username", "okname"), ("display_name", ""), ("password", "long-enough-pass"), ("role", "root")]),
            "role",
        ),
        (
            form(&[("username", "taken"), ("display_name", ""), ("password", "long-enough-pass"), ("role", "viewer")]),
            "username",
        ),
    ];
    for (body, field) in cases {
        let r = c.call("admin_create_user", &body, Some(&admin)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(r.json()["Invalid"][0]["field"], field, "{body}: {}", r.body);
    }
    let users = c.call("admin_list_users", "", Some(&admin)).await.json();
    assert_eq!(users.as_array().unwrap().len(), 2, "{users}");
    let audit_after = c.call("admin_audit_log", "", Some(&admin)).await.json().as_array().unwrap().len();
    assert_eq!(audit_before, audit_after, "a rejected change was audited");
}

#[tokio::test]
async fn every_change_is_audited_with_before_and_after() {
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    let id = c.create_user(&admin, "aki", "viewer").await;
    c.call("admin_set_role", &format!("user_id={id}&role=manager"), Some(&admin)).await;
    c.call("admin_set_disabled", &format!("user_id={id}&disabled=true"), Some(&admin)).await;
    c.call("admin_reset_password", &format!("user_id={id}&password=yet-another-pass"), Some(&admin)).await;

    let log = c.call("admin_audit_log", "entity=user", Some(&admin)).await.json();
    let id_text = id.to_string();
    let entries: Vec<_> = log.as_array().unwrap().iter().filter(|e| e["entity_id"] == id_text.as_str()).collect();
    let actions: Vec<_> = entries.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["reset_password", "disable", "set_role", "create"]);
    for e in &entries {
        assert_eq!(e["actor"], "admin");
        assert!(e["at"].as_i64().unwrap() > 1_700_000_000);
    }
    let json =
        |e: &serde_json::Value, k: &str| serde_json::from_str::<serde_json::Value>(e[k].as_str().unwrap()).unwrap();
    assert!(entries[3]["before"].is_null());
    assert_eq!(json(entries[3], "after")["username"], "aki");
    assert_eq!(
        (json(entries[2], "before")["role"].clone(), json(entries[2], "after")["role"].clone()),
        ("viewer".into(), "manager".into())
    );
    assert_eq!(json(entries[1], "after")["disabled"], true);
    assert!(!entries[0]["after"].as_str().unwrap().contains("argon2"), "password hashes never reach the audit log");

    // Filters: by user, by entity, by time.
    let by_actor = c.call("admin_audit_log", "actor=nobody", Some(&admin)).await.json();
    assert_eq!(by_actor.as_array().unwrap().len(), 0);
    let by_entity = c.call("admin_audit_log", "entity=incident", Some(&admin)).await.json();
    assert_eq!(by_entity.as_array().unwrap().len(), 0);
    let future = c.call("admin_audit_log", "since=2999-01-01T00:00", Some(&admin)).await.json();
    assert_eq!(future.as_array().unwrap().len(), 0);
    let past = c.call("admin_audit_log", "since=2000-01-01T00:00&until=2999-01-01T00:00", Some(&admin)).await.json();
    assert!(past.as_array().unwrap().len() >= 5, "{past}");
    let bad = c.call("admin_audit_log", "since=yesterday", Some(&admin)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["Invalid"][0]["field"], "since");
}

#[tokio::test]
async fn the_setup_link_creates_the_first_admin_once() {
    let c = TestConsole::empty().await;
    let link = c.setup_link.clone().expect("empty database issues a setup link");
    assert!(link.starts_with(&format!("{}/setup?token=", c.origin())), "{link}");
    let file = c.config.data_dir.join("setup-link.txt");
    assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), link);
    let token = link.rsplit_once("token=").unwrap().1.to_owned();
    assert_eq!(token.len(), 64);

    assert_eq!(setup_status(&c, "wrong").await, serde_json::json!(false));
    assert_eq!(setup_status(&c, &token).await, serde_json::json!(true));

    let body = |pw2: &str| {
        form(&[
            ("token", &token),
            ("username", "root-admin"),
            ("display_name", "Root"),
            ("password", "first-admin-pass"),
            ("password_confirm", pw2),
        ])
    };
    let r = c.call("setup_admin", &body("mismatch-pass-1"), None).await;
    assert_eq!(r.json()["Invalid"][0]["field"], "password_confirm");
    let r = c.call("setup_admin", &body("first-admin-pass"), None).await;
    assert!(r.status.is_success() || r.status.is_redirection(), "{} {}", r.status, r.body);
    let cookie = r.set_cookie("oncall_session").unwrap().split(';').next().unwrap().to_owned();
    assert_eq!(c.whoami(Some(&cookie)).await["role"], "admin");
    assert!(!file.exists(), "used link left on disk");

    assert_eq!(setup_status(&c, &token).await, serde_json::json!(false));
    let r = c.call("setup_admin", &body("first-admin-pass"), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json(), serde_json::json!("SetupLinkInvalid"));
    let page = c.get(&format!("/setup?token={token}"), None).await;
    assert!(page.body.contains("data-testid=\"setup-invalid\""));
}

#[tokio::test]
async fn sessions_expire_after_their_absolute_lifetime() {
    let c = TestConsole::with_admin().await;
    let now = chrono::Utc::now();
    let clock = server::clock::ManualClock::new(now);
    let accounts = server::accounts::SqlAccounts::new(c.db.clone(), clock.clone(), None);
    let now = now.timestamp();
    let claims = |authenticated_at| app::ports::SessionClaims { user_id: 1, epoch: 0, authenticated_at };
    let week = 7 * 24 * 3600;
    assert!(accounts.session_user(&claims(now - 60), week).await.unwrap().is_some());
    assert!(accounts.session_user(&claims(now - week - 1), week).await.unwrap().is_none());
    // The lifetime runs on the console's clock: a week later, the fresh session has ended too.
    clock.advance(chrono::Duration::seconds(week));
    assert!(accounts.session_user(&claims(now - 60), week).await.unwrap().is_none());
    assert!(
        accounts
            .session_user(&app::ports::SessionClaims { user_id: 1, epoch: 7, authenticated_at: now }, week)
            .await
            .unwrap()
            .is_none()
    );
}

async fn setup_status(c: &TestConsole, token: &str) -> serde_json::Value {
    c.call("setup_status", &form(&[("token", token)]), None).await.json()
}
