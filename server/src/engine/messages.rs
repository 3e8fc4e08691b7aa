//! What a paged person receives, in their language: the e-mail (text and HTML), the SMS and the
//! text a voice gateway speaks. Each carries the subject and summary as given, what to do, the
//! personal acknowledge link and the code. A leaf: plain functions of their inputs.

use app::i18n::Locale;

/// One page's message before it is shaped for a channel.
#[derive(Clone, Copy, Debug)]
pub struct PageMessage<'a> {
    pub locale: Locale,
    /// The engagement's subject (an incident's "[Impact 1] title").
    pub subject: &'a str,
    /// The engagement's content (an incident's summary), as given.
    pub content: &'a str,
    /// The six-digit code sent with the page; none when another system's message carries it
    /// (a page Incident Manager made, in AWS mode).
    pub code: Option<&'a str>,
    /// `<base-url>/a/<token>`.
    pub link: &'a str,
}

/// Characters in one SMS segment of a multi-part message: GSM-7 for plain ASCII text, UCS-2
/// otherwise (Japanese).
pub fn sms_segment_chars(text: &str) -> usize {
    if text.is_ascii() { 153 } else { 67 }
}

/// Segments an SMS takes (concatenated SMS; a single part holds 160 or 70).
pub fn sms_segments(text: &str) -> usize {
    let n = text.chars().count();
    let single = if text.is_ascii() { 160 } else { 70 };
    if n <= single { 1 } else { n.div_ceil(sms_segment_chars(text)) }
}

/// SMS texts are kept within this many segments: the summary is shortened to fit.
pub const SMS_MAX_SEGMENTS: usize = 2;

impl PageMessage<'_> {
    /// The subject in the person's language (the console's `[Impact N]` said in it).
    fn subject(&self) -> String {
        app::domain::incident::localized_subject(self.subject, self.locale)
    }

    pub fn email_subject(&self) -> String {
        match self.locale {
            Locale::Ja => format!("【要対応】{}", self.subject()),
            Locale::En => format!("[Action needed] {}", self.subject()),
        }
    }

    pub fn email_text(&self) -> String {
        let (act, code_label) = match self.locale {
            Locale::Ja => ("対応する（エスカレーションを止める）:", "確認コード:"),
            Locale::En => ("Acknowledge (stops the escalation):", "Acknowledge code:"),
        };
        let code = self.code.map(|c| format!("\n{code_label} {c}\n")).unwrap_or_default();
        format!("{}\n\n{}\n\n{act}\n{}\n{code}", self.subject(), self.content, self.link)
    }

    pub fn email_html(&self) -> String {
        let (button, note, code_label) = match self.locale {
            Locale::Ja => ("対応する", "押すとエスカレーションが止まります。", "確認コード"),
            Locale::En => ("Acknowledge", "Pressing it stops the escalation.", "Acknowledge code"),
        };
        let lang = self.locale.code();
        let subject = escape(&self.subject());
        let content = lines_html(self.content);
        let link = escape(self.link);
        format!(
            "<!doctype html><html lang=\"{lang}\"><body style=\"font-family:sans-serif;font-size:16px;line-height:1.5\">\
             <h1 style=\"font-size:20px\">{subject}</h1><p>{content}</p>\
             <p><a href=\"{link}\" style=\"display:inline-block;background:#b91c1c;color:#fff;padding:14px 28px;\
             border-radius:8px;text-decoration:none;font-weight:bold;font-size:18px\">{button}</a></p>\
             <p style=\"color:#444\">{note}<br>{link}</p>{code}</body></html>",
            code = self.code.map(|c| format!("<p>{code_label}: <b>{}</b></p>", escape(c))).unwrap_or_default(),
        )
    }

    /// The subject, what to do with the link, the code; then as much of the summary as fits in
    /// [`SMS_MAX_SEGMENTS`].
    pub fn sms(&self) -> String {
        let head = match self.locale {
            Locale::Ja => format!("{}\n応答: {}", self.subject(), self.link),
            Locale::En => format!("{}\nAck: {}", self.subject(), self.link),
        };
        let head = match (self.code, self.locale) {
            (Some(c), Locale::Ja) => format!("{head}\nコード {c}"),
            (Some(c), Locale::En) => format!("{head}\nCode {c}"),
            (None, _) => head,
        };
        let content = self.content.trim();
        if content.is_empty() {
            return head;
        }
        let full = format!("{head}\n{content}");
        if sms_segments(&full) <= SMS_MAX_SEGMENTS {
            return full;
        }
        let budget = SMS_MAX_SEGMENTS * sms_segment_chars(&full);
        let room = budget.saturating_sub(head.chars().count() + 2);
        if room < 8 {
            return head;
        }
        let shortened: String = content.chars().take(room).collect();
        format!("{head}\n{shortened}…")
    }

    /// For a voice gateway to speak: the subject first, then one thing to do. Short, and nothing
    /// that would take the person off the list.
    pub fn speech(&self) -> String {
        match self.locale {
            Locale::Ja => format!(
                "{}。オンコールの呼び出しです。対応する場合は 1 を押してください。もう一度聞く場合は 2 を押してください。",
                self.subject()
            ),
            Locale::En => format!(
                "{}. This is an on-call page. Press 1 to acknowledge. Press 2 to hear this again.",
                self.subject()
            ),
        }
    }
}

/// Text from outside as HTML, line by line: escaped, and a line that is an http(s) link (by
/// [`app::domain::web_link::web_link`]) made a link to itself (an incident opened from an alert
/// lists the alert's links one per line).
pub fn lines_html(text: &str) -> String {
    text.lines()
        .map(|line| match app::domain::web_link::web_link(line) {
            Some(url) => format!("<a href=\"{0}\" rel=\"noopener noreferrer\">{0}</a>", escape(url)),
            None => escape(line),
        })
        .collect::<Vec<_>>()
        .join("<br>")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = "https://oncall.example.com/a/Zk3q9XbP2mTQvL8sRw4yAa";

    fn message(locale: Locale, subject: &'static str, content: &'static str) -> PageMessage<'static> {
        PageMessage { locale, subject, content, code: Some("482913"), link: LINK }
    }

    #[test]
    fn every_form_is_in_the_recipients_language_and_carries_link_and_code() {
        let ja = message(Locale::Ja, "[Impact 1] 決済APIのエラー率上昇", "決済APIの5xxが5%を超えています。");
        let en = message(Locale::En, "[Impact 1] Checkout API error rate", "5xx above 5% for 5 minutes.");
        let said = [
            (ja, "対応", "[影響度 1] 決済APIのエラー率上昇"),
            (en, "Acknowledge", "[Impact 1] Checkout API error rate"),
        ];
        for (m, word, subject) in said {
            for text in [m.email_text(), m.email_html()] {
                assert!(text.contains(word) && text.contains(LINK) && text.contains("482913"), "{text}");
                assert!(text.contains(subject), "{text}");
            }
            assert!(m.email_subject().contains(subject));
            let sms = m.sms();
            assert!(sms.contains(LINK) && sms.contains("482913") && sms.contains(subject), "{sms}");
            assert!(m.speech().starts_with(subject));
        }
        assert!(!ja.email_text().contains("Impact"), "no English in a Japanese page");
        assert!(ja.email_subject().starts_with("【要対応】") && ja.sms().contains("応答"));
        assert!(ja.speech().contains("1 を押して") && en.speech().contains("Press 1 to acknowledge"));
        assert!(!en.speech().contains('9') && !ja.speech().contains('9'));
        assert!(ja.email_html().starts_with("<!doctype html><html lang=\"ja\""));
    }

    #[test]
    fn an_sms_of_an_alerts_page_keeps_what_broke_and_cuts_the_links_first() {
        // The summary of an incident opened from an alert: what, where, severity, then links,
        // so the SMS budget cuts from the links.
        let alert = app::domain::alert::Alert {
            fingerprint: "d1".into(),
            status: app::domain::alert::AlertStatus::Firing,
            title: "DiskFullDb1".into(),
            summary: "Disk full on db-1".into(),
            severity: "critical".into(),
            labels: [("instance".to_owned(), "db-1".to_owned())].into(),
            links: vec!["https://runbooks.example.com/storage/disk-full-on-database-hosts".into()],
            occurred_at: 1,
        };
        let summary = app::domain::alert::incident_summary(&alert);
        for locale in [Locale::Ja, Locale::En] {
            let sms = PageMessage {
                locale,
                subject: "[Impact 1] DiskFullDb1",
                content: &summary,
                code: Some("482913"),
                link: LINK,
            }
            .sms();
            assert!(sms_segments(&sms) <= SMS_MAX_SEGMENTS, "{sms}");
            assert!(sms.contains("Disk full on db-1") && sms.contains(LINK), "what broke and the way to act: {sms}");
            // Japanese text takes UCS-2's shorter segments: the link is what is cut; in GSM-7
            // everything fits.
            let kept = sms.contains("disk-full-on-database-hosts");
            assert_eq!(kept, locale == Locale::En, "the link goes first: {sms}");
        }
    }

    #[test]
    fn an_sms_with_its_link_fits_in_two_segments() {
        let long = "決済APIの5xxエラー率が直近5分間で5%を超えています。影響範囲はチェックアウトの全リージョンです。\
                    ロールバック手順はランブックを参照してください。";
        let ja = message(Locale::Ja, "[Impact 1] 決済APIのエラー率上昇", long);
        let sms = ja.sms();
        assert!(sms_segments(&sms) <= 2, "{} chars: {sms}", sms.chars().count());
        assert!(sms.contains(LINK) && sms.ends_with('…'), "{sms}");
        let en = message(Locale::En, "[Impact 1] Checkout API error rate above 5%", &long[..0]);
        assert_eq!(sms_segments(&en.sms()), 1);
        assert_eq!(sms_segments(&"あ".repeat(70)), 1);
        assert_eq!(sms_segments(&"あ".repeat(71)), 2);
        assert_eq!(sms_segments(&"a".repeat(161)), 2);
    }

    #[test]
    fn without_a_code_the_link_is_the_way() {
        let m = PageMessage { code: None, ..message(Locale::Ja, "[Impact 1] 決済APIのエラー率上昇", "5xx") };
        for text in [m.email_text(), m.email_html(), m.sms()] {
            assert!(text.contains(LINK) && !text.contains("コード") && !text.contains("None"), "{text}");
        }
    }

    #[test]
    fn only_http_lines_become_links_and_everything_is_escaped() {
        let html = lines_html("Disk <full>\nhttps://runbooks.example/a?b=1&c=2\njavascript:alert(1)");
        assert_eq!(
            html,
            "Disk &lt;full&gt;<br><a href=\"https://runbooks.example/a?b=1&amp;c=2\" rel=\"noopener noreferrer\">\
             https://runbooks.example/a?b=1&amp;c=2</a><br>javascript:alert(1)"
        );
    }

    #[test]
    fn html_is_escaped() {
        let m = message(Locale::En, "<script>x</script>", "a & b");
        assert!(!m.email_html().contains("<script>") && m.email_html().contains("a &amp; b"));
    }
}
