//! iCalendar feeds (RFC 5545) of a rotation's shifts or of one person's, at secret URLs. Each
//! user has their own URL per feed and can regenerate it; only a hash of the token is stored.
//! Times are written in UTC (no VTIMEZONE needed, so every calendar app reads them the same);
//! each event names its rotation, its people and the rotation's time zone.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use async_trait::async_trait;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use icalendar::{Component, EventLike};
use sha2::{Digest, Sha256};

use app::auth::CurrentUser;
use app::domain::contact::ContactType;
use app::domain::rotation::{Shift, ShiftKind};
use app::error::AppError;
use app::model::rotations::FeedKind;
use app::ports::{Backend, Clock, Feeds};

use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::ServerError;
use crate::password::token_digest;

/// How far back and ahead a feed reaches.
pub const FEED_PAST_DAYS: i64 = 30;
pub const FEED_AHEAD_DAYS: i64 = 180;

#[derive(Clone)]
pub struct SqlFeeds {
    pub db: Db,
    pub backend: Arc<dyn Backend>,
    pub clock: Arc<dyn Clock>,
}

#[async_trait]
impl Feeds for SqlFeeds {
    async fn regenerate(&self, actor: &CurrentUser, kind: FeedKind, subject: &str) -> Result<String, AppError> {
        match kind {
            FeedKind::Rotation => {
                self.backend.rotation(subject).await?;
            }
            FeedKind::Person => {
                let known = self.backend.contacts().await?;
                if !known.iter().any(|c| c.contact.alias == subject && c.contact.kind == ContactType::Personal) {
                    return Err(AppError::NotFound);
                }
            }
        }
        let token = crate::engine::new_id() + &crate::engine::new_id();
        let now = self.clock.now().timestamp();
        let mut tx = self.db.begin_write().await.map_err(ServerError::from)?;
        sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1 AND kind = $2 AND subject = $3")
            .bind(actor.id)
            .bind(kind.as_str())
            .bind(subject)
            .execute(&mut *tx)
            .await
            .map_err(ServerError::from)?;
        sqlx::query(
            "INSERT INTO calendar_feeds (token_hash, user_id, kind, subject, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_digest(&token))
        .bind(actor.id)
        .bind(kind.as_str())
        .bind(subject)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(ServerError::from)?;
        let what = kind.as_str();
        let change = Change::created("calendar_feed", format!("{what}:{subject}"), &what);
        audit::record(&mut tx, Actor::User(actor), now, change).await.map_err(ServerError::from)?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok(format!("/calendar/{token}.ics"))
    }
}

impl SqlFeeds {
    /// The feed a token opens, if it exists and its user is still enabled.
    async fn lookup(&self, token: &str) -> Result<Option<(FeedKind, String)>, AppError> {
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT f.kind, f.subject FROM calendar_feeds f JOIN users u ON u.id = f.user_id \
             WHERE f.token_hash = $1 AND u.disabled_at IS NULL",
        )
        .bind(token_digest(token))
        .fetch_optional(&self.db.pool)
        .await
        .map_err(ServerError::from)?;
        Ok(row.map(|(kind, subject)| (if kind == "person" { FeedKind::Person } else { FeedKind::Rotation }, subject)))
    }

    /// The feed's events over `[from, to)`.
    pub async fn events(
        &self,
        kind: FeedKind,
        subject: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Calendar, AppError> {
        let names: HashMap<String, String> =
            self.backend.contacts().await?.into_iter().map(|c| (c.contact.alias, c.contact.display_name)).collect();
        // (id, name, zone) of the rotations in the feed; the list already has what a person's needs.
        let rotations: Vec<(String, String, String)> = match kind {
            FeedKind::Rotation => {
                let r = self.backend.rotation(subject).await?;
                vec![(r.id, r.name, r.rotation.time_zone)]
            }
            FeedKind::Person => self
                .backend
                .rotations()
                .await?
                .into_iter()
                .filter(|r| r.rotation.members.iter().any(|m| m == subject))
                .map(|r| (r.id, r.name, r.rotation.time_zone))
                .collect(),
        };
        let mut events = Vec::new();
        for (id, rotation, zone) in &rotations {
            let shifts = self.backend.rotation_shifts(id, from.timestamp(), to.timestamp()).await?;
            for shift in shifts {
                if kind == FeedKind::Person && !shift.members.iter().any(|m| m == subject) {
                    continue;
                }
                events.push(FeedEvent::new(id, rotation, zone, shift, &names));
            }
        }
        let name = match kind {
            FeedKind::Rotation => rotations.first().map(|r| r.1.clone()).unwrap_or_default(),
            FeedKind::Person => names.get(subject).cloned().unwrap_or_else(|| subject.to_owned()),
        };
        let zone = rotations.first().map(|r| r.2.clone());
        Ok(Calendar { name, zone, events })
    }
}

/// One shift as a calendar event.
pub struct FeedEvent {
    pub uid: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: String,
    pub description: String,
}

/// A name as calendar text: control characters become spaces. The `icalendar` crate escapes
/// `\n`, `,`, `;` and `\\` in TEXT values, but neither a bare `\r` nor the calendar's name
/// (`X-WR-CALNAME` is not TEXT to it), and a line break there would start a property of the
/// sender's choosing (`BEGIN:VALARM`). Names refuse control characters when typed; this covers
/// what was stored before, and what other backends hold.
fn ical_text(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

impl FeedEvent {
    fn new(rotation_id: &str, rotation: &str, zone: &str, shift: Shift, names: &HashMap<String, String>) -> FeedEvent {
        let rotation = &ical_text(rotation);
        let zone = &ical_text(zone);
        let name = |alias: &String| ical_text(names.get(alias).unwrap_or(alias));
        let people: Vec<String> = shift.members.iter().map(name).collect();
        let mut description = format!("Rotation: {rotation}\nOn call: {}\nTime zone: {zone}", people.join(", "));
        if let ShiftKind::Overridden { displaced } = &shift.kind {
            let _ = write!(
                description,
                "\nOverride (instead of {})",
                displaced.iter().map(name).collect::<Vec<_>>().join(", ")
            );
        }
        let id_hash = &hex::encode(Sha256::digest(rotation_id.as_bytes()))[..16];
        FeedEvent {
            uid: format!("{id_hash}-{}@oncall-console", shift.start.timestamp()),
            summary: format!("{rotation}: {}", people.join(", ")),
            description,
            start: shift.start,
            end: shift.end,
        }
    }
}

pub struct Calendar {
    pub name: String,
    pub zone: Option<String>,
    pub events: Vec<FeedEvent>,
}

impl Calendar {
    /// RFC 5545 text (CRLF line ends, folding and escaping by the `icalendar` crate).
    pub fn to_ics(&self, stamp: DateTime<Utc>) -> String {
        let mut cal = icalendar::Calendar::empty();
        for (key, value) in [
            ("VERSION", "2.0"),
            ("PRODID", "-//oncall-console//rotations//EN"),
            ("CALSCALE", "GREGORIAN"),
            ("METHOD", "PUBLISH"),
        ] {
            cal.append_property(icalendar::Property::new(key, value));
        }
        cal.name(&ical_text(&self.name));
        if let Some(zone) = &self.zone {
            cal.timezone(zone.as_str());
        }
        for e in &self.events {
            cal.push(
                icalendar::Event::new()
                    .uid(&e.uid)
                    .timestamp(stamp)
                    .starts(e.start)
                    .ends(e.end)
                    .summary(&e.summary)
                    .description(&e.description)
                    .add_property("TRANSP", "TRANSPARENT")
                    .done(),
            );
        }
        cal.to_string()
    }
}

/// `GET /calendar/<token>.ics`: the feed, or 404 for an unknown or regenerated token.
pub async fn serve(State(feeds): State<SqlFeeds>, Path(file): Path<String>) -> Response {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    let now = feeds.clock.now();
    let calendar = match feeds.lookup(token).await {
        Ok(Some((kind, subject))) => {
            feeds
                .events(kind, &subject, now - Duration::days(FEED_PAST_DAYS), now + Duration::days(FEED_AHEAD_DAYS))
                .await
        }
        Ok(None) => Err(AppError::NotFound),
        Err(e) => Err(e),
    };
    match calendar {
        Ok(c) => (
            [(header::CONTENT_TYPE, "text/calendar; charset=utf-8"), (header::CACHE_CONTROL, "private, max-age=300")],
            c.to_ics(now),
        )
            .into_response(),
        Err(e) => (StatusCode::from_u16(e.status()).unwrap_or(StatusCode::NOT_FOUND), "calendar feed not found\n")
            .into_response(),
    }
}
