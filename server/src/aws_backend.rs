//! AWS mode: the console's backend interface over SSM Contacts and SSM Incidents through the AWS
//! SDK (default credential chain, profiles, region; endpoint override by flag or the standard
//! `AWS_ENDPOINT_URL_SSM_CONTACTS` / `AWS_ENDPOINT_URL_SSM_INCIDENTS` variables). Reads are cached
//! for a short while; every write and an explicit refresh forget the cache. The SDK's standard
//! retry handles throttling; errors reach the user in plain words.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use async_trait::async_trait;
use aws_config::BehaviorVersion;
use aws_sdk_ssmcontacts as contacts;
use aws_sdk_ssmincidents as incidents;
use aws_smithy_types::DateTime as AwsTime;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use chrono::{DateTime, Duration, Utc, Weekday};

use app::auth::CurrentUser;
use app::domain::contact::{ChannelType, Contact, ContactChannel, ContactType, Plan, Stage, Target};
use app::domain::delivery::ReceiptKind;
use app::domain::incident::{
    IncidentRecord, IncidentStatus, IncidentTemplate, IncidentUpdate, ResponsePlan, TimelineEvent,
};
use app::domain::roster::{Roster, VersionKind, has_gap, join_shifts};
use app::domain::rotation::Override;
use app::domain::rotation::{Coverage, HandOff, HandOffTime, Rotation, Shift, ShiftKind, local_time};
use app::error::{AppError, AwsProblem, FieldError};
use app::i18n::Msg;
use app::model::oncall::{
    ContactView, DeliveryEntry, EngagementView, IncidentDetail, PageEntry, ReceiptEntry, RotationView, ShiftSummary,
};
use app::model::rotations::{OverrideEntry, RotationDetail};
use app::ports::{Backend, EngagementStart, IncidentStart};

use crate::audit::{Actor, Change};
use crate::clock::from_epoch;
use crate::db::Db;
use crate::error::ServerError;
use crate::roster::{self, Entry, Head};

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
    cache: ReadCache,
    /// The console's own database, for the roster history AWS does not keep.
    db: Db,
}

/// A cached read: when it was made, and the value (of whichever type the read returns).
type Cached = (Instant, Arc<dyn Any + Send + Sync>);

struct ReadCache {
    ttl: StdDuration,
    entries: Mutex<HashMap<String, Cached>>,
}

impl ReadCache {
    fn get<T: Clone + Send + Sync + 'static>(&self, key: &str) -> Option<T> {
        let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (at, value) = entries.get(key)?;
        (at.elapsed() < self.ttl).then(|| value.downcast_ref::<T>().cloned()).flatten()
    }
    fn put<T: Clone + Send + Sync + 'static>(&self, key: &str, value: &T) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.insert(key.to_owned(), (Instant::now(), Arc::new(value.clone())));
    }
    fn clear(&self) {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }
}

/// Turns an SDK failure into words a person can act on; `action` is the IAM action called.
fn aws_error<E>(
    action: &str,
    err: &aws_sdk_ssmcontacts::error::SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> AppError
where
    E: ProvideErrorMetadata,
{
    use aws_sdk_ssmcontacts::error::SdkError;
    match err {
        SdkError::ServiceError(e) => {
            let code = e.err().code().unwrap_or("Unknown").to_owned();
            let message = e.err().message().unwrap_or_default().to_owned();
            match code.as_str() {
                "AccessDeniedException"
                | "AccessDenied"
                | "UnrecognizedClientException"
                | "InvalidSignatureException"
                | "MissingAuthenticationTokenException" => {
                    AppError::Aws(AwsProblem::AccessDenied { action: action.to_owned() })
                }
                "ThrottlingException" | "TooManyRequestsException" => AppError::Aws(AwsProblem::Throttled),
                "ResourceNotFoundException" => AppError::NotFound,
                "ValidationException" => {
                    validation(e.raw().body().bytes()).unwrap_or(AppError::Aws(AwsProblem::Rejected { code, message }))
                }
                _ => AppError::Aws(AwsProblem::Rejected { code, message }),
            }
        }
        SdkError::TimeoutError(_) => AppError::Aws(AwsProblem::Unreachable { detail: "timed out".into() }),
        SdkError::DispatchFailure(e) => {
            AppError::Aws(AwsProblem::Unreachable { detail: format!("{e:?}").chars().take(200).collect() })
        }
        other => AppError::Aws(AwsProblem::Rejected { code: "ResponseError".into(), message: format!("{other}") }),
    }
}

/// A ValidationException that lists its fields becomes per-field errors; a message the console
/// itself wrote (the console's SSM API) is the same message again.
fn validation(body: Option<&[u8]>) -> Option<AppError> {
    let body: serde_json::Value = serde_json::from_slice(body?).ok()?;
    let fields = body.get("Fields").or_else(|| body.get("fields"))?.as_array()?;
    let errors: Vec<FieldError> = fields
        .iter()
        .filter_map(|f| {
            let name = f.get("Name").or_else(|| f.get("name"))?.as_str()?;
            let text = f.get("Message").or_else(|| f.get("message")).and_then(|m| m.as_str()).unwrap_or_default();
            Some(FieldError::new(&domain_field(name), Msg::from_english(text).unwrap_or(Msg::ErrBackendRejected)))
        })
        .collect();
    (!errors.is_empty()).then_some(AppError::Invalid(errors))
}

/// A request member path (`Plan.Stages[0].DurationInMinutes`) as the console names the field
/// (`plan.stages.0.duration_minutes`), so AWS's errors land next to the same form fields.
fn domain_field(wire: &str) -> String {
    const RENAMES: [(&str, &str); 6] = [
        ("duration_in_minutes", "duration_minutes"),
        ("time_zone_id", "time_zone"),
        ("contact_ids", "members"),
        ("recurrence_multiplier", "multiplier"),
        ("number_of_on_calls", "number_on_call"),
        ("retry_interval_in_minutes", "retry_minutes"),
    ];
    let mut out = String::new();
    for (i, c) in wire.replace('[', ".").replace(']', "").chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 && !out.ends_with('.') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out.split('.')
        .map(|part| RENAMES.iter().find(|(w, _)| *w == part).map_or(part, |(_, d)| d))
        .collect::<Vec<_>>()
        .join(".")
}

/// Maps a ConflictException on a create to "this name is taken" on the named field.
fn taken(err: AppError, field: &str, msg: Msg) -> AppError {
    match err {
        AppError::Aws(AwsProblem::Rejected { code, .. }) if code == "ConflictException" => {
            AppError::Invalid(vec![FieldError::new(field, msg)])
        }
        other => other,
    }
}

fn secs(t: &AwsTime) -> i64 {
    t.secs()
}

fn chrono_of(t: &AwsTime) -> DateTime<Utc> {
    DateTime::from_timestamp(t.secs(), 0).unwrap_or_default()
}

/// The last `/` segment of an ARN: a contact's alias, an engine id.
fn last_segment(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_owned()
}

/// An incident ARN (`…:incident-record/<plan>/<id>`) as a URL-safe id: `<plan>.<id>`.
fn incident_key(arn: &str) -> String {
    let mut parts = arn.rsplit('/');
    let id = parts.next().unwrap_or_default();
    let plan = parts.next().unwrap_or_default();
    format!("{plan}.{id}")
}

const DAYS: [(Weekday, contacts::types::DayOfWeek); 7] = [
    (Weekday::Mon, contacts::types::DayOfWeek::Mon),
    (Weekday::Tue, contacts::types::DayOfWeek::Tue),
    (Weekday::Wed, contacts::types::DayOfWeek::Wed),
    (Weekday::Thu, contacts::types::DayOfWeek::Thu),
    (Weekday::Fri, contacts::types::DayOfWeek::Fri),
    (Weekday::Sat, contacts::types::DayOfWeek::Sat),
    (Weekday::Sun, contacts::types::DayOfWeek::Sun),
];

fn day_to_aws(d: Weekday) -> contacts::types::DayOfWeek {
    DAYS.iter().find(|(w, _)| *w == d).map_or(contacts::types::DayOfWeek::Mon, |(_, a)| a.clone())
}

fn day_from_aws(d: &contacts::types::DayOfWeek) -> Weekday {
    DAYS.iter().find(|(_, a)| a == d).map_or(Weekday::Mon, |(w, _)| *w)
}

fn time_to_aws(t: HandOffTime) -> contacts::types::HandOffTime {
    contacts::types::HandOffTime::builder().hour_of_day(i32::from(t.hour)).minute_of_hour(i32::from(t.minute)).build()
}

fn time_from_aws(t: &contacts::types::HandOffTime) -> HandOffTime {
    HandOffTime::new(u8::try_from(t.hour_of_day()).unwrap_or(0), u8::try_from(t.minute_of_hour()).unwrap_or(0))
}

fn built<T>(r: Result<T, aws_smithy_types::error::operation::BuildError>) -> Result<T, AppError> {
    r.map_err(|e| AppError::Aws(AwsProblem::Rejected { code: "BuildError".into(), message: e.to_string() }))
}

fn recurrence_to_aws(r: &Rotation) -> Result<contacts::types::RecurrenceSettings, AppError> {
    let mut b = contacts::types::RecurrenceSettings::builder()
        .number_of_on_calls(i32::try_from(r.number_on_call).unwrap_or(1))
        .recurrence_multiplier(i32::try_from(r.multiplier).unwrap_or(1));
    match &r.handoff {
        HandOff::Daily(times) => b = b.set_daily_settings(Some(times.iter().map(|t| time_to_aws(*t)).collect())),
        HandOff::Weekly(days) => {
            let settings = days
                .iter()
                .map(|(d, t)| {
                    built(
                        contacts::types::WeeklySetting::builder()
                            .day_of_week(day_to_aws(*d))
                            .hand_off_time(time_to_aws(*t))
                            .build(),
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            b = b.set_weekly_settings(Some(settings));
        }
        HandOff::Monthly(days) => {
            let settings = days
                .iter()
                .map(|(d, t)| {
                    built(
                        contacts::types::MonthlySetting::builder()
                            .day_of_month(i32::from(*d))
                            .hand_off_time(time_to_aws(*t))
                            .build(),
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            b = b.set_monthly_settings(Some(settings));
        }
    }
    for c in &r.coverage {
        let window =
            contacts::types::CoverageTime::builder().start(time_to_aws(c.start)).end(time_to_aws(c.end)).build();
        let mut existing = b.get_shift_coverages().clone().unwrap_or_default();
        existing.entry(day_to_aws(c.day)).or_default().push(window);
        b = b.set_shift_coverages(Some(existing));
    }
    built(b.build())
}

fn rotation_from_aws(
    members: &[String],
    start: Option<&AwsTime>,
    zone: &str,
    r: Option<&contacts::types::RecurrenceSettings>,
) -> Rotation {
    let handoff = match r {
        Some(r) if !r.weekly_settings().is_empty() => HandOff::Weekly(
            r.weekly_settings()
                .iter()
                .map(|w| {
                    (day_from_aws(w.day_of_week()), w.hand_off_time().map_or(HandOffTime::new(0, 0), time_from_aws))
                })
                .collect(),
        ),
        Some(r) if !r.monthly_settings().is_empty() => HandOff::Monthly(
            r.monthly_settings()
                .iter()
                .map(|m| {
                    (
                        u8::try_from(m.day_of_month()).unwrap_or(1),
                        m.hand_off_time().map_or(HandOffTime::new(0, 0), time_from_aws),
                    )
                })
                .collect(),
        ),
        Some(r) => HandOff::Daily(r.daily_settings().iter().map(time_from_aws).collect()),
        None => HandOff::Daily(Vec::new()),
    };
    let mut coverage = Vec::new();
    for (day, windows) in r.and_then(|r| r.shift_coverages()).into_iter().flatten() {
        for w in windows {
            coverage.push(Coverage {
                day: day_from_aws(day),
                start: w.start().map_or(HandOffTime::new(0, 0), time_from_aws),
                end: w.end().map_or(HandOffTime::new(24, 0), time_from_aws),
            });
        }
    }
    coverage.sort_by_key(|c| (c.day.num_days_from_monday(), c.start));
    Rotation {
        members: members.iter().map(|m| last_segment(m)).collect(),
        start: start.map(chrono_of).unwrap_or_default(),
        time_zone: zone.to_owned(),
        handoff,
        multiplier: r.map_or(1, |r| u32::try_from(r.recurrence_multiplier()).unwrap_or(1)),
        number_on_call: r.map_or(1, |r| u32::try_from(r.number_of_on_calls()).unwrap_or(1)),
        coverage,
    }
}

fn kind_from_aws(t: &contacts::types::ContactType) -> ContactType {
    match t {
        contacts::types::ContactType::Escalation => ContactType::Escalation,
        contacts::types::ContactType::OncallSchedule => ContactType::OncallSchedule,
        _ => ContactType::Personal,
    }
}

fn kind_to_aws(t: ContactType) -> contacts::types::ContactType {
    match t {
        ContactType::Personal => contacts::types::ContactType::Personal,
        ContactType::Escalation => contacts::types::ContactType::Escalation,
        ContactType::OncallSchedule => contacts::types::ContactType::OncallSchedule,
    }
}

fn plan_from_aws(plan: Option<&contacts::types::Plan>) -> Plan {
    let Some(plan) = plan else { return Plan::default() };
    Plan {
        stages: plan
            .stages()
            .iter()
            .map(|s| Stage {
                duration_minutes: u32::try_from(s.duration_in_minutes()).unwrap_or(0),
                targets: s
                    .targets()
                    .iter()
                    .filter_map(|t| {
                        if let Some(ch) = t.channel_target_info() {
                            return Some(Target::Channel {
                                channel_id: ch.contact_channel_id().to_owned(),
                                retry_minutes: ch
                                    .retry_interval_in_minutes()
                                    .and_then(|m| u32::try_from(m).ok())
                                    .unwrap_or(0),
                            });
                        }
                        t.contact_target_info().map(|ct| Target::Contact {
                            contact_id: last_segment(ct.contact_id().unwrap_or_default()),
                            essential: ct.is_essential(),
                        })
                    })
                    .collect(),
            })
            .collect(),
        rotation_ids: plan.rotation_ids().to_vec(),
    }
}

fn channel_kind_from_aws(t: Option<&contacts::types::ChannelType>) -> ChannelType {
    match t {
        Some(contacts::types::ChannelType::Sms) => ChannelType::Sms,
        Some(contacts::types::ChannelType::Voice) => ChannelType::Voice,
        _ => ChannelType::Email,
    }
}

fn channel_kind_to_aws(t: ChannelType) -> contacts::types::ChannelType {
    match t {
        ChannelType::Email => contacts::types::ChannelType::Email,
        ChannelType::Sms => contacts::types::ChannelType::Sms,
        ChannelType::Voice => contacts::types::ChannelType::Voice,
    }
}

/// AWS's receipt types are ours; one this build does not know is reported, not guessed.
fn receipt_kind_from_aws(t: &contacts::types::ReceiptType) -> Result<ReceiptKind, AppError> {
    use contacts::types::ReceiptType;
    match t {
        ReceiptType::Sent => Ok(ReceiptKind::Sent),
        ReceiptType::Delivered => Ok(ReceiptKind::Delivered),
        ReceiptType::Read => Ok(ReceiptKind::Read),
        ReceiptType::Error => Ok(ReceiptKind::Error),
        ReceiptType::Stop => Ok(ReceiptKind::Stop),
        other => Err(AppError::Aws(AwsProblem::Rejected {
            code: "UnknownReceiptType".into(),
            message: format!("a page receipt of type {} is not known to this console", other.as_str()),
        })),
    }
}

fn status_from_aws(s: &incidents::types::IncidentRecordStatus) -> IncidentStatus {
    if *s == incidents::types::IncidentRecordStatus::Resolved { IncidentStatus::Resolved } else { IncidentStatus::Open }
}

/// The SDK's HTTP client on rustls with ring (the crypto sqlx and reqwest already use).
pub fn https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::tls;
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
        .build_https()
}

impl AwsBackend {
    pub async fn connect(settings: &AwsSettings, db: Db) -> Self {
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
            cache: ReadCache { ttl: StdDuration::from_secs(settings.cache_secs), entries: Mutex::new(HashMap::new()) },
            db,
        }
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

    async fn incident_arn(&self, key: &str) -> Result<String, AppError> {
        let (plan, id) = key.split_once('.').ok_or(AppError::NotFound)?;
        Ok(format!("arn:aws:ssm-incidents::{}:incident-record/{plan}/{id}", self.account().await?))
    }

    async fn plan_arn(&self, name: &str) -> Result<String, AppError> {
        Ok(format!("arn:aws:ssm-incidents::{}:response-plan/{name}", self.account().await?))
    }

    /// (alias, ARN, type, display name) of every contact.
    async fn contact_arn_list(&self) -> Result<Vec<(String, String, ContactType, String)>, AppError> {
        if let Some(list) = self.cache.get("contact-arns") {
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
                (
                    c.alias().to_owned(),
                    c.contact_arn().to_owned(),
                    kind_from_aws(c.r#type()),
                    c.display_name().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        if let Some((_, arn, ..)) = list.first() {
            self.learn_account(arn);
        }
        self.cache.put("contact-arns", &list);
        Ok(list)
    }

    async fn contact_arn(&self, alias: &str) -> Result<String, AppError> {
        if let Some((_, arn, ..)) = self.contact_arn_list().await?.into_iter().find(|(a, ..)| a == alias) {
            return Ok(arn);
        }
        self.cache.clear();
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
        let pages = self
            .contacts
            .list_pages_by_engagement()
            .engagement_id(arn)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|err| aws_error("ssm-contacts:ListPagesByEngagement", &err))?;
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
        let mut list = self
            .contacts
            .list_engagements()
            .set_incident_id(incident_arn)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|e| aws_error("ssm-contacts:ListEngagements", &e))?;
        list.sort_by_key(|e| std::cmp::Reverse(e.start_time().map_or(0, secs)));
        Ok(list)
    }
}

/// The roster history AWS does not keep, in the console's database. Changes hold a console
/// transaction across the AWS call, so the version is recorded exactly when AWS took the change.
impl AwsBackend {
    async fn member_arns(&self, members: &[String]) -> Result<Vec<String>, AppError> {
        let mut arns = Vec::new();
        for m in members {
            arns.push(self.contact_arn(m).await?);
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
        let mut tx = self.db.pool.begin().await.map_err(ServerError::from)?;
        let last = roster::load(&mut tx, id).await?;
        let entry = |kind| Entry {
            rotation_id: id,
            at: Utc::now(),
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
        let mut tx = self.db.pool.begin().await.map_err(ServerError::from)?;
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
        self.cache.clear();
        result.map_err(|e| aws_error("ssm-contacts:UpdateRotation", &e))?;
        roster::insert(&mut tx, version, entry_by(actor, id, kind, &current_name, &rotation)).await?;
        audited(&mut tx, actor, Change::updated("rotation", id, &before, &rotation)).await?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok(version)
    }
}

/// AWS keeps its own trail (CloudTrail); the console's audit log records what its users did.
async fn audited<T: serde::Serialize>(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    actor: &CurrentUser,
    change: Change<'_, T>,
) -> Result<(), AppError> {
    Ok(crate::audit::record(tx, Actor::User(actor), Utc::now().timestamp(), change).await.map_err(ServerError::from)?)
}

/// A version made by a console user now.
fn entry_by<'a>(
    actor: &CurrentUser,
    rotation_id: &'a str,
    kind: VersionKind,
    name: &'a str,
    rotation: &'a Rotation,
) -> Entry<'a> {
    Entry { rotation_id, at: Utc::now(), actor: actor.username.clone(), kind, name, rotation }
}

fn record_from_aws(r: &incidents::types::IncidentRecord) -> IncidentRecord {
    IncidentRecord {
        id: incident_key(r.arn()),
        response_plan: r.arn().rsplit('/').nth(1).unwrap_or_default().to_owned(),
        title: r.title().to_owned(),
        summary: r.summary().unwrap_or_default().to_owned(),
        impact: u8::try_from(r.impact()).unwrap_or(5),
        status: status_from_aws(r.status()),
        dedupe_string: Some(r.dedupe_string().to_owned()).filter(|d| !d.is_empty()),
        source: r.incident_record_source().map(|s| s.source().to_owned()).unwrap_or_default(),
        created_at: secs(r.creation_time()),
        resolved_at: r.resolved_time().map(secs),
    }
}

#[async_trait]
impl Backend for AwsBackend {
    async fn location(&self) -> Option<String> {
        Some(match self.known_account() {
            Some(account) => format!("{} · {account}", self.region),
            None => self.region.clone(),
        })
    }

    async fn refresh(&self) {
        self.cache.clear();
    }

    async fn contacts(&self) -> Result<Vec<ContactView>, AppError> {
        if let Some(v) = self.cache.get("contacts") {
            return Ok(v);
        }
        let mut out = Vec::new();
        for (alias, arn, kind, _) in self.contact_arn_list().await? {
            let c = self
                .contacts
                .get_contact()
                .contact_id(&arn)
                .send()
                .await
                .map_err(|e| aws_error("ssm-contacts:GetContact", &e))?;
            let channels = if kind == ContactType::Personal {
                let list = self
                    .contacts
                    .list_contact_channels()
                    .contact_id(&arn)
                    .into_paginator()
                    .items()
                    .send()
                    .collect::<Result<Vec<_>, _>>()
                    .await
                    .map_err(|e| aws_error("ssm-contacts:ListContactChannels", &e))?;
                list.iter()
                    .map(|ch| ContactChannel {
                        id: ch.contact_channel_arn().to_owned(),
                        contact_id: alias.clone(),
                        name: ch.name().to_owned(),
                        kind: channel_kind_from_aws(ch.r#type()),
                        address: ch.delivery_address().and_then(|a| a.simple_address()).unwrap_or_default().to_owned(),
                        activated: *ch.activation_status() == contacts::types::ActivationStatus::Activated,
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let contact = Contact {
                alias: alias.clone(),
                display_name: c.display_name().unwrap_or(&alias).to_owned(),
                kind,
                plan: plan_from_aws(c.plan()),
            };
            out.push(ContactView { contact, channels });
        }
        self.cache.put("contacts", &out);
        Ok(out)
    }

    async fn rotations(&self) -> Result<Vec<RotationView>, AppError> {
        if let Some(v) = self.cache.get("rotations") {
            return Ok(v);
        }
        let list = self
            .contacts
            .list_rotations()
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|e| aws_error("ssm-contacts:ListRotations", &e))?;
        let now = Utc::now();
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
            });
        }
        self.cache.put("rotations", &out);
        Ok(out)
    }

    async fn response_plans(&self) -> Result<Vec<ResponsePlan>, AppError> {
        if let Some(v) = self.cache.get("plans") {
            return Ok(v);
        }
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
            let p = self
                .incidents
                .get_response_plan()
                .arn(s.arn())
                .send()
                .await
                .map_err(|e| aws_error("ssm-incidents:GetResponsePlan", &e))?;
            let template = p.incident_template();
            out.push(ResponsePlan {
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
            });
        }
        self.cache.put("plans", &out);
        Ok(out)
    }

    async fn engagements(&self, limit: u32) -> Result<Vec<EngagementView>, AppError> {
        let key = format!("engagements:{limit}");
        if let Some(v) = self.cache.get(&key) {
            return Ok(v);
        }
        let mut out = Vec::new();
        for e in self.list_engagements(None).await?.iter().take(limit as usize) {
            out.push(self.engagement_view(e.engagement_arn()).await?);
        }
        self.cache.put(&key, &out);
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
                IncidentRecord {
                    id: incident_key(s.arn()),
                    response_plan: s.arn().rsplit('/').nth(1).unwrap_or_default().to_owned(),
                    title: s.title().to_owned(),
                    summary: String::new(),
                    impact: u8::try_from(s.impact()).unwrap_or(5),
                    status: status_from_aws(s.status()),
                    dedupe_string: None,
                    source: s.incident_record_source().map(|x| x.source().to_owned()).unwrap_or_default(),
                    created_at: secs(s.creation_time()),
                    resolved_at: s.resolved_time().map(secs),
                }
            })
            .collect();
        out.sort_by_key(|r| std::cmp::Reverse(r.created_at));
        Ok(out)
    }

    async fn incident(&self, id: &str) -> Result<IncidentDetail, AppError> {
        let arn = self.incident_arn(id).await?;
        let got = self
            .incidents
            .get_incident_record()
            .arn(&arn)
            .send()
            .await
            .map_err(|e| aws_error("ssm-incidents:GetIncidentRecord", &e))?;
        let record = got.incident_record().map(record_from_aws).ok_or(AppError::NotFound)?;
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

    async fn deliveries(&self, _limit: u32) -> Result<Vec<DeliveryEntry>, AppError> {
        Ok(Vec::new())
    }

    /// The past as the console recorded it; before the console first saw the rotation, and from
    /// now on, as AWS computes it.
    async fn rotation_shifts(&self, rotation_id: &str, from: i64, to: i64) -> Result<Vec<Shift>, AppError> {
        let now = Utc::now().timestamp();
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

    async fn create_rotation(&self, _actor: &CurrentUser, name: &str, rotation: Rotation) -> Result<String, AppError> {
        let members = self.member_arns(&rotation.members).await?;
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
        self.cache.clear();
        let created = result.map_err(|e| aws_error("ssm-contacts:CreateRotation", &e))?;
        self.observed(created.rotation_arn()).await?;
        Ok(created.rotation_arn().to_owned())
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
            overrides: self.override_entries(id, Utc::now()).await?,
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
        o.validate(&rotation, Utc::now()).map_err(AppError::Invalid)?;
        let members = self.member_arns(&o.members).await?;
        let mut tx = self.db.pool.begin().await.map_err(ServerError::from)?;
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
        self.cache.clear();
        let id = result.map_err(|e| aws_error("ssm-contacts:CreateRotationOverride", &e))?.rotation_override_id;
        audited(&mut tx, actor, Change::created("override", &id, &o)).await?;
        let kind = VersionKind::OverrideAdded { id: id.clone(), value: o };
        roster::insert(&mut tx, version, entry_by(actor, rotation_id, kind, &name, &rotation)).await?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok(id)
    }

    async fn delete_override(&self, actor: &CurrentUser, rotation_id: &str, override_id: &str) -> Result<(), AppError> {
        let (name, rotation, _) = self.observed(rotation_id).await?;
        let mut tx = self.db.pool.begin().await.map_err(ServerError::from)?;
        let version = roster::claim(&mut tx, rotation_id).await?;
        let result = self
            .contacts
            .delete_rotation_override()
            .rotation_id(rotation_id)
            .rotation_override_id(override_id)
            .send()
            .await;
        self.cache.clear();
        result.map_err(|e| aws_error("ssm-contacts:DeleteRotationOverride", &e))?;
        audited(&mut tx, actor, Change::<()>::deleted("override", override_id, &())).await?;
        let kind = VersionKind::OverrideRemoved { id: override_id.to_owned() };
        roster::insert(&mut tx, version, entry_by(actor, rotation_id, kind, &name, &rotation)).await?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok(())
    }

    async fn set_swap_approval(&self, actor: &CurrentUser, rotation_id: &str, required: bool) -> Result<(), AppError> {
        let (.., head) = self.observed(rotation_id).await?;
        let mut tx = self.db.pool.begin().await.map_err(ServerError::from)?;
        roster::set_swap_approval(&mut tx, rotation_id, required).await?;
        audited(&mut tx, actor, Change::updated("rotation_swap_approval", rotation_id, &head.swap_approval, &required))
            .await?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok(())
    }

    async fn create_contact(&self, _actor: &CurrentUser, contact: Contact) -> Result<(), AppError> {
        let plan = self.plan_to_aws(&contact.plan).await?;
        let result = self
            .contacts
            .create_contact()
            .alias(&contact.alias)
            .display_name(&contact.display_name)
            .r#type(kind_to_aws(contact.kind))
            .plan(plan)
            .send()
            .await;
        self.cache.clear();
        let created =
            result.map_err(|e| taken(aws_error("ssm-contacts:CreateContact", &e), "alias", Msg::ErrAliasTaken))?;
        self.learn_account(created.contact_arn());
        Ok(())
    }

    async fn update_contact(&self, _actor: &CurrentUser, contact: Contact) -> Result<(), AppError> {
        let arn = self.contact_arn(&contact.alias).await?;
        let plan = self.plan_to_aws(&contact.plan).await?;
        let result =
            self.contacts.update_contact().contact_id(arn).display_name(&contact.display_name).plan(plan).send().await;
        self.cache.clear();
        result.map_err(|e| aws_error("ssm-contacts:UpdateContact", &e))?;
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
        self.cache.clear();
        let created = result.map_err(|e| aws_error("ssm-contacts:CreateContactChannel", &e))?;
        Ok(ContactChannel { id: created.contact_channel_arn().to_owned(), activated: false, ..channel })
    }

    async fn activate_channel(&self, _actor: &CurrentUser, channel_id: &str, code: &str) -> Result<(), AppError> {
        let result =
            self.contacts.activate_contact_channel().contact_channel_id(channel_id).activation_code(code).send().await;
        self.cache.clear();
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
        self.cache.clear();
        let started = result.map_err(|e| aws_error("ssm-contacts:StartEngagement", &e))?;
        Ok(started.engagement_arn().to_owned())
    }

    async fn stop_engagement(&self, actor: &CurrentUser, id: &str) -> Result<(), AppError> {
        let result = self
            .contacts
            .stop_engagement()
            .engagement_id(id)
            .reason(format!("stopped by {}", actor.username))
            .send()
            .await;
        self.cache.clear();
        result.map_err(|e| aws_error("ssm-contacts:StopEngagement", &e))?;
        Ok(())
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
        self.cache.clear();
        result.map_err(|e| aws_error("ssm-contacts:AcceptPage", &e))?;
        Ok(())
    }

    async fn create_response_plan(&self, _actor: &CurrentUser, plan: ResponsePlan) -> Result<(), AppError> {
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
        let result = self
            .incidents
            .create_response_plan()
            .name(&plan.name)
            .display_name(&plan.display_name)
            .incident_template(built(template)?)
            .set_engagements(Some(engagements))
            .send()
            .await;
        self.cache.clear();
        let created = result
            .map_err(|e| taken(aws_error("ssm-incidents:CreateResponsePlan", &e), "name", Msg::ErrPlanNameTaken))?;
        self.learn_account(created.arn());
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
            .send()
            .await;
        self.cache.clear();
        let started = result.map_err(|e| aws_error("ssm-incidents:StartIncident", &e))?;
        Ok(incident_key(started.incident_record_arn()))
    }

    async fn update_incident(&self, _actor: &CurrentUser, id: &str, update: IncidentUpdate) -> Result<(), AppError> {
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
        self.cache.clear();
        result.map_err(|e| aws_error("ssm-incidents:UpdateIncidentRecord", &e))?;
        Ok(())
    }

    async fn add_timeline_note(&self, _actor: &CurrentUser, incident_id: &str, text: &str) -> Result<String, AppError> {
        let arn = self.incident_arn(incident_id).await?;
        let result = self
            .incidents
            .create_timeline_event()
            .incident_record_arn(arn)
            .event_time(AwsTime::from_secs(Utc::now().timestamp()))
            .event_type("Custom Event")
            .event_data(text)
            .send()
            .await;
        self.cache.clear();
        let created = result.map_err(|e| aws_error("ssm-incidents:CreateTimelineEvent", &e))?;
        Ok(created.event_id().to_owned())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn wire_paths_become_form_fields() {
        assert_eq!(super::domain_field("Plan.Stages[0].DurationInMinutes"), "plan.stages.0.duration_minutes");
        assert_eq!(super::domain_field("TimeZoneId"), "time_zone");
        assert_eq!(super::domain_field("accept_code"), "accept_code");
        assert_eq!(super::incident_key("arn:aws:ssm-incidents::1:incident-record/sev1/abc"), "sev1.abc");
    }
}
