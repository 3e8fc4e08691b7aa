//! Start-up settings, health probes, language negotiation and the app shell.

mod common;

use common::{TestConsole, form};
use http::StatusCode;

#[test]
fn a_bad_setting_stops_start_up_with_one_line() {
    for (args, names) in [
        (vec!["--backend", "gcp"], ["--backend", "local"]),
        (vec!["--log-format", "xml"], ["--log-format", "human, json"]),
        (vec!["--database-url", "mysql://db"], ["--database-url", "postgres://"]),
        (vec!["--cookie-secure", "maybe"], ["--cookie-secure", "auto, always, never"]),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_server")).args(&args).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        for n in names {
            assert!(err.contains(n), "{args:?}: {err}");
        }
    }
    let out =
        std::process::Command::new(env!("CARGO_BIN_EXE_server")).env("ONCALL_BACKEND", "azure").output().expect("runs");
    assert!(String::from_utf8_lossy(&out.stderr).contains("(env ONCALL_BACKEND): 'azure'"));
}

#[tokio::test]
async fn health_and_readiness() {
    let c = TestConsole::with_admin().await;
    let r = c.get("/healthz", None).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ok"));
    let r = c.get("/readyz", None).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ready"));
    // Readiness follows the migrations: remove the record of one and the console is not ready.
    sqlx::query("DELETE FROM _sqlx_migrations").execute(c.db.writer()).await.unwrap();
    assert_eq!(c.get("/readyz", None).await.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn language_comes_from_cookie_then_accept_language() {
    let c = TestConsole::with_admin().await;
    let get = |lang: Option<&'static str>, cookie: Option<&'static str>| {
        let mut req = http::Request::get("/login");
        if let Some(l) = lang {
            req = req.header("accept-language", l);
        }
        if let Some(k) = cookie {
            req = req.header("cookie", k);
        }
        c.send(req.body(axum::body::Body::empty()).unwrap())
    };
    let ja = get(Some("ja-JP,ja;q=0.9"), None).await;
    assert!(
        ja.body.contains("<html lang=\"ja\"") && ja.body.contains("サインイン"),
        "{}",
        &ja.body[..300.min(ja.body.len())]
    );
    let en = get(Some("en-US"), None).await;
    assert!(en.body.contains("<html lang=\"en\"") && en.body.contains("Sign in"));
    let chosen = get(Some("ja"), Some("lang=en")).await;
    assert!(chosen.body.contains("<html lang=\"en\""));

    let r = c
        .send(
            http::Request::post("/locale")
                .header("origin", c.origin())
                .header("content-type", "application/x-www-form-urlencoded")
                .body(axum::body::Body::from(form(&[("lang", "ja"), ("next", "/admin/users?x=1")])))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers["location"], "/admin/users?x=1");
    assert!(r.set_cookie("lang").unwrap().starts_with("lang=ja;"));
    let r = c
        .send(
            http::Request::post("/locale")
                .header("origin", c.origin())
                .header("content-type", "application/x-www-form-urlencoded")
                .body(axum::body::Body::from("lang=fr&next=//evil.example"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("'fr'") && r.body.contains("en, ja"));
}

#[tokio::test]
async fn the_shell_shows_backend_mode_navigation_and_security_headers() {
    let c = TestConsole::with_admin().await;
    let admin = c.admin().await;
    let r = c.get("/", Some(&admin)).await;
    assert_eq!(r.status, StatusCode::OK);
    for marker in [
        "data-testid=\"backend-mode\"",
        "Local engine",
        "data-testid=\"nav-rotations\"",
        "data-testid=\"nav-admin\"",
        "name=\"viewport\"",
    ] {
        assert!(r.body.contains(marker), "missing {marker}");
    }
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
    assert_eq!(r.headers["x-frame-options"], "DENY");
    assert!(r.headers["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode() {
    let c = TestConsole::with_admin().await;
    if c.db.dialect != server::db::Dialect::Sqlite {
        return;
    }
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&c.db.pool).await.unwrap();
    assert_eq!(mode, "wal");
}
