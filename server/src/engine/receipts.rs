//! Receipts: what happened to a page (sent, delivered, acknowledged, failed, stopped).

use sqlx::{Any, Transaction};

use app::domain::delivery::ReceiptKind;

/// Records a receipt in the caller's transaction.
pub(crate) async fn insert_receipt(
    tx: &mut Transaction<'_, Any>,
    page_id: &str,
    channel_id: Option<&str>,
    kind: ReceiptKind,
    info: Option<&str>,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO receipts (page_id, channel_id, kind, info, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(page_id)
        .bind(channel_id)
        .bind(kind.as_str())
        .bind(info)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
