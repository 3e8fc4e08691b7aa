//! Test harness: a console on a throwaway database (SQLite by default; PostgreSQL when
//! `ONCALL_TEST_DB=postgres`, using `ONCALL_TEST_PG_ADMIN_URL`), driven in-process.
#![allow(dead_code)]

pub mod alert_burst;
pub mod binary;
pub mod burst;
pub mod ssm;
pub mod stats;
pub mod transports;

use axum::Router;
use axum::body::Body;
use http::{Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use server::config::Config;
use tower::ServiceExt;

pub const ADMIN_PASSWORD: &str = "admin-password-123";
pub const BASE: &str = "http://127.0.0.1:3000";

pub struct TestConsole {
    pub router: Router,
    pub config: Config,
    pub setup_link: Option<String>,
    pub db: server::db::Db,
    _dir: tempfile::TempDir,
}

pub struct Reply {
    pub status: StatusCode,
    pub body: String,
    pub headers: http::HeaderMap,
}

impl Reply {
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.starts_with(&format!("{name}=")).then(|| c.to_owned()))
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Renames every table but `keep`: each statement that touches one fails, as when the database
/// fails under a running console.
pub async fn break_tables(db: &server::db::Db, keep: &[&str]) {
    let list = match db.dialect {
        server::db::Dialect::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        server::db::Dialect::Postgres => "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
    };
    let tables: Vec<String> = sqlx::query_scalar(list).fetch_all(&db.pool).await.unwrap();
    for table in tables.iter().filter(|t| !keep.contains(&t.as_str())) {
        sqlx::query(&format!("ALTER TABLE {table} RENAME TO gone_{table}")).execute(db.writer()).await.unwrap();
    }
}

/// A fresh database URL for one test.
pub async fn database_url(dir: &std::path::Path) -> String {
    match std::env::var("ONCALL_TEST_DB").as_deref() {
        Ok("postgres") => {
            use sqlx::Connection;
            let admin = std::env::var("ONCALL_TEST_PG_ADMIN_URL")
                .expect("ONCALL_TEST_PG_ADMIN_URL must be set for postgres tests");
            let name = format!("t_{}", hex_id());
            let mut conn = sqlx::PgConnection::connect(&admin).await.expect("connect to the test PostgreSQL");
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
            let base = admin.rsplit_once('/').expect("admin URL has a database").0;
            format!("{base}/{name}")
        }
        _ => format!("sqlite:{}?mode=rwc", dir.join("console.db").display()),
    }
}

fn hex_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{:x}{:x}{:x}", std::process::id(), nanos, N.fetch_add(1, Ordering::Relaxed))
}

pub fn config(extra: &[&str], dir: &std::path::Path, db_url: &str) -> Config {
    let dir_s = dir.display().to_string();
    let mut args = vec!["server", "--data-dir", &dir_s, "--database-url", db_url];
    args.extend_from_slice(extra);
    Config::from_args(args).expect("test config parses")
}

impl TestConsole {
    /// A console whose first administrator ("admin") was created from a password file.
    pub async fn with_admin() -> TestConsole {
        Self::start(true, &[]).await
    }

    /// A console with a first administrator whose e-mail goes to a loopback mail server (kept
    /// nowhere): e-mail channels have a way out, as on a console set up to page.
    pub async fn with_mail() -> TestConsole {
        let url = transports::smtp_into(transports::Inbox::default()).await;
        Self::start(true, &["--smtp-url", &url]).await
    }

    /// A console with no users: it issues a setup link.
    pub async fn empty() -> TestConsole {
        Self::start(false, &[]).await
    }

    pub async fn start(admin: bool, extra: &[&str]) -> TestConsole {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = database_url(dir.path()).await;
        let pw_file = dir.path().join("admin-password");
        std::fs::write(&pw_file, format!("{ADMIN_PASSWORD}\n")).unwrap();
        let pw = pw_file.display().to_string();
        let mut args: Vec<&str> = extra.to_vec();
        if admin {
            args.extend(["--admin-password-file", &pw]);
        }
        let config = config(&args, dir.path(), &url);
        let console = server::build(&config).await.expect("console builds");
        TestConsole { router: console.router, config, setup_link: console.setup_link, db: console.db, _dir: dir }
    }

    pub fn origin(&self) -> String {
        self.config.base_url().origin().to_owned()
    }

    /// One request through the whole router. A request that takes a minute fails, naming its
    /// path: a stuck request must not hold up the suite until CI's time limit.
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let what = format!("{} {}", req.method(), req.uri());
        let answer = async {
            let res: Response<Body> = self.router.clone().oneshot(req).await.expect("router answers");
            let status = res.status();
            let headers = res.headers().clone();
            let bytes = res.into_body().collect().await.expect("body").to_bytes();
            Reply { status, body: String::from_utf8_lossy(&bytes).into_owned(), headers }
        };
        tokio::time::timeout(std::time::Duration::from_mins(1), answer)
            .await
            .unwrap_or_else(|_| panic!("{what}: no answer within a minute"))
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut req = Request::get(path).header(header::ACCEPT, "text/html");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// Calls a server function the way the hydrated page does (a same-origin POST, form-encoded,
    /// or JSON when the body is a JSON object).
    pub async fn call(&self, endpoint: &str, form: &str, cookie: Option<&str>) -> Reply {
        let content_type = if form.starts_with('{') { "application/json" } else { "application/x-www-form-urlencoded" };
        let mut req = Request::post(format!("/api/{endpoint}"))
            .header(header::CONTENT_TYPE, content_type)
            .header(header::ACCEPT, "application/json")
            .header(header::ORIGIN, self.origin());
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(form.to_owned())).unwrap()).await
    }

    /// Submits a form the way a browser without script does: a same-origin POST that accepts
    /// HTML, from the page at `from`.
    pub async fn submit(&self, endpoint: &str, form: &str, from: &str, cookie: Option<&str>) -> Reply {
        let mut req = Request::post(format!("/api/{endpoint}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::ORIGIN, self.origin())
            .header(header::REFERER, format!("{}{from}", self.origin()));
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(form.to_owned())).unwrap()).await
    }

    /// Signs in and returns the `Cookie` header value for the new session.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let r = self.call("login", &form(&[("username", username), ("password", password)]), None).await;
        assert!(r.status.is_success() || r.status.is_redirection(), "login {username}: {} {}", r.status, r.body);
        let set =
            r.set_cookie(server::sessions::cookie_name(self.config.secure_cookies())).expect("session cookie set");
        set.split(';').next().unwrap().to_owned()
    }

    pub async fn admin(&self) -> String {
        self.login("admin", ADMIN_PASSWORD).await
    }

    /// Creates a user through the admin server function; returns its id.
    pub async fn create_user(&self, admin: &str, username: &str, role: &str) -> i64 {
        let body =
            form(&[("username", username), ("display_name", ""), ("password", &password_of(username)), ("role", role)]);
        let r = self.call("admin_create_user", &body, Some(admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.json()["id"].as_i64().unwrap()
    }

    pub async fn whoami(&self, cookie: Option<&str>) -> serde_json::Value {
        let r = self.call("whoami", "", cookie).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.json()["user"].clone()
    }
}

pub fn password_of(username: &str) -> String {
    format!("{username}-password-123")
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&")
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A migrated database of its own for one test (the directory lives as long as the handle).
pub async fn test_db() -> (server::db::Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = server::db::Db::connect(&database_url(dir.path()).await).await.expect("connect");
    db.migrate().await.expect("migrate");
    (db, dir)
}

/// An alert stored through a webhook integration (for routes that show one); its id.
pub async fn stored_alert(c: &TestConsole) -> String {
    use server::ingest::store::Integrations;
    let store = Integrations { db: c.db.clone() };
    let kind = app::domain::alert::IntegrationKind::Webhook;
    let door = store.create(server::audit::Actor::System("test"), "test-door", kind, &[], 1).await.unwrap();
    let body = r#"{"title":"Disk full","severity":"high","fingerprint":"disk"}"#;
    let inbound = server::ingest::normalize::read(kind, body.as_bytes(), None, 1).unwrap();
    let accepted = store.accept(&door.id, &inbound.dedup_key, body, &inbound.alerts, 1).await.unwrap();
    sqlx::query_scalar("SELECT id FROM alerts WHERE event_id = $1")
        .bind(&accepted.event_id)
        .fetch_one(&c.db.pool)
        .await
        .unwrap()
}

/// A demo contact for a route's `{alias}`: a person, a schedule, or an escalation plan.
pub fn demo_alias(route: &str) -> &'static str {
    if route.contains("/people/") {
        "tanaka"
    } else if route.contains("/schedules/") {
        "primary-oncall"
    } else {
        "web-escalation"
    }
}
