//! Response plans, incident records and timelines, after SSM Incidents. A response plan says what
//! starting an incident does: the record's template, who is engaged, and which chat or webhook
//! targets hear about it.

use serde::{Deserialize, Serialize};

use crate::domain::contact::References;
use crate::error::FieldError;
use crate::i18n::Msg;

pub const MAX_TITLE: usize = 200;
pub const MAX_SUMMARY: usize = 8000;
pub const MAX_DEDUPE: usize = 1000;
pub const MAX_ENGAGEMENTS: usize = 5;
pub const MAX_NOTIFICATION_TARGETS: usize = 10;
pub const MAX_EVENT_DATA: usize = 12_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentTemplate {
    pub title: String,
    /// 1 (critical) to 5 (no impact).
    pub impact: u8,
    pub summary: String,
    /// Incidents started while an open one has the same string merge into it.
    pub dedupe_string: String,
}

/// Where incident notices (opened, resolved) are posted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotificationTarget {
    /// A Slack incoming webhook.
    Slack { url: String },
    /// Any HTTPS endpoint that takes a JSON POST.
    Webhook { url: String },
}

impl NotificationTarget {
    pub fn url(&self) -> &str {
        match self {
            NotificationTarget::Slack { url } | NotificationTarget::Webhook { url } => url,
        }
    }

    pub fn kind(&self) -> crate::domain::delivery::DeliveryKind {
        use crate::domain::delivery::DeliveryKind;
        match self {
            NotificationTarget::Slack { .. } => DeliveryKind::Slack,
            NotificationTarget::Webhook { .. } => DeliveryKind::Webhook,
        }
    }

    /// The URL with its path hidden: webhook paths are secrets.
    pub fn redacted(&self) -> String {
        redact_url(self.url())
    }
}

/// `https://hooks.slack.com/services/T0/B0/xyz` → `https://hooks.slack.com/…`.
pub fn redact_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}/…", rest.split('/').next().unwrap_or_default()),
        None => "…".to_owned(),
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponsePlan {
    /// Unique name, also the id: letters, digits, `-` and `_`.
    pub name: String,
    pub display_name: String,
    pub template: IncidentTemplate,
    /// Contacts (people, escalation plans, schedules) engaged when an incident starts.
    pub engagements: Vec<String>,
    pub notification_targets: Vec<NotificationTarget>,
}

crate::named_enum! {
    #[derive(Serialize, Deserialize)]
    pub enum IncidentStatus {
        Open = "open",
        Resolved = "resolved",
    }
}

impl IncidentStatus {
    /// The status as pages and exports name it.
    pub fn label(self) -> Msg {
        match self {
            IncidentStatus::Open => Msg::StatusOpen,
            IncidentStatus::Resolved => Msg::StatusResolved,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentRecord {
    pub id: String,
    pub response_plan: String,
    pub title: String,
    pub summary: String,
    pub impact: u8,
    pub status: IncidentStatus,
    pub dedupe_string: Option<String>,
    /// What started it, e.g. `aws.cloudwatch` or `console`.
    pub source: String,
    pub created_at: i64,
    pub resolved_at: Option<i64>,
}

/// Changes to an incident; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentUpdate {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub impact: Option<u8>,
    pub status: Option<IncidentStatus>,
    /// The summary this edit began from: if the incident's summary is no longer it, someone
    /// else changed it meanwhile and the update is refused (`StaleEdit`), nothing changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary_base: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEvent {
    pub id: String,
    pub incident_id: String,
    /// `incident_created`, `engagement_started`, `page_sent`, `page_accepted`, `status_changed`,
    /// `incident_updated`, `trigger_merged`, or `custom`.
    pub event_type: String,
    pub event_time: i64,
    /// JSON describing the event.
    pub data: String,
    pub created_by: Option<String>,
}

fn name_ok(name: &str) -> bool {
    (1..=200).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

pub fn validate_title(title: &str, field: &str, errors: &mut Vec<FieldError>) {
    if title.trim().is_empty() || title.chars().count() > MAX_TITLE {
        errors.push(FieldError::new(field, Msg::ErrIncidentTitle));
    }
}

pub fn validate_impact(impact: u8, field: &str, errors: &mut Vec<FieldError>) {
    if !(1..=5).contains(&impact) {
        errors.push(FieldError::new(field, Msg::ErrImpact));
    }
}

pub fn validate_summary(summary: &str, field: &str, errors: &mut Vec<FieldError>) {
    if summary.chars().count() > MAX_SUMMARY {
        errors.push(FieldError::new(field, Msg::ErrSummaryLength));
    }
}

/// Webhook URLs must be HTTPS; plain HTTP only to the machine itself (local relays, tests). No
/// user info (`http://127.0.0.1:80@evil.example/` reads as loopback and goes elsewhere). Where the
/// console may actually send is decided again at send time (the server's outbound policy).
pub fn webhook_url_ok(url: &str) -> bool {
    let Some(url) = crate::domain::web_link::web_link(url).filter(|u| *u == url) else { return false };
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"];
    let host_start =
        |prefix: &str| url.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']));
    url.starts_with("https://") || loopback.iter().any(|p| host_start(p))
}

impl ResponsePlan {
    pub fn validate(&self, refs: &impl References) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if !name_ok(&self.name) {
            errors.push(FieldError::new("name", Msg::ErrPlanName));
        }
        let name = &self.display_name;
        if name.trim().is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            errors.push(FieldError::new("display_name", Msg::ErrName200));
        }
        validate_title(&self.template.title, "template.title", &mut errors);
        validate_impact(self.template.impact, "template.impact", &mut errors);
        validate_summary(&self.template.summary, "template.summary", &mut errors);
        if self.template.dedupe_string.chars().count() > MAX_DEDUPE {
            errors.push(FieldError::new("template.dedupe_string", Msg::ErrDedupeLength));
        }
        if self.engagements.len() > MAX_ENGAGEMENTS {
            errors.push(FieldError::new("engagements", Msg::ErrTooManyEngagements));
        }
        for (i, alias) in self.engagements.iter().enumerate() {
            if refs.contact_type(alias).is_none() {
                errors.push(FieldError::new(&format!("engagements.{i}"), Msg::ErrUnknownContact));
            }
        }
        if self.notification_targets.len() > MAX_NOTIFICATION_TARGETS {
            errors.push(FieldError::new("notification_targets", Msg::ErrTooManyTargets));
        }
        for (i, target) in self.notification_targets.iter().enumerate() {
            if !webhook_url_ok(target.url()) {
                errors.push(FieldError::new(&format!("notification_targets.{i}"), Msg::ErrWebhookUrl));
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// Whether this plan engages `alias` directly (deleting that contact would break it).
    pub fn engages(&self, alias: &str) -> bool {
        self.engagements.iter().any(|a| a == alias)
    }
}

/// A custom timeline event's text: present and not too long.
pub fn validate_event_data(data: &str) -> Result<(), Vec<FieldError>> {
    if data.trim().is_empty() || data.chars().count() > MAX_EVENT_DATA {
        Err(vec![FieldError::new("event_data", Msg::ErrEventData)])
    } else {
        Ok(())
    }
}

/// A related item of an incident: a runbook, a dashboard, the change that fixed it (SSM
/// Incidents' `RelatedItem` whose value is a URL).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedLink {
    /// `related-item/OTHER/<32 hex digits>`, as Incident Manager generates them.
    pub id: String,
    pub url: String,
    pub title: String,
}

/// SSM Incidents' limits: a URL of at most 1,000 characters, a title of 200, 100 items.
pub const MAX_LINK_URL: usize = 1000;
pub const MAX_LINK_TITLE: usize = 200;
pub const MAX_LINKS: usize = 100;

/// A link as typed: an `http://` or `https://` URL with a host and no spaces, and a title (the
/// URL when left empty). Returns the trimmed URL and title.
pub fn parse_link(url: &str, title: &str) -> Result<(String, String), Vec<FieldError>> {
    let (url, title) = (url.trim(), title.trim());
    let mut errors = Vec::new();
    let host = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).unwrap_or_default();
    let host = host.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || url.chars().any(char::is_whitespace) || url.chars().count() > MAX_LINK_URL {
        errors.push(FieldError::new("url", Msg::ErrLinkUrl));
    }
    if title.chars().count() > MAX_LINK_TITLE {
        errors.push(FieldError::new("title", Msg::ErrLinkTitle));
    }
    if errors.is_empty() {
        Ok((url.to_owned(), if title.is_empty() { url.to_owned() } else { title.to_owned() }))
    } else {
        Err(errors)
    }
}

/// Whether a link to `url` may join an incident that already links to `existing`: each
/// address once, at most [`MAX_LINKS`].
pub fn check_new_link<'a>(existing: impl ExactSizeIterator<Item = &'a str>, url: &str) -> Result<(), Vec<FieldError>> {
    let count = existing.len();
    let mut existing = existing;
    if existing.any(|u| u == url) {
        Err(vec![FieldError::new("url", Msg::ErrLinkExists)])
    } else if count >= MAX_LINKS {
        Err(vec![FieldError::new("url", Msg::ErrTooManyLinks)])
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_web_addresses_with_a_title() {
        assert_eq!(
            parse_link(" https://grafana.example.com/d/checkout ", ""),
            Ok(("https://grafana.example.com/d/checkout".into(), "https://grafana.example.com/d/checkout".into()))
        );
        assert_eq!(parse_link("http://wiki/runbook", "Runbook").unwrap().1, "Runbook");
        for bad in
            ["", "grafana.example.com", "javascript:alert(1)", "https://", "https:///path", "https://a b", "ftp://x"]
        {
            assert_eq!(parse_link(bad, "x").unwrap_err()[0].field, "url", "{bad}");
        }
        assert_eq!(parse_link("https://x", &"t".repeat(201)).unwrap_err()[0].field, "title");
        let hundred: Vec<String> = (0..MAX_LINKS).map(|i| format!("https://x/{i}")).collect();
        assert_eq!(check_new_link(hundred.iter().take(2).map(String::as_str), "https://y"), Ok(()));
        assert_eq!(
            check_new_link(hundred.iter().take(2).map(String::as_str), "https://x/1").unwrap_err()[0].msg,
            Msg::ErrLinkExists
        );
        assert_eq!(
            check_new_link(hundred.iter().map(String::as_str), "https://y").unwrap_err()[0].msg,
            Msg::ErrTooManyLinks
        );
    }

    #[test]
    fn webhook_urls_must_be_https_or_loopback() {
        assert!(webhook_url_ok("https://hooks.slack.com/services/T0/B0/xyz"));
        assert!(webhook_url_ok("http://127.0.0.1:8080/hook"));
        assert!(webhook_url_ok("http://localhost/hook"));
        assert!(!webhook_url_ok("http://example.com/hook"));
        assert!(!webhook_url_ok("http://localhost.evil.com/hook"));
        assert!(!webhook_url_ok("https:///nohost"));
        assert!(!webhook_url_ok("http://127.0.0.1:80@evil.example/hook"));
        assert!(!webhook_url_ok("https://user@hooks.example.com/x"));
        assert!(!webhook_url_ok(" https://hooks.example.com/x"));
        assert!(!webhook_url_ok("ftp://x"));
    }

    #[test]
    fn redaction_keeps_only_the_host() {
        assert_eq!(redact_url("https://hooks.slack.com/services/T0/B0/xyz"), "https://hooks.slack.com/…");
    }
}

/// The subject of an incident's pages as stored (`[Impact 1] title`, as Incident Manager's
/// engagements carry it); shown through [`localized_subject`].
pub fn page_subject(impact: u8, title: &str) -> String {
    format!("[Impact {impact}] {title}")
}

/// A page subject in `locale`: the console's own `[Impact N]` prefix said in that language; the
/// rest (the incident's title, another sender's subject) is shown as written.
pub fn localized_subject(subject: &str, locale: crate::i18n::Locale) -> String {
    let parsed = subject
        .strip_prefix("[Impact ")
        .and_then(|rest| rest.split_once("] "))
        .filter(|(n, _)| n.len() == 1 && n.bytes().all(|b| b.is_ascii_digit()));
    match parsed {
        Some((impact, title)) => format!("{} {title}", Msg::ImpactPrefix.text(locale).replace("{n}", impact)),
        None => subject.to_owned(),
    }
}

#[cfg(test)]
mod subject_tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn the_impact_prefix_is_said_in_the_readers_language_and_the_title_as_written() {
        let s = page_subject(1, "DiskFullDb1 [prod]");
        assert_eq!(localized_subject(&s, Locale::Ja), "[影響度 1] DiskFullDb1 [prod]");
        assert_eq!(localized_subject(&s, Locale::En), "[Impact 1] DiskFullDb1 [prod]");
        assert_eq!(localized_subject("Drill: [Impact] check", Locale::Ja), "Drill: [Impact] check");
        assert_eq!(localized_subject("[Impact 12] x", Locale::Ja), "[Impact 12] x", "not one the console made");
    }
}
