//! Contacts, channels, rotations and overrides. Every change is validated with the shared domain
//! types first and audited in its own transaction.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use app::domain::contact::{
    ChannelType, Contact, ContactChannel, ContactType, Plan, References, Target, schedule_on_call,
};
use app::domain::roster::{Roster, VersionKind};
use app::domain::rotation::{Override, Rotation};
use app::i18n::Msg;

use super::outbox::{Outgoing, enqueue};
use super::{Engine, EngineError, epoch, from_epoch, new_id, new_uuid};
use crate::audit::{self, Actor, Change};
use crate::roster;

/// Every id a plan may refer to, loaded for validation.
pub(crate) struct Known {
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

fn name_taken(e: sqlx::Error) -> EngineError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => EngineError::invalid("name", Msg::ErrRotationNameTaken),
        _ => EngineError::Db(e),
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

pub(crate) fn parse<T: serde::de::DeserializeOwned>(what: &'static str, json: &str) -> Result<T, EngineError> {
    serde_json::from_str(json).map_err(|e| EngineError::Corrupt(what, e))
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

impl Engine {
    pub(crate) async fn references(&self) -> Result<Known, EngineError> {
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
        let change = Change::put("contact", contact.alias.clone(), before.as_ref(), &contact);
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

    /// A rotation's own rules, plus: its members are people, its name is present and short.
    async fn check_rotation(&self, name: &str, rotation: &Rotation) -> Result<(), EngineError> {
        let mut errors = rotation.validate().err().unwrap_or_default();
        let known = self.references().await?;
        if !rotation.members.iter().all(|m| known.contact_type(m) == Some(ContactType::Personal)) {
            errors.push(app::error::FieldError::new("members", Msg::ErrUnknownContact));
        }
        if name.trim().is_empty() || name.chars().count() > 255 {
            errors.push(app::error::FieldError::new("name", Msg::ErrRotationName));
        }
        if errors.is_empty() { Ok(()) } else { Err(EngineError::Invalid(errors)) }
    }

    /// Creates a rotation of existing people; returns its id.
    pub async fn create_rotation(
        &self,
        actor: Actor<'_>,
        name: &str,
        rotation: Rotation,
    ) -> Result<String, EngineError> {
        self.check_rotation(name, &rotation).await?;
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

    pub async fn rotation(&self, id: &str) -> Result<Rotation, EngineError> {
        let json: Option<String> = sqlx::query_scalar("SELECT definition_json FROM rotations WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await?;
        parse("rotation", &json.ok_or_else(|| EngineError::NotFound("rotation", id.to_owned()))?)
    }

    pub async fn add_override(&self, actor: Actor<'_>, rotation_id: &str, o: Override) -> Result<String, EngineError> {
        let current = self.named_rotation(rotation_id).await?;
        o.validate(&current.rotation, self.now()).map_err(EngineError::Invalid)?;
        let id = new_uuid();
        let now = epoch(self.now());
        let mut tx = self.db.pool.begin().await?;
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

    pub async fn contacts(&self) -> Result<Vec<Contact>, EngineError> {
        let rows = sqlx::query("SELECT alias, display_name, kind, plan_json FROM contacts ORDER BY kind, alias")
            .fetch_all(&self.db.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Contact {
                    alias: r.try_get("alias")?,
                    display_name: r.try_get("display_name")?,
                    kind: kind_from(&r.try_get::<String, _>("kind")?),
                    plan: parse::<Plan>("plan", &r.try_get::<String, _>("plan_json")?)?,
                })
            })
            .collect()
    }

    /// Deletes a contact and its channels, unless a plan, rotation or response plan still uses it.
    /// Past engagements and pages keep its alias.
    pub async fn delete_contact(&self, actor: Actor<'_>, alias: &str) -> Result<(), EngineError> {
        let before = self.contact(alias).await?;
        let targeted =
            self.contacts().await?.iter().any(|c| {
                c.plan.targets().any(|t| matches!(t, Target::Contact { contact_id, .. } if contact_id == alias))
            });
        let in_rotation = self.rotations().await?.iter().any(|r| r.rotation.members.iter().any(|m| m == alias));
        if targeted || in_rotation || self.engaged_by_plan(alias).await? {
            return Err(EngineError::invalid("alias", Msg::ErrContactInUse));
        }
        let now = epoch(self.now());
        let mut tx = self.db.pool.begin().await?;
        sqlx::query("DELETE FROM contacts WHERE alias = $1").bind(alias).execute(&mut *tx).await?;
        let change = Change::deleted("contact", alias.to_owned(), &before);
        audit::record(&mut tx, actor, now, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Renames a channel or changes its address; a new address must be activated again.
    pub async fn update_channel(
        &self,
        actor: Actor<'_>,
        id: &str,
        name: &str,
        address: &str,
    ) -> Result<ContactChannel, EngineError> {
        let before = self.channel(id).await?;
        let moved = before.address != address;
        let after = ContactChannel {
            name: name.to_owned(),
            address: address.to_owned(),
            activated: before.activated && !moved,
            ..before.clone()
        };
        after.validate().map_err(EngineError::Invalid)?;
        let now = epoch(self.now());
        let mut tx = self.db.pool.begin().await?;
        sqlx::query(
            "UPDATE contact_channels SET name = $1, address = $2, activated = $3, \
             activation_code = CASE WHEN $4 THEN NULL ELSE activation_code END WHERE id = $5",
        )
        .bind(&after.name)
        .bind(&after.address)
        .bind(i64::from(after.activated))
        .bind(moved)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let change = Change::updated("channel", id.to_owned(), &before, &after);
        audit::record(&mut tx, actor, now, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Deletes a channel its owner's plan does not use.
    pub async fn delete_channel(&self, actor: Actor<'_>, id: &str) -> Result<(), EngineError> {
        let before = self.channel(id).await?;
        let owner = self.contact(&before.contact_id).await?;
        if owner.plan.targets().any(|t| matches!(t, Target::Channel { channel_id, .. } if channel_id == id)) {
            return Err(EngineError::invalid("channel_id", Msg::ErrChannelInUse));
        }
        let now = epoch(self.now());
        let mut tx = self.db.pool.begin().await?;
        sqlx::query("DELETE FROM contact_channels WHERE id = $1").bind(id).execute(&mut *tx).await?;
        let change = Change::deleted("channel", id.to_owned(), &before);
        audit::record(&mut tx, actor, now, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sends a fresh activation code to a channel (through the outbox, like any page).
    pub async fn send_activation_code(&self, actor: Actor<'_>, id: &str) -> Result<(), EngineError> {
        let channel = self.channel(id).await?;
        let code = super::paging::accept_code();
        let now = epoch(self.now());
        let mut tx = self.db.pool.begin().await?;
        sqlx::query("UPDATE contact_channels SET activation_code = $1 WHERE id = $2")
            .bind(&code)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let body = format!("Your on-call console activation code: {code}");
        let message = Outgoing {
            page_id: None,
            incident_id: None,
            channel_id: id,
            kind: channel_kind_name(channel.kind),
            address: &channel.address,
            subject: "Activation code",
            body: &body,
        };
        enqueue(&mut tx, message, now).await?;
        let change = Change {
            action: "send_activation_code",
            entity: "channel",
            entity_id: id.to_owned(),
            before: None,
            after: Some(&channel),
        };
        audit::record(&mut tx, actor, now, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Activates a channel with the code last sent to it.
    pub async fn activate_channel(&self, actor: Actor<'_>, id: &str, code: &str) -> Result<(), EngineError> {
        let before = self.channel(id).await?;
        let now = epoch(self.now());
        let mut tx = self.db.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE contact_channels SET activated = 1, activation_code = NULL WHERE id = $1 AND activation_code = $2",
        )
        .bind(id)
        .bind(code.trim())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(EngineError::invalid("activation_code", Msg::ErrActivationCode));
        }
        let after = ContactChannel { activated: true, ..before.clone() };
        let change = Change {
            action: "activate",
            entity: "channel",
            entity_id: id.to_owned(),
            before: Some(&before),
            after: Some(&after),
        };
        audit::record(&mut tx, actor, now, change).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn rotations(&self) -> Result<Vec<NamedRotation>, EngineError> {
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
    /// started from; a later change by someone else refuses it ([`EngineError::Stale`]).
    /// Returns the new version.
    pub async fn update_rotation(
        &self,
        actor: Actor<'_>,
        id: &str,
        base: Option<u32>,
        name: &str,
        rotation: Rotation,
    ) -> Result<u32, EngineError> {
        self.save_definition(actor, id, base, name, rotation, VersionKind::Edited).await
    }

    /// Makes an earlier version's definition current again, as a new version.
    pub async fn restore_rotation(&self, actor: Actor<'_>, id: &str, from: u32, base: u32) -> Result<u32, EngineError> {
        let roster = self.roster(id).await?;
        let old = roster
            .versions
            .iter()
            .find(|v| v.version == from)
            .ok_or_else(|| EngineError::NotFound("rotation version", format!("{id} v{from}")))?;
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
    ) -> Result<u32, EngineError> {
        let before = self.rotation(id).await?;
        self.check_rotation(name, &rotation).await?;
        let now = epoch(self.now());
        let mut tx = self.db.pool.begin().await?;
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
    pub async fn set_swap_approval(&self, actor: Actor<'_>, id: &str, required: bool) -> Result<(), EngineError> {
        let before = self.roster_head(id).await?.swap_approval;
        let mut tx = self.db.pool.begin().await?;
        roster::set_swap_approval(&mut tx, id, required).await?;
        let change = Change::updated("rotation_swap_approval", id, &before, &required);
        audit::record(&mut tx, actor, epoch(self.now()), change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every recorded version of a rotation.
    pub async fn roster(&self, id: &str) -> Result<Roster, EngineError> {
        let mut conn = self.db.pool.acquire().await?;
        Ok(roster::load(&mut conn, id).await?)
    }

    pub async fn roster_head(&self, id: &str) -> Result<roster::Head, EngineError> {
        let mut conn = self.db.pool.acquire().await?;
        roster::head(&mut conn, id).await?.ok_or_else(|| EngineError::NotFound("rotation", id.to_owned()))
    }

    /// Deletes a rotation and its overrides, unless an on-call schedule still uses it.
    pub async fn delete_rotation(&self, actor: Actor<'_>, id: &str) -> Result<(), EngineError> {
        let before = self.rotation(id).await?;
        if self.contacts().await?.iter().any(|c| c.plan.rotation_ids.iter().any(|r| r == id)) {
            return Err(EngineError::invalid("rotation_id", Msg::ErrRotationInUse));
        }
        let now = epoch(self.now());
        let mut tx = self.db.pool.begin().await?;
        sqlx::query("DELETE FROM rotations WHERE id = $1").bind(id).execute(&mut *tx).await?;
        // The versions stay: they are the record of who was on call.
        sqlx::query("DELETE FROM rotation_heads WHERE rotation_id = $1").bind(id).execute(&mut *tx).await?;
        let change = Change::deleted("rotation", id.to_owned(), &before);
        audit::record(&mut tx, actor, now, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A rotation's overrides that have not ended by `from`, with their ids, soonest first.
    pub async fn override_list(&self, rotation_id: &str, from: DateTime<Utc>) -> Result<Vec<OverrideRow>, EngineError> {
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

    pub async fn override_by_id(&self, rotation_id: &str, id: &str) -> Result<OverrideRow, EngineError> {
        let row = sqlx::query(
            "SELECT id, start_at, end_at, members_json, created_at FROM rotation_overrides \
             WHERE rotation_id = $1 AND id = $2",
        )
        .bind(rotation_id)
        .bind(id)
        .fetch_optional(&self.db.pool)
        .await?
        .ok_or_else(|| EngineError::NotFound("override", id.to_owned()))?;
        override_from_row(&row)
    }

    pub async fn named_rotation(&self, id: &str) -> Result<NamedRotation, EngineError> {
        let row = sqlx::query("SELECT name, definition_json FROM rotations WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await?
            .ok_or_else(|| EngineError::NotFound("rotation", id.to_owned()))?;
        let rotation = parse("rotation", &row.try_get::<String, _>("definition_json")?)?;
        Ok(NamedRotation { id: id.to_owned(), name: row.try_get("name")?, rotation })
    }

    /// The channel is no longer engaged until it is activated again with a fresh code.
    pub async fn deactivate_channel(&self, actor: Actor<'_>, id: &str) -> Result<(), EngineError> {
        let before = self.channel(id).await?;
        let after = ContactChannel { activated: false, ..before.clone() };
        let now = epoch(self.now());
        let mut tx = self.db.pool.begin().await?;
        sqlx::query("UPDATE contact_channels SET activated = 0, activation_code = NULL WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit::record(&mut tx, actor, now, Change::updated("channel", id, &before, &after)).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_override(&self, actor: Actor<'_>, rotation_id: &str, id: &str) -> Result<(), EngineError> {
        let current =
            self.named_rotation(rotation_id).await.map_err(|_| EngineError::NotFound("override", id.to_owned()))?;
        let now = epoch(self.now());
        let mut tx = self.db.pool.begin().await?;
        let gone = sqlx::query(
            "DELETE FROM rotation_overrides WHERE id = $1 AND rotation_id = $2 \
             RETURNING start_at, end_at, members_json",
        )
        .bind(id)
        .bind(rotation_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| EngineError::NotFound("override", id.to_owned()))?;
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

fn override_from_row(r: &AnyRow) -> Result<OverrideRow, EngineError> {
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
