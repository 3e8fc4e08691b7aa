//! The SDK's shapes as the console's domain types, and back. A value AWS sends that this build
//! does not know is reported, never guessed.

use aws_sdk_ssmcontacts as contacts;
use aws_sdk_ssmincidents as incidents;
use aws_smithy_types::DateTime as AwsTime;
use chrono::{DateTime, Utc, Weekday};

use app::domain::contact::{ChannelType, ContactType, Plan, Stage, Target};
use app::domain::delivery::ReceiptKind;
use app::domain::incident::{IncidentRecord, IncidentStatus};
use app::domain::rotation::{Coverage, HandOff, HandOffTime, Rotation};
use app::error::{AppError, AwsProblem};

pub(super) fn secs(t: &AwsTime) -> i64 {
    t.secs()
}

pub(super) fn chrono_of(t: &AwsTime) -> DateTime<Utc> {
    DateTime::from_timestamp(t.secs(), 0).unwrap_or_default()
}

/// The last `/` segment of an ARN: a contact's alias, an engine id.
pub(super) fn last_segment(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_owned()
}

/// An incident ARN (`…:incident-record/<plan>/<id>`) as a URL-safe id: `<plan>.<id>`.
pub(super) fn incident_key(arn: &str) -> String {
    let mut parts = arn.rsplit('/');
    let id = parts.next().unwrap_or_default();
    let plan = parts.next().unwrap_or_default();
    format!("{plan}.{id}")
}

pub(super) const DAYS: [(Weekday, contacts::types::DayOfWeek); 7] = [
    (Weekday::Mon, contacts::types::DayOfWeek::Mon),
    (Weekday::Tue, contacts::types::DayOfWeek::Tue),
    (Weekday::Wed, contacts::types::DayOfWeek::Wed),
    (Weekday::Thu, contacts::types::DayOfWeek::Thu),
    (Weekday::Fri, contacts::types::DayOfWeek::Fri),
    (Weekday::Sat, contacts::types::DayOfWeek::Sat),
    (Weekday::Sun, contacts::types::DayOfWeek::Sun),
];

pub(super) fn day_to_aws(d: Weekday) -> contacts::types::DayOfWeek {
    DAYS.iter().find(|(w, _)| *w == d).map_or(contacts::types::DayOfWeek::Mon, |(_, a)| a.clone())
}

pub(super) fn day_from_aws(d: &contacts::types::DayOfWeek) -> Weekday {
    DAYS.iter().find(|(_, a)| a == d).map_or(Weekday::Mon, |(w, _)| *w)
}

pub(super) fn time_to_aws(t: HandOffTime) -> contacts::types::HandOffTime {
    contacts::types::HandOffTime::builder().hour_of_day(i32::from(t.hour)).minute_of_hour(i32::from(t.minute)).build()
}

pub(super) fn time_from_aws(t: &contacts::types::HandOffTime) -> HandOffTime {
    HandOffTime::new(u8::try_from(t.hour_of_day()).unwrap_or(0), u8::try_from(t.minute_of_hour()).unwrap_or(0))
}

pub(super) fn built<T>(r: Result<T, aws_smithy_types::error::operation::BuildError>) -> Result<T, AppError> {
    r.map_err(|e| AppError::Aws(AwsProblem::Rejected { code: "BuildError".into(), message: e.to_string() }))
}

pub(super) fn recurrence_to_aws(r: &Rotation) -> Result<contacts::types::RecurrenceSettings, AppError> {
    let mut b = contacts::types::RecurrenceSettings::builder()
        .number_of_on_calls(i32::try_from(r.number_on_call).unwrap_or(1))
        .recurrence_multiplier(i32::try_from(r.multiplier).unwrap_or(1));
    match &r.handoff {
        HandOff::Daily(times) => b = b.set_daily_settings(Some(times.iter().map(|t| time_to_aws(*t)).collect())),
        HandOff::Weekly(days) => {
            let settings = days
                .iter()
                .map(|(d, t)| {
                    built(
                        contacts::types::WeeklySetting::builder()
                            .day_of_week(day_to_aws(*d))
                            .hand_off_time(time_to_aws(*t))
                            .build(),
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            b = b.set_weekly_settings(Some(settings));
        }
        HandOff::Monthly(days) => {
            let settings = days
                .iter()
                .map(|(d, t)| {
                    built(
                        contacts::types::MonthlySetting::builder()
                            .day_of_month(i32::from(*d))
                            .hand_off_time(time_to_aws(*t))
                            .build(),
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            b = b.set_monthly_settings(Some(settings));
        }
    }
    for c in &r.coverage {
        let window =
            contacts::types::CoverageTime::builder().start(time_to_aws(c.start)).end(time_to_aws(c.end)).build();
        let mut existing = b.get_shift_coverages().clone().unwrap_or_default();
        existing.entry(day_to_aws(c.day)).or_default().push(window);
        b = b.set_shift_coverages(Some(existing));
    }
    built(b.build())
}

pub(super) fn rotation_from_aws(
    members: &[String],
    start: Option<&AwsTime>,
    zone: &str,
    r: Option<&contacts::types::RecurrenceSettings>,
) -> Rotation {
    let handoff = match r {
        Some(r) if !r.weekly_settings().is_empty() => HandOff::Weekly(
            r.weekly_settings()
                .iter()
                .map(|w| {
                    (day_from_aws(w.day_of_week()), w.hand_off_time().map_or(HandOffTime::new(0, 0), time_from_aws))
                })
                .collect(),
        ),
        Some(r) if !r.monthly_settings().is_empty() => HandOff::Monthly(
            r.monthly_settings()
                .iter()
                .map(|m| {
                    (
                        u8::try_from(m.day_of_month()).unwrap_or(1),
                        m.hand_off_time().map_or(HandOffTime::new(0, 0), time_from_aws),
                    )
                })
                .collect(),
        ),
        Some(r) => HandOff::Daily(r.daily_settings().iter().map(time_from_aws).collect()),
        None => HandOff::Daily(Vec::new()),
    };
    let mut coverage = Vec::new();
    for (day, windows) in r.and_then(|r| r.shift_coverages()).into_iter().flatten() {
        for w in windows {
            coverage.push(Coverage {
                day: day_from_aws(day),
                start: w.start().map_or(HandOffTime::new(0, 0), time_from_aws),
                end: w.end().map_or(HandOffTime::new(24, 0), time_from_aws),
            });
        }
    }
    coverage.sort_by_key(|c| (c.day.num_days_from_monday(), c.start));
    Rotation {
        members: members.iter().map(|m| last_segment(m)).collect(),
        start: start.map(chrono_of).unwrap_or_default(),
        time_zone: zone.to_owned(),
        handoff,
        multiplier: r.map_or(1, |r| u32::try_from(r.recurrence_multiplier()).unwrap_or(1)),
        number_on_call: r.map_or(1, |r| u32::try_from(r.number_of_on_calls()).unwrap_or(1)),
        coverage,
    }
}

/// A value from AWS this build does not know.
fn unknown(what: &str, value: &str) -> AppError {
    AppError::Aws(AwsProblem::Rejected {
        code: "UnknownValue".into(),
        message: format!("AWS sent a {what} this console does not know: {value}"),
    })
}

pub(super) fn kind_from_aws(t: &contacts::types::ContactType) -> Result<ContactType, AppError> {
    match t {
        contacts::types::ContactType::Personal => Ok(ContactType::Personal),
        contacts::types::ContactType::Escalation => Ok(ContactType::Escalation),
        contacts::types::ContactType::OncallSchedule => Ok(ContactType::OncallSchedule),
        other => Err(unknown("contact type", other.as_str())),
    }
}

pub(super) fn kind_to_aws(t: ContactType) -> contacts::types::ContactType {
    match t {
        ContactType::Personal => contacts::types::ContactType::Personal,
        ContactType::Escalation => contacts::types::ContactType::Escalation,
        ContactType::OncallSchedule => contacts::types::ContactType::OncallSchedule,
    }
}

pub(super) fn plan_from_aws(plan: Option<&contacts::types::Plan>) -> Plan {
    let Some(plan) = plan else { return Plan::default() };
    Plan {
        stages: plan
            .stages()
            .iter()
            .map(|s| Stage {
                duration_minutes: u32::try_from(s.duration_in_minutes()).unwrap_or(0),
                targets: s
                    .targets()
                    .iter()
                    .filter_map(|t| {
                        if let Some(ch) = t.channel_target_info() {
                            return Some(Target::Channel {
                                channel_id: ch.contact_channel_id().to_owned(),
                                retry_minutes: ch
                                    .retry_interval_in_minutes()
                                    .and_then(|m| u32::try_from(m).ok())
                                    .unwrap_or(0),
                            });
                        }
                        t.contact_target_info().map(|ct| Target::Contact {
                            contact_id: last_segment(ct.contact_id().unwrap_or_default()),
                            essential: ct.is_essential(),
                        })
                    })
                    .collect(),
            })
            .collect(),
        rotation_ids: plan.rotation_ids().to_vec(),
    }
}

pub(super) fn channel_kind_from_aws(t: Option<&contacts::types::ChannelType>) -> Result<ChannelType, AppError> {
    match t {
        Some(contacts::types::ChannelType::Email) => Ok(ChannelType::Email),
        Some(contacts::types::ChannelType::Sms) => Ok(ChannelType::Sms),
        Some(contacts::types::ChannelType::Voice) => Ok(ChannelType::Voice),
        other => Err(unknown("channel type", other.map_or("(none)", contacts::types::ChannelType::as_str))),
    }
}

pub(super) fn channel_kind_to_aws(t: ChannelType) -> contacts::types::ChannelType {
    match t {
        ChannelType::Email => contacts::types::ChannelType::Email,
        ChannelType::Sms => contacts::types::ChannelType::Sms,
        ChannelType::Voice => contacts::types::ChannelType::Voice,
    }
}

/// AWS's receipt types are ours; one this build does not know is reported, not guessed.
pub(super) fn receipt_kind_from_aws(t: &contacts::types::ReceiptType) -> Result<ReceiptKind, AppError> {
    use contacts::types::ReceiptType;
    match t {
        ReceiptType::Sent => Ok(ReceiptKind::Sent),
        ReceiptType::Delivered => Ok(ReceiptKind::Delivered),
        ReceiptType::Read => Ok(ReceiptKind::Read),
        ReceiptType::Error => Ok(ReceiptKind::Error),
        ReceiptType::Stop => Ok(ReceiptKind::Stop),
        other => Err(AppError::Aws(AwsProblem::Rejected {
            code: "UnknownReceiptType".into(),
            message: format!("a page receipt of type {} is not known to this console", other.as_str()),
        })),
    }
}

pub(super) fn status_from_aws(s: &incidents::types::IncidentRecordStatus) -> Result<IncidentStatus, AppError> {
    match s {
        incidents::types::IncidentRecordStatus::Open => Ok(IncidentStatus::Open),
        incidents::types::IncidentRecordStatus::Resolved => Ok(IncidentStatus::Resolved),
        other => Err(unknown("incident status", other.as_str())),
    }
}

/// Impact is 1–5 in both models.
pub(super) fn impact_from_aws(impact: i32) -> Result<u8, AppError> {
    u8::try_from(impact).ok().filter(|i| (1..=5).contains(i)).ok_or_else(|| unknown("impact", &impact.to_string()))
}

pub(super) fn record_from_aws(r: &incidents::types::IncidentRecord) -> Result<IncidentRecord, AppError> {
    Ok(IncidentRecord {
        id: incident_key(r.arn()),
        response_plan: r.arn().rsplit('/').nth(1).unwrap_or_default().to_owned(),
        title: r.title().to_owned(),
        summary: r.summary().unwrap_or_default().to_owned(),
        impact: impact_from_aws(r.impact())?,
        status: status_from_aws(r.status())?,
        dedupe_string: Some(r.dedupe_string().to_owned()).filter(|d| !d.is_empty()),
        source: r.incident_record_source().map(|s| s.source().to_owned()).unwrap_or_default(),
        created_at: secs(r.creation_time()),
        resolved_at: r.resolved_time().map(secs),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn incident_ids_fit_in_a_path() {
        assert_eq!(super::incident_key("arn:aws:ssm-incidents::1:incident-record/sev1/abc"), "sev1.abc");
    }
}
