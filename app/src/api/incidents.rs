//! Running an incident from the console: declare one from a response plan, change its impact
//! and status, edit its summary (an edit begun from an older summary is refused), add notes and
//! page more people. Responders and managers act; everyone reads. Through the backend port, so
//! the same in both modes.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::auth::Role;
use crate::domain::review::ReviewForm;
use crate::error::AppError;
use crate::model::incidents::{AnalyticsPage, IncidentView, ReviewPage};

/// One incident with the alerts that opened or joined it, and whom it could page.
#[server(endpoint = "incidents_view")]
pub async fn load_incident(id: String) -> Result<IncidentView, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move { load_incident_view(&s, &id).await }).await
}

/// Declares an incident from `response_plan` (its engagements page people) and opens it. A
/// second submission of the same declaration within the minute gives the same incident.
#[server(endpoint = "incidents_declare")]
pub async fn declare_incident(
    response_plan: String,
    title: String,
    #[server(default)] impact: String,
    #[server(default)] summary: String,
) -> Result<String, AppError> {
    crate::api::ssr::serve(Role::Responder, |user, s| async move {
        use crate::domain::incident::{IncidentUpdate, validate_summary, validate_title};
        use crate::error::FieldError;
        use crate::i18n::Msg;
        let mut errors = Vec::new();
        if response_plan.trim().is_empty() {
            errors.push(FieldError::new("response_plan", Msg::ErrRequired));
        }
        validate_title(title.trim(), "title", &mut errors);
        validate_summary(summary.trim(), "summary", &mut errors);
        let impact = parse_impact(&impact, &mut errors);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let token = same_minute_token(s.clock.now(), &[&user.id.to_string(), response_plan.trim(), title.trim()]);
        let summary = Some(summary.trim().to_owned()).filter(|s| !s.is_empty());
        let start = crate::ports::IncidentStart {
            response_plan: response_plan.trim().to_owned(),
            title: Some(title.trim().to_owned()),
            summary: summary.clone(),
            impact,
            client_token: Some(token),
            source: None,
        };
        let id = s.backend.start_incident(&user, start).await?;
        // Incident Manager's start takes no summary; the local engine's pages already carry it.
        if let Some(summary) = summary
            && s.backend.incident_record(&id).await?.summary != summary
        {
            let update = IncidentUpdate { summary: Some(summary), ..IncidentUpdate::default() };
            s.backend.update_incident(&user, &id, update).await?;
        }
        leptos_axum::redirect(&crate::paths::incident_path(&id));
        Ok(id)
    })
    .await
}

/// Sets the impact (1–5) and the status (`open`, `resolved`).
#[server(endpoint = "incidents_update")]
pub async fn update_incident(id: String, impact: String, status: String) -> Result<(), AppError> {
    crate::api::ssr::serve(Role::Responder, |user, s| async move {
        use crate::domain::incident::{IncidentStatus, IncidentUpdate};
        use crate::error::FieldError;
        use crate::i18n::Msg;
        let mut errors = Vec::new();
        let impact = parse_impact(&impact, &mut errors);
        let status = match status.as_str() {
            "" => None,
            name => {
                let parsed = IncidentStatus::parse(name);
                if parsed.is_none() {
                    errors.push(FieldError::new("status", Msg::ErrRequired));
                }
                parsed
            }
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        s.backend.update_incident(&user, &id, IncidentUpdate { impact, status, ..IncidentUpdate::default() }).await
    })
    .await
}

/// Replaces the summary, if it is still `base` (the summary the edit began from).
#[server(endpoint = "incidents_summary")]
pub async fn edit_summary(id: String, base: String, summary: String) -> Result<(), AppError> {
    crate::api::ssr::serve(Role::Responder, |user, s| async move {
        use crate::domain::incident::IncidentUpdate;
        let mut errors = Vec::new();
        crate::domain::incident::validate_summary(summary.trim(), "summary", &mut errors);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let update = IncidentUpdate {
            summary: Some(summary.trim().to_owned()),
            summary_base: Some(base.trim().to_owned()),
            ..IncidentUpdate::default()
        };
        s.backend.update_incident(&user, &id, update).await
    })
    .await
}

#[server(endpoint = "incidents_note")]
pub async fn add_note(id: String, text: String) -> Result<String, AppError> {
    crate::api::ssr::serve(Role::Responder, |user, s| async move {
        s.backend.add_timeline_note(&user, &id, text.trim()).await
    })
    .await
}

/// Rewrites note `event` of incident `id`: its author (a responder) or a manager.
#[server(endpoint = "incidents_edit_note")]
pub async fn edit_note(id: String, event: String, text: String) -> Result<(), AppError> {
    crate::api::ssr::serve(Role::Responder, |user, s| async move {
        may_change_note(&s, &user, &id, &event).await?;
        s.backend.edit_timeline_note(&user, &id, &event, text.trim()).await
    })
    .await
}

/// Deletes note `event` of incident `id`: its author (a responder) or a manager.
#[server(endpoint = "incidents_delete_note")]
pub async fn delete_note(id: String, event: String) -> Result<(), AppError> {
    crate::api::ssr::serve(Role::Responder, |user, s| async move {
        may_change_note(&s, &user, &id, &event).await?;
        s.backend.delete_timeline_note(&user, &id, &event).await
    })
    .await
}

/// Links a related item (a URL with a title) to incident `id`.
#[server(endpoint = "incidents_add_link")]
pub async fn add_link(id: String, url: String, #[server(default)] title: String) -> Result<String, AppError> {
    crate::api::ssr::serve(Role::Responder, |user, s| async move {
        Ok(s.backend.add_related_link(&user, &id, &url, &title).await?.id)
    })
    .await
}

#[server(endpoint = "incidents_remove_link")]
pub async fn remove_link(id: String, link: String) -> Result<(), AppError> {
    crate::api::ssr::serve(
        Role::Responder,
        |user, s| async move { s.backend.remove_related_link(&user, &id, &link).await },
    )
    .await
}

/// Pages `contact` (a person, an on-call schedule or an escalation plan) for the incident. The
/// same request twice within the minute pages once.
#[server(endpoint = "incidents_page")]
pub async fn page_more(id: String, contact: String) -> Result<String, AppError> {
    crate::api::ssr::serve(Role::Responder, |user, s| async move {
        use crate::error::FieldError;
        use crate::i18n::Msg;
        let contact = contact.trim().to_owned();
        if contact.is_empty() {
            return Err(AppError::Invalid(vec![FieldError::new("contact", Msg::ErrRequired)]));
        }
        let incident = s.backend.incident(&id).await?.record;
        let start = crate::ports::EngagementStart {
            idempotency_token: Some(same_minute_token(s.clock.now(), &[&user.id.to_string(), &id, &contact])),
            contact,
            sender: user.display_name.clone(),
            subject: crate::domain::incident::page_subject(incident.impact, &incident.title),
            content: incident.summary.clone(),
            incident_id: Some(id),
        };
        s.backend.start_engagement(&user, start).await
    })
    .await
}

/// The incident with its review so far.
#[server(endpoint = "incidents_review")]
pub async fn load_review(id: String) -> Result<ReviewPage, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move {
        let view = load_incident_view(&s, &id).await?;
        let saved = s.reviews.review(&id).await?;
        Ok(ReviewPage { view, saved })
    })
    .await
}

/// Saves the review as typed, the version after `base` (0: the first); a stale base is refused.
#[server(endpoint = "incidents_save_review")]
pub async fn save_review(id: String, base: u32, #[server(default)] review: ReviewForm) -> Result<u32, AppError> {
    crate::api::ssr::serve(Role::Responder, |user, s| async move {
        let review = review.review().map_err(AppError::Invalid)?;
        s.backend.incident(&id).await?;
        s.reviews.save_review(&user, &id, base, review).await
    })
    .await
}

/// Analytics over the days `from`–`to` (the viewer's `zone`; the last 30 days when empty), with
/// `holidays` `jp` (Japan's public holidays, the default) or `none`.
#[server(endpoint = "incidents_analytics")]
pub async fn load_analytics(
    #[server(default)] from: String,
    #[server(default)] to: String,
    #[server(default)] holidays: String,
    #[server(default)] zone: String,
) -> Result<AnalyticsPage, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move {
        use crate::domain::analytics::{OnCallSpan, by_person, by_plan, by_rotation, japanese_holiday, on_call};
        use crate::error::FieldError;
        use crate::i18n::Msg;
        use crate::model::incidents::{DRILLS_SEARCHED, DrillResult, IncidentQuery, MAX_ANALYTICS_DAYS, period};
        let zone =
            if crate::domain::timezone::parse_time_zone(zone.trim()).is_some() { zone } else { "UTC".to_owned() };
        let today = s.clock.now();
        let day = |t: chrono::DateTime<chrono::Utc>| crate::zone::format_in(t, &zone, "%Y-%m-%d");
        let to = if to.trim().is_empty() { day(today) } else { to.trim().to_owned() };
        let from =
            if from.trim().is_empty() { day(today - chrono::Duration::days(29)) } else { from.trim().to_owned() };
        let query = IncidentQuery { from: from.clone(), to: to.clone(), ..IncidentQuery::default() };
        let (Some(start), Some(end)) = period(&query, &zone).map_err(AppError::Invalid)? else {
            return Err(AppError::Invalid(vec![FieldError::new("from", Msg::ErrActionDue)]));
        };
        if end <= start || end - start > MAX_ANALYTICS_DAYS * 86_400 {
            return Err(AppError::Invalid(vec![FieldError::new("to", Msg::ErrAnalyticsPeriod)]));
        }
        let holidays = if holidays == "none" { "none".to_owned() } else { "jp".to_owned() };
        let facts = s.backend.incident_facts(start, end).await?;
        let mut spans = Vec::new();
        // Hours on call are hours that happened: a period that runs into the future counts
        // today's shifts up to now.
        let now = today.timestamp();
        for r in s.backend.rotations().await? {
            for shift in s.backend.rotation_shifts(&r.id, start, end).await? {
                let until = shift.end.timestamp().min(now);
                if until <= shift.start.timestamp() {
                    continue;
                }
                for member in &shift.members {
                    spans.push(OnCallSpan {
                        contact: member.clone(),
                        rotation: r.name.clone(),
                        start: shift.start.timestamp(),
                        end: until,
                        zone: r.rotation.time_zone.clone(),
                    });
                }
            }
        }
        // A person's day is read in the zone of the rotation they are on call in, else the viewer's.
        let zone_of = |contact: &str| {
            spans.iter().find(|s| s.contact == contact).map_or_else(|| zone.clone(), |s| s.zone.clone())
        };
        let contacts = s.backend.contacts().await?;
        let mut drills = Vec::new();
        for record in s.drills.list(DRILLS_SEARCHED).await? {
            if (start..end).contains(&record.started_at) {
                let engagement = s.backend.engagement(&record.engagement_id).await?;
                drills.push(DrillResult::of(&crate::api::drills::drill_view(record, &engagement, &contacts)));
            }
        }
        drills.reverse();
        // Each day's holiday question answered once: every page and quarter hour asks it.
        let known = std::cell::RefCell::new(std::collections::HashMap::new());
        let holiday = |d: chrono::NaiveDate| {
            holidays == "jp" && *known.borrow_mut().entry(d).or_insert_with(|| japanese_holiday(d))
        };
        Ok(AnalyticsPage {
            from,
            to,
            incidents: facts.len(),
            plans: by_plan(&facts),
            people: by_person(&facts, &zone_of, &holiday),
            on_call: on_call(&spans, start, end, &holiday),
            rotations: by_rotation(&facts, &spans, start, end, &holiday),
            drills,
            holidays,
            names: contacts.into_iter().map(|v| (v.contact.alias, v.contact.display_name)).collect(),
        })
    })
    .await
}

#[cfg(feature = "ssr")]
async fn load_incident_view(s: &crate::ports::Services, id: &str) -> Result<IncidentView, AppError> {
    let detail = s.backend.incident(id).await?;
    let alerts = s.alerts.incident_alerts(id).await?;
    let all = s.backend.contacts().await?;
    let rosters = rosters_then(s, &detail, &all).await?;
    let deliveries = s.backend.incident_deliveries(&detail).await?;
    let links = s.backend.related_links(id).await?;
    let names = crate::domain::people::Names::new(
        all.iter().map(|c| (c.contact.alias.clone(), c.contact.display_name.clone())),
    );
    let contacts = all.into_iter().map(|c| c.contact.alias).collect();
    Ok(IncidentView { detail, alerts, contacts, deliveries, rosters, links, names })
}

/// Who was on call in each rotation the incident's engagements reached, from the recorded
/// roster: an on-call schedule engaged directly counts from the engagement's start; one in a
/// stage of an escalation plan from that stage's start, if the engagement got that far.
#[cfg(feature = "ssr")]
async fn rosters_then(
    s: &crate::ports::Services,
    detail: &crate::model::oncall::IncidentDetail,
    contacts: &[crate::model::oncall::ContactView],
) -> Result<Vec<crate::model::incidents::RosterAt>, AppError> {
    use crate::domain::contact::{ContactType, Target};
    use crate::domain::escalation::stage_starts;
    let find = |alias: &str| contacts.iter().find(|c| c.contact.alias == alias);
    let now = s.clock.now().timestamp();
    let mut reached: Vec<(i64, &crate::model::oncall::ContactView)> = Vec::new();
    for e in &detail.engagements {
        let Some(engaged) = find(&e.contact) else { continue };
        match engaged.contact.kind {
            ContactType::OncallSchedule => reached.push((e.started_at, engaged)),
            ContactType::Escalation => {
                let started = crate::zone::instant(e.started_at);
                let until = e.stopped_at.unwrap_or(now);
                for (_, at, stage) in stage_starts(&engaged.contact.plan, started) {
                    if at.timestamp() > until {
                        break;
                    }
                    for target in &stage.targets {
                        if let Target::Contact { contact_id, .. } = target
                            && let Some(c) = find(contact_id).filter(|c| c.contact.kind == ContactType::OncallSchedule)
                        {
                            reached.push((at.timestamp(), c));
                        }
                    }
                }
            }
            ContactType::Personal => {}
        }
    }
    if reached.is_empty() {
        return Ok(Vec::new());
    }
    let rotations = s.backend.rotations().await?;
    let mut out: Vec<crate::model::incidents::RosterAt> = Vec::new();
    for (at, schedule) in reached {
        for rotation_id in &schedule.contact.plan.rotation_ids {
            let shifts = s.backend.rotation_shifts(rotation_id, at, at + 1).await?;
            let members = shifts
                .into_iter()
                .find(|sh| sh.start.timestamp() <= at && at < sh.end.timestamp())
                .map(|sh| sh.members)
                .unwrap_or_default();
            let rotation =
                rotations.iter().find(|r| &r.id == rotation_id).map_or_else(|| rotation_id.clone(), |r| r.name.clone());
            let line = crate::model::incidents::RosterAt { at, rotation, members };
            if !out.contains(&line) {
                out.push(line);
            }
        }
    }
    Ok(out)
}

/// A note is changed by its author (a responder) or a manager: a responder rewriting someone
/// else's note would put words in their name. Where the backend does not know the author (an
/// Incident Manager event), only managers.
#[cfg(feature = "ssr")]
async fn may_change_note(
    s: &crate::ports::Services,
    user: &crate::auth::CurrentUser,
    id: &str,
    event: &str,
) -> Result<(), AppError> {
    if user.role >= Role::Manager {
        return Ok(());
    }
    let detail = s.backend.incident(id).await?;
    match detail.timeline.iter().find(|e| e.id == event) {
        // Not a note (the backend refuses that by field) or no such event: the backend says so.
        Some(e) if e.event_type != "custom" => Ok(()),
        None => Ok(()),
        Some(e) if e.created_by.as_deref() == Some(user.username.as_str()) => Ok(()),
        Some(_) => Err(AppError::Forbidden),
    }
}

/// An impact typed in a form: empty for none, else 1–5.
#[cfg(feature = "ssr")]
fn parse_impact(text: &str, errors: &mut Vec<crate::error::FieldError>) -> Option<u8> {
    match text.trim() {
        "" => None,
        t => {
            let impact = t.parse::<u8>().ok().filter(|i| (1..=5).contains(i));
            if impact.is_none() {
                errors.push(crate::error::FieldError::new("impact", crate::i18n::Msg::ErrImpact));
            }
            impact
        }
    }
}

/// An idempotency token from what was asked and the minute it was asked in: a double click
/// (or a retried post) does it once; the same request a minute later is a new one.
#[cfg(feature = "ssr")]
fn same_minute_token(now: chrono::DateTime<chrono::Utc>, parts: &[&str]) -> String {
    use std::hash::{Hash, Hasher};
    let minute = now.timestamp() / 60;
    // SipHash with fixed keys: the same on every replica running this build.
    let mut h = std::hash::DefaultHasher::new();
    parts.hash(&mut h);
    minute.hash(&mut h);
    format!("console-{minute}-{:016x}", h.finish())
}
