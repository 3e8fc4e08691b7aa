//! Alerts, as every source becomes one: the kinds of integration the console accepts events
//! from, and the normalised alert each event yields (an Alertmanager group yields several).
//! Reading the sources' bodies is the server's (`server::ingest::normalize`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

crate::named_enum! {
    /// Where an integration's events come from, and so how their bodies are read.
    pub enum IntegrationKind {
        /// EventBridge API destinations: raw events (CloudWatch alarm state changes, any other
        /// event) and whatever JSON an input transformer makes of them.
        EventBridge = "eventbridge",
        /// Amazon SNS over an HTTPS subscription: CloudWatch alarm notifications and any
        /// message; signatures checked, topics allow-listed.
        Sns = "sns",
        /// Prometheus Alertmanager and Grafana alerting webhooks (a group of alerts).
        Alertmanager = "alertmanager",
        /// Any JSON object, read by well-known field names.
        Webhook = "webhook",
    }
}
crate::serde_by_name!(IntegrationKind);

crate::named_enum! {
    pub enum AlertStatus {
        Firing = "firing",
        /// A CloudWatch `OK`, an Alertmanager `resolved`: the alert with the same fingerprint is over.
        Resolved = "resolved",
    }
}
crate::serde_by_name!(AlertStatus);

/// One alert as routing sees it, whatever sent it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// What makes two events the same alert over time (an alarm's ARN, Alertmanager's
    /// fingerprint): a resolve ends, and a repeat joins, the alert with the same fingerprint.
    pub fingerprint: String,
    pub status: AlertStatus,
    pub title: String,
    pub summary: String,
    /// The source's word for how bad it is (`level`, a `severity` label), lower-case; empty when
    /// the source gives none.
    pub severity: String,
    pub labels: BTreeMap<String, String>,
    pub links: Vec<String>,
    /// When the source says it happened (epoch seconds); when it arrived if it does not say.
    pub occurred_at: i64,
}

/// The labels that say where an alert is, in the order a responder reads them; the rest are on
/// the alert's page.
pub const WHERE_LABELS: &[&str] =
    &["instance", "host", "service", "job", "namespace", "pod", "cluster", "region", "account"];

/// The longest summary an incident opened from an alert gets (characters).
pub const MAX_INCIDENT_SUMMARY: usize = 2000;

/// What an incident opened from `alert` says, so that its pages say what broke instead of the
/// response plan's boilerplate: the alert's own summary (its title when it has none), where it
/// is (the identifying labels as `key=value`), its severity, and the http(s) links that came
/// with it, one item per line. Everything in it is the alert's own data — label names and
/// values, the source's words — so it reads the same in every language and needs no
/// translation; the messages around it are translated.
pub fn incident_summary(alert: &Alert) -> String {
    let mut lines = Vec::new();
    let what = if alert.summary.trim().is_empty() { &alert.title } else { &alert.summary };
    lines.push(what.trim().to_owned());
    let place: Vec<String> = WHERE_LABELS
        .iter()
        .filter_map(|k| alert.labels.get(*k).filter(|v| !v.trim().is_empty()).map(|v| format!("{k}={}", v.trim())))
        .collect();
    if !place.is_empty() {
        lines.push(place.join(" "));
    }
    if !alert.severity.is_empty() {
        lines.push(format!("severity={}", alert.severity));
    }
    lines.extend(alert.links.iter().filter_map(|l| crate::domain::web_link::web_link(l)).map(str::to_owned));
    let text = lines.join("\n");
    if text.chars().count() <= MAX_INCIDENT_SUMMARY {
        return text;
    }
    let mut cut: String = text.chars().take(MAX_INCIDENT_SUMMARY - 1).collect();
    cut.push('…');
    cut
}

/// An integration as managers see it (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationView {
    pub id: String,
    pub name: String,
    pub kind: IntegrationKind,
    pub created_by: String,
    pub created_at: i64,
    /// When the secret was last replaced (the one before it is still accepted).
    pub rotated_at: Option<i64>,
    pub events: i64,
    pub last_event_at: Option<i64>,
    pub quarantined: i64,
    /// SNS: the topics whose messages are accepted.
    pub topics: Vec<String>,
}

/// How to wire a sender to an integration at `url` with `secret`, ready to copy: AWS CLI
/// commands and a CloudFormation snippet for EventBridge (a connection, an API destination, a
/// rule for alarm state changes and an input transformer adding `level`), the subscription for
/// SNS, the `webhook_configs` block for Alertmanager, a curl line for a webhook.
pub fn wiring(kind: IntegrationKind, url: &str, secret: &str) -> String {
    match kind {
        IntegrationKind::EventBridge => format!(
            r#"# AWS CLI
aws events create-connection --name oncall-console --authorization-type API_KEY \
  --auth-parameters '{{"ApiKeyAuthParameters":{{"ApiKeyName":"Authorization","ApiKeyValue":"Bearer {secret}"}}}}'
aws events create-api-destination --name oncall-console --http-method POST \
  --invocation-endpoint '{url}' --connection-arn <connection ARN from above>
aws events put-rule --name alarms-to-oncall \
  --event-pattern '{{"source":["aws.cloudwatch"],"detail-type":["CloudWatch Alarm State Change"]}}'
aws events put-targets --rule alarms-to-oncall --targets '[{{"Id":"oncall","Arn":"<API destination ARN>",
  "RoleArn":"<role EventBridge may use to invoke it>",
  "InputTransformer":{{"InputPathsMap":{{"alarm":"$.detail.alarmName","state":"$.detail.state.value",
    "reason":"$.detail.state.reason","time":"$.time"}},
  "InputTemplate":"{{\"level\":\"critical\",\"alarm\":<alarm>,\"state\":<state>,\"reason\":<reason>,\"time\":<time>}}"}}}}]'

# CloudFormation
Connection:
  Type: AWS::Events::Connection
  Properties:
    AuthorizationType: API_KEY
    AuthParameters: {{ ApiKeyAuthParameters: {{ ApiKeyName: Authorization, ApiKeyValue: "Bearer {secret}" }} }}
Destination:
  Type: AWS::Events::ApiDestination
  Properties: {{ ConnectionArn: !GetAtt Connection.Arn, HttpMethod: POST, InvocationEndpoint: "{url}" }}
AlarmRule:
  Type: AWS::Events::Rule
  Properties:
    EventPattern: {{ source: [aws.cloudwatch], detail-type: [CloudWatch Alarm State Change] }}
    Targets:
      - Id: oncall
        Arn: !GetAtt Destination.Arn
        RoleArn: <role EventBridge may use to invoke it>
        InputTransformer:
          InputPathsMap: {{ alarm: $.detail.alarmName, state: $.detail.state.value, reason: $.detail.state.reason, time: $.time }}
          InputTemplate: '{{"level":"critical","alarm":<alarm>,"state":<state>,"reason":<reason>,"time":<time>}}'
"#
        ),
        IntegrationKind::Sns => {
            let with_secret = url.replacen("://", &format!("://sns:{secret}@"), 1);
            format!(
                "# Subscribe the topic (listed on this integration) over HTTPS; SNS carries the secret as\n\
                 # the password of the URL. Turn on SignatureVersion 2 on the topic.\n\
                 aws sns set-topic-attributes --topic-arn <topic ARN> --attribute-name SignatureVersion --attribute-value 2\n\
                 aws sns subscribe --topic-arn <topic ARN> --protocol https --notification-endpoint '{with_secret}'\n"
            )
        }
        IntegrationKind::Alertmanager => format!(
            "# alertmanager.yml (Grafana: a webhook contact point with this URL and the Bearer secret)\n\
             receivers:\n  - name: oncall-console\n    webhook_configs:\n      - url: '{url}'\n        send_resolved: true\n        \
             http_config:\n          authorization:\n            credentials: '{secret}'\n"
        ),
        IntegrationKind::Webhook => format!(
            "curl -X POST '{url}' -H 'Authorization: Bearer {secret}' -H 'Idempotency-Key: <unique per event>' \\\n  \
             -H 'Content-Type: application/json' \\\n  \
             -d '{{\"title\":\"Nightly batch failed\",\"severity\":\"high\",\"status\":\"firing\",\"fingerprint\":\"batch\"}}'\n"
        ),
    }
}

#[cfg(test)]
mod incident_summary_tests {
    use super::*;

    fn alert(summary: &str, labels: &[(&str, &str)], links: &[&str]) -> Alert {
        Alert {
            fingerprint: "f".into(),
            status: AlertStatus::Firing,
            title: "DiskFullDb1".into(),
            summary: summary.into(),
            severity: "critical".into(),
            labels: labels.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            links: links.iter().map(|l| (*l).to_owned()).collect(),
            occurred_at: 1,
        }
    }

    #[test]
    fn says_what_where_how_bad_and_the_links_that_came_with_it() {
        let a = alert(
            "Disk full on db-1",
            &[("alertname", "DiskFullDb1"), ("team", "web"), ("instance", "db-1"), ("region", "ap-northeast-1")],
            &["https://prometheus.example/graph?g0.expr=disk", "javascript:alert(1)", "http://runbooks.example/disk"],
        );
        assert_eq!(
            incident_summary(&a),
            "Disk full on db-1\ninstance=db-1 region=ap-northeast-1\nseverity=critical\n\
             https://prometheus.example/graph?g0.expr=disk\nhttp://runbooks.example/disk"
        );
    }

    #[test]
    fn without_a_summary_the_title_says_what() {
        let mut a = alert("  ", &[], &[]);
        a.severity = String::new();
        assert_eq!(incident_summary(&a), "DiskFullDb1");
    }

    #[test]
    fn a_long_summary_is_cut_to_the_limit() {
        let a = alert(&"x".repeat(5000), &[], &[]);
        let s = incident_summary(&a);
        assert_eq!(s.chars().count(), MAX_INCIDENT_SUMMARY);
        assert!(s.ends_with('…'));
    }
}
