//! `/me`: a signed-in person's own pages (acknowledge the open ones with one tap), their recent
//! pages, their next shifts and the language their pages come in. Phone first; plain forms.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::me::{AcknowledgeMyPage, SetMyLanguage, StopPagingOthers, load_my_pages};
use crate::forms::{FormErrors, PostForm, saved_note};
use crate::i18n::{Locale, Msg};
use crate::model::me::{MyOverview, MyPage, MyShift};
use crate::model::oncall::Ahead;
use crate::pages::common::loaded;
use crate::zone::{When, viewer_zone};

#[component]
pub fn MePage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let overview = Resource::new(|| (), |()| load_my_pages());
    let ack_errors = FormErrors::of(AcknowledgeMyPage::PATH, locale).summary("ack-error");
    let stop_errors = FormErrors::of(StopPagingOthers::PATH, locale).summary("stop-error");
    let stopped = crate::forms::outcome::<()>(StopPagingOthers::PATH).filter(|o| o.result.is_ok()).map(|_| {
        view! { <p class="ok" role="status" data-testid="me-stopped">{Msg::StoppedOthers.text(locale)}</p> }
    });
    view! {
        <section class="card me">
            <h1>{Msg::MyPages.text(locale)}</h1>
            {ack_errors}
            {stop_errors}
            {stopped}
            {loaded(overview, move |o| view! { <Overview overview=o /> })}
        </section>
    }
}

#[component]
fn Overview(overview: MyOverview) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    if overview.contact.is_none() {
        return view! { <p data-testid="me-not-linked">{t(Msg::ErrSwapNotLinked)}</p> }.into_any();
    }
    let open = if overview.open.is_empty() {
        view! { <p class="meta" data-testid="me-nothing-open">{t(Msg::NothingWaiting)}</p> }.into_any()
    } else {
        view! {
            <ul class="cards" data-testid="me-open">
                {overview.open.into_iter().map(|p| view! { <PageItem page=p /> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <h2>{t(Msg::WaitingForYou)}</h2>
        {open}
        <h2>{t(Msg::NextShifts)}</h2>
        <Shifts shifts=overview.shifts />
        <h2>{t(Msg::RecentPages)}</h2>
        {if overview.recent.is_empty() {
            view! { <p class="meta" data-testid="me-no-recent">{t(Msg::NoRecentPages)}</p> }.into_any()
        } else {
            view! {
                <ul class="cards" data-testid="me-recent">
                    {overview.recent.into_iter().map(|p| view! { <PageItem page=p /> }).collect_view()}
                </ul>
            }
            .into_any()
        }}
        <LanguageForm chosen=overview.language />
    }
    .into_any()
}

#[component]
fn PageItem(page: MyPage) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let zone = viewer_zone(locale);
    let page_id = page.page_id.clone();
    let state = match (page.open, page.read_at) {
        (true, _) => view! {
            <PostForm action=AcknowledgeMyPage::PATH class="ack">
                <input type="hidden" name="page_id" value=page_id />
                <button type="submit" class="primary big" data-testid="me-ack">{t(Msg::AcknowledgePage)}</button>
            </PostForm>
        }
        .into_any(),
        (false, Some(at)) => view! {
            <p class="meta">{t(Msg::AcknowledgedAt)} " " <When at zone=zone.clone() /></p>
            {what_comes(&page, &zone, locale)}
        }
        .into_any(),
        (false, None) => view! { <p class="meta">{t(Msg::PageClosed)}</p> }.into_any(),
    };
    let incident = page
        .incident_id
        .clone()
        .map(|id| view! { <a href=crate::paths::incident_path(&id)>{t(Msg::NavIncidents)}</a> });
    view! {
        <li class="card-item" data-page=page.page_id.clone()>
            <strong>{crate::domain::incident::localized_subject(&page.subject, locale)}</strong>
            <p class="meta"><When at=page.sent_at zone /> " " {incident}</p>
            {state}
        </li>
    }
}

/// After an acknowledgement: whether the escalation stopped, or who is still paged and the way
/// to stop that. Said only from what the engagement shows now.
fn what_comes(page: &MyPage, zone: &str, locale: Locale) -> Option<AnyView> {
    let t = move |m: Msg| m.text(locale);
    let sep = if locale == Locale::Ja { "、" } else { ", " };
    let text = match page.ahead.as_ref()? {
        Ahead::Stopped => {
            return Some(
                view! { <p class="meta" data-testid="me-standing">{t(Msg::EscalationHasStopped)}</p> }.into_any(),
            );
        }
        Ahead::Nothing => return None,
        Ahead::NextStage { at, targets } => {
            let when = crate::zone::format_in(crate::zone::instant(*at), zone, "%Y-%m-%d %H:%M %Z");
            t(Msg::EscalationGoesOnNext).replace("{who}", &targets.join(sep)).replace("{when}", &when)
        }
        Ahead::StillPaging { people } => t(Msg::EscalationStillPaging).replace("{who}", &people.join(sep)),
    };
    let page_id = page.page_id.clone();
    Some(
        view! {
            <p class="standing" data-testid="me-standing">{text}</p>
            <PostForm action=StopPagingOthers::PATH class="ack">
                <input type="hidden" name="page_id" value=page_id />
                <button type="submit" data-testid="me-stop">{t(Msg::StopOthers)}</button>
            </PostForm>
        }
        .into_any(),
    )
}

#[component]
fn Shifts(shifts: Vec<MyShift>) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let zone = viewer_zone(locale);
    if shifts.is_empty() {
        return view! { <p class="meta">{Msg::NoShiftsSoon.text(locale)}</p> }.into_any();
    }
    view! {
        <ul data-testid="me-shifts">
            {shifts
                .into_iter()
                .map(|s| {
                    let href = format!("/rotations/{}", s.rotation_id);
                    view! {
                        <li>
                            <When at=s.start zone=zone.clone() /> " – " <When at=s.end zone=zone.clone() /> " "
                            <a href=href>{s.rotation}</a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn LanguageForm(chosen: Option<String>) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let errors = FormErrors::of(SetMyLanguage::PATH, locale);
    let chosen = chosen.as_deref().and_then(Locale::parse);
    view! {
        <h2>{t(Msg::PageLanguage)}</h2>
        {saved_note(SetMyLanguage::PATH, locale)}
        <PostForm action=SetMyLanguage::PATH class="inline" testid="me-language">
            <select name="language" aria-label=t(Msg::PageLanguage)>
                {chosen.is_none().then(|| view! { <option value="" selected>{t(Msg::LanguageNotChosen)}</option> })}
                <option value="ja" selected=chosen == Some(Locale::Ja)>"日本語"</option>
                <option value="en" selected=chosen == Some(Locale::En)>"English"</option>
            </select>
            <button type="submit">{t(Msg::Save)}</button>
            {errors.field("language")}
        </PostForm>
    }
}
