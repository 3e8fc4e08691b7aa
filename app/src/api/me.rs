//! "My pages": the signed-in person's pages, acknowledging one, their message language.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::auth::Role;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::error::FieldError;
#[cfg(feature = "ssr")]
use crate::i18n::{Locale, Msg};
use crate::model::me::MyOverview;

/// Pages shown per person (the open ones, then the most recent).
pub const MY_PAGES: u32 = 30;
/// How far ahead "your next shifts" looks.
pub const SHIFT_HORIZON_DAYS: i64 = 14;

#[server(endpoint = "me_overview")]
pub async fn load_my_pages() -> Result<MyOverview, AppError> {
    crate::api::ssr::serve(Role::Viewer, |actor, s| async move {
        let Some(contact) = actor.contact.clone() else {
            return Ok(MyOverview { contact: None, language: None, open: vec![], recent: vec![], shifts: vec![] });
        };
        let (open, mut recent): (Vec<_>, Vec<_>) =
            s.backend.pages_of(&contact, MY_PAGES).await?.into_iter().partition(|p| p.open);
        ssr::say_what_comes(&s, &mut recent).await?;
        let language = s.accounts.contact_language(&contact).await?.map(|l| l.code().to_owned());
        let shifts = ssr::next_shifts(&s, &contact).await?;
        Ok(MyOverview { contact: Some(contact), language, open, recent, shifts })
    })
    .await
}

/// Acknowledges one of the caller's own open pages.
#[server(endpoint = "me_acknowledge")]
pub async fn acknowledge_my_page(page_id: String) -> Result<(), AppError> {
    crate::api::ssr::serve(Role::Responder, |actor, s| async move {
        let page = ssr::my_page(&s, &actor, &page_id).await?;
        if !page.open {
            return Err(invalid("page_id", Msg::ErrPageClosed));
        }
        s.backend.accept_page_as_recipient(&page_id, &format!("in the console by {}", actor.username)).await
    })
    .await
}

/// After acknowledging one of their pages on a plan that goes on, the person stops the others
/// being paged (StopEngagement on their behalf, audited as theirs).
#[server(endpoint = "me_stop_paging")]
pub async fn stop_paging_others(page_id: String) -> Result<(), AppError> {
    crate::api::ssr::serve(Role::Responder, |actor, s| async move {
        let page = ssr::my_page(&s, &actor, &page_id).await?;
        if page.read_at.is_none() {
            return Err(invalid("page_id", Msg::ErrAcknowledgeFirst));
        }
        if !page.engagement_running {
            return Err(invalid("page_id", Msg::ErrPageClosed));
        }
        s.backend.stop_engagement(&actor, &page.engagement_id).await
    })
    .await
}

/// The language the caller's pages are written in.
#[server(endpoint = "me_language")]
pub async fn set_my_language(language: String) -> Result<(), AppError> {
    crate::api::ssr::serve(Role::Viewer, |actor, s| async move {
        let contact = actor.contact.clone().ok_or_else(|| invalid("language", Msg::ErrSwapNotLinked))?;
        let language = Locale::parse(&language).ok_or_else(|| invalid("language", Msg::ErrLanguage))?;
        s.accounts.set_contact_language(&actor, &contact, language).await
    })
    .await
}

#[cfg(feature = "ssr")]
fn invalid(field: &str, msg: Msg) -> AppError {
    AppError::Invalid(vec![FieldError::new(field, msg)])
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::auth::CurrentUser;
    use crate::error::AppError;
    use crate::i18n::Msg;
    use crate::model::me::{MyPage, MyShift};
    use crate::model::oncall::Ahead;
    use crate::ports::Services;

    /// One of the caller's own pages (a page to someone else is not found).
    pub async fn my_page(s: &Services, actor: &CurrentUser, page_id: &str) -> Result<MyPage, AppError> {
        let contact = actor.contact.clone().ok_or_else(|| super::invalid("page_id", Msg::ErrSwapNotLinked))?;
        let mine = s.backend.pages_of(&contact, super::MY_PAGES).await?;
        mine.into_iter().find(|p| p.page_id == page_id).ok_or(AppError::NotFound)
    }

    /// For each acknowledged page whose engagement still runs: what still comes of it, with
    /// names as people read them.
    pub async fn say_what_comes(s: &Services, pages: &mut [MyPage]) -> Result<(), AppError> {
        if !pages.iter().any(|p| p.read_at.is_some() && p.engagement_running) {
            return Ok(());
        }
        let now = s.clock.now().timestamp();
        let contacts = s.backend.contacts().await?;
        let name = |alias: &String| {
            contacts
                .iter()
                .find(|c| &c.contact.alias == alias)
                .map_or_else(|| alias.clone(), |c| c.contact.display_name.clone())
        };
        for page in pages.iter_mut().filter(|p| p.read_at.is_some() && p.engagement_running) {
            let e = s.backend.engagement(&page.engagement_id).await?;
            let engaged = contacts.iter().find(|c| c.contact.alias == e.contact).map(|c| &c.contact);
            page.ahead = Some(match e.ahead(engaged, now) {
                Ahead::NextStage { at, targets } => {
                    Ahead::NextStage { at, targets: targets.iter().map(name).collect() }
                }
                Ahead::StillPaging { people } => Ahead::StillPaging { people: people.iter().map(name).collect() },
                other => other,
            });
        }
        Ok(())
    }

    /// The person's shifts in the coming days (the current one included), soonest first, from
    /// each rotation they are in, each with its real start and end.
    pub async fn next_shifts(s: &Services, contact: &str) -> Result<Vec<MyShift>, AppError> {
        let now = s.clock.now().timestamp();
        let until = now + super::SHIFT_HORIZON_DAYS * 86_400;
        // Shifts come cut to the window asked for: ask a month (the longest hand-off) wider on
        // each side, so the current shift shows its real start and the last its real end.
        let margin = 31 * 86_400;
        let mut shifts = Vec::new();
        for r in s.backend.rotations().await? {
            if !r.rotation.members.iter().any(|m| m == contact) {
                continue;
            }
            for shift in s.backend.rotation_shifts(&r.id, now - margin, until + margin).await? {
                let (start, end) = (shift.start.timestamp(), shift.end.timestamp());
                if shift.members.iter().any(|m| m == contact) && end > now && start < until {
                    shifts.push(MyShift { rotation_id: r.id.clone(), rotation: r.name.clone(), start, end });
                }
            }
        }
        shifts.sort_by_key(|s| s.start);
        shifts.truncate(8);
        Ok(shifts)
    }
}
