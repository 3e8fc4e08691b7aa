//! The audit trail: written inside the transaction of the change it records.

use serde::Serialize;
use sqlx::{Any, Transaction};

use app::auth::CurrentUser;

/// Who made a change: a signed-in user, or the console itself (start-up, setup link).
pub enum Actor<'a> {
    User(&'a CurrentUser),
    System(&'static str),
    /// A client of the SSM-compatible API, by access key id.
    ApiKey(&'a str),
    /// The person a page was sent to, acting through its link or a reply (no account).
    Recipient(&'a str),
}

impl Actor<'_> {
    /// The name that audit entries and timelines show.
    pub fn name(&self) -> String {
        match self {
            Actor::User(u) => u.username.clone(),
            Actor::System(name) => (*name).to_owned(),
            Actor::ApiKey(id) => format!("api:{id}"),
            Actor::Recipient(contact) => format!("recipient:{contact}"),
        }
    }
}

pub struct Change<'a, T: Serialize> {
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: String,
    pub before: Option<&'a T>,
    pub after: Option<&'a T>,
}

impl<'a, T: Serialize> Change<'a, T> {
    /// A new entity: nothing before, `after` now.
    pub fn created(entity: &'static str, entity_id: impl ToString, after: &'a T) -> Self {
        Change { action: "create", entity, entity_id: entity_id.to_string(), before: None, after: Some(after) }
    }

    /// A change from `before` to `after`.
    pub fn updated(entity: &'static str, entity_id: impl ToString, before: &'a T, after: &'a T) -> Self {
        Change { action: "update", entity, entity_id: entity_id.to_string(), before: Some(before), after: Some(after) }
    }

    /// A create-or-replace: an update when there was something `before`.
    pub fn put(entity: &'static str, entity_id: impl ToString, before: Option<&'a T>, after: &'a T) -> Self {
        match before {
            Some(before) => Change::updated(entity, entity_id, before, after),
            None => Change::created(entity, entity_id, after),
        }
    }

    /// An entity removed: `before` it was this.
    pub fn deleted(entity: &'static str, entity_id: impl ToString, before: &'a T) -> Self {
        Change { action: "delete", entity, entity_id: entity_id.to_string(), before: Some(before), after: None }
    }
}

impl Change<'static, ()> {
    /// Something done to an entity whose state the console does not hold (in AWS mode).
    pub fn action(entity: &'static str, entity_id: impl ToString, action: &'static str) -> Self {
        Change { action, entity, entity_id: entity_id.to_string(), before: None, after: None }
    }
}

pub async fn record<T: Serialize>(
    tx: &mut Transaction<'_, Any>,
    actor: Actor<'_>,
    at: i64,
    change: Change<'_, T>,
) -> Result<(), sqlx::Error> {
    let actor_id = match actor {
        Actor::User(u) => Some(u.id),
        Actor::System(_) | Actor::ApiKey(_) | Actor::Recipient(_) => None,
    };
    let actor_name = actor.name();
    let json = |v: Option<&T>| v.and_then(|v| serde_json::to_string(v).ok());
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor, action, entity, entity_id, before_json, after_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(at)
    .bind(actor_id)
    .bind(actor_name)
    .bind(change.action)
    .bind(change.entity)
    .bind(change.entity_id)
    .bind(json(change.before))
    .bind(json(change.after))
    .execute(&mut **tx)
    .await?;
    Ok(())
}
