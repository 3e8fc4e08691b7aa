//! Replies that come back through the SMS/voice gateway: an SMS answering a page (its code, or
//! "1" for the newest open page of that number when there is only one) and a key press during a
//! call (1 acknowledges, 2 repeats). Nothing a person sends or presses takes them off the list.

use sqlx::Row;

use app::i18n::Locale;

use super::links::language_in;
use super::paging::AcceptType;
use super::{Engine, messages};
use crate::clock::epoch;
use crate::engine::links::LINK_LIFETIME_SECS;
use crate::error::ServerError;

/// What a reply did, with the text to send or speak back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplyOutcome {
    Acknowledged {
        page_id: String,
        contact: String,
    },
    /// "1" while several pages of this number are open: the code is needed.
    Ambiguous {
        open: usize,
    },
    /// Neither a code of an open page of this number nor "1".
    NoMatch,
    /// No person has this number.
    UnknownNumber,
    /// No open page is waiting for this number.
    NothingOpen,
    /// Key 2: say the message again.
    Repeat {
        speech: String,
    },
    /// Any other key: nothing happens.
    Ignored,
}

impl ReplyOutcome {
    pub fn name(&self) -> &'static str {
        match self {
            ReplyOutcome::Acknowledged { .. } => "acknowledged",
            ReplyOutcome::Ambiguous { .. } => "ambiguous",
            ReplyOutcome::NoMatch => "no_match",
            ReplyOutcome::UnknownNumber => "unknown_number",
            ReplyOutcome::NothingOpen => "nothing_open",
            ReplyOutcome::Repeat { .. } => "repeat",
            ReplyOutcome::Ignored => "ignored",
        }
    }

    /// The answer to send back (SMS) or speak (voice), in the person's language.
    pub fn answer(&self, locale: Locale) -> String {
        let ja = locale == Locale::Ja;
        match self {
            ReplyOutcome::Acknowledged { .. } if ja => "対応を受け付けました。エスカレーションを止めました。".into(),
            ReplyOutcome::Acknowledged { .. } => "Acknowledged. The escalation has stopped.".into(),
            ReplyOutcome::Ambiguous { open } if ja => {
                format!("対応待ちの呼び出しが{open}件あります。メッセージの確認コードを返信してください。")
            }
            ReplyOutcome::Ambiguous { open } => {
                format!("{open} pages are open. Reply with the code from the message you are answering.")
            }
            ReplyOutcome::NoMatch if ja => {
                "そのコードの呼び出しはありません。メッセージの確認コードを返信してください。".into()
            }
            ReplyOutcome::NoMatch => "No open page has that code. Reply with the code from the message.".into(),
            ReplyOutcome::UnknownNumber if ja => "この番号は登録されていません。".into(),
            ReplyOutcome::UnknownNumber => "This number is not known to the on-call console.".into(),
            ReplyOutcome::NothingOpen if ja => "対応待ちの呼び出しはありません。".into(),
            ReplyOutcome::NothingOpen => "No page is waiting for you.".into(),
            ReplyOutcome::Repeat { speech } => speech.clone(),
            ReplyOutcome::Ignored if ja => "対応する場合は 1 を押してください。".into(),
            ReplyOutcome::Ignored => "Press 1 to acknowledge.".into(),
        }
    }
}

/// A phone number as digits with its leading `+`: spaces, hyphens and brackets are dropped.
pub fn normalise_number(number: &str) -> String {
    let plus = number.trim_start().starts_with('+');
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    if plus { format!("+{digits}") } else { digits }
}

struct OpenPage {
    id: String,
    contact: String,
    code: String,
}

impl Engine {
    /// An SMS from `from` saying `text`. Returns what it did and the language to answer in.
    pub async fn sms_reply(&self, from: &str, text: &str) -> Result<(ReplyOutcome, Locale), ServerError> {
        let contacts = self.contacts_with_number(from).await?;
        let Some(first) = contacts.first() else { return Ok((ReplyOutcome::UnknownNumber, Locale::default())) };
        let locale = self.language_of(first).await?;
        let open = self.open_pages(&contacts).await?;
        let said = text.trim();
        let chosen = if said == "1" {
            match open.as_slice() {
                [] => return Ok((ReplyOutcome::NothingOpen, locale)),
                [only] => only,
                many => return Ok((ReplyOutcome::Ambiguous { open: many.len() }, locale)),
            }
        } else {
            match open.iter().find(|p| p.code == said) {
                Some(page) => page,
                None if open.is_empty() => return Ok((ReplyOutcome::NothingOpen, locale)),
                None => return Ok((ReplyOutcome::NoMatch, locale)),
            }
        };
        self.accept_page(&chosen.id, AcceptType::Read, "", false, Some("by SMS reply")).await?;
        let locale = self.language_of(&chosen.contact).await?;
        Ok((ReplyOutcome::Acknowledged { page_id: chosen.id.clone(), contact: chosen.contact.clone() }, locale))
    }

    /// A key pressed during the voice call of the delivery with idempotency key `call_id` (the
    /// gateway gets it with the call).
    pub async fn key_press(&self, call_id: &str, digit: &str) -> Result<Option<(ReplyOutcome, Locale)>, ServerError> {
        let row = sqlx::query(
            "SELECT d.page_id, d.subject, d.language, p.contact_alias, p.accept_code FROM deliveries d \
             JOIN pages p ON p.id = d.page_id WHERE d.idempotency_key = $1 AND d.channel_kind = 'voice'",
        )
        .bind(call_id)
        .fetch_optional(&self.db.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let page_id: String = row.try_get("page_id")?;
        let contact: String = row.try_get("contact_alias")?;
        let locale =
            row.try_get::<Option<String>, _>("language")?.as_deref().and_then(Locale::parse).unwrap_or_default();
        let outcome = match digit.trim() {
            "1" => {
                self.accept_page(&page_id, AcceptType::Read, "", false, Some("by key press")).await?;
                ReplyOutcome::Acknowledged { page_id, contact }
            }
            "2" => {
                let subject: String = row.try_get("subject")?;
                let code: String = row.try_get("accept_code")?;
                let m = messages::PageMessage { locale, subject: &subject, content: "", code: Some(&code), link: "" };
                ReplyOutcome::Repeat { speech: m.speech() }
            }
            _ => ReplyOutcome::Ignored,
        };
        Ok(Some((outcome, locale)))
    }

    async fn contacts_with_number(&self, number: &str) -> Result<Vec<String>, ServerError> {
        let wanted = normalise_number(number);
        if wanted.trim_start_matches('+').is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query("SELECT contact_alias, address FROM contact_channels WHERE kind IN ('sms', 'voice')")
            .fetch_all(&self.db.pool)
            .await?;
        let mut contacts = Vec::new();
        for r in &rows {
            let (alias, address): (String, String) = (r.try_get("contact_alias")?, r.try_get("address")?);
            if normalise_number(&address) == wanted && !contacts.contains(&alias) {
                contacts.push(alias);
            }
        }
        Ok(contacts)
    }

    /// Unacknowledged pages of running engagements sent to these people in the last 24 hours,
    /// newest first.
    async fn open_pages(&self, contacts: &[String]) -> Result<Vec<OpenPage>, ServerError> {
        let since = epoch(self.now()) - LINK_LIFETIME_SECS;
        let mut open = Vec::new();
        for contact in contacts {
            let rows = sqlx::query(
                "SELECT p.id, p.accept_code, p.sent_at FROM pages p JOIN engagements e ON e.id = p.engagement_id \
                 WHERE p.contact_alias = $1 AND p.read_at IS NULL AND e.stopped_at IS NULL AND p.sent_at >= $2",
            )
            .bind(contact)
            .bind(since)
            .fetch_all(&self.db.pool)
            .await?;
            for r in &rows {
                let page = OpenPage { id: r.try_get("id")?, contact: contact.clone(), code: r.try_get("accept_code")? };
                open.push((r.try_get::<i64, _>("sent_at")?, page));
            }
        }
        open.sort_by_key(|(sent_at, _)| std::cmp::Reverse(*sent_at));
        Ok(open.into_iter().map(|(_, p)| p).collect())
    }

    async fn language_of(&self, contact: &str) -> Result<Locale, ServerError> {
        let mut conn = self.db.pool.acquire().await?;
        Ok(language_in(&mut conn, contact).await?.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_by_digits() {
        assert_eq!(normalise_number("+81 90-1234-5678"), "+819012345678");
        assert_eq!(normalise_number("(090) 1234 5678"), "09012345678");
    }

    #[test]
    fn answers_are_in_the_persons_language() {
        let ack = ReplyOutcome::Acknowledged { page_id: "p".into(), contact: "c".into() };
        assert!(ack.answer(Locale::Ja).contains("対応を受け付けました"));
        assert!(ack.answer(Locale::En).starts_with("Acknowledged"));
        assert!(ReplyOutcome::Ambiguous { open: 2 }.answer(Locale::En).contains("2 pages"));
    }
}
