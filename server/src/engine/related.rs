//! An incident's related links (SSM Incidents' related items whose value is a URL): the
//! runbook, the dashboard, the change that fixed it. Added and removed by responders, audited.

use sqlx::Row;

use app::domain::incident::{RelatedLink, check_new_link, parse_link};

use super::{Engine, new_id};
use crate::audit::{self, Actor, Change};
use crate::clock::epoch;
use crate::error::ServerError;

impl Engine {
    /// The incident's links, oldest first.
    pub async fn related_links(&self, incident_id: &str) -> Result<Vec<RelatedLink>, ServerError> {
        let rows =
            sqlx::query("SELECT id, url, title FROM incident_links WHERE incident_id = $1 ORDER BY created_at, id")
                .bind(incident_id)
                .fetch_all(&self.db.pool)
                .await?;
        rows.iter()
            .map(|r| Ok(RelatedLink { id: r.try_get("id")?, url: r.try_get("url")?, title: r.try_get("title")? }))
            .collect()
    }

    /// Adds a link of SSM Incidents' item type `item_type` (the console's are `OTHER`; the type
    /// is kept in the id, as Incident Manager does); the same URL twice on one incident, or a
    /// 101st link, is refused.
    pub async fn add_related_link(
        &self,
        actor: Actor<'_>,
        incident_id: &str,
        item_type: &str,
        url: &str,
        title: &str,
    ) -> Result<RelatedLink, ServerError> {
        let (url, title) = parse_link(url, title).map_err(ServerError::Invalid)?;
        self.incident(incident_id).await?;
        let link = RelatedLink { id: format!("related-item/{item_type}/{}", new_id().to_uppercase()), url, title };
        let now = epoch(self.now());
        let mut tx = self.db.begin_write().await?;
        let existing: Vec<String> = sqlx::query_scalar("SELECT url FROM incident_links WHERE incident_id = $1")
            .bind(incident_id)
            .fetch_all(&mut *tx)
            .await?;
        check_new_link(existing.iter().map(String::as_str), &link.url).map_err(ServerError::Invalid)?;
        sqlx::query(
            "INSERT INTO incident_links (id, incident_id, url, title, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&link.id)
        .bind(incident_id)
        .bind(&link.url)
        .bind(&link.title)
        .bind(actor.name())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit::record(&mut tx, actor, now, Change::created("incident_link", &link.id, &link)).await?;
        tx.commit().await?;
        Ok(link)
    }

    pub async fn remove_related_link(&self, actor: Actor<'_>, incident_id: &str, id: &str) -> Result<(), ServerError> {
        let now = epoch(self.now());
        let mut tx = self.db.begin_write().await?;
        let row = sqlx::query("DELETE FROM incident_links WHERE incident_id = $1 AND id = $2 RETURNING url, title")
            .bind(incident_id)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| ServerError::NotFound("related link", id.to_owned()))?;
        let before = RelatedLink { id: id.to_owned(), url: row.try_get("url")?, title: row.try_get("title")? };
        audit::record(&mut tx, actor, now, Change::deleted("incident_link", id, &before)).await?;
        tx.commit().await?;
        Ok(())
    }
}
