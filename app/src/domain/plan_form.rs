//! An escalation plan as its editor's form holds it: text per field, kept as typed. The stages are
//! one line each, `10: suzuki-ichiro, primary-oncall, kim~` (minutes until the next stage, then
//! the people and on-call schedules it pages), so the form saves without script.
//!
//! A target's acknowledgement stops the escalation (Incident Manager's *essential* target) unless
//! `~` follows it: `kim~` is paged, and the escalation goes on after Kim acknowledges. Stopping is
//! the default because it is what everyone expects of an on-call tool; a trailing `!` (the form's
//! older way to say "essential") is still read as stopping. The editor's island edits the same text through a list of stages and parses it
//! on every change for the simulated timeline; the server parses it the same way when the form is
//! posted, so both report the same problems against the same fields.

use serde::{Deserialize, Serialize};

use crate::domain::contact::{Contact, ContactType, MAX_STAGE_MINUTES, Plan, Stage, Target};
use crate::error::FieldError;
use crate::i18n::Msg;

/// "Repeat N times" unrolls the stages at most this often (SSM has no repeat; the copies are
/// saved as ordinary stages).
pub const MAX_REPEAT: u32 = 10;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanForm {
    /// Empty for a new plan, else the alias of the plan being edited (it cannot change).
    pub alias: String,
    pub display_name: String,
    /// One stage per line.
    pub stages: String,
    /// How many times the stages run (1 = once).
    pub repeat: String,
}

/// One line of the stages text, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageLine {
    pub minutes: String,
    pub targets: Vec<(String, bool)>,
}

impl StageLine {
    /// The line as the text area holds it.
    pub fn text(&self) -> String {
        format!("{}: {}", self.minutes.trim(), self.targets_text()).trim_end().to_owned()
    }

    /// The targets as the stage's field holds them: `a, b~`.
    pub fn targets_text(&self) -> String {
        let targets: Vec<String> = self
            .targets
            .iter()
            .map(|(alias, stops)| format!("{alias}{}", if *stops { "" } else { KEEPS_PAGING }))
            .collect();
        targets.join(", ")
    }
}

/// After a target: its acknowledgement does not stop the escalation.
pub const KEEPS_PAGING: &str = "~";

/// Reads one line: `minutes: a, b~`. A line without a colon is all minutes. Each target says
/// whether its acknowledgement stops the escalation (it does unless `~` follows it).
pub fn read_line(line: &str) -> StageLine {
    let (minutes, rest) = line.split_once(':').unwrap_or((line, ""));
    let targets = rest
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| match t.strip_suffix(KEEPS_PAGING) {
            Some(alias) => (alias.trim().to_owned(), false),
            None => (t.strip_suffix('!').unwrap_or(t).trim().to_owned(), true),
        })
        .collect();
    StageLine { minutes: minutes.trim().to_owned(), targets }
}

/// The stages text's non-empty lines, read.
pub fn stage_lines(text: &str) -> Vec<StageLine> {
    text.lines().filter(|l| !l.trim().is_empty()).map(read_line).collect()
}

/// Stage lines back into the text area's text.
pub fn stages_text(lines: &[StageLine]) -> String {
    lines.iter().map(StageLine::text).collect::<Vec<_>>().join("\n")
}

impl PlanForm {
    /// The form filled from a saved plan.
    pub fn of(contact: &Contact) -> PlanForm {
        let lines: Vec<StageLine> = contact
            .plan
            .stages
            .iter()
            .map(|s| StageLine {
                minutes: s.duration_minutes.to_string(),
                targets: s
                    .targets
                    .iter()
                    .filter_map(|t| match t {
                        Target::Contact { contact_id, essential } => Some((contact_id.clone(), *essential)),
                        Target::Channel { .. } => None,
                    })
                    .collect(),
            })
            .collect();
        PlanForm {
            alias: contact.alias.clone(),
            display_name: contact.display_name.clone(),
            stages: stages_text(&lines),
            repeat: "1".to_owned(),
        }
    }

    /// The plan this form describes, its stages unrolled `repeat` times. Reports what cannot be
    /// read (references to other contacts are checked by [`Contact::validate`]).
    pub fn parse(&self) -> Result<Contact, Vec<FieldError>> {
        let mut errors = Vec::new();
        let lines = stage_lines(&self.stages);
        let mut stages = Vec::with_capacity(lines.len());
        for (i, line) in lines.iter().enumerate() {
            let minutes = line.minutes.parse::<u32>();
            // Incident Manager's cap, said as you type (the plan's own check says it again).
            if let Ok(m) = minutes
                && (m > MAX_STAGE_MINUTES || (m == 0 && line.targets.is_empty()))
            {
                errors.push(FieldError::new(&format!("plan.stages.{i}.duration_minutes"), Msg::ErrStageDuration));
            }
            match minutes {
                Ok(minutes) => stages.push(Stage {
                    duration_minutes: minutes,
                    targets: line
                        .targets
                        .iter()
                        .map(|(alias, essential)| Target::Contact { contact_id: alias.clone(), essential: *essential })
                        .collect(),
                }),
                Err(_) => errors.push(FieldError::new(&format!("plan.stages.{i}.duration_minutes"), Msg::ErrStageLine)),
            }
        }
        let repeat = match self.repeat.trim() {
            "" => Some(1),
            r => r.parse::<u32>().ok().filter(|n| (1..=MAX_REPEAT).contains(n)),
        };
        if repeat.is_none() {
            errors.push(FieldError::new("repeat", Msg::ErrRepeat));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Contact {
            alias: self.alias.trim().to_owned(),
            display_name: self.display_name.trim().to_owned(),
            kind: ContactType::Escalation,
            plan: Plan { stages: unroll(&stages, repeat.unwrap_or(1)), rotation_ids: Vec::new() },
        })
    }
}

/// The stages run `times` times in a row.
pub fn unroll(stages: &[Stage], times: u32) -> Vec<Stage> {
    (0..times).flat_map(|_| stages.iter().cloned()).collect()
}

/// Which line of the form a validation error about stage `index` of the unrolled plan belongs
/// to, given `lines` lines per round.
pub fn line_of_stage(index: usize, lines: usize) -> usize {
    if lines == 0 { 0 } else { index % lines }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(stages: &str, repeat: &str) -> PlanForm {
        PlanForm { alias: "team".into(), display_name: "Team".into(), stages: stages.into(), repeat: repeat.into() }
    }

    #[test]
    fn lines_are_read_and_written_back_alike() {
        let text = "10: suzuki-ichiro~, primary\n0: secondary\n5:";
        let lines = stage_lines(text);
        assert_eq!(lines[0].targets, vec![("suzuki-ichiro".to_owned(), false), ("primary".to_owned(), true)]);
        assert_eq!(lines[2], StageLine { minutes: "5".into(), targets: vec![] });
        assert_eq!(stages_text(&lines), text);
    }

    #[test]
    fn an_acknowledgement_stops_the_escalation_unless_the_target_says_otherwise() {
        let contact = form("10: tanaka, kim~, sato!", "1").parse().unwrap();
        let stops: Vec<bool> = contact.plan.stages[0]
            .targets
            .iter()
            .map(|t| matches!(t, Target::Contact { essential: true, .. }))
            .collect();
        assert_eq!(stops, [true, false, true], "new targets stop it; ~ keeps paging; ! (older) stops it");
        assert_eq!(PlanForm::of(&contact).stages, "10: tanaka, kim~, sato");
    }

    #[test]
    fn a_saved_plan_fills_the_form_it_came_from() {
        let contact = form("10: a, b~\n15: c", "1").parse().unwrap();
        assert_eq!(PlanForm::of(&contact), form("10: a, b~\n15: c", "1"));
    }

    #[test]
    fn repeat_unrolls_the_stages() {
        let contact = form("10: a\n5: b", "3").parse().unwrap();
        let minutes: Vec<u32> = contact.plan.stages.iter().map(|s| s.duration_minutes).collect();
        assert_eq!(minutes, vec![10, 5, 10, 5, 10, 5]);
        assert_eq!(line_of_stage(3, 2), 1);
    }

    #[test]
    fn unreadable_lines_and_repeats_name_their_field() {
        let errors = form("10: a\nsoon: b", "0").parse().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["plan.stages.1.duration_minutes", "repeat"]);
        assert!(form("10: a", "11").parse().is_err());
        assert!(form("10: a", "").parse().is_ok());
        let errors = form("10: a\n31: b", "2").parse().unwrap_err();
        assert_eq!(errors[0].field, "plan.stages.1.duration_minutes", "the cap, by line");
    }
}
