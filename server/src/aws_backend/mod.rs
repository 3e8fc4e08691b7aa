//! AWS mode: the console's backend interface over SSM Contacts and SSM Incidents through the AWS
//! SDK (default credential chain, profiles, region; endpoint override by flag or the standard
//! `AWS_ENDPOINT_URL_SSM_CONTACTS` / `AWS_ENDPOINT_URL_SSM_INCIDENTS` variables). Reads are cached
//! for a short while; every write and an explicit refresh forget the cache. The SDK's standard
//! retry handles throttling; errors reach the user in plain words (`errors`); `convert` turns
//! the SDK's shapes into the console's. Reads are cached by the [`crate::read_cache::Cached`]
//! decorator that wraps this backend.

mod calls;
mod convert;
mod errors;
pub mod notices;

use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use aws_config::BehaviorVersion;
use aws_sdk_ssmcontacts as contacts;
use aws_sdk_ssmincidents as incidents;
use aws_smithy_types::DateTime as AwsTime;
use chrono::{DateTime, Duration, Utc};

use app::auth::CurrentUser;
use app::domain::contact::{Contact, ContactChannel, ContactType, Plan, Target};
use app::domain::incident::{
    IncidentRecord, IncidentStatus, IncidentTemplate, IncidentUpdate, RelatedLink, ResponsePlan, TimelineEvent,
};
use app::domain::roster::{Roster, VersionKind, has_gap, join_shifts};
use app::domain::rotation::Override;
use app::domain::rotation::{Rotation, Shift, ShiftKind, local_time};
use app::error::{AppError, FieldError};
use app::i18n::Msg;
use app::model::oncall::{
    ContactView, DeliveryEntry, EngagementView, IncidentDetail, PageEntry, ReceiptEntry, RotationView, ShiftSummary,
};
use app::model::rotations::{OverrideEntry, RotationDetail};
use app::ports::{Backend, EngagementStart, IncidentStart};

use crate::audit::{Actor, Change};
use crate::clock::{Clock, from_epoch};
use crate::db::Db;
use crate::error::ServerError;
use crate::read_cache::TtlCache;
use crate::roster::{self, Entry, Head};
use convert::{
    built, channel_kind_from_aws, channel_kind_to_aws, chrono_of, impact_from_aws, incident_key, kind_from_aws,
    kind_to_aws, last_segment, plan_from_aws, receipt_kind_from_aws, record_from_aws, recurrence_to_aws,
    rotation_from_aws, secs, status_from_aws,
};
use errors::{aws_error, taken};

/// How long a read is served from the cache.
pub const DEFAULT_CACHE_SECS: u64 = 30;

/// Where and how to reach AWS; unset values come from the standard AWS configuration.
#[derive(Clone, Debug, Default)]
pub struct AwsSettings {
    pub region: Option<String>,
    pub profile: Option<String>,
    /// One endpoint for both services (the console's own SSM API, say).
    pub endpoint_url: Option<String>,
    pub cache_secs: u64,
    /// Static credentials instead of the default chain (tests and keys issued by a console).
    pub static_credentials: Option<(String, String)>,
}

pub struct AwsBackend {
    contacts: contacts::Client,
    incidents: incidents::Client,
    region: String,
    /// Learnt from the first ARN seen; needed to write incident ARNs from their short ids.
    account: Mutex<Option<String>>,
    /// Alias → ARN of every contact, looked up on most calls; forgotten on writes and refresh.
    arns: TtlCache,
    clock: Arc<dyn Clock>,
    /// The console's own database, for the roster history AWS does not keep.
    db: Db,
}

/// The SDK's HTTP client on rustls with ring (the crypto sqlx and reqwest already use).
pub fn https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::tls;
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
        .build_https()
}

impl AwsBackend {
    pub async fn connect(settings: &AwsSettings, db: Db, clock: Arc<dyn Clock>) -> Self {
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(https_client());
        if let Some(region) = &settings.region {
            loader = loader.region(aws_config::Region::new(region.clone()));
        }
        if let Some(profile) = &settings.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(url) = &settings.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some((key, secret)) = &settings.static_credentials {
            loader =
                loader.credentials_provider(contacts::config::Credentials::new(key, secret, None, None, "console"));
        }
        let sdk = loader.load().await;
        AwsBackend {
            contacts: contacts::Client::new(&sdk),
            incidents: incidents::Client::new(&sdk),
            region: sdk.region().map_or_else(|| "(no region)".to_owned(), ToString::to_string),
            account: Mutex::new(None),
            arns: TtlCache::new(StdDuration::from_secs(settings.cache_secs)),
            clock,
            db,
        }
    }

    /// The watcher that sends the console's own notice, with the personal link, for each page
    /// Incident Manager creates for what this backend started.
    pub fn notices(&self) -> notices::Notices {
        notices::Notices { contacts: self.contacts.clone(), db: self.db.clone(), clock: self.clock.clone() }
    }

    /// Has the notice watcher follow what was just started. It has started in AWS whatever
    /// happens here, so a failure to record it is logged, not returned: Incident Manager's own
    /// messages still go out, without the console's link.
    async fn watch(&self, arn: &str, kind: notices::Started) {
        let now = self.clock.now().timestamp();
        if let Err(e) = notices::watch(&self.db, arn, kind, now).await {
            tracing::error!(error = %e, arn, "cannot record what was started; its pages get no acknowledge link");
        }
    }

    /// "Page acknowledged by <person> via link" on the page's incident's timeline, if it has one.
    async fn note_acceptance(&self, page_id: &str, how: &str) -> Result<(), AppError> {
        let page = self
            .contacts
            .describe_page()
            .page_id(page_id)
            .send()
            .await
            .map_err(|e| aws_error("ssm-contacts:DescribePage", &e))?;
        let Some(incident) = page.incident_id().filter(|i| !i.is_empty()) else { return Ok(()) };
        let text = format!("Page acknowledged by {} {how}", last_segment(page.contact_arn()));
        self.incidents
            .create_timeline_event()
            .incident_record_arn(incident)
            .event_time(AwsTime::from_secs(self.clock.now().timestamp()))
            .event_type("Custom Event")
            .event_data(text)
            .send()
            .await
            .map_err(|e| aws_error("ssm-incidents:CreateTimelineEvent", &e))?;
        Ok(())
    }

    /// Remembers the account id of an ARN (`arn:aws:<service>:<region>:<account>:…`).
    fn learn_account(&self, arn: &str) {
        if let Some(account) = arn.split(':').nth(4).filter(|a| !a.is_empty()) {
            *self.account.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(account.to_owned());
        }
    }

    fn known_account(&self) -> Option<String> {
        self.account.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    async fn account(&self) -> Result<String, AppError> {
        if let Some(a) = self.known_account() {
            return Ok(a);
        }
        self.contact_arn_list().await?;
        if self.known_account().is_none() {
            self.response_plans().await?;
        }
        self.known_account().ok_or(AppError::NotFound)
    }

    async fn update_related(
        &self,
        incident_id: &str,
        update: incidents::types::RelatedItemsUpdate,
    ) -> Result<(), AppError> {
        let arn = self.incident_arn(incident_id).await?;
        self.incidents
            .update_related_items()
            .incident_record_arn(arn)
            .related_items_update(update)
            .send()
            .await
            .map_err(|e| aws_error("ssm-incidents:UpdateRelatedItems", &e))?;
        Ok(())
    }

    /// The ARN of the incident whose note `event_id` is; automatic events are refused as the
    /// local engine refuses them (Incident Manager would let them be rewritten).
    async fn custom_event_incident(&self, incident_id: &str, event_id: &str) -> Result<String, AppError> {
        let arn = self.incident_arn(incident_id).await?;
        let got = self
            .incidents
            .get_timeline_event()
            .incident_record_arn(&arn)
            .event_id(event_id)
            .send()
            .await
            .map_err(|e| aws_error("ssm-incidents:GetTimelineEvent", &e))?;
        match got.event().map(incidents::types::TimelineEvent::event_type) {
            Some("Custom Event" | "Note") => Ok(arn),
            Some(_) => {
                Err(AppError::Invalid(vec![app::error::FieldError::new("event_id", app::i18n::Msg::ErrAutomaticEvent)]))
            }
            None => Err(AppError::NotFound),
        }
    }

    async fn incident_arn(&self, key: &str) -> Result<String, AppError> {
        let (plan, id) = key.split_once('.').ok_or(AppError::NotFound)?;
        Ok(format!("arn:aws:ssm-incidents::{}:incident-record/{plan}/{id}", self.account().await?))
    }

    async fn plan_arn(&self, name: &str) -> Result<String, AppError> {
        Ok(format!("arn:aws:ssm-incidents::{}:response-plan/{name}", self.account().await?))
    }

    /// (alias, ARN, type, display name) of every contact.
    async fn contact_arn_list(&self) -> Result<Vec<(String, String, ContactType, String)>, AppError> {
        if let Some(list) = self.arns.get("contact-arns") {
            return Ok(list);
        }
        let items: Vec<_> = self
            .contacts
            .list_contacts()
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|e| aws_error("ssm-contacts:ListContacts", &e))?;
        let list: Vec<_> = items
            .iter()
            .map(|c| {
                Ok((
                    c.alias().to_owned(),
                    c.contact_arn().to_owned(),
                    kind_from_aws(c.r#type())?,
                    c.display_name().unwrap_or_default().to_owned(),
                ))
            })
            .collect::<Result<_, AppError>>()?;
        if let Some((_, arn, ..)) = list.first() {
            self.learn_account(arn);
        }
        self.arns.put("contact-arns", &list);
        Ok(list)
    }

    /// Checks a contact against what AWS holds, so bad input is refused by field, as the local
    /// engine refuses it, before anything is sent.
    async fn validate(&self, contact: &Contact) -> Result<(), AppError> {
        let list = self.contact_arn_list().await?;
        let mut known = crate::engine::contacts::Known {
            contacts: list.iter().map(|(alias, _, kind, _)| (alias.clone(), *kind)).collect(),
            channels: std::collections::HashMap::new(),
            rotations: std::collections::HashSet::new(),
        };
        let own_arn = list.iter().find(|(alias, ..)| *alias == contact.alias).map(|(_, arn, ..)| arn.clone());
        match (contact.kind, own_arn) {
            (ContactType::Personal, Some(arn)) => {
                for ch in calls::channels_of(&self.contacts, &arn).await? {
                    known.channels.insert(ch.contact_channel_arn().to_owned(), contact.alias.clone());
                }
            }
            (ContactType::OncallSchedule, _) => {
                let rotations = calls::rotations(&self.contacts).await?;
                known.rotations = rotations.iter().map(|r| r.rotation_arn().to_owned()).collect();
            }
            _ => {}
        }
        contact.validate(&known).map_err(AppError::Invalid)
    }

    /// A response plan as AWS has it now (never cached). AWS plans notify through their chat
    /// channel, which the console does not edit: no notification targets here.
    async fn response_plan_now(&self, arn: &str) -> Result<ResponsePlan, AppError> {
        let p = self
            .incidents
            .get_response_plan()
            .arn(arn)
            .send()
            .await
            .map_err(|e| aws_error("ssm-incidents:GetResponsePlan", &e))?;
        let template = p.incident_template();
        Ok(ResponsePlan {
            name: p.name().to_owned(),
            display_name: p.display_name().unwrap_or_default().to_owned(),
            template: IncidentTemplate {
                title: template.map(|t| t.title().to_owned()).unwrap_or_default(),
                impact: template.and_then(|t| u8::try_from(t.impact()).ok()).unwrap_or(3),
                summary: template.and_then(|t| t.summary()).unwrap_or_default().to_owned(),
                dedupe_string: template.and_then(|t| t.dedupe_string()).unwrap_or_default().to_owned(),
            },
            engagements: p.engagements().iter().map(|a| last_segment(a)).collect(),
            notification_targets: Vec::new(),
        })
    }

    /// The contact as AWS has it now (never cached).
    async fn contact_now(&self, alias: &str, arn: &str) -> Result<Contact, AppError> {
        let c = self
            .contacts
            .get_contact()
            .contact_id(arn)
            .send()
            .await
            .map_err(|e| aws_error("ssm-contacts:GetContact", &e))?;
        Ok(Contact {
            alias: alias.to_owned(),
            display_name: c.display_name().unwrap_or(alias).to_owned(),
            kind: kind_from_aws(c.r#type())?,
            plan: plan_from_aws(c.plan()),
        })
    }

    async fn contact_arn(&self, alias: &str) -> Result<String, AppError> {
        if let Some((_, arn, ..)) = self.contact_arn_list().await?.into_iter().find(|(a, ..)| a == alias) {
            return Ok(arn);
        }
        self.arns.clear();
        let found = self.contact_arn_list().await?.into_iter().find(|(a, ..)| a == alias);
        found.map(|(_, arn, ..)| arn).ok_or(AppError::NotFound)
    }

    async fn plan_to_aws(&self, plan: &Plan) -> Result<contacts::types::Plan, AppError> {
        let mut stages = Vec::new();
        for s in &plan.stages {
            let mut targets = Vec::new();
            for t in &s.targets {
                targets.push(match t {
                    Target::Channel { channel_id, retry_minutes } => contacts::types::Target::builder()
                        .channel_target_info(built(
                            contacts::types::ChannelTargetInfo::builder()
                                .contact_channel_id(channel_id)
                                .retry_interval_in_minutes(i32::try_from(*retry_minutes).unwrap_or(0))
                                .build(),
                        )?)
                        .build(),
                    Target::Contact { contact_id, essential } => contacts::types::Target::builder()
                        .contact_target_info(built(
                            contacts::types::ContactTargetInfo::builder()
                                .contact_id(self.contact_arn(contact_id).await?)
                                .is_essential(*essential)
                                .build(),
                        )?)
                        .build(),
                });
            }
            stages.push(built(
                contacts::types::Stage::builder()
                    .duration_in_minutes(i32::try_from(s.duration_minutes).unwrap_or(0))
                    .set_targets(Some(targets))
                    .build(),
            )?);
        }
        Ok(contacts::types::Plan::builder()
            .set_stages(Some(stages))
            .set_rotation_ids(Some(plan.rotation_ids.clone()))
            .build())
    }

    /// An engagement with its pages and receipts; DescribeEngagement gives the engagement itself.
    async fn engagement_view(&self, arn: &str) -> Result<EngagementView, AppError> {
        let e = self
            .contacts
            .describe_engagement()
            .engagement_id(arn)
            .send()
            .await
            .map_err(|err| aws_error("ssm-contacts:DescribeEngagement", &err))?;
        let pages = calls::pages_of_engagement(&self.contacts, arn).await?;
        let mut receipts = Vec::new();
        let mut entries = Vec::new();
        for p in &pages {
            let resolutions = self
                .contacts
                .list_page_resolutions()
                .page_id(p.page_arn())
                .send()
                .await
                .map_err(|err| aws_error("ssm-contacts:ListPageResolutions", &err))?;
            let stage = resolutions
                .page_resolutions()
                .first()
                .and_then(contacts::types::ResolutionContact::stage_index)
                .map_or(0, i64::from);
            entries.push(PageEntry {
                id: p.page_arn().to_owned(),
                contact: last_segment(p.contact_arn()),
                stage,
                sent_at: p.sent_time().map_or(0, secs),
                read_at: p.read_time().map(secs),
            });
            let page_receipts = self
                .contacts
                .list_page_receipts()
                .page_id(p.page_arn())
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>()
                .await
                .map_err(|err| aws_error("ssm-contacts:ListPageReceipts", &err))?;
            for r in &page_receipts {
                receipts.push(ReceiptEntry {
                    contact: last_segment(p.contact_arn()),
                    kind: receipt_kind_from_aws(r.receipt_type())?,
                    info: r.receipt_info().map(str::to_owned),
                    at: secs(r.receipt_time()),
                });
            }
        }
        entries.sort_by(|a, b| (a.sent_at, &a.contact).cmp(&(b.sent_at, &b.contact)));
        receipts.sort_by_key(|r| r.at);
        Ok(EngagementView {
            id: e.engagement_arn().to_owned(),
            contact: last_segment(e.contact_arn()),
            sender: e.sender().to_owned(),
            subject: e.subject().to_owned(),
            content: e.content().to_owned(),
            incident_id: e.incident_id().map(incident_key),
            started_at: e.start_time().map_or(0, secs),
            stopped_at: e.stop_time().map(secs),
            stop_reason: None,
            pages: entries,
            receipts,
        })
    }

    async fn list_engagements(
        &self,
        incident_arn: Option<String>,
    ) -> Result<Vec<contacts::types::Engagement>, AppError> {
        let mut list = calls::engagements(&self.contacts, incident_arn).await?;
        list.sort_by_key(|e| std::cmp::Reverse(e.start_time().map_or(0, secs)));
        Ok(list)
    }
}

/// The roster history AWS does not keep, in the console's database. Changes hold a console
/// transaction across the AWS call, so the version is recorded exactly when AWS took the change.
impl AwsBackend {
    /// The members' ARNs; someone unknown is a problem with the members field (as locally).
    async fn member_arns(&self, members: &[String]) -> Result<Vec<String>, AppError> {
        let mut arns = Vec::new();
        for m in members {
            arns.push(self.contact_arn(m).await.map_err(|e| match e {
                AppError::NotFound => AppError::Invalid(vec![FieldError::new("members", Msg::ErrUnknownContact)]),
                other => other,
            })?);
        }
        Ok(arns)
    }

    async fn get_rotation(&self, id: &str) -> Result<(String, Rotation), AppError> {
        let r = self
            .contacts
            .get_rotation()
            .rotation_id(id)
            .send()
            .await
            .map_err(|e| aws_error("ssm-contacts:GetRotation", &e))?;
        let rotation = rotation_from_aws(r.contact_ids(), Some(r.start_time()), r.time_zone_id(), r.recurrence());
        Ok((r.name().to_owned(), rotation))
    }

    async fn override_entries(&self, id: &str, from: DateTime<Utc>) -> Result<Vec<OverrideEntry>, AppError> {
        let list = self
            .contacts
            .list_rotation_overrides()
            .rotation_id(id)
            .start_time(AwsTime::from_secs(from.timestamp()))
            .end_time(AwsTime::from_secs((from + Duration::days(366)).timestamp()))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|e| aws_error("ssm-contacts:ListRotationOverrides", &e))?;
        Ok(list
            .iter()
            .map(|o| OverrideEntry {
                id: o.rotation_override_id().to_owned(),
                value: Override {
                    start: chrono_of(o.start_time()),
                    end: chrono_of(o.end_time()),
                    members: o.new_contact_ids().iter().map(|m| last_segment(m)).collect(),
                },
            })
            .collect())
    }

    /// Shifts as AWS computes them from the current definition.
    async fn planned_shifts(&self, rotation_id: &str, from: i64, to: i64) -> Result<Vec<Shift>, AppError> {
        let shifts = self
            .contacts
            .list_rotation_shifts()
            .rotation_id(rotation_id)
            .start_time(AwsTime::from_secs(from))
            .end_time(AwsTime::from_secs(to))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|e| aws_error("ssm-contacts:ListRotationShifts", &e))?;
        Ok(shifts
            .iter()
            .map(|s| Shift {
                start: chrono_of(s.start_time()),
                end: chrono_of(s.end_time()),
                members: s.contact_ids().iter().map(|m| last_segment(m)).collect(),
                kind: match s.shift_details() {
                    Some(d) if s.r#type() == Some(&contacts::types::ShiftType::Overridden) => ShiftKind::Overridden {
                        displaced: d.overridden_contact_ids().iter().map(|m| last_segment(m)).collect(),
                    },
                    _ => ShiftKind::Regular,
                },
            })
            .collect())
    }

    /// The rotation as AWS has it now, recorded as a version when the console first sees it or
    /// when it was changed outside the console since the last recorded version.
    async fn observed(&self, id: &str) -> Result<(String, Rotation, Head), AppError> {
        let (name, rotation) = self.get_rotation(id).await?;
        let mut tx = self.db.begin_write().await.map_err(ServerError::from)?;
        let last = roster::load(&mut tx, id).await?;
        let entry = |kind| Entry {
            rotation_id: id,
            at: self.clock.now(),
            actor: "aws".into(),
            kind,
            name: &name,
            rotation: &rotation,
        };
        match last.latest() {
            None => roster::start(&mut tx, entry(VersionKind::Observed)).await?,
            Some(v) if v.rotation != rotation || v.name != name => {
                let version = roster::claim_definition(&mut tx, id, None).await?;
                roster::insert(&mut tx, version, entry(VersionKind::Observed)).await?;
            }
            Some(_) => {}
        }
        let head = roster::head(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok((name, rotation, head))
    }

    /// Sends a definition to AWS as version `kind`, if `base` is still the current definition.
    async fn save_definition(
        &self,
        actor: &CurrentUser,
        id: &str,
        base: u32,
        name: &str,
        rotation: Rotation,
        kind: VersionKind,
    ) -> Result<u32, AppError> {
        let (current_name, before, _) = self.observed(id).await?;
        if name.trim() != current_name {
            return Err(AppError::Invalid(vec![FieldError::new("name", Msg::ErrRenameAws)]));
        }
        let members = self.member_arns(&rotation.members).await?;
        let recurrence = recurrence_to_aws(&rotation)?;
        let mut tx = self.db.begin_write().await.map_err(ServerError::from)?;
        let version = roster::claim_definition(&mut tx, id, Some(base)).await?;
        let result = self
            .contacts
            .update_rotation()
            .rotation_id(id)
            .set_contact_ids(Some(members))
            .start_time(AwsTime::from_secs(rotation.start.timestamp()))
            .time_zone_id(&rotation.time_zone)
            .recurrence(recurrence)
            .send()
            .await;
        self.arns.clear();
        result.map_err(|e| aws_error("ssm-contacts:UpdateRotation", &e))?;
        roster::insert(&mut tx, version, entry_by(self.clock.now(), actor, id, kind, &current_name, &rotation)).await?;
        audited(&mut tx, actor, self.clock.now(), Change::updated("rotation", id, &before, &rotation)).await?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok(version)
    }
}

impl AwsBackend {
    /// Records a change made in AWS in the console's audit log, in a transaction of its own.
    async fn audit_action<T: serde::Serialize>(
        &self,
        actor: &CurrentUser,
        change: Change<'_, T>,
    ) -> Result<(), AppError> {
        let mut tx = self.db.begin_write().await.map_err(ServerError::from)?;
        audited(&mut tx, actor, self.clock.now(), change).await?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok(())
    }

    /// StopEngagement with `reason`, recorded in the console's audit log as `actor`'s.
    async fn stop_audited(&self, actor: Actor<'_>, id: &str, reason: &str) -> Result<(), AppError> {
        let result = self.contacts.stop_engagement().engagement_id(id).reason(reason).send().await;
        self.arns.clear();
        result.map_err(|e| aws_error("ssm-contacts:StopEngagement", &e))?;
        let mut tx = self.db.begin_write().await.map_err(ServerError::from)?;
        let after = serde_json::json!({ "stopped": true, "reason": reason });
        let change = Change { action: "stop", ..Change::created("engagement", id, &after) };
        crate::audit::record(&mut tx, actor, self.clock.now().timestamp(), change).await.map_err(ServerError::from)?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok(())
    }
}

/// AWS keeps its own trail (CloudTrail); the console's audit log records what its users did.
async fn audited<T: serde::Serialize>(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    actor: &CurrentUser,
    at: DateTime<Utc>,
    change: Change<'_, T>,
) -> Result<(), AppError> {
    Ok(crate::audit::record(tx, Actor::User(actor), at.timestamp(), change).await.map_err(ServerError::from)?)
}

/// A version made by a console user at `at`.
fn entry_by<'a>(
    at: DateTime<Utc>,
    actor: &CurrentUser,
    rotation_id: &'a str,
    kind: VersionKind,
    name: &'a str,
    rotation: &'a Rotation,
) -> Entry<'a> {
    Entry { rotation_id, at, actor: actor.username.clone(), kind, name, rotation }
}

#[async_trait]
impl Backend for AwsBackend {
    fn location(&self) -> Option<String> {
        Some(match self.known_account() {
            Some(account) => format!("{} · {account}", self.region),
            None => self.region.clone(),
        })
    }

    async fn refresh(&self) {
        self.arns.clear();
    }

    async fn contacts(&self) -> Result<Vec<ContactView>, AppError> {
        let mut out = Vec::new();
        for (alias, arn, kind, _) in self.contact_arn_list().await? {
            let contact = self.contact_now(&alias, &arn).await?;
            let channels = if kind == ContactType::Personal {
                let list = calls::channels_of(&self.contacts, &arn).await?;
                list.iter()
                    .map(|ch| {
                        Ok(ContactChannel {
                            id: ch.contact_channel_arn().to_owned(),
                            contact_id: alias.clone(),
                            name: ch.name().to_owned(),
                            kind: channel_kind_from_aws(ch.r#type())?,
                            address: ch
                                .delivery_address()
                                .and_then(|a| a.simple_address())
                                .unwrap_or_default()
                                .to_owned(),
                            activated: *ch.activation_status() == contacts::types::ActivationStatus::Activated,
                        })
                    })
                    .collect::<Result<_, AppError>>()?
            } else {
                Vec::new()
            };
            out.push(ContactView { contact, channels });
        }
        Ok(out)
    }

    async fn rotations(&self) -> Result<Vec<RotationView>, AppError> {
        let list = calls::rotations(&self.contacts).await?;
        let now = self.clock.now();
        let mut out = Vec::new();
        for r in &list {
            let rotation =
                rotation_from_aws(r.contact_ids(), r.start_time(), r.time_zone_id().unwrap_or("UTC"), r.recurrence());
            // Only the future: AWS's plan, without the recorded past (and its GetRotation).
            let shifts = self
                .planned_shifts(
                    r.rotation_arn(),
                    now.timestamp(),
                    (now + Duration::days(crate::backend::NEXT_SHIFT_HORIZON_DAYS)).timestamp(),
                )
                .await?;
            let summary = |s: &Shift| ShiftSummary {
                start: local_time(s.start, &rotation.time_zone),
                end: local_time(s.end, &rotation.time_zone),
                members: s.members.clone(),
                names: Vec::new(),
            };
            let upcoming_overrides = self.override_entries(r.rotation_arn(), now).await?.len();
            let current = shifts.iter().find(|s| s.start <= now && now < s.end);
            let next = shifts.iter().find(|s| s.start > now);
            let week = now + Duration::days(crate::backend::GAP_LOOKAHEAD_DAYS);
            let this_week: Vec<Shift> = shifts.iter().filter(|s| s.start < week).cloned().collect();
            let gap_soon = has_gap(&this_week, now, week);
            out.push(RotationView {
                id: r.rotation_arn().to_owned(),
                name: r.name().to_owned(),
                current: current.map(summary),
                next_handoff_in_secs: next.map(|s| (s.start - now).num_seconds()),
                next: next.map(summary),
                gap_soon,
                upcoming_overrides,
                rotation,
                member_names: Vec::new(),
            });
        }
        Ok(out)
    }

    async fn response_plans(&self) -> Result<Vec<ResponsePlan>, AppError> {
        let summaries = self
            .incidents
            .list_response_plans()
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|e| aws_error("ssm-incidents:ListResponsePlans", &e))?;
        let mut out = Vec::new();
        for s in &summaries {
            self.learn_account(s.arn());
            out.push(self.response_plan_now(s.arn()).await?);
        }
        Ok(out)
    }

    async fn engagements(&self, limit: u32) -> Result<Vec<EngagementView>, AppError> {
        let mut out = Vec::new();
        for e in self.list_engagements(None).await?.iter().take(limit as usize) {
            out.push(self.engagement_view(e.engagement_arn()).await?);
        }
        Ok(out)
    }

    async fn engagement(&self, id: &str) -> Result<EngagementView, AppError> {
        self.engagement_view(id).await
    }

    async fn incidents(&self, status: Option<IncidentStatus>, limit: u32) -> Result<Vec<IncidentRecord>, AppError> {
        let mut request = self.incidents.list_incident_records();
        if let Some(status) = status {
            let value = if status == IncidentStatus::Resolved { "RESOLVED" } else { "OPEN" };
            let filter = incidents::types::Filter::builder()
                .key("status")
                .condition(incidents::types::Condition::Equals(incidents::types::AttributeValueList::StringValues(
                    vec![value.into()],
                )))
                .build();
            request = request.filters(built(filter)?);
        }
        let summaries = request
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|e| aws_error("ssm-incidents:ListIncidentRecords", &e))?;
        let mut out: Vec<IncidentRecord> = summaries
            .iter()
            .take(limit as usize)
            .map(|s| {
                self.learn_account(s.arn());
                Ok(IncidentRecord {
                    id: incident_key(s.arn()),
                    response_plan: s.arn().rsplit('/').nth(1).unwrap_or_default().to_owned(),
                    title: s.title().to_owned(),
                    summary: String::new(),
                    impact: impact_from_aws(s.impact())?,
                    status: status_from_aws(s.status())?,
                    dedupe_string: None,
                    source: s.incident_record_source().map(|x| x.source().to_owned()).unwrap_or_default(),
                    created_at: secs(s.creation_time()),
                    resolved_at: s.resolved_time().map(secs),
                })
            })
            .collect::<Result<_, AppError>>()?;
        out.sort_by_key(|r| std::cmp::Reverse(r.created_at));
        Ok(out)
    }

    /// `GetIncidentRecord` only, without the timeline's calls.
    async fn incident_record(&self, id: &str) -> Result<IncidentRecord, AppError> {
        let arn = self.incident_arn(id).await?;
        let got = self
            .incidents
            .get_incident_record()
            .arn(&arn)
            .send()
            .await
            .map_err(|e| aws_error("ssm-incidents:GetIncidentRecord", &e))?;
        got.incident_record().map(record_from_aws).ok_or(AppError::NotFound)?
    }

    /// One paged `ListIncidentRecords` of the open ones, not a `GetIncidentRecord` per id.
    async fn open_incidents(&self, ids: &[String]) -> Result<std::collections::HashSet<String>, AppError> {
        if ids.is_empty() {
            return Ok(std::collections::HashSet::new());
        }
        let open = self.incidents(Some(IncidentStatus::Open), u32::MAX).await?;
        Ok(open.into_iter().map(|r| r.id).filter(|id| ids.contains(id)).collect())
    }

    async fn incident(&self, id: &str) -> Result<IncidentDetail, AppError> {
        let record = self.incident_record(id).await?;
        let arn = self.incident_arn(id).await?;
        let summaries = self
            .incidents
            .list_timeline_events()
            .incident_record_arn(&arn)
            .sort_by(incidents::types::TimelineEventSort::EventTime)
            .sort_order(incidents::types::SortOrder::Ascending)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|e| aws_error("ssm-incidents:ListTimelineEvents", &e))?;
        let mut timeline = Vec::new();
        for s in &summaries {
            let event = self
                .incidents
                .get_timeline_event()
                .incident_record_arn(&arn)
                .event_id(s.event_id())
                .send()
                .await
                .map_err(|e| aws_error("ssm-incidents:GetTimelineEvent", &e))?;
            let Some(e) = event.event() else { continue };
            let custom = matches!(e.event_type(), "Custom Event" | "Note");
            timeline.push(TimelineEvent {
                id: e.event_id().to_owned(),
                incident_id: id.to_owned(),
                event_type: if custom { "custom".to_owned() } else { e.event_type().to_owned() },
                event_time: secs(e.event_time()),
                data: if custom {
                    serde_json::json!({ "text": e.event_data() }).to_string()
                } else {
                    e.event_data().to_owned()
                },
                created_by: None,
            });
        }
        let mut engagements = Vec::new();
        for e in &self.list_engagements(Some(arn)).await? {
            engagements.push(self.engagement_view(e.engagement_arn()).await?);
        }
        Ok(IncidentDetail { record, timeline, engagements })
    }

    /// AWS's own messages are not visible through its API; these are the console's notices
    /// with the acknowledge link (e-mail and SMS only, so no webhook URL to redact).
    async fn deliveries(&self, limit: u32) -> Result<Vec<DeliveryEntry>, AppError> {
        Ok(crate::engine::outbox::newest(&self.db, limit).await?)
    }

    async fn incident_deliveries(&self, incident: &IncidentDetail) -> Result<Vec<DeliveryEntry>, AppError> {
        let arns: Vec<String> = incident.engagements.iter().map(|e| e.id.clone()).collect();
        Ok(crate::engine::outbox::of_aws_engagements(&self.db, &arns).await?)
    }

    /// The past as the console recorded it; before the console first saw the rotation, and from
    /// now on, as AWS computes it.
    async fn rotation_shifts(&self, rotation_id: &str, from: i64, to: i64) -> Result<Vec<Shift>, AppError> {
        let now = self.clock.now().timestamp();
        let roster = self.roster(rotation_id).await?;
        let seen = roster.first_seen().map_or(now, |t| t.timestamp()).min(now);
        let mut shifts = Vec::new();
        if from < seen {
            shifts = self.planned_shifts(rotation_id, from, to.min(seen)).await?;
        }
        if from.max(seen) < to.min(now) {
            shifts = join_shifts(shifts, roster.shifts(from_epoch(from.max(seen)), from_epoch(to.min(now))));
        }
        if to > now {
            shifts = join_shifts(shifts, self.planned_shifts(rotation_id, from.max(now), to).await?);
        }
        Ok(shifts)
    }

    async fn create_rotation(&self, actor: &CurrentUser, name: &str, rotation: Rotation) -> Result<String, AppError> {
        let members = self.member_arns(&rotation.members).await?;
        // Names are unique in the console (AWS allows twins; the local engine does not).
        let mut tx = self.db.begin_write().await.map_err(ServerError::from)?;
        crate::db::lock_subject(&mut tx, self.db.dialect, "rotation-names").await.map_err(ServerError::from)?;
        if calls::rotations(&self.contacts).await?.iter().any(|r| r.name().trim() == name.trim()) {
            return Err(AppError::Invalid(vec![FieldError::new("name", Msg::ErrRotationNameTaken)]));
        }
        let result = self
            .contacts
            .create_rotation()
            .name(name)
            .set_contact_ids(Some(members))
            .start_time(AwsTime::from_secs(rotation.start.timestamp()))
            .time_zone_id(&rotation.time_zone)
            .recurrence(recurrence_to_aws(&rotation)?)
            .send()
            .await;
        self.arns.clear();
        let created = result.map_err(|e| aws_error("ssm-contacts:CreateRotation", &e))?;
        let arn = created.rotation_arn().to_owned();
        audited(&mut tx, actor, self.clock.now(), Change::created("rotation", &arn, &rotation)).await?;
        tx.commit().await.map_err(ServerError::from)?;
        self.observed(&arn).await?;
        Ok(arn)
    }

    async fn rotation(&self, id: &str) -> Result<RotationDetail, AppError> {
        let (name, rotation, head) = self.observed(id).await?;
        Ok(RotationDetail {
            id: id.to_owned(),
            name,
            rotation,
            version: head.version,
            definition_version: head.definition_version,
            swap_approval: head.swap_approval,
            overrides: self.override_entries(id, self.clock.now()).await?,
        })
    }

    async fn roster(&self, id: &str) -> Result<Roster, AppError> {
        self.observed(id).await?;
        let mut conn = self.db.pool.acquire().await.map_err(ServerError::from)?;
        Ok(roster::load(&mut conn, id).await?)
    }

    async fn update_rotation(
        &self,
        actor: &CurrentUser,
        id: &str,
        base: u32,
        name: &str,
        rotation: Rotation,
    ) -> Result<u32, AppError> {
        self.save_definition(actor, id, base, name, rotation, VersionKind::Edited).await
    }

    async fn restore_rotation(&self, actor: &CurrentUser, id: &str, from: u32, base: u32) -> Result<u32, AppError> {
        let roster = self.roster(id).await?;
        let old = roster.versions.iter().find(|v| v.version == from).ok_or(AppError::NotFound)?;
        let (name, rotation) = (old.name.clone(), old.rotation.clone());
        self.save_definition(actor, id, base, &name, rotation, VersionKind::Restored { from }).await
    }

    async fn add_override(&self, actor: &CurrentUser, rotation_id: &str, o: Override) -> Result<String, AppError> {
        let (name, rotation, _) = self.observed(rotation_id).await?;
        o.validate(&rotation, self.clock.now()).map_err(AppError::Invalid)?;
        let members = self.member_arns(&o.members).await?;
        let mut tx = self.db.begin_write().await.map_err(ServerError::from)?;
        let version = roster::claim(&mut tx, rotation_id).await?;
        let result = self
            .contacts
            .create_rotation_override()
            .rotation_id(rotation_id)
            .set_new_contact_ids(Some(members))
            .start_time(AwsTime::from_secs(o.start.timestamp()))
            .end_time(AwsTime::from_secs(o.end.timestamp()))
            .send()
            .await;
        self.arns.clear();
        let id = result.map_err(|e| aws_error("ssm-contacts:CreateRotationOverride", &e))?.rotation_override_id;
        audited(&mut tx, actor, self.clock.now(), Change::created("override", &id, &o)).await?;
        let kind = VersionKind::OverrideAdded { id: id.clone(), value: o };
        roster::insert(&mut tx, version, entry_by(self.clock.now(), actor, rotation_id, kind, &name, &rotation))
            .await?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok(id)
    }

    async fn delete_override(&self, actor: &CurrentUser, rotation_id: &str, override_id: &str) -> Result<(), AppError> {
        let (name, rotation, _) = self.observed(rotation_id).await?;
        let mut tx = self.db.begin_write().await.map_err(ServerError::from)?;
        let version = roster::claim(&mut tx, rotation_id).await?;
        let result = self
            .contacts
            .delete_rotation_override()
            .rotation_id(rotation_id)
            .rotation_override_id(override_id)
            .send()
            .await;
        self.arns.clear();
        result.map_err(|e| aws_error("ssm-contacts:DeleteRotationOverride", &e))?;
        audited(&mut tx, actor, self.clock.now(), Change::<()>::deleted("override", override_id, &())).await?;
        let kind = VersionKind::OverrideRemoved { id: override_id.to_owned() };
        roster::insert(&mut tx, version, entry_by(self.clock.now(), actor, rotation_id, kind, &name, &rotation))
            .await?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok(())
    }

    async fn set_swap_approval(&self, actor: &CurrentUser, rotation_id: &str, required: bool) -> Result<(), AppError> {
        let (.., head) = self.observed(rotation_id).await?;
        let mut tx = self.db.begin_write().await.map_err(ServerError::from)?;
        roster::set_swap_approval(&mut tx, rotation_id, required).await?;
        audited(
            &mut tx,
            actor,
            self.clock.now(),
            Change::updated("rotation_swap_approval", rotation_id, &head.swap_approval, &required),
        )
        .await?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok(())
    }

    async fn create_contact(&self, actor: &CurrentUser, contact: Contact) -> Result<(), AppError> {
        self.validate(&contact).await?;
        let plan = self.plan_to_aws(&contact.plan).await?;
        let mut tx = self.db.begin_write().await.map_err(ServerError::from)?;
        let result = self
            .contacts
            .create_contact()
            .alias(&contact.alias)
            .display_name(&contact.display_name)
            .r#type(kind_to_aws(contact.kind))
            .plan(plan)
            .send()
            .await;
        self.arns.clear();
        let created =
            result.map_err(|e| taken(aws_error("ssm-contacts:CreateContact", &e), "alias", Msg::ErrAliasTaken))?;
        self.learn_account(created.contact_arn());
        audited(&mut tx, actor, self.clock.now(), Change::created("contact", &contact.alias, &contact)).await?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok(())
    }

    async fn update_contact(&self, actor: &CurrentUser, contact: Contact, base: &str) -> Result<(), AppError> {
        let arn = self.contact_arn(&contact.alias).await?;
        self.validate(&contact).await?;
        let plan = self.plan_to_aws(&contact.plan).await?;
        // Console saves of one contact queue behind each other (the write lane on SQLite, a lock
        // on PostgreSQL); the check reads AWS itself, so an edit made anywhere else counts too.
        let mut tx = self.db.begin_write().await.map_err(ServerError::from)?;
        crate::db::lock_subject(&mut tx, self.db.dialect, &format!("contact:{arn}"))
            .await
            .map_err(ServerError::from)?;
        let before = self.contact_now(&contact.alias, &arn).await?;
        if before.fingerprint() != base {
            return Err(AppError::StaleEdit);
        }
        let result =
            self.contacts.update_contact().contact_id(arn).display_name(&contact.display_name).plan(plan).send().await;
        self.arns.clear();
        result.map_err(|e| aws_error("ssm-contacts:UpdateContact", &e))?;
        audited(&mut tx, actor, self.clock.now(), Change::updated("contact", &contact.alias, &before, &contact))
            .await?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok(())
    }

    async fn add_channel(&self, _actor: &CurrentUser, channel: ContactChannel) -> Result<ContactChannel, AppError> {
        let arn = self.contact_arn(&channel.contact_id).await?;
        let address = contacts::types::ContactChannelAddress::builder().simple_address(&channel.address).build();
        let result = self
            .contacts
            .create_contact_channel()
            .contact_id(arn)
            .name(&channel.name)
            .r#type(channel_kind_to_aws(channel.kind))
            .delivery_address(address)
            .send()
            .await;
        self.arns.clear();
        let created = result.map_err(|e| aws_error("ssm-contacts:CreateContactChannel", &e))?;
        Ok(ContactChannel { id: created.contact_channel_arn().to_owned(), activated: false, ..channel })
    }

    async fn send_activation_code(&self, actor: &CurrentUser, channel_id: &str) -> Result<(), AppError> {
        let result = self.contacts.send_activation_code().contact_channel_id(channel_id).send().await;
        result.map_err(|e| aws_error("ssm-contacts:SendActivationCode", &e))?;
        self.audit_action(actor, Change::action("channel", channel_id, "send_activation_code")).await
    }

    async fn delete_channel(&self, actor: &CurrentUser, channel_id: &str) -> Result<(), AppError> {
        let result = self.contacts.delete_contact_channel().contact_channel_id(channel_id).send().await;
        self.arns.clear();
        result.map_err(|e| aws_error("ssm-contacts:DeleteContactChannel", &e))?;
        self.audit_action(actor, Change::action("channel", channel_id, "delete")).await
    }

    async fn delete_contact(&self, actor: &CurrentUser, alias: &str) -> Result<(), AppError> {
        let arn = self.contact_arn(alias).await?;
        let before = self.contact_now(alias, &arn).await?;
        let result = self.contacts.delete_contact().contact_id(arn).send().await;
        self.arns.clear();
        result.map_err(|e| aws_error("ssm-contacts:DeleteContact", &e))?;
        self.audit_action(actor, Change::deleted("contact", alias, &before)).await
    }

    async fn activate_channel(&self, _actor: &CurrentUser, channel_id: &str, code: &str) -> Result<(), AppError> {
        let result =
            self.contacts.activate_contact_channel().contact_channel_id(channel_id).activation_code(code).send().await;
        self.arns.clear();
        result.map_err(|e| aws_error("ssm-contacts:ActivateContactChannel", &e))?;
        Ok(())
    }

    async fn start_engagement(&self, _actor: &CurrentUser, start: EngagementStart) -> Result<String, AppError> {
        let contact = self.contact_arn(&start.contact).await?;
        let incident = match &start.incident_id {
            Some(key) => Some(self.incident_arn(key).await?),
            None => None,
        };
        let result = self
            .contacts
            .start_engagement()
            .contact_id(contact)
            .sender(&start.sender)
            .subject(&start.subject)
            .content(&start.content)
            .set_incident_id(incident)
            .set_idempotency_token(start.idempotency_token.clone())
            .send()
            .await;
        self.arns.clear();
        let started = result.map_err(|e| aws_error("ssm-contacts:StartEngagement", &e))?;
        self.watch(started.engagement_arn(), notices::Started::Engagement).await;
        Ok(started.engagement_arn().to_owned())
    }

    async fn stop_engagement(&self, actor: &CurrentUser, id: &str) -> Result<(), AppError> {
        self.stop_audited(Actor::User(actor), id, &app::domain::stop_reason::stopped_by(&actor.username)).await
    }

    async fn stop_engagement_as_recipient(&self, id: &str, contact: &str) -> Result<(), AppError> {
        let reason = app::domain::stop_reason::stopped_after_acknowledging(contact);
        self.stop_audited(Actor::Recipient(contact), id, &reason).await
    }

    async fn accept_page(&self, _actor: &CurrentUser, page_id: &str, code: &str) -> Result<(), AppError> {
        let result = self
            .contacts
            .accept_page()
            .page_id(page_id)
            .accept_type(contacts::types::AcceptType::Read)
            .accept_code(code)
            .accept_code_validation(contacts::types::AcceptCodeValidation::Enforce)
            .send()
            .await;
        self.arns.clear();
        result.map_err(|e| aws_error("ssm-contacts:AcceptPage", &e))?;
        Ok(())
    }

    async fn pages_of(&self, contact: &str, limit: u32) -> Result<Vec<app::model::me::MyPage>, AppError> {
        let arn = self.contact_arn(contact).await?;
        let pages = self
            .contacts
            .list_pages_by_contact()
            .contact_id(&arn)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|e| aws_error("ssm-contacts:ListPagesByContact", &e))?;
        let mut newest: Vec<_> = pages.iter().collect();
        newest.sort_by_key(|p| std::cmp::Reverse(p.sent_time().map_or(0, secs)));
        let mut out = Vec::new();
        for p in newest.into_iter().take(limit as usize) {
            let e = self
                .contacts
                .describe_engagement()
                .engagement_id(p.engagement_arn())
                .send()
                .await
                .map_err(|err| aws_error("ssm-contacts:DescribeEngagement", &err))?;
            out.push(app::model::me::MyPage {
                page_id: p.page_arn().to_owned(),
                engagement_id: p.engagement_arn().to_owned(),
                subject: e.subject().to_owned(),
                incident_id: p.incident_id().map(str::to_owned),
                sent_at: p.sent_time().map_or(0, secs),
                read_at: p.read_time().map(secs),
                open: p.read_time().is_none() && e.stop_time().is_none(),
                engagement_running: e.stop_time().is_none(),
                ahead: None,
            });
        }
        Ok(out)
    }

    /// The console's token or number is the proof, so AWS's code (which the console never
    /// sees) is not checked; the note says how it was acknowledged.
    async fn accept_page_as_recipient(&self, page_id: &str, how: &str) -> Result<(), AppError> {
        let result = self
            .contacts
            .accept_page()
            .page_id(page_id)
            .accept_type(contacts::types::AcceptType::Read)
            .accept_code("000000")
            .accept_code_validation(contacts::types::AcceptCodeValidation::Ignore)
            .note(how)
            .send()
            .await;
        self.arns.clear();
        result.map_err(|e| aws_error("ssm-contacts:AcceptPage", &e))?;
        // Incident Manager does not say on the incident who acknowledged; the console does.
        // The page is acknowledged whatever happens here, so a failure is logged, not returned.
        if let Err(e) = self.note_acceptance(page_id, how).await {
            tracing::error!(error = ?e, "the acknowledgement is not on the incident's timeline");
        }
        Ok(())
    }

    async fn create_response_plan(&self, actor: &CurrentUser, plan: ResponsePlan) -> Result<(), AppError> {
        if !plan.notification_targets.is_empty() {
            return Err(AppError::Invalid(vec![FieldError::new(
                "notification_targets",
                Msg::ErrAwsNotificationTargets,
            )]));
        }
        let mut engagements = Vec::new();
        for alias in &plan.engagements {
            engagements.push(self.contact_arn(alias).await?);
        }
        let template = incidents::types::IncidentTemplate::builder()
            .title(&plan.template.title)
            .impact(i32::from(plan.template.impact))
            .summary(&plan.template.summary)
            .set_dedupe_string(Some(plan.template.dedupe_string.clone()).filter(|d| !d.is_empty()))
            .build();
        let mut tx = self.db.begin_write().await.map_err(ServerError::from)?;
        let result = self
            .incidents
            .create_response_plan()
            .name(&plan.name)
            .display_name(&plan.display_name)
            .incident_template(built(template)?)
            .set_engagements(Some(engagements))
            .send()
            .await;
        self.arns.clear();
        let created = result
            .map_err(|e| taken(aws_error("ssm-incidents:CreateResponsePlan", &e), "name", Msg::ErrPlanNameTaken))?;
        self.learn_account(created.arn());
        audited(&mut tx, actor, self.clock.now(), Change::created("response_plan", &plan.name, &plan)).await?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok(())
    }

    async fn update_response_plan(&self, actor: &CurrentUser, plan: ResponsePlan, base: &str) -> Result<(), AppError> {
        if !plan.notification_targets.is_empty() {
            // AWS plans notify through their chat channel (SNS topics), set in AWS.
            return Err(AppError::Invalid(vec![FieldError::new(
                "notification_targets",
                Msg::ErrAwsNotificationTargets,
            )]));
        }
        let list = self.contact_arn_list().await?;
        let known = crate::engine::contacts::Known {
            contacts: list.iter().map(|(alias, _, kind, _)| (alias.clone(), *kind)).collect(),
            channels: std::collections::HashMap::new(),
            rotations: std::collections::HashSet::new(),
        };
        plan.validate(&known).map_err(AppError::Invalid)?;
        let arn = self.plan_arn(&plan.name).await?;
        let mut engagements = Vec::new();
        for alias in &plan.engagements {
            engagements.push(self.contact_arn(alias).await?);
        }
        let mut tx = self.db.begin_write().await.map_err(ServerError::from)?;
        crate::db::lock_subject(&mut tx, self.db.dialect, &format!("response-plan:{arn}"))
            .await
            .map_err(ServerError::from)?;
        let before = self.response_plan_now(&arn).await?;
        if app::domain::names::fingerprint(&before) != base {
            return Err(AppError::StaleEdit);
        }
        let result = self
            .incidents
            .update_response_plan()
            .arn(&arn)
            .display_name(&plan.display_name)
            .incident_template_title(&plan.template.title)
            .incident_template_impact(i32::from(plan.template.impact))
            .incident_template_summary(&plan.template.summary)
            .incident_template_dedupe_string(&plan.template.dedupe_string)
            .set_engagements(Some(engagements))
            .send()
            .await;
        self.arns.clear();
        result.map_err(|e| aws_error("ssm-incidents:UpdateResponsePlan", &e))?;
        audited(&mut tx, actor, self.clock.now(), Change::updated("response_plan", &plan.name, &before, &plan)).await?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok(())
    }

    async fn start_incident(&self, _actor: &CurrentUser, start: IncidentStart) -> Result<String, AppError> {
        let plan = self.plan_arn(&start.response_plan).await?;
        let result = self
            .incidents
            .start_incident()
            .response_plan_arn(plan)
            .set_title(start.title.clone())
            .set_impact(start.impact.map(i32::from))
            .set_client_token(start.client_token.clone())
            .set_trigger_details(start.source.as_ref().and_then(|source| {
                incidents::types::TriggerDetails::builder()
                    .source(source)
                    .timestamp(AwsTime::from_secs(self.clock.now().timestamp()))
                    .build()
                    .ok()
            }))
            .send()
            .await;
        self.arns.clear();
        let started = result.map_err(|e| aws_error("ssm-incidents:StartIncident", &e))?;
        self.watch(started.incident_record_arn(), notices::Started::Incident).await;
        Ok(incident_key(started.incident_record_arn()))
    }

    async fn update_incident(&self, _actor: &CurrentUser, id: &str, update: IncidentUpdate) -> Result<(), AppError> {
        // Incident Manager has no conditional update: the summary's base is checked just before
        // the write (a change in between is last-writer-wins, as in the AWS console).
        if let Some(base) = &update.summary_base
            && self.incident(id).await?.record.summary != *base
        {
            return Err(AppError::StaleEdit);
        }
        let arn = self.incident_arn(id).await?;
        let status = update.status.map(|s| match s {
            IncidentStatus::Open => incidents::types::IncidentRecordStatus::Open,
            IncidentStatus::Resolved => incidents::types::IncidentRecordStatus::Resolved,
        });
        let result = self
            .incidents
            .update_incident_record()
            .arn(arn)
            .set_title(update.title)
            .set_summary(update.summary)
            .set_impact(update.impact.map(i32::from))
            .set_status(status)
            .send()
            .await;
        self.arns.clear();
        result.map_err(|e| aws_error("ssm-incidents:UpdateIncidentRecord", &e))?;
        Ok(())
    }

    async fn add_timeline_note(&self, _actor: &CurrentUser, incident_id: &str, text: &str) -> Result<String, AppError> {
        let arn = self.incident_arn(incident_id).await?;
        let result = self
            .incidents
            .create_timeline_event()
            .incident_record_arn(arn)
            .event_time(AwsTime::from_secs(self.clock.now().timestamp()))
            .event_type("Custom Event")
            .event_data(text)
            .send()
            .await;
        self.arns.clear();
        let created = result.map_err(|e| aws_error("ssm-incidents:CreateTimelineEvent", &e))?;
        Ok(created.event_id().to_owned())
    }

    async fn edit_timeline_note(
        &self,
        _actor: &CurrentUser,
        incident_id: &str,
        event_id: &str,
        text: &str,
    ) -> Result<(), AppError> {
        let arn = self.custom_event_incident(incident_id, event_id).await?;
        let result = self
            .incidents
            .update_timeline_event()
            .incident_record_arn(arn)
            .event_id(event_id)
            .event_data(text)
            .send()
            .await;
        self.arns.clear();
        result.map_err(|e| aws_error("ssm-incidents:UpdateTimelineEvent", &e))?;
        Ok(())
    }

    /// The related items whose value is a URL (the ones the console shows and adds).
    async fn related_links(&self, incident_id: &str) -> Result<Vec<RelatedLink>, AppError> {
        let arn = self.incident_arn(incident_id).await?;
        let items = self
            .incidents
            .list_related_items()
            .incident_record_arn(arn)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|e| aws_error("ssm-incidents:ListRelatedItems", &e))?;
        Ok(items
            .iter()
            .filter_map(|item| {
                let Some(incidents::types::ItemValue::Url(url)) = item.identifier()?.value() else { return None };
                Some(RelatedLink {
                    id: item.generated_id().unwrap_or(url).to_owned(),
                    url: url.clone(),
                    title: item.title().filter(|t| !t.is_empty()).unwrap_or(url).to_owned(),
                })
            })
            .collect())
    }

    /// Checked as the local engine checks it (Incident Manager would take any string, twice).
    async fn add_related_link(
        &self,
        _actor: &CurrentUser,
        incident_id: &str,
        url: &str,
        title: &str,
    ) -> Result<RelatedLink, AppError> {
        use app::domain::incident::{check_new_link, parse_link};
        let (url, title) = parse_link(url, title).map_err(AppError::Invalid)?;
        let existing = self.related_links(incident_id).await?;
        check_new_link(existing.iter().map(|l| l.url.as_str()), &url).map_err(AppError::Invalid)?;
        let item = incidents::types::RelatedItem::builder().identifier(url_identifier(&url)?).title(&title).build();
        self.update_related(incident_id, incidents::types::RelatedItemsUpdate::ItemToAdd(item)).await?;
        let added = self.related_links(incident_id).await?.into_iter().find(|l| l.url == url);
        added.ok_or(AppError::NotFound)
    }

    async fn remove_related_link(
        &self,
        _actor: &CurrentUser,
        incident_id: &str,
        link_id: &str,
    ) -> Result<(), AppError> {
        let links = self.related_links(incident_id).await?;
        let link = links.iter().find(|l| l.id == link_id).ok_or(AppError::NotFound)?;
        let identifier = url_identifier(&link.url)?;
        self.update_related(incident_id, incidents::types::RelatedItemsUpdate::ItemToRemove(identifier)).await
    }

    async fn delete_timeline_note(
        &self,
        _actor: &CurrentUser,
        incident_id: &str,
        event_id: &str,
    ) -> Result<(), AppError> {
        let arn = self.custom_event_incident(incident_id, event_id).await?;
        let result = self.incidents.delete_timeline_event().incident_record_arn(arn).event_id(event_id).send().await;
        self.arns.clear();
        result.map_err(|e| aws_error("ssm-incidents:DeleteTimelineEvent", &e))?;
        Ok(())
    }
}

/// A URL as Incident Manager identifies a related item (type `OTHER`, as its console adds them).
fn url_identifier(url: &str) -> Result<incidents::types::ItemIdentifier, AppError> {
    built(
        incidents::types::ItemIdentifier::builder()
            .r#type(incidents::types::ItemType::Other)
            .value(incidents::types::ItemValue::Url(url.to_owned()))
            .build(),
    )
}
