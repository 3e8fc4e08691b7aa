//! Connections to SQLite or PostgreSQL. Queries are written once in SQL that both accept (`$1`
//! placeholders, epoch-second integers, text JSON); migrations differ per dialect.
//!
//! SQLite has one writer at a time. So writes go through one lane: [`Db::begin_write`] hands out
//! the single writer connection and takes the write lock at once (`BEGIN IMMEDIATE`), so writers
//! queue here, in order, instead of failing on the lock after its timeout; and a transaction
//! never upgrades from reading to writing halfway. Reads use [`Db::pool`], whose SQLite
//! connections are `query_only`: a write sent there fails at once, so the wrong lane cannot go
//! unnoticed. Code inside a write transaction reads through the transaction, never the pool, so
//! it never holds the lock while it waits for a connection. PostgreSQL keeps its concurrency:
//! both lanes are one pool, and workers claim rows with `FOR UPDATE SKIP LOCKED`.
//!
//! Bulk writes give way on SQLite. The door's batches and routing's batches of repeats and
//! notices ([`Db::begin_bulk_write`]) each hold the lock for tens of milliseconds in a storm;
//! the writes a page waits on (opening the incident, the engagement's step, the delivery) are
//! short. So a bulk writer waits until no other writer is queued (at most [`BULK_YIELD`]), and a
//! page's writes queue behind at most the bulk write already under way: in a storm a critical
//! alert's page waits for one bulk commit per write, not for the whole queue of them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Executor, Transaction};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Db {
    /// Reads (on SQLite, `query_only` connections).
    pub pool: AnyPool,
    /// Writes: on SQLite a pool of one connection, the single writer; on PostgreSQL `pool`.
    writer: AnyPool,
    pub dialect: Dialect,
    pub url: String,
    /// SQLite: how many writers other than bulk ones wait for the lane.
    queued: Arc<WriteQueue>,
}

/// The writers queued for SQLite's lane, other than bulk ones, and a signal when there are none.
#[derive(Debug, Default)]
struct WriteQueue {
    waiting: AtomicUsize,
    empty: tokio::sync::Notify,
}

/// Counts a writer as queued until it holds the lane.
struct Queued<'a>(&'a WriteQueue);

impl<'a> Queued<'a> {
    fn new(queue: &'a WriteQueue) -> Self {
        queue.waiting.fetch_add(1, Ordering::SeqCst);
        Queued(queue)
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        if self.0.waiting.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.empty.notify_waiters();
        }
    }
}

/// The longest a bulk writer gives way to others before it queues anyway (so it is never starved).
const BULK_YIELD: Duration = Duration::from_millis(250);

/// How long a writer may queue for the write lane before its request fails (a burst of writes
/// queues here; each holds the lane for a millisecond or so).
const WRITE_QUEUE_TIMEOUT: Duration = Duration::from_mins(1);

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot create the database directory {0}: {1}")]
    Directory(String, std::io::Error),
    #[error("cannot connect to the database: {0}")]
    Connect(sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl Db {
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        install_default_drivers();
        let dialect = if url.starts_with("sqlite:") { Dialect::Sqlite } else { Dialect::Postgres };
        if dialect == Dialect::Postgres {
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await
                .map_err(DbError::Connect)?;
            return Ok(Db { writer: pool.clone(), pool, dialect, url: url.to_owned(), queued: Arc::default() });
        }
        create_sqlite_dir(url)?;
        // The writer first: it turns WAL on, which the readers then share.
        let writer = AnyPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(WRITE_QUEUE_TIMEOUT)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    // WAL lets readers run beside the writer; the busy timeout only matters for
                    // another process on the same file.
                    conn.execute("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;")
                        .await?;
                    Ok(())
                })
            })
            .connect(url)
            .await
            .map_err(DbError::Connect)?;
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA query_only = ON;")
                        .await?;
                    Ok(())
                })
            })
            .connect(url)
            .await
            .map_err(DbError::Connect)?;
        Ok(Db { pool, writer, dialect, url: url.to_owned(), queued: Arc::default() })
    }

    /// A write transaction: on SQLite the single writer, with the write lock taken at `BEGIN`.
    pub async fn begin_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.dialect {
            Dialect::Sqlite => {
                let _queued = Queued::new(&self.queued);
                self.writer.begin_with("BEGIN IMMEDIATE").await
            }
            Dialect::Postgres => self.writer.begin().await,
        }
    }

    /// A write transaction for a batch that can wait: on SQLite it first gives way to every
    /// other writer queued (see the module's doc); on PostgreSQL the same as [`Db::begin_write`].
    pub async fn begin_bulk_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        if self.dialect == Dialect::Postgres {
            return self.writer.begin().await;
        }
        let until = tokio::time::Instant::now() + BULK_YIELD;
        loop {
            let empty = self.queued.empty.notified();
            tokio::pin!(empty);
            empty.as_mut().enable();
            if self.queued.waiting.load(Ordering::SeqCst) == 0 || tokio::time::timeout_at(until, empty).await.is_err() {
                break;
            }
        }
        self.writer.begin_with("BEGIN IMMEDIATE").await
    }

    /// The write lane, for a statement that needs no transaction of its own (and for stores
    /// that take a pool, such as the session store).
    pub fn writer(&self) -> &AnyPool {
        &self.writer
    }

    fn migrator(&self) -> &'static Migrator {
        match self.dialect {
            Dialect::Sqlite => &SQLITE_MIGRATIONS,
            Dialect::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    pub async fn migrate(&self) -> Result<(), DbError> {
        self.migrator().run(&self.writer).await?;
        Ok(())
    }

    /// True when the database answers and every migration this build knows has been applied.
    pub async fn ready(&self) -> bool {
        let applied: Result<i64, _> = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(&self.pool)
            .await;
        applied.is_ok_and(|n| usize::try_from(n).is_ok_and(|n| n >= self.migrator().iter().count()))
    }
}

fn create_sqlite_dir(url: &str) -> Result<(), DbError> {
    let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = path.split('?').next().unwrap_or("");
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    match std::path::Path::new(path).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            std::fs::create_dir_all(dir).map_err(|e| DbError::Directory(dir.display().to_string(), e))
        }
        _ => Ok(()),
    }
}

/// Holds `subject` for the rest of the transaction, so saves of one thing queue behind each
/// other across replicas. On SQLite the write transaction already holds the only write lock.
pub async fn lock_subject(
    tx: &mut Transaction<'static, Any>,
    dialect: Dialect,
    subject: &str,
) -> Result<(), sqlx::Error> {
    if dialect == Dialect::Postgres {
        // `pg_advisory_xact_lock` returns void, which no driver decodes: count the one row instead.
        let _: i64 = sqlx::query_scalar("SELECT count(*) FROM (SELECT pg_advisory_xact_lock(hashtext($1))) AS held")
            .bind(subject)
            .fetch_one(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Placeholders `$from, …, $(from + n - 1)` for an `IN (…)` list of `n` values.
pub fn marks(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}
