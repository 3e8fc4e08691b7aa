//! A person's own engagement plan as its editor holds it: for each of their channels, after how
//! many minutes it is first messaged (blank: never) and the retry interval. Channels that start
//! together form one stage; the stages' durations are the gaps between the starts. Presets fill
//! the starts in the orders on-call teams use ("e-mail first, it carries the code; a call 10
//! minutes later").

use serde::{Deserialize, Serialize};

use crate::domain::contact::{ChannelType, ContactChannel, MAX_RETRY_MINUTES, MAX_STAGE_MINUTES, Stage, Target};
use crate::error::FieldError;
use crate::i18n::Msg;

/// One channel's row of the editor, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelStart {
    pub channel_id: String,
    /// Minutes after the person is paged; blank: the channel is not used.
    pub start: String,
    /// Minutes before a failed message is sent again.
    pub retry: String,
}

crate::named_enum! {
    /// The plans a person picks from before fine-tuning.
    #[derive(Serialize, Deserialize)]
    pub enum Preset {
        /// The seed team's order: e-mail (it carries the code), a call 10 minutes later.
        EmailThenCall10 = "email-call-10",
        EmailSmsThenCall5 = "email-sms-call-5",
        SmsThenCall3 = "sms-call-3",
    }
}

impl Preset {
    pub fn label(self) -> Msg {
        match self {
            Preset::EmailThenCall10 => Msg::PresetEmailCall10,
            Preset::EmailSmsThenCall5 => Msg::PresetEmailSmsCall5,
            Preset::SmsThenCall3 => Msg::PresetSmsCall3,
        }
    }

    /// When this preset starts a channel of `kind` (`None`: not used).
    fn start(self, kind: ChannelType) -> Option<u32> {
        match (self, kind) {
            (Preset::EmailThenCall10, ChannelType::Email)
            | (Preset::EmailSmsThenCall5, ChannelType::Email | ChannelType::Sms)
            | (Preset::SmsThenCall3, ChannelType::Sms) => Some(0),
            (Preset::EmailThenCall10, ChannelType::Voice) => Some(10),
            (Preset::EmailSmsThenCall5, ChannelType::Voice) => Some(5),
            (Preset::SmsThenCall3, ChannelType::Voice) => Some(3),
            _ => None,
        }
    }

    /// The rows this preset gives a person with these channels (retry: 5 minutes).
    pub fn rows(self, channels: &[ContactChannel]) -> Vec<ChannelStart> {
        channels
            .iter()
            .map(|c| ChannelStart {
                channel_id: c.id.clone(),
                start: self.start(c.kind).map(|m| m.to_string()).unwrap_or_default(),
                retry: "5".to_owned(),
            })
            .collect()
    }
}

/// The rows of a saved plan: each channel's first stage start and its retry interval.
pub fn rows_of(stages: &[Stage], channels: &[ContactChannel]) -> Vec<ChannelStart> {
    let mut offset = 0;
    let mut starts: Vec<(String, u32, u32)> = Vec::new();
    for stage in stages {
        for target in &stage.targets {
            if let Target::Channel { channel_id, retry_minutes } = target
                && !starts.iter().any(|(id, ..)| id == channel_id)
            {
                starts.push((channel_id.clone(), offset, *retry_minutes));
            }
        }
        offset += stage.duration_minutes;
    }
    channels
        .iter()
        .map(|c| match starts.iter().find(|(id, ..)| *id == c.id) {
            Some((_, start, retry)) => {
                ChannelStart { channel_id: c.id.clone(), start: start.to_string(), retry: retry.to_string() }
            }
            None => ChannelStart { channel_id: c.id.clone(), start: String::new(), retry: "5".to_owned() },
        })
        .collect()
}

/// The stages the rows describe. Problems are reported against `rows.{i}.start` or
/// `rows.{i}.retry`.
pub fn stages_of(rows: &[ChannelStart]) -> Result<Vec<Stage>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut used: Vec<(usize, u32, u32)> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        if row.start.trim().is_empty() {
            continue;
        }
        let start = row.start.trim().parse::<u32>().ok();
        let retry = match row.retry.trim() {
            "" => Some(0),
            r => r.parse::<u32>().ok().filter(|r| *r <= MAX_RETRY_MINUTES),
        };
        if start.is_none() {
            errors.push(FieldError::new(&format!("rows.{i}.start"), Msg::ErrChannelStart));
        }
        if retry.is_none() {
            errors.push(FieldError::new(&format!("rows.{i}.retry"), Msg::ErrRetryInterval));
        }
        if let (Some(start), Some(retry)) = (start, retry) {
            used.push((i, start, retry));
        }
    }
    used.sort_by_key(|(i, start, _)| (*start, *i));
    let mut stages: Vec<(u32, Stage)> = Vec::new();
    for (i, start, retry) in used {
        let target = Target::Channel { channel_id: rows[i].channel_id.clone(), retry_minutes: retry };
        match stages.last_mut() {
            Some((at, stage)) if *at == start => stage.targets.push(target),
            previous => {
                let last_start = previous.map_or(0, |(at, _)| *at);
                if start - last_start > MAX_STAGE_MINUTES {
                    errors.push(FieldError::new(&format!("rows.{i}.start"), Msg::ErrChannelStartGap));
                }
                if let Some((_, stage)) = stages.last_mut() {
                    stage.duration_minutes = start - last_start;
                } else if start > 0 {
                    // The first channel starts later: a first stage that only waits.
                    stages.push((0, Stage { duration_minutes: start, targets: Vec::new() }));
                }
                stages.push((start, Stage { duration_minutes: 0, targets: vec![target] }));
            }
        }
    }
    if errors.is_empty() { Ok(stages.into_iter().map(|(_, s)| s).collect()) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(id: &str, kind: ChannelType) -> ContactChannel {
        ContactChannel {
            id: id.into(),
            contact_id: "tanaka".into(),
            name: id.into(),
            kind,
            address: String::new(),
            activated: true,
        }
    }

    fn row(id: &str, start: &str, retry: &str) -> ChannelStart {
        ChannelStart { channel_id: id.into(), start: start.into(), retry: retry.into() }
    }

    #[test]
    fn the_seed_preset_is_email_now_and_a_call_ten_minutes_later() {
        let channels = [
            channel("mail", ChannelType::Email),
            channel("sms", ChannelType::Sms),
            channel("call", ChannelType::Voice),
        ];
        let stages = stages_of(&Preset::EmailThenCall10.rows(&channels)).unwrap();
        assert_eq!(
            stages,
            vec![
                Stage {
                    duration_minutes: 10,
                    targets: vec![Target::Channel { channel_id: "mail".into(), retry_minutes: 5 }]
                },
                Stage {
                    duration_minutes: 0,
                    targets: vec![Target::Channel { channel_id: "call".into(), retry_minutes: 5 }]
                },
            ]
        );
        assert_eq!(rows_of(&stages, &channels), Preset::EmailThenCall10.rows(&channels));
    }

    #[test]
    fn channels_starting_together_share_a_stage_and_a_late_first_start_waits() {
        let stages = stages_of(&[row("a", "5", "1"), row("b", "5", "2"), row("c", "", "")]).unwrap();
        assert_eq!(stages.len(), 2);
        assert_eq!(stages[0], Stage { duration_minutes: 5, targets: vec![] });
        assert_eq!(stages[1].targets.len(), 2);
    }

    #[test]
    fn gaps_over_the_cap_and_bad_numbers_name_their_row() {
        let errors = stages_of(&[row("a", "0", "5"), row("b", "31", "5"), row("c", "x", "61")]).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["rows.2.start", "rows.2.retry", "rows.1.start"]);
    }
}
