//! Health figures in the Prometheus text format, served at `/metrics`. Counters are kept as work
//! happens (one set per process, as Prometheus scrapes processes); the backlog is read from the
//! database at each scrape, so every replica reports the same queue. A leaf: the engine and the
//! error conversions count into it, and it imports none of them.

use std::sync::LazyLock;

use prometheus::{Encoder, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder};

struct Counters {
    registry: Registry,
    outcomes: IntCounterVec,
    database_errors: IntCounterVec,
    steps_run: IntCounter,
    alerts_routed: IntCounter,
}

static COUNTERS: LazyLock<Counters> = LazyLock::new(|| {
    let registry = Registry::new();
    let outcomes = IntCounterVec::new(
        Opts::new("oncall_delivery_outcomes_total", "Delivery attempts by message kind and outcome."),
        &["kind", "outcome"],
    )
    .expect("valid metric");
    let database_errors = IntCounterVec::new(
        Opts::new("oncall_database_errors_total", "Database failures, by the part of the console that met them."),
        &["component"],
    )
    .expect("valid metric");
    let steps_run = IntCounter::new("oncall_escalation_steps_run_total", "Escalation steps run by this process.")
        .expect("valid metric");
    let alerts_routed = IntCounter::new(
        "oncall_alerts_routed_total",
        "Alerts routed by this process (its rate is the routing rate; sum over replicas).",
    )
    .expect("valid metric");
    for metric in [
        Box::new(outcomes.clone()) as Box<dyn prometheus::core::Collector>,
        Box::new(database_errors.clone()),
        Box::new(steps_run.clone()),
        Box::new(alerts_routed.clone()),
    ] {
        registry.register(metric).expect("metric registered once");
    }
    Counters { registry, outcomes, database_errors, steps_run, alerts_routed }
});

/// Where a database failure was met.
#[derive(Clone, Copy, Debug)]
pub enum Component {
    /// A request: a page, a server function, the SSM API.
    Request,
    /// The escalation worker.
    Engine,
    /// The delivery sender.
    Outbox,
    /// Sessions, key use and other bookkeeping flushed in the background.
    Upkeep,
}

impl Component {
    fn label(self) -> &'static str {
        match self {
            Component::Request => "request",
            Component::Engine => "engine",
            Component::Outbox => "outbox",
            Component::Upkeep => "upkeep",
        }
    }
}

pub fn database_error(component: Component) {
    COUNTERS.database_errors.with_label_values(&[component.label()]).inc();
}

/// One delivery attempt's outcome: `sent`, `outbox` (no transport), `retry` or `failed`.
pub fn delivery_outcome(kind: &str, outcome: &str) {
    COUNTERS.outcomes.with_label_values(&[kind, outcome]).inc();
}

pub fn steps_run(n: usize) {
    COUNTERS.steps_run.inc_by(u64::try_from(n).unwrap_or(u64::MAX));
}

pub fn alerts_routed(n: usize) {
    COUNTERS.alerts_routed.inc_by(u64::try_from(n).unwrap_or(u64::MAX));
}

/// The work waiting in the database at a scrape.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Backlog {
    /// Escalation steps whose time has come and that no worker has run yet.
    pub steps_due: i64,
    /// Unfinished deliveries (waiting, retrying or being handed over), by kind.
    pub pending_by_kind: Vec<(String, i64)>,
    /// Deliveries being handed to their transport now.
    pub sending: i64,
    /// Seconds since the oldest unfinished delivery was created; 0 when there is none.
    pub oldest_pending_secs: i64,
    /// Alerts stored and due but not routed yet (held ones wait for their hours, not counted).
    pub alerts_waiting: i64,
    /// Seconds since the oldest of them arrived: routing's lag; 0 when none waits.
    pub routing_lag_secs: i64,
}

/// The text a scrape returns; without a backlog (the database did not answer) the backlog
/// gauges are left out and `oncall_database_up` is 0.
pub fn render(backlog: Option<&Backlog>) -> String {
    let registry = Registry::new();
    let up = IntGauge::new("oncall_database_up", "1 when the backlog below could be read from the database.")
        .expect("valid metric");
    up.set(i64::from(backlog.is_some()));
    registry.register(Box::new(up)).expect("fresh registry");
    if let Some(b) = backlog {
        let steps = IntGauge::new("oncall_escalation_steps_due", "Escalation steps due and not yet run.")
            .expect("valid metric");
        steps.set(b.steps_due);
        let pending = IntGaugeVec::new(
            Opts::new("oncall_deliveries_pending", "Deliveries not yet finished (waiting, retrying, or being sent)."),
            &["kind"],
        )
        .expect("valid metric");
        for kind in ["email", "sms", "voice", "slack", "webhook"] {
            let n = b.pending_by_kind.iter().find(|(k, _)| k == kind).map_or(0, |(_, n)| *n);
            pending.with_label_values(&[kind]).set(n);
        }
        let sending =
            IntGauge::new("oncall_deliveries_sending", "Deliveries being handed to their transport.").expect("valid");
        sending.set(b.sending);
        let oldest = IntGauge::new(
            "oncall_delivery_oldest_pending_age_seconds",
            "Age of the oldest unfinished delivery (0 when none is waiting).",
        )
        .expect("valid metric");
        oldest.set(b.oldest_pending_secs);
        let waiting =
            IntGauge::new("oncall_alerts_unrouted", "Alerts stored and due but not routed yet.").expect("valid metric");
        waiting.set(b.alerts_waiting);
        let lag = IntGauge::new(
            "oncall_routing_lag_seconds",
            "Age of the oldest alert waiting to be routed (0 when none waits).",
        )
        .expect("valid metric");
        lag.set(b.routing_lag_secs);
        for metric in [
            Box::new(steps) as Box<dyn prometheus::core::Collector>,
            Box::new(pending),
            Box::new(sending),
            Box::new(oldest),
            Box::new(waiting),
            Box::new(lag),
        ] {
            registry.register(metric).expect("fresh registry");
        }
    }
    let mut families = COUNTERS.registry.gather();
    families.extend(registry.gather());
    let mut out = Vec::new();
    TextEncoder::new().encode(&families, &mut out).expect("text encoding of gathered metrics");
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_backlog() {
        delivery_outcome("sms", "sent");
        database_error(Component::Outbox);
        alerts_routed(5);
        let backlog = Backlog {
            steps_due: 3,
            pending_by_kind: vec![("email".into(), 2)],
            sending: 1,
            oldest_pending_secs: 7,
            alerts_waiting: 40,
            routing_lag_secs: 2,
        };
        let text = render(Some(&backlog));
        assert!(text.contains("oncall_delivery_outcomes_total{kind=\"sms\",outcome=\"sent\"}"), "{text}");
        assert!(text.contains("oncall_database_errors_total{component=\"outbox\"}"), "{text}");
        assert!(text.contains("oncall_escalation_steps_due 3"), "{text}");
        assert!(text.contains("oncall_deliveries_pending{kind=\"email\"} 2"), "{text}");
        assert!(text.contains("oncall_deliveries_pending{kind=\"voice\"} 0"), "{text}");
        assert!(text.contains("oncall_delivery_oldest_pending_age_seconds 7"), "{text}");
        assert!(text.contains("oncall_database_up 1"), "{text}");
        assert!(text.contains("oncall_alerts_unrouted 40"), "{text}");
        assert!(text.contains("oncall_routing_lag_seconds 2"), "{text}");
        assert!(text.contains("oncall_alerts_routed_total"), "{text}");
    }

    #[test]
    fn without_a_database_only_counters_and_down() {
        let text = render(None);
        assert!(text.contains("oncall_database_up 0"), "{text}");
        assert!(!text.contains("oncall_escalation_steps_due"), "{text}");
    }
}
