//! The home page's overview: who is on call in my rotations, my open pages, open incidents, and
//! people nothing can reach.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::auth::Role;
use crate::error::AppError;
use crate::model::home::HomeOverview;

/// Rotations shown when the person is in none.
pub const HOME_ROTATIONS: usize = 8;
/// Open incidents shown.
pub const HOME_INCIDENTS: u32 = 10;

#[server(endpoint = "home_overview")]
pub async fn load_home() -> Result<HomeOverview, AppError> {
    crate::api::ssr::serve(Role::Viewer, |actor, s| async move {
        use crate::domain::contact::ContactType;
        use crate::domain::incident::IncidentStatus;
        let contact = actor.contact.clone();
        let all = s.backend.rotations().await?;
        let mine: Vec<_> = all
            .iter()
            .filter(|r| contact.as_ref().is_some_and(|c| r.rotation.members.iter().any(|m| m == c)))
            .cloned()
            .collect();
        let (mut rotations, is_mine): (Vec<_>, bool) =
            if mine.is_empty() { (all.iter().take(HOME_ROTATIONS).cloned().collect(), false) } else { (mine, true) };
        let contacts = s.backend.contacts().await?;
        for r in &mut rotations {
            r.name_people(&contacts);
        }
        let open_pages = match &contact {
            Some(c) => s.backend.pages_of(c, crate::api::me::MY_PAGES).await?.into_iter().filter(|p| p.open).collect(),
            None => Vec::new(),
        };
        let incidents = s.backend.incidents(Some(IncidentStatus::Open), HOME_INCIDENTS).await?;
        let on_rotas: Vec<&String> = all.iter().flat_map(|r| &r.rotation.members).collect();
        let unreachable = contacts
            .into_iter()
            .filter(|c| c.contact.kind == ContactType::Personal && on_rotas.contains(&&c.contact.alias))
            .filter(|c| !c.channels.iter().any(|ch| ch.activated))
            .map(|c| (c.contact.alias, c.contact.display_name))
            .collect();
        Ok(HomeOverview { linked: contact.is_some(), rotations, mine: is_mine, open_pages, incidents, unreachable })
    })
    .await
}
