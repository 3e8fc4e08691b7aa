//! People and their channels: create, rename and delete people; add channels, activate them with
//! the code sent to them, send a new code, delete them; and each person's own engagement plan
//! (presets or per-channel starts). Managers change, everyone reads. Every change goes through
//! the backend (local engine or AWS); deletes are refused, naming what still uses the item.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::auth::Role;
use crate::domain::personal_plan::ChannelStart;
use crate::error::AppError;
use crate::model::people::PersonView;

#[server(endpoint = "people_page")]
pub async fn person_page(alias: String) -> Result<PersonView, AppError> {
    crate::api::ssr::serve(Role::Viewer, |user, s| async move { ssr::page(&s, &user, &alias).await }).await
}

/// A new person (no channels yet); their page opens next.
#[server(endpoint = "people_create")]
pub async fn create_person(alias: String, display_name: String) -> Result<String, AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move {
        use crate::domain::contact::{Contact, ContactType, Plan};
        let contact = Contact {
            alias: alias.trim().to_owned(),
            display_name: display_name.trim().to_owned(),
            kind: ContactType::Personal,
            plan: Plan::default(),
        };
        let alias = contact.alias.clone();
        s.backend.create_contact(&user, contact).await?;
        leptos_axum::redirect(&crate::model::people::person_path(&alias));
        Ok(alias)
    })
    .await
}

/// A new display name, edited from the person as fingerprinted in `base`.
#[server(endpoint = "people_rename")]
pub async fn rename_person(alias: String, base: String, display_name: String) -> Result<(), AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move {
        let mut contact = ssr::person(&s, &alias).await?.contact;
        contact.display_name = display_name.trim().to_owned();
        s.backend.update_contact(&user, contact, &base).await
    })
    .await
}

/// Refused while a plan, schedule, rotation or response plan uses the person (named).
#[server(endpoint = "people_delete")]
pub async fn delete_person(alias: String) -> Result<(), AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move {
        ssr::person(&s, &alias).await?;
        ssr::delete_unused(&s, &user, &alias).await
    })
    .await
}

/// A new channel (`kind`: `email`, `sms` or `voice`); its activation code is sent to it.
#[server(endpoint = "people_add_channel")]
pub async fn add_channel(contact: String, name: String, kind: String, address: String) -> Result<String, AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move {
        use crate::domain::contact::{ChannelType, ContactChannel};
        use crate::error::FieldError;
        use crate::i18n::Msg;
        ssr::person(&s, &contact).await?;
        let kind = ChannelType::parse(kind.trim())
            .ok_or_else(|| AppError::Invalid(vec![FieldError::new("kind", Msg::ErrChannelKind)]))?;
        let channel = ContactChannel {
            id: String::new(),
            contact_id: contact,
            name: name.trim().to_owned(),
            kind,
            address: address.trim().to_owned(),
            activated: false,
        };
        channel.validate().map_err(AppError::Invalid)?;
        Ok(s.backend.add_channel(&user, channel).await?.id)
    })
    .await
}

#[server(endpoint = "people_activate_channel")]
pub async fn activate_channel(contact: String, channel_id: String, code: String) -> Result<(), AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move {
        use crate::error::FieldError;
        use crate::i18n::Msg;
        ssr::channel_of(&s, &contact, &channel_id).await?;
        // SSM's shape for a code (6–10 digits): anything else cannot match, in either backend.
        let code = code.trim();
        if !(6..=10).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AppError::Invalid(vec![FieldError::new("activation_code", Msg::ErrActivationCode)]));
        }
        s.backend.activate_channel(&user, &channel_id, code).await
    })
    .await
}

#[server(endpoint = "people_resend_code")]
pub async fn resend_code(contact: String, channel_id: String) -> Result<(), AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move {
        ssr::channel_of(&s, &contact, &channel_id).await?;
        s.backend.send_activation_code(&user, &channel_id).await
    })
    .await
}

/// Refused while the person's own plan messages the channel.
#[server(endpoint = "people_delete_channel")]
pub async fn delete_channel(contact: String, channel_id: String) -> Result<(), AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move {
        let person = ssr::channel_of(&s, &contact, &channel_id).await?;
        let used_by = crate::domain::usage::users_of_channel(&channel_id, &person.contact);
        if !used_by.is_empty() {
            return Err(AppError::InUse(used_by));
        }
        s.backend.delete_channel(&user, &channel_id).await
    })
    .await
}

/// The person's own plan: a preset (`preset` named), or each channel's start and retry as
/// typed (`rows`). Edited from the person as fingerprinted in `base`.
#[server(endpoint = "people_save_plan")]
pub async fn save_personal_plan(
    contact: String,
    base: String,
    #[server(default)] preset: String,
    #[server(default)] rows: Vec<ChannelStart>,
) -> Result<(), AppError> {
    crate::api::ssr::serve(Role::Manager, |user, s| async move {
        use crate::domain::personal_plan::{Preset, stages_of};
        use crate::error::FieldError;
        use crate::i18n::Msg;
        let view = ssr::person(&s, &contact).await?;
        let rows = match preset.trim() {
            "" => rows,
            name => Preset::parse(name)
                .ok_or_else(|| AppError::Invalid(vec![FieldError::new("preset", Msg::ErrInvalid)]))?
                .rows(&view.channels),
        };
        if rows.iter().any(|r| !view.channels.iter().any(|c| c.id == r.channel_id)) {
            return Err(AppError::Invalid(vec![FieldError::new("rows", Msg::ErrUnknownChannel)]));
        }
        let mut person = view.contact;
        person.plan.stages = stages_of(&rows).map_err(AppError::Invalid)?;
        s.backend.update_contact(&user, person, &base).await
    })
    .await
}

/// Which messages have a way out, read while a page renders on the server
/// ([`crate::ports::Services::gateways`]); in the browser, which renders no such page, all.
pub fn gateways() -> crate::domain::contact::Gateways {
    #[cfg(feature = "ssr")]
    {
        crate::ports::services().map_or(crate::domain::contact::Gateways::ALL, |s| s.gateways)
    }
    #[cfg(not(feature = "ssr"))]
    {
        crate::domain::contact::Gateways::ALL
    }
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::auth::{CurrentUser, Role};
    use crate::domain::contact::{ContactChannel, ContactType, Gateways};
    use crate::domain::delivery::{DeliveryKind, DeliveryStatus};
    use crate::domain::personal_plan::rows_of;
    use crate::error::{AppError, UsedBy};
    use crate::model::oncall::{ContactView, DeliveryEntry};
    use crate::model::people::{ChannelHealth, ChannelRow, PersonView};
    use crate::ports::Services;

    /// How many recent deliveries health is read from.
    const HEALTH_WINDOW: u32 = 500;

    /// A person (not a plan or schedule) by alias.
    pub async fn person(s: &Services, alias: &str) -> Result<ContactView, AppError> {
        let all = s.backend.contacts().await?;
        let mut view = all
            .into_iter()
            .find(|v| v.contact.alias == alias && v.contact.kind == ContactType::Personal)
            .ok_or(AppError::NotFound)?;
        // The backends list channels in their own orders; people see them by name.
        view.channels.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(view)
    }

    /// The person, if `channel_id` is one of their channels.
    pub async fn channel_of(s: &Services, alias: &str, channel_id: &str) -> Result<ContactView, AppError> {
        let view = person(s, alias).await?;
        if view.channels.iter().any(|c| c.id == channel_id) { Ok(view) } else { Err(AppError::NotFound) }
    }

    /// Deletes a contact nothing uses (else refused, naming the users); the Escalation page
    /// opens next.
    pub async fn delete_unused(s: &Services, user: &CurrentUser, alias: &str) -> Result<(), AppError> {
        let used_by = users_of(s, alias).await?;
        if !used_by.is_empty() {
            return Err(AppError::InUse(used_by));
        }
        s.backend.delete_contact(user, alias).await?;
        leptos_axum::redirect("/escalation");
        Ok(())
    }

    pub async fn users_of(s: &Services, alias: &str) -> Result<Vec<UsedBy>, AppError> {
        let contacts: Vec<_> = s.backend.contacts().await?.into_iter().map(|v| v.contact).collect();
        let rotations: Vec<(String, Vec<String>)> =
            s.backend.rotations().await?.into_iter().map(|r| (r.name, r.rotation.members)).collect();
        let plans = s.backend.response_plans().await?;
        Ok(crate::domain::usage::users_of_contact(alias, &contacts, &rotations, &plans))
    }

    /// A channel without a way out is never "working"; then activation comes first; then the
    /// latest finished delivery to the channel's address decides.
    pub fn health(channel: &ContactChannel, deliveries: &[DeliveryEntry], gateways: Gateways) -> ChannelHealth {
        if !gateways.carries(channel.kind) {
            return ChannelHealth::NoGateway;
        }
        if !channel.activated {
            return ChannelHealth::NotActivated;
        }
        let kind = DeliveryKind::from(channel.kind);
        let latest = deliveries.iter().find(|d| {
            d.kind == kind
                && d.address == channel.address
                && matches!(d.status, DeliveryStatus::Sent | DeliveryStatus::Failed)
        });
        match latest {
            Some(d) if d.status == DeliveryStatus::Failed => {
                ChannelHealth::Failing { at: d.created_at, error: d.last_error.clone().unwrap_or_default() }
            }
            Some(d) => ChannelHealth::Working { last_sent: Some(d.created_at) },
            None => ChannelHealth::Working { last_sent: None },
        }
    }

    pub async fn page(s: &Services, user: &CurrentUser, alias: &str) -> Result<PersonView, AppError> {
        let view = person(s, alias).await?;
        let deliveries = s.backend.deliveries(HEALTH_WINDOW).await?;
        let directory = crate::api::plans::ssr::directory(s).await?;
        let now = s.clock.now();
        let timeline = directory.simulate(alias, now).steps(&directory, now);
        Ok(PersonView {
            base: view.contact.fingerprint(),
            rows: rows_of(&view.contact.plan.stages, &view.channels),
            channels: view
                .channels
                .iter()
                .map(|c| ChannelRow { channel: c.clone(), health: health(c, &deliveries, s.gateways) })
                .collect(),
            language: s.accounts.contact_language(alias).await?.map(|l| l.code().to_owned()),
            timeline,
            used_by: users_of(s, alias).await?,
            manager: user.role >= Role::Manager,
            contact: view.contact,
        })
    }
}
