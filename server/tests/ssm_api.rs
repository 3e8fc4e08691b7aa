//! The console's SSM-compatible API as AWS tooling sees it: the AWS SDK with an issued key does
//! the everyday work; anything without a valid signature gets AWS's 403; and every operation
//! follows the published service models (`../shared/aws-models`, copied into `server/aws-models`).

mod common;

use std::collections::HashMap;

use aws_sdk_ssmcontacts::primitives::DateTime as AwsTime;
use aws_sdk_ssmcontacts::types::{
    AcceptCodeValidation, AcceptType, ContactType, HandOffTime, Plan, RecurrenceSettings,
};
use chrono::{Duration, Utc};
use common::ssm::{REGION, SsmServer, t0};
use serde_json::{Value, json};
use server::audit::Actor;
use server::ssm_api::model::{self, ServiceModel};
use server::ssm_api::sigv4;

async fn server() -> (SsmServer, tempfile::TempDir) {
    let (db, dir) = common::test_db().await;
    (SsmServer::start(&db).await, dir)
}

#[tokio::test]
async fn the_aws_sdk_creates_a_contact_and_rotation_lists_shifts_engages_and_accepts() {
    let (api, _dir) = server().await;
    let client = aws_sdk_ssmcontacts::Client::new(&api.sdk_config().await);
    let contact = client
        .create_contact()
        .alias("tanaka")
        .display_name("田中 花子")
        .r#type(ContactType::Personal)
        .plan(Plan::builder().build())
        .send()
        .await
        .unwrap()
        .contact_arn;
    assert!(contact.starts_with(&format!("arn:aws:ssm-contacts:{REGION}:123456789012:contact/tanaka")), "{contact}");
    let channel = client
        .create_contact_channel()
        .contact_id(&contact)
        .name("mail")
        .r#type(aws_sdk_ssmcontacts::types::ChannelType::Email)
        .delivery_address(
            aws_sdk_ssmcontacts::types::ContactChannelAddress::builder().simple_address("tanaka@example.co.jp").build(),
        )
        .send()
        .await
        .unwrap()
        .contact_channel_arn;
    let code = api.activation_code(&channel).await;
    client.activate_contact_channel().contact_channel_id(&channel).activation_code(code).send().await.unwrap();
    let recurrence = RecurrenceSettings::builder()
        .number_of_on_calls(1)
        .recurrence_multiplier(1)
        .daily_settings(HandOffTime::builder().hour_of_day(9).minute_of_hour(0).build())
        .build()
        .unwrap();
    let rotation = client
        .create_rotation()
        .name("primary")
        .contact_ids(&contact)
        .time_zone_id("Asia/Tokyo")
        .start_time(AwsTime::from_secs(t0().timestamp()))
        .recurrence(recurrence)
        .send()
        .await
        .unwrap()
        .rotation_arn;
    let shifts = client
        .list_rotation_shifts()
        .rotation_id(&rotation)
        .start_time(AwsTime::from_secs(t0().timestamp()))
        .end_time(AwsTime::from_secs((t0() + Duration::days(3)).timestamp()))
        .send()
        .await
        .unwrap();
    assert_eq!(shifts.rotation_shifts().len(), 3, "one shift a day, 09:00 Tokyo");
    assert_eq!(shifts.rotation_shifts()[1].contact_ids(), std::slice::from_ref(&contact));
    let engagement = client
        .start_engagement()
        .contact_id(&contact)
        .sender("cloudwatch")
        .subject("CPU high")
        .content("api-1 CPU > 90%")
        .send()
        .await
        .unwrap()
        .engagement_arn;
    api.run_due().await;
    let pages = client.list_pages_by_engagement().engagement_id(&engagement).send().await.unwrap();
    let page = pages.pages()[0].page_arn().to_owned();
    let code = api.accept_code(&page).await;
    let wrong = client
        .accept_page()
        .page_id(&page)
        .accept_type(AcceptType::Read)
        .accept_code(if code == "111111" { "222222" } else { "111111" })
        .accept_code_validation(AcceptCodeValidation::Enforce)
        .send()
        .await;
    assert!(wrong.unwrap_err().into_service_error().is_validation_exception());
    client
        .accept_page()
        .page_id(&page)
        .accept_type(AcceptType::Read)
        .accept_code(&code)
        .accept_code_validation(AcceptCodeValidation::Enforce)
        .send()
        .await
        .unwrap();
    let described = client.describe_page().page_id(&page).send().await.unwrap();
    assert!(described.read_time().is_some());
    let receipts = client.list_page_receipts().page_id(&page).send().await.unwrap();
    let kinds: Vec<&str> = receipts.receipts().iter().map(|r| r.receipt_type().as_str()).collect();
    assert!(kinds.contains(&"SENT") && kinds.contains(&"READ"), "{kinds:?}");
}

#[tokio::test]
async fn requests_without_a_valid_signature_get_an_aws_style_403() {
    let (api, _dir) = server().await;
    let http = reqwest::Client::new();
    let unsigned = http
        .post(&api.url)
        .header("x-amz-target", "SSMContacts.ListContacts")
        .header("content-type", "application/x-amz-json-1.1")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 403);
    assert_eq!(unsigned.headers()["x-amzn-errortype"], "MissingAuthenticationTokenException");
    assert!(unsigned.headers().contains_key("x-amzn-requestid"));

    let mut config = api.sdk_config().await.into_builder();
    config.set_credentials_provider(Some(aws_sdk_ssmcontacts::config::SharedCredentialsProvider::new(
        aws_sdk_ssmcontacts::config::Credentials::new(&api.key_id, "not-the-secret", None, None, "test"),
    )));
    let bad_secret = aws_sdk_ssmcontacts::Client::new(&config.build());
    let err = bad_secret.list_contacts().send().await.unwrap_err();
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(403));
    assert_eq!(aws_sdk_ssmcontacts::error::ProvideErrorMetadata::code(&err), Some("InvalidSignatureException"));

    let keys = server::api_keys::ApiKeys::new(api.db.clone());
    keys.revoke(Actor::System("test"), &api.key_id, Utc::now().timestamp()).await.unwrap();
    let revoked = aws_sdk_ssmcontacts::Client::new(&api.sdk_config().await);
    let err = revoked.list_contacts().send().await.unwrap_err();
    assert_eq!(aws_sdk_ssmcontacts::error::ProvideErrorMetadata::code(&err), Some("UnrecognizedClientException"));
}

// ---- conformance with the published models ----

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Svc {
    Contacts,
    Incidents,
}

impl Svc {
    fn model(self) -> &'static ServiceModel {
        match self {
            Svc::Contacts => model::contacts(),
            Svc::Incidents => model::incidents(),
        }
    }
}

struct Reply {
    status: u16,
    error_type: Option<String>,
    body: Value,
}

/// Sends one signed request the way the SDKs do for the operation's protocol.
async fn send(api: &SsmServer, svc: Svc, op: &str, input: &Value) -> Reply {
    let model = svc.model();
    let http = &model.operation(op).unwrap()["http"];
    let method = http["method"].as_str().unwrap();
    // URI labels carry a percent-encoded value (only the operations this API refuses have them).
    let path: String = http["requestUri"]
        .as_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .split('/')
        .map(|seg| {
            if seg.starts_with('{') {
                urlencode("arn:aws:ssm-incidents::123456789012:response-plan/x")
            } else {
                seg.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    let path = path.as_str();
    let mut body = input.clone();
    let mut query = Vec::new();
    if svc == Svc::Incidents {
        for (member, key) in model.query_members(op) {
            if let Some(v) = body.as_object_mut().unwrap().remove(&member) {
                query.push(format!("{key}={}", urlencode(v.as_str().unwrap())));
            }
        }
    }
    let query = query.join("&");
    let payload = if method == "GET" { String::new() } else { body.to_string() };
    let host = api.url.trim_start_matches("http://").to_owned();
    let mut headers = http::HeaderMap::new();
    headers.insert("host", host.parse().unwrap());
    headers.insert("x-amz-date", Utc::now().format("%Y%m%dT%H%M%SZ").to_string().parse().unwrap());
    let mut signed = vec!["host", "x-amz-date"];
    match svc {
        Svc::Contacts => {
            headers.insert("content-type", "application/x-amz-json-1.1".parse().unwrap());
            headers.insert("x-amz-target", format!("SSMContacts.{op}").parse().unwrap());
            signed.extend(["content-type", "x-amz-target"]);
        }
        Svc::Incidents if method != "GET" => {
            headers.insert("content-type", "application/json".parse().unwrap());
            signed.push("content-type");
        }
        Svc::Incidents => {}
    }
    signed.sort_unstable();
    let service = if svc == Svc::Contacts { "ssm-contacts" } else { "ssm-incidents" };
    let request = sigv4::SignedRequest { method, path, query: &query, headers: &headers, body: payload.as_bytes() };
    let authorization = sigv4::sign(&request, &api.key_id, &api.secret, REGION, service, &signed);
    let url = if query.is_empty() { format!("{}{path}", api.url) } else { format!("{}{path}?{query}", api.url) };
    let mut req = reqwest::Client::new().request(method.parse().unwrap(), url).header("authorization", authorization);
    for (name, value) in &headers {
        if name != "host" {
            req = req.header(name.as_str(), value.to_str().unwrap());
        }
    }
    let res = req.body(payload).send().await.unwrap();
    let status = res.status().as_u16();
    let error_type = res.headers().get("x-amzn-errortype").map(|v| v.to_str().unwrap().to_owned());
    let text = res.text().await.unwrap();
    let body = if text.is_empty() {
        json!({})
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{op}: not JSON: {text}"))
    };
    Reply { status, error_type, body }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Operations the local engine does not serve (sharing, tags, replication sets, findings):
/// they answer a ValidationException that says so.
const NOT_SERVED: [&str; 16] = [
    "PutContactPolicy",
    "GetContactPolicy",
    "TagResource",
    "UntagResource",
    "ListTagsForResource",
    "CreateReplicationSet",
    "GetReplicationSet",
    "UpdateReplicationSet",
    "DeleteReplicationSet",
    "ListReplicationSets",
    "UpdateDeletionProtection",
    "PutResourcePolicy",
    "GetResourcePolicies",
    "DeleteResourcePolicy",
    "BatchGetIncidentFindings",
    "ListIncidentFindings",
];

/// Every implemented operation with a request that sets every required member, in an order
/// that creates before it reads and deletes last. `{x}` stands for an id made in setup.
fn fixtures() -> Vec<(Svc, &'static str, Value)> {
    use Svc::{Contacts as C, Incidents as I};
    let daily = json!({"NumberOfOnCalls": 1, "RecurrenceMultiplier": 1, "DailySettings": [{"HourOfDay": 9, "MinuteOfHour": 0}]});
    vec![
        (C, "CreateContact", json!({"Alias": "conf-new", "Type": "PERSONAL", "Plan": {"Stages": []}})),
        (C, "GetContact", json!({"ContactId": "{contact}"})),
        (C, "UpdateContact", json!({"ContactId": "{contact}", "DisplayName": "Tanaka"})),
        (C, "ListContacts", json!({})),
        (
            C,
            "CreateContactChannel",
            json!({"ContactId": "{contact}", "Name": "sms", "Type": "SMS", "DeliveryAddress": {"SimpleAddress": "+819000000000"}}),
        ),
        (C, "GetContactChannel", json!({"ContactChannelId": "{channel}"})),
        (C, "UpdateContactChannel", json!({"ContactChannelId": "{channel}", "Name": "mail"})),
        (C, "ListContactChannels", json!({"ContactId": "{contact}"})),
        (C, "SendActivationCode", json!({"ContactChannelId": "{spare}"})),
        (C, "ActivateContactChannel", json!({"ContactChannelId": "{spare}", "ActivationCode": "{code}"})),
        (C, "DeactivateContactChannel", json!({"ContactChannelId": "{spare}"})),
        (
            C,
            "CreateRotation",
            json!({"Name": "conf-rotation", "ContactIds": ["{contact}"], "TimeZoneId": "Asia/Tokyo", "Recurrence": daily}),
        ),
        (C, "GetRotation", json!({"RotationId": "{rotation}"})),
        (C, "UpdateRotation", json!({"RotationId": "{rotation}", "Recurrence": daily})),
        (C, "ListRotations", json!({})),
        (C, "ListRotationShifts", json!({"RotationId": "{rotation}", "EndTime": "{later}"})),
        (
            C,
            "ListPreviewRotationShifts",
            json!({"EndTime": "{later}", "Members": ["a", "b"], "TimeZoneId": "UTC", "Recurrence": daily}),
        ),
        (
            C,
            "CreateRotationOverride",
            json!({"RotationId": "{rotation}", "NewContactIds": ["{contact}"], "StartTime": "{soon}", "EndTime": "{later}"}),
        ),
        (C, "GetRotationOverride", json!({"RotationId": "{rotation}", "RotationOverrideId": "{override}"})),
        (C, "ListRotationOverrides", json!({"RotationId": "{rotation}", "StartTime": "{now}", "EndTime": "{later}"})),
        (
            C,
            "StartEngagement",
            json!({"ContactId": "{contact}", "Sender": "cw", "Subject": "CPU", "Content": "CPU high"}),
        ),
        (C, "DescribeEngagement", json!({"EngagementId": "{engagement}"})),
        (C, "ListEngagements", json!({})),
        (C, "DescribePage", json!({"PageId": "{page}"})),
        (C, "ListPagesByContact", json!({"ContactId": "{contact}"})),
        (C, "ListPagesByEngagement", json!({"EngagementId": "{engagement}"})),
        (C, "ListPageReceipts", json!({"PageId": "{page}"})),
        (C, "ListPageResolutions", json!({"PageId": "{page}"})),
        (C, "AcceptPage", json!({"PageId": "{page}", "AcceptType": "DELIVERED", "AcceptCode": "123456"})),
        (C, "StopEngagement", json!({"EngagementId": "{engagement}"})),
        (C, "DeleteRotationOverride", json!({"RotationId": "{rotation}", "RotationOverrideId": "{override}"})),
        (C, "DeleteContactChannel", json!({"ContactChannelId": "{spare}"})),
        (C, "DeleteRotation", json!({"RotationId": "{rotation}"})),
        (C, "DeleteContact", json!({"ContactId": "{free}"})),
        (
            I,
            "CreateResponsePlan",
            json!({"name": "conf-plan", "incidentTemplate": {"title": "Checkout down", "impact": 2}}),
        ),
        (I, "GetResponsePlan", json!({"arn": "{plan}"})),
        (I, "UpdateResponsePlan", json!({"arn": "{plan}", "displayName": "Checkout"})),
        (I, "ListResponsePlans", json!({})),
        (I, "StartIncident", json!({"responsePlanArn": "{plan}"})),
        (I, "GetIncidentRecord", json!({"arn": "{incident}"})),
        (I, "UpdateIncidentRecord", json!({"arn": "{incident}", "summary": "Payments failing"})),
        (I, "ListIncidentRecords", json!({})),
        (
            I,
            "CreateTimelineEvent",
            json!({"incidentRecordArn": "{incident}", "eventTime": "{now}", "eventType": "Custom Event", "eventData": "\"rolled back\""}),
        ),
        (I, "GetTimelineEvent", json!({"incidentRecordArn": "{incident}", "eventId": "{event}"})),
        (
            I,
            "UpdateTimelineEvent",
            json!({"incidentRecordArn": "{incident}", "eventId": "{event}", "eventData": "\"rolled back 42\""}),
        ),
        (I, "ListTimelineEvents", json!({"incidentRecordArn": "{incident}"})),
        (
            I,
            "UpdateRelatedItems",
            json!({"incidentRecordArn": "{incident}", "relatedItemsUpdate": {"itemToAdd": {
                "identifier": {"type": "OTHER", "value": {"url": "https://runbooks.example.com/checkout"}},
                "title": "Runbook"}}}),
        ),
        (I, "ListRelatedItems", json!({"incidentRecordArn": "{incident}"})),
        (I, "DeleteTimelineEvent", json!({"incidentRecordArn": "{incident}", "eventId": "{event}"})),
        (I, "DeleteIncidentRecord", json!({"arn": "{incident}"})),
        (I, "DeleteResponsePlan", json!({"arn": "{plan}"})),
    ]
}

/// Replaces `"{x}"` strings with the ids in `ids` (numbers for times).
fn fill(value: &Value, ids: &HashMap<&str, Value>) -> Value {
    match value {
        Value::String(s) if s.starts_with('{') && s.ends_with('}') => {
            ids.get(&s[1..s.len() - 1]).cloned().unwrap_or_else(|| panic!("no id for {s}"))
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| fill(v, ids)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), fill(v, ids))).collect()),
        other => other.clone(),
    }
}

fn required(model: &ServiceModel, op: &str) -> Vec<String> {
    let shape = model.input_shape(op).unwrap();
    model.shape(shape).unwrap()["required"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

fn modelled_errors(model: &ServiceModel, op: &str) -> Vec<String> {
    model.operation(op).unwrap()["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["shape"].as_str().unwrap().to_owned())
        .collect()
}

/// The ARN of the same kind with an id nobody has.
fn unknown(arn: &str) -> String {
    let (head, _) = arn.rsplit_once('/').unwrap_or(("", arn));
    if head.is_empty() { "00000000-0000-0000-0000-000000000000".into() } else { format!("{head}/doesnotexist") }
}

/// One of everything the fixtures refer to; returns the ids by fixture name and the spare channel.
async fn seed(api: &SsmServer) -> (HashMap<&'static str, Value>, String) {
    let e = &api.engine;
    let seed = Actor::System("test");
    let person = |alias: &str| app::domain::contact::Contact {
        alias: alias.into(),
        display_name: alias.into(),
        kind: app::domain::contact::ContactType::Personal,
        plan: app::domain::contact::Plan::default(),
    };
    e.put_contact(seed, person("tanaka")).await.unwrap();
    e.put_contact(Actor::System("test"), person("free")).await.unwrap();
    let channel = |name: &str, address: &str| app::domain::contact::ContactChannel {
        id: String::new(),
        contact_id: "tanaka".into(),
        name: name.into(),
        kind: app::domain::contact::ChannelType::Email,
        address: address.into(),
        activated: true,
    };
    let mail = e.add_channel(Actor::System("test"), channel("mail", "tanaka@example.co.jp")).await.unwrap().id;
    let spare = e.add_channel(Actor::System("test"), channel("spare", "t2@example.co.jp")).await.unwrap().id;
    let rotation = app::domain::rotation::Rotation {
        members: vec!["tanaka".into()],
        start: t0(),
        time_zone: "Asia/Tokyo".into(),
        handoff: app::domain::rotation::HandOff::Daily(vec![app::domain::rotation::HandOffTime::new(9, 0)]),
        multiplier: 1,
        number_on_call: 1,
        coverage: vec![],
    };
    let rotation = e.create_rotation(Actor::System("test"), "primary", rotation).await.unwrap();
    let soon = t0() + Duration::days(1);
    let o =
        app::domain::rotation::Override { start: soon, end: soon + Duration::hours(4), members: vec!["tanaka".into()] };
    let override_id = e.add_override(Actor::System("test"), &rotation, o).await.unwrap();
    let engagement = e
        .start_engagement(server::engine::paging::EngagementRequest {
            contact: "tanaka".into(),
            sender: "cw".into(),
            subject: "CPU".into(),
            content: "CPU high".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    api.run_due().await;
    let page = e.pages(&engagement).await.unwrap()[0].id.clone();
    let plan = app::domain::incident::ResponsePlan {
        name: "sev1".into(),
        display_name: "Sev 1".into(),
        template: app::domain::incident::IncidentTemplate {
            title: "Down".into(),
            impact: 1,
            summary: String::new(),
            dedupe_string: String::new(),
        },
        engagements: vec![],
        notification_targets: vec![],
    };
    e.put_response_plan(Actor::System("test"), plan).await.unwrap();
    let incident = e
        .start_incident(server::engine::incidents::StartIncident {
            response_plan: "sev1".into(),
            source: "test".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .id()
        .to_owned();
    let event = e.add_timeline_event(Actor::System("test"), &incident, None, "first note").await.unwrap();

    let arn = |r: &str| format!("arn:aws:ssm-contacts:{REGION}:123456789012:{r}");
    let ids: HashMap<&'static str, Value> = HashMap::from([
        ("contact", json!(arn("contact/tanaka"))),
        ("free", json!(arn("contact/free"))),
        ("channel", json!(arn(&format!("contact-channel/tanaka/{mail}")))),
        ("spare", json!(arn(&format!("contact-channel/tanaka/{spare}")))),
        ("rotation", json!(arn(&format!("rotation/{rotation}")))),
        ("override", json!(override_id)),
        ("engagement", json!(arn(&format!("engagement/tanaka/{engagement}")))),
        ("page", json!(arn(&format!("page/tanaka/{page}")))),
        ("plan", json!("arn:aws:ssm-incidents::123456789012:response-plan/sev1")),
        ("incident", json!(format!("arn:aws:ssm-incidents::123456789012:incident-record/sev1/{incident}"))),
        ("event", json!(event)),
        ("now", json!(t0().timestamp())),
        ("soon", json!(soon.timestamp())),
        ("later", json!((t0() + Duration::days(7)).timestamp())),
    ]);

    (ids, spare)
}

#[tokio::test]
async fn every_operation_follows_the_published_models() {
    // The embedded models are the published ones.
    for (name, embedded) in
        [("ssm-contacts", "aws-models/ssm-contacts.json"), ("ssm-incidents", "aws-models/ssm-incidents.json")]
    {
        let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../../shared/aws-models/{name}/service-2.json"));
        let ours = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(embedded)).unwrap();
        if let Ok(published) = std::fs::read(&shared) {
            assert!(published == ours, "{embedded} differs from {}", shared.display());
        }
    }
    let (api, _dir) = server().await;
    let (mut ids, spare) = seed(&api).await;
    let mut covered = Vec::new();
    for (svc, op, template) in fixtures() {
        let model = svc.model();
        covered.push(op);
        if op == "ActivateContactChannel" {
            ids.insert("code", json!(api.activation_code(&spare).await));
        }
        let input = fill(&template, &ids);
        // The request sets every required member.
        for member in required(model, op) {
            assert!(input.get(&member).is_some(), "{op}: the fixture lacks required {member}");
        }
        // Leaving out any required member is a ValidationException that names it; nothing changes.
        for member in required(model, op) {
            let mut partial = input.clone();
            partial.as_object_mut().unwrap().remove(&member);
            let reply = send(&api, svc, op, &partial).await;
            assert_eq!(
                (reply.status, reply.error_type.as_deref()),
                (400, Some("ValidationException")),
                "{op} without {member}"
            );
            let message = reply.body["Message"].as_str().or(reply.body["message"].as_str()).unwrap();
            assert!(message.contains(&member), "{op} without {member}: {message}");
        }
        // An id nobody has gets the modelled error (or, where none is modelled, succeeds).
        for (member, value) in input.as_object().unwrap() {
            const ID_KEYS: [&str; 11] = [
                "contact",
                "free",
                "channel",
                "spare",
                "rotation",
                "override",
                "engagement",
                "page",
                "plan",
                "incident",
                "event",
            ];
            let Some(s) = value.as_str().filter(|s| ID_KEYS.iter().any(|k| ids[k] == *s)) else { continue };
            let mut other = input.clone();
            other[member] = json!(unknown(s));
            let reply = send(&api, svc, op, &other).await;
            if modelled_errors(model, op).iter().any(|e| e == "ResourceNotFoundException") {
                assert_eq!(
                    (reply.status, reply.error_type.as_deref()),
                    (404, Some("ResourceNotFoundException")),
                    "{op} with unknown {member}: {}",
                    reply.body
                );
            } else {
                let modelled = reply.error_type.as_ref().is_some_and(|t| modelled_errors(model, op).contains(t));
                assert!(reply.status < 300 || modelled, "{op} with unknown {member}: {} {}", reply.status, reply.body);
            }
        }
        // The full request succeeds with the modelled status and every required output member.
        let reply = send(&api, svc, op, &input).await;
        assert_eq!(reply.status, model.success_code(op), "{op}: {}", reply.body);
        model
            .check_output(op, &reply.body)
            .unwrap_or_else(|p| panic!("{op} output: {} {}: {}", p.path, p.problem, reply.body));
    }
    // Everything else in the models is refused by name, not silently ignored.
    for svc in [Svc::Contacts, Svc::Incidents] {
        let model = svc.model();
        let uncovered: Vec<&str> = model.operation_names().filter(|op| !covered.contains(op)).collect();
        for op in uncovered {
            assert!(NOT_SERVED.contains(&op), "{op} is neither implemented nor listed as not served");
            let reply = send(&api, svc, op, &json!({})).await;
            assert_eq!(reply.status, 400, "{op}");
        }
    }
}

#[tokio::test]
async fn a_database_failure_is_a_server_error_in_every_operation() {
    let (api, _dir) = server().await;
    let (mut ids, _) = seed(&api).await;
    ids.insert("code", json!("123456"));
    // Every table but the ones signing needs stops answering.
    common::break_tables(&api.db, &["api_keys", "_sqlx_migrations"]).await;
    for (svc, op, template) in fixtures() {
        let reply = send(&api, svc, op, &fill(&template, &ids)).await;
        if op == "ListPreviewRotationShifts" {
            assert_eq!(reply.status, 200, "{op} reads no database: {}", reply.body);
            continue;
        }
        // A server fault SDKs retry, never the caller's mistake or a missing resource.
        assert_eq!(
            (reply.status, reply.error_type.as_deref()),
            (500, Some("InternalServerException")),
            "{op} with the database failing: {}",
            reply.body
        );
        assert!(
            modelled_errors(svc.model(), op).iter().any(|e| e == "InternalServerException"),
            "{op} models InternalServerException"
        );
    }
}
