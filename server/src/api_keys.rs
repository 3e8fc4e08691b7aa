//! Access keys for the console's SSM-compatible API: admins issue and revoke them; the API looks
//! up the secret of an unrevoked key to check a request's SigV4 signature.

use rand::Rng;
use sqlx::Row;

use app::i18n::Msg;
use app::model::admin::{ApiKeySummary, IssuedApiKey};

use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::ServerError;

/// Last-used times are written at most this often per key, so busy clients cost no extra writes.
const LAST_USED_RESOLUTION_SECS: i64 = 60;
const MAX_NAME_CHARS: usize = 100;

#[derive(Clone)]
pub struct ApiKeys {
    db: Db,
}

fn random_chars(alphabet: &[u8], n: usize) -> String {
    let mut rng = rand::rngs::OsRng;
    (0..n).map(|_| char::from(alphabet[rng.gen_range(0..alphabet.len())])).collect()
}

impl ApiKeys {
    pub fn new(db: Db) -> Self {
        ApiKeys { db }
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
        let mut tx = self.db.pool.begin().await?;
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
        let mut tx = self.db.pool.begin().await?;
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

    /// The secret of an unrevoked key, noting that it was used.
    pub async fn secret_for(&self, access_key_id: &str, now: i64) -> Result<Option<String>, sqlx::Error> {
        let secret: Option<String> = sqlx::query_scalar(
            "SELECT secret_access_key FROM api_keys WHERE access_key_id = $1 AND revoked_at IS NULL",
        )
        .bind(access_key_id)
        .fetch_optional(&self.db.pool)
        .await?;
        if secret.is_some() {
            sqlx::query(
                "UPDATE api_keys SET last_used_at = $1 WHERE access_key_id = $2 \
                 AND (last_used_at IS NULL OR last_used_at < $3)",
            )
            .bind(now)
            .bind(access_key_id)
            .bind(now - LAST_USED_RESOLUTION_SECS)
            .execute(&self.db.pool)
            .await?;
        }
        Ok(secret)
    }
}
