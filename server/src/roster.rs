//! The roster log: every change to a rotation as a numbered version in the console's own
//! database, whichever backend holds the rotation. Writers claim the next version inside the
//! transaction of their change; a definition change names the version it started from and is
//! refused when someone else changed the definition since (no lost updates).

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;
use sqlx::Row;

use app::domain::roster::{Roster, RosterVersion, VersionKind};
use app::domain::rotation::Rotation;

use crate::clock::{epoch, from_epoch};
use crate::error::ServerError;

/// A change about to be recorded: the definition after it, who made it and what it was.
pub struct Entry<'a> {
    pub rotation_id: &'a str,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: VersionKind,
    pub name: &'a str,
    pub rotation: &'a Rotation,
}

/// The head of a rotation's history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    pub version: u32,
    pub definition_version: u32,
    pub swap_approval: bool,
}

fn to_u32(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// Version 1 of a rotation the console has just created or seen for the first time.
pub async fn start(tx: &mut AnyConnection, entry: Entry<'_>) -> Result<(), ServerError> {
    sqlx::query("INSERT INTO rotation_heads (rotation_id, version, definition_version) VALUES ($1, 1, 1)")
        .bind(entry.rotation_id)
        .execute(&mut *tx)
        .await?;
    insert(tx, 1, entry).await
}

/// Claims the next version for a definition change made from `base`; `None` means "whatever is
/// current" (the SSM-compatible API, whose UpdateRotation carries no version).
pub async fn claim_definition(
    tx: &mut AnyConnection,
    rotation_id: &str,
    base: Option<u32>,
) -> Result<u32, ServerError> {
    let claimed: Option<i64> = sqlx::query_scalar(
        "UPDATE rotation_heads SET version = version + 1, definition_version = version + 1 \
         WHERE rotation_id = $1 AND ($2 < 0 OR definition_version = $2) RETURNING version",
    )
    .bind(rotation_id)
    .bind(base.map_or(-1, i64::from))
    .fetch_optional(&mut *tx)
    .await?;
    match claimed {
        Some(v) => Ok(to_u32(v)),
        None => match head(tx, rotation_id).await? {
            Some(h) => Err(ServerError::Stale { current: h.definition_version }),
            None => Err(ServerError::NotFound("rotation", rotation_id.to_owned())),
        },
    }
}

/// Claims the next version for a change that leaves the definition alone (an override).
pub async fn claim(tx: &mut AnyConnection, rotation_id: &str) -> Result<u32, ServerError> {
    let claimed: Option<i64> =
        sqlx::query_scalar("UPDATE rotation_heads SET version = version + 1 WHERE rotation_id = $1 RETURNING version")
            .bind(rotation_id)
            .fetch_optional(&mut *tx)
            .await?;
    claimed.map(to_u32).ok_or_else(|| ServerError::NotFound("rotation", rotation_id.to_owned()))
}

/// Records a claimed version.
pub async fn insert(tx: &mut AnyConnection, version: u32, entry: Entry<'_>) -> Result<(), ServerError> {
    sqlx::query(
        "INSERT INTO rotation_versions (rotation_id, version, saved_at, actor, kind_json, name, definition_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(entry.rotation_id)
    .bind(i64::from(version))
    .bind(epoch(entry.at))
    .bind(entry.actor)
    .bind(serde_json::to_string(&entry.kind).map_err(|e| ServerError::corrupt_json("roster version", &e))?)
    .bind(entry.name)
    .bind(serde_json::to_string(entry.rotation).map_err(|e| ServerError::corrupt_json("roster version", &e))?)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

pub async fn head(conn: &mut AnyConnection, rotation_id: &str) -> Result<Option<Head>, ServerError> {
    let row =
        sqlx::query("SELECT version, definition_version, swap_approval FROM rotation_heads WHERE rotation_id = $1")
            .bind(rotation_id)
            .fetch_optional(&mut *conn)
            .await?;
    row.map(|r| {
        Ok(Head {
            version: to_u32(r.try_get("version")?),
            definition_version: to_u32(r.try_get("definition_version")?),
            swap_approval: r.try_get::<i64, _>("swap_approval")? != 0,
        })
    })
    .transpose()
}

/// Every recorded version of a rotation, oldest first.
pub async fn load(conn: &mut AnyConnection, rotation_id: &str) -> Result<Roster, ServerError> {
    let rows = sqlx::query(
        "SELECT version, saved_at, actor, kind_json, name, definition_json FROM rotation_versions \
         WHERE rotation_id = $1 ORDER BY version",
    )
    .bind(rotation_id)
    .fetch_all(&mut *conn)
    .await?;
    let versions = rows
        .iter()
        .map(|r| {
            Ok(RosterVersion {
                version: to_u32(r.try_get("version")?),
                saved_at: from_epoch(r.try_get("saved_at")?),
                actor: r.try_get("actor")?,
                kind: serde_json::from_str(&r.try_get::<String, _>("kind_json")?)
                    .map_err(|e| ServerError::corrupt_json("roster version", &e))?,
                name: r.try_get("name")?,
                rotation: serde_json::from_str(&r.try_get::<String, _>("definition_json")?)
                    .map_err(|e| ServerError::corrupt_json("roster version", &e))?,
            })
        })
        .collect::<Result<Vec<_>, ServerError>>()?;
    Ok(Roster::new(versions))
}

/// Whether accepted swaps on this rotation wait for a manager.
pub async fn set_swap_approval(conn: &mut AnyConnection, rotation_id: &str, required: bool) -> Result<(), ServerError> {
    let done = sqlx::query("UPDATE rotation_heads SET swap_approval = $1 WHERE rotation_id = $2")
        .bind(i64::from(required))
        .bind(rotation_id)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 1 { Ok(()) } else { Err(ServerError::NotFound("rotation", rotation_id.to_owned())) }
}
