//! Shift swaps: the list with the answers each viewer may give, the approval switch, and a
//! request form. All plain forms.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::shared::{fmt, names};
use crate::api::rotations::{AnswerSwap, ApproveSwap, RequestSwap, SetSwapApproval};
use crate::auth::Role;
use crate::forms::{FormErrors, PostForm};
use crate::i18n::{Locale, Msg};
use crate::model::rotations::{RotationPageData, SwapStatus, SwapView};
use crate::zone::instant;

fn swap_status(s: SwapStatus) -> Msg {
    match s {
        SwapStatus::Pending => Msg::SwapPending,
        SwapStatus::AwaitingApproval => Msg::SwapAwaiting,
        SwapStatus::Declined => Msg::SwapDeclined,
        SwapStatus::Rejected => Msg::SwapRejected,
        SwapStatus::Applied => Msg::SwapApplied,
    }
}

/// A form with one button that posts `field=value` about swap `id`.
fn swap_button(
    action: &'static str,
    id: &str,
    field: &'static str,
    value: bool,
    label: &'static str,
    testid: &'static str,
) -> impl IntoView + use<> {
    let id = id.to_owned();
    view! {
        <PostForm action class="inline">
            <input type="hidden" name="id" value=id />
            <input type="hidden" name=field value=value.to_string() />
            <button type="submit" data-testid=testid>{label}</button>
        </PostForm>
    }
}

#[component]
pub fn SwapsCard(page: RotationPageData) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let zone = page.detail.rotation.time_zone.clone();
    let me = page.me.clone();
    let manager = page.role >= Role::Manager;
    let rows = page
        .swaps
        .iter()
        .map(|s: &SwapView| {
            let mine_to_answer = me.as_deref() == Some(s.answerer()) && s.status == SwapStatus::Pending;
            let to_approve = manager && s.status == SwapStatus::AwaitingApproval;
            view! {
                <li data-testid="swap" data-status=s.status.as_str()>
                    {fmt(instant(s.start), &zone, "%m-%d %H:%M")} "–" {fmt(instant(s.end), &zone, "%m-%d %H:%M")} ": "
                    {names(&page.people, std::slice::from_ref(&s.from), locale)} " → " {names(&page.people, std::slice::from_ref(&s.to), locale)}
                    " · " <span data-testid="swap-status">{t(swap_status(s.status))}</span>
                    {mine_to_answer.then(|| view! {
                        " " {swap_button(AnswerSwap::PATH, &s.id, "accept", true, t(Msg::Accept), "swap-accept")}
                        " " {swap_button(AnswerSwap::PATH, &s.id, "accept", false, t(Msg::Decline), "swap-decline")}
                    })}
                    {to_approve.then(|| view! {
                        " " {swap_button(ApproveSwap::PATH, &s.id, "approve", true, t(Msg::Approve), "swap-approve")}
                        " " {swap_button(ApproveSwap::PATH, &s.id, "approve", false, t(Msg::Reject), "swap-reject")}
                    })}
                </li>
            }
        })
        .collect_view();
    let required = page.detail.swap_approval;
    let approval_id = page.detail.id.clone();
    let approval = manager.then(move || {
        let (state, change) = if required {
            (Msg::SwapApprovalOn, Msg::SwapApprovalTurnOff)
        } else {
            (Msg::SwapApprovalOff, Msg::SwapApprovalTurnOn)
        };
        view! {
            <PostForm action=SetSwapApproval::PATH class="inline">
                <input type="hidden" name="rotation_id" value=approval_id />
                <input type="hidden" name="required" value=(!required).to_string() />
                <span data-testid="swap-approval-state" data-required=required.to_string()>{t(state)}</span>
                <button type="submit" data-testid="swap-approval">{t(change)}</button>
            </PostForm>
        }
    });
    let errors = [AnswerSwap::PATH, ApproveSwap::PATH, RequestSwap::PATH, SetSwapApproval::PATH]
        .map(|path| FormErrors::of(path, locale))
        .into_iter()
        .find(|e| e.error.is_some())
        .map(|e| e.summary("swap-error"));
    let form =
        me.clone().filter(|_| page.role >= Role::Responder).map(|me| view! { <SwapForm page=page.clone() me /> });
    view! {
        <section class="card" data-testid="swaps">
            <h2>{t(Msg::SwapsHeading)}</h2>
            {approval}
            <ul class="plain">{rows}</ul>
            {errors}
            {form}
        </section>
    }
}

/// Shifts a linked responder can offer (theirs) or ask for (someone else's), and with whom.
#[component]
fn SwapForm(page: RotationPageData, me: String) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let zone = page.detail.rotation.time_zone.clone();
    let shifts = page
        .shifts
        .iter()
        .filter(|s| s.start.timestamp() > page.now && !s.members.is_empty())
        .map(|s| {
            view! {
                <option value=format!("{}/{}", s.start.timestamp(), s.end.timestamp())>
                    {fmt(s.start, &zone, "%m-%d %H:%M")} "–" {fmt(s.end, &zone, "%m-%d %H:%M")} " " {names(&page.people, &s.members, locale)}
                </option>
            }
        })
        .collect_view();
    let others = page
        .detail
        .rotation
        .members
        .iter()
        .filter(|m| **m != me)
        .map(|m| view! { <option value=m.clone()>{names(&page.people, std::slice::from_ref(m), locale)}</option> })
        .collect_view();
    let rotation_id = page.detail.id.clone();
    view! {
        <PostForm action=RequestSwap::PATH class="grid-form" testid="swap-form">
            <input type="hidden" name="rotation_id" value=rotation_id />
            <p class="meta">{t(Msg::SwapHowTo)}</p>
            <label>{t(Msg::Shift)}
                <select name="shift" data-testid="swap-shift" required>
                    <option value="">"—"</option>
                    {shifts}
                </select>
            </label>
            <label>{t(Msg::OfferShift)}
                <select name="other" data-testid="swap-other">
                    <option value="">"—"</option>
                    {others}
                </select>
            </label>
            <button type="submit" data-testid="swap-submit">{t(Msg::RequestShift)}</button>
        </PostForm>
    }
}
