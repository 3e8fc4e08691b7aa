//! Why an engagement stopped. The console stores the reason as words ("acknowledged by tanaka",
//! "stopped by sato after acknowledging", "incident resolved") because the SSM Contacts API
//! carries it as free text; the words are made here and read back here, so every page can say
//! them in the reader's language with the person's display name. A reason another system wrote
//! (`StopEngagement`'s `Reason`) is shown as it was written.

use crate::i18n::{Locale, Msg};

/// A stop reason as the console wrote it, or another system's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason<'a> {
    /// The engaged person (alias) acknowledged a page.
    AcknowledgedBy(&'a str),
    /// Someone (username or alias) stopped it, after acknowledging or from the console.
    StoppedBy(&'a str),
    /// Its incident was resolved.
    IncidentResolved,
    /// Written by another system: shown as it is.
    Other(&'a str),
}

const ACKNOWLEDGED_BY: &str = "acknowledged by ";
const STOPPED_BY: &str = "stopped by ";
const AFTER_ACKNOWLEDGING: &str = " after acknowledging";
const INCIDENT_RESOLVED: &str = "incident resolved";

impl<'a> StopReason<'a> {
    pub fn parse(reason: &'a str) -> StopReason<'a> {
        if let Some(who) = reason.strip_prefix(ACKNOWLEDGED_BY) {
            StopReason::AcknowledgedBy(who)
        } else if let Some(rest) = reason.strip_prefix(STOPPED_BY) {
            StopReason::StoppedBy(rest.strip_suffix(AFTER_ACKNOWLEDGING).unwrap_or(rest))
        } else if reason == INCIDENT_RESOLVED {
            StopReason::IncidentResolved
        } else {
            StopReason::Other(reason)
        }
    }

    /// The reason in `locale`, people named by `name` (alias or username → display name).
    pub fn text(self, locale: Locale, name: impl Fn(&str) -> String) -> String {
        match self {
            StopReason::AcknowledgedBy(who) => Msg::StopAcknowledgedBy.text(locale).replace("{who}", &name(who)),
            StopReason::StoppedBy(who) => Msg::StopStoppedBy.text(locale).replace("{who}", &name(who)),
            StopReason::IncidentResolved => Msg::StopIncidentResolved.text(locale).to_owned(),
            StopReason::Other(text) => text.to_owned(),
        }
    }
}

/// The stored reason for an acknowledgement by `alias`.
pub fn acknowledged_by(alias: &str) -> String {
    format!("{ACKNOWLEDGED_BY}{alias}")
}

/// The stored reason for a stop by `who` from the console.
pub fn stopped_by(who: &str) -> String {
    format!("{STOPPED_BY}{who}")
}

/// The stored reason for a stop by `alias` after acknowledging ("stop paging the others").
pub fn stopped_after_acknowledging(alias: &str) -> String {
    format!("{STOPPED_BY}{alias}{AFTER_ACKNOWLEDGING}")
}

/// The stored reason when the incident was resolved.
pub const RESOLVED: &str = INCIDENT_RESOLVED;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_console_writes_it_reads_back_in_either_language() {
        let name = |a: &str| if a == "tanaka" { "田中 太郎".to_owned() } else { a.to_owned() };
        let ack = acknowledged_by("tanaka");
        assert_eq!(StopReason::parse(&ack), StopReason::AcknowledgedBy("tanaka"));
        assert_eq!(StopReason::parse(&ack).text(Locale::Ja, name), "田中 太郎 が対応");
        assert_eq!(StopReason::parse(&ack).text(Locale::En, name), "acknowledged by 田中 太郎");
        let after = stopped_after_acknowledging("sato");
        assert_eq!(StopReason::parse(&after), StopReason::StoppedBy("sato"));
        assert_eq!(StopReason::parse(&stopped_by("admin")).text(Locale::Ja, name), "admin が停止");
        assert_eq!(StopReason::parse(RESOLVED).text(Locale::Ja, name), "インシデント解決");
        assert_eq!(
            StopReason::parse("Paged in error").text(Locale::Ja, name),
            "Paged in error",
            "another system's words"
        );
    }
}
