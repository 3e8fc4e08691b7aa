//! The console's SSM-compatible API on a loopback port over an engine with a hand-moved clock,
//! with an issued key, and the two backends on the same engine: local, and AWS through the SDK.

use std::sync::Arc;

use app::ports::Backend;
use chrono::{DateTime, TimeZone, Utc};
use server::api_keys::ApiKeys;
use server::audit::Actor;
use server::aws_backend::{AwsBackend, AwsSettings};
use server::backend::LocalBackend;
use server::clock::ManualClock;
use server::db::Db;
use server::engine::Engine;
use server::ssm_api::{ApiState, intercept};

pub const REGION: &str = "ap-northeast-1";

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 0, 0, 0).unwrap()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Local,
    Aws,
}

pub struct SsmServer {
    pub url: String,
    pub key_id: String,
    pub secret: String,
    pub engine: Engine,
    pub clock: Arc<ManualClock>,
    pub db: Db,
    /// The AWS-mode console's own database (roster history, swaps, feeds): a separate one, as a
    /// console in AWS mode never shares a database with AWS.
    pub console_db: Db,
    _console_dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SsmServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SsmServer {
    pub async fn start(db: &Db) -> SsmServer {
        let clock = ManualClock::new(t0());
        let engine = Engine::new(db.clone(), clock.clone());
        let keys = ApiKeys::new(db.clone());
        let key = keys.issue(Actor::System("test"), "test client", Utc::now().timestamp()).await.unwrap();
        let state = ApiState::new(engine.clone(), keys, "123456789012".into());
        let router = axum::Router::new().layer(axum::middleware::from_fn_with_state(state, intercept));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        let (console_db, console_dir) = super::test_db().await;
        SsmServer {
            url,
            key_id: key.access_key_id,
            secret: key.secret_access_key,
            engine,
            clock,
            db: db.clone(),
            console_db,
            _console_dir: console_dir,
            task,
        }
    }

    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(server::aws_backend::https_client())
            .region(aws_config::Region::new(REGION))
            .credentials_provider(aws_sdk_ssmcontacts::config::Credentials::new(
                &self.key_id,
                &self.secret,
                None,
                None,
                "test",
            ))
            .endpoint_url(&self.url)
            .load()
            .await
    }

    pub async fn backend(&self, mode: Mode) -> Arc<dyn Backend> {
        match mode {
            Mode::Local => Arc::new(LocalBackend { engine: self.engine.clone() }),
            // As production composes it: the read cache around the AWS backend.
            Mode::Aws => Arc::new(server::read_cache::Cached::new(self.aws_backend().await, std::time::Duration::ZERO)),
        }
    }

    /// A console in AWS mode over this API, on its own database.
    pub async fn aws_backend(&self) -> AwsBackend {
        let settings = AwsSettings {
            region: Some(REGION.into()),
            profile: None,
            endpoint_url: Some(self.url.clone()),
            cache_secs: 0,
            static_credentials: Some((self.key_id.clone(), self.secret.clone())),
        };
        AwsBackend::connect(&settings, self.console_db.clone(), self.clock.clone()).await
    }

    /// Runs every escalation step that is due (what the worker does).
    pub async fn run_due(&self) {
        while self.engine.run_due().await.unwrap() > 0 {}
    }

    /// The activation code last sent to a channel (by engine id or ARN): the test's phone.
    pub async fn activation_code(&self, channel: &str) -> String {
        let id = channel.rsplit('/').next().unwrap();
        sqlx::query_scalar("SELECT activation_code FROM contact_channels WHERE id = $1")
            .bind(id)
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }

    /// The acknowledgement code sent with a page (by engine id or ARN).
    pub async fn accept_code(&self, page: &str) -> String {
        let id = page.rsplit('/').next().unwrap();
        sqlx::query_scalar("SELECT accept_code FROM pages WHERE id = $1")
            .bind(id)
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }
}
