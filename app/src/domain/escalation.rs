//! What an engagement does if nobody acknowledges: who is paged when, on which channel, worked
//! out from the plans and rosters alone, by the rules the local engine follows
//! (`server/src/engine/paging.rs`). So an editor can show the timeline before anything is
//! saved, in the browser or on the server. `server/tests/escalation.rs` checks, on random plans
//! and rotations, that the engine on a virtual clock sends exactly what this says.
//!
//! The rules: an engaged person or on-call schedule pages whoever is on call at the start; an
//! escalation plan runs its stages in order, each after the previous one's minutes, paging the
//! people its contact targets have on call at that moment. Each person is paged once per
//! engagement and then runs their own plan: each stage's activated channels, one stage after
//! another (without a plan, every activated channel at once); a channel named in several stages
//! is messaged in each.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::contact::{
    ChannelType, Contact, ContactChannel, ContactType, Gateways, Plan, References, Stage, Target, schedule_on_call,
};
use crate::domain::rotation::{Override, Rotation};

/// Everything a simulation reads (the plan editor's island gets it as `model::plans::SimData`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Directory {
    /// Every contact by alias.
    pub contacts: BTreeMap<String, Contact>,
    /// Each person's channels, by alias.
    pub channels: BTreeMap<String, Vec<ContactChannel>>,
    /// Each rotation by id, with its overrides.
    pub rotations: BTreeMap<String, (Rotation, Vec<Override>)>,
    /// Which messages can leave the console: one that cannot is a gap in the timeline.
    pub gateways: Gateways,
}

/// One message the engagement would send.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PlannedMessage {
    pub at: DateTime<Utc>,
    pub person: String,
    pub channel_id: String,
}

/// A step that reaches nobody, for the editor to flag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Gap {
    /// The target (a schedule, or an escalation plan used as a target) had nobody on call.
    NobodyOnCall { at: DateTime<Utc>, stage: usize, target: String },
    /// The target is not a known contact.
    UnknownContact { stage: usize, target: String },
    /// A paged person whose plan reaches no activated channel.
    NoWorkingChannel { at: DateTime<Utc>, person: String },
}

/// Who is paged when, if nobody acknowledges.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Simulation {
    /// Soonest first.
    pub messages: Vec<PlannedMessage>,
    pub gaps: Vec<Gap>,
    /// The on-call schedule that paged each person, as (person, schedule); people paged as
    /// themselves are not here.
    pub via: Vec<(String, String)>,
}

/// One line of a plan's timeline, in order of time: a message, or a step that reaches nobody.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineStep {
    /// Minutes after the start.
    pub minute: i64,
    /// A person's display name, or the target that reached nobody.
    pub who: String,
    /// The on-call schedule the person was paged through (its display name).
    pub via: Option<String>,
    pub what: TimelineWhat,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimelineWhat {
    Message(ChannelType),
    /// A message nothing can send ([`Gateways`]): it would wait in the outbox.
    NoGateway(ChannelType),
    NobodyOnCall,
    NoWorkingChannel,
    UnknownContact,
}

impl Simulation {
    fn via_of(&self, person: &str) -> Option<&str> {
        self.via.iter().find(|(p, _)| p == person).map(|(_, schedule)| schedule.as_str())
    }

    /// Messages and gaps in one list, by time, with names as people read them.
    pub fn steps(&self, d: &Directory, from: DateTime<Utc>) -> Vec<TimelineStep> {
        let name = |alias: &str| d.contacts.get(alias).map_or_else(|| alias.to_owned(), |c| c.display_name.clone());
        let minute = |at: DateTime<Utc>| (at - from).num_minutes();
        let mut out: Vec<TimelineStep> = self
            .messages
            .iter()
            .filter_map(|m| {
                let channel = d.channels.get(&m.person)?.iter().find(|c| c.id == m.channel_id)?;
                Some(TimelineStep {
                    minute: minute(m.at),
                    who: name(&m.person),
                    via: self.via_of(&m.person).map(name),
                    what: if d.gateways.carries(channel.kind) {
                        TimelineWhat::Message(channel.kind)
                    } else {
                        TimelineWhat::NoGateway(channel.kind)
                    },
                })
            })
            .collect();
        out.extend(self.gaps.iter().map(|gap| match gap {
            Gap::NobodyOnCall { at, target, .. } => {
                TimelineStep { minute: minute(*at), who: name(target), via: None, what: TimelineWhat::NobodyOnCall }
            }
            Gap::NoWorkingChannel { at, person } => TimelineStep {
                minute: minute(*at),
                who: name(person),
                via: self.via_of(person).map(name),
                what: TimelineWhat::NoWorkingChannel,
            },
            Gap::UnknownContact { target, .. } => {
                TimelineStep { minute: 0, who: target.clone(), via: None, what: TimelineWhat::UnknownContact }
            }
        }));
        out.sort_by_key(|step| step.minute);
        out
    }
}

impl Directory {
    /// The people a contact has on call at `at`: a person is themself; a schedule, whoever its
    /// rotations have on call; an escalation plan, nobody (it is not on call, it escalates).
    pub fn on_call(&self, contact: &Contact, at: DateTime<Utc>) -> Vec<String> {
        match contact.kind {
            ContactType::Personal => vec![contact.alias.clone()],
            ContactType::Escalation => Vec::new(),
            ContactType::OncallSchedule => schedule_on_call(
                contact
                    .plan
                    .rotation_ids
                    .iter()
                    .filter_map(|id| self.rotations.get(id))
                    .map(|(rotation, overrides)| rotation.on_call_at(at, overrides)),
            ),
        }
    }

    /// What engaging `engaged` at `start` does if nobody acknowledges.
    pub fn simulate(&self, engaged: &str, start: DateTime<Utc>) -> Simulation {
        let mut run = Run { directory: self, paged: Vec::new(), sim: Simulation::default() };
        let Some(contact) = self.contacts.get(engaged) else {
            run.sim.gaps.push(Gap::UnknownContact { stage: 0, target: engaged.to_owned() });
            return run.sim;
        };
        if contact.kind == ContactType::Escalation {
            for (index, at, stage) in stage_starts(&contact.plan, start) {
                for target in &stage.targets {
                    if let Target::Contact { contact_id, .. } = target {
                        run.page_target(contact_id, index, at);
                    }
                }
            }
        } else {
            run.page_target(engaged, 0, start);
        }
        run.sim.messages.sort();
        run.sim
    }
}

/// When each stage of an escalation plan engaged at `start` begins: the first at once, each
/// later one after the previous one's minutes. With the stage's index.
pub fn stage_starts(plan: &Plan, start: DateTime<Utc>) -> impl Iterator<Item = (usize, DateTime<Utc>, &Stage)> {
    plan.stages.iter().enumerate().scan(start, |at, (index, stage)| {
        let begins = *at;
        *at += Duration::minutes(i64::from(stage.duration_minutes));
        Some((index, begins, stage))
    })
}

/// What an acknowledgement in one stage of an escalation plan does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AckEffect {
    pub stage: usize,
    /// When the stage starts, in minutes after the engagement's start.
    pub minute: i64,
    /// Targets whose acknowledgement stops the escalation (Incident Manager's essential ones).
    pub stops: Vec<String>,
    /// Targets whose acknowledgement does not.
    pub goes_on: Vec<String>,
    /// The next stage that pages someone, and its minute: what still comes after an
    /// acknowledgement that does not stop the escalation.
    pub next: Option<(usize, i64)>,
}

/// For each stage that pages someone, what an acknowledgement there stops (the editor shows it
/// under the timeline, so a manager sees what "acknowledged" will mean before saving).
pub fn ack_effects(plan: &Plan) -> Vec<AckEffect> {
    let origin = DateTime::<Utc>::UNIX_EPOCH;
    let starts: Vec<(usize, i64, &Stage)> =
        stage_starts(plan, origin).map(|(i, at, stage)| (i, (at - origin).num_minutes(), stage)).collect();
    let aliases = |stage: &Stage, essential: bool| -> Vec<String> {
        stage
            .targets
            .iter()
            .filter_map(|t| match t {
                Target::Contact { contact_id, essential: e } if *e == essential => Some(contact_id.clone()),
                _ => None,
            })
            .collect()
    };
    starts
        .iter()
        .filter(|(_, _, stage)| !stage.targets.is_empty())
        .map(|&(i, minute, stage)| AckEffect {
            stage: i,
            minute,
            stops: aliases(stage, true),
            goes_on: aliases(stage, false),
            next: starts.iter().find(|(j, _, s)| *j > i && !s.targets.is_empty()).map(|&(j, m, _)| (j, m)),
        })
        .collect()
}

/// The next stage of an escalation plan engaged at `started` (epoch seconds) that pages someone
/// after `now`: its index, when it starts and its targets. None when nothing more is due.
pub fn next_stage(plan: &Plan, started: i64, now: i64) -> Option<(usize, i64, Vec<String>)> {
    let start = DateTime::<Utc>::from_timestamp(started, 0)?;
    stage_starts(plan, start).find(|(_, at, stage)| at.timestamp() > now && !stage.targets.is_empty()).map(
        |(i, at, stage)| {
            let targets = stage
                .targets
                .iter()
                .filter_map(|t| match t {
                    Target::Contact { contact_id, .. } => Some(contact_id.clone()),
                    Target::Channel { .. } => None,
                })
                .collect();
            (i, at.timestamp(), targets)
        },
    )
}

/// Plans are checked against the directory they will run in (in the browser as on the server).
impl References for Directory {
    fn contact_type(&self, alias: &str) -> Option<ContactType> {
        self.contacts.get(alias).map(|c| c.kind)
    }

    fn channel_owner(&self, channel_id: &str) -> Option<String> {
        self.channels.iter().find(|(_, list)| list.iter().any(|c| c.id == channel_id)).map(|(alias, _)| alias.clone())
    }

    fn rotation_exists(&self, rotation_id: &str) -> bool {
        self.rotations.contains_key(rotation_id)
    }
}

/// One simulation under way.
struct Run<'a> {
    directory: &'a Directory,
    /// Each person is paged once per engagement.
    paged: Vec<String>,
    sim: Simulation,
}

impl Run<'_> {
    fn page_target(&mut self, alias: &str, stage: usize, at: DateTime<Utc>) {
        let Some(target) = self.directory.contacts.get(alias) else {
            self.sim.gaps.push(Gap::UnknownContact { stage, target: alias.to_owned() });
            return;
        };
        let people = self.directory.on_call(target, at);
        if people.is_empty() {
            self.sim.gaps.push(Gap::NobodyOnCall { at, stage, target: alias.to_owned() });
        }
        for person in people {
            if !self.paged.contains(&person) {
                self.page_person(&person, at);
                if person != alias {
                    self.sim.via.push((person.clone(), alias.to_owned()));
                }
                self.paged.push(person);
            }
        }
    }

    /// The person's own plan from `at`.
    fn page_person(&mut self, person: &str, at: DateTime<Utc>) {
        let Some(contact) = self.directory.contacts.get(person) else { return };
        let channels = self.directory.channels.get(person).map_or(&[][..], Vec::as_slice);
        let sent_before = self.sim.messages.len();
        let mut send = |channel: &ContactChannel, when: DateTime<Utc>| {
            if channel.activated {
                self.sim.messages.push(PlannedMessage {
                    at: when,
                    person: person.to_owned(),
                    channel_id: channel.id.clone(),
                });
            }
        };
        if contact.plan.stages.is_empty() {
            for channel in channels {
                send(channel, at);
            }
        } else {
            let mut when = at;
            for stage in &contact.plan.stages {
                for target in &stage.targets {
                    if let Target::Channel { channel_id, .. } = target
                        && let Some(channel) = channels.iter().find(|c| &c.id == channel_id)
                    {
                        send(channel, when);
                    }
                }
                when += Duration::minutes(i64::from(stage.duration_minutes));
            }
        }
        if self.sim.messages.len() == sent_before {
            self.sim.gaps.push(Gap::NoWorkingChannel { at, person: person.to_owned() });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::contact::{ChannelType, Plan, Stage};
    use crate::domain::rotation::HandOff;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, h, m, 0).unwrap()
    }

    fn person(d: &mut Directory, alias: &str, stages: &[(u32, &[&str])]) {
        let channels: Vec<ContactChannel> = ["email", "voice"]
            .iter()
            .map(|k| ContactChannel {
                id: format!("{alias}-{k}"),
                contact_id: alias.into(),
                name: (*k).into(),
                kind: if *k == "email" { ChannelType::Email } else { ChannelType::Voice },
                address: String::new(),
                activated: !(alias == "idle" && *k == "email"),
            })
            .collect();
        let stages = stages
            .iter()
            .map(|(minutes, kinds)| Stage {
                duration_minutes: *minutes,
                targets: kinds
                    .iter()
                    .map(|k| Target::Channel { channel_id: format!("{alias}-{k}"), retry_minutes: 0 })
                    .collect(),
            })
            .collect();
        let contact = Contact {
            alias: alias.into(),
            display_name: alias.into(),
            kind: ContactType::Personal,
            plan: Plan { stages, rotation_ids: vec![] },
        };
        d.contacts.insert(alias.into(), contact);
        d.channels.insert(alias.into(), channels);
    }

    fn message(h: u32, m: u32, person: &str, kind: &str) -> PlannedMessage {
        PlannedMessage { at: at(h, m), person: person.into(), channel_id: format!("{person}-{kind}") }
    }

    #[test]
    fn e_mail_first_then_a_call_then_the_secondary() {
        let mut d = Directory::default();
        person(&mut d, "suzuki", &[(10, &["email"]), (0, &["voice"])]);
        person(&mut d, "emily", &[(10, &["email"]), (0, &["voice"])]);
        let rotation = Rotation {
            members: vec!["emily".into()],
            start: at(0, 0) - Duration::days(7),
            time_zone: "Asia/Tokyo".into(),
            handoff: HandOff::Daily(vec![crate::domain::rotation::HandOffTime::new(9, 0)]),
            multiplier: 1,
            number_on_call: 1,
            coverage: vec![],
        };
        d.rotations.insert("secondary".into(), (rotation, vec![]));
        let schedule = Contact {
            alias: "secondary-oncall".into(),
            display_name: "Secondary".into(),
            kind: ContactType::OncallSchedule,
            plan: Plan { stages: vec![], rotation_ids: vec!["secondary".into()] },
        };
        d.contacts.insert(schedule.alias.clone(), schedule);
        let target = |alias: &str| Target::Contact { contact_id: alias.into(), essential: true };
        let plan = Contact {
            alias: "main".into(),
            display_name: "Main".into(),
            kind: ContactType::Escalation,
            plan: Plan {
                stages: vec![
                    Stage { duration_minutes: 20, targets: vec![target("suzuki")] },
                    Stage { duration_minutes: 0, targets: vec![target("secondary-oncall"), target("suzuki")] },
                ],
                rotation_ids: vec![],
            },
        };
        d.contacts.insert("main".into(), plan);
        let sim = d.simulate("main", at(3, 0));
        assert_eq!(
            sim.messages,
            [
                message(3, 0, "suzuki", "email"),
                message(3, 10, "suzuki", "voice"),
                message(3, 20, "emily", "email"),
                message(3, 30, "emily", "voice"),
            ]
        );
        assert!(sim.gaps.is_empty(), "{:?}", sim.gaps);
    }

    #[test]
    fn a_channel_named_in_two_stages_is_messaged_twice() {
        let mut d = Directory::default();
        person(&mut d, "sato", &[(5, &["voice"]), (0, &["voice", "email"])]);
        let sim = d.simulate("sato", at(2, 0));
        assert_eq!(
            sim.messages,
            [message(2, 0, "sato", "voice"), message(2, 5, "sato", "email"), message(2, 5, "sato", "voice")]
        );
    }

    #[test]
    fn steps_that_reach_nobody_are_flagged() {
        let mut d = Directory::default();
        person(&mut d, "idle", &[(5, &["email"])]);
        let empty = Contact {
            alias: "nobody".into(),
            display_name: "Nobody".into(),
            kind: ContactType::OncallSchedule,
            plan: Plan::default(),
        };
        d.contacts.insert("nobody".into(), empty);
        let target = |alias: &str| Target::Contact { contact_id: alias.into(), essential: false };
        let plan = Contact {
            alias: "main".into(),
            display_name: "Main".into(),
            kind: ContactType::Escalation,
            plan: Plan {
                stages: vec![Stage {
                    duration_minutes: 5,
                    targets: vec![target("nobody"), target("idle"), target("gone")],
                }],
                rotation_ids: vec![],
            },
        };
        d.contacts.insert("main".into(), plan);
        let sim = d.simulate("main", at(1, 0));
        assert!(sim.messages.is_empty());
        assert_eq!(
            sim.gaps,
            [
                Gap::NobodyOnCall { at: at(1, 0), stage: 0, target: "nobody".into() },
                Gap::NoWorkingChannel { at: at(1, 0), person: "idle".into() },
                Gap::UnknownContact { stage: 0, target: "gone".into() },
            ]
        );
    }

    #[test]
    fn an_acknowledgement_says_what_it_stops_and_what_still_comes() {
        let target = |alias: &str, essential: bool| Target::Contact { contact_id: alias.into(), essential };
        let plan = Plan {
            stages: vec![
                Stage { duration_minutes: 5, targets: vec![target("priya", true), target("kim", false)] },
                Stage { duration_minutes: 10, targets: vec![] },
                Stage { duration_minutes: 15, targets: vec![target("tanaka", false)] },
            ],
            rotation_ids: vec![],
        };
        let effects = ack_effects(&plan);
        assert_eq!(effects.len(), 2, "the waiting stage pages nobody");
        assert_eq!(
            effects[0],
            AckEffect {
                stage: 0,
                minute: 0,
                stops: vec!["priya".into()],
                goes_on: vec!["kim".into()],
                next: Some((2, 15))
            }
        );
        assert_eq!((effects[1].stage, effects[1].minute, effects[1].next), (2, 15, None));
        let start = 1_000_000;
        assert_eq!(next_stage(&plan, start, start + 60), Some((2, start + 15 * 60, vec!["tanaka".into()])));
        assert_eq!(next_stage(&plan, start, start + 15 * 60), None, "the last stage has begun");
    }
}
