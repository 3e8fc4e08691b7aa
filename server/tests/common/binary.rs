//! The console's own binary on loopback, as an outsider meets it: a fresh database, the first
//! administrator from a password file, and plain HTTP requests (no redirects followed, every
//! header visible). For the tests that must see what the network sees: headers on every route,
//! timeouts, connection limits, where outbound requests go.

use std::process::{Child, Command};
use std::time::Duration;

use super::{ADMIN_PASSWORD, form};

pub struct Binary {
    child: Child,
    /// `http://127.0.0.1:<port>`
    pub url: String,
    /// The console's `--base-url` (what its pages' forms must come from).
    pub origin: String,
    pub db_url: String,
    pub dir: tempfile::TempDir,
}

/// An answer, read whole.
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl Binary {
    /// Starts the binary with `extra` flags and waits until it is ready.
    pub async fn start(extra: &[&str]) -> Binary {
        let dir = tempfile::tempdir().unwrap();
        let db_url = super::database_url(dir.path()).await;
        std::fs::write(dir.path().join("admin-password"), format!("{ADMIN_PASSWORD}\n")).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let url = format!("http://127.0.0.1:{port}");
        let base = extra.windows(2).find(|w| w[0] == "--base-url").map_or_else(|| url.clone(), |w| w[1].to_owned());
        let log = std::fs::File::create(dir.path().join("console.log")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["--listen", &format!("127.0.0.1:{port}"), "--database-url", &db_url])
            .arg("--data-dir")
            .arg(dir.path())
            .arg("--admin-password-file")
            .arg(dir.path().join("admin-password"))
            .args(extra)
            .env("RUST_LOG", "info,sqlx=warn")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("the console binary starts");
        let binary = Binary { child, url, origin: base, db_url, dir };
        binary.wait_ready().await;
        binary
    }

    async fn wait_ready(&self) {
        for _ in 0..600 {
            if reqwest::get(format!("{}/readyz", self.url)).await.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the console did not become ready: {}", self.log());
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("console.log")).unwrap_or_default()
    }

    /// A client that follows no redirect (the tests look at each answer).
    pub fn http() -> reqwest::Client {
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
    }

    pub async fn read(res: reqwest::Response) -> Answer {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        Answer { status, headers, body: res.text().await.unwrap_or_default() }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Answer {
        let mut req = Self::http().get(format!("{}{path}", self.url)).header("accept", "text/html");
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        Self::read(req.send().await.unwrap()).await
    }

    /// A server function called as the console's pages call it (same-origin, JSON answer).
    pub async fn call(&self, endpoint: &str, body: &str, cookie: Option<&str>) -> Answer {
        let mut req = Self::http()
            .post(format!("{}/api/{endpoint}", self.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .header("origin", &self.origin)
            .body(body.to_owned());
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        Self::read(req.send().await.unwrap()).await
    }

    /// Signs in; the `Cookie` header value of the new session.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let r = self.call("login", &form(&[("username", username), ("password", password)]), None).await;
        assert!(r.status < 400, "login {username}: {} {}", r.status, r.body);
        let set = r.headers.get_all("set-cookie").iter().find_map(|v| {
            let v = v.to_str().ok()?;
            v.contains("oncall_session=").then(|| v.split(';').next().unwrap_or_default().to_owned())
        });
        set.expect("a session cookie")
    }

    pub async fn admin(&self) -> String {
        self.login("admin", ADMIN_PASSWORD).await
    }

    /// A user of `role` made by the admin (password `super::password_of(name)`); their session.
    pub async fn user(&self, admin: &str, name: &str, role: &str) -> String {
        let password = super::password_of(name);
        let body = form(&[("username", name), ("display_name", ""), ("password", &password), ("role", role)]);
        let r = self.call("admin_create_user", &body, Some(admin)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        self.login(name, &password).await
    }

    /// The console's database, for looking at what it wrote.
    pub async fn db(&self) -> server::db::Db {
        server::db::Db::connect(&self.db_url).await.unwrap()
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
