//! A burst of pages as a user would send it: the console's own binary on loopback with real
//! transports (an SMTP server and an SMS gateway webhook), `StartEngagement` through the AWS SDK
//! from many concurrent clients. Shared by the burst tests and the burst benchmark, which both
//! run exactly what production runs.

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use app::domain::contact::{ChannelType, Contact, ContactChannel, ContactType, Plan, Stage, Target};
use aws_sdk_ssmcontacts::Client;
use server::api_keys::ApiKeys;
use server::audit::Actor;
use server::clock::SystemClock;
use server::db::Db;
use server::engine::Engine;

use super::ssm::REGION;
use super::transports::{Inbox, Received, hook_into, smtp_into};

const SEED: Actor<'static> = Actor::System("burst");
pub const ACCOUNT: &str = "000000000000";
/// The people the burst's plan pages, each on e-mail and SMS: four deliveries per engagement.
pub const PEOPLE: [&str; 2] = ["tanaka", "sato"];
pub const DELIVERIES_PER_ENGAGEMENT: usize = 4;

/// A seeded database, the transports, and where the console writes its log.
pub struct Setup {
    pub dir: tempfile::TempDir,
    pub db_url: String,
    pub key_id: String,
    pub secret: String,
    pub inbox: Inbox,
    pub smtp_url: String,
    pub gateway_url: String,
}

impl Setup {
    /// A fresh database (SQLite, or PostgreSQL under `ONCALL_TEST_DB=postgres`) with the plan,
    /// its people and their activated channels, and an API key; transports listening.
    pub async fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let db_url = super::database_url(dir.path()).await;
        let db = Db::connect(&db_url).await.unwrap();
        db.migrate().await.unwrap();
        let engine = Engine::new(db.clone(), Arc::new(SystemClock));
        team(&engine).await;
        let key = ApiKeys::new(db.clone()).issue(SEED, "burst", chrono::Utc::now().timestamp()).await.unwrap();
        db.pool.close().await;
        db.writer().close().await;
        let inbox = Inbox::default();
        let smtp_url = smtp_into(inbox.clone()).await;
        let gateway_url = hook_into(inbox.clone(), 0, Duration::ZERO).await;
        Setup { dir, db_url, key_id: key.access_key_id, secret: key.secret_access_key, inbox, smtp_url, gateway_url }
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("console.log")
    }

    /// Starts the console binary on a free loopback port and waits until it answers.
    pub async fn start_console(&self) -> Console {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        self.start_console_on(&port.to_string()).await
    }

    /// Starts the console binary on `port` (a restart where senders expect it).
    pub async fn start_console_on(&self, port: &str) -> Console {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(self.log_path()).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--database-url", &self.db_url])
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(["--demo-data", "false"])
            .args(["--smtp-url", &self.smtp_url])
            .args(["--smtp-from", "On-call console <oncall@example.com>"])
            .args(["--page-webhook-url", &self.gateway_url])
            // The gateway is the test's, on loopback.
            .args(["--outbound-allow", "127.0.0.1/32"])
            .args(["--ssm-api-account-id", ACCOUNT])
            .env("RUST_LOG", "info,sqlx=warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("the console binary starts");
        let url = format!("http://127.0.0.1:{port}");
        let console = Console { child, url };
        console.wait_ready().await;
        console
    }

    pub async fn client(&self, console: &Console) -> Client {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(server::aws_backend::https_client())
            .region(aws_config::Region::new(REGION))
            .credentials_provider(aws_sdk_ssmcontacts::config::Credentials::new(
                &self.key_id,
                &self.secret,
                None,
                None,
                "burst",
            ))
            .endpoint_url(&console.url)
            // Every failure is the test's to see: no silent retries.
            .retry_config(aws_config::retry::RetryConfig::disabled())
            .load()
            .await;
        Client::new(&config)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// A connection to the database the console uses, for checking what it wrote.
    pub async fn db(&self) -> Db {
        Db::connect(&self.db_url).await.unwrap()
    }

    /// Waits until messages with `n` different keys have arrived (or `limit` passes), then a
    /// moment more so that a repeat would be seen too.
    pub async fn wait_for_messages(&self, n: usize, limit: Duration) -> Vec<Received> {
        let until = Instant::now() + limit;
        let distinct = || self.inbox.lock().unwrap().iter().map(|r| r.key.clone()).collect::<HashSet<_>>().len();
        while distinct() < n && Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        self.inbox.lock().unwrap().clone()
    }
}

pub struct Console {
    child: Child,
    pub url: String,
}

impl Console {
    async fn wait_ready(&self) {
        let http = reqwest::Client::new();
        for _ in 0..600 {
            if http.get(format!("{}/readyz", self.url)).send().await.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the console did not become ready on {}", self.url);
    }

    /// SIGKILL: no shutdown, no flush, as a crash or an OOM kill.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// The console's `/metrics` text.
    pub async fn metrics(&self) -> String {
        reqwest::get(format!("{}/metrics", self.url)).await.unwrap().text().await.unwrap()
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn contact_arn(alias: &str) -> String {
    format!("arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/{alias}")
}

/// Two people with e-mail and SMS, both essential targets of the one stage of plan `burst`.
async fn team(engine: &Engine) {
    let mut targets = Vec::new();
    for who in PEOPLE {
        let person =
            Contact { alias: who.into(), display_name: who.into(), kind: ContactType::Personal, plan: Plan::default() };
        engine.put_contact(SEED, person).await.unwrap();
        for (kind, address) in
            [(ChannelType::Email, format!("{who}@example.co.jp")), (ChannelType::Sms, "+819012345678".into())]
        {
            let channel = ContactChannel {
                id: String::new(),
                contact_id: who.into(),
                name: format!("{kind:?}"),
                kind,
                address,
                activated: true,
            };
            engine.add_channel(SEED, channel).await.unwrap();
        }
        targets.push(Target::Contact { contact_id: who.into(), essential: true });
    }
    let plan = Contact {
        alias: "burst".into(),
        display_name: "Burst".into(),
        kind: ContactType::Escalation,
        plan: Plan { stages: vec![Stage { duration_minutes: 10, targets }], rotation_ids: vec![] },
    };
    engine.put_contact(SEED, plan).await.unwrap();
}

/// One `StartEngagement` call of a burst.
#[derive(Clone, Debug)]
pub struct Call {
    pub index: usize,
    pub started: Instant,
    pub answered: Instant,
    pub result: Result<String, String>,
}

/// The subject of engagement `i`: how a received message is matched to its call.
pub fn subject(i: usize) -> String {
    format!("alarm {i}")
}

/// Starts engagements `indices` (token `burst-{i}`) from `clients` concurrent clients. With
/// `on_answers`, calls `f` once when that many calls have been answered with success.
pub async fn start_engagements(
    client: &Client,
    indices: Vec<usize>,
    clients: usize,
    on_answers: Option<(usize, Box<dyn FnOnce() + Send>)>,
) -> Vec<Call> {
    let indices = Arc::new(indices);
    let next = Arc::new(AtomicUsize::new(0));
    let answered = Arc::new(AtomicUsize::new(0));
    let trigger = Arc::new(std::sync::Mutex::new(on_answers));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..clients {
        let (client, indices, next, answered, trigger) =
            (client.clone(), indices.clone(), next.clone(), answered.clone(), trigger.clone());
        tasks.spawn(async move {
            let mut calls = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(&index) = indices.get(n) else { return calls };
                let started = Instant::now();
                let result = client
                    .start_engagement()
                    .contact_id(contact_arn("burst"))
                    .sender("cloudwatch")
                    .subject(subject(index))
                    .content("CPUUtilization > 90% on api-1")
                    .idempotency_token(format!("burst-{index}"))
                    .send()
                    .await
                    .map(|out| out.engagement_arn)
                    .map_err(|e| format!("{}", aws_sdk_ssmcontacts::error::DisplayErrorContext(e)));
                if result.is_ok() {
                    let count = answered.fetch_add(1, Ordering::Relaxed) + 1;
                    let mut trigger = trigger.lock().unwrap();
                    if trigger.as_ref().is_some_and(|(at, _)| count >= *at) {
                        (trigger.take().unwrap().1)();
                    }
                }
                calls.push(Call { index, started, answered: Instant::now(), result });
            }
        });
    }
    let mut calls: Vec<Call> = tasks.join_all().await.into_iter().flatten().collect();
    calls.sort_by_key(|c| c.index);
    calls
}

/// Per engagement index, when its first message arrived.
pub fn first_arrivals(received: &[Received]) -> std::collections::HashMap<usize, Instant> {
    let mut first = std::collections::HashMap::new();
    for r in received {
        if let Some(i) = r.subject.strip_prefix("alarm ").and_then(|i| i.parse::<usize>().ok()) {
            first.entry(i).and_modify(|t: &mut Instant| *t = (*t).min(r.at)).or_insert(r.at);
        }
    }
    first
}

/// Waits until no delivery is waiting or being sent (or `limit` passes).
pub async fn wait_until_finished(db: &Db, limit: Duration) {
    let until = Instant::now() + limit;
    while Instant::now() < until {
        let open: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM deliveries WHERE status IN ('pending', 'sending')")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        if open == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The deliveries the console recorded: (idempotency key, status).
pub async fn deliveries(db: &Db) -> Vec<(String, String)> {
    sqlx::query_as("SELECT idempotency_key, status FROM deliveries ORDER BY id").fetch_all(&db.pool).await.unwrap()
}
