//! The routing rules as saved: versions, each a whole rule set. A save names the version it
//! began from; the next version number is its primary key, so of two saves from the same
//! version one is refused (stale), whichever replica wrote first.

use app::domain::routing::{Rule, RuleSet, check_rules};
use sqlx::Row;

use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::ServerError;
use crate::routing::eval::Compiled;

#[derive(Clone)]
pub struct Rules {
    pub db: Db,
}

/// One saved version, for the history.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SavedVersion {
    pub version: u32,
    pub saved_by: String,
    pub saved_at: i64,
    pub rules: Vec<Rule>,
}

fn read(row: &sqlx::any::AnyRow) -> Result<SavedVersion, ServerError> {
    let version: i64 = row.try_get("version")?;
    let json: String = row.try_get("rules_json")?;
    Ok(SavedVersion {
        version: u32::try_from(version).map_err(|_| ServerError::Corrupt("rule set", version.to_string()))?,
        saved_by: row.try_get("saved_by")?,
        saved_at: row.try_get("saved_at")?,
        rules: serde_json::from_str(&json).map_err(|e| ServerError::corrupt_json("rule set", &e))?,
    })
}

impl Rules {
    /// The rules in force (version 0 and no rules before the first save).
    pub async fn current(&self) -> Result<RuleSet, ServerError> {
        let row = sqlx::query(
            "SELECT version, rules_json, saved_by, saved_at FROM routing_rules ORDER BY version DESC LIMIT 1",
        )
        .fetch_optional(&self.db.pool)
        .await?;
        Ok(match row {
            Some(row) => {
                let v = read(&row)?;
                RuleSet { version: v.version, rules: v.rules }
            }
            None => RuleSet { version: 0, rules: Vec::new() },
        })
    }

    /// Every version, newest first.
    pub async fn history(&self) -> Result<Vec<SavedVersion>, ServerError> {
        let rows =
            sqlx::query("SELECT version, rules_json, saved_by, saved_at FROM routing_rules ORDER BY version DESC")
                .fetch_all(&self.db.pool)
                .await?;
        rows.iter().map(read).collect()
    }

    /// Saves `rules` as the version after `base`; refused as stale if `base` is not the newest.
    /// Returns the new version.
    pub async fn save(&self, actor: Actor<'_>, base: u32, rules: Vec<Rule>, now: i64) -> Result<u32, ServerError> {
        check_rules(&rules).map_err(ServerError::Invalid)?;
        Compiled::new(&rules).map_err(ServerError::Invalid)?;
        let mut tx = self.db.begin_write().await?;
        let before = sqlx::query(
            "SELECT version, rules_json, saved_by, saved_at FROM routing_rules ORDER BY version DESC LIMIT 1",
        )
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| read(&r))
        .transpose()?;
        let current = before.as_ref().map_or(0, |v| v.version);
        if current != base {
            return Err(ServerError::Stale { current });
        }
        let version = base + 1;
        let inserted = sqlx::query(
            "INSERT INTO routing_rules (version, rules_json, saved_by, saved_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (version) DO NOTHING",
        )
        .bind(i64::from(version))
        .bind(serde_json::to_string(&rules).unwrap_or_default())
        .bind(actor.name())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(ServerError::Stale { current: version });
        }
        let before_rules = before.map(|b| b.rules);
        audit::record(&mut tx, actor, now, Change::put("routing_rules", version, before_rules.as_ref(), &rules))
            .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Saves version `from` again as the newest (a restore is a save, with the same check).
    pub async fn restore(&self, actor: Actor<'_>, from: u32, base: u32, now: i64) -> Result<u32, ServerError> {
        let old = self
            .history()
            .await?
            .into_iter()
            .find(|v| v.version == from)
            .ok_or_else(|| ServerError::NotFound("rule set version", from.to_string()))?;
        self.save(actor, base, old.rules, now).await
    }
}
