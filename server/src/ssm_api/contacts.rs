//! SSM Contacts operations over the local engine: contacts, channels, rotations, overrides,
//! shifts, engagements, pages and receipts. Member names and shapes follow the service model.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc, Weekday};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use app::domain::contact::{ChannelType, Contact, ContactChannel, ContactType, Plan, Stage, Target};
use app::domain::rotation::{Coverage, HandOff, HandOffTime, Override, Rotation, Shift, ShiftKind};

use super::arn::{self, id_of};
use super::call::Call;
use super::wire::{ApiError, from_time, input, output, page, time, with_token};
use crate::engine::paging::{AcceptType, EngagementRequest, PageView};
use crate::error::optional;

/// The longest window ListRotationShifts computes in one call.
const MAX_SHIFT_WINDOW_DAYS: i64 = 400;

pub(super) async fn call(c: &Call<'_>, operation: &str, body: Value) -> Result<Value, ApiError> {
    match operation {
        "CreateContact" => create_contact(c, input(body)?).await,
        "GetContact" => get_contact(c, &contact_id(&body)?).await,
        "UpdateContact" => update_contact(c, input(body)?).await,
        "DeleteContact" => {
            c.engine.delete_contact(c.actor(), &contact_id(&body)?).await?;
            Ok(json!({}))
        }
        "ListContacts" => list_contacts(c, input(body)?).await,
        "CreateContactChannel" => create_channel(c, input(body)?).await,
        "GetContactChannel" => {
            let channel = c.engine.channel(&channel_id(&body)?).await?;
            Ok(channel_json(c, &channel))
        }
        "UpdateContactChannel" => update_channel(c, input(body)?).await,
        "DeleteContactChannel" => {
            c.engine.delete_channel(c.actor(), &channel_id(&body)?).await?;
            Ok(json!({}))
        }
        "ListContactChannels" => list_channels(c, input(body)?).await,
        "ActivateContactChannel" => {
            let code = body["ActivationCode"].as_str().unwrap_or_default();
            c.engine.activate_channel(c.actor(), &channel_id(&body)?, code).await?;
            Ok(json!({}))
        }
        "DeactivateContactChannel" => {
            c.engine.deactivate_channel(c.actor(), &channel_id(&body)?).await?;
            Ok(json!({}))
        }
        "SendActivationCode" => {
            c.engine.send_activation_code(c.actor(), &channel_id(&body)?).await?;
            Ok(json!({}))
        }
        "CreateRotation" => create_rotation(c, input(body)?).await,
        "GetRotation" => get_rotation(c, &rotation_id(&body)?).await,
        "UpdateRotation" => update_rotation(c, input(body)?).await,
        "DeleteRotation" => {
            c.engine.delete_rotation(c.actor(), &rotation_id(&body)?).await?;
            Ok(json!({}))
        }
        "ListRotations" => list_rotations(c, input(body)?).await,
        "ListRotationShifts" => list_shifts(c, input(body)?).await,
        "ListPreviewRotationShifts" => preview_shifts(c, input(body)?),
        "CreateRotationOverride" => create_override(c, input(body)?).await,
        "GetRotationOverride" => get_override(c, &body).await,
        "DeleteRotationOverride" => {
            let rotation = rotation_id(&body)?;
            let id = body["RotationOverrideId"].as_str().unwrap_or_default();
            c.engine.delete_override(c.actor(), &rotation, id).await?;
            Ok(json!({}))
        }
        "ListRotationOverrides" => list_overrides(c, input(body)?).await,
        "StartEngagement" => start_engagement(c, input(body)?).await,
        "StopEngagement" => {
            let id = engagement_id(&body)?;
            let reason = body["Reason"].as_str().unwrap_or("stopped through the API");
            c.engine.stop_engagement(c.actor(), &id, reason).await?;
            Ok(json!({}))
        }
        "DescribeEngagement" => describe_engagement(c, &engagement_id(&body)?).await,
        "ListEngagements" => list_engagements(c, input(body)?).await,
        "DescribePage" => describe_page(c, &page_id(&body)?).await,
        "ListPagesByContact" => {
            let alias = contact_id(&body)?;
            c.engine.contact(&alias).await?;
            let pages = c.engine.pages_of_contact(&alias).await?;
            pages_json(c, pages, &body).await
        }
        "ListPagesByEngagement" => {
            let id = engagement_id(&body)?;
            c.engine.engagement(&id).await?;
            let pages = c.engine.pages(&id).await?;
            pages_json(c, pages, &body).await
        }
        "ListPageReceipts" => list_receipts(c, &body).await,
        "ListPageResolutions" => list_resolutions(c, &body).await,
        "AcceptPage" => accept_page(c, input(body)?).await,
        other => Err(ApiError::Validation {
            message: format!("{other} is not available on the local engine."),
            fields: Vec::new(),
            reason: "UNKNOWN_OPERATION",
        }),
    }
}

fn member_id(body: &Value, member: &str, kind: &str) -> Result<String, ApiError> {
    id_of(body[member].as_str().unwrap_or_default(), kind, member)
}
fn contact_id(body: &Value) -> Result<String, ApiError> {
    member_id(body, "ContactId", "contact")
}
fn channel_id(body: &Value) -> Result<String, ApiError> {
    member_id(body, "ContactChannelId", "contact-channel")
}
fn rotation_id(body: &Value) -> Result<String, ApiError> {
    member_id(body, "RotationId", "rotation")
}
fn engagement_id(body: &Value) -> Result<String, ApiError> {
    member_id(body, "EngagementId", "engagement")
}
fn page_id(body: &Value) -> Result<String, ApiError> {
    member_id(body, "PageId", "page")
}

fn contact_ids(arns: &[String], member: &str) -> Result<Vec<String>, ApiError> {
    arns.iter().map(|a| id_of(a, "contact", member)).collect()
}

// ---- contacts and plans ----

fn type_name(kind: ContactType) -> &'static str {
    match kind {
        ContactType::Personal => "PERSONAL",
        ContactType::Escalation => "ESCALATION",
        ContactType::OncallSchedule => "ONCALL_SCHEDULE",
    }
}

fn type_from(name: &str) -> ContactType {
    match name {
        "ESCALATION" => ContactType::Escalation,
        "ONCALL_SCHEDULE" => ContactType::OncallSchedule,
        _ => ContactType::Personal,
    }
}

#[derive(Deserialize, Serialize, Default)]
#[serde(rename_all = "PascalCase")]
struct WirePlan {
    #[serde(default)]
    stages: Vec<WireStage>,
    #[serde(default)]
    rotation_ids: Vec<String>,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
struct WireStage {
    duration_in_minutes: u32,
    targets: Vec<WireTarget>,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
struct WireTarget {
    #[serde(skip_serializing_if = "Option::is_none")]
    channel_target_info: Option<ChannelTargetInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    contact_target_info: Option<ContactTargetInfo>,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ChannelTargetInfo {
    contact_channel_id: String,
    #[serde(default)]
    retry_interval_in_minutes: u32,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ContactTargetInfo {
    #[serde(default)]
    contact_id: String,
    is_essential: bool,
}

fn plan_from_wire(plan: WirePlan) -> Result<Plan, ApiError> {
    let mut stages = Vec::new();
    for (i, stage) in plan.stages.into_iter().enumerate() {
        let mut targets = Vec::new();
        for (j, t) in stage.targets.into_iter().enumerate() {
            let member = format!("Plan.Stages[{i}].Targets[{j}]");
            targets.push(match (t.channel_target_info, t.contact_target_info) {
                (Some(ch), None) => Target::Channel {
                    channel_id: id_of(&ch.contact_channel_id, "contact-channel", &member)?,
                    retry_minutes: ch.retry_interval_in_minutes,
                },
                (None, Some(ct)) => Target::Contact {
                    contact_id: id_of(&ct.contact_id, "contact", &member)?,
                    essential: ct.is_essential,
                },
                _ => {
                    return Err(ApiError::invalid(
                        &member,
                        "must set exactly one of ChannelTargetInfo and ContactTargetInfo",
                    ));
                }
            });
        }
        stages.push(Stage { duration_minutes: stage.duration_in_minutes, targets });
    }
    let rotation_ids =
        plan.rotation_ids.iter().map(|a| id_of(a, "rotation", "Plan.RotationIds")).collect::<Result<_, _>>()?;
    Ok(Plan { stages, rotation_ids })
}

fn plan_to_wire(c: &Call<'_>, owner: &str, plan: &Plan) -> WirePlan {
    let stages = plan
        .stages
        .iter()
        .map(|s| WireStage {
            duration_in_minutes: s.duration_minutes,
            targets: s
                .targets
                .iter()
                .map(|t| match t {
                    Target::Channel { channel_id, retry_minutes } => WireTarget {
                        channel_target_info: Some(ChannelTargetInfo {
                            contact_channel_id: c.arns.channel(owner, channel_id),
                            retry_interval_in_minutes: *retry_minutes,
                        }),
                        contact_target_info: None,
                    },
                    Target::Contact { contact_id, essential } => WireTarget {
                        channel_target_info: None,
                        contact_target_info: Some(ContactTargetInfo {
                            contact_id: c.arns.contact(contact_id),
                            is_essential: *essential,
                        }),
                    },
                })
                .collect(),
        })
        .collect();
    WirePlan { stages, rotation_ids: plan.rotation_ids.iter().map(|id| c.arns.rotation(id)).collect() }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateContactInput {
    alias: String,
    display_name: Option<String>,
    #[serde(rename = "Type")]
    kind: String,
    plan: WirePlan,
}

async fn create_contact(c: &Call<'_>, req: CreateContactInput) -> Result<Value, ApiError> {
    if optional(c.engine.contact(&req.alias).await)?.is_some() {
        return Err(ApiError::Conflict {
            message: format!("A contact with alias {} already exists.", req.alias),
            resource_type: "CONTACT",
            resource_id: req.alias,
        });
    }
    let contact = Contact {
        display_name: req.display_name.unwrap_or_else(|| req.alias.clone()),
        kind: type_from(&req.kind),
        plan: plan_from_wire(req.plan)?,
        alias: req.alias,
    };
    let arn = c.arns.contact(&contact.alias);
    c.engine.put_contact(c.actor(), contact).await?;
    Ok(json!({ "ContactArn": arn }))
}

async fn get_contact(c: &Call<'_>, alias: &str) -> Result<Value, ApiError> {
    let contact = c.engine.contact(alias).await?;
    Ok(json!({
        "ContactArn": c.arns.contact(&contact.alias),
        "Alias": contact.alias,
        "DisplayName": contact.display_name,
        "Type": type_name(contact.kind),
        "Plan": output(&plan_to_wire(c, &contact.alias, &contact.plan))?,
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateContactInput {
    contact_id: String,
    display_name: Option<String>,
    plan: Option<WirePlan>,
}

async fn update_contact(c: &Call<'_>, req: UpdateContactInput) -> Result<Value, ApiError> {
    let mut contact = c.engine.contact(&id_of(&req.contact_id, "contact", "ContactId")?).await?;
    if let Some(name) = req.display_name {
        contact.display_name = name;
    }
    if let Some(plan) = req.plan {
        contact.plan = plan_from_wire(plan)?;
    }
    c.engine.put_contact(c.actor(), contact).await?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListContactsInput {
    next_token: Option<String>,
    max_results: Option<i64>,
    alias_prefix: Option<String>,
    #[serde(rename = "Type")]
    kind: Option<String>,
}

async fn list_contacts(c: &Call<'_>, req: ListContactsInput) -> Result<Value, ApiError> {
    let contacts: Vec<Contact> = c
        .engine
        .contacts()
        .await?
        .into_iter()
        .filter(|k| req.alias_prefix.as_deref().is_none_or(|p| k.alias.starts_with(p)))
        .filter(|k| req.kind.as_deref().is_none_or(|t| type_name(k.kind) == t))
        .collect();
    let (contacts, next) = page(contacts, req.next_token.as_deref(), req.max_results)?;
    let items: Vec<Value> = contacts
        .iter()
        .map(|k| {
            json!({
                "ContactArn": c.arns.contact(&k.alias),
                "Alias": k.alias,
                "DisplayName": k.display_name,
                "Type": type_name(k.kind),
            })
        })
        .collect();
    Ok(with_token(json!({ "Contacts": items }), "NextToken", next))
}

// ---- channels ----

fn channel_type_name(kind: ChannelType) -> &'static str {
    match kind {
        ChannelType::Email => "EMAIL",
        ChannelType::Sms => "SMS",
        ChannelType::Voice => "VOICE",
    }
}

fn channel_json(c: &Call<'_>, ch: &ContactChannel) -> Value {
    json!({
        "ContactArn": c.arns.contact(&ch.contact_id),
        "ContactChannelArn": c.arns.channel(&ch.contact_id, &ch.id),
        "Name": ch.name,
        "Type": channel_type_name(ch.kind),
        "DeliveryAddress": { "SimpleAddress": ch.address },
        "ActivationStatus": if ch.activated { "ACTIVATED" } else { "NOT_ACTIVATED" },
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeliveryAddress {
    simple_address: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateChannelInput {
    contact_id: String,
    name: String,
    #[serde(rename = "Type")]
    kind: String,
    delivery_address: DeliveryAddress,
    #[serde(default)]
    defer_activation: bool,
}

async fn create_channel(c: &Call<'_>, req: CreateChannelInput) -> Result<Value, ApiError> {
    let alias = id_of(&req.contact_id, "contact", "ContactId")?;
    c.engine.contact(&alias).await?;
    let kind = match req.kind.as_str() {
        "SMS" => ChannelType::Sms,
        "VOICE" => ChannelType::Voice,
        _ => ChannelType::Email,
    };
    let channel = ContactChannel {
        id: String::new(),
        contact_id: alias,
        name: req.name,
        kind,
        address: req.delivery_address.simple_address.unwrap_or_default(),
        activated: false,
    };
    let channel = c.engine.add_channel(c.actor(), channel).await?;
    if !req.defer_activation {
        c.engine.send_activation_code(c.actor(), &channel.id).await?;
    }
    Ok(json!({ "ContactChannelArn": c.arns.channel(&channel.contact_id, &channel.id) }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateChannelInput {
    contact_channel_id: String,
    name: Option<String>,
    delivery_address: Option<DeliveryAddress>,
}

async fn update_channel(c: &Call<'_>, req: UpdateChannelInput) -> Result<Value, ApiError> {
    let id = id_of(&req.contact_channel_id, "contact-channel", "ContactChannelId")?;
    let current = c.engine.channel(&id).await?;
    let name = req.name.unwrap_or(current.name);
    let address = req.delivery_address.and_then(|a| a.simple_address).unwrap_or(current.address);
    c.engine.update_channel(c.actor(), &id, &name, &address).await?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListForContact {
    contact_id: String,
    next_token: Option<String>,
    max_results: Option<i64>,
}

async fn list_channels(c: &Call<'_>, req: ListForContact) -> Result<Value, ApiError> {
    let alias = id_of(&req.contact_id, "contact", "ContactId")?;
    c.engine.contact(&alias).await?;
    let channels = c.engine.channels_of(&alias).await?;
    let (channels, next) = page(channels, req.next_token.as_deref(), req.max_results)?;
    let items: Vec<Value> = channels.iter().map(|ch| channel_json(c, ch)).collect();
    Ok(with_token(json!({ "ContactChannels": items }), "NextToken", next))
}

// ---- rotations, overrides, shifts ----

#[derive(Deserialize, Serialize, Clone, Copy)]
#[serde(rename_all = "PascalCase")]
struct WireTime {
    hour_of_day: u8,
    minute_of_hour: u8,
}

impl From<WireTime> for HandOffTime {
    fn from(t: WireTime) -> Self {
        HandOffTime::new(t.hour_of_day, t.minute_of_hour)
    }
}

impl From<HandOffTime> for WireTime {
    fn from(t: HandOffTime) -> Self {
        WireTime { hour_of_day: t.hour, minute_of_hour: t.minute }
    }
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
struct WireWeekly {
    day_of_week: String,
    hand_off_time: WireTime,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
struct WireMonthly {
    day_of_month: u8,
    hand_off_time: WireTime,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
struct WireCoverage {
    start: WireTime,
    end: WireTime,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
#[allow(clippy::struct_field_names)] // SSM's member names
struct Recurrence {
    #[serde(skip_serializing_if = "Option::is_none")]
    monthly_settings: Option<Vec<WireMonthly>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    weekly_settings: Option<Vec<WireWeekly>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    daily_settings: Option<Vec<WireTime>>,
    number_of_on_calls: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    shift_coverages: Option<BTreeMap<String, Vec<WireCoverage>>>,
    recurrence_multiplier: u32,
}

const DAYS: [(Weekday, &str); 7] = [
    (Weekday::Mon, "MON"),
    (Weekday::Tue, "TUE"),
    (Weekday::Wed, "WED"),
    (Weekday::Thu, "THU"),
    (Weekday::Fri, "FRI"),
    (Weekday::Sat, "SAT"),
    (Weekday::Sun, "SUN"),
];

fn day_from(name: &str, member: &str) -> Result<Weekday, ApiError> {
    DAYS.iter().find(|(_, n)| *n == name).map(|(d, _)| *d).ok_or_else(|| ApiError::invalid(member, "is not a day"))
}

fn day_name(day: Weekday) -> &'static str {
    DAYS.iter().find(|(d, _)| *d == day).map_or("MON", |(_, n)| n)
}

fn handoff_from(r: &Recurrence) -> Result<HandOff, ApiError> {
    let set = |v: Option<usize>| v.is_some_and(|n| n > 0);
    let counts = [
        set(r.daily_settings.as_ref().map(Vec::len)),
        set(r.weekly_settings.as_ref().map(Vec::len)),
        set(r.monthly_settings.as_ref().map(Vec::len)),
    ];
    if counts.iter().filter(|s| **s).count() != 1 {
        return Err(ApiError::invalid(
            "Recurrence",
            "must set exactly one of DailySettings, WeeklySettings and MonthlySettings",
        ));
    }
    if let Some(daily) = r.daily_settings.as_ref().filter(|d| !d.is_empty()) {
        return Ok(HandOff::Daily(daily.iter().map(|t| (*t).into()).collect()));
    }
    if let Some(weekly) = r.weekly_settings.as_ref().filter(|w| !w.is_empty()) {
        let days = weekly
            .iter()
            .map(|w| Ok((day_from(&w.day_of_week, "Recurrence.WeeklySettings")?, w.hand_off_time.into())))
            .collect::<Result<_, ApiError>>()?;
        return Ok(HandOff::Weekly(days));
    }
    let monthly = r.monthly_settings.as_deref().unwrap_or_default();
    Ok(HandOff::Monthly(monthly.iter().map(|m| (m.day_of_month, m.hand_off_time.into())).collect()))
}

fn coverage_from(r: &Recurrence) -> Result<Vec<Coverage>, ApiError> {
    let mut out = Vec::new();
    for (day, windows) in r.shift_coverages.iter().flatten() {
        let day = day_from(day, "Recurrence.ShiftCoverages")?;
        out.extend(windows.iter().map(|w| Coverage { day, start: w.start.into(), end: w.end.into() }));
    }
    Ok(out)
}

fn recurrence_of(r: &Rotation) -> Recurrence {
    let mut rec = Recurrence {
        monthly_settings: None,
        weekly_settings: None,
        daily_settings: None,
        number_of_on_calls: r.number_on_call,
        shift_coverages: None,
        recurrence_multiplier: r.multiplier,
    };
    match &r.handoff {
        HandOff::Daily(times) => rec.daily_settings = Some(times.iter().map(|t| (*t).into()).collect()),
        HandOff::Weekly(days) => {
            rec.weekly_settings = Some(
                days.iter()
                    .map(|(d, t)| WireWeekly { day_of_week: day_name(*d).into(), hand_off_time: (*t).into() })
                    .collect(),
            );
        }
        HandOff::Monthly(days) => {
            rec.monthly_settings =
                Some(days.iter().map(|(d, t)| WireMonthly { day_of_month: *d, hand_off_time: (*t).into() }).collect());
        }
    }
    if !r.coverage.is_empty() {
        let mut map: BTreeMap<String, Vec<WireCoverage>> = BTreeMap::new();
        for cov in &r.coverage {
            map.entry(day_name(cov.day).into())
                .or_default()
                .push(WireCoverage { start: cov.start.into(), end: cov.end.into() });
        }
        rec.shift_coverages = Some(map);
    }
    rec
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateRotationInput {
    name: String,
    contact_ids: Vec<String>,
    start_time: Option<f64>,
    time_zone_id: String,
    recurrence: Recurrence,
}

async fn create_rotation(c: &Call<'_>, req: CreateRotationInput) -> Result<Value, ApiError> {
    let rotation = Rotation {
        members: contact_ids(&req.contact_ids, "ContactIds")?,
        start: req.start_time.map(from_time).transpose()?.unwrap_or_else(|| c.engine.now()),
        time_zone: req.time_zone_id,
        handoff: handoff_from(&req.recurrence)?,
        multiplier: req.recurrence.recurrence_multiplier,
        number_on_call: req.recurrence.number_of_on_calls,
        coverage: coverage_from(&req.recurrence)?,
    };
    for member in &rotation.members {
        c.engine.contact(member).await?;
    }
    let id = c.engine.create_rotation(c.actor(), &req.name, rotation).await?;
    Ok(json!({ "RotationArn": c.arns.rotation(&id) }))
}

fn rotation_json(c: &Call<'_>, id: &str, name: &str, r: &Rotation) -> Result<Value, ApiError> {
    Ok(json!({
        "RotationArn": c.arns.rotation(id),
        "Name": name,
        "ContactIds": r.members.iter().map(|m| c.arns.contact(m)).collect::<Vec<_>>(),
        "StartTime": time(r.start),
        "TimeZoneId": r.time_zone,
        "Recurrence": output(&recurrence_of(r))?,
    }))
}

async fn get_rotation(c: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    let r = c.engine.named_rotation(id).await?;
    rotation_json(c, &r.id, &r.name, &r.rotation)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateRotationInput {
    rotation_id: String,
    contact_ids: Option<Vec<String>>,
    start_time: Option<f64>,
    time_zone_id: Option<String>,
    recurrence: Recurrence,
}

async fn update_rotation(c: &Call<'_>, req: UpdateRotationInput) -> Result<Value, ApiError> {
    let current = c.engine.named_rotation(&id_of(&req.rotation_id, "rotation", "RotationId")?).await?;
    let mut rotation = current.rotation;
    if let Some(ids) = &req.contact_ids {
        rotation.members = contact_ids(ids, "ContactIds")?;
        for member in &rotation.members {
            c.engine.contact(member).await?;
        }
    }
    if let Some(start) = req.start_time {
        rotation.start = from_time(start)?;
    }
    if let Some(zone) = req.time_zone_id {
        rotation.time_zone = zone;
    }
    rotation.handoff = handoff_from(&req.recurrence)?;
    rotation.coverage = coverage_from(&req.recurrence)?;
    rotation.multiplier = req.recurrence.recurrence_multiplier;
    rotation.number_on_call = req.recurrence.number_of_on_calls;
    c.engine.update_rotation(c.actor(), &current.id, None, &current.name, rotation).await?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListRotationsInput {
    rotation_name_prefix: Option<String>,
    next_token: Option<String>,
    max_results: Option<i64>,
}

async fn list_rotations(c: &Call<'_>, req: ListRotationsInput) -> Result<Value, ApiError> {
    let rotations: Vec<_> = c
        .engine
        .rotations()
        .await?
        .into_iter()
        .filter(|r| req.rotation_name_prefix.as_deref().is_none_or(|p| r.name.starts_with(p)))
        .collect();
    let (rotations, next) = page(rotations, req.next_token.as_deref(), req.max_results)?;
    let items =
        rotations.iter().map(|r| rotation_json(c, &r.id, &r.name, &r.rotation)).collect::<Result<Vec<_>, _>>()?;
    Ok(with_token(json!({ "Rotations": items }), "NextToken", next))
}

fn window(start: Option<f64>, end: f64, now: DateTime<Utc>) -> Result<(DateTime<Utc>, DateTime<Utc>), ApiError> {
    let start = start.map(from_time).transpose()?.unwrap_or(now);
    let end = from_time(end)?;
    if end <= start {
        return Err(ApiError::invalid("EndTime", "must be after StartTime"));
    }
    if end - start > Duration::days(MAX_SHIFT_WINDOW_DAYS) {
        return Err(ApiError::invalid(
            "EndTime",
            format!("must be at most {MAX_SHIFT_WINDOW_DAYS} days after StartTime"),
        ));
    }
    Ok((start, end))
}

fn shifts_json(shifts: &[Shift], member: impl Fn(&str) -> String) -> Vec<Value> {
    shifts
        .iter()
        .map(|s| {
            let mut v = json!({
                "ContactIds": s.members.iter().map(|m| member(m)).collect::<Vec<_>>(),
                "StartTime": time(s.start),
                "EndTime": time(s.end),
            });
            match &s.kind {
                ShiftKind::Regular => v["Type"] = json!("REGULAR"),
                ShiftKind::Overridden { displaced } => {
                    v["Type"] = json!("OVERRIDDEN");
                    v["ShiftDetails"] =
                        json!({ "OverriddenContactIds": displaced.iter().map(|m| member(m)).collect::<Vec<_>>() });
                }
            }
            v
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListShiftsInput {
    rotation_id: String,
    start_time: Option<f64>,
    end_time: f64,
    next_token: Option<String>,
    max_results: Option<i64>,
}

async fn list_shifts(c: &Call<'_>, req: ListShiftsInput) -> Result<Value, ApiError> {
    let id = id_of(&req.rotation_id, "rotation", "RotationId")?;
    let rotation = c.engine.rotation(&id).await?;
    let (start, end) = window(req.start_time, req.end_time, c.engine.now())?;
    let overrides = c.engine.overrides(&id, start, end).await?;
    let shifts = rotation.shifts(start, end, &overrides);
    let (shifts, next) = page(shifts, req.next_token.as_deref(), req.max_results)?;
    let items = shifts_json(&shifts, |m| c.arns.contact(m));
    Ok(with_token(json!({ "RotationShifts": items }), "NextToken", next))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PreviewOverride {
    #[serde(default)]
    new_members: Vec<String>,
    start_time: f64,
    end_time: f64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PreviewInput {
    rotation_start_time: Option<f64>,
    start_time: Option<f64>,
    end_time: f64,
    members: Vec<String>,
    time_zone_id: String,
    recurrence: Recurrence,
    #[serde(default)]
    overrides: Vec<PreviewOverride>,
    next_token: Option<String>,
    max_results: Option<i64>,
}

fn preview_shifts(c: &Call<'_>, req: PreviewInput) -> Result<Value, ApiError> {
    let now = c.engine.now();
    let rotation = Rotation {
        members: req.members.clone(),
        start: req.rotation_start_time.map(from_time).transpose()?.unwrap_or(now),
        time_zone: req.time_zone_id.clone(),
        handoff: handoff_from(&req.recurrence)?,
        multiplier: req.recurrence.recurrence_multiplier,
        number_on_call: req.recurrence.number_of_on_calls,
        coverage: coverage_from(&req.recurrence)?,
    };
    rotation.validate().map_err(crate::error::ServerError::Invalid)?;
    let overrides = req
        .overrides
        .iter()
        .map(|o| {
            Ok(Override {
                start: from_time(o.start_time)?,
                end: from_time(o.end_time)?,
                members: o.new_members.clone(),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let (start, end) = window(req.start_time, req.end_time, now)?;
    let shifts = rotation.shifts(start, end, &overrides);
    let (shifts, next) = page(shifts, req.next_token.as_deref(), req.max_results)?;
    let items = shifts_json(&shifts, str::to_owned);
    Ok(with_token(json!({ "RotationShifts": items }), "NextToken", next))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateOverrideInput {
    rotation_id: String,
    new_contact_ids: Vec<String>,
    start_time: f64,
    end_time: f64,
}

async fn create_override(c: &Call<'_>, req: CreateOverrideInput) -> Result<Value, ApiError> {
    let rotation = id_of(&req.rotation_id, "rotation", "RotationId")?;
    c.engine.rotation(&rotation).await?;
    let members = contact_ids(&req.new_contact_ids, "NewContactIds")?;
    let o = Override { start: from_time(req.start_time)?, end: from_time(req.end_time)?, members };
    let id = c.engine.add_override(c.actor(), &rotation, o).await?;
    Ok(json!({ "RotationOverrideId": id }))
}

async fn get_override(c: &Call<'_>, body: &Value) -> Result<Value, ApiError> {
    let rotation = rotation_id(body)?;
    c.engine.rotation(&rotation).await?;
    let o = c.engine.override_by_id(&rotation, body["RotationOverrideId"].as_str().unwrap_or_default()).await?;
    Ok(json!({
        "RotationOverrideId": o.id,
        "RotationArn": c.arns.rotation(&rotation),
        "NewContactIds": o.value.members.iter().map(|m| c.arns.contact(m)).collect::<Vec<_>>(),
        "StartTime": time(o.value.start),
        "EndTime": time(o.value.end),
        "CreateTime": time(o.created_at),
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListOverridesInput {
    rotation_id: String,
    start_time: f64,
    end_time: f64,
    next_token: Option<String>,
    max_results: Option<i64>,
}

async fn list_overrides(c: &Call<'_>, req: ListOverridesInput) -> Result<Value, ApiError> {
    let rotation = id_of(&req.rotation_id, "rotation", "RotationId")?;
    c.engine.rotation(&rotation).await?;
    let (start, end) = (from_time(req.start_time)?, from_time(req.end_time)?);
    let overrides: Vec<_> =
        c.engine.override_list(&rotation, start).await?.into_iter().filter(|o| o.value.start < end).collect();
    let (overrides, next) = page(overrides, req.next_token.as_deref(), req.max_results)?;
    let items: Vec<Value> = overrides
        .iter()
        .map(|o| {
            json!({
                "RotationOverrideId": o.id,
                "NewContactIds": o.value.members.iter().map(|m| c.arns.contact(m)).collect::<Vec<_>>(),
                "StartTime": time(o.value.start),
                "EndTime": time(o.value.end),
                "CreateTime": time(o.created_at),
            })
        })
        .collect();
    Ok(with_token(json!({ "RotationOverrides": items }), "NextToken", next))
}

// ---- engagements and pages ----

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StartEngagementInput {
    contact_id: String,
    sender: String,
    subject: String,
    content: String,
    public_subject: Option<String>,
    public_content: Option<String>,
    incident_id: Option<String>,
    idempotency_token: Option<String>,
}

async fn start_engagement(c: &Call<'_>, req: StartEngagementInput) -> Result<Value, ApiError> {
    let alias = id_of(&req.contact_id, "contact", "ContactId")?;
    c.engine.contact(&alias).await?;
    let id = c
        .engine
        .start_engagement(EngagementRequest {
            contact: alias.clone(),
            sender: req.sender,
            subject: req.subject,
            content: req.content,
            public_subject: req.public_subject,
            public_content: req.public_content,
            incident_id: req.incident_id.as_deref().map(arn::incident_id),
            idempotency_token: req.idempotency_token,
        })
        .await?;
    Ok(json!({ "EngagementArn": c.arns.engagement(&alias, &id) }))
}

/// An engine incident id as the incident's ARN (which names its response plan); an id that is
/// not one of the engine's incidents is passed through as given.
async fn incident_arn(c: &Call<'_>, incident_id: Option<&str>) -> Result<Value, ApiError> {
    Ok(match incident_id {
        None => Value::Null,
        Some(id) => match optional(c.engine.incident(id).await)? {
            Some(record) => json!(c.arns.incident(&record.response_plan, id)),
            None => json!(id),
        },
    })
}

async fn describe_engagement(c: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    let e = c.engine.engagement(id).await?;
    let s = &e.summary;
    Ok(drop_nulls(json!({
        "ContactArn": c.arns.contact(&s.contact),
        "EngagementArn": c.arns.engagement(&s.contact, &s.id),
        "Sender": s.sender,
        "Subject": s.subject,
        "Content": e.summary.content,
        "PublicSubject": e.public_subject,
        "PublicContent": e.public_content,
        "IncidentId": incident_arn(c, s.incident_id.as_deref()).await?,
        "StartTime": time(s.started_at),
        "StopTime": s.stopped_at.map_or(Value::Null, time),
    })))
}

/// Optional members that have no value are left out, as AWS does.
fn drop_nulls(mut v: Value) -> Value {
    if let Some(map) = v.as_object_mut() {
        map.retain(|_, v| !v.is_null());
    }
    v
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TimeRange {
    start_time: Option<f64>,
    end_time: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListEngagementsInput {
    next_token: Option<String>,
    max_results: Option<i64>,
    incident_id: Option<String>,
    time_range_value: Option<TimeRange>,
}

async fn list_engagements(c: &Call<'_>, req: ListEngagementsInput) -> Result<Value, ApiError> {
    let incident = req.incident_id.as_deref().map(arn::incident_id);
    let (from, to) = match &req.time_range_value {
        Some(r) => (r.start_time.map(from_time).transpose()?, r.end_time.map(from_time).transpose()?),
        None => (None, None),
    };
    let engagements: Vec<_> = c
        .engine
        .engagements(incident.as_deref(), u32::MAX)
        .await?
        .into_iter()
        .filter(|e| from.is_none_or(|f| e.started_at >= f) && to.is_none_or(|t| e.started_at <= t))
        .collect();
    let (engagements, next) = page(engagements, req.next_token.as_deref(), req.max_results)?;
    let mut items = Vec::new();
    for e in &engagements {
        items.push(drop_nulls(json!({
            "EngagementArn": c.arns.engagement(&e.contact, &e.id),
            "ContactArn": c.arns.contact(&e.contact),
            "Sender": e.sender,
            "IncidentId": incident_arn(c, e.incident_id.as_deref()).await?,
            "StartTime": time(e.started_at),
            "StopTime": e.stopped_at.map_or(Value::Null, time),
        })));
    }
    Ok(with_token(json!({ "Engagements": items }), "NextToken", next))
}

async fn page_json(c: &Call<'_>, p: &PageView, full: bool) -> Result<Value, ApiError> {
    let e = c.engine.engagement(&p.engagement_id).await?;
    let mut v = json!({
        "PageArn": c.arns.page(&p.contact, &p.id),
        "EngagementArn": c.arns.engagement(&e.summary.contact, &e.summary.id),
        "ContactArn": c.arns.contact(&p.contact),
        "Sender": e.summary.sender,
        "IncidentId": incident_arn(c, e.summary.incident_id.as_deref()).await?,
        "SentTime": time(p.sent_at),
        "DeliveryTime": p.delivered_at.map_or(Value::Null, time),
        "ReadTime": p.read_at.map_or(Value::Null, time),
    });
    if full {
        v["Subject"] = json!(e.summary.subject);
        v["Content"] = json!(e.summary.content);
        v["PublicSubject"] = json!(e.public_subject);
        v["PublicContent"] = json!(e.public_content);
    }
    Ok(drop_nulls(v))
}

async fn describe_page(c: &Call<'_>, id: &str) -> Result<Value, ApiError> {
    page_json(c, &c.engine.page(id).await?, true).await
}

async fn pages_json(c: &Call<'_>, pages: Vec<PageView>, body: &Value) -> Result<Value, ApiError> {
    let (pages, next) = page(pages, body["NextToken"].as_str(), body["MaxResults"].as_i64())?;
    let mut items = Vec::new();
    for p in &pages {
        items.push(page_json(c, p, false).await?);
    }
    Ok(with_token(json!({ "Pages": items }), "NextToken", next))
}

async fn list_receipts(c: &Call<'_>, body: &Value) -> Result<Value, ApiError> {
    let p = c.engine.page(&page_id(body)?).await?;
    let receipts: Vec<_> =
        c.engine.receipts(&p.engagement_id).await?.into_iter().filter(|r| r.page_id == p.id).collect();
    let (receipts, next) = page(receipts, body["NextToken"].as_str(), body["MaxResults"].as_i64())?;
    let items: Vec<Value> = receipts
        .iter()
        .map(|r| {
            drop_nulls(json!({
                "ContactChannelArn": r.channel_id.as_deref().map_or(Value::Null, |ch| json!(c.arns.channel(&r.contact, ch))),
                "ReceiptType": r.kind.as_str().to_uppercase(),
                "ReceiptInfo": r.info,
                "ReceiptTime": time(r.at),
            }))
        })
        .collect();
    Ok(with_token(json!({ "Receipts": items }), "NextToken", next))
}

/// How the page reached its person: the engaged contact (an escalation plan, say), then the person.
async fn list_resolutions(c: &Call<'_>, body: &Value) -> Result<Value, ApiError> {
    let p = c.engine.page(&page_id(body)?).await?;
    let e = c.engine.engagement(&p.engagement_id).await?;
    let mut items = Vec::new();
    if e.summary.contact != p.contact {
        let engaged = c.engine.contact(&e.summary.contact).await?;
        items.push(json!({
            "ContactArn": c.arns.contact(&engaged.alias),
            "Type": type_name(engaged.kind),
            "StageIndex": p.stage_index,
        }));
    }
    items.push(json!({ "ContactArn": c.arns.contact(&p.contact), "Type": "PERSONAL", "StageIndex": p.stage_index }));
    Ok(json!({ "PageResolutions": items }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AcceptPageInput {
    page_id: String,
    accept_type: String,
    accept_code: String,
    accept_code_validation: Option<String>,
    note: Option<String>,
}

async fn accept_page(c: &Call<'_>, req: AcceptPageInput) -> Result<Value, ApiError> {
    let id = id_of(&req.page_id, "page", "PageId")?;
    let accept = if req.accept_type == "READ" { AcceptType::Read } else { AcceptType::Delivered };
    let enforce = req.accept_code_validation.as_deref() == Some("ENFORCE");
    c.engine.accept_page(&id, accept, &req.accept_code, enforce, req.note.as_deref()).await?;
    Ok(json!({}))
}
