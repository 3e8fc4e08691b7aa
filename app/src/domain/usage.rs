//! What still uses a contact or a channel, so a delete can be refused with the reason named
//! (the same answer in both backends).

use crate::domain::contact::{Contact, ContactType, Target};
use crate::domain::incident::ResponsePlan;
use crate::error::UsedBy;
use crate::i18n::Msg;

/// The plans and schedules whose stages target `alias`, the rotations it is a member of
/// (`(name, members)`), and the response plans that engage it.
pub fn users_of_contact(
    alias: &str,
    contacts: &[Contact],
    rotations: &[(String, Vec<String>)],
    response_plans: &[ResponsePlan],
) -> Vec<UsedBy> {
    let mut by = Vec::new();
    for c in contacts.iter().filter(|c| c.alias != alias) {
        let targets = c.plan.targets().any(|t| matches!(t, Target::Contact { contact_id, .. } if contact_id == alias));
        if targets {
            let what = match c.kind {
                ContactType::OncallSchedule => Msg::UsedBySchedule,
                ContactType::Escalation | ContactType::Personal => Msg::UsedByEscalationPlan,
            };
            by.push(UsedBy { what, name: c.display_name.clone() });
        }
    }
    for (name, members) in rotations {
        if members.iter().any(|m| m == alias) {
            by.push(UsedBy { what: Msg::UsedByRotation, name: name.clone() });
        }
    }
    for plan in response_plans.iter().filter(|p| p.engagements.iter().any(|e| e == alias)) {
        by.push(UsedBy { what: Msg::UsedByResponsePlan, name: plan.display_name.clone() });
    }
    by
}

/// The owner's own engagement plan, if it messages the channel.
pub fn users_of_channel(channel_id: &str, owner: &Contact) -> Vec<UsedBy> {
    let used = owner.plan.targets().any(|t| matches!(t, Target::Channel { channel_id: id, .. } if id == channel_id));
    if used { vec![UsedBy { what: Msg::UsedByPersonalPlan, name: owner.display_name.clone() }] } else { Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::contact::{Plan, Stage};

    fn contact(alias: &str, kind: ContactType, targets: Vec<Target>) -> Contact {
        Contact {
            alias: alias.into(),
            display_name: alias.to_uppercase(),
            kind,
            plan: Plan { stages: vec![Stage { duration_minutes: 5, targets }], rotation_ids: vec![] },
        }
    }

    #[test]
    fn every_user_of_a_person_is_named() {
        let target = Target::Contact { contact_id: "kim".into(), essential: false };
        let contacts =
            [contact("main", ContactType::Escalation, vec![target]), contact("kim", ContactType::Personal, vec![])];
        let rotations = [("Night".to_owned(), vec!["kim".to_owned()]), ("Day".to_owned(), vec!["sato".to_owned()])];
        let by = users_of_contact("kim", &contacts, &rotations, &[]);
        let names: Vec<&str> = by.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names, vec!["MAIN", "Night"]);
        assert!(users_of_contact("sato", &contacts, &[], &[]).is_empty());
    }
}
