//! Rotations: one rotation with its calendar, editing with a version check, overrides, roster
//! history and restore, shift swaps and calendar feeds. Works over either backend; the history,
//! swaps and feeds are kept by the console itself. Everything but the editor's save is a plain
//! form post.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::auth::Role;
use crate::domain::roster::RosterVersion;
use crate::domain::rotation::Override;
#[cfg(feature = "ssr")]
use crate::domain::rotation_form::RotationForm;
use crate::domain::timezone::parse_local_minute;
use crate::error::{AppError, FieldError};
use crate::i18n::Msg;
#[cfg(feature = "ssr")]
use crate::model::rotations::OverrideSpan;
#[cfg(feature = "ssr")]
use crate::model::rotations::SwapRequest;
use crate::model::rotations::{EditorData, FeedKind, RotationPageData, SwapView};

/// Longest calendar window one call returns.
pub const MAX_WINDOW_DAYS: u32 = 92;

fn invalid(field: &str, msg: Msg) -> AppError {
    AppError::Invalid(vec![FieldError::new(field, msg)])
}

/// How far ahead the override form's shift list reaches.
#[cfg(feature = "ssr")]
const UPCOMING_DAYS: i64 = 35;

/// A shift picked from a list: `<start>/<end>` in epoch seconds.
pub fn parse_shift_choice(value: &str) -> Option<(i64, i64)> {
    let (start, end) = value.trim().split_once('/')?;
    Some((start.parse().ok()?, end.parse().ok()?))
}

/// An override as the form gives it: a picked shift, or a typed range in the rotation's `zone`.
pub fn override_from_form(
    zone: &str,
    shift: Option<&str>,
    start: Option<&str>,
    end: Option<&str>,
    who: &str,
) -> Result<Override, AppError> {
    let (start, end) = if let Some(choice) = shift.filter(|s| !s.trim().is_empty()) {
        parse_shift_choice(choice).ok_or_else(|| invalid("shift", Msg::ErrStartTime))?
    } else {
        let parse = |v: Option<&str>| v.and_then(|v| parse_local_minute(v, zone)).map(|t| t.timestamp());
        match (parse(start), parse(end)) {
            (Some(s), Some(e)) => (s, e),
            (None, _) => return Err(invalid("start", Msg::ErrStartTime)),
            (_, None) => return Err(invalid("end", Msg::ErrStartTime)),
        }
    };
    if who.trim().is_empty() {
        return Err(invalid("members", Msg::ErrOverrideMember));
    }
    let at = |t: i64| chrono::DateTime::from_timestamp(t, 0).unwrap_or_default();
    Ok(Override { start: at(start), end: at(end), members: vec![who.trim().to_owned()] })
}

/// Everyone who can be on a rotation.
#[cfg(feature = "ssr")]
async fn people(s: &crate::ports::Services) -> Result<Vec<crate::model::rotations::Person>, AppError> {
    Ok(s.backend
        .contacts()
        .await?
        .into_iter()
        .filter(|c| c.contact.kind == crate::domain::contact::ContactType::Personal)
        .map(|c| crate::model::rotations::Person { alias: c.contact.alias, name: c.contact.display_name })
        .collect())
}

/// The rotation with its shifts for `days` days from `offset_days` days after yesterday (the
/// window starts a day early so that every zone's first day is complete).
#[server(endpoint = "rotation_page")]
pub async fn rotation_page(id: String, offset_days: i64, days: u32) -> Result<RotationPageData, AppError> {
    crate::api::ssr::serve(Role::Viewer, |user, s| async move {
        let detail = s.backend.rotation(&id).await?;
        let now = s.clock.now().timestamp();
        let from = now - 86_400 + offset_days.clamp(-3660, 3660) * 86_400;
        let to = from + i64::from(days.clamp(1, MAX_WINDOW_DAYS)) * 86_400;
        let people = people(&s).await?;
        let unreachable = unreachable_soon(&s, &id, now).await?;
        // The shortcut offers whole shifts: the one cut at the horizon is left to a typed range.
        let horizon = now + UPCOMING_DAYS * 86_400;
        let mut upcoming = s.backend.rotation_shifts(&id, now, horizon).await?;
        upcoming.retain(|s| s.end.timestamp() < horizon && s.end > s.start);
        let replaced = replaced_by_overrides(&s, &detail).await?;
        Ok(RotationPageData {
            unreachable,
            upcoming,
            replaced,
            shifts: s.backend.rotation_shifts(&id, from, to).await?,
            swaps: s.swaps.list(&id).await?,
            detail,
            people,
            from,
            to,
            now,
            me: user.contact,
            role: user.role,
        })
    })
    .await
}

/// For each override, the people its shifts displace (read in one call over all of them:
/// overrides never overlap, so a displaced shift belongs to the one override it lies in).
#[cfg(feature = "ssr")]
async fn replaced_by_overrides(
    s: &crate::ports::Services,
    detail: &crate::model::rotations::RotationDetail,
) -> Result<Vec<(String, Vec<String>)>, AppError> {
    use crate::domain::rotation::ShiftKind;
    let spans = detail.overrides.iter().map(|o| (o.value.start.timestamp(), o.value.end.timestamp()));
    let (Some(from), Some(to)) = (spans.clone().map(|s| s.0).min(), spans.map(|s| s.1).max()) else {
        return Ok(Vec::new());
    };
    let shifts = s.backend.rotation_shifts(&detail.id, from, to).await?;
    Ok(detail
        .overrides
        .iter()
        .map(|o| {
            let mut who: Vec<String> = Vec::new();
            for s in shifts.iter().filter(|s| s.start < o.value.end && o.value.start < s.end) {
                if let ShiftKind::Overridden { displaced } = &s.kind {
                    for d in displaced {
                        if !who.contains(d) {
                            who.push(d.clone());
                        }
                    }
                }
            }
            (o.id.clone(), who)
        })
        .collect())
}

/// Members on call in the next 7 days with no working channel, each with their first shift's
/// start (or now, if on call now).
#[cfg(feature = "ssr")]
async fn unreachable_soon(s: &crate::ports::Services, id: &str, now: i64) -> Result<Vec<(String, i64)>, AppError> {
    use crate::api::people::ssr::health;
    use crate::model::people::ChannelHealth;
    const WEEK: i64 = 7 * 86_400;
    let shifts = s.backend.rotation_shifts(id, now, now + WEEK).await?;
    let contacts = s.backend.contacts().await?;
    let deliveries = s.backend.deliveries(500).await?;
    let mut out: Vec<(String, i64)> = Vec::new();
    for shift in &shifts {
        for member in &shift.members {
            if out.iter().any(|(m, _)| m == member) {
                continue;
            }
            let channels =
                contacts.iter().find(|c| &c.contact.alias == member).map(|c| c.channels.as_slice()).unwrap_or_default();
            let working =
                channels.iter().any(|c| matches!(health(c, &deliveries, s.gateways), ChannelHealth::Working { .. }));
            if !working {
                out.push((member.clone(), shift.start.timestamp().max(now)));
            }
        }
    }
    Ok(out)
}

/// The rotation as the editor starts from it (also after someone else saved); a blank one in
/// the viewer's zone when `id` is empty (a new rotation).
#[server(endpoint = "rotation_editor")]
pub async fn rotation_editor(id: String) -> Result<EditorData, AppError> {
    let zone = crate::zone::viewer_zone(crate::i18n::current_locale());
    crate::api::ssr::serve(Role::Manager, |_, s| async move {
        let people = people(&s).await?;
        if id.is_empty() {
            let now = s.clock.now();
            let form = RotationForm::blank(&zone, now);
            let overrides = Vec::new();
            return Ok(EditorData { id, form, definition_version: 0, overrides, people, now: now.timestamp() });
        }
        let detail = s.backend.rotation(&id).await?;
        Ok(EditorData {
            form: RotationForm::of(&detail.name, &detail.rotation),
            id: detail.id,
            definition_version: detail.definition_version,
            overrides: detail
                .overrides
                .into_iter()
                .map(|o| OverrideSpan {
                    start: o.value.start.timestamp(),
                    end: o.value.end.timestamp(),
                    members: o.value.members,
                })
                .collect(),
            people,
            now: s.clock.now().timestamp(),
        })
    })
    .await
}

/// Saves the editor's form, an edit that started from definition version `base`; creates the
/// rotation when `id` is empty (and its page opens next). The fields are parsed as the browser's
/// preview parses them; a problem is reported against its field.
#[server(endpoint = "rotation_save")]
pub async fn save_rotation(
    id: String,
    base: u32,
    name: String,
    members: String,
    start: String,
    time_zone: String,
    kind: String,
    times: String,
    multiplier: String,
    number_on_call: String,
    coverage: String,
) -> Result<u32, AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move {
        let form = RotationForm {
            members: RotationForm::members_from_text(&members),
            name,
            start,
            time_zone,
            kind,
            times,
            multiplier,
            number_on_call,
            coverage,
        };
        let rotation = form.parse().map_err(AppError::Invalid)?;
        if id.is_empty() {
            let id = s.backend.create_rotation(&user, form.name.trim(), rotation).await?;
            leptos_axum::redirect(&crate::paths::rotation_path(&id));
            return Ok(1);
        }
        s.backend.update_rotation(&user, &id, base, form.name.trim(), rotation).await
    })
    .await
}

#[server(endpoint = "rotation_history")]
pub async fn rotation_history(id: String) -> Result<Vec<RosterVersion>, AppError> {
    crate::api::ssr::serve(Role::Viewer, |_, s| async move { Ok(s.backend.roster(&id).await?.versions) }).await
}

#[server(endpoint = "rotation_restore")]
pub async fn restore_rotation(id: String, version: u32, base: u32) -> Result<u32, AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move {
        s.backend.restore_rotation(&user, &id, version, base).await
    })
    .await
}

/// Creates an override from a picked shift or a typed range (in the rotation's zone). People who
/// are not members yet are added to the end of the member list first (a definition change made
/// from `base`) when `add_member` is ticked.
#[server(endpoint = "rotation_add_override")]
pub async fn add_override(
    rotation_id: String,
    base: u32,
    who: String,
    shift: Option<String>,
    start: Option<String>,
    end: Option<String>,
    add_member: Option<String>,
) -> Result<String, AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move {
        let detail = s.backend.rotation(&rotation_id).await?;
        let value =
            override_from_form(&detail.rotation.time_zone, shift.as_deref(), start.as_deref(), end.as_deref(), &who)?;
        // Overlapping overrides would silently cut each other short: refused, in both backends.
        if detail.overrides.iter().any(|o| o.value.overlaps(&value)) {
            return Err(invalid("start", Msg::ErrOverrideOverlaps));
        }
        let missing: Vec<String> =
            value.members.iter().filter(|m| !detail.rotation.members.contains(m)).cloned().collect();
        if !missing.is_empty() {
            if add_member.is_none() {
                return Err(invalid("members", Msg::ErrOverrideMember));
            }
            let mut rotation = detail.rotation.clone();
            rotation.members.extend(missing);
            s.backend.update_rotation(&user, &rotation_id, base, &detail.name, rotation).await?;
        }
        s.backend.add_override(&user, &rotation_id, value).await
    })
    .await
}

#[server(endpoint = "rotation_delete_override")]
pub async fn delete_override(rotation_id: String, override_id: String) -> Result<(), AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move {
        s.backend.delete_override(&user, &rotation_id, &override_id).await
    })
    .await
}

#[server(endpoint = "rotation_swap_approval")]
pub async fn set_swap_approval(rotation_id: String, required: bool) -> Result<(), AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move {
        s.backend.set_swap_approval(&user, &rotation_id, required).await
    })
    .await
}

/// A responder offers their shift (`shift`, `<start>/<end>`) to `other`, or asks to take
/// someone else's shift (then `other` is not needed).
#[server(endpoint = "swap_request")]
pub async fn request_swap(rotation_id: String, shift: String, other: Option<String>) -> Result<String, AppError> {
    crate::api::ssr::serve(Role::Responder, |user, s| async move {
        let me = user.contact.clone().ok_or_else(|| invalid("shift", Msg::ErrSwapNotLinked))?;
        let (start, end) = parse_shift_choice(&shift).ok_or_else(|| invalid("shift", Msg::ErrSwapShift))?;
        let shifts = s.backend.rotation_shifts(&rotation_id, start, end).await?;
        let picked = shifts
            .iter()
            .find(|x| x.start.timestamp() == start && x.end.timestamp() == end && !x.members.is_empty())
            .ok_or_else(|| invalid("shift", Msg::ErrSwapShift))?;
        let (from, to) = if picked.members.contains(&me) {
            let other = other.filter(|o| !o.trim().is_empty()).ok_or_else(|| invalid("other", Msg::ErrRequired))?;
            (me, other)
        } else {
            (picked.members[0].clone(), me)
        };
        s.swaps.request(&user, SwapRequest { rotation_id, start, end, from, to }).await
    })
    .await
}

/// The other person accepts or declines.
#[server(endpoint = "swap_answer")]
pub async fn answer_swap(id: String, accept: bool) -> Result<SwapView, AppError> {
    crate::api::ssr::serve(Role::Responder, |user, s| async move { s.swaps.answer(&user, &id, accept).await }).await
}

/// A manager approves or rejects an accepted swap (rotations that ask for approval).
#[server(endpoint = "swap_approve")]
pub async fn approve_swap(id: String, approve: bool) -> Result<SwapView, AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move { s.swaps.approve(&user, &id, approve).await }).await
}

/// A new secret feed URL of the caller's own for a rotation or a person; the caller's previous
/// URL for it stops working. Feeds end when their user is disabled.
#[server(endpoint = "feed_regenerate")]
pub async fn regenerate_feed(kind: FeedKind, subject: String) -> Result<String, AppError> {
    crate::api::ssr::serve(Role::Viewer, |user, s| async move {
        let path = s.feeds.regenerate(&user, kind, &subject).await?;
        Ok(format!("{}{path}", s.base_url))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_come_from_a_picked_shift_or_a_typed_range() {
        let o = override_from_form("Asia/Tokyo", Some("100/200"), None, None, "kim").unwrap();
        assert_eq!((o.start.timestamp(), o.end.timestamp(), o.members), (100, 200, vec!["kim".to_owned()]));
        let typed =
            override_from_form("Asia/Tokyo", Some(""), Some("2026-11-24T18:30"), Some("2026-11-24T20:30"), "kim")
                .unwrap();
        assert_eq!(typed.start.timestamp(), 1_795_512_600);
        assert_eq!(typed.end.timestamp(), 1_795_512_600 + 7200);
        let e = override_from_form("UTC", None, Some("x"), Some("2026-11-24T20:30"), "kim").unwrap_err();
        assert_eq!(e.field("start"), Some(Msg::ErrStartTime));
        let e = override_from_form("UTC", Some("100/200"), None, None, " ").unwrap_err();
        assert_eq!(e.field("members"), Some(Msg::ErrOverrideMember));
    }
}
