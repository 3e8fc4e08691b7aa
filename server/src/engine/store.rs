//! Contacts, channels, rotations and overrides. Every change is validated with the shared domain
//! types first and audited in its own transaction.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use app::domain::contact::{ChannelType, Contact, ContactChannel, ContactType, Plan, References, schedule_on_call};
use app::domain::rotation::{Override, Rotation};
use app::i18n::Msg;

use super::{Engine, EngineError, epoch, from_epoch, new_id};
use crate::audit::{self, Actor, Change};

/// Every id a plan may refer to, loaded for validation.
struct Known {
    contacts: HashMap<String, ContactType>,
    channels: HashMap<String, String>,
    rotations: HashSet<String>,
}

impl References for Known {
    fn contact_type(&self, alias: &str) -> Option<ContactType> {
        self.contacts.get(alias).copied()
    }
    fn channel_owner(&self, channel_id: &str) -> Option<String> {
        self.channels.get(channel_id).cloned()
    }
    fn rotation_exists(&self, rotation_id: &str) -> bool {
        self.rotations.contains(rotation_id)
    }
}

pub(crate) fn kind_name(kind: ContactType) -> &'static str {
    match kind {
        ContactType::Personal => "personal",
        ContactType::Escalation => "escalation",
        ContactType::OncallSchedule => "oncall_schedule",
    }
}

fn kind_from(name: &str) -> ContactType {
    match name {
        "escalation" => ContactType::Escalation,
        "oncall_schedule" => ContactType::OncallSchedule,
        _ => ContactType::Personal,
    }
}

pub(crate) fn channel_kind_name(kind: ChannelType) -> &'static str {
    match kind {
        ChannelType::Email => "email",
        ChannelType::Sms => "sms",
        ChannelType::Voice => "voice",
    }
}

fn channel_kind_from(name: &str) -> ChannelType {
    match name {
        "sms" => ChannelType::Sms,
        "voice" => ChannelType::Voice,
        _ => ChannelType::Email,
    }
}

fn channel_from_row(row: &AnyRow) -> Result<ContactChannel, sqlx::Error> {
    Ok(ContactChannel {
        id: row.try_get("id")?,
        contact_id: row.try_get("contact_alias")?,
        name: row.try_get("name")?,
        kind: channel_kind_from(&row.try_get::<String, _>("kind")?),
        address: row.try_get("address")?,
        activated: row.try_get::<i64, _>("activated")? != 0,
    })
}

fn parse<T: serde::de::DeserializeOwned>(what: &'static str, json: &str) -> Result<T, EngineError> {
    serde_json::from_str(json).map_err(|e| EngineError::Corrupt(what, e))
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

impl Engine {
    async fn references(&self) -> Result<Known, EngineError> {
        let contacts = sqlx::query("SELECT alias, kind FROM contacts").fetch_all(&self.db.pool).await?;
        let channels = sqlx::query("SELECT id, contact_alias FROM contact_channels").fetch_all(&self.db.pool).await?;
        let rotations: Vec<String> = sqlx::query_scalar("SELECT id FROM rotations").fetch_all(&self.db.pool).await?;
        Ok(Known {
            contacts: contacts
                .iter()
                .map(|r| Ok((r.try_get("alias")?, kind_from(&r.try_get::<String, _>("kind")?))))
                .collect::<Result<_, sqlx::Error>>()?,
            channels: channels
                .iter()
                .map(|r| Ok((r.try_get("id")?, r.try_get("contact_alias")?)))
                .collect::<Result<_, sqlx::Error>>()?,
            rotations: rotations.into_iter().collect(),
        })
    }

    /// Creates a contact, or replaces its name and plan (its type cannot change).
    pub async fn put_contact(&self, actor: Actor<'_>, contact: Contact) -> Result<(), EngineError> {
        contact.validate(&self.references().await?).map_err(EngineError::Invalid)?;
        let now = epoch(self.now());
        let mut tx = self.db.pool.begin().await?;
        let before = self.contact_in(&mut tx, &contact.alias).await?;
        if before.as_ref().is_some_and(|b| b.kind != contact.kind) {
            return Err(EngineError::invalid("kind", Msg::ErrContactKindChange));
        }
        sqlx::query(
            "INSERT INTO contacts (alias, display_name, kind, plan_json, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) \
             ON CONFLICT (alias) DO UPDATE SET display_name = $2, plan_json = $4, updated_at = $5",
        )
        .bind(&contact.alias)
        .bind(&contact.display_name)
        .bind(kind_name(contact.kind))
        .bind(to_json(&contact.plan))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let action = if before.is_some() { "update" } else { "create" };
        let change = Change {
            action,
            entity: "contact",
            entity_id: contact.alias.clone(),
            before: before.as_ref(),
            after: Some(&contact),
        };
        audit::record(&mut tx, actor, now, change).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn contact_in(&self, tx: &mut sqlx::AnyConnection, alias: &str) -> Result<Option<Contact>, EngineError> {
        let row = sqlx::query("SELECT alias, display_name, kind, plan_json FROM contacts WHERE alias = $1")
            .bind(alias)
            .fetch_optional(&mut *tx)
            .await?;
        row.map(|r| {
            Ok(Contact {
                alias: r.try_get("alias")?,
                display_name: r.try_get("display_name")?,
                kind: kind_from(&r.try_get::<String, _>("kind")?),
                plan: parse::<Plan>("plan", &r.try_get::<String, _>("plan_json")?)?,
            })
        })
        .transpose()
    }

    pub async fn contact(&self, alias: &str) -> Result<Contact, EngineError> {
        let mut conn = self.db.pool.acquire().await?;
        self.contact_in(&mut conn, alias).await?.ok_or_else(|| EngineError::NotFound("contact", alias.to_owned()))
    }

    /// Adds a channel to a person. Demo data and imports may add it already activated.
    pub async fn add_channel(&self, actor: Actor<'_>, channel: ContactChannel) -> Result<ContactChannel, EngineError> {
        channel.validate().map_err(EngineError::Invalid)?;
        match self.references().await?.contact_type(&channel.contact_id) {
            Some(ContactType::Personal) => {}
            _ => return Err(EngineError::invalid("contact_id", Msg::ErrUnknownContact)),
        }
        let channel = ContactChannel { id: new_id(), ..channel };
        let now = epoch(self.now());
        let mut tx = self.db.pool.begin().await?;
        sqlx::query(
            "INSERT INTO contact_channels (id, contact_alias, name, kind, address, activated, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&channel.id)
        .bind(&channel.contact_id)
        .bind(&channel.name)
        .bind(channel_kind_name(channel.kind))
        .bind(&channel.address)
        .bind(i64::from(channel.activated))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let change = Change::created("channel", &channel.id, &channel);
        audit::record(&mut tx, actor, now, change).await?;
        tx.commit().await?;
        Ok(channel)
    }

    pub async fn channel(&self, id: &str) -> Result<ContactChannel, EngineError> {
        let row =
            sqlx::query("SELECT * FROM contact_channels WHERE id = $1").bind(id).fetch_optional(&self.db.pool).await?;
        row.as_ref().map(channel_from_row).transpose()?.ok_or_else(|| EngineError::NotFound("channel", id.to_owned()))
    }

    pub async fn channels_of(&self, alias: &str) -> Result<Vec<ContactChannel>, EngineError> {
        let rows = sqlx::query("SELECT * FROM contact_channels WHERE contact_alias = $1 ORDER BY created_at, id")
            .bind(alias)
            .fetch_all(&self.db.pool)
            .await?;
        Ok(rows.iter().map(channel_from_row).collect::<Result<_, _>>()?)
    }

    /// Creates a rotation of existing people; returns its id.
    pub async fn create_rotation(
        &self,
        actor: Actor<'_>,
        name: &str,
        rotation: Rotation,
    ) -> Result<String, EngineError> {
        let mut errors = rotation.validate().err().unwrap_or_default();
        let known = self.references().await?;
        if !rotation.members.iter().all(|m| known.contact_type(m) == Some(ContactType::Personal)) {
            errors.push(app::error::FieldError::new("members", Msg::ErrUnknownContact));
        }
        if name.trim().is_empty() || name.chars().count() > 255 {
            errors.push(app::error::FieldError::new("name", Msg::ErrRotationName));
        }
        if !errors.is_empty() {
            return Err(EngineError::Invalid(errors));
        }
        let id = new_id();
        let now = epoch(self.now());
        let mut tx = self.db.pool.begin().await?;
        sqlx::query(
            "INSERT INTO rotations (id, name, definition_json, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(&id)
        .bind(name.trim())
        .bind(to_json(&rotation))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                EngineError::invalid("name", Msg::ErrRotationNameTaken)
            }
            _ => EngineError::Db(e),
        })?;
        let change = Change::created("rotation", &id, &rotation);
        audit::record(&mut tx, actor, now, change).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn rotation(&self, id: &str) -> Result<Rotation, EngineError> {
        let json: Option<String> = sqlx::query_scalar("SELECT definition_json FROM rotations WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await?;
        parse("rotation", &json.ok_or_else(|| EngineError::NotFound("rotation", id.to_owned()))?)
    }

    pub async fn add_override(&self, actor: Actor<'_>, rotation_id: &str, o: Override) -> Result<String, EngineError> {
        let rotation = self.rotation(rotation_id).await?;
        o.validate(&rotation, self.now()).map_err(EngineError::Invalid)?;
        let id = new_id();
        let now = epoch(self.now());
        let mut tx = self.db.pool.begin().await?;
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
    ) -> Result<Vec<Override>, EngineError> {
        let rows = sqlx::query(
            "SELECT start_at, end_at, members_json FROM rotation_overrides \
             WHERE rotation_id = $1 AND start_at < $3 AND end_at > $2 ORDER BY created_at, id",
        )
        .bind(rotation_id)
        .bind(epoch(from))
        .bind(epoch(to))
        .fetch_all(&self.db.pool)
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

    /// Who a contact stands for at `at`: a person is themself; a schedule is whoever its
    /// rotations have on call; an escalation plan is nobody (its stages are engaged instead).
    pub async fn on_call(&self, contact: &Contact, at: DateTime<Utc>) -> Result<Vec<String>, EngineError> {
        match contact.kind {
            ContactType::Personal => Ok(vec![contact.alias.clone()]),
            ContactType::Escalation => Ok(Vec::new()),
            ContactType::OncallSchedule => {
                let mut per_rotation = Vec::new();
                for id in &contact.plan.rotation_ids {
                    let Ok(rotation) = self.rotation(id).await else { continue };
                    let overrides = self.overrides(id, at, at + Duration::seconds(1)).await?;
                    per_rotation.push(rotation.on_call_at(at, &overrides));
                }
                Ok(schedule_on_call(per_rotation))
            }
        }
    }
}
