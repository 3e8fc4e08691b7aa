//! People, escalation plans and on-call schedules, and people's channels with their activation.
//! Every change is validated with the shared domain types first and audited in its transaction.

use std::collections::{HashMap, HashSet};

use sqlx::Row;
use sqlx::any::AnyRow;

use app::domain::contact::{ChannelType, Contact, ContactChannel, ContactType, Plan, References, Target};
use app::domain::delivery::DeliveryKind;
use app::error::AppError;
use app::i18n::Msg;

use super::codec::{parse, to_json};
use super::outbox::{Outgoing, enqueue};
use super::{Engine, Work, accept_code, new_id};
use crate::audit::{self, Actor, Change};
use crate::clock::epoch;
use crate::error::{ServerError, stored};

/// Every id a plan may refer to, loaded for validation.
pub(crate) struct Known {
    /// Type of each contact, by alias.
    pub(crate) contacts: HashMap<String, ContactType>,
    /// Owner of each channel, by channel id.
    pub(crate) channels: HashMap<String, String>,
    pub(crate) rotations: HashSet<String>,
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

fn channel_from_row(row: &AnyRow) -> Result<ContactChannel, ServerError> {
    Ok(ContactChannel {
        id: row.try_get("id")?,
        contact_id: row.try_get("contact_alias")?,
        name: row.try_get("name")?,
        kind: stored("channel type", &row.try_get::<String, _>("kind")?, ChannelType::parse)?,
        address: row.try_get("address")?,
        activated: row.try_get::<i64, _>("activated")? != 0,
    })
}

/// A contact, read through `conn` (inside a write transaction: the transaction).
pub(crate) async fn contact_in(conn: &mut sqlx::AnyConnection, alias: &str) -> Result<Option<Contact>, ServerError> {
    let row = sqlx::query("SELECT alias, display_name, kind, plan_json FROM contacts WHERE alias = $1")
        .bind(alias)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| {
        Ok(Contact {
            alias: r.try_get("alias")?,
            display_name: r.try_get("display_name")?,
            kind: stored("contact type", &r.try_get::<String, _>("kind")?, ContactType::parse)?,
            plan: parse::<Plan>("plan", &r.try_get::<String, _>("plan_json")?)?,
        })
    })
    .transpose()
}

/// A person's channels, read through `conn`.
pub(crate) async fn channels_in(
    conn: &mut sqlx::AnyConnection,
    alias: &str,
) -> Result<Vec<ContactChannel>, ServerError> {
    let rows = sqlx::query("SELECT * FROM contact_channels WHERE contact_alias = $1 ORDER BY created_at, id")
        .bind(alias)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(channel_from_row).collect()
}

impl Engine {
    pub(crate) async fn references(&self) -> Result<Known, ServerError> {
        let contacts = sqlx::query("SELECT alias, kind FROM contacts").fetch_all(&self.db.pool).await?;
        let channels = sqlx::query("SELECT id, contact_alias FROM contact_channels").fetch_all(&self.db.pool).await?;
        let rotations: Vec<String> = sqlx::query_scalar("SELECT id FROM rotations").fetch_all(&self.db.pool).await?;
        Ok(Known {
            contacts: contacts
                .iter()
                .map(|r| {
                    let kind = stored("contact type", &r.try_get::<String, _>("kind")?, ContactType::parse)?;
                    Ok((r.try_get("alias")?, kind))
                })
                .collect::<Result<_, ServerError>>()?,
            channels: channels
                .iter()
                .map(|r| Ok((r.try_get("id")?, r.try_get("contact_alias")?)))
                .collect::<Result<_, sqlx::Error>>()?,
            rotations: rotations.into_iter().collect(),
        })
    }

    /// Creates a contact, or replaces its name and plan (its type cannot change).
    pub async fn put_contact(&self, actor: Actor<'_>, contact: Contact) -> Result<(), ServerError> {
        self.put(actor, contact, None).await
    }

    /// Replaces a contact edited from the version with fingerprint `base`; refused, nothing
    /// written, when it changed since (checked inside the write, so two editors cannot both win).
    pub async fn update_contact_from(&self, actor: Actor<'_>, contact: Contact, base: &str) -> Result<(), ServerError> {
        self.put(actor, contact, Some(base)).await
    }

    async fn put(&self, actor: Actor<'_>, contact: Contact, base: Option<&str>) -> Result<(), ServerError> {
        contact.validate(&self.references().await?).map_err(ServerError::Invalid)?;
        let now = epoch(self.now());
        let mut tx = self.db.begin_write().await?;
        let before = contact_in(&mut tx, &contact.alias).await?;
        if let Some(base) = base {
            match &before {
                None => return Err(ServerError::NotFound("contact", contact.alias)),
                Some(b) if b.fingerprint() != base => return Err(ServerError::App(AppError::StaleEdit)),
                Some(_) => {}
            }
        }
        if before.as_ref().is_some_and(|b| b.kind != contact.kind) {
            return Err(ServerError::invalid("kind", Msg::ErrContactKindChange));
        }
        sqlx::query(
            "INSERT INTO contacts (alias, display_name, kind, plan_json, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) \
             ON CONFLICT (alias) DO UPDATE SET display_name = $2, plan_json = $4, updated_at = $5",
        )
        .bind(&contact.alias)
        .bind(&contact.display_name)
        .bind(contact.kind.as_str())
        .bind(to_json(&contact.plan))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let change = Change::put("contact", contact.alias.clone(), before.as_ref(), &contact);
        audit::record(&mut tx, actor, now, change).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn contact(&self, alias: &str) -> Result<Contact, ServerError> {
        let mut conn = self.db.pool.acquire().await?;
        contact_in(&mut conn, alias).await?.ok_or_else(|| ServerError::NotFound("contact", alias.to_owned()))
    }

    /// Adds a channel to a person. Demo data and imports may add it already activated.
    pub async fn add_channel(&self, actor: Actor<'_>, channel: ContactChannel) -> Result<ContactChannel, ServerError> {
        channel.validate().map_err(ServerError::Invalid)?;
        match self.references().await?.contact_type(&channel.contact_id) {
            Some(ContactType::Personal) => {}
            _ => return Err(ServerError::invalid("contact_id", Msg::ErrUnknownContact)),
        }
        let channel = ContactChannel { id: new_id(), ..channel };
        let now = epoch(self.now());
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO contact_channels (id, contact_alias, name, kind, address, activated, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&channel.id)
        .bind(&channel.contact_id)
        .bind(&channel.name)
        .bind(channel.kind.as_str())
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

    pub async fn channel(&self, id: &str) -> Result<ContactChannel, ServerError> {
        let row =
            sqlx::query("SELECT * FROM contact_channels WHERE id = $1").bind(id).fetch_optional(&self.db.pool).await?;
        row.as_ref().map(channel_from_row).transpose()?.ok_or_else(|| ServerError::NotFound("channel", id.to_owned()))
    }

    pub async fn channels_of(&self, alias: &str) -> Result<Vec<ContactChannel>, ServerError> {
        let mut conn = self.db.pool.acquire().await?;
        channels_in(&mut conn, alias).await
    }

    pub async fn contacts(&self) -> Result<Vec<Contact>, ServerError> {
        let rows = sqlx::query("SELECT alias, display_name, kind, plan_json FROM contacts ORDER BY kind, alias")
            .fetch_all(&self.db.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Contact {
                    alias: r.try_get("alias")?,
                    display_name: r.try_get("display_name")?,
                    kind: stored("contact type", &r.try_get::<String, _>("kind")?, ContactType::parse)?,
                    plan: parse::<Plan>("plan", &r.try_get::<String, _>("plan_json")?)?,
                })
            })
            .collect()
    }

    /// Deletes a contact and its channels, unless a plan, rotation or response plan still uses it.
    /// Past engagements and pages keep its alias.
    pub async fn delete_contact(&self, actor: Actor<'_>, alias: &str) -> Result<(), ServerError> {
        let before = self.contact(alias).await?;
        let targeted =
            self.contacts().await?.iter().any(|c| {
                c.plan.targets().any(|t| matches!(t, Target::Contact { contact_id, .. } if contact_id == alias))
            });
        let in_rotation = self.rotations().await?.iter().any(|r| r.rotation.members.iter().any(|m| m == alias));
        if targeted || in_rotation || self.engaged_by_plan(alias).await? {
            return Err(ServerError::invalid("alias", Msg::ErrContactInUse));
        }
        let now = epoch(self.now());
        let mut tx = self.db.begin_write().await?;
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
    ) -> Result<ContactChannel, ServerError> {
        let before = self.channel(id).await?;
        let moved = before.address != address;
        let after = ContactChannel {
            name: name.to_owned(),
            address: address.to_owned(),
            activated: before.activated && !moved,
            ..before.clone()
        };
        after.validate().map_err(ServerError::Invalid)?;
        let now = epoch(self.now());
        let mut tx = self.db.begin_write().await?;
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
    pub async fn delete_channel(&self, actor: Actor<'_>, id: &str) -> Result<(), ServerError> {
        let before = self.channel(id).await?;
        let owner = self.contact(&before.contact_id).await?;
        if owner.plan.targets().any(|t| matches!(t, Target::Channel { channel_id, .. } if channel_id == id)) {
            return Err(ServerError::invalid("channel_id", Msg::ErrChannelInUse));
        }
        let now = epoch(self.now());
        let mut tx = self.db.begin_write().await?;
        sqlx::query("DELETE FROM contact_channels WHERE id = $1").bind(id).execute(&mut *tx).await?;
        let change = Change::deleted("channel", id.to_owned(), &before);
        audit::record(&mut tx, actor, now, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sends a fresh activation code to a channel (through the outbox, like any page).
    pub async fn send_activation_code(&self, actor: Actor<'_>, id: &str) -> Result<(), ServerError> {
        let channel = self.channel(id).await?;
        let code = accept_code();
        let now = epoch(self.now());
        let mut tx = self.db.begin_write().await?;
        sqlx::query("UPDATE contact_channels SET activation_code = $1 WHERE id = $2")
            .bind(&code)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let body = format!("Your on-call console activation code: {code}");
        let message = Outgoing {
            page_id: None,
            aws_page_arn: None,
            page_stage: 0,
            incident_id: None,
            channel_id: id,
            kind: DeliveryKind::from(channel.kind),
            address: &channel.address,
            subject: "Activation code",
            body: &body,
            language: None,
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
        self.commit(tx, Work::DELIVERIES).await?;
        Ok(())
    }

    /// Activates a channel with the code last sent to it.
    pub async fn activate_channel(&self, actor: Actor<'_>, id: &str, code: &str) -> Result<(), ServerError> {
        let before = self.channel(id).await?;
        let now = epoch(self.now());
        let mut tx = self.db.begin_write().await?;
        let done = sqlx::query(
            "UPDATE contact_channels SET activated = 1, activation_code = NULL WHERE id = $1 AND activation_code = $2",
        )
        .bind(id)
        .bind(code.trim())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(ServerError::invalid("activation_code", Msg::ErrActivationCode));
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

    /// The channel is no longer engaged until it is activated again with a fresh code.
    pub async fn deactivate_channel(&self, actor: Actor<'_>, id: &str) -> Result<(), ServerError> {
        let before = self.channel(id).await?;
        let after = ContactChannel { activated: false, ..before.clone() };
        let now = epoch(self.now());
        let mut tx = self.db.begin_write().await?;
        sqlx::query("UPDATE contact_channels SET activated = 0, activation_code = NULL WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit::record(&mut tx, actor, now, Change::updated("channel", id, &before, &after)).await?;
        tx.commit().await?;
        Ok(())
    }
}
