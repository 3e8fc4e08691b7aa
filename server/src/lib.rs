//! The console's server: configuration, database, accounts, sessions and the HTTP router around
//! the Leptos app. `main.rs` only parses flags, sets up logging and serves what [`build`] returns.

pub mod accounts;
pub mod ack;
pub mod alerts;
pub mod api_keys;
pub mod assets;
pub mod audit;
pub mod aws_backend;
pub mod backend;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod drills;
pub mod engine;
pub mod error;
pub mod feeds;
pub mod forms;
pub mod gateway;
pub mod http_server;
pub mod ingest;
pub mod metrics;
pub mod outbound;
pub mod password;
pub mod read_cache;
pub mod render_guard;
pub mod reviews;
pub mod roster;
pub mod routing;
pub mod sessions;
pub mod ssm_api;
pub mod swaps;
pub mod web;

use std::sync::Arc;

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};

use app::app::{App, shell};
use app::model::session::BackendMode;
use app::ports::{Clock, Services};
use tower_http::compression::CompressionLayer;

use crate::accounts::{BootstrapError, SqlAccounts};
use crate::config::{Backend, Config};
use crate::db::{Db, DbError};
use crate::web::WebState;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Bootstrap(#[from] BootstrapError),
    #[error(transparent)]
    Smtp(#[from] engine::outbox::SmtpConfigError),
    #[error("demo data: {0}")]
    Demo(error::ServerError),
    #[error("cannot read the compiled site: {0}")]
    Site(std::io::Error),
    #[error("--gateway-secret-file: {0}")]
    GatewaySecret(String),
}

/// The gateway's shared secret, from its file: at least 16 characters, surrounding whitespace
/// ignored.
fn gateway_secret(config: &Config) -> Result<Option<Arc<str>>, StartError> {
    let Some(path) = &config.gateway_secret_file else { return Ok(None) };
    let text = std::fs::read_to_string(path)
        .map_err(|e| StartError::GatewaySecret(format!("cannot read {}: {e}", path.display())))?;
    let secret = text.trim();
    if secret.chars().count() < 16 {
        return Err(StartError::GatewaySecret(format!("{} holds fewer than 16 characters", path.display())));
    }
    Ok(Some(secret.into()))
}

/// A console ready to serve.
pub struct Console {
    pub router: Router,
    pub db: Db,
    /// The one-time link for creating the first administrator, when the database has no users.
    pub setup_link: Option<String>,
}

pub async fn build(config: &Config) -> Result<Console, StartError> {
    let db = Db::connect(&config.database_url()).await?;
    db.migrate().await?;
    let store = sessions::Store::new(&db, config.session_idle_hours);
    let clock: Arc<dyn Clock> = Arc::new(clock::SystemClock);
    let engine = engine::Engine::new(db.clone(), clock.clone());
    if config.demo_data && config.backend == Backend::Local {
        demo::seed_if_empty(&engine).await.map_err(StartError::Demo)?;
    }
    let smtp = match &config.smtp_url {
        Some(url) => Some(engine::outbox::smtp(url, &config.smtp_from)?),
        None => None,
    };
    let gateway_secret = gateway_secret(config)?;
    // Escalation steps and deliveries run in every replica; each is claimed by one of them.
    let outbound = config.outbound();
    let transports = engine::outbox::Transports::new(smtp, config.page_webhook_url.clone())
        .with_outbound(outbound.clone())
        .with_base_url(config.base_url().origin());
    engine.outbox_sender(transports).spawn_worker();
    engine.clone().spawn_worker();
    engine.spawn_listener();
    store.spawn_upkeep();

    let base_url = config.base_url();
    let setup_link_file = config.data_dir.join("setup-link.txt");
    let accounts = Arc::new(SqlAccounts::new(db.clone(), clock.clone(), Some(setup_link_file)));
    let setup_link = accounts.bootstrap(config.admin_password_file.as_deref(), base_url.origin()).await?;

    let backend: Arc<dyn app::ports::Backend> = match config.backend {
        Backend::Local => Arc::new(backend::LocalBackend { engine: engine.clone() }),
        Backend::Aws => {
            let settings = config.aws_settings();
            let aws = aws_backend::AwsBackend::connect(&settings, db.clone(), clock.clone()).await;
            // Pages Incident Manager makes get the console's own notice with the link.
            aws.notices().spawn();
            Arc::new(read_cache::Cached::new(aws, std::time::Duration::from_secs(settings.cache_secs)))
        }
    };
    let feeds = feeds::SqlFeeds { db: db.clone(), backend: backend.clone(), clock: clock.clone() };
    let ack_links = ack::routes(ack::AckState {
        db: db.clone(),
        backend: backend.clone(),
        clock: clock.clone(),
        origin: base_url.origin().into(),
        trusted_proxy_hops: config.trusted_proxy_hops,
        limiter: Arc::default(),
    });
    let drills = Arc::new(drills::SqlDrills { db: db.clone(), backend: backend.clone(), clock: clock.clone() });
    drills::spawn_scheduler(drills.clone());
    let wake = Arc::new(tokio::sync::Notify::new());
    let router = routing::Router::new(db.clone(), backend.clone(), clock.clone(), wake.clone());
    router.spawn();
    routing::lag::spawn(db.clone(), clock.clone(), wake.clone());
    let integrations = ingest::store::Integrations { db: db.clone() };
    let sns: Arc<dyn ingest::sns::Fetcher> = Arc::new(ingest::sns::Https::new(&outbound));
    let intake = ingest::store::Intake::spawn(integrations.clone());
    let ingest = ingest::routes(ingest::IngestState { integrations, intake, clock: clock.clone(), wake, sns });
    let services = Services {
        accounts: accounts.clone(),
        swaps: Arc::new(swaps::SqlSwaps { db: db.clone(), backend: backend.clone(), clock: clock.clone() }),
        drills,
        alerts: Arc::new(alerts::SqlAlerts {
            db: db.clone(),
            backend: backend.clone(),
            clock: clock.clone(),
            base_url: base_url.origin().to_owned(),
        }),
        reviews: Arc::new(reviews::SqlReviews { db: db.clone(), clock: clock.clone() }),
        feeds: Arc::new(feeds.clone()),
        backend,
        clock,
        mode: match config.backend {
            Backend::Local => BackendMode::Local,
            Backend::Aws => BackendMode::Aws,
        },
        base_url: base_url.origin().to_owned(),
        gateways: app::domain::contact::Gateways {
            email: config.backend == Backend::Aws || config.smtp_url.is_some(),
            sms_voice: config.backend == Backend::Aws || config.page_webhook_url.is_some(),
        },
    };
    let secure = config.secure_cookies();
    let web = WebState {
        origin: base_url.origin().into(),
        accounts,
        db: db.clone(),
        session_max_secs: i64::from(config.session_max_hours) * 3600,
        trusted_proxy_hops: config.trusted_proxy_hops,
        secure_cookies: secure,
    };

    // Release builds name assets by content hash (cargo-leptos `hash-files`) and say so in a
    // file beside the binary.
    let hashed = std::env::current_exe().is_ok_and(|exe| exe.with_file_name("hash.txt").exists());
    let leptos_options = LeptosOptions::builder()
        .output_name("oncall-console")
        .site_root(config.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(config.listen)
        .env(leptos_env())
        .hash_files(hashed)
        .build();
    let assets = assets::Assets::load(&config.site_root, hashed).map_err(StartError::Site)?;
    let context = move || provide_context(services.clone());
    let routes = generate_route_list(App);
    let leptos = Router::new()
        .leptos_routes_with_context(&leptos_options, routes, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context(context, shell))
        .with_state(leptos_options);

    let metrics_route = Router::new().route("/metrics", get(web::metrics)).with_state(engine.clone());
    let gateway = gateway::routes(gateway::GatewayState { engine: engine.clone(), secret: gateway_secret });
    let pages = Router::new()
        .route("/healthz", get(web::healthz))
        .route("/readyz", get(web::readyz))
        .route("/locale", post(web::set_locale))
        .route("/zone", post(web::set_zone))
        .with_state(web.clone())
        .route("/calendar/{file}", get(feeds::serve).with_state(feeds))
        .merge(render_guard::guard(leptos))
        .layer(from_fn(forms::error_status))
        .layer(from_fn(forms::take_flash))
        .layer(from_fn_with_state(web.clone(), web::current_user))
        .layer(from_fn(forms::html_forms))
        .layer(sessions::layer(store, secure, config.session_idle_hours))
        .layer(from_fn_with_state(web, web::same_origin))
        .layer(from_fn(web::page_redirects))
        .layer(CompressionLayer::new());
    // SSM traffic is not the console's pages: it skips sessions and the same-origin check and
    // is authenticated by its SigV4 signature instead.
    let pages = if config.ssm_api && config.backend == Backend::Local {
        let keys = api_keys::ApiKeys::new(db.clone());
        keys.spawn_last_used_flush();
        let api = ssm_api::ApiState::new(engine, keys, config.ssm_api_account_id.clone());
        pages.layer(from_fn_with_state(api, ssm_api::intercept))
    } else {
        pages
    };
    // Static files first: no session, no user lookup, no database. Metrics neither. Acknowledge
    // links need no session either: the token is the proof; nor do alerts: the secret is.
    let router = assets.routes().merge(metrics_route).merge(ack_links).merge(gateway).merge(ingest).merge(pages);
    let headers = web::HeaderPolicy { https: base_url.is_https() };
    let body_time = std::time::Duration::from_secs(config.body_timeout_secs);
    let router = router
        .layer(from_fn_with_state(body_time, http_server::body_deadline))
        .layer(from_fn_with_state(headers, web::security_headers));
    Ok(Console { router, db, setup_link })
}

/// Development mode (auto-reload script) only when cargo-leptos says so.
fn leptos_env() -> leptos::config::Env {
    match std::env::var("LEPTOS_ENV").as_deref() {
        Ok("DEV" | "dev" | "development") => leptos::config::Env::DEV,
        _ => leptos::config::Env::PROD,
    }
}
