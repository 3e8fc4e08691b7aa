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
