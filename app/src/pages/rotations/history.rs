//! Roster history: every version with what changed, restore for managers, and "who was on call
//! at T" answered on the server from the recorded versions.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

use super::shared::{describe, fmt, names, rotation_path};
use crate::api::rotations::{RestoreRotation, rotation_history, rotation_page};
use crate::auth::Role;
use crate::domain::roster::{Roster, RosterVersion, VersionKind};
use crate::domain::timezone::parse_local_minute;
use crate::error::AppError;
use crate::forms::{FormErrors, PostForm};
use crate::i18n::{Locale, Msg};
use crate::model::rotations::Person;
use crate::pages::common::{loaded, query_param};

#[component]
pub fn RotationHistoryPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let id = use_params_map().read_untracked().get("id").unwrap_or_default();
    let data = Resource::new(
        move || id.clone(),
        |id| async move {
            let page = rotation_page(id.clone(), 0, 1).await?;
            Ok::<_, AppError>((page, rotation_history(id).await?))
        },
    );
    view! {
        {loaded(data, move |(page, versions)| {
            let zone = page.detail.rotation.time_zone.clone();
            let manager = page.role >= Role::Manager;
            let base = page.detail.definition_version;
            let rows = versions
                .iter()
                .enumerate()
                .rev()
                .map(|(i, v)| {
                    let previous = i.checked_sub(1).map(|p| &versions[p]);
                    let changes = version_changes(previous, v, locale);
                    let restorable = manager && v.kind.changes_definition() && v.version != base;
                    let (rotation_id, number) = (page.detail.id.clone(), v.version);
                    view! {
                        <tr data-testid="version" data-version=v.version>
                            <td data-label=t(Msg::Version)>{v.version}</td>
                            <td data-label=t(Msg::SavedAt)>{fmt(v.saved_at, &zone, "%Y-%m-%d %H:%M %Z")}</td>
                            <td data-label=t(Msg::By)>{v.actor.clone()}</td>
                            <td data-label=t(Msg::Change)>
                                <strong>{kind_text(&v.kind, locale)}</strong>
                                <ul class="plain">{changes.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
                            </td>
                            <td>
                                {restorable.then(move || view! {
                                    <PostForm action=RestoreRotation::PATH class="inline">
                                        <input type="hidden" name="id" value=rotation_id />
                                        <input type="hidden" name="version" value=number />
                                        <input type="hidden" name="base" value=base />
                                        <button type="submit" data-testid="restore">{t(Msg::Restore)}</button>
                                    </PostForm>
                                })}
                            </td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <section class="card">
                    <h1>{t(Msg::History)} ": " {page.detail.name.clone()}</h1>
                    <p><a href=rotation_path(&page.detail.id)>{t(Msg::Calendar)}</a></p>
                    <WhoWasOnCall versions=versions.clone() zone=zone.clone() people=page.people.clone() />
                    {FormErrors::of(RestoreRotation::PATH, locale).summary("restore-error")}
                    <table data-testid="history" class="rows">
                        <thead><tr><th>{t(Msg::Version)}</th><th>{t(Msg::SavedAt)}</th><th>{t(Msg::By)}</th><th>{t(Msg::Change)}</th><th></th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </section>
            }
        })}
    }
}

fn kind_text(kind: &VersionKind, locale: Locale) -> String {
    match kind {
        VersionKind::Created => Msg::KindCreated.text(locale).to_owned(),
        VersionKind::Edited => Msg::KindEdited.text(locale).to_owned(),
        VersionKind::Restored { from } => format!("{} {from}", Msg::KindRestored.text(locale)),
        VersionKind::OverrideAdded { .. } => Msg::KindOverrideAdded.text(locale).to_owned(),
        VersionKind::OverrideRemoved { .. } => Msg::KindOverrideRemoved.text(locale).to_owned(),
        VersionKind::Observed => Msg::KindObserved.text(locale).to_owned(),
    }
}

/// "field: before → after" for every line of the definition that changed, or the override.
fn version_changes(previous: Option<&RosterVersion>, v: &RosterVersion, locale: Locale) -> Vec<String> {
    if let VersionKind::OverrideAdded { value, .. } = &v.kind {
        let zone = &v.rotation.time_zone;
        return vec![format!(
            "{} – {}: {}",
            fmt(value.start, zone, "%Y-%m-%d %H:%M"),
            fmt(value.end, zone, "%Y-%m-%d %H:%M"),
            value.members.join(", ")
        )];
    }
    let Some(previous) = previous else { return Vec::new() };
    let mut out: Vec<String> = describe(&previous.rotation, locale)
        .into_iter()
        .zip(describe(&v.rotation, locale))
        .filter(|(a, b)| a.1 != b.1)
        .map(|((label, before), (_, after))| format!("{}: {before} → {after}", label.text(locale)))
        .collect();
    if previous.name != v.name {
        out.insert(0, format!("{}: {} → {}", Msg::Name.text(locale), previous.name, v.name));
    }
    out
}

/// "Who was on call at T": a GET form answered from the recorded versions.
#[component]
fn WhoWasOnCall(versions: Vec<RosterVersion>, zone: String, people: Vec<Person>) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let asked = query_param("at");
    let answer = asked.as_deref().map(|v| match parse_local_minute(v, &zone) {
        Some(at) => names(&people, &Roster::new(versions).on_call_at(at), locale),
        None => Msg::ErrTimeFormat.text(locale).to_owned(),
    });
    view! {
        <form method="get" class="inline lookup" data-testid="lookup-form">
            <label>{t(Msg::WhoWasOnCall)} " (" {zone.clone()} ")"
                <input type="datetime-local" name="at" data-testid="lookup-at" value=asked.unwrap_or_default() required />
            </label>
            <button type="submit" data-testid="lookup-submit">{t(Msg::Lookup)}</button>
            <strong data-testid="lookup-result">{answer}</strong>
        </form>
    }
}
