//! The post-incident review: a template of questions answered with the incident, action items
//! with an owner and a due date, and its Markdown export with the incident's whole timeline.

use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::incident::{IncidentRecord, RelatedLink};
use crate::domain::web_link::web_link;
use crate::error::FieldError;
use crate::i18n::{Locale, Msg};

/// Longest answer to one question.
pub const MAX_ANSWER_CHARS: usize = 10_000;
pub const MAX_ACTIONS: usize = 30;

/// The template's questions, in order: (field, question).
pub const QUESTIONS: [(&str, Msg); 6] = [
    ("what_happened", Msg::ReviewWhatHappened),
    ("impact", Msg::ReviewImpact),
    ("detection", Msg::ReviewDetection),
    ("response", Msg::ReviewResponse),
    ("went_well", Msg::ReviewWentWell),
    ("went_badly", Msg::ReviewWentBadly),
];

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActionItem {
    pub text: String,
    pub owner: String,
    /// `YYYY-MM-DD`, or empty.
    pub due: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// The answers, by the field names of [`QUESTIONS`].
    pub what_happened: String,
    pub impact: String,
    pub detection: String,
    pub response: String,
    pub went_well: String,
    pub went_badly: String,
    pub actions: Vec<ActionItem>,
}

impl Review {
    pub fn answer(&self, field: &str) -> &str {
        match field {
            "what_happened" => &self.what_happened,
            "impact" => &self.impact,
            "detection" => &self.detection,
            "response" => &self.response,
            "went_well" => &self.went_well,
            "went_badly" => &self.went_badly,
            _ => "",
        }
    }

    fn answer_mut(&mut self, field: &str) -> Option<&mut String> {
        Some(match field {
            "what_happened" => &mut self.what_happened,
            "impact" => &mut self.impact,
            "detection" => &mut self.detection,
            "response" => &mut self.response,
            "went_well" => &mut self.went_well,
            "went_badly" => &mut self.went_badly,
            _ => return None,
        })
    }
}

/// A saved review: its version (a save names the one it began from), who saved it and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedReview {
    pub version: u32,
    pub review: Review,
    pub saved_by: String,
    pub saved_at: i64,
}

/// The review as its form posts it: the answers by question, and `actions[i][text|owner|due]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    pub what_happened: String,
    #[serde(default)]
    pub impact: String,
    #[serde(default)]
    pub detection: String,
    #[serde(default)]
    pub response: String,
    #[serde(default)]
    pub went_well: String,
    #[serde(default)]
    pub went_badly: String,
    #[serde(default)]
    pub actions: Vec<ActionItem>,
}

impl ReviewForm {
    /// The review the form describes (blank action rows dropped), or every problem by field.
    pub fn review(&self) -> Result<Review, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut review = Review::default();
        let typed =
            [&self.what_happened, &self.impact, &self.detection, &self.response, &self.went_well, &self.went_badly];
        for ((field, _), text) in QUESTIONS.iter().zip(typed) {
            if text.chars().count() > MAX_ANSWER_CHARS {
                errors.push(FieldError::new(field, Msg::ErrReviewAnswer));
            }
            if let Some(answer) = review.answer_mut(field) {
                text.trim().clone_into(answer);
            }
        }
        for (i, a) in self.actions.iter().enumerate() {
            let item =
                ActionItem { text: a.text.trim().into(), owner: a.owner.trim().into(), due: a.due.trim().into() };
            if item == ActionItem::default() {
                continue;
            }
            if item.text.is_empty() || item.text.chars().count() > 500 {
                errors.push(FieldError::new(&format!("actions.{i}.text"), Msg::ErrActionText));
            }
            if item.owner.chars().count() > 100 {
                errors.push(FieldError::new(&format!("actions.{i}.owner"), Msg::ErrActionOwner));
            }
            if !item.due.is_empty() && NaiveDate::parse_from_str(&item.due, "%Y-%m-%d").is_err() {
                errors.push(FieldError::new(&format!("actions.{i}.due"), Msg::ErrActionDue));
            }
            review.actions.push(item);
        }
        if review.actions.len() > MAX_ACTIONS {
            errors.push(FieldError::new("actions", Msg::ErrActionCount));
        }
        if errors.is_empty() { Ok(review) } else { Err(errors) }
    }

    pub fn of(review: &Review) -> ReviewForm {
        ReviewForm {
            what_happened: review.what_happened.clone(),
            impact: review.impact.clone(),
            detection: review.detection.clone(),
            response: review.response.clone(),
            went_well: review.went_well.clone(),
            went_badly: review.went_badly.clone(),
            actions: review.actions.clone(),
        }
    }
}

/// One line of an incident's timeline, as the page and the export both show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineLine {
    pub at: i64,
    /// `alert`, `note`, `page` or `status`: what the filters group by.
    pub kind: String,
    pub label: Msg,
    pub detail: String,
    pub by: Option<String>,
    /// Who last rewrote a note, when it was not its author.
    #[serde(default)]
    pub edited_by: Option<String>,
    /// Where the line's subject is (an alert's page).
    pub link: Option<String>,
    /// A note's event id: notes can be edited and deleted.
    pub note: Option<String>,
}

/// `2026-11-30 10:04 JST`, in `zone`, as the pages show times.
fn when(at: i64, zone: &str) -> String {
    crate::zone::format_in(crate::zone::instant(at), zone, "%Y-%m-%d %H:%M %Z")
}

/// Text from people and alerts as Markdown that shows it and does nothing else: HTML is escaped
/// (renderers pass raw HTML through) and brackets too, so no text of theirs becomes a link
/// (`[x](javascript:…)`); the export's only links are the related links [`web_link`] allows.
fn md_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            c => out.push(c),
        }
    }
    out
}

/// The review and the whole timeline as a Markdown document, times in `zone`.
pub fn markdown(
    record: &IncidentRecord,
    review: &Review,
    timeline: &[TimelineLine],
    links: &[RelatedLink],
    zone: &str,
    locale: Locale,
) -> String {
    let t = |m: Msg| m.text(locale);
    let status = t(record.status.label());
    let mut md = format!("# {}\n\n", md_text(&record.title));
    let _ = writeln!(md, "- {}: {}", t(Msg::Status), status);
    let _ = writeln!(md, "- {}: {}", t(Msg::Impact), record.impact);
    let _ = writeln!(md, "- {}: {}", t(Msg::ResponsePlan), md_text(&record.response_plan));
    let _ = writeln!(md, "- {}: {}", t(Msg::Opened), when(record.created_at, zone));
    if let Some(at) = record.resolved_at {
        let _ = writeln!(md, "- {}: {}", t(Msg::Resolved), when(at, zone));
    }
    if !record.summary.is_empty() {
        let _ = writeln!(md, "\n{}", md_text(&record.summary));
    }
    let _ = writeln!(md, "\n## {}", t(Msg::Review));
    for (field, question) in QUESTIONS {
        let answer = review.answer(field);
        let _ = writeln!(
            md,
            "\n### {}\n\n{}",
            t(question),
            if answer.is_empty() { "—".to_owned() } else { md_text(answer) }
        );
    }
    let _ = write!(md, "\n### {}\n\n", t(Msg::ActionItems));
    if review.actions.is_empty() {
        md.push_str("—\n");
    }
    for a in &review.actions {
        let owner = if a.owner.is_empty() { String::new() } else { format!(" — {}", md_text(&a.owner)) };
        let due = if a.due.is_empty() { String::new() } else { format!(" ({} {})", t(Msg::Due), md_text(&a.due)) };
        let _ = writeln!(md, "- [ ] {}{owner}{due}", md_text(&a.text));
    }
    if !links.is_empty() {
        let _ = write!(md, "\n## {}\n\n", t(Msg::RelatedLinks));
        for l in links {
            let _ = match web_link(&l.url) {
                Some(url) => {
                    writeln!(md, "- [{}]({})", md_text(&l.title), url.replace('(', "%28").replace(')', "%29"))
                }
                None => writeln!(md, "- {} — {}", md_text(&l.title), md_text(&l.url)),
            };
        }
    }
    let _ = write!(md, "\n## {}\n\n", t(Msg::Timeline));
    for line in timeline {
        let mut by = line.by.as_ref().map(|b| format!(" — {}", md_text(b))).unwrap_or_default();
        if let Some(editor) = &line.edited_by {
            let _ = write!(by, " ({} {})", t(Msg::EditedBy), md_text(editor));
        }
        let detail = if line.detail.is_empty() { String::new() } else { format!(" {}", md_text(&line.detail)) };
        let _ = writeln!(md, "- {} **{}**{detail}{by}", when(line.at, zone), t(line.label));
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::incident::IncidentStatus;

    fn record() -> IncidentRecord {
        IncidentRecord {
            id: "i1".into(),
            response_plan: "sev1-critical".into(),
            title: "Checkout down".into(),
            summary: "5xx on every checkout".into(),
            impact: 1,
            status: IncidentStatus::Resolved,
            dedupe_string: None,
            source: "console".into(),
            created_at: 1_764_464_400,
            resolved_at: Some(1_764_468_000),
        }
    }

    #[test]
    fn the_form_drops_blank_actions_and_names_problems_by_field() {
        let form = ReviewForm {
            what_happened: " Deploy 42 broke checkout ".into(),
            actions: vec![
                ActionItem { text: "Add a canary".into(), owner: "sato".into(), due: "2026-12-15".into() },
                ActionItem::default(),
                ActionItem { text: String::new(), owner: "ito".into(), due: "next week".into() },
            ],
            ..ReviewForm::default()
        };
        let fields: Vec<String> = form.review().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["actions.2.text", "actions.2.due"]);
        let mut ok = form.clone();
        ok.actions.pop();
        let review = ok.review().unwrap();
        assert_eq!(review.what_happened, "Deploy 42 broke checkout");
        assert_eq!(review.actions.len(), 1);
        assert_eq!(ReviewForm::of(&review).review().unwrap(), review);
    }

    #[test]
    fn the_export_has_the_answers_the_actions_and_the_timeline_in_the_readers_zone() {
        let review = Review {
            what_happened: "Deploy 42 broke checkout".into(),
            actions: vec![ActionItem { text: "Add a canary".into(), owner: "sato".into(), due: "2026-12-15".into() }],
            ..Review::default()
        };
        let timeline = [TimelineLine {
            at: 1_764_464_460,
            kind: "note".into(),
            label: Msg::EventCustom,
            detail: "Rolled back".into(),
            by: Some("tanaka".into()),
            edited_by: None,
            link: None,
            note: Some("7".into()),
        }];
        let links = [RelatedLink {
            id: "related-item/OTHER/0".into(),
            url: "https://wiki.example.com/runbook_(v2)".into(),
            title: "Runbook [checkout]".into(),
        }];
        let md = markdown(&record(), &review, &timeline, &links, "Asia/Tokyo", Locale::En);
        assert!(
            md.contains("## Related links\n\n- [Runbook \\[checkout\\]](https://wiki.example.com/runbook_%28v2%29)\n"),
            "{md}"
        );
        assert!(md.starts_with("# Checkout down\n"), "{md}");
        assert!(md.contains("### What happened\n\nDeploy 42 broke checkout\n"), "{md}");
        assert!(md.contains("- [ ] Add a canary — sato (due 2026-12-15)\n"), "{md}");
        assert!(md.contains("- 2025-11-30 10:01 JST **Note** Rolled back — tanaka\n"), "{md}");
        let ja = markdown(&record(), &review, &timeline, &[], "UTC", Locale::Ja);
        assert!(ja.contains("2025-11-30 01:01 UTC **メモ**"), "{ja}");
    }

    #[test]
    fn the_export_carries_no_html_and_no_links_but_web_links() {
        let review = Review {
            what_happened: "<img src=x onerror=alert(1)> and [click](javascript:alert(1))".into(),
            actions: vec![ActionItem {
                text: "<script>x</script>".into(),
                owner: "[o](data:x)".into(),
                due: String::new(),
            }],
            ..Review::default()
        };
        let links = [
            RelatedLink { id: "a".into(), url: "javascript:alert(1)".into(), title: "Runbook".into() },
            RelatedLink { id: "b".into(), url: "https://ok.example/x".into(), title: "<b>ok</b>".into() },
        ];
        let md = markdown(&record(), &review, &[], &links, "UTC", Locale::En);
        // One link in all: the web link. Every other bracket is escaped.
        let links: Vec<&str> =
            md.match_indices("](").filter(|(i, _)| !md[..*i].ends_with('\\')).map(|(i, _)| &md[i..]).collect();
        assert_eq!(links.len(), 1, "{md}");
        assert!(links[0].starts_with("](https://ok.example/x)"), "{md}");
        assert!(!md.contains('<'), "{md}");
        assert!(md.contains("&lt;img src=x onerror=alert(1)&gt; and \\[click\\](javascript:alert(1))"), "{md}");
        assert!(md.contains("- Runbook — javascript:alert(1)\n"), "a refused address is text: {md}");
        assert!(md.contains("- [&lt;b&gt;ok&lt;/b&gt;](https://ok.example/x)\n"), "{md}");
    }
}
