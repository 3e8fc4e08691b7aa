//! Demo data: a believable team on an empty database, so a fresh console shows paging at work.
//! Everything goes through the engine's own operations, exactly as a user's edits would.

use chrono::{TimeZone, Utc, Weekday};

use app::domain::alert::IntegrationKind;
use app::domain::contact::{ChannelType, Contact, ContactChannel, ContactType, Plan, Stage, Target};
use app::domain::incident::{IncidentTemplate, ResponsePlan};
use app::domain::rotation::{HandOff, HandOffTime, Rotation};
use app::domain::routing::{Firing, Rule};
use app::i18n::Locale;

use crate::audit::Actor;
use crate::engine::Engine;
use crate::engine::links;
use crate::error::ServerError;

const DEMO: Actor<'static> = Actor::System("demo-data");

/// (alias, display name, e-mail, phone, the language of their pages).
const TEAM: &[(&str, &str, &str, &str, Locale)] = &[
    ("tanaka", "田中 太郎", "tanaka@example.co.jp", "+819012340001", Locale::Ja),
    ("sato", "佐藤 花子", "sato@example.co.jp", "+819012340002", Locale::Ja),
    ("suzuki", "鈴木 一郎", "suzuki@example.co.jp", "+819012340003", Locale::Ja),
    ("emily", "Emily Carter", "emily.carter@example.com", "+819012340004", Locale::En),
    ("takahashi", "高橋 健", "takahashi@example.co.jp", "+819012340005", Locale::Ja),
    ("kim", "Kim Minjun", "minjun.kim@example.com", "+819012340006", Locale::En),
];

/// Seeds once per database: the first replica to claim the flag does it, on an empty database.
pub async fn seed_if_empty(engine: &Engine) -> Result<bool, ServerError> {
    if !engine.contacts().await?.is_empty() || !engine.claim_flag("demo_data_seeded").await? {
        return Ok(false);
    }
    seed(engine).await?;
    tracing::info!("seeded demo data (turn off with --demo-data false)");
    Ok(true)
}

async fn seed(engine: &Engine) -> Result<(), ServerError> {
    for (alias, name, email, phone, language) in TEAM {
        add_person(engine, alias, name, email, phone).await?;
        let mut conn = engine.database().writer().acquire().await?;
        links::set_language_in(&mut conn, alias, *language, 0).await?;
    }
    // 2026-01-05 is a Monday; 10:00 in Tokyo.
    let start = Utc.with_ymd_and_hms(2026, 1, 5, 1, 0, 0).single().unwrap_or_default();
    let primary = Rotation {
        members: ["tanaka", "sato", "suzuki", "emily"].map(String::from).to_vec(),
        start,
        time_zone: "Asia/Tokyo".into(),
        handoff: HandOff::Weekly(vec![(Weekday::Mon, HandOffTime::new(10, 0))]),
        multiplier: 1,
        number_on_call: 1,
        coverage: vec![],
    };
    let secondary = Rotation {
        members: ["takahashi", "kim", "emily"].map(String::from).to_vec(),
        handoff: HandOff::Daily(vec![HandOffTime::new(10, 0)]),
        ..primary.clone()
    };
    let primary = engine.create_rotation(DEMO, "Primary (weekly, Mon 10:00 JST)", primary).await?;
    let secondary = engine.create_rotation(DEMO, "Secondary (daily, 10:00 JST)", secondary).await?;
    engine.put_contact(DEMO, schedule("primary-oncall", "Primary on call", primary)).await?;
    engine.put_contact(DEMO, schedule("secondary-oncall", "Secondary on call", secondary)).await?;
    // The person's own plan sends the e-mail and, 10 minutes later, calls; then the secondary.
    let escalation = Contact {
        alias: "web-escalation".into(),
        display_name: "Web service escalation".into(),
        kind: ContactType::Escalation,
        plan: Plan {
            stages: vec![
                Stage { duration_minutes: 20, targets: vec![essential("primary-oncall")] },
                Stage { duration_minutes: 20, targets: vec![essential("secondary-oncall")] },
            ],
            rotation_ids: vec![],
        },
    };
    engine.put_contact(DEMO, escalation).await?;
    for (name, display, impact, engage) in [
        ("sev1-critical", "Severity 1: critical", 1, "web-escalation"),
        ("sev2-high", "Severity 2: high", 2, "web-escalation"),
        ("sev3-low", "Severity 3: low (primary only)", 3, "primary-oncall"),
    ] {
        engine.put_response_plan(DEMO, response_plan(name, display, impact, engage)).await?;
    }
    seed_routing(engine).await
}

/// The seed team's routing: an EventBridge integration (its secret is not kept: a manager
/// issues one with `integration rotate-secret`), and rules by the `level` their input
/// transformer adds: critical → sev1, high → sev2, anything else → sev3; a recovery only
/// notifies (the rules' Slack targets, none in the demo).
async fn seed_routing(engine: &Engine) -> Result<(), ServerError> {
    let now = engine.now().timestamp();
    let integrations = crate::ingest::store::Integrations { db: engine.database().clone() };
    integrations.create(DEMO, "CloudWatch via EventBridge (demo)", IntegrationKind::EventBridge, &[], now).await?;
    let rule = |name: &str, condition: &str, plan: &str| Rule {
        name: name.into(),
        condition: condition.into(),
        firing: Firing::Incident { response_plan: plan.into() },
        impact: None,
        notify: vec![],
        resolve_on_recovery: false,
        hold: None,
    };
    let rules = vec![
        rule("Critical", "alert.severity == 'critical'", "sev1-critical"),
        rule("High", "alert.severity == 'high'", "sev2-high"),
        rule("Everything else", "", "sev3-low"),
    ];
    crate::routing::rules::Rules { db: engine.database().clone() }.save(DEMO, 0, rules, now).await?;
    Ok(())
}

async fn add_person(engine: &Engine, alias: &str, name: &str, email: &str, phone: &str) -> Result<(), ServerError> {
    let person = |stages| Contact {
        alias: alias.into(),
        display_name: name.into(),
        kind: ContactType::Personal,
        plan: Plan { stages, rotation_ids: vec![] },
    };
    engine.put_contact(DEMO, person(vec![])).await?;
    let mut ids = Vec::new();
    for (kind, label, address) in [
        (ChannelType::Email, "Work e-mail", email),
        (ChannelType::Sms, "Mobile SMS", phone),
        (ChannelType::Voice, "Mobile phone", phone),
    ] {
        let channel = ContactChannel {
            id: String::new(),
            contact_id: alias.into(),
            name: label.into(),
            kind,
            address: address.into(),
            activated: true,
        };
        ids.push(engine.add_channel(DEMO, channel).await?.id);
    }
    let target = |id: &String| Target::Channel { channel_id: id.clone(), retry_minutes: 5 };
    let stages = vec![
        Stage { duration_minutes: 10, targets: vec![target(&ids[0]), target(&ids[1])] },
        Stage { duration_minutes: 0, targets: vec![target(&ids[2])] },
    ];
    engine.put_contact(DEMO, person(stages)).await
}

fn schedule(alias: &str, name: &str, rotation_id: String) -> Contact {
    Contact {
        alias: alias.into(),
        display_name: name.into(),
        kind: ContactType::OncallSchedule,
        plan: Plan { stages: vec![], rotation_ids: vec![rotation_id] },
    }
}

fn essential(alias: &str) -> Target {
    Target::Contact { contact_id: alias.into(), essential: true }
}

fn response_plan(name: &str, display: &str, impact: u8, engage: &str) -> ResponsePlan {
    ResponsePlan {
        name: name.into(),
        display_name: display.into(),
        template: IncidentTemplate {
            title: format!("{display}: alarm on the web service"),
            impact,
            summary: "Opened from a CloudWatch alarm routed by severity.".into(),
            dedupe_string: format!("web-{name}"),
        },
        engagements: vec![engage.into()],
        notification_targets: vec![],
    }
}
