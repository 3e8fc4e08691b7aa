//! Personal acknowledge links: `<base-url>/a/<token>` in every page a person receives. The token
//! is 128 bits derived from the page id with a key the console keeps (`console_secrets`), so the
//! same page always gets the same link (a resent message carries the same one) and no token is
//! stored: `ack_links` keeps only its SHA-256, with the page, the person and the expiry. A leaf.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::Row;

use app::i18n::Locale;

use crate::db::Db;
use crate::error::ServerError;
use crate::password::token_digest;

/// A link works this long after its page was sent, unless the engagement ends first.
pub const LINK_LIFETIME_SECS: i64 = 24 * 3600;
/// The path prefix of acknowledge links.
pub const LINK_PATH: &str = "/a/";

/// The key that derives link tokens.
#[derive(Clone)]
pub struct LinkKey(Vec<u8>);

impl std::fmt::Debug for LinkKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkKey(…)")
    }
}

impl LinkKey {
    /// The database's key, made on first use (the first replica to insert it wins).
    pub async fn load_or_create(db: &Db, now: i64) -> Result<LinkKey, ServerError> {
        let fresh = {
            use rand::RngCore;
            let mut bytes = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            hex::encode(bytes)
        };
        sqlx::query(
            "INSERT INTO console_secrets (name, value, created_at) VALUES ('ack_link', $1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(&fresh)
        .bind(now)
        .execute(db.writer())
        .await?;
        let stored: String = sqlx::query_scalar("SELECT value FROM console_secrets WHERE name = 'ack_link'")
            .fetch_one(db.writer())
            .await?;
        let bytes = hex::decode(&stored).map_err(|e| ServerError::Corrupt("ack_link key", e.to_string()))?;
        Ok(LinkKey(bytes))
    }

    /// The page's token: 22 URL-safe characters.
    pub fn token(&self, page_id: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(b"ack-link:v1:");
        mac.update(page_id.as_bytes());
        let digest = mac.finalize().into_bytes();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
    }
}

/// A token as it may appear in a path: 22 URL-safe base64 characters, nothing else.
pub fn well_formed(token: &str) -> bool {
    token.len() == 22 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A link's page and person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkTarget {
    pub page_id: String,
    pub engagement_id: String,
    pub contact_id: String,
    pub language: Option<Locale>,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

/// A link to record: everything but its use.
pub struct NewLink<'a> {
    pub token: &'a str,
    pub page_id: &'a str,
    pub engagement_id: &'a str,
    pub contact_id: &'a str,
    pub language: Option<Locale>,
    pub sent_at: i64,
}

/// Records a link (once per page) through `conn`, before any message carries it.
pub async fn record(conn: &mut sqlx::AnyConnection, link: NewLink<'_>, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO ack_links (token_hash, page_id, engagement_id, contact_id, language, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (page_id) DO NOTHING",
    )
    .bind(token_digest(link.token))
    .bind(link.page_id)
    .bind(link.engagement_id)
    .bind(link.contact_id)
    .bind(link.language.map(Locale::code))
    .bind(now)
    .bind(link.sent_at + LINK_LIFETIME_SECS)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The link a token opens, if any (looked up by its hash).
pub async fn find(db: &Db, token: &str) -> Result<Option<LinkTarget>, ServerError> {
    if !well_formed(token) {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT page_id, engagement_id, contact_id, language, expires_at, used_at FROM ack_links WHERE token_hash = $1",
    )
    .bind(token_digest(token))
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| {
        Ok(LinkTarget {
            page_id: r.try_get("page_id")?,
            engagement_id: r.try_get("engagement_id")?,
            contact_id: r.try_get("contact_id")?,
            language: r.try_get::<Option<String>, _>("language")?.as_deref().and_then(Locale::parse),
            expires_at: r.try_get("expires_at")?,
            used_at: r.try_get("used_at")?,
        })
    })
    .transpose()
    .map_err(|e: sqlx::Error| ServerError::Db(e))
}

/// Notes the link's first use.
pub async fn mark_used(db: &Db, token: &str, now: i64) -> Result<(), ServerError> {
    sqlx::query("UPDATE ack_links SET used_at = COALESCE(used_at, $1) WHERE token_hash = $2")
        .bind(now)
        .bind(token_digest(token))
        .execute(db.writer())
        .await?;
    Ok(())
}

/// A person's message language, if they chose one.
pub async fn language_in(conn: &mut sqlx::AnyConnection, contact_id: &str) -> Result<Option<Locale>, sqlx::Error> {
    let code: Option<String> = sqlx::query_scalar("SELECT language FROM contact_preferences WHERE contact_id = $1")
        .bind(contact_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(code.as_deref().and_then(Locale::parse))
}

/// Sets a person's message language, through `conn` (the caller audits it).
pub async fn set_language_in(
    conn: &mut sqlx::AnyConnection,
    contact_id: &str,
    language: Locale,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO contact_preferences (contact_id, language, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (contact_id) DO UPDATE SET language = $2, updated_at = $3",
    )
    .bind(contact_id)
    .bind(language.code())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stable_per_page_and_differ_between_pages_and_keys() {
        let key = LinkKey(vec![7; 32]);
        let a = key.token("page-a");
        assert_eq!(a, key.token("page-a"));
        assert_ne!(a, key.token("page-b"));
        assert_ne!(a, LinkKey(vec![8; 32]).token("page-a"));
        assert!(well_formed(&a), "{a}");
        assert_eq!(token_digest(&a).len(), 64);
        assert!(!well_formed("short") && !well_formed(&format!("{}%", &a[..21])));
    }
}
