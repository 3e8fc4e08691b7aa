//! A response plan as its editor's form holds it: text per field, the engagements ticked, and
//! Slack and webhook URLs one per line. Parsed on the server; problems are reported against the
//! fields the plan's own checks name.

use serde::{Deserialize, Serialize};

use crate::domain::incident::{IncidentTemplate, NotificationTarget, ResponsePlan};
use crate::error::FieldError;
use crate::i18n::Msg;

/// One contact's checkbox: `picks[i][alias]` always, `picks[i][on]` when ticked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pick {
    pub alias: String,
    #[serde(default)]
    pub on: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponsePlanForm {
    pub name: String,
    pub display_name: String,
    pub title: String,
    /// 1 (critical) to 5.
    pub impact: String,
    pub summary: String,
    pub dedupe_string: String,
    /// Slack incoming-webhook URLs, one per line.
    pub slack: String,
    /// JSON webhook URLs, one per line.
    pub webhooks: String,
}

fn lines(text: &str) -> impl Iterator<Item = String> + '_ {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned)
}

impl ResponsePlanForm {
    pub fn of(plan: &ResponsePlan) -> ResponsePlanForm {
        let urls = |slack: bool| {
            plan.notification_targets
                .iter()
                .filter(|t| matches!(t, NotificationTarget::Slack { .. }) == slack)
                .map(|t| t.url().to_owned())
                .collect::<Vec<_>>()
                .join("\n")
        };
        ResponsePlanForm {
            name: plan.name.clone(),
            display_name: plan.display_name.clone(),
            title: plan.template.title.clone(),
            impact: plan.template.impact.to_string(),
            summary: plan.template.summary.clone(),
            dedupe_string: plan.template.dedupe_string.clone(),
            slack: urls(true),
            webhooks: urls(false),
        }
    }

    /// The plan, engaging the ticked contacts (checked against the others by the plan's checks).
    pub fn parse(&self, picks: &[Pick]) -> Result<ResponsePlan, Vec<FieldError>> {
        let Some(impact) = self.impact.trim().parse::<u8>().ok() else {
            return Err(vec![FieldError::new("template.impact", Msg::ErrImpact)]);
        };
        let notification_targets = lines(&self.slack)
            .map(|url| NotificationTarget::Slack { url })
            .chain(lines(&self.webhooks).map(|url| NotificationTarget::Webhook { url }))
            .collect();
        Ok(ResponsePlan {
            name: self.name.trim().to_owned(),
            display_name: self.display_name.trim().to_owned(),
            template: IncidentTemplate {
                title: self.title.trim().to_owned(),
                impact,
                summary: self.summary.trim().to_owned(),
                dedupe_string: self.dedupe_string.trim().to_owned(),
            },
            engagements: picks.iter().filter(|p| p.on.is_some()).map(|p| p.alias.clone()).collect(),
            notification_targets,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_fills_the_form_it_came_from() {
        let form = ResponsePlanForm {
            name: "sev1".into(),
            display_name: "Severity 1".into(),
            title: "Checkout down".into(),
            impact: "1".into(),
            summary: String::new(),
            dedupe_string: "checkout".into(),
            slack: "https://hooks.slack.com/services/T0/B0/x".into(),
            webhooks: "https://example.com/a\nhttps://example.com/b".into(),
        };
        let picks = [Pick { alias: "web".into(), on: Some("on".into()) }, Pick { alias: "db".into(), on: None }];
        let plan = form.parse(&picks).unwrap();
        assert_eq!(plan.engagements, vec!["web".to_owned()]);
        assert_eq!(plan.notification_targets.len(), 3);
        assert_eq!(ResponsePlanForm::of(&plan), form);
        assert!(ResponsePlanForm { impact: "high".into(), ..form }.parse(&picks).is_err());
    }
}
