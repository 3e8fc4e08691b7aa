//! The acknowledge page behind a page's personal link, `/a/<token>`: what a person paged at 3 a.m.
//! opens on their phone. Plain server-rendered HTML with inline CSS: no WASM, no script, a few KB.
//!
//! - GET and HEAD show the incident and one button; they change nothing and record nothing, so
//!   mail scanners that open every link acknowledge nothing.
//! - POST (same origin only) acknowledges the page through the backend (the local engine, or
//!   SSM Contacts `AcceptPage` with the code not checked: the token is the proof), which stops
//!   the escalation as `AcceptPage` does; the link's use goes into the audit log with the
//!   address and user agent.
//! - Again, or later: "already acknowledged by … at …" (200). Unknown or tampered: 404; past
//!   its 24 hours or its engagement: 410; each says what to do instead.
//! - Rate limited per address and per token; `no-store`; `Referrer-Policy: no-referrer`
//!   (so the form's POST carries `Origin: null`, and `Sec-Fetch-Site` tells it came from here,
//!   see `web::is_same_origin`); the path (the token) is
//!   never logged.
//!
//! Its texts live here rather than in `app::i18n`: the page is server-only, and the browser's
//! WASM need not carry them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use app::domain::people::Names;
use app::domain::stop_reason::StopReason;
use app::i18n::Locale;
use app::model::oncall::{Ahead, EngagementView};
use app::ports::{Backend, Clock};

use crate::audit::{self, Actor, Change};
use crate::clock::epoch;
use crate::db::Db;
use crate::engine::links::{self, LinkTarget};
use crate::password::token_digest;
use crate::web::{client_addr, is_same_origin};

/// Requests per minute from one address, and for one token.
const PER_ADDRESS: u32 = 30;
const PER_TOKEN: u32 = 10;

#[derive(Clone)]
pub struct AckState {
    pub db: Db,
    pub backend: Arc<dyn Backend>,
    pub clock: Arc<dyn Clock>,
    pub origin: Arc<str>,
    pub trusted_proxy_hops: u8,
    pub limiter: Arc<Limiter>,
}

pub fn routes(state: AckState) -> Router {
    Router::new().route("/a/{token}", get(show).head(show).post(acknowledge)).with_state(state)
}

/// Fixed one-minute windows per key, in memory (per replica).
#[derive(Default)]
pub struct Limiter {
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

impl Limiter {
    /// Counts a request; false when `key` went over `limit` this minute.
    fn allow(&self, key: String, limit: u32, now: i64) -> bool {
        let minute = now / 60;
        let mut windows = self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if windows.len() > 10_000 {
            windows.retain(|_, (m, _)| *m == minute);
        }
        let entry = windows.entry(key).or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        entry.1 += 1;
        entry.1 <= limit
    }
}

/// Where an engagement stands for the person who opened the link.
#[derive(Debug)]
enum Standing {
    /// Waiting for someone to acknowledge.
    Open,
    /// Acknowledged (by this person or by someone whose acknowledgement stopped it all).
    Acknowledged { by: String, at: i64 },
    /// Over without an acknowledgement, or the link's time is up.
    Ended,
}

fn standing(link: &LinkTarget, e: &EngagementView, now: i64) -> Standing {
    if let Some(at) = e.pages.iter().find(|p| p.id == link.page_id).and_then(|p| p.read_at) {
        return Standing::Acknowledged { by: link.contact_id.clone(), at };
    }
    if e.stopped_at.is_some() {
        let first = e.pages.iter().filter_map(|p| p.read_at.map(|at| (at, &p.contact))).min();
        return match first {
            Some((at, by)) => Standing::Acknowledged { by: by.clone(), at },
            None => Standing::Ended,
        };
    }
    if now >= link.expires_at { Standing::Ended } else { Standing::Open }
}

/// GET and HEAD: the page, changing nothing.
async fn show(State(st): State<AckState>, Path(token): Path<String>, req: Request) -> Response {
    let now = epoch(st.clock.now());
    if let Some(refused) = st.limit(&token, &req, now) {
        return refused;
    }
    let headers = req.headers();
    let link = match links::find(&st.db, &token).await {
        Ok(Some(link)) => link,
        Ok(None) => return unknown(browser_locale(headers)),
        Err(e) => return unavailable(browser_locale(headers), &e),
    };
    let locale = link.language.unwrap_or_else(|| browser_locale(headers));
    match st.load(&link, locale, headers).await {
        Ok(view) => view.render(standing(&link, &view.engagement, now), now),
        Err(refused) => refused,
    }
}

/// POST: the person pressed Acknowledge, or, having acknowledged, "Stop paging the others".
async fn acknowledge(State(st): State<AckState>, Path(token): Path<String>, req: Request) -> Response {
    let now = epoch(st.clock.now());
    if let Some(refused) = st.limit(&token, &req, now) {
        return refused;
    }
    let headers = req.headers().clone();
    if req.method() != Method::POST || !is_same_origin(&headers, &st.origin) {
        return page(browser_locale(&headers), StatusCode::FORBIDDEN, Text::Forbidden, "");
    }
    let client = client_addr(&req, st.trusted_proxy_hops);
    let body = axum::body::to_bytes(req.into_body(), 1024).await.unwrap_or_default();
    let stop = form_urlencoded::parse(&body).any(|(k, v)| k == "action" && v == "stop");
    let link = match links::find(&st.db, &token).await {
        Ok(Some(link)) => link,
        Ok(None) => return unknown(browser_locale(&headers)),
        Err(e) => return unavailable(browser_locale(&headers), &e),
    };
    let locale = link.language.unwrap_or_else(|| browser_locale(&headers));
    let view = match st.load(&link, locale, &headers).await {
        Ok(view) => view,
        Err(refused) => return refused,
    };
    let standing_now = standing(&link, &view.engagement, now);
    if stop {
        // Only someone who acknowledged may stop the others being paged, and only while it runs.
        let mine = view.engagement.pages.iter().any(|p| p.id == link.page_id && p.read_at.is_some());
        if mine
            && view.engagement.stopped_at.is_none()
            && let Err(e) = st.backend.stop_engagement_as_recipient(&link.engagement_id, &link.contact_id).await
        {
            return unavailable(locale, &e);
        }
    } else if matches!(standing_now, Standing::Open) {
        if let Err(e) = st.backend.accept_page_as_recipient(&link.page_id, "via link").await {
            return unavailable(locale, &e);
        }
        let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        if let Err(e) = st.record_use(&token, &link, &client, &agent, now).await {
            // The page is acknowledged; only the bookkeeping failed. Say so in the log, not to them.
            tracing::error!(error = %e, page = %link.page_id, "recording an acknowledge link's use failed");
        }
    } else {
        return view.render(standing_now, now);
    }
    // What the page says comes from the engagement as it stands after the action.
    match st.load(&link, locale, &headers).await {
        Ok(view) => view.render(standing(&link, &view.engagement, now), now),
        Err(refused) => refused,
    }
}

impl AckState {
    fn limit(&self, token: &str, req: &Request, now: i64) -> Option<Response> {
        let addr = client_addr(req, self.trusted_proxy_hops);
        let by_token = format!("token:{}", &token_digest(token)[..16]);
        if self.limiter.allow(format!("addr:{addr}"), PER_ADDRESS, now) && self.limiter.allow(by_token, PER_TOKEN, now)
        {
            return None;
        }
        tracing::warn!(client = %addr, "acknowledge link: rate limit reached (per address or per link)");
        let mut res = page(browser_locale(req.headers()), StatusCode::TOO_MANY_REQUESTS, Text::TooMany, "");
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        Some(res)
    }

    async fn load(&self, link: &LinkTarget, locale: Locale, headers: &HeaderMap) -> Result<View, Response> {
        let engagement = match self.backend.engagement(&link.engagement_id).await {
            Ok(e) => e,
            Err(app::error::AppError::NotFound) => return Err(unknown(locale)),
            Err(e) => return Err(unavailable(locale, &e)),
        };
        let incident = match &engagement.incident_id {
            Some(id) => match self.backend.incident(id).await {
                Ok(d) => Some(d.record),
                Err(app::error::AppError::NotFound) => None,
                Err(e) => return Err(unavailable(locale, &e)),
            },
            None => None,
        };
        let contacts = self.backend.contacts().await.map_err(|e| unavailable(locale, &e))?;
        let engaged = contacts.iter().find(|c| c.contact.alias == engagement.contact).map(|c| c.contact.clone());
        let names = Names::new(contacts.into_iter().map(|c| (c.contact.alias, c.contact.display_name)));
        let zone = self.zone_of(&link.contact_id, locale, headers).await;
        Ok(View { locale, link: link.clone(), engagement, incident, engaged, names, zone })
    }

    /// The zone to show times in: the reader's browser's (its cookie, from the console's pages),
    /// else the zone of a rotation the person is in, else their language's usual one.
    async fn zone_of(&self, contact: &str, locale: Locale, headers: &HeaderMap) -> String {
        let cookies = headers.get(header::COOKIE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        if let Some(zone) = app::zone::zone_from_cookies(cookies) {
            return zone;
        }
        let rotations = self.backend.rotations().await.unwrap_or_default();
        rotations
            .into_iter()
            .find(|r| r.rotation.members.iter().any(|m| m == contact))
            .map_or_else(|| app::zone::default_zone(locale).to_owned(), |r| r.rotation.time_zone)
    }

    async fn record_use(
        &self,
        token: &str,
        link: &LinkTarget,
        client: &str,
        agent: &str,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query("UPDATE ack_links SET used_at = COALESCE(used_at, $1) WHERE token_hash = $2")
            .bind(now)
            .bind(token_digest(token))
            .execute(&mut *tx)
            .await?;
        let after = serde_json::json!({
            "contact": link.contact_id, "engagement": link.engagement_id, "via": "link",
            "address": client, "user_agent": agent,
        });
        let change = Change::created("page_acknowledgement", &link.page_id, &after);
        audit::record(&mut tx, Actor::Recipient(&link.contact_id), now, change).await?;
        tx.commit().await
    }
}

fn browser_locale(headers: &HeaderMap) -> Locale {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    Locale::negotiate(header(header::COOKIE), header(header::ACCEPT_LANGUAGE))
}

fn unknown(locale: Locale) -> Response {
    page(locale, StatusCode::NOT_FOUND, Text::Unknown, Text::WhatInstead.text(locale))
}

fn unavailable(locale: Locale, error: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %error, "acknowledge page: backend unavailable");
    page(locale, StatusCode::SERVICE_UNAVAILABLE, Text::Unavailable, Text::WhatInstead.text(locale))
}

struct View {
    locale: Locale,
    link: LinkTarget,
    engagement: EngagementView,
    incident: Option<app::domain::incident::IncidentRecord>,
    /// The contact the engagement paged (an escalation plan, a schedule or a person).
    engaged: Option<app::domain::contact::Contact>,
    /// Display names by alias.
    names: Names,
    /// Where the reader's times are shown.
    zone: String,
}

impl View {
    fn render(&self, standing: Standing, now: i64) -> Response {
        let l = self.locale;
        let title = self
            .incident
            .as_ref()
            .map_or_else(|| app::domain::incident::localized_subject(&self.engagement.subject, l), |i| i.title.clone());
        let (status, action) = self.action(&standing);
        let body =
            [format!("<h1>{}</h1>", esc(&title)), self.facts(), action, self.standing(&standing, now), self.engaged()]
                .concat();
        let link = self.incident.as_ref().map_or(String::new(), |i| {
            format!("<p><a href=\"/incidents/{}\">{}</a></p>", esc(&i.id), Text::OpenIncident.text(l))
        });
        respond(l, status, &title, &(body + &link))
    }

    /// A time in the reader's zone, with the zone's abbreviation.
    fn when(&self, epoch_secs: i64) -> String {
        let pattern = match self.locale {
            Locale::Ja => "%m/%d %H:%M %Z",
            Locale::En => "%b %d %H:%M %Z",
        };
        app::zone::format_in(app::zone::instant(epoch_secs), &self.zone, pattern)
    }

    fn name<'a>(&'a self, alias: &'a str) -> &'a str {
        self.names.of(alias)
    }

    fn names(&self, aliases: &[String]) -> String {
        self.names.list(aliases, self.locale)
    }

    /// Impact and when it started, then the summary (the incident's, or what the sender wrote).
    fn facts(&self) -> String {
        let l = self.locale;
        let (meta, summary) = match &self.incident {
            Some(i) => (
                format!(
                    "{} {} · {} {}",
                    Text::Impact.text(l),
                    i.impact,
                    Text::Started.text(l),
                    esc(&self.when(i.created_at))
                ),
                &i.summary,
            ),
            None => (
                format!("{} {}", Text::Started.text(l), esc(&self.when(self.engagement.started_at))),
                &self.engagement.content,
            ),
        };
        let summary = if summary.is_empty() {
            String::new()
        } else {
            format!("<p data-testid=\"ack-summary\">{}</p>", crate::engine::messages::lines_html(summary))
        };
        format!("<p class=\"meta\">{meta}</p>{summary}")
    }

    /// The button (and what pressing it does, when that can be told), or what already happened.
    fn action(&self, standing: &Standing) -> (StatusCode, String) {
        let l = self.locale;
        match standing {
            Standing::Open => {
                let consequence = match self.engagement.ack_stops(&self.link.page_id, self.engaged.as_ref()) {
                    Some(true) => Text::StopsEscalation,
                    Some(false) => Text::GoesOnAfterAck,
                    None => Text::TellsTeam,
                };
                (
                    StatusCode::OK,
                    format!(
                        "<form method=\"post\"><button type=\"submit\" data-testid=\"ack-button\">{}</button></form>\
                         <p class=\"meta\" data-testid=\"ack-consequence\">{}</p>",
                        Text::Acknowledge.text(l),
                        consequence.text(l)
                    ),
                )
            }
            Standing::Acknowledged { by, at } => {
                let text =
                    Text::AcknowledgedBy.text(l).replace("{who}", self.name(by)).replace("{when}", &self.when(*at));
                (StatusCode::OK, format!("<p class=\"done\" data-testid=\"ack-done\">{}</p>", esc(&text)))
            }
            Standing::Ended => (
                StatusCode::GONE,
                format!(
                    "<p class=\"gone\" data-testid=\"ack-ended\">{}</p><p>{}</p>",
                    Text::Ended.text(l),
                    Text::WhatInstead.text(l)
                ),
            ),
        }
    }

    /// Everyone paged so far, and whether they acknowledged.
    fn engaged(&self) -> String {
        let l = self.locale;
        let items: Vec<String> = self
            .engagement
            .pages
            .iter()
            .map(|p| {
                let state = match p.read_at {
                    Some(at) => format!("{} {}", Text::AckedAt.text(l), self.when(at)),
                    None => format!("{} {}", Text::PagedAt.text(l), self.when(p.sent_at)),
                };
                let me = if p.id == self.link.page_id { Text::You.text(l) } else { "" };
                format!("<li><b>{}</b>{me} — {}</li>", esc(self.name(&p.contact)), esc(&state))
            })
            .collect();
        format!("<h2>{}</h2><ul>{}</ul>", Text::Engaged.text(l), items.concat())
    }

    /// Where the escalation stands, as the engagement says now; and, for someone who
    /// acknowledged while others are still to be paged, the way to stop that.
    fn standing(&self, standing: &Standing, now: i64) -> String {
        let l = self.locale;
        let e = &self.engagement;
        let ahead = e.ahead(self.engaged.as_ref(), now);
        let text = match &ahead {
            Ahead::Stopped => self.stopped_text(),
            _ if now >= self.link.expires_at => Text::Ended.text(l).to_owned(),
            Ahead::NextStage { at, targets } => {
                Text::NextStageAt.text(l).replace("{who}", &self.names(targets)).replace("{when}", &self.when(*at))
            }
            Ahead::StillPaging { people } => Text::StillPaging.text(l).replace("{who}", &self.names(people)),
            Ahead::Nothing => Text::NothingMore.text(l).to_owned(),
        };
        let acknowledged_here = e.pages.iter().any(|p| p.id == self.link.page_id && p.read_at.is_some());
        let goes_on = matches!(ahead, Ahead::NextStage { .. } | Ahead::StillPaging { .. });
        let stop = (acknowledged_here && goes_on && !matches!(standing, Standing::Ended)).then(|| {
            format!(
                "<form method=\"post\"><input type=\"hidden\" name=\"action\" value=\"stop\">\
                 <button type=\"submit\" class=\"secondary\" data-testid=\"ack-stop\">{}</button></form>",
                Text::StopOthers.text(l)
            )
        });
        format!("<p class=\"standing\" data-testid=\"ack-standing\">{}</p>{}", esc(&text), stop.unwrap_or_default())
    }

    /// Why it stopped, in the reader's language where the console wrote the reason.
    fn stopped_text(&self) -> String {
        let l = self.locale;
        let reason = self.engagement.stop_reason.as_deref().unwrap_or_default();
        match StopReason::parse(reason) {
            StopReason::AcknowledgedBy(by) => Text::StoppedByAck.text(l).replace("{who}", self.name(by)),
            StopReason::StoppedBy(by) => Text::StoppedByOther.text(l).replace("{who}", self.name(by)),
            StopReason::IncidentResolved | StopReason::Other(_) => Text::EscalationStopped.text(l).to_owned(),
        }
    }
}

fn page(locale: Locale, status: StatusCode, heading: Text, detail: &str) -> Response {
    let title = heading.text(locale);
    let body = format!("<h1>{}</h1><p>{}</p>", esc(title), esc(detail));
    respond(locale, status, title, &body)
}

const STYLE: &str = "body{margin:0;font:17px/1.5 system-ui,-apple-system,'Hiragino Sans','Noto Sans CJK JP',sans-serif;\
color:#111;background:#f4f5f7}main{max-width:34rem;margin:0 auto;padding:1.2rem}h1{font-size:1.35rem;margin:.2rem 0 .4rem}\
h2{font-size:1rem;margin:1.4rem 0 .3rem}.meta{color:#444;font-size:.95rem}ul{padding-left:1.2rem;margin:.3rem 0}\
button{display:block;width:100%;min-height:3.6rem;margin:1.2rem 0 .4rem;border:0;border-radius:.6rem;background:#b91c1c;\
color:#fff;font-size:1.3rem;font-weight:700}button:focus{outline:3px solid #1d4ed8;outline-offset:2px}\
.done{background:#dcfce7;color:#14532d;border-radius:.6rem;padding:1rem;font-weight:700;font-size:1.1rem}\
.gone{background:#fef3c7;color:#78350f;border-radius:.6rem;padding:1rem;font-weight:700}a{color:#1d4ed8}\
.standing{font-weight:600}button.secondary{min-height:3rem;margin:.4rem 0;background:#fff;color:#111;border:2px solid #444;\
font-size:1.05rem}";

fn respond(locale: Locale, status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><meta name=\"robots\" content=\"noindex\">\
         <title>{}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>",
        locale.code(),
        esc(title)
    );
    let mut res = (status, html).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    res
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The page's words, in both languages.
#[derive(Clone, Copy, Debug)]
enum Text {
    Acknowledge,
    StopsEscalation,
    AcknowledgedBy,
    Ended,
    WhatInstead,
    Unknown,
    Unavailable,
    Forbidden,
    TooMany,
    Impact,
    Started,
    Engaged,
    PagedAt,
    AckedAt,
    You,
    EscalationStopped,
    OpenIncident,
    GoesOnAfterAck,
    TellsTeam,
    NextStageAt,
    StillPaging,
    NothingMore,
    StopOthers,
    StoppedByAck,
    StoppedByOther,
}

impl Text {
    fn text(self, l: Locale) -> &'static str {
        let (en, ja) = match self {
            Text::Acknowledge => ("Acknowledge", "対応する"),
            Text::StopsEscalation => (
                "Pressing it stops the escalation: nobody else is paged.",
                "押すとエスカレーションが止まり、次の人は呼び出されません。",
            ),
            Text::AcknowledgedBy => ("Acknowledged by {who} at {when}.", "{who} が {when} に対応済みです。"),
            Text::GoesOnAfterAck => (
                "Pressing it tells the team you are on it; the escalation goes on (you can then stop it).",
                "押すと対応中であることが伝わります。エスカレーションは続きます（その後止められます）。",
            ),
            Text::TellsTeam => ("Pressing it tells the team you are on it.", "押すと対応中であることが伝わります。"),
            Text::NextStageAt => (
                "The escalation goes on: {who} will be paged at {when}.",
                "エスカレーションは続いています: {when} に {who} が呼び出されます。",
            ),
            Text::StillPaging => (
                "The escalation goes on: {who} are still paged until they acknowledge.",
                "エスカレーションは続いています: {who} は対応するまで呼び出され続けます。",
            ),
            Text::NothingMore => ("Nobody else is due to be paged.", "ほかに呼び出される人はいません。"),
            Text::StopOthers => ("Stop paging the others", "ほかの人の呼び出しを止める"),
            Text::StoppedByAck => (
                "The escalation has stopped ({who} acknowledged): nobody else is paged.",
                "エスカレーションは止まりました（{who} が対応）。ほかの人は呼び出されません。",
            ),
            Text::StoppedByOther => (
                "The escalation was stopped by {who}: nobody else is paged.",
                "{who} がエスカレーションを止めました。ほかの人は呼び出されません。",
            ),
            Text::Ended => {
                ("This link has expired: the page is over.", "このリンクは期限切れです（呼び出しは終了しています）。")
            }
            Text::WhatInstead => (
                "Sign in to the console to see the incident, or call the incident lead.",
                "コンソールにサインインしてインシデントを確認するか、インシデントの責任者に電話してください。",
            ),
            Text::Unknown => ("This link is not valid.", "このリンクは無効です。"),
            Text::Unavailable => ("The console cannot answer right now.", "現在コンソールが応答できません。"),
            Text::Forbidden => {
                ("This form must be sent from its own page.", "このフォームは元のページから送信してください。")
            }
            Text::TooMany => {
                ("Too many requests; try again in a minute.", "リクエストが多すぎます。1分後にもう一度お試しください。")
            }
            Text::Impact => ("Impact", "影響度"),
            Text::Started => ("started", "開始"),
            Text::Engaged => ("Who is paged", "呼び出し中の人"),
            Text::PagedAt => ("paged", "呼び出し"),
            Text::AckedAt => ("acknowledged", "対応済み"),
            Text::You => (" (you)", "（あなた）"),
            Text::EscalationStopped => (
                "The escalation has stopped: nobody else is paged.",
                "エスカレーションは止まりました。ほかの人は呼び出されません。",
            ),
            Text::OpenIncident => ("Open the incident (sign-in required)", "インシデントを開く（サインインが必要）"),
        };
        match l {
            Locale::En => en,
            Locale::Ja => ja,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limiter_counts_per_key_and_minute() {
        let l = Limiter::default();
        assert!((0..3).all(|_| l.allow("a".into(), 3, 120)));
        assert!(!l.allow("a".into(), 3, 130));
        assert!(l.allow("b".into(), 3, 130));
        assert!(l.allow("a".into(), 3, 180), "a new minute");
    }
}
