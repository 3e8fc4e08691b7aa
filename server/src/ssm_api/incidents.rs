//! SSM Incidents operations over the local engine: response plans, incident records and
//! timelines. Notices go to the Slack and webhook targets set in the console: the local engine
//! has no SNS, so SNS targets, chat channels, runbooks and integrations are refused by name.

use serde::Deserialize;
use serde_json::{Value, json};

use app::domain::incident::{
    IncidentRecord, IncidentStatus, IncidentTemplate, IncidentUpdate, ResponsePlan, TimelineEvent,
};

use super::arn::id_of;
use super::call::Call;
use super::wire::{ApiError, from_time, input, page, with_token};
use crate::engine::incidents::StartIncident;
use crate::error::{ServerError, optional};

/// The source AWS records for an incident started by an API call.
const API_SOURCE: &str = "aws.ssm-incidents.custom";
/// Custom timeline events are stored as the engine's `custom` kind and shown with this type.
const CUSTOM_EVENT: &str = "Custom Event";

pub(super) async fn call(c: &Call<'_>, operation: &str, body: Value) -> Result<Value, ApiError> {
    match operation {
        "CreateResponsePlan" => create_plan(c, input(body)?).await,
        "GetResponsePlan" => get_plan(c, &plan_name(&body, "arn")?).await,
        "UpdateResponsePlan" => update_plan(c, input(body)?).await,
        "DeleteResponsePlan" => {
            let name = plan_name(&body, "arn")?;
            idempotent_delete(c.engine.delete_response_plan(c.actor(), &name).await)
        }
        "ListResponsePlans" => list_plans(c, &body).await,
        "StartIncident" => start_incident(c, input(body)?).await,
        "GetIncidentRecord" => {
            let record = c.engine.incident(&incident_id(&body, "arn")?).await?;
            Ok(json!({ "incidentRecord": record_json(c, &record) }))
        }
        "UpdateIncidentRecord" => update_incident(c, input(body)?).await,
        "DeleteIncidentRecord" => {
            let id = incident_id(&body, "arn")?;
            idempotent_delete(c.engine.delete_incident(c.actor(), &id).await)
        }
        "ListIncidentRecords" => list_incidents(c, input(body)?).await,
        "CreateTimelineEvent" => create_event(c, input(body)?).await,
        "GetTimelineEvent" => {
            let (incident, event) =
                (incident_id(&body, "incidentRecordArn")?, body["eventId"].as_str().unwrap_or_default());
            let found = c.engine.timeline(&incident).await?.into_iter().find(|e| e.id == event);
            let event = found
                .ok_or_else(|| ApiError::NotFound { resource_type: "TIMELINE_EVENT", resource_id: event.to_owned() })?;
            Ok(json!({ "event": event_json(c, &incident, &event).await }))
        }
        "UpdateTimelineEvent" => update_event(c, input(body)?).await,
        "DeleteTimelineEvent" => {
            let (incident, event) =
                (incident_id(&body, "incidentRecordArn")?, body["eventId"].as_str().unwrap_or_default());
            idempotent_delete(c.engine.delete_timeline_event(c.actor(), &incident, event).await)
        }
        "ListTimelineEvents" => list_events(c, input(body)?).await,
        "ListRelatedItems" => list_related(c, input(body)?).await,
        "UpdateRelatedItems" => update_related(c, input(body)?).await,
        other => Err(ApiError::Validation {
            message: format!("{other} is not available on the local engine."),
            fields: Vec::new(),
            reason: "UNKNOWN_OPERATION",
        }),
    }
}

fn plan_name(body: &Value, member: &str) -> Result<String, ApiError> {
    id_of(body[member].as_str().unwrap_or_default(), "response-plan", member)
}

fn incident_id(body: &Value, member: &str) -> Result<String, ApiError> {
    id_of(body[member].as_str().unwrap_or_default(), "incident-record", member)
}

/// The model gives these deletes no ResourceNotFound: deleting what is gone succeeds.
fn idempotent_delete(result: Result<(), ServerError>) -> Result<Value, ApiError> {
    match result {
        Ok(()) | Err(ServerError::NotFound(..)) => Ok(json!({})),
        Err(e) => Err(e.into()),
    }
}

/// Members the local engine cannot act on, refused rather than silently dropped.
fn refuse_unsupported(body_has: &[(&str, bool)]) -> Result<(), ApiError> {
    match body_has.iter().find(|(_, set)| *set) {
        Some((member, _)) => Err(ApiError::invalid(
            member,
            "is not supported by the local engine (use Slack or webhook targets in the console)",
        )),
        None => Ok(()),
    }
}

fn non_empty<T>(v: Option<&Vec<T>>) -> bool {
    v.is_some_and(|v| !v.is_empty())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Template {
    title: String,
    impact: u8,
    summary: Option<String>,
    dedupe_string: Option<String>,
    notification_targets: Option<Vec<Value>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreatePlanInput {
    name: String,
    display_name: Option<String>,
    incident_template: Template,
    #[serde(default)]
    engagements: Vec<String>,
    chat_channel: Option<Value>,
    actions: Option<Vec<Value>>,
    integrations: Option<Vec<Value>>,
}

fn has_chat(chat: Option<&Value>) -> bool {
    chat.is_some_and(|c| c.get("chatbotSns").is_some())
}

fn aliases(arns: &[String]) -> Result<Vec<String>, ApiError> {
    arns.iter().map(|a| id_of(a, "contact", "engagements")).collect()
}

async fn create_plan(c: &Call<'_>, req: CreatePlanInput) -> Result<Value, ApiError> {
    refuse_unsupported(&[
        ("incidentTemplate.notificationTargets", non_empty(req.incident_template.notification_targets.as_ref())),
        ("chatChannel", has_chat(req.chat_channel.as_ref())),
        ("actions", non_empty(req.actions.as_ref())),
        ("integrations", non_empty(req.integrations.as_ref())),
    ])?;
    if optional(c.engine.response_plan(&req.name).await)?.is_some() {
        return Err(ApiError::Conflict {
            message: format!("A response plan named {} already exists.", req.name),
            resource_type: "RESPONSE_PLAN",
            resource_id: c.arns.response_plan(&req.name),
        });
    }
    let plan = ResponsePlan {
        display_name: req.display_name.unwrap_or_else(|| req.name.clone()),
        template: IncidentTemplate {
            title: req.incident_template.title,
            impact: req.incident_template.impact,
            summary: req.incident_template.summary.unwrap_or_default(),
            dedupe_string: req.incident_template.dedupe_string.unwrap_or_default(),
        },
        engagements: aliases(&req.engagements)?,
        notification_targets: Vec::new(),
        name: req.name,
    };
    let arn = c.arns.response_plan(&plan.name);
    c.engine.put_response_plan(c.actor(), plan).await?;
    Ok(json!({ "arn": arn }))
}

async fn get_plan(c: &Call<'_>, name: &str) -> Result<Value, ApiError> {
    let plan = c.engine.response_plan(name).await?;
    let mut template =
        json!({ "title": plan.template.title, "impact": plan.template.impact, "summary": plan.template.summary });
    if !plan.template.dedupe_string.is_empty() {
        template["dedupeString"] = json!(plan.template.dedupe_string);
    }
    Ok(json!({
        "arn": c.arns.response_plan(&plan.name),
        "name": plan.name,
        "displayName": plan.display_name,
        "incidentTemplate": template,
        "engagements": plan.engagements.iter().map(|a| c.arns.contact(a)).collect::<Vec<_>>(),
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdatePlanInput {
    arn: String,
    display_name: Option<String>,
    engagements: Option<Vec<String>>,
    incident_template_title: Option<String>,
    incident_template_impact: Option<u8>,
    incident_template_summary: Option<String>,
    incident_template_dedupe_string: Option<String>,
    incident_template_notification_targets: Option<Vec<Value>>,
    chat_channel: Option<Value>,
    actions: Option<Vec<Value>>,
    integrations: Option<Vec<Value>>,
}

async fn update_plan(c: &Call<'_>, req: UpdatePlanInput) -> Result<Value, ApiError> {
    refuse_unsupported(&[
        ("incidentTemplateNotificationTargets", non_empty(req.incident_template_notification_targets.as_ref())),
        ("chatChannel", has_chat(req.chat_channel.as_ref())),
        ("actions", non_empty(req.actions.as_ref())),
        ("integrations", non_empty(req.integrations.as_ref())),
    ])?;
    let mut plan = c.engine.response_plan(&id_of(&req.arn, "response-plan", "arn")?).await?;
    if let Some(v) = req.display_name {
        plan.display_name = v;
    }
    if let Some(v) = req.engagements {
        plan.engagements = aliases(&v)?;
    }
    if let Some(v) = req.incident_template_title {
        plan.template.title = v;
    }
    if let Some(v) = req.incident_template_impact {
        plan.template.impact = v;
    }
    if let Some(v) = req.incident_template_summary {
        plan.template.summary = v;
    }
    if let Some(v) = req.incident_template_dedupe_string {
        plan.template.dedupe_string = v;
    }
    c.engine.put_response_plan(c.actor(), plan).await?;
    Ok(json!({}))
}

async fn list_plans(c: &Call<'_>, body: &Value) -> Result<Value, ApiError> {
    let plans = c.engine.response_plans().await?;
    let (plans, next) = page(plans, body["nextToken"].as_str(), body["maxResults"].as_i64())?;
    let items: Vec<Value> = plans
        .iter()
        .map(|p| json!({ "arn": c.arns.response_plan(&p.name), "name": p.name, "displayName": p.display_name }))
        .collect();
    Ok(with_token(json!({ "responsePlanSummaries": items }), "nextToken", next))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TriggerDetails {
    source: String,
    raw_data: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartIncidentInput {
    response_plan_arn: String,
    title: Option<String>,
    impact: Option<u8>,
    client_token: Option<String>,
    trigger_details: Option<TriggerDetails>,
}

async fn start_incident(c: &Call<'_>, req: StartIncidentInput) -> Result<Value, ApiError> {
    let plan = id_of(&req.response_plan_arn, "response-plan", "responsePlanArn")?;
    c.engine.response_plan(&plan).await?;
    let (source, raw_data) = match req.trigger_details {
        Some(t) => (t.source, t.raw_data),
        None => (API_SOURCE.to_owned(), None),
    };
    let started = c
        .engine
        .start_incident(StartIncident {
            response_plan: plan.clone(),
            title: req.title,
            summary: None,
            impact: req.impact,
            client_token: req.client_token,
            source,
            raw_data,
        })
        .await?;
    let record = c.engine.incident(started.id()).await?;
    Ok(json!({ "incidentRecordArn": c.arns.incident(&record.response_plan, &record.id) }))
}

fn status_name(status: IncidentStatus) -> &'static str {
    match status {
        IncidentStatus::Open => "OPEN",
        IncidentStatus::Resolved => "RESOLVED",
    }
}

fn record_json(c: &Call<'_>, r: &IncidentRecord) -> Value {
    let created_by = format!("arn:aws:iam::{}:user/console", c.arns.account);
    let mut v = json!({
        "arn": c.arns.incident(&r.response_plan, &r.id),
        "title": r.title,
        "summary": r.summary,
        "status": status_name(r.status),
        "impact": r.impact,
        "creationTime": r.created_at,
        "lastModifiedBy": created_by,
        "lastModifiedTime": r.resolved_at.unwrap_or(r.created_at),
        "dedupeString": r.dedupe_string.clone().unwrap_or_default(),
        "incidentRecordSource": { "createdBy": created_by, "source": r.source },
        "notificationTargets": [],
    });
    if let Some(at) = r.resolved_at {
        v["resolvedTime"] = json!(at);
    }
    v
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateIncidentInput {
    arn: String,
    title: Option<String>,
    summary: Option<String>,
    impact: Option<u8>,
    status: Option<String>,
    notification_targets: Option<Vec<Value>>,
    chat_channel: Option<Value>,
}

async fn update_incident(c: &Call<'_>, req: UpdateIncidentInput) -> Result<Value, ApiError> {
    refuse_unsupported(&[
        ("notificationTargets", non_empty(req.notification_targets.as_ref())),
        ("chatChannel", has_chat(req.chat_channel.as_ref())),
    ])?;
    let id = id_of(&req.arn, "incident-record", "arn")?;
    let update = IncidentUpdate {
        title: req.title,
        summary: req.summary,
        impact: req.impact,
        status: req.status.as_deref().and_then(|s| IncidentStatus::parse(&s.to_lowercase())),
        // UpdateIncidentRecord is last-writer-wins in Incident Manager too.
        summary_base: None,
    };
    c.engine.update_incident(c.actor(), &id, update).await?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Filter {
    key: String,
    condition: Condition,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Condition {
    before: Option<f64>,
    after: Option<f64>,
    equals: Option<Equals>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Equals {
    string_values: Option<Vec<String>>,
    integer_values: Option<Vec<i64>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListIncidentsInput {
    #[serde(default)]
    filters: Vec<Filter>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

/// Whether a record passes one filter; filters are ANDed, values within one ORed. (Epoch
/// seconds are far below 2^52, so they compare exactly as f64.)
#[allow(clippy::cast_precision_loss)]
fn passes(r: &IncidentRecord, f: &Filter) -> Result<bool, ApiError> {
    let strings = f.condition.equals.as_ref().and_then(|e| e.string_values.as_deref()).unwrap_or_default();
    let integers = f.condition.equals.as_ref().and_then(|e| e.integer_values.as_deref()).unwrap_or_default();
    Ok(match f.key.as_str() {
        "status" => strings.iter().any(|s| s == status_name(r.status)),
        "impact" => integers.contains(&i64::from(r.impact)),
        "creationTime" => {
            let created = r.created_at as f64;
            f.condition.before.is_none_or(|b| created < b) && f.condition.after.is_none_or(|a| created > a)
        }
        "createdBy" => strings.iter().any(|s| s.ends_with(":user/console")),
        other => {
            return Err(ApiError::invalid(
                "filters.key",
                format!("{other:?} is not one of status, impact, creationTime, createdBy"),
            ));
        }
    })
}

async fn list_incidents(c: &Call<'_>, req: ListIncidentsInput) -> Result<Value, ApiError> {
    let mut records = Vec::new();
    for r in c.engine.incidents(None, u32::MAX).await? {
        let mut keep = true;
        for f in &req.filters {
            keep &= passes(&r, f)?;
        }
        if keep {
            records.push(r);
        }
    }
    let (records, next) = page(records, req.next_token.as_deref(), req.max_results)?;
    let items: Vec<Value> = records
        .iter()
        .map(|r| {
            let full = record_json(c, r);
            let mut v = json!({
                "arn": full["arn"], "title": r.title, "status": full["status"], "impact": r.impact,
                "creationTime": r.created_at, "incidentRecordSource": full["incidentRecordSource"],
            });
            if let Some(at) = r.resolved_at {
                v["resolvedTime"] = json!(at);
            }
            v
        })
        .collect();
    Ok(with_token(json!({ "incidentRecordSummaries": items }), "nextToken", next))
}

/// A custom event's `eventData` is what the caller wrote; automatic events show their JSON.
async fn event_json(c: &Call<'_>, incident: &str, e: &TimelineEvent) -> Value {
    let (kind, data) = if e.event_type == "custom" {
        let text = serde_json::from_str::<Value>(&e.data).ok().and_then(|d| d["text"].as_str().map(str::to_owned));
        (CUSTOM_EVENT.to_owned(), text.unwrap_or_else(|| e.data.clone()))
    } else {
        (e.event_type.clone(), e.data.clone())
    };
    let plan = c.engine.incident(incident).await.map(|r| r.response_plan).unwrap_or_default();
    json!({
        "eventId": e.id,
        "incidentRecordArn": c.arns.incident(&plan, incident),
        "eventTime": e.event_time,
        "eventUpdatedTime": e.event_time,
        "eventType": kind,
        "eventData": data,
    })
}

fn custom_type(event_type: &str) -> Result<(), ApiError> {
    match event_type {
        "Custom Event" | "Note" => Ok(()),
        _ => Err(ApiError::invalid("eventType", "must be \"Custom Event\" or \"Note\"")),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateEventInput {
    incident_record_arn: String,
    event_time: f64,
    event_type: String,
    event_data: String,
}

async fn create_event(c: &Call<'_>, req: CreateEventInput) -> Result<Value, ApiError> {
    custom_type(&req.event_type)?;
    let incident = id_of(&req.incident_record_arn, "incident-record", "incidentRecordArn")?;
    let at = from_time(req.event_time)?.timestamp();
    let id = c.engine.add_timeline_event(c.actor(), &incident, Some(at), &req.event_data).await?;
    Ok(json!({ "eventId": id, "incidentRecordArn": req.incident_record_arn }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateEventInput {
    incident_record_arn: String,
    event_id: String,
    event_time: Option<f64>,
    event_type: Option<String>,
    event_data: Option<String>,
}

async fn update_event(c: &Call<'_>, req: UpdateEventInput) -> Result<Value, ApiError> {
    if let Some(t) = &req.event_type {
        custom_type(t)?;
    }
    let incident = id_of(&req.incident_record_arn, "incident-record", "incidentRecordArn")?;
    let current = c.engine.timeline(&incident).await?.into_iter().find(|e| e.id == req.event_id);
    let current = current
        .ok_or_else(|| ApiError::NotFound { resource_type: "TIMELINE_EVENT", resource_id: req.event_id.clone() })?;
    let text = match req.event_data {
        Some(d) => d,
        None => event_json(c, &incident, &current).await["eventData"].as_str().unwrap_or_default().to_owned(),
    };
    let at = req.event_time.map(from_time).transpose()?.map(|t| t.timestamp());
    c.engine.update_timeline_event(c.actor(), &incident, &req.event_id, at, &text).await?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListEventsInput {
    incident_record_arn: String,
    sort_order: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

async fn list_events(c: &Call<'_>, req: ListEventsInput) -> Result<Value, ApiError> {
    let incident = id_of(&req.incident_record_arn, "incident-record", "incidentRecordArn")?;
    // No ResourceNotFound is modelled here: an unknown incident has an empty timeline.
    let mut events = c.engine.timeline(&incident).await?;
    if req.sort_order.as_deref() == Some("DESCENDING") {
        events.reverse();
    }
    let (events, next) = page(events, req.next_token.as_deref(), req.max_results)?;
    let mut items = Vec::new();
    for e in &events {
        let mut v = event_json(c, &incident, e).await;
        if let Some(map) = v.as_object_mut() {
            map.remove("eventData");
        }
        items.push(v);
    }
    Ok(with_token(json!({ "eventSummaries": items }), "nextToken", next))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListRelatedInput {
    incident_record_arn: String,
    max_results: Option<i64>,
    next_token: Option<String>,
}

/// A related item as SSM Incidents writes it; the item type is the id's second part.
fn related_json(link: &app::domain::incident::RelatedLink) -> Value {
    let item_type = link.id.split('/').nth(1).unwrap_or("OTHER");
    json!({
        "generatedId": link.id,
        "identifier": { "type": item_type, "value": { "url": link.url } },
        "title": link.title,
    })
}

async fn list_related(c: &Call<'_>, req: ListRelatedInput) -> Result<Value, ApiError> {
    let incident = id_of(&req.incident_record_arn, "incident-record", "incidentRecordArn")?;
    // No ResourceNotFound is modelled here: an unknown incident has no related items.
    let links = c.engine.related_links(&incident).await?;
    let (links, next) = page(links, req.next_token.as_deref(), req.max_results)?;
    Ok(with_token(json!({ "relatedItems": links.iter().map(related_json).collect::<Vec<_>>() }), "nextToken", next))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateRelatedInput {
    incident_record_arn: String,
    related_items_update: RelatedUpdate,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
enum RelatedUpdate {
    ItemToAdd(RelatedItemInput),
    ItemToRemove(ItemIdentifierInput),
}

#[derive(Deserialize)]
struct RelatedItemInput {
    identifier: ItemIdentifierInput,
    title: Option<String>,
}

#[derive(Deserialize)]
struct ItemIdentifierInput {
    #[serde(rename = "type")]
    item_type: String,
    value: Value,
}

impl ItemIdentifierInput {
    /// The local engine keeps related items whose value is a URL.
    fn url(&self, member: &str) -> Result<&str, ApiError> {
        self.value["url"]
            .as_str()
            .ok_or_else(|| ApiError::invalid(member, "the local engine keeps related items that are URLs"))
    }
}

async fn update_related(c: &Call<'_>, req: UpdateRelatedInput) -> Result<Value, ApiError> {
    let incident = id_of(&req.incident_record_arn, "incident-record", "incidentRecordArn")?;
    match req.related_items_update {
        RelatedUpdate::ItemToAdd(item) => {
            let url = item.identifier.url("relatedItemsUpdate.itemToAdd.identifier.value")?;
            let title = item.title.unwrap_or_default();
            c.engine.add_related_link(c.actor(), &incident, &item.identifier.item_type, url, &title).await?;
        }
        RelatedUpdate::ItemToRemove(identifier) => {
            let url = identifier.url("relatedItemsUpdate.itemToRemove.value")?;
            let prefix = format!("related-item/{}/", identifier.item_type);
            let links = c.engine.related_links(&incident).await?;
            let link = links
                .iter()
                .find(|l| l.url == url && l.id.starts_with(&prefix))
                .ok_or_else(|| ApiError::NotFound { resource_type: "RELATED_ITEM", resource_id: url.to_owned() })?;
            c.engine.remove_related_link(c.actor(), &incident, &link.id).await?;
        }
    }
    Ok(json!({}))
}
