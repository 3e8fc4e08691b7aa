//! Contacts (people, escalation plans, on-call schedules), their channels and plans, after SSM
//! Contacts. Validation reports every problem against the form field it belongs to; references
//! to other contacts are checked against a look-up the caller provides.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::i18n::Msg;

pub const MAX_STAGE_MINUTES: u32 = 30;
pub const MAX_RETRY_MINUTES: u32 = 60;
pub const MAX_SCHEDULE_ROTATIONS: usize = 8;

crate::named_enum! {
    /// Stored by its name; serialised (server functions, audit records) by its variant name.
    #[derive(Serialize, Deserialize)]
    pub enum ContactType {
        /// A person; their plan steps through their own channels.
        Personal = "personal",
        /// An escalation plan; its stages target people and on-call schedules.
        Escalation = "escalation",
        /// An on-call schedule; whoever its rotations have on call.
        OncallSchedule = "oncall_schedule",
    }
}

crate::named_enum! {
    #[derive(Serialize, Deserialize)]
    pub enum ChannelType {
        Email = "email",
        Sms = "sms",
        Voice = "voice",
    }
}

/// Which kinds of message have a way out of the console: e-mail needs a mail server
/// (`--smtp-url`), SMS and voice a gateway (`--page-webhook-url`); in AWS mode Incident Manager
/// sends its own. A message without one waits in the outbox, so nothing may call its channel
/// "working" or count on it in a plan's timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gateways {
    pub email: bool,
    pub sms_voice: bool,
}

impl Gateways {
    /// Every kind carried (where nothing is known, e.g. in the browser before data arrives).
    pub const ALL: Gateways = Gateways { email: true, sms_voice: true };

    pub fn carries(self, kind: ChannelType) -> bool {
        match kind {
            ChannelType::Email => self.email,
            ChannelType::Sms | ChannelType::Voice => self.sms_voice,
        }
    }
}

impl Default for Gateways {
    fn default() -> Self {
        Gateways::ALL
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactChannel {
    pub id: String,
    pub contact_id: String,
    pub name: String,
    pub kind: ChannelType,
    /// An e-mail address, or a phone number in E.164 form (`+819012345678`).
    pub address: String,
    /// Channels are engaged only once activated with the code sent to them.
    pub activated: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    /// One of the person's own channels; `retry_minutes` is the wait before re-sending after a failure.
    Channel { channel_id: String, retry_minutes: u32 },
    /// A person or on-call schedule; an essential target's acknowledgement stops the plan.
    Contact { contact_id: String, essential: bool },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stage {
    /// Minutes before the next stage starts (0–30).
    pub duration_minutes: u32,
    pub targets: Vec<Target>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub stages: Vec<Stage>,
    /// Only for on-call schedules: the rotations whose people are on call (at most 8).
    pub rotation_ids: Vec<String>,
}

impl Plan {
    /// Every target of every stage.
    pub fn targets(&self) -> impl Iterator<Item = &Target> {
        self.stages.iter().flat_map(|s| &s.targets)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Unique alias, also the id: lowercase letters, digits, `-` and `_`.
    pub alias: String,
    pub display_name: String,
    pub kind: ContactType,
    pub plan: Plan,
}

/// What validation needs to know about the contacts and channels a plan refers to.
pub trait References {
    fn contact_type(&self, alias: &str) -> Option<ContactType>;
    /// The contact a channel belongs to.
    fn channel_owner(&self, channel_id: &str) -> Option<String>;
    fn rotation_exists(&self, rotation_id: &str) -> bool;
}

fn alias_ok(alias: &str) -> bool {
    (1..=255).contains(&alias.len())
        && alias.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

impl Contact {
    pub fn validate(&self, refs: &impl References) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if !alias_ok(&self.alias) {
            errors.push(FieldError::new("alias", Msg::ErrAlias));
        }
        let name = &self.display_name;
        if name.trim().is_empty() || name.chars().count() > 255 || name.chars().any(char::is_control) {
            errors.push(FieldError::new("display_name", Msg::ErrName255));
        }
        match self.kind {
            ContactType::OncallSchedule => self.validate_schedule(refs, &mut errors),
            ContactType::Personal | ContactType::Escalation => self.validate_stages(refs, &mut errors),
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    fn validate_schedule(&self, refs: &impl References, errors: &mut Vec<FieldError>) {
        if !self.plan.stages.is_empty() {
            errors.push(FieldError::new("plan.stages", Msg::ErrScheduleStages));
        }
        let n = self.plan.rotation_ids.len();
        if n == 0 || n > MAX_SCHEDULE_ROTATIONS {
            errors.push(FieldError::new("plan.rotation_ids", Msg::ErrScheduleRotations));
        } else if let Some(i) = self.plan.rotation_ids.iter().position(|r| !refs.rotation_exists(r)) {
            errors.push(FieldError::new(&format!("plan.rotation_ids.{i}"), Msg::ErrUnknownRotation));
        }
    }

    fn validate_stages(&self, refs: &impl References, errors: &mut Vec<FieldError>) {
        if !self.plan.rotation_ids.is_empty() {
            errors.push(FieldError::new("plan.rotation_ids", Msg::ErrRotationsOnlyForSchedules));
        }
        if self.kind == ContactType::Escalation && self.plan.stages.is_empty() {
            errors.push(FieldError::new("plan.stages", Msg::ErrNoStages));
        }
        for (i, stage) in self.plan.stages.iter().enumerate() {
            let field = |rest: &str| format!("plan.stages.{i}.{rest}");
            if stage.duration_minutes > MAX_STAGE_MINUTES || (stage.duration_minutes == 0 && stage.targets.is_empty()) {
                errors.push(FieldError::new(&field("duration_minutes"), Msg::ErrStageDuration));
            }
            for (j, target) in stage.targets.iter().enumerate() {
                if let Some(msg) = self.target_error(target, refs) {
                    errors.push(FieldError::new(&field(&format!("targets.{j}")), msg));
                }
            }
        }
    }

    fn target_error(&self, target: &Target, refs: &impl References) -> Option<Msg> {
        match (self.kind, target) {
            (ContactType::Personal, Target::Channel { channel_id, retry_minutes }) => {
                if *retry_minutes > MAX_RETRY_MINUTES {
                    Some(Msg::ErrRetryInterval)
                } else if refs.channel_owner(channel_id).as_deref() != Some(self.alias.as_str()) {
                    Some(Msg::ErrUnknownChannel)
                } else {
                    None
                }
            }
            (ContactType::Escalation, Target::Contact { contact_id, .. }) => match refs.contact_type(contact_id) {
                Some(ContactType::Personal | ContactType::OncallSchedule) => None,
                Some(ContactType::Escalation) => Some(Msg::ErrEscalationTarget),
                None => Some(Msg::ErrUnknownContact),
            },
            (ContactType::Personal, Target::Contact { .. }) => Some(Msg::ErrPersonalTarget),
            (ContactType::Escalation, Target::Channel { .. }) => Some(Msg::ErrEscalationTarget),
            (ContactType::OncallSchedule, _) => Some(Msg::ErrScheduleStages),
        }
    }

    /// A short hash of the contact as an editor shows it. A form carries it as the version it
    /// started from; a save is refused when the contact's fingerprint has changed since (someone
    /// else saved, in the console or, in AWS mode, anywhere else).
    pub fn fingerprint(&self) -> String {
        crate::domain::names::fingerprint(self)
    }

    /// Minutes after the start of an engagement at which each stage begins.
    pub fn stage_offsets(&self) -> Vec<u32> {
        self.plan
            .stages
            .iter()
            .scan(0, |elapsed, stage| {
                let start = *elapsed;
                *elapsed += stage.duration_minutes;
                Some(start)
            })
            .collect()
    }
}

impl ContactChannel {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() || self.name.chars().count() > 255 {
            errors.push(FieldError::new("name", Msg::ErrChannelName));
        }
        let address_ok = match self.kind {
            ChannelType::Email => email_ok(&self.address),
            ChannelType::Sms | ChannelType::Voice => e164_ok(&self.address),
        };
        if !address_ok {
            let msg = if self.kind == ChannelType::Email { Msg::ErrEmail } else { Msg::ErrPhone };
            errors.push(FieldError::new("address", msg));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

fn email_ok(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else { return false };
    !local.is_empty()
        && address.len() <= 254
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !address.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// `+` then 8 to 15 digits, the first not 0.
fn e164_ok(number: &str) -> bool {
    let Some(digits) = number.strip_prefix('+') else { return false };
    (8..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) && !digits.starts_with('0')
}

/// Everyone the rotations of an on-call schedule have on call, in rotation order, each once.
pub fn schedule_on_call(on_call_per_rotation: impl IntoIterator<Item = Vec<String>>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for person in on_call_per_rotation.into_iter().flatten() {
        if !out.contains(&person) {
            out.push(person);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    struct Known {
        contacts: HashMap<&'static str, ContactType>,
        channels: HashMap<&'static str, &'static str>,
        rotations: Vec<&'static str>,
    }

    impl References for Known {
        fn contact_type(&self, alias: &str) -> Option<ContactType> {
            self.contacts.get(alias).copied()
        }
        fn channel_owner(&self, channel_id: &str) -> Option<String> {
            self.channels.get(channel_id).map(ToString::to_string)
        }
        fn rotation_exists(&self, rotation_id: &str) -> bool {
            self.rotations.contains(&rotation_id)
        }
    }

    fn known() -> Known {
        Known {
            contacts: HashMap::from([
                ("tanaka", ContactType::Personal),
                ("smith", ContactType::Personal),
                ("primary", ContactType::OncallSchedule),
                ("main-plan", ContactType::Escalation),
            ]),
            channels: HashMap::from([("tanaka-email", "tanaka"), ("tanaka-voice", "tanaka"), ("smith-email", "smith")]),
            rotations: vec!["weekly-primary", "secondary"],
        }
    }

    fn contact(alias: &str, kind: ContactType, stages: Vec<Stage>, rotation_ids: Vec<String>) -> Contact {
        Contact { alias: alias.into(), display_name: "Name".into(), kind, plan: Plan { stages, rotation_ids } }
    }

    fn escalation_stage(minutes: u32, who: &str) -> Stage {
        Stage { duration_minutes: minutes, targets: vec![Target::Contact { contact_id: who.into(), essential: true }] }
    }

    fn fields(r: Result<(), Vec<FieldError>>) -> Vec<String> {
        r.err().unwrap_or_default().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn email_first_then_phone_ten_minutes_later_then_the_secondary() {
        let plan = contact(
            "main",
            ContactType::Escalation,
            vec![escalation_stage(10, "tanaka"), escalation_stage(15, "primary"), escalation_stage(0, "smith")],
            vec![],
        );
        assert!(plan.validate(&known()).is_ok());
        assert_eq!(plan.stage_offsets(), [0, 10, 25]);

        let person = contact(
            "tanaka",
            ContactType::Personal,
            vec![
                Stage {
                    duration_minutes: 10,
                    targets: vec![Target::Channel { channel_id: "tanaka-email".into(), retry_minutes: 5 }],
                },
                Stage {
                    duration_minutes: 0,
                    targets: vec![Target::Channel { channel_id: "tanaka-voice".into(), retry_minutes: 0 }],
                },
            ],
            vec![],
        );
        assert!(person.validate(&known()).is_ok());
    }

    #[test]
    fn bad_plans_are_rejected_field_by_field() {
        let k = known();
        let over_30 = contact("p", ContactType::Escalation, vec![escalation_stage(31, "tanaka")], vec![]);
        assert_eq!(fields(over_30.validate(&k)), ["plan.stages.0.duration_minutes"]);
        let unknown = contact("p", ContactType::Escalation, vec![escalation_stage(5, "nobody")], vec![]);
        assert_eq!(fields(unknown.validate(&k)), ["plan.stages.0.targets.0"]);
        let nested = contact("p", ContactType::Escalation, vec![escalation_stage(5, "main-plan")], vec![]);
        assert_eq!(fields(nested.validate(&k)), ["plan.stages.0.targets.0"]);
        let empty = contact("p", ContactType::Escalation, vec![Stage { duration_minutes: 0, targets: vec![] }], vec![]);
        assert_eq!(fields(empty.validate(&k)), ["plan.stages.0.duration_minutes"]);
        let no_stages = contact("p", ContactType::Escalation, vec![], vec![]);
        assert_eq!(fields(no_stages.validate(&k)), ["plan.stages"]);
        let foreign_channel = contact(
            "tanaka",
            ContactType::Personal,
            vec![Stage {
                duration_minutes: 5,
                targets: vec![Target::Channel { channel_id: "smith-email".into(), retry_minutes: 61 }],
            }],
            vec![],
        );
        assert_eq!(fields(foreign_channel.validate(&k)), ["plan.stages.0.targets.0"]);
        let bad_alias = Contact { alias: "Tanaka San".into(), display_name: " ".into(), ..no_stages.clone() };
        assert_eq!(fields(bad_alias.validate(&k)), ["alias", "display_name", "plan.stages"]);
    }

    #[test]
    fn schedules_have_rotations_not_stages() {
        let k = known();
        let ok =
            contact("oncall", ContactType::OncallSchedule, vec![], vec!["weekly-primary".into(), "secondary".into()]);
        assert!(ok.validate(&k).is_ok());
        let staged = contact(
            "oncall",
            ContactType::OncallSchedule,
            vec![escalation_stage(5, "tanaka")],
            vec!["secondary".into()],
        );
        assert_eq!(fields(staged.validate(&k)), ["plan.stages"]);
        let nine = contact("oncall", ContactType::OncallSchedule, vec![], vec!["secondary".into(); 9]);
        assert_eq!(fields(nine.validate(&k)), ["plan.rotation_ids"]);
        let unknown = contact("oncall", ContactType::OncallSchedule, vec![], vec!["secondary".into(), "gone".into()]);
        assert_eq!(fields(unknown.validate(&k)), ["plan.rotation_ids.1"]);
        let person_with_rotation = contact("tanaka", ContactType::Personal, vec![], vec!["secondary".into()]);
        assert_eq!(fields(person_with_rotation.validate(&k)), ["plan.rotation_ids"]);
    }

    #[test]
    fn channel_addresses_are_checked_by_type() {
        let ch = |kind, address: &str| ContactChannel {
            id: "c".into(),
            contact_id: "tanaka".into(),
            name: "Work".into(),
            kind,
            address: address.into(),
            activated: false,
        };
        assert!(ch(ChannelType::Email, "tanaka@example.co.jp").validate().is_ok());
        assert!(ch(ChannelType::Sms, "+819012345678").validate().is_ok());
        assert!(ch(ChannelType::Voice, "+14155550100").validate().is_ok());
        for (kind, bad) in [
            (ChannelType::Email, "tanaka"),
            (ChannelType::Email, "a b@example.com"),
            (ChannelType::Email, "a@localhost"),
            (ChannelType::Sms, "09012345678"),
            (ChannelType::Voice, "+0123456789"),
            (ChannelType::Voice, "+81-90-1234-5678"),
        ] {
            assert_eq!(fields(ch(kind, bad).validate()), ["address"], "{bad}");
        }
    }

    #[test]
    fn schedule_on_call_merges_rotations_without_repeats() {
        let merged = schedule_on_call([vec!["a".into(), "b".into()], vec![], vec!["b".into(), "c".into()]]);
        assert_eq!(merged, ["a", "b", "c"]);
    }
}
