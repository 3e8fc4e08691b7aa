//! Access keys for the console's SSM-compatible API: admins issue and revoke them; the API looks
//! up the secret of an unrevoked key to check a request's SigV4 signature.

use rand::Rng;
use sqlx::Row;

use app::i18n::Msg;
use app::model::admin::{ApiKeySummary, IssuedApiKey};

use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::ServerError;

/// Last-use times are written this often, for every key used since, in one transaction.
const LAST_USED_FLUSH: std::time::Duration = std::time::Duration::from_mins(1);
const MAX_NAME_CHARS: usize = 100;

#[derive(Clone)]
pub struct ApiKeys {
    db: Db,
    /// Key → when it was last used, not yet written.
    used: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, i64>>>,
}

fn random_chars(alphabet: &[u8], n: usize) -> String {
    let mut rng = rand::rngs::OsRng;
    (0..n).map(|_| char::from(alphabet[rng.gen_range(0..alphabet.len())])).collect()
}

impl ApiKeys {
    pub fn new(db: Db) -> Self {
        ApiKeys { db, used: std::sync::Arc::default() }
    }

    /// Issues a key; the secret is shown to the caller once and never listed again.
    pub async fn issue(&self, actor: Actor<'_>, name: &str, now: i64) -> Result<IssuedApiKey, ServerError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(ServerError::invalid("name", Msg::ErrApiKeyName));
        }
        // The shapes AWS tooling expects: a 20-character upper-case id and a 40-character secret.
        let access_key_id = format!("AKOC{}", random_chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16));
        let secret_access_key = random_chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40);
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO api_keys (access_key_id, secret_access_key, name, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&access_key_id)
        .bind(&secret_access_key)
        .bind(name)
        .bind(actor.name())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let audited = serde_json::json!({ "name": name });
        audit::record(&mut tx, actor, now, Change::created("api_key", &access_key_id, &audited)).await?;
        tx.commit().await?;
        Ok(IssuedApiKey { access_key_id, secret_access_key, name: name.to_owned() })
    }

    pub async fn list(&self) -> Result<Vec<ApiKeySummary>, ServerError> {
        let rows = sqlx::query(
            "SELECT access_key_id, name, created_by, created_at, revoked_at, last_used_at FROM api_keys \
             ORDER BY created_at DESC, access_key_id",
        )
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiKeySummary {
                    access_key_id: r.try_get("access_key_id")?,
                    name: r.try_get("name")?,
                    created_by: r.try_get("created_by")?,
                    created_at: r.try_get("created_at")?,
                    revoked_at: r.try_get("revoked_at")?,
                    last_used_at: r.try_get("last_used_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(ServerError::from)
    }

    /// Revoking is final; requests signed with the key are refused from now on.
    pub async fn revoke(&self, actor: Actor<'_>, access_key_id: &str, now: i64) -> Result<(), ServerError> {
        let mut tx = self.db.begin_write().await?;
        let name: Option<String> = sqlx::query_scalar(
            "UPDATE api_keys SET revoked_at = $1 WHERE access_key_id = $2 AND revoked_at IS NULL RETURNING name",
        )
        .bind(now)
        .bind(access_key_id)
        .fetch_optional(&mut *tx)
        .await?;
        let name = name.ok_or_else(|| ServerError::NotFound("api key", access_key_id.to_owned()))?;
        let audited = serde_json::json!({ "name": name });
        audit::record(&mut tx, actor, now, Change::deleted("api_key", access_key_id, &audited)).await?;
        Ok(tx.commit().await?)
    }

    /// The secret of an unrevoked key. The key's use is noted in memory and written later
    /// ([`ApiKeys::flush_last_used`]), so an API request never waits for the writer.
    pub async fn secret_for(&self, access_key_id: &str, now: i64) -> Result<Option<String>, sqlx::Error> {
        let secret: Option<String> = sqlx::query_scalar(
            "SELECT secret_access_key FROM api_keys WHERE access_key_id = $1 AND revoked_at IS NULL",
        )
        .bind(access_key_id)
        .fetch_optional(&self.db.pool)
        .await?;
        if secret.is_some() {
            self.used.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(access_key_id.to_owned(), now);
        }
        Ok(secret)
    }

    /// Writes when each key used since the last flush was last used, in one transaction.
    /// On failure they are kept for the next flush.
    pub async fn flush_last_used(&self) -> Result<(), sqlx::Error> {
        let used = std::mem::take(&mut *self.used.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        if used.is_empty() {
            return Ok(());
        }
        let written = self.write_last_used(&used).await;
        if written.is_err() {
            let mut pending = self.used.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            for (key, at) in used {
                let kept = pending.entry(key).or_insert(at);
                *kept = (*kept).max(at);
            }
        }
        written
    }

    async fn write_last_used(&self, used: &std::collections::HashMap<String, i64>) -> Result<(), sqlx::Error> {
        let mut tx = self.db.begin_write().await?;
        for (key, at) in used {
            sqlx::query(
                "UPDATE api_keys SET last_used_at = $1 WHERE access_key_id = $2 AND (last_used_at IS NULL OR last_used_at < $1)",
            )
            .bind(at)
            .bind(key)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    /// Flushes last-use times once a minute.
    pub fn spawn_last_used_flush(&self) {
        let keys = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(LAST_USED_FLUSH);
            loop {
                tick.tick().await;
                if let Err(e) = keys.flush_last_used().await {
                    crate::metrics::database_error(crate::metrics::Component::Upkeep);
                    tracing::error!(error = %e, "recording API key use failed; retrying");
                }
            }
        });
    }
}
