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
