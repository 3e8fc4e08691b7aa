//! Session storage in the console's own database, and the cookie rules.

use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use crate::db::{Db, Dialect};

/// The sqlx store for whichever database the console runs on.
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Store {
    pub async fn open(db: &Db) -> Result<Store, sqlx::Error> {
        // The store wants a typed pool; a small one beside the main pool is enough.
        Ok(match db.dialect {
            Dialect::Sqlite => {
                let opts: sqlx::sqlite::SqliteConnectOptions = db.url.parse()?;
                let pool = sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(opts.busy_timeout(std::time::Duration::from_secs(5)))
                    .await?;
                let store = SqliteStore::new(pool);
                store.migrate().await?;
                Store::Sqlite(store)
            }
            Dialect::Postgres => {
                let pool = sqlx::postgres::PgPoolOptions::new().max_connections(4).connect(&db.url).await?;
                let store = PostgresStore::new(pool);
                store.migrate().await?;
                Store::Postgres(store)
            }
        })
    }

    /// Removes expired sessions now and then, in the background.
    pub fn spawn_cleanup(&self) {
        let store = self.clone();
        tokio::spawn(async move {
            let _ = store.continuously_delete_expired(tokio::time::Duration::from_mins(10)).await;
        });
    }
}

#[async_trait::async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Store::Sqlite(s) => s.create(record).await,
            Store::Postgres(s) => s.create(record).await,
        }
    }
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Store::Sqlite(s) => s.save(record).await,
            Store::Postgres(s) => s.save(record).await,
        }
    }
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Store::Sqlite(s) => s.load(id).await,
            Store::Postgres(s) => s.load(id).await,
        }
    }
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Store::Sqlite(s) => s.delete(id).await,
            Store::Postgres(s) => s.delete(id).await,
        }
    }
}

#[async_trait::async_trait]
impl ExpiredDeletion for Store {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Store::Sqlite(s) => s.delete_expired().await,
            Store::Postgres(s) => s.delete_expired().await,
        }
    }
}

pub fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-oncall_session" } else { "oncall_session" }
}

pub fn layer(store: Store, secure: bool, idle_hours: u32) -> SessionManagerLayer<Store> {
    // Lax so that a link from e-mail or chat arrives signed in; state changes are protected by
    // the same-origin check instead.
    SessionManagerLayer::new(store)
        .with_name(cookie_name(secure))
        .with_secure(secure)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(i64::from(idle_hours))))
}
