//! Reading a source's body: what dedups it at the door, and the alerts it carries. Pure: no
//! database, no clock but the `now` it is given. Payload shapes: `shared/alerts-routing-ack-notes.md` §1.

use std::collections::BTreeMap;

use app::domain::alert::{Alert, AlertStatus, IntegrationKind};
use app::paths::encode_path_segment;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Longest title, summary and label value kept (characters); the raw body keeps everything.
const MAX_TEXT: usize = 1_000;
/// Most labels kept per alert.
const MAX_LABELS: usize = 64;
/// Most alerts read from one Alertmanager group.
const MAX_GROUP: usize = 500;

/// An event read: its dedup key and its alerts.
#[derive(Debug, PartialEq, Eq)]
pub struct Inbound {
    pub dedup_key: String,
    pub alerts: Vec<Alert>,
}

/// Why a body is refused (answered 400 and quarantined): one line for the sender.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Malformed(pub String);

fn malformed(what: impl Into<String>) -> Malformed {
    Malformed(what.into())
}

/// Reads `body` as `kind` sends it. `idempotency_key` is the `Idempotency-Key` header: when
/// given it is the dedup key, whatever the body says.
pub fn read(kind: IntegrationKind, body: &[u8], idempotency_key: Option<&str>, now: i64) -> Result<Inbound, Malformed> {
    let value: Value = serde_json::from_slice(body).map_err(|e| malformed(format!("not JSON: {e}")))?;
    let Value::Object(object) = value else { return Err(malformed("expected a JSON object")) };
    let (key, alerts) = match kind {
        IntegrationKind::EventBridge => eventbridge(&object, body, now),
        IntegrationKind::Alertmanager => alertmanager(&object, now)?,
        IntegrationKind::Webhook => (body_key(body), vec![generic(&object, now)]),
        IntegrationKind::Sns => sns(&object, now)?,
    };
    let dedup_key = match idempotency_key.map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => format!("key:{}", clip(k, 200)),
        None => key,
    };
    Ok(Inbound { dedup_key, alerts })
}

/// A body without a key of its own dedups on its bytes: a redelivery is the same bytes.
fn body_key(body: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(body)))
}

/// At most `max` characters, without NUL (PostgreSQL text cannot hold it).
fn clip(s: &str, max: usize) -> String {
    s.chars().filter(|c| *c != '\0').take(max).collect()
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(clip(s.trim(), MAX_TEXT)),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The first of `names` that `object` has as text.
fn first(object: &Map<String, Value>, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| text(object.get(*n)))
}

/// RFC 3339 (also CloudWatch's `+0000` offsets) as epoch seconds.
fn epoch(s: Option<&Value>) -> Option<i64> {
    let s = s?.as_str()?;
    chrono::DateTime::parse_from_rfc3339(s)
        .or_else(|_| chrono::DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
        .map(|t| t.timestamp())
        .filter(|t| *t > 0)
}

/// Top-level text fields as labels (other nested objects and arrays stay in the raw payload).
fn labels_of(object: &Map<String, Value>) -> BTreeMap<String, String> {
    object.iter().filter_map(|(k, v)| Some((clip(k, 100), text(Some(v))?))).take(MAX_LABELS).collect()
}

/// A sender's own labels, which many put under `labels` or `tags` rather than at the top:
/// an object of text (`{"service": "payments"}`), or a list of `key:value` / `key=value`
/// texts or `{"key": …, "value": …}` objects (Datadog's and AWS's shapes). These win over
/// top-level fields of the same name: they are what the sender meant as labels.
fn nested_labels(object: &Map<String, Value>) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    for name in ["tags", "labels"] {
        match object.get(name) {
            Some(Value::Object(map)) => labels.extend(labels_of(map)),
            Some(Value::Array(items)) => labels.extend(items.iter().filter_map(tag_pair)),
            _ => {}
        }
    }
    labels.into_iter().take(MAX_LABELS).collect()
}

/// One tag of a list: `"env:prod"`, `"env=prod"` or `{"Key": "env", "Value": "prod"}`.
fn tag_pair(item: &Value) -> Option<(String, String)> {
    match item {
        Value::String(s) => {
            let (k, v) = s.split_once(':').or_else(|| s.split_once('='))?;
            let (k, v) = (k.trim(), v.trim());
            (!k.is_empty()).then(|| (clip(k, 100), clip(v, MAX_TEXT)))
        }
        Value::Object(o) => {
            let key = first(o, &["key", "Key", "name", "Name"])?;
            Some((clip(&key, 100), first(o, &["value", "Value"]).unwrap_or_default()))
        }
        _ => None,
    }
}

/// Top-level text fields and the sender's nested labels, the nested ones winning.
fn all_labels(object: &Map<String, Value>) -> BTreeMap<String, String> {
    let mut labels = labels_of(object);
    labels.extend(nested_labels(object));
    while labels.len() > MAX_LABELS {
        labels.pop_first();
    }
    labels
}

/// A status word: resolved for the words sources use for "over", firing otherwise.
fn status_of(word: Option<String>) -> AlertStatus {
    match word.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("ok" | "resolved" | "recovered" | "closed" | "normal") => AlertStatus::Resolved,
        _ => AlertStatus::Firing,
    }
}

/// Any JSON object, by well-known names: what an input transformer or a script sends
/// (`{"level":"critical","alarm":"ServerCpuTooHigh","state":"ALARM"}`).
fn generic(object: &Map<String, Value>, now: i64) -> Alert {
    let title = first(object, &["title", "alarm", "alarmName", "AlarmName", "alertname", "name", "subject", "summary"])
        .unwrap_or_else(|| "(untitled)".to_owned());
    let fingerprint =
        first(object, &["fingerprint", "dedup", "dedup_key", "alarmArn", "AlarmArn"]).unwrap_or_else(|| title.clone());
    let links = ["url", "link", "dashboard", "runbook"].iter().filter_map(|n| text(object.get(*n))).collect();
    Alert {
        fingerprint,
        status: status_of(first(object, &["status", "state", "NewStateValue"])),
        title,
        summary: first(object, &["summary", "description", "message", "reason", "details"]).unwrap_or_default(),
        severity: first(object, &["level", "severity", "priority"]).unwrap_or_default().to_lowercase(),
        labels: all_labels(object),
        links,
        occurred_at: epoch(object.get("time")).or_else(|| epoch(object.get("timestamp"))).unwrap_or(now),
    }
}

/// EventBridge: a raw event keyed on its `id` (a CloudWatch alarm state change read for what it
/// is, any other event by its detail-type), or an input transformer's JSON read as [`generic`].
fn eventbridge(object: &Map<String, Value>, body: &[u8], now: i64) -> (String, Vec<Alert>) {
    let raw_event = object.contains_key("detail-type") && object.contains_key("source");
    let id = text(object.get("id")).filter(|_| raw_event);
    let key = id.map_or_else(|| body_key(body), |id| format!("event:{id}"));
    let detail = object.get("detail").and_then(Value::as_object);
    let alert = match detail {
        Some(d) if raw_event && d.get("state").and_then(|s| s.get("value")).is_some() => cloudwatch(object, d, now),
        Some(d) if raw_event => {
            let mut alert = generic(d, now);
            alert.title = first(object, &["detail-type"]).unwrap_or(alert.title);
            let resource = object.get("resources").and_then(|r| r.get(0)).and_then(Value::as_str);
            alert.fingerprint = first(d, &["fingerprint"])
                .or_else(|| resource.map(str::to_owned))
                .unwrap_or_else(|| format!("{}:{}", first(object, &["source"]).unwrap_or_default(), alert.title));
            alert.occurred_at = epoch(object.get("time")).unwrap_or(now);
            alert.labels.extend(labels_of(object).into_iter().filter(|(k, _)| k != "id"));
            alert
        }
        _ => generic(object, now),
    };
    (key, vec![alert])
}

/// A CloudWatch alarm state change: ALARM fires, OK resolves, on the alarm's ARN.
fn cloudwatch(event: &Map<String, Value>, detail: &Map<String, Value>, now: i64) -> Alert {
    let state = detail.get("state").and_then(Value::as_object);
    let value = state.and_then(|s| text(s.get("value"))).unwrap_or_default();
    let name = first(detail, &["alarmName"]).unwrap_or_else(|| "(unnamed alarm)".to_owned());
    let arn = event.get("resources").and_then(|r| r.get(0)).and_then(Value::as_str).map(str::to_owned);
    let region = first(event, &["region"]).unwrap_or_default();
    let mut labels = BTreeMap::from([("alarmName".to_owned(), name.clone()), ("state".to_owned(), value.clone())]);
    for (k, v) in [("account", first(event, &["account"])), ("region", Some(region.clone()))] {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            labels.insert(k.to_owned(), v);
        }
    }
    let metric = detail
        .get("configuration")
        .and_then(|c| c.get("metrics"))
        .and_then(|m| m.get(0))
        .and_then(|m| m.get("metricStat"))
        .and_then(|m| m.get("metric"));
    if let Some(m) = metric.and_then(Value::as_object) {
        for (k, name) in [("namespace", "namespace"), ("metric", "name")] {
            if let Some(v) = text(m.get(name)) {
                labels.insert(k.to_owned(), v);
            }
        }
    }
    let link = (!region.is_empty()).then(|| {
        format!(
            "https://console.aws.amazon.com/cloudwatch/home?region={region}#alarmsV2:alarm/{}",
            encode_path_segment(&name)
        )
    });
    Alert {
        fingerprint: arn.unwrap_or_else(|| format!("alarm:{name}")),
        status: if value == "OK" { AlertStatus::Resolved } else { AlertStatus::Firing },
        title: name,
        summary: state.and_then(|s| text(s.get("reason"))).unwrap_or_default(),
        severity: first(event, &["level"]).unwrap_or_default().to_lowercase(),
        labels,
        links: link.into_iter().collect(),
        occurred_at: epoch(state.and_then(|s| s.get("timestamp"))).or_else(|| epoch(event.get("time"))).unwrap_or(now),
    }
}

/// An SNS notification (its signature already checked): keyed on its `MessageId`; the message a
/// CloudWatch alarm (a JSON string: parsed again), other JSON read as [`generic`], or text.
fn sns(envelope: &Map<String, Value>, now: i64) -> Result<(String, Vec<Alert>), Malformed> {
    let id = text(envelope.get("MessageId")).ok_or_else(|| malformed("an SNS message without MessageId"))?;
    let message = envelope.get("Message").and_then(Value::as_str).unwrap_or_default();
    let subject = text(envelope.get("Subject"));
    let sent = epoch(envelope.get("Timestamp")).unwrap_or(now);
    let alert = match serde_json::from_str::<Value>(message) {
        Ok(Value::Object(m)) if m.contains_key("AlarmName") && m.contains_key("NewStateValue") => {
            cloudwatch_sns(&m, sent)
        }
        Ok(Value::Object(m)) => generic(&m, sent),
        _ => {
            let title = subject.clone().or_else(|| message.lines().next().map(|l| clip(l, 200))).unwrap_or_default();
            Alert {
                fingerprint: subject.unwrap_or_else(|| title.clone()),
                status: AlertStatus::Firing,
                title: if title.is_empty() { "(empty SNS message)".to_owned() } else { title },
                summary: clip(message, MAX_TEXT),
                severity: String::new(),
                labels: BTreeMap::from([("topic".to_owned(), text(envelope.get("TopicArn")).unwrap_or_default())]),
                links: vec![],
                occurred_at: sent,
            }
        }
    };
    Ok((format!("sns:{id}"), vec![alert]))
}

/// A CloudWatch alarm notification as SNS carries it: `OK` resolves, on the alarm's ARN.
fn cloudwatch_sns(m: &Map<String, Value>, sent: i64) -> Alert {
    let name = first(m, &["AlarmName"]).unwrap_or_default();
    let state = first(m, &["NewStateValue"]).unwrap_or_default();
    let mut labels = BTreeMap::from([("alarmName".to_owned(), name.clone()), ("state".to_owned(), state.clone())]);
    for (k, source) in [("account", "AWSAccountId"), ("region", "Region")] {
        if let Some(v) = first(m, &[source]) {
            labels.insert(k.to_owned(), v);
        }
    }
    if let Some(trigger) = m.get("Trigger").and_then(Value::as_object) {
        for (k, source) in [("namespace", "Namespace"), ("metric", "MetricName")] {
            if let Some(v) = first(trigger, &[source]) {
                labels.insert(k.to_owned(), v);
            }
        }
    }
    Alert {
        fingerprint: first(m, &["AlarmArn"]).unwrap_or_else(|| format!("alarm:{name}")),
        status: if state == "OK" { AlertStatus::Resolved } else { AlertStatus::Firing },
        title: name,
        summary: first(m, &["NewStateReason"]).unwrap_or_default(),
        severity: first(m, &["level"]).unwrap_or_default().to_lowercase(),
        labels,
        links: vec![],
        occurred_at: epoch(m.get("StateChangeTime")).unwrap_or(sent),
    }
}

/// Alertmanager (and Grafana): a group of alerts, each with its own status. The event dedups on
/// what its alerts are (fingerprint, status and the time it began or ended), so a repeated
/// notification adds nothing while a later firing of the same alert does.
fn alertmanager(object: &Map<String, Value>, now: i64) -> Result<(String, Vec<Alert>), Malformed> {
    let list = object.get("alerts").and_then(Value::as_array).ok_or_else(|| malformed("no \"alerts\" array"))?;
    if list.is_empty() {
        return Err(malformed("the \"alerts\" array is empty"));
    }
    let common = object.get("commonLabels").and_then(Value::as_object);
    let external = text(object.get("externalURL"));
    let mut alerts = Vec::new();
    let mut parts = Vec::new();
    for (i, item) in list.iter().take(MAX_GROUP).enumerate() {
        let a = item.as_object().ok_or_else(|| malformed(format!("alerts[{i}] is not an object")))?;
        let labels_value = a.get("labels").and_then(Value::as_object);
        let mut labels = common.map(labels_of).unwrap_or_default();
        labels.extend(labels_value.map(labels_of).unwrap_or_default());
        let annotations = a.get("annotations").and_then(Value::as_object);
        let status = match text(a.get("status")).as_deref() {
            Some("firing") => AlertStatus::Firing,
            Some("resolved") => AlertStatus::Resolved,
            _ => return Err(malformed(format!("alerts[{i}].status is neither \"firing\" nor \"resolved\""))),
        };
        let fingerprint = text(a.get("fingerprint")).unwrap_or_else(|| {
            let joined: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("labels:{}", hex::encode(&Sha256::digest(joined.join(",").as_bytes())[..8]))
        });
        let (began, ended) = (epoch(a.get("startsAt")), epoch(a.get("endsAt")));
        let when = if status == AlertStatus::Resolved { ended.or(began) } else { began };
        parts.push(format!("{fingerprint}:{status}:{}", when.unwrap_or_default()));
        let title = labels
            .get("alertname")
            .cloned()
            .or_else(|| text(object.get("title")))
            .unwrap_or_else(|| "(unnamed alert)".to_owned());
        // The runbook first: what a paged person opens first.
        let runbooks = ["runbook_url", "runbook", "dashboard_url", "dashboard"]
            .iter()
            .filter_map(|n| annotations.and_then(|m| text(m.get(*n))));
        let links = runbooks
            .chain(["generatorURL", "dashboardURL", "panelURL", "silenceURL"].iter().filter_map(|n| text(a.get(*n))))
            .chain(external.clone())
            .collect();
        alerts.push(Alert {
            fingerprint,
            status,
            title,
            summary: annotations.and_then(|n| first(n, &["summary", "description", "message"])).unwrap_or_default(),
            severity: labels.get("severity").map(|s| s.to_lowercase()).unwrap_or_default(),
            labels,
            links,
            occurred_at: when.unwrap_or(now),
        });
    }
    parts.sort();
    Ok((format!("group:{}", hex::encode(Sha256::digest(parts.join("\n").as_bytes()))), alerts))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn alarm(state: &str, id: &str) -> String {
        format!(
            r#"{{"version":"0","id":"{id}","detail-type":"CloudWatch Alarm State Change","source":"aws.cloudwatch",
            "account":"123456789012","time":"2019-10-02T17:04:40Z","region":"us-east-1",
            "resources":["arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh"],
            "detail":{{"alarmName":"ServerCpuTooHigh","state":{{"value":"{state}","reason":"Threshold Crossed",
            "timestamp":"2019-10-02T17:04:40.989+0000"}},"configuration":{{"metrics":[{{"id":"m1","metricStat":
            {{"metric":{{"dimensions":{{"InstanceId":"i-1"}},"name":"CPUUtilization","namespace":"AWS/EC2"}}}}}}]}}}}}}"#
        )
    }

    #[test]
    fn a_cloudwatch_alarm_fires_and_ok_resolves_the_same_alert() {
        let fired = read(IntegrationKind::EventBridge, alarm("ALARM", "e1").as_bytes(), None, NOW).unwrap();
        assert_eq!(fired.dedup_key, "event:e1");
        let a = &fired.alerts[0];
        assert_eq!(
            (a.status, a.title.as_str(), a.summary.as_str()),
            (AlertStatus::Firing, "ServerCpuTooHigh", "Threshold Crossed")
        );
        assert_eq!(a.fingerprint, "arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh");
        assert_eq!(a.occurred_at, 1_570_035_880);
        assert_eq!(a.labels["metric"], "CPUUtilization");
        assert!(a.links[0].contains("region=us-east-1"));
        let ok = read(IntegrationKind::EventBridge, alarm("OK", "e2").as_bytes(), None, NOW).unwrap();
        assert_eq!((ok.alerts[0].status, &ok.alerts[0].fingerprint), (AlertStatus::Resolved, &a.fingerprint));
    }

    #[test]
    fn an_input_transformers_json_is_read_by_its_names() {
        let body = br#"{"level":"Critical","alarm":"ServerCpuTooHigh","state":"ALARM","reason":"Threshold Crossed"}"#;
        let got = read(IntegrationKind::EventBridge, body, None, NOW).unwrap();
        let a = &got.alerts[0];
        assert_eq!(
            (a.severity.as_str(), a.title.as_str(), a.status),
            ("critical", "ServerCpuTooHigh", AlertStatus::Firing)
        );
        assert_eq!(a.fingerprint, "ServerCpuTooHigh");
        assert!(got.dedup_key.starts_with("sha256:"), "no id of its own: keyed on its bytes");
        let ok = read(IntegrationKind::Webhook, br#"{"alarm":"ServerCpuTooHigh","state":"OK"}"#, None, NOW).unwrap();
        assert_eq!(ok.alerts[0].status, AlertStatus::Resolved);
        let keyed = read(IntegrationKind::Webhook, body, Some("abc"), NOW).unwrap();
        assert_eq!(keyed.dedup_key, "key:abc");
    }

    #[test]
    fn an_alertmanager_group_mixes_firing_and_resolved() {
        let body =
            br#"{"version":"4","status":"firing","commonLabels":{"severity":"critical"},"externalURL":"http://am:9093",
          "alerts":[{"status":"firing","labels":{"alertname":"ProbeFailure","instance":"https://x"},
            "annotations":{"summary":"x is down","runbook_url":"https://runbooks/x"},"startsAt":"2023-02-06T13:08:45.828Z","endsAt":"0001-01-01T00:00:00Z",
            "generatorURL":"http://prom:9090/graph","fingerprint":"1a30ba71cca2921f"},
           {"status":"resolved","labels":{"alertname":"DiskFull","severity":"warning"},"annotations":{},
            "startsAt":"2023-02-06T12:00:00Z","endsAt":"2023-02-06T13:00:00Z","fingerprint":"22"}]}"#;
        let got = read(IntegrationKind::Alertmanager, body, None, NOW).unwrap();
        let summary: Vec<(&str, AlertStatus, &str)> =
            got.alerts.iter().map(|a| (a.fingerprint.as_str(), a.status, a.severity.as_str())).collect();
        assert_eq!(
            summary,
            [("1a30ba71cca2921f", AlertStatus::Firing, "critical"), ("22", AlertStatus::Resolved, "warning")]
        );
        assert_eq!(got.alerts[0].summary, "x is down");
        assert_eq!(got.alerts[1].occurred_at, 1_675_688_400, "a resolve happened when it ended");
        assert_eq!(
            got.alerts[0].links,
            ["https://runbooks/x", "http://prom:9090/graph", "http://am:9093"],
            "runbook first"
        );
        let again = read(IntegrationKind::Alertmanager, body, None, NOW + 60).unwrap();
        assert_eq!(again.dedup_key, got.dedup_key, "a repeated notification is the same event");
    }

    #[test]
    fn a_cloudwatch_alarm_through_sns_is_parsed_twice() {
        let message = r#"{"AlarmName":"HighQueue","AWSAccountId":"123456789012","NewStateValue":"ALARM",
          "NewStateReason":"Threshold Crossed","StateChangeTime":"2020-08-21T10:09:51.489+0000","Region":"EU (Frankfurt)",
          "AlarmArn":"arn:aws:cloudwatch:eu-central-1:123456789012:alarm:HighQueue","OldStateValue":"OK",
          "Trigger":{"MetricName":"ApproximateNumberOfMessagesVisible","Namespace":"AWS/SQS"}}"#;
        let envelope = serde_json::json!({"Type":"Notification","MessageId":"938f","TopicArn":"arn:aws:sns:eu-central-1:123456789012:T",
            "Subject":"ALARM: \"HighQueue\"","Message":message,"Timestamp":"2020-08-21T10:09:51.549Z"});
        let got = read(IntegrationKind::Sns, envelope.to_string().as_bytes(), None, NOW).unwrap();
        assert_eq!(got.dedup_key, "sns:938f");
        let a = &got.alerts[0];
        assert_eq!(
            (a.title.as_str(), a.status, a.labels["region"].as_str()),
            ("HighQueue", AlertStatus::Firing, "EU (Frankfurt)")
        );
        assert_eq!(a.fingerprint, "arn:aws:cloudwatch:eu-central-1:123456789012:alarm:HighQueue");
        assert_eq!(a.occurred_at, 1_598_004_591);
        let ok = message.replace("\"NewStateValue\":\"ALARM\"", "\"NewStateValue\":\"OK\"");
        let envelope = serde_json::json!({"Type":"Notification","MessageId":"9390","TopicArn":"t","Message":ok});
        let got = read(IntegrationKind::Sns, envelope.to_string().as_bytes(), None, NOW).unwrap();
        assert_eq!(got.alerts[0].status, AlertStatus::Resolved);
        let plain = serde_json::json!({"Type":"Notification","MessageId":"1","TopicArn":"t","Subject":"Backup failed","Message":"disk full"});
        let got = read(IntegrationKind::Sns, plain.to_string().as_bytes(), None, NOW).unwrap();
        assert_eq!((got.alerts[0].title.as_str(), got.alerts[0].summary.as_str()), ("Backup failed", "disk full"));
    }

    #[test]
    fn nested_labels_and_tags_are_labels_too() {
        let body = br#"{"title":"Checkout slow","service":"top","labels":{"service":"payments","team":"web"},
            "tags":["env:prod","region=ap-northeast-1",{"Key":"owner","Value":"sre"},"nonsense",7]}"#;
        let got = read(IntegrationKind::Webhook, body, None, NOW).unwrap();
        let labels = &got.alerts[0].labels;
        assert_eq!(labels["service"], "payments", "the sender's nested label wins: {labels:?}");
        assert_eq!((labels["team"].as_str(), labels["env"].as_str()), ("web", "prod"));
        assert_eq!((labels["region"].as_str(), labels["owner"].as_str()), ("ap-northeast-1", "sre"));
        assert_eq!(labels["title"], "Checkout slow");
        assert!(!labels.contains_key("nonsense") && !labels.contains_key("tags"), "{labels:?}");
    }

    #[test]
    fn what_cannot_be_read_says_why_in_one_line() {
        let cases: [(IntegrationKind, &[u8], &str); 5] = [
            (IntegrationKind::Webhook, b"\xff\xfe", "not JSON"),
            (IntegrationKind::EventBridge, b"[1,2]", "expected a JSON object"),
            (IntegrationKind::Alertmanager, br#"{"status":"firing"}"#, "no \"alerts\" array"),
            (IntegrationKind::Alertmanager, br#"{"alerts":[]}"#, "empty"),
            (IntegrationKind::Alertmanager, br#"{"alerts":[{"status":"bad"}]}"#, "alerts[0].status"),
        ];
        for (kind, body, says) in cases {
            let e = read(kind, body, None, NOW).unwrap_err();
            assert!(e.0.contains(says) && !e.0.contains('\n'), "{kind}: {e}");
        }
    }
}
