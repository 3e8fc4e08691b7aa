//! Users, sign-in with attempt limits, the first-administrator setup link, and the audit log,
//! on the console's database.

use std::path::PathBuf;

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use app::auth::{CurrentUser, NewUser, Role};
use app::error::{AppError, FieldError};
use app::i18n::{Locale, Msg};
use app::model::admin::{ApiKeySummary, AuditEntry, AuditFilter, IssuedApiKey, UserSummary};
use app::ports::{Accounts, Clock, SessionClaims, SignedIn};

use crate::api_keys::ApiKeys;
use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::engine::links;
use crate::error::{ServerError, stored};
use crate::password;

/// Sign-in throttling. It slows a guesser down without ever locking the account's owner out:
/// - one address guessing one account gets a few free tries, then must wait 30 s, 1 min, 2 min…
///   (at most [`MAX_BACKOFF_SECS`]) after each further failure: refused with 429 meanwhile;
/// - one address guessing many accounts likewise, after more free tries;
/// - an account guessed at from many addresses is not refused (that would lock its owner out);
///   every sign-in to it is answered only after a pause of 1, 2, 4… up to 5 seconds instead, so
///   the owner's right password from another address still works, a little later.
///
/// Failures are counted over this window.
const ATTEMPT_WINDOW_SECS: i64 = 15 * 60;
/// Failures of one address on one account before it backs off (30 s, then doubling)…
const FREE_FAILURES_PER_PAIR: i64 = 3;
const PAIR_BACKOFF_SECS: i64 = 30;
/// …of one address on any account (60 s, then doubling)…
const FREE_FAILURES_PER_CLIENT: i64 = 20;
const CLIENT_BACKOFF_SECS: i64 = 60;
/// …the longest wait either asks for…
const MAX_BACKOFF_SECS: i64 = 15 * 60;
/// …and failures on one account before its sign-ins are slowed, at most this much.
const SLOW_AFTER_ACCOUNT_FAILURES: i64 = 5;
const MAX_ACCOUNT_PAUSE_SECS: u64 = 5;
/// How long a setup link stays valid.
const SETUP_LINK_SECS: i64 = 24 * 3600;

pub struct SqlAccounts {
    db: Db,
    clock: std::sync::Arc<dyn Clock>,
    /// Where the setup link was written; removed once it is used.
    setup_link_file: Option<PathBuf>,
}

const USER_COLUMNS: &str = "id, username, display_name, role, disabled_at, created_at, contact_alias";

fn user_from_row(row: &AnyRow) -> Result<UserSummary, ServerError> {
    let role: String = row.try_get("role")?;
    Ok(UserSummary {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: stored("role", &role, Role::parse)?,
        disabled: row.try_get::<Option<i64>, _>("disabled_at")?.is_some(),
        created_at: row.try_get("created_at")?,
        contact: row.try_get("contact_alias")?,
    })
}

fn current(u: &UserSummary) -> CurrentUser {
    CurrentUser {
        id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role,
        contact: u.contact.clone(),
    }
}

fn taken(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

impl SqlAccounts {
    pub fn new(db: Db, clock: std::sync::Arc<dyn Clock>, setup_link_file: Option<PathBuf>) -> Self {
        SqlAccounts { db, clock, setup_link_file }
    }

    fn now(&self) -> i64 {
        self.clock.now().timestamp()
    }

    async fn user_count(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&self.db.pool).await
    }

    async fn find(tx: &mut Transaction<'_, Any>, user_id: i64) -> Result<UserSummary, AppError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row = sqlx::query(&sql).bind(user_id).fetch_optional(&mut **tx).await.map_err(ServerError::from)?;
        row.as_ref().map(user_from_row).transpose()?.ok_or(AppError::NotFound)
    }

    /// Inserts a user and audits its creation in the same transaction.
    async fn insert_user(
        tx: &mut Transaction<'_, Any>,
        actor: Actor<'_>,
        user: &NewUser,
        hash: &str,
        now: i64,
    ) -> Result<UserSummary, AppError> {
        let sql = format!(
            "INSERT INTO users (username, display_name, password_hash, role, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING {USER_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(&user.username)
            .bind(&user.display_name)
            .bind(hash)
            .bind(user.role.as_str())
            .bind(now)
            .fetch_one(&mut **tx)
            .await
            .map_err(|e| {
                if taken(&e) {
                    AppError::Invalid(vec![FieldError::new("username", Msg::ErrUsernameTaken)])
                } else {
                    ServerError::from(e).into()
                }
            })?;
        let created = user_from_row(&row)?;
        let change = Change::created("user", created.id, &created);
        audit::record(tx, actor, now, change).await.map_err(ServerError::from)?;
        Ok(created)
    }

    /// Creates the first administrator on an empty database, from a password file or by issuing
    /// a one-time setup link. Returns the link if one was issued.
    pub async fn bootstrap(
        &self,
        password_file: Option<&std::path::Path>,
        base_url: &str,
    ) -> Result<Option<String>, BootstrapError> {
        if self.user_count().await? > 0 {
            return Ok(None);
        }
        if let Some(path) = password_file {
            let password = std::fs::read_to_string(path)
                .map_err(|e| BootstrapError::PasswordFile(path.display().to_string(), e.to_string()))?;
            let user = NewUser {
                username: "admin".into(),
                display_name: "Administrator".into(),
                password: password.trim_end_matches(['\r', '\n']).to_owned(),
                role: Role::Admin,
            }
            .validated()
            .map_err(|_| {
                BootstrapError::PasswordFile(
                    path.display().to_string(),
                    "the password must have 12 to 256 characters".into(),
                )
            })?;
            let now = self.now();
            let hash = password::hash(user.password.clone()).await;
            let mut tx = self.db.begin_write().await?;
            Self::insert_user(&mut tx, Actor::System("password-file"), &user, &hash, now)
                .await
                .map_err(|_| BootstrapError::Conflict)?;
            tx.commit().await?;
            tracing::info!(file = %path.display(), "created the first administrator \"admin\" from the password file");
            return Ok(None);
        }
        let (token, digest) = password::new_token();
        sqlx::query("INSERT INTO setup_tokens (token_hash, created_at) VALUES ($1, $2)")
            .bind(digest)
            .bind(self.now())
            .execute(self.db.writer())
            .await?;
        let link = format!("{base_url}/setup?token={token}");
        if let Some(file) = &self.setup_link_file {
            write_private(file, &format!("{link}\n"))
                .map_err(|e| BootstrapError::PasswordFile(file.display().to_string(), e.to_string()))?;
        }
        Ok(Some(link))
    }

    /// The user a session belongs to, if the session is still valid for them.
    pub async fn session_user(
        &self,
        claims: &SessionClaims,
        max_lifetime_secs: i64,
    ) -> Result<Option<CurrentUser>, ServerError> {
        if self.now() - claims.authenticated_at > max_lifetime_secs {
            return Ok(None);
        }
        let sql = format!("SELECT {USER_COLUMNS}, session_epoch FROM users WHERE id = $1");
        let Some(row) = sqlx::query(&sql).bind(claims.user_id).fetch_optional(&self.db.pool).await? else {
            return Ok(None);
        };
        let user = user_from_row(&row)?;
        let epoch: i64 = row.try_get("session_epoch")?;
        Ok((!user.disabled && epoch == claims.epoch).then(|| current(&user)))
    }

    /// Refuses the attempt while this address must wait (see [`ATTEMPT_WINDOW_SECS`]); otherwise
    /// the pause to take before answering, for an account under attack.
    async fn throttle(&self, username: &str, client: &str, now: i64) -> Result<std::time::Duration, AppError> {
        let since = now - ATTEMPT_WINDOW_SECS;
        let failures = |filter: &'static str, keys: Vec<String>| async move {
            let sql = format!("SELECT COUNT(*), MAX(at) FROM login_failures WHERE {filter} AND at > $1");
            let mut query = sqlx::query(&sql).bind(since);
            for key in keys {
                query = query.bind(key);
            }
            let row = query.fetch_one(&self.db.pool).await.map_err(ServerError::from)?;
            let count: i64 = row.try_get(0).map_err(ServerError::from)?;
            let last: Option<i64> = row.try_get(1).map_err(ServerError::from)?;
            Ok::<_, AppError>((count, last.unwrap_or(now)))
        };
        let pair = failures("username = $2 AND client = $3", vec![username.to_owned(), client.to_owned()]).await?;
        let address = failures("client = $2", vec![client.to_owned()]).await?;
        for ((count, last), free, base, what) in [
            (pair, FREE_FAILURES_PER_PAIR, PAIR_BACKOFF_SECS, "this account from this address"),
            (address, FREE_FAILURES_PER_CLIENT, CLIENT_BACKOFF_SECS, "this address"),
        ] {
            if count < free {
                continue;
            }
            let wait = (base << (count - free).min(10)).min(MAX_BACKOFF_SECS);
            if now < last + wait {
                tracing::warn!(username, client, what, "sign-in refused: too many failures, backing off");
                return Err(AppError::RateLimited { retry_after_secs: u64::try_from(last + wait - now).unwrap_or(1) });
            }
        }
        let (account, _) = failures("username = $2", vec![username.to_owned()]).await?;
        let pause = if account < SLOW_AFTER_ACCOUNT_FAILURES {
            0
        } else {
            (1u64 << (account - SLOW_AFTER_ACCOUNT_FAILURES).min(8)).min(MAX_ACCOUNT_PAUSE_SECS)
        };
        Ok(std::time::Duration::from_secs(pause))
    }

    async fn update_user(
        &self,
        actor: &CurrentUser,
        user_id: i64,
        action: &'static str,
        // Returns the SET clause (`$1` = now, `$3` = the optional value) and that value.
        apply: impl FnOnce(&UserSummary) -> Result<(&'static str, Option<String>), AppError>,
    ) -> Result<UserSummary, AppError> {
        let now = self.now();
        let mut tx = self.db.begin_write().await.map_err(ServerError::from)?;
        let before = Self::find(&mut tx, user_id).await?;
        let (assignments, value) = apply(&before)?;
        let sql = format!("UPDATE users SET {assignments}, updated_at = $1 WHERE id = $2");
        let mut query = sqlx::query(&sql).bind(now).bind(user_id);
        if let Some(value) = value {
            query = query.bind(value);
        }
        query.execute(&mut *tx).await.map_err(ServerError::from)?;
        let after = Self::find(&mut tx, user_id).await?;
        audit::record(
            &mut tx,
            Actor::User(actor),
            now,
            Change {
                action,
                entity: "user",
                entity_id: user_id.to_string(),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await
        .map_err(ServerError::from)?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok(after)
    }
}

fn self_change(actor: &CurrentUser, target: &UserSummary, field: &str) -> Result<(), AppError> {
    if actor.id == target.id {
        Err(AppError::Invalid(vec![FieldError::new(field, Msg::ErrSelfChange)]))
    } else {
        Ok(())
    }
}

#[async_trait::async_trait]
impl Accounts for SqlAccounts {
    async fn sign_in(&self, username: &str, password: &str, client: &str) -> Result<SignedIn, AppError> {
        let username = username.trim().to_lowercase();
        let now = self.now();
        let pause = self.throttle(&username, client, now).await?;
        if !pause.is_zero() {
            tracing::warn!(
                username,
                client,
                pause_secs = pause.as_secs(),
                "sign-in slowed: account under repeated failures"
            );
            tokio::time::sleep(pause).await;
        }
        let sql = format!("SELECT {USER_COLUMNS}, password_hash, session_epoch FROM users WHERE username = $1");
        let row = sqlx::query(&sql).bind(&username).fetch_optional(&self.db.pool).await.map_err(ServerError::from)?;
        let stored =
            row.as_ref().map(|r| r.try_get::<String, _>("password_hash")).transpose().map_err(ServerError::from)?;
        let verified = password::verify(password.to_owned(), stored).await;
        let user = row.as_ref().map(user_from_row).transpose()?;
        match (verified, user, row) {
            (true, Some(user), Some(row)) if !user.disabled => {
                // This address's failures on this account are forgiven; others' still count.
                sqlx::query("DELETE FROM login_failures WHERE username = $1 AND client = $2")
                    .bind(&username)
                    .bind(client)
                    .execute(self.db.writer())
                    .await
                    .map_err(ServerError::from)?;
                tracing::info!(user = %user.username, client, "signed in");
                let session_epoch = row.try_get("session_epoch").map_err(ServerError::from)?;
                Ok(SignedIn { user: current(&user), session_epoch, at: now })
            }
            _ => {
                sqlx::query("INSERT INTO login_failures (username, client, at) VALUES ($1, $2, $3)")
                    .bind(&username)
                    .bind(client)
                    .bind(now)
                    .execute(self.db.writer())
                    .await
                    .map_err(ServerError::from)?;
                tracing::warn!(username, client, "failed sign-in");
                Err(AppError::BadCredentials)
            }
        }
    }

    async fn setup_link_valid(&self, token: &str) -> Result<bool, AppError> {
        let valid: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM setup_tokens WHERE token_hash = $1 AND used_at IS NULL AND created_at > $2 \
             AND NOT EXISTS (SELECT 1 FROM users)",
        )
        .bind(password::token_digest(token))
        .bind(self.now() - SETUP_LINK_SECS)
        .fetch_one(&self.db.pool)
        .await
        .map_err(ServerError::from)?;
        Ok(valid > 0)
    }

    async fn setup_first_admin(&self, token: &str, user: NewUser) -> Result<SignedIn, AppError> {
        let now = self.now();
        let hash = password::hash(user.password.clone()).await;
        let mut tx = self.db.begin_write().await.map_err(ServerError::from)?;
        // Using any link retires all of them; the row locks make concurrent attempts queue here.
        let retired: Vec<String> = sqlx::query_scalar(
            "UPDATE setup_tokens SET used_at = $1 WHERE used_at IS NULL AND created_at > $2 RETURNING token_hash",
        )
        .bind(now)
        .bind(now - SETUP_LINK_SECS)
        .fetch_all(&mut *tx)
        .await
        .map_err(ServerError::from)?;
        let users: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&mut *tx).await.map_err(ServerError::from)?;
        if users > 0 || !retired.contains(&password::token_digest(token)) {
            return Err(AppError::SetupLinkInvalid);
        }
        let created = Self::insert_user(&mut tx, Actor::System("setup-link"), &user, &hash, now).await?;
        tx.commit().await.map_err(ServerError::from)?;
        if let Some(file) = &self.setup_link_file {
            let _ = std::fs::remove_file(file);
        }
        tracing::info!(user = %created.username, "first administrator created through the setup link");
        Ok(SignedIn { user: current(&created), session_epoch: 0, at: now })
    }

    async fn list_users(&self) -> Result<Vec<UserSummary>, AppError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username");
        let rows = sqlx::query(&sql).fetch_all(&self.db.pool).await.map_err(ServerError::from)?;
        Ok(rows.iter().map(user_from_row).collect::<Result<_, ServerError>>()?)
    }

    async fn create_user(&self, actor: &CurrentUser, user: NewUser) -> Result<UserSummary, AppError> {
        let now = self.now();
        let hash = password::hash(user.password.clone()).await;
        let mut tx = self.db.begin_write().await.map_err(ServerError::from)?;
        let created = Self::insert_user(&mut tx, Actor::User(actor), &user, &hash, now).await?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok(created)
    }

    async fn set_role(&self, actor: &CurrentUser, user_id: i64, role: Role) -> Result<UserSummary, AppError> {
        self.update_user(actor, user_id, "set_role", |before| {
            self_change(actor, before, "role")?;
            Ok(("role = $3", Some(role.as_str().to_owned())))
        })
        .await
    }

    async fn set_disabled(&self, actor: &CurrentUser, user_id: i64, disabled: bool) -> Result<UserSummary, AppError> {
        self.update_user(actor, user_id, if disabled { "disable" } else { "enable" }, |before| {
            self_change(actor, before, "disabled")?;
            Ok(if disabled {
                // A new epoch invalidates every session the user has.
                ("disabled_at = COALESCE(disabled_at, $1), session_epoch = session_epoch + 1", None)
            } else {
                ("disabled_at = NULL", None)
            })
        })
        .await
    }

    async fn set_contact(
        &self,
        actor: &CurrentUser,
        user_id: i64,
        contact: Option<String>,
    ) -> Result<UserSummary, AppError> {
        self.update_user(actor, user_id, "set_contact", |_| {
            Ok(match contact {
                Some(alias) => ("contact_alias = $3", Some(alias)),
                None => ("contact_alias = NULL", None),
            })
        })
        .await
    }

    async fn reset_password(&self, actor: &CurrentUser, user_id: i64, password: &str) -> Result<(), AppError> {
        let hash = password::hash(password.to_owned()).await;
        self.update_user(actor, user_id, "reset_password", |_| {
            Ok(("password_hash = $3, session_epoch = session_epoch + 1", Some(hash)))
        })
        .await
        .map(|_| ())
    }

    async fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, AppError> {
        let rows = sqlx::query(
            "SELECT id, at, actor, action, entity, entity_id, before_json, after_json FROM audit_log \
             WHERE ($1 IS NULL OR actor = $1) AND ($2 IS NULL OR entity = $2) \
             AND ($3 IS NULL OR at >= $3) AND ($4 IS NULL OR at <= $4) \
             ORDER BY at DESC, id DESC LIMIT $5",
        )
        .bind(filter.actor.clone())
        .bind(filter.entity.clone())
        .bind(filter.since)
        .bind(filter.until)
        .bind(i64::from(filter.limit))
        .fetch_all(&self.db.pool)
        .await
        .map_err(ServerError::from)?;
        let entries = rows
            .iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    entity: r.try_get("entity")?,
                    entity_id: r.try_get("entity_id")?,
                    before: r.try_get("before_json")?,
                    after: r.try_get("after_json")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(ServerError::from)?;
        Ok(entries)
    }

    async fn list_api_keys(&self) -> Result<Vec<ApiKeySummary>, AppError> {
        Ok(ApiKeys::new(self.db.clone()).list().await?)
    }

    async fn issue_api_key(&self, actor: &CurrentUser, name: &str) -> Result<IssuedApiKey, AppError> {
        Ok(ApiKeys::new(self.db.clone()).issue(Actor::User(actor), name, self.now()).await?)
    }

    async fn revoke_api_key(&self, actor: &CurrentUser, access_key_id: &str) -> Result<(), AppError> {
        Ok(ApiKeys::new(self.db.clone()).revoke(Actor::User(actor), access_key_id, self.now()).await?)
    }

    async fn contact_language(&self, contact: &str) -> Result<Option<Locale>, AppError> {
        let mut conn = self.db.pool.acquire().await.map_err(ServerError::from)?;
        Ok(links::language_in(&mut conn, contact).await.map_err(ServerError::from)?)
    }

    async fn set_contact_language(&self, actor: &CurrentUser, contact: &str, language: Locale) -> Result<(), AppError> {
        let now = self.now();
        let mut tx = self.db.begin_write().await.map_err(ServerError::from)?;
        let before = links::language_in(&mut tx, contact).await.map_err(ServerError::from)?.map(Locale::code);
        links::set_language_in(&mut tx, contact, language, now).await.map_err(ServerError::from)?;
        let after = language.code();
        let change = Change::put("contact_language", contact.to_owned(), before.as_ref(), &after);
        audit::record(&mut tx, Actor::User(actor), now, change).await.map_err(ServerError::from)?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("admin password file {0}: {1}")]
    PasswordFile(String, String),
    #[error("an administrator already exists")]
    Conflict,
}

fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path)?.write_all(contents.as_bytes())
}
