//! Overrides: the list (delete for managers) and a form filled by picking a shift or typing a range.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::shared::{fmt, names};
use crate::api::rotations::{AddOverride, DeleteOverride};
use crate::auth::Role;
use crate::forms::{FormErrors, PostForm, done_note, outcome};
use crate::i18n::{Locale, Msg};
use crate::model::rotations::RotationPageData;

#[component]
pub fn OverridesCard(page: RotationPageData) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let manager = page.role >= Role::Manager;
    let zone = page.detail.rotation.time_zone.clone();
    let list = page
        .detail
        .overrides
        .iter()
        .map(|o| {
            let (rotation_id, override_id) = (page.detail.id.clone(), o.id.clone());
            // Whom it replaces, so nobody has to compare it with the calendar.
            let replaced = page.replaced.iter().find(|(id, _)| *id == o.id).map(|(_, who)| {
                let text = if who.is_empty() {
                    t(Msg::OverrideReplacesNobody).to_owned()
                } else {
                    t(Msg::OverrideReplaces).replace("{who}", &names(&page.people, who, locale))
                };
                view! { " " <span class="meta" data-testid="override-replaces">{text}</span> }
            });
            view! {
                <li data-testid="override" data-members=o.value.members.join(",")>
                    {fmt(o.value.start, &zone, "%Y-%m-%d %H:%M")} " – " {fmt(o.value.end, &zone, "%Y-%m-%d %H:%M %Z")} ": "
                    {names(&page.people, &o.value.members, locale)}
                    {replaced}
                    {manager.then(move || view! {
                        " "
                        <PostForm action=DeleteOverride::PATH class="inline">
                            <input type="hidden" name="rotation_id" value=rotation_id />
                            <input type="hidden" name="override_id" value=override_id />
                            <button type="submit" data-testid="delete-override">{t(Msg::Delete)}</button>
                        </PostForm>
                    })}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card" data-testid="overrides">
            <h2>{t(Msg::OverridesHeading)}</h2>
            {done_note(AddOverride::PATH, Msg::OverrideAdded, locale)}
            {done_note(DeleteOverride::PATH, Msg::OverrideDeleted, locale)}
            {FormErrors::of(DeleteOverride::PATH, locale).summary("delete-override-error")}
            <ul class="plain">{list}</ul>
            {manager.then(|| view! { <OverrideForm page=page.clone() /> })}
        </section>
    }
}

#[component]
fn OverrideForm(page: RotationPageData) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let errors = FormErrors::of(AddOverride::PATH, locale);
    let typed = outcome::<String>(AddOverride::PATH).filter(|o| o.result.is_err());
    let value = move |f: &str| typed.as_ref().and_then(|o| o.value(f)).unwrap_or_default();
    let zone = page.detail.rotation.time_zone.clone();
    let (rotation_id, base) = (page.detail.id.clone(), page.detail.definition_version);
    let picked = value("shift");
    let who = value("who");
    // Whole shifts of the next five weeks (a typed range covers any time).
    let shifts = page
        .upcoming
        .iter()
        .map(|s| {
            let choice = format!("{}/{}", s.start.timestamp(), s.end.timestamp());
            view! {
                <option value=choice.clone() selected=choice == picked>
                    {fmt(s.start, &zone, "%m-%d %H:%M")} "–" {fmt(s.end, &zone, "%m-%d %H:%M")} " " {names(&page.people, &s.members, locale)}
                </option>
            }
        })
        .collect_view();
    let people = page
        .people
        .iter()
        .map(|p| view! { <option value=p.alias.clone() selected=p.alias == who>{p.name.clone()}</option> })
        .collect_view();
    view! {
        <PostForm action=AddOverride::PATH class="grid-form" testid="override-form">
            <h3>{t(Msg::AddOverride)}</h3>
            <input type="hidden" name="rotation_id" value=rotation_id />
            <input type="hidden" name="base" value=base />
            <label>{t(Msg::Shift)}
                <select name="shift" data-testid="override-shift">
                    <option value="">{t(Msg::OrTypeRange)}</option>
                    {shifts}
                </select>
                {errors.field("shift")}
            </label>
            <label>{t(Msg::Starts)} " (" {zone.clone()} ")"
                <input type="datetime-local" name="start" data-testid="override-start" value=value("start") />
                {errors.field("start")}
            </label>
            <label>{t(Msg::Ends)} " (" {zone.clone()} ")"
                <input type="datetime-local" name="end" data-testid="override-end" value=value("end") />
                {errors.field("end")}
            </label>
            <label>{t(Msg::Replacement)}
                <select name="who" data-testid="override-who" required>
                    <option value="">"—"</option>
                    {people}
                </select>
                {errors.field("members")}
            </label>
            <label class="check">
                <input type="checkbox" name="add_member" data-testid="override-add-member" />
                {t(Msg::AddToRotationIfNeeded)}
            </label>
            {errors.summary("override-error")}
            <button type="submit" data-testid="override-submit">{t(Msg::AddOverride)}</button>
        </PostForm>
    }
}
