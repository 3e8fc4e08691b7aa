//! Incident timelines: events appended in the transaction of whatever caused them.

use sqlx::{Any, Transaction};

/// Appends a timeline event in the caller's transaction.
pub(crate) async fn add_event(
    tx: &mut Transaction<'_, Any>,
    incident_id: &str,
    event_type: &str,
    data: &serde_json::Value,
    created_by: Option<&str>,
    at: i64,
) -> Result<String, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO timeline_events (incident_id, event_type, event_time, event_data, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $3) RETURNING id",
    )
    .bind(incident_id)
    .bind(event_type)
    .bind(at)
    .bind(data.to_string())
    .bind(created_by)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id.to_string())
}
