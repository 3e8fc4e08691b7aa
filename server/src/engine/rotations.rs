//! Rotations and their overrides, with every change recorded in the roster log, and who is on
//! call for a contact at a given moment.

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use app::domain::contact::{Contact, ContactType, References, schedule_on_call};
use app::domain::roster::{Roster, VersionKind};
use app::domain::rotation::{Override, Rotation};
use app::i18n::Msg;

use super::codec::{parse, to_json};
use super::{Engine, new_id, new_uuid};
use crate::audit::{self, Actor, Change};
use crate::clock::{epoch, from_epoch};
use crate::error::{ServerError, optional};
use crate::roster;

fn name_taken(e: sqlx::Error) -> ServerError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => ServerError::invalid("name", Msg::ErrRotationNameTaken),
        _ => ServerError::Db(e),
    }
}

/// A rotation's definition, read through `conn` (inside a write transaction: the transaction).
pub(crate) async fn rotation_in(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Option<Rotation>, ServerError> {
    let json: Option<String> = sqlx::query_scalar("SELECT definition_json FROM rotations WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    json.map(|j| parse("rotation", &j)).transpose()
}

/// Overrides of a rotation that intersect `[from, to)`, oldest first, read through `conn`.
pub(crate) async fn overrides_in(
    conn: &mut sqlx::AnyConnection,
    rotation_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Override>, ServerError> {
    let rows = sqlx::query(
        "SELECT start_at, end_at, members_json FROM rotation_overrides \
         WHERE rotation_id = $1 AND start_at < $3 AND end_at > $2 ORDER BY created_at, id",
    )
    .bind(rotation_id)
    .bind(epoch(from))
    .bind(epoch(to))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Override {
                start: from_epoch(r.try_get("start_at")?),
                end: from_epoch(r.try_get("end_at")?),
                members: parse("override", &r.try_get::<String, _>("members_json")?)?,
            })
        })
        .collect()
}

/// Who `contact` stands for at `at`, read through `conn`. A schedule's rotation that no longer
/// exists has nobody on call; any other failure is the caller's to see.
pub(crate) async fn on_call_in(
    conn: &mut sqlx::AnyConnection,
    contact: &Contact,
    at: DateTime<Utc>,
) -> Result<Vec<String>, ServerError> {
    match contact.kind {
        ContactType::Personal => Ok(vec![contact.alias.clone()]),
        ContactType::Escalation => Ok(Vec::new()),
        ContactType::OncallSchedule => {
            let mut per_rotation = Vec::new();
            for id in &contact.plan.rotation_ids {
                let Some(rotation) = rotation_in(conn, id).await? else { continue };
                let overrides = overrides_in(conn, id, at, at + Duration::seconds(1)).await?;
                per_rotation.push(rotation.on_call_at(at, &overrides));
            }
            Ok(schedule_on_call(per_rotation))
        }
    }
}

impl Engine {
    /// A rotation's own rules, plus: its members are people, its name is present and short.
    async fn check_rotation(&self, name: &str, rotation: &Rotation) -> Result<(), ServerError> {
        let mut errors = rotation.validate().err().unwrap_or_default();
        let known = self.references().await?;
        if !rotation.members.iter().all(|m| known.contact_type(m) == Some(ContactType::Personal)) {
            errors.push(app::error::FieldError::new("members", Msg::ErrUnknownContact));
        }
        if name.trim().is_empty() || name.chars().count() > 255 {
            errors.push(app::error::FieldError::new("name", Msg::ErrRotationName));
        }
        if errors.is_empty() { Ok(()) } else { Err(ServerError::Invalid(errors)) }
    }

    /// Creates a rotation of existing people; returns its id.
    pub async fn create_rotation(
        &self,
        actor: Actor<'_>,
        name: &str,
        rotation: Rotation,
    ) -> Result<String, ServerError> {
        self.check_rotation(name, &rotation).await?;
        let id = new_id();
        let now = epoch(self.now());
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO rotations (id, name, definition_json, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(&id)
        .bind(name.trim())
        .bind(to_json(&rotation))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(name_taken)?;
        let entry = roster::Entry {
            rotation_id: &id,
            at: self.now(),
            actor: actor.name(),
            kind: VersionKind::Created,
            name: name.trim(),
            rotation: &rotation,
        };
        roster::start(&mut tx, entry).await?;
        let change = Change::created("rotation", &id, &rotation);
        audit::record(&mut tx, actor, now, change).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn rotation(&self, id: &str) -> Result<Rotation, ServerError> {
        let mut conn = self.db.pool.acquire().await?;
        rotation_in(&mut conn, id).await?.ok_or_else(|| ServerError::NotFound("rotation", id.to_owned()))
    }

    pub async fn add_override(&self, actor: Actor<'_>, rotation_id: &str, o: Override) -> Result<String, ServerError> {
        let current = self.named_rotation(rotation_id).await?;
        o.validate(&current.rotation, self.now()).map_err(ServerError::Invalid)?;
        let id = new_uuid();
        let now = epoch(self.now());
        let mut tx = self.db.begin_write().await?;
        let version = roster::claim(&mut tx, rotation_id).await?;
        sqlx::query(
            "INSERT INTO rotation_overrides (id, rotation_id, start_at, end_at, members_json, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(rotation_id)
        .bind(epoch(o.start))
        .bind(epoch(o.end))
        .bind(to_json(&o.members))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let kind = VersionKind::OverrideAdded { id: id.clone(), value: o.clone() };
        roster::insert(&mut tx, version, current.entry(self.now(), &actor, kind)).await?;
        let change = Change::created("override", &id, &o);
        audit::record(&mut tx, actor, now, change).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Overrides of a rotation that intersect `[from, to)`, oldest first (later ones win).
    pub async fn overrides(
        &self,
        rotation_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Override>, ServerError> {
        let mut conn = self.db.pool.acquire().await?;
        overrides_in(&mut conn, rotation_id, from, to).await
    }

    /// Who a contact stands for at `at`: a person is themself; a schedule is whoever its
    /// rotations have on call; an escalation plan is nobody (its stages are engaged instead).
    pub async fn on_call(&self, contact: &Contact, at: DateTime<Utc>) -> Result<Vec<String>, ServerError> {
        let mut conn = self.db.pool.acquire().await?;
        on_call_in(&mut conn, contact, at).await
    }

    pub async fn rotations(&self) -> Result<Vec<NamedRotation>, ServerError> {
        let rows = sqlx::query("SELECT id, name, definition_json FROM rotations ORDER BY name")
            .fetch_all(&self.db.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(NamedRotation {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    rotation: parse("rotation", &r.try_get::<String, _>("definition_json")?)?,
                })
            })
            .collect()
    }

    /// Replaces a rotation's name and definition. `base` is the definition version the edit
    /// started from; a later change by someone else refuses it ([`ServerError::Stale`]).
    /// Returns the new version.
    pub async fn update_rotation(
        &self,
        actor: Actor<'_>,
        id: &str,
        base: Option<u32>,
        name: &str,
        rotation: Rotation,
    ) -> Result<u32, ServerError> {
        self.save_definition(actor, id, base, name, rotation, VersionKind::Edited).await
    }

    /// Makes an earlier version's definition current again, as a new version.
    pub async fn restore_rotation(&self, actor: Actor<'_>, id: &str, from: u32, base: u32) -> Result<u32, ServerError> {
        let roster = self.roster(id).await?;
        let old = roster
            .versions
            .iter()
            .find(|v| v.version == from)
            .ok_or_else(|| ServerError::NotFound("rotation version", format!("{id} v{from}")))?;
        let (name, rotation) = (old.name.clone(), old.rotation.clone());
        self.save_definition(actor, id, Some(base), &name, rotation, VersionKind::Restored { from }).await
    }

    async fn save_definition(
        &self,
        actor: Actor<'_>,
        id: &str,
        base: Option<u32>,
        name: &str,
        rotation: Rotation,
        kind: VersionKind,
    ) -> Result<u32, ServerError> {
        let before = self.rotation(id).await?;
        self.check_rotation(name, &rotation).await?;
        let now = epoch(self.now());
        let mut tx = self.db.begin_write().await?;
        let version = roster::claim_definition(&mut tx, id, base).await?;
        sqlx::query("UPDATE rotations SET name = $1, definition_json = $2, updated_at = $3 WHERE id = $4")
            .bind(name.trim())
            .bind(to_json(&rotation))
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(name_taken)?;
        let entry = roster::Entry {
            rotation_id: id,
            at: self.now(),
            actor: actor.name(),
            kind,
            name: name.trim(),
            rotation: &rotation,
        };
        roster::insert(&mut tx, version, entry).await?;
        let change = Change::updated("rotation", id.to_owned(), &before, &rotation);
        audit::record(&mut tx, actor, now, change).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Whether accepted swaps on this rotation wait for a manager (audited).
    pub async fn set_swap_approval(&self, actor: Actor<'_>, id: &str, required: bool) -> Result<(), ServerError> {
        let before = self.roster_head(id).await?.swap_approval;
        let mut tx = self.db.begin_write().await?;
        roster::set_swap_approval(&mut tx, id, required).await?;
        let change = Change::updated("rotation_swap_approval", id, &before, &required);
        audit::record(&mut tx, actor, epoch(self.now()), change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every recorded version of a rotation.
    pub async fn roster(&self, id: &str) -> Result<Roster, ServerError> {
        let mut conn = self.db.pool.acquire().await?;
        roster::load(&mut conn, id).await
    }

    pub async fn roster_head(&self, id: &str) -> Result<roster::Head, ServerError> {
        let mut conn = self.db.pool.acquire().await?;
        roster::head(&mut conn, id).await?.ok_or_else(|| ServerError::NotFound("rotation", id.to_owned()))
    }

    /// Deletes a rotation and its overrides, unless an on-call schedule still uses it.
    pub async fn delete_rotation(&self, actor: Actor<'_>, id: &str) -> Result<(), ServerError> {
        let before = self.rotation(id).await?;
        if self.contacts().await?.iter().any(|c| c.plan.rotation_ids.iter().any(|r| r == id)) {
            return Err(ServerError::invalid("rotation_id", Msg::ErrRotationInUse));
        }
        let now = epoch(self.now());
        let mut tx = self.db.begin_write().await?;
        sqlx::query("DELETE FROM rotations WHERE id = $1").bind(id).execute(&mut *tx).await?;
        // The versions stay: they are the record of who was on call.
        sqlx::query("DELETE FROM rotation_heads WHERE rotation_id = $1").bind(id).execute(&mut *tx).await?;
        let change = Change::deleted("rotation", id.to_owned(), &before);
        audit::record(&mut tx, actor, now, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A rotation's overrides that have not ended by `from`, with their ids, soonest first.
    pub async fn override_list(&self, rotation_id: &str, from: DateTime<Utc>) -> Result<Vec<OverrideRow>, ServerError> {
        let rows = sqlx::query(
            "SELECT id, start_at, end_at, members_json, created_at FROM rotation_overrides \
             WHERE rotation_id = $1 AND end_at > $2 ORDER BY start_at, id",
        )
        .bind(rotation_id)
        .bind(epoch(from))
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter().map(override_from_row).collect()
    }

    pub async fn override_by_id(&self, rotation_id: &str, id: &str) -> Result<OverrideRow, ServerError> {
        let row = sqlx::query(
            "SELECT id, start_at, end_at, members_json, created_at FROM rotation_overrides \
             WHERE rotation_id = $1 AND id = $2",
        )
        .bind(rotation_id)
        .bind(id)
        .fetch_optional(&self.db.pool)
        .await?
        .ok_or_else(|| ServerError::NotFound("override", id.to_owned()))?;
        override_from_row(&row)
    }

    pub async fn named_rotation(&self, id: &str) -> Result<NamedRotation, ServerError> {
        let row = sqlx::query("SELECT name, definition_json FROM rotations WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await?
            .ok_or_else(|| ServerError::NotFound("rotation", id.to_owned()))?;
        let rotation = parse("rotation", &row.try_get::<String, _>("definition_json")?)?;
        Ok(NamedRotation { id: id.to_owned(), name: row.try_get("name")?, rotation })
    }

    pub async fn delete_override(&self, actor: Actor<'_>, rotation_id: &str, id: &str) -> Result<(), ServerError> {
        let current = optional(self.named_rotation(rotation_id).await)?
            .ok_or_else(|| ServerError::NotFound("override", id.to_owned()))?;
        let now = epoch(self.now());
        let mut tx = self.db.begin_write().await?;
        let gone = sqlx::query(
            "DELETE FROM rotation_overrides WHERE id = $1 AND rotation_id = $2 \
             RETURNING start_at, end_at, members_json",
        )
        .bind(id)
        .bind(rotation_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| ServerError::NotFound("override", id.to_owned()))?;
        let before = Override {
            start: from_epoch(gone.try_get("start_at")?),
            end: from_epoch(gone.try_get("end_at")?),
            members: parse("override", &gone.try_get::<String, _>("members_json")?)?,
        };
        let version = roster::claim(&mut tx, rotation_id).await?;
        let kind = VersionKind::OverrideRemoved { id: id.to_owned() };
        roster::insert(&mut tx, version, current.entry(self.now(), &actor, kind)).await?;
        audit::record(&mut tx, actor, now, Change::deleted("override", id, &before)).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedRotation {
    pub id: String,
    pub name: String,
    pub rotation: Rotation,
}

impl NamedRotation {
    /// A roster entry for a change that keeps this definition.
    fn entry<'a>(&'a self, at: DateTime<Utc>, actor: &Actor<'_>, kind: VersionKind) -> roster::Entry<'a> {
        roster::Entry {
            rotation_id: &self.id,
            at,
            actor: actor.name(),
            kind,
            name: &self.name,
            rotation: &self.rotation,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverrideRow {
    pub id: String,
    pub value: Override,
    pub created_at: DateTime<Utc>,
}

fn override_from_row(r: &AnyRow) -> Result<OverrideRow, ServerError> {
    Ok(OverrideRow {
        id: r.try_get("id")?,
        value: Override {
            start: from_epoch(r.try_get("start_at")?),
            end: from_epoch(r.try_get("end_at")?),
            members: parse("override", &r.try_get::<String, _>("members_json")?)?,
        },
        created_at: from_epoch(r.try_get("created_at")?),
    })
}
