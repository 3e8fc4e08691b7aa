//! The scenario suite in both modes, on SQLite and PostgreSQL: the same steps through the local
//! backend and through the AWS backend (the AWS SDK over real HTTP to the console's SSM API on
//! the same engine), with the same results. Each scenario returns what it saw, and the two modes
//! must have seen the same.

mod common;

use std::sync::Arc;

use app::auth::{CurrentUser, Role};
use app::domain::contact::{ChannelType, Contact, ContactChannel, ContactType, Plan, Stage, Target};
use app::domain::escalation::Directory;
use app::domain::incident::{IncidentStatus, IncidentTemplate, IncidentUpdate, ResponsePlan};
use app::domain::plan_form::PlanForm;
use app::domain::roster::VersionKind;
use app::domain::rotation::{HandOff, HandOffTime, Override, Rotation};
use app::error::AppError;
use app::i18n::Msg;
use app::model::oncall::Ahead;
use app::ports::{Backend, Clock as _, EngagementStart, IncidentStart};
use chrono::Duration;
use common::ssm::{Mode, SsmServer, t0};

fn manager() -> CurrentUser {
    CurrentUser { id: 1, username: "hana".into(), display_name: "Hana".into(), role: Role::Manager, contact: None }
}

fn person(alias: &str, stages: Vec<Stage>) -> Contact {
    Contact {
        alias: alias.into(),
        display_name: alias.into(),
        kind: ContactType::Personal,
        plan: Plan { stages, rotation_ids: vec![] },
    }
}

fn essential(who: &str) -> Target {
    Target::Contact { contact_id: who.into(), essential: true }
}

struct World {
    api: SsmServer,
    backend: Arc<dyn Backend>,
    _dir: tempfile::TempDir,
}

async fn world(mode: Mode) -> World {
    let (db, dir) = common::test_db().await;
    let api = SsmServer::start(&db).await;
    let backend = api.backend(mode).await;
    World { api, backend, _dir: dir }
}

impl World {
    /// A contact as the backend has it now.
    async fn current(&self, alias: &str) -> Contact {
        let all = self.backend.contacts().await.unwrap();
        all.into_iter().find(|c| c.contact.alias == alias).unwrap_or_else(|| panic!("no contact {alias}")).contact
    }

    async fn channel(&self, who: &str, kind: ChannelType, address: &str) -> String {
        let me = manager();
        let ch = ContactChannel {
            id: String::new(),
            contact_id: who.into(),
            name: format!("{who} {kind:?}"),
            kind,
            address: address.into(),
            activated: false,
        };
        let ch = self.backend.add_channel(&me, ch).await.unwrap();
        let code = self.api.activation_code(&ch.id).await;
        self.backend.activate_channel(&me, &ch.id, &code).await.unwrap();
        ch.id
    }

    /// tanaka (e-mail, a call 10 min later); kim and sato on a daily rotation; smith last.
    /// Escalation "main": tanaka (10 min) → the schedule (15 min) → smith.
    async fn team(&self) -> String {
        let me = manager();
        let b = &self.backend;
        for who in ["tanaka", "sato", "kim", "smith"] {
            b.create_contact(&me, person(who, vec![])).await.unwrap();
        }
        let email = self.channel("tanaka", ChannelType::Email, "tanaka@example.co.jp").await;
        let voice = self.channel("tanaka", ChannelType::Voice, "+819012345678").await;
        for (who, address) in
            [("sato", "sato@example.co.jp"), ("kim", "kim@example.com"), ("smith", "smith@example.com")]
        {
            self.channel(who, ChannelType::Email, address).await;
        }
        let plan = vec![
            Stage { duration_minutes: 10, targets: vec![Target::Channel { channel_id: email, retry_minutes: 5 }] },
            Stage { duration_minutes: 0, targets: vec![Target::Channel { channel_id: voice, retry_minutes: 0 }] },
        ];
        let base = self.current("tanaka").await.fingerprint();
        b.update_contact(&me, person("tanaka", plan), &base).await.unwrap();
        let rotation = Rotation {
            members: vec!["kim".into(), "sato".into()],
            start: t0() - Duration::days(2),
            time_zone: "Asia/Tokyo".into(),
            handoff: HandOff::Daily(vec![HandOffTime::new(9, 0)]),
            multiplier: 1,
            number_on_call: 1,
            coverage: vec![],
        };
        let rotation_id = b.create_rotation(&me, "secondary", rotation).await.unwrap();
        let schedule = Contact {
            alias: "secondary-oncall".into(),
            display_name: "Secondary".into(),
            kind: ContactType::OncallSchedule,
            plan: Plan { stages: vec![], rotation_ids: vec![rotation_id.clone()] },
        };
        b.create_contact(&me, schedule).await.unwrap();
        let stages = vec![
            Stage { duration_minutes: 10, targets: vec![essential("tanaka")] },
            Stage { duration_minutes: 15, targets: vec![essential("secondary-oncall")] },
            Stage { duration_minutes: 0, targets: vec![essential("smith")] },
        ];
        let main = Contact {
            alias: "main".into(),
            display_name: "Main escalation".into(),
            kind: ContactType::Escalation,
            plan: Plan { stages, rotation_ids: vec![] },
        };
        b.create_contact(&me, main).await.unwrap();
        rotation_id
    }

    /// (minute, person, stage) of every page of an engagement.
    async fn pages(&self, engagement: &str) -> Vec<(i64, String, i64)> {
        let view = self.backend.engagement(engagement).await.unwrap();
        let mut pages: Vec<_> =
            view.pages.iter().map(|p| ((p.sent_at - t0().timestamp()) / 60, p.contact.clone(), p.stage)).collect();
        pages.sort();
        pages
    }
}

fn alarm(token: &str) -> EngagementStart {
    EngagementStart {
        contact: "main".into(),
        sender: "cloudwatch".into(),
        subject: "CPU high on api-1".into(),
        content: "CPUUtilization > 90% for 5 minutes".into(),
        incident_id: None,
        idempotency_token: Some(token.into()),
    }
}

/// Pages go out stage by stage at the right virtual minutes; acknowledging stops the rest.
async fn escalation(mode: Mode) -> Vec<String> {
    let w = world(mode).await;
    let rotation = w.team().await;
    let mut seen = Vec::new();
    let shifts =
        w.backend.rotation_shifts(&rotation, t0().timestamp(), (t0() + Duration::days(2)).timestamp()).await.unwrap();
    seen.extend(shifts.iter().map(|s| format!("shift {} {} {:?}", s.start, s.end, s.members)));
    let me = manager();
    let id = w.backend.start_engagement(&me, alarm("alarm-1")).await.unwrap();
    assert_eq!(
        w.backend.start_engagement(&me, alarm("alarm-1")).await.unwrap(),
        id,
        "{mode:?}: same token, same engagement"
    );
    w.api.run_due().await;
    assert_eq!(w.pages(&id).await, vec![(0, "tanaka".into(), 0)], "{mode:?}");
    w.api.clock.advance(Duration::minutes(10));
    w.api.run_due().await;
    let pages = w.pages(&id).await;
    assert_eq!(pages.len(), 2, "{mode:?}: the schedule's person is paged at minute 10: {pages:?}");
    assert_eq!((pages[1].0, pages[1].2), (10, 1), "{mode:?}");
    seen.push(format!("pages {pages:?}"));
    // A wrong code is refused and changes nothing; the right one stops the escalation.
    let view = w.backend.engagement(&id).await.unwrap();
    let tanaka_page = view.pages.iter().find(|p| p.contact == "tanaka").unwrap().id.clone();
    let wrong = w.backend.accept_page(&me, &tanaka_page, "000000").await;
    let code = w.api.accept_code(&tanaka_page).await;
    if code != "000000" {
        assert!(matches!(wrong, Err(AppError::Invalid(ref f)) if f[0].field == "accept_code"), "{mode:?}: {wrong:?}");
    }
    w.backend.accept_page(&me, &tanaka_page, &code).await.unwrap();
    w.api.clock.advance(Duration::minutes(30));
    w.api.run_due().await;
    let after = w.backend.engagement(&id).await.unwrap();
    assert!(after.stopped_at.is_some(), "{mode:?}: acknowledgement stops the engagement");
    assert_eq!(w.pages(&id).await, pages, "{mode:?}: smith is never paged");
    let mut receipts: Vec<String> = after.receipts.iter().map(|r| format!("{} {}", r.contact, r.kind)).collect();
    receipts.sort();
    seen.push(format!("receipts {receipts:?}"));
    seen
}

/// A plan built in the editor with its defaults stops when stage 1 acknowledges (stage 2 is
/// never paged); with the switch off (`~`) it goes on, says who is paged next and when, pages
/// them, and "stop paging the others" stops it, audited as the person's.
async fn acknowledgement(mode: Mode) -> Vec<String> {
    let w = world(mode).await;
    w.team().await;
    let me = manager();
    let mut seen = Vec::new();
    for (alias, stages) in [("stops", "1: sato\n1: smith"), ("goes-on", "1: sato~\n1: smith")] {
        let form =
            PlanForm { alias: alias.into(), display_name: alias.into(), stages: stages.into(), repeat: "1".into() };
        w.backend.create_contact(&me, form.parse().unwrap()).await.unwrap();
        let start = EngagementStart { contact: alias.into(), ..alarm(alias) };
        let id = w.backend.start_engagement(&me, start).await.unwrap();
        w.api.run_due().await;
        let plan = w.current(alias).await;
        let view = w.backend.engagement(&id).await.unwrap();
        let sato = view.pages.iter().find(|p| p.contact == "sato").unwrap().id.clone();
        seen.push(format!("{alias}: acknowledging stops it: {:?}", view.ack_stops(&sato, Some(&plan))));
        w.backend.accept_page_as_recipient(&sato, "via link").await.unwrap();
        let now = w.api.clock.now().timestamp();
        let acknowledged = w.backend.engagement(&id).await.unwrap();
        let ahead = match acknowledged.ahead(Some(&plan), now) {
            Ahead::NextStage { at, targets } => {
                format!("next stage at minute {} pages {targets:?}", (at - acknowledged.started_at) / 60)
            }
            other => format!("{other:?}"),
        };
        seen.push(format!("{alias}: after the acknowledgement: {ahead}"));
        w.api.clock.advance(Duration::minutes(2));
        w.api.run_due().await;
        seen.push(format!("{alias}: paged {:?}", w.pages(&id).await));
        if alias == "goes-on" {
            w.backend.stop_engagement_as_recipient(&id, "sato").await.unwrap();
            let after = w.backend.engagement(&id).await.unwrap();
            seen.push(format!("stopped by sato: {:?}", after.ahead(Some(&plan), now)));
            let db = if mode == Mode::Local { &w.api.db } else { &w.api.console_db };
            let actors: Vec<String> = sqlx::query_scalar(
                "SELECT actor FROM audit_log WHERE entity = 'engagement' AND action = 'stop' AND entity_id = $1",
            )
            .bind(&id)
            .fetch_all(&db.pool)
            .await
            .unwrap();
            assert_eq!(actors, ["recipient:sato"], "{mode:?}: the stop is audited as the person's");
        }
    }
    seen
}

#[tokio::test]
async fn acknowledgement_behaves_the_same_in_both_modes() {
    let local = acknowledgement(Mode::Local).await;
    assert_eq!(local, acknowledgement(Mode::Aws).await);
    // What the transcript must say, not only the same thing twice.
    assert_eq!(local[0], "stops: acknowledging stops it: Some(true)");
    assert_eq!(local[1], "stops: after the acknowledgement: Stopped");
    assert!(!local[2].contains("smith"), "stage 2 is never paged: {}", local[2]);
    assert_eq!(local[3], "goes-on: acknowledging stops it: Some(false)");
    assert_eq!(local[4], "goes-on: after the acknowledgement: next stage at minute 1 pages [\"smith\"]");
    assert!(local[5].contains("smith"), "the next stage is paged: {}", local[5]);
    assert_eq!(local[6], "stopped by sato: Stopped");
}

/// An incident engages its plan's contacts once per client token, takes notes, and resolving it
/// stops the paging.
async fn incident(mode: Mode) -> Vec<String> {
    let w = world(mode).await;
    w.team().await;
    let me = manager();
    let plan = ResponsePlan {
        name: "sev2".into(),
        display_name: "Severity 2".into(),
        template: IncidentTemplate {
            title: "API degraded".into(),
            impact: 2,
            summary: String::new(),
            dedupe_string: String::new(),
        },
        engagements: vec!["main".into()],
        notification_targets: vec![],
    };
    w.backend.create_response_plan(&me, plan.clone()).await.unwrap();
    let again = w.backend.create_response_plan(&me, plan).await.unwrap_err();
    assert_eq!(again.field("name"), Some(Msg::ErrPlanNameTaken), "{mode:?}");
    let start = IncidentStart {
        response_plan: "sev2".into(),
        client_token: Some("alarm-7".into()),
        ..IncidentStart::default()
    };
    let id = w.backend.start_incident(&me, start.clone()).await.unwrap();
    assert_eq!(w.backend.start_incident(&me, start).await.unwrap(), id, "{mode:?}: same token, same incident");
    w.api.run_due().await;
    w.backend.add_timeline_note(&me, &id, "Rolled back deploy 42").await.unwrap();
    let detail = w.backend.incident(&id).await.unwrap();
    assert_eq!(detail.record.status, IncidentStatus::Open);
    assert_eq!(detail.engagements.len(), 1, "{mode:?}");
    assert!(
        detail.timeline.iter().any(|e| e.event_type == "custom" && e.data.contains("Rolled back deploy 42")),
        "{mode:?}"
    );
    let listed = w.backend.incidents(Some(IncidentStatus::Open), 10).await.unwrap();
    assert_eq!(listed.iter().map(|i| i.id.clone()).collect::<Vec<_>>(), vec![id.clone()], "{mode:?}");
    // The summary is edited from the one shown; an edit begun from an older one is refused.
    let edit = |summary: &str, base: &str| IncidentUpdate {
        summary: Some(summary.into()),
        summary_base: Some(base.into()),
        ..IncidentUpdate::default()
    };
    w.backend.update_incident(&me, &id, edit("Checkout 5xx after deploy 42", "")).await.unwrap();
    let stale = w.backend.update_incident(&me, &id, edit("Something else", "")).await.unwrap_err();
    assert!(matches!(stale, app::error::AppError::StaleEdit), "{mode:?}: {stale:?}");
    let resolve = IncidentUpdate { status: Some(IncidentStatus::Resolved), ..IncidentUpdate::default() };
    w.backend.update_incident(&me, &id, resolve).await.unwrap();
    let detail = w.backend.incident(&id).await.unwrap();
    assert_eq!(detail.record.status, IncidentStatus::Resolved, "{mode:?}");
    assert!(detail.engagements.iter().all(|e| e.stopped_at.is_some()), "{mode:?}: resolving stops paging");
    let mut kinds: Vec<String> = detail.timeline.iter().map(|e| e.event_type.clone()).collect();
    kinds.sort();
    // Notes are rewritten and deleted; automatic events are refused.
    let events = w.backend.incident(&id).await.unwrap().timeline;
    let note = events.iter().find(|e| e.event_type == "custom").unwrap().id.clone();
    let automatic = events.iter().find(|e| e.event_type != "custom").unwrap().id.clone();
    w.backend.edit_timeline_note(&me, &id, &note, "Rolled back deploy 42 at 10:05").await.unwrap();
    let refused = w.backend.edit_timeline_note(&me, &id, &automatic, "x").await.unwrap_err();
    assert_eq!(refused.field("event_id"), Some(Msg::ErrAutomaticEvent), "{mode:?}");
    let refused = w.backend.delete_timeline_note(&me, &id, &automatic).await.unwrap_err();
    assert_eq!(refused.field("event_id"), Some(Msg::ErrAutomaticEvent), "{mode:?}");
    let wrong = w.backend.add_timeline_note(&me, &id, "Posted on the wrong incident").await.unwrap();
    w.backend.delete_timeline_note(&me, &id, &wrong).await.unwrap();
    let notes: Vec<String> = w
        .backend
        .incident(&id)
        .await
        .unwrap()
        .timeline
        .into_iter()
        .filter(|e| e.event_type == "custom")
        .map(|e| e.data)
        .collect();
    // Related links: added, listed, refused twice, removed; the same through both backends.
    let runbook = "https://wiki.example.com/runbooks/checkout";
    let added = w.backend.add_related_link(&me, &id, runbook, "Runbook").await.unwrap();
    let twice = w.backend.add_related_link(&me, &id, runbook, "").await.unwrap_err();
    w.backend.add_related_link(&me, &id, "https://grafana.example.com/d/checkout", "").await.unwrap();
    w.backend.remove_related_link(&me, &id, &added.id).await.unwrap();
    let links: Vec<(String, String)> =
        w.backend.related_links(&id).await.unwrap().into_iter().map(|l| (l.url, l.title)).collect();
    // What analytics reads: the local engine's aggregate query and the per-incident default.
    let facts = w.backend.incident_facts(detail.record.created_at, detail.record.created_at + 1).await.unwrap();
    assert_eq!(w.backend.incident_facts(0, detail.record.created_at).await.unwrap(), vec![], "{mode:?}: before it");
    vec![
        format!("title {} impact {}", detail.record.title, detail.record.impact),
        format!("summary {}", detail.record.summary),
        format!("timeline {kinds:?}"),
        format!("pages {:?}", detail.engagements[0].pages.iter().map(|p| p.contact.clone()).collect::<Vec<_>>()),
        format!("links {links:?}, twice {twice:?}"),
        format!("notes {notes:?}"),
        format!(
            "facts {:?}",
            facts
                .iter()
                .map(|f| (
                    f.plan.clone(),
                    f.resolved_at.is_some(),
                    f.pages.iter().map(|p| p.contact.clone()).collect::<Vec<_>>()
                ))
                .collect::<Vec<_>>()
        ),
    ]
}

/// Bad input is refused with the same per-field errors in both modes and changes nothing.
async fn bad_input(mode: Mode) -> Vec<String> {
    let w = world(mode).await;
    w.team().await;
    let me = manager();
    let mut seen = Vec::new();
    let mars = Rotation {
        members: vec!["kim".into()],
        start: t0(),
        time_zone: "Mars/Olympus_Mons".into(),
        handoff: HandOff::Daily(vec![HandOffTime::new(9, 0)]),
        multiplier: 1,
        number_on_call: 1,
        coverage: vec![],
    };
    let err = w.backend.create_rotation(&me, "mars", mars).await.unwrap_err();
    seen.push(format!("zone {:?}", err.field("time_zone")));
    let err = w.backend.create_contact(&me, person("kim", vec![])).await.unwrap_err();
    assert_eq!(err.field("alias"), Some(Msg::ErrAliasTaken), "{mode:?}");
    let err =
        w.backend.start_engagement(&me, EngagementStart { contact: "nobody".into(), ..alarm("x") }).await.unwrap_err();
    assert_eq!(err, AppError::NotFound, "{mode:?}");
    let long_stage = person("smith", vec![Stage { duration_minutes: 31, targets: vec![] }]);
    let base = w.current("smith").await.fingerprint();
    let err = w.backend.update_contact(&me, long_stage, &base).await.unwrap_err();
    let AppError::Invalid(fields) = err else { panic!("{mode:?}: {err:?}") };
    seen.push(format!("stage fields {:?}", fields.iter().map(|f| f.field.clone()).collect::<Vec<_>>()));
    let rotations = w.backend.rotations().await.unwrap();
    assert_eq!(rotations.len(), 1, "{mode:?}: nothing was added");
    let contacts = w.backend.contacts().await.unwrap();
    assert_eq!(contacts.len(), 6, "{mode:?}");
    seen
}

/// Editing with versions: a stale edit refused without changing anything, overrides, a restore,
/// and the recorded history.
async fn rotation_editing(mode: Mode) -> Vec<String> {
    let w = world(mode).await;
    let id = w.team().await;
    // Overrides must lie ahead of both the engine's clock and (in AWS mode) the real one.
    let real = chrono::Utc::now();
    if real > t0() {
        w.api.clock.advance(real - t0());
    }
    let now = w.api.engine.now();
    let me = manager();
    let b = &w.backend;
    let mut seen = Vec::new();
    let new = Rotation { members: vec!["smith".into(), "kim".into()], ..b.rotation(&id).await.unwrap().rotation };
    let err = b.create_rotation(&me, "secondary", new.clone()).await.unwrap_err();
    seen.push(format!("same name: {:?}", err.field("name")));
    let stranger = Rotation { members: vec!["smith".into(), "nobody-such".into()], ..new.clone() };
    let err = b.create_rotation(&me, "tertiary", stranger).await.unwrap_err();
    seen.push(format!("unknown member: {err:?}"));
    let created = b.create_rotation(&me, "tertiary", new.clone()).await.unwrap();
    let detail = b.rotation(&created).await.unwrap();
    seen.push(format!("created {} v{} {:?}", detail.name, detail.definition_version, detail.rotation == new));
    let names: Vec<String> = b.rotations().await.unwrap().into_iter().map(|r| r.name).collect();
    seen.push(format!("rotations {names:?}"));
    let detail = b.rotation(&id).await.unwrap();
    seen.push(format!("start v{} def v{}", detail.version, detail.definition_version));
    let mut reversed = detail.rotation.clone();
    reversed.members.reverse();
    let v = b.update_rotation(&me, &id, detail.definition_version, &detail.name, reversed.clone()).await.unwrap();
    seen.push(format!("saved v{v}"));
    let mut stale = detail.rotation.clone();
    stale.multiplier = 2;
    let err = b.update_rotation(&me, &id, detail.definition_version, &detail.name, stale).await.unwrap_err();
    seen.push(format!("stale: {err:?}"));
    assert_eq!(b.rotation(&id).await.unwrap().rotation, reversed, "{mode:?}: the stale edit changed nothing");
    let start = chrono::DateTime::from_timestamp(now.timestamp() + 86_400, 0).unwrap();
    let cover = Override { start, end: start + Duration::hours(2), members: vec!["kim".into()] };
    let err = b.add_override(&me, &id, Override { members: vec!["smith".into()], ..cover.clone() }).await.unwrap_err();
    seen.push(format!("non-member override: {:?}", err.field("members")));
    let override_id = b.add_override(&me, &id, cover.clone()).await.unwrap();
    let detail = b.rotation(&id).await.unwrap();
    seen.push(format!(
        "overrides {:?} v{}",
        detail.overrides.iter().map(|o| &o.value).collect::<Vec<_>>() == [&cover],
        detail.version
    ));
    b.delete_override(&me, &id, &override_id).await.unwrap();
    let v = b.restore_rotation(&me, &id, 1, detail.definition_version).await.unwrap();
    let detail = b.rotation(&id).await.unwrap();
    seen.push(format!("restored as v{v}: {:?}", detail.rotation.members));
    let roster = b.roster(&id).await.unwrap();
    let kinds: Vec<String> = roster
        .versions
        .iter()
        .map(|v| match &v.kind {
            VersionKind::Created | VersionKind::Observed => "start".to_owned(),
            VersionKind::OverrideAdded { value, .. } => format!("override {:?}", value.members),
            VersionKind::OverrideRemoved { id } => format!("removed {}", *id == override_id),
            other => format!("{other:?}"),
        })
        .collect();
    seen.push(format!("history {kinds:?}"));
    seen
}

/// The escalation-plan editor's operations: load the form, save an edit, a stale save, a new
/// plan, bad input per field (each changing nothing), and the simulated timeline of the result.
async fn plan_editing(mode: Mode) -> Vec<String> {
    let w = world(mode).await;
    w.team().await;
    let me = manager();
    let b = &w.backend;
    let mut seen = Vec::new();
    let main = w.current("main").await;
    let mut form = PlanForm::of(&main);
    seen.push(format!("form {:?}", form.stages));
    let base = main.fingerprint();
    form.stages = "5: smith\n10: tanaka!, secondary-oncall".into();
    form.repeat = "2".into();
    b.update_contact(&me, form.parse().unwrap(), &base).await.unwrap();
    let edited = w.current("main").await;
    seen.push(format!("saved {:?}", PlanForm::of(&edited).stages));
    form.stages = "1: kim".into();
    let err = b.update_contact(&me, form.parse().unwrap(), &base).await.unwrap_err();
    seen.push(format!("stale {err:?}"));
    assert_eq!(w.current("main").await, edited, "{mode:?}: a stale save changes nothing");

    let before = b.contacts().await.unwrap();
    let base = edited.fingerprint();
    for (stages, name) in
        [("5: nobody", "Main"), ("31: tanaka", "Main"), ("0:", "Main"), ("5: main", "Main"), ("5: tanaka", " ")]
    {
        // The form refuses a stage over the cap itself; the backend is asked anyway (the API
        // and other callers send plans without the form).
        let f = PlanForm {
            stages: stages.replace("31", "30"),
            display_name: name.into(),
            repeat: "1".into(),
            ..form.clone()
        };
        let mut plan = match f.parse() {
            Ok(plan) => plan,
            Err(_) => PlanForm { stages: "5: tanaka".into(), ..f.clone() }.parse().unwrap(),
        };
        if stages.starts_with("31") {
            plan.plan.stages[0].duration_minutes = 31;
        }
        if stages == "0:" {
            plan.plan.stages[0] = Stage { duration_minutes: 0, targets: vec![] };
        }
        let err = b.update_contact(&me, plan, &base).await.unwrap_err();
        let AppError::Invalid(fields) = err else { panic!("{mode:?} {stages}: {err:?}") };
        seen.push(format!("{stages:?} {name:?}: {:?}", fields.iter().map(|f| (&f.field, f.msg)).collect::<Vec<_>>()));
    }
    let bad_alias = PlanForm {
        alias: "Night Team".into(),
        display_name: "Night".into(),
        stages: "5: kim".into(),
        repeat: "1".into(),
    };
    let err = b.create_contact(&me, bad_alias.parse().unwrap()).await.unwrap_err();
    seen.push(format!("alias {:?}", err.field("alias")));
    assert_eq!(b.contacts().await.unwrap(), before, "{mode:?}: refused edits change nothing");

    let night = PlanForm {
        alias: "night".into(),
        display_name: "Night".into(),
        stages: "5: kim\n0: smith".into(),
        repeat: "1".into(),
    };
    b.create_contact(&me, night.parse().unwrap()).await.unwrap();
    let err = b.create_contact(&me, night.parse().unwrap()).await.unwrap_err();
    seen.push(format!("again {:?}", err.field("alias")));

    let mut d = Directory::default();
    for view in b.contacts().await.unwrap() {
        d.channels.insert(view.contact.alias.clone(), view.channels);
        d.contacts.insert(view.contact.alias.clone(), view.contact);
    }
    for r in b.rotations().await.unwrap() {
        let detail = b.rotation(&r.id).await.unwrap();
        d.rotations.insert(r.id, (detail.rotation, detail.overrides.into_iter().map(|o| o.value).collect()));
    }
    let start = t0() + Duration::hours(3);
    for plan in ["main", "night"] {
        let steps = d.simulate(plan, start).steps(&d, start);
        seen.push(format!(
            "{plan} timeline {:?}",
            steps.iter().map(|s| (s.minute, &s.who, &s.what)).collect::<Vec<_>>()
        ));
    }
    seen
}

/// The person page's operations: a person, two channels (a code sent again, a wrong code, the
/// right ones), a preset plan, a stale save, a channel and the person deleted.
async fn people_editing(mode: Mode) -> Vec<String> {
    use app::domain::personal_plan::{Preset, rows_of, stages_of};
    use app::domain::usage::users_of_channel;
    let w = world(mode).await;
    let me = manager();
    let b = &w.backend;
    let mut seen = Vec::new();
    b.create_contact(&me, person("ito", vec![])).await.unwrap();
    let mut ids = Vec::new();
    for (kind, address) in [(ChannelType::Email, "ito@example.co.jp"), (ChannelType::Voice, "+819011112222")] {
        let ch = ContactChannel {
            id: String::new(),
            contact_id: "ito".into(),
            name: format!("{kind:?}"),
            kind,
            address: address.into(),
            activated: false,
        };
        ids.push(b.add_channel(&me, ch).await.unwrap().id);
    }
    let first = w.api.activation_code(&ids[0]).await;
    b.send_activation_code(&me, &ids[0]).await.unwrap();
    let second = w.api.activation_code(&ids[0]).await;
    seen.push(format!("new code differs {}", first != second));
    let wrong = if second == "000000" { "111111" } else { "000000" };
    let err = b.activate_channel(&me, &ids[0], wrong).await.unwrap_err();
    seen.push(format!("wrong code {err:?}"));
    for id in &ids {
        let code = w.api.activation_code(id).await;
        b.activate_channel(&me, id, &code).await.unwrap();
    }
    let view = |w: &World| {
        let b = w.backend.clone();
        async move {
            let mut v = b.contacts().await.unwrap().into_iter().find(|v| v.contact.alias == "ito").unwrap();
            v.channels.sort_by(|a, b| a.name.cmp(&b.name));
            v
        }
    };
    let ito = view(&w).await;
    let name_of = |id: &str, ito: &app::model::oncall::ContactView| {
        ito.channels.iter().find(|c| c.id == id).map(|c| c.name.clone()).unwrap_or_default()
    };
    seen.push(format!("channels {:?}", ito.channels.iter().map(|c| (&c.name, c.activated)).collect::<Vec<_>>()));
    let mut contact = ito.contact.clone();
    contact.plan.stages = stages_of(&Preset::EmailThenCall10.rows(&ito.channels)).unwrap();
    b.update_contact(&me, contact.clone(), &ito.contact.fingerprint()).await.unwrap();
    let after = view(&w).await;
    let rows = rows_of(&after.contact.plan.stages, &after.channels);
    seen.push(format!(
        "plan {:?}",
        rows.iter().map(|r| (name_of(&r.channel_id, &after), r.start.clone(), r.retry.clone())).collect::<Vec<_>>()
    ));
    let err = b.update_contact(&me, contact, &ito.contact.fingerprint()).await.unwrap_err();
    seen.push(format!("stale {err:?}"));
    seen.push(format!("voice used by {:?}", users_of_channel(&ids[1], &after.contact).len()));
    let mut email_only = after.contact.clone();
    let emails: Vec<ContactChannel> = after.channels.iter().filter(|c| c.kind == ChannelType::Email).cloned().collect();
    email_only.plan.stages = stages_of(&Preset::EmailThenCall10.rows(&emails)).unwrap();
    b.update_contact(&me, email_only, &after.contact.fingerprint()).await.unwrap();
    b.delete_channel(&me, &ids[1]).await.unwrap();
    let after = view(&w).await;
    seen.push(format!("left {:?}", after.channels.iter().map(|c| &c.name).collect::<Vec<_>>()));
    b.delete_contact(&me, "ito").await.unwrap();
    let left = b.contacts().await.unwrap().iter().any(|v| v.contact.alias == "ito");
    seen.push(format!("deleted {}", !left));
    seen
}

/// A drill of a plan: engaged for real and marked, acknowledged through the normal path, its
/// report; a refused plan; a schedule that runs once when due however many look.
async fn drills(mode: Mode) -> Vec<String> {
    use app::ports::Drills;
    use server::drills::{SqlDrills, run_due};
    let w = world(mode).await;
    w.team().await;
    let me = manager();
    let db = match mode {
        Mode::Local => w.api.db.clone(),
        Mode::Aws => w.api.console_db.clone(),
    };
    let drills = SqlDrills { db, backend: w.backend.clone(), clock: w.api.clock.clone() };
    let mut seen = Vec::new();
    let err = drills.start(&me, "secondary-oncall").await.unwrap_err();
    seen.push(format!("schedule refused {:?}", err.field("plan")));
    let id = drills.start(&me, "main").await.unwrap();
    w.api.run_due().await;
    w.api.clock.advance(Duration::seconds(150));
    let record = drills.get(&id).await.unwrap();
    let engagement = w.backend.engagement(&record.engagement_id).await.unwrap();
    seen.push(format!("marked {}", engagement.subject.starts_with("[DRILL / 訓練]")));
    let page = engagement.pages.iter().find(|p| p.contact == "tanaka").unwrap().id.clone();
    let code = w.api.accept_code(&page).await;
    w.backend.accept_page(&me, &page, &code).await.unwrap();
    let contacts = w.backend.contacts().await.unwrap();
    let engagement = w.backend.engagement(&record.engagement_id).await.unwrap();
    let view = app::api::drills::drill_view(record, &engagement, &contacts);
    seen.push(format!("first {:?} stages {}", view.report.first_acknowledgement, view.report.stages.len()));
    seen.push(format!(
        "people {:?}",
        view.report.people.iter().map(|p| (&p.person, p.acknowledged_after)).collect::<Vec<_>>()
    ));

    let rule = app::domain::drill::DrillRule::parse("first", "0", "10:00", "Asia/Tokyo").unwrap();
    let schedule = drills.add_schedule(&me, "main", rule).await.unwrap();
    let due = drills.schedules().await.unwrap()[0].next_at;
    seen.push(format!("not yet {:?}", run_due(&drills).await.unwrap().len()));
    w.api.clock.advance(Duration::seconds(due - w.api.engine.now().timestamp() + 1));
    let (a, b) = tokio::join!(run_due(&drills), run_due(&drills));
    seen.push(format!("due: started {}", a.unwrap().len() + b.unwrap().len()));
    let list = drills.list(10).await.unwrap();
    seen.push(format!(
        "history {} scheduled {}",
        list.len(),
        list[0].schedule_id.as_deref() == Some(schedule.as_str())
    ));
    drills.delete_schedule(&me, &schedule).await.unwrap();
    seen.push(format!("schedules left {}", drills.schedules().await.unwrap().len()));
    seen
}

#[tokio::test]
async fn drills_behave_the_same_in_both_modes() {
    let local = drills(Mode::Local).await;
    assert!(local.iter().any(|l| l == "due: started 1"), "{local:?}");
    assert_eq!(local, drills(Mode::Aws).await);
}

/// The schedule editor's operations: a schedule of one rotation, an edit, a stale save, no or
/// unknown rotations refused by field, what uses it, deleted.
async fn schedule_editing(mode: Mode) -> Vec<String> {
    use app::domain::usage::users_of_contact;
    let w = world(mode).await;
    let rotation = w.team().await;
    let me = manager();
    let b = &w.backend;
    let mut seen = Vec::new();
    let schedule = |rotations: Vec<String>, name: &str| Contact {
        alias: "night-oncall".into(),
        display_name: name.into(),
        kind: ContactType::OncallSchedule,
        plan: Plan { stages: vec![], rotation_ids: rotations },
    };
    b.create_contact(&me, schedule(vec![rotation.clone()], "Night")).await.unwrap();
    let saved = w.current("night-oncall").await;
    seen.push(format!("created {} rotations {}", saved.display_name, saved.plan.rotation_ids.len()));
    b.update_contact(&me, schedule(vec![rotation.clone()], "Nights"), &saved.fingerprint()).await.unwrap();
    let err = b.update_contact(&me, schedule(vec![rotation.clone()], "Stale"), &saved.fingerprint()).await.unwrap_err();
    seen.push(format!("stale {err:?}"));
    let now = w.current("night-oncall").await;
    for (rotations, label) in [(vec![], "none"), (vec!["no-such-rotation".to_owned()], "unknown")] {
        let err = b.update_contact(&me, schedule(rotations, "Nights"), &now.fingerprint()).await.unwrap_err();
        let AppError::Invalid(fields) = err else { panic!("{mode:?} {label}: {err:?}") };
        seen.push(format!("{label}: {:?}", fields.iter().map(|f| (&f.field, f.msg)).collect::<Vec<_>>()));
    }
    assert_eq!(w.current("night-oncall").await, now, "{mode:?}: refused edits change nothing");
    let contacts: Vec<Contact> = b.contacts().await.unwrap().into_iter().map(|v| v.contact).collect();
    seen.push(format!("used by {}", users_of_contact("night-oncall", &contacts, &[], &[]).len()));
    b.delete_contact(&me, "night-oncall").await.unwrap();
    seen.push(format!("deleted {}", !b.contacts().await.unwrap().iter().any(|v| v.contact.alias == "night-oncall")));
    seen
}

#[tokio::test]
async fn schedule_editing_behaves_the_same_in_both_modes() {
    let local = schedule_editing(Mode::Local).await;
    assert!(local.iter().any(|l| l == "stale StaleEdit"), "{local:?}");
    assert_eq!(local, schedule_editing(Mode::Aws).await);
}

/// The response-plan editor's operations: a new plan, an edit, a stale save, bad input per
/// field changing nothing; notice targets are the console's in local mode, AWS's chat channel
/// in AWS mode (refused there, by field).
async fn response_plan_editing(mode: Mode) -> Vec<String> {
    use app::domain::names::fingerprint;
    use app::domain::response_plan_form::{Pick, ResponsePlanForm};
    let w = world(mode).await;
    w.team().await;
    let me = manager();
    let b = &w.backend;
    let mut seen = Vec::new();
    let form = ResponsePlanForm {
        name: "payments".into(),
        display_name: "Payments down".into(),
        title: "Payments API failing".into(),
        impact: "2".into(),
        summary: "Checkout cannot take payments.".into(),
        dedupe_string: "payments".into(),
        slack: String::new(),
        webhooks: String::new(),
    };
    let picks = [Pick { alias: "main".into(), on: Some("on".into()) }, Pick { alias: "smith".into(), on: None }];
    b.create_response_plan(&me, form.parse(&picks).unwrap()).await.unwrap();
    let current = |w: &World| {
        let b = w.backend.clone();
        async move { b.response_plans().await.unwrap().into_iter().find(|p| p.name == "payments").unwrap() }
    };
    let saved = current(&w).await;
    seen.push(format!("created {:?}", ResponsePlanForm::of(&saved)));
    let edited = ResponsePlanForm { impact: "1".into(), title: "Payments API down".into(), ..form.clone() };
    b.update_response_plan(&me, edited.parse(&picks).unwrap(), &fingerprint(&saved)).await.unwrap();
    let err = b.update_response_plan(&me, form.parse(&picks).unwrap(), &fingerprint(&saved)).await.unwrap_err();
    seen.push(format!("stale {err:?}"));
    let now = current(&w).await;
    seen.push(format!("saved {} {}", now.template.impact, now.template.title));
    let nobody = [Pick { alias: "nobody".into(), on: Some("on".into()) }];
    for (label, plan) in [
        ("impact", {
            let mut p = edited.parse(&picks).unwrap();
            p.template.impact = 9;
            p
        }),
        ("title", ResponsePlanForm { title: " ".into(), ..edited.clone() }.parse(&picks).unwrap()),
        ("engagement", edited.parse(&nobody).unwrap()),
    ] {
        let err = b.update_response_plan(&me, plan, &fingerprint(&now)).await.unwrap_err();
        let AppError::Invalid(fields) = err else { panic!("{mode:?} {label}: {err:?}") };
        seen.push(format!("{label}: {:?}", fields.iter().map(|f| (&f.field, f.msg)).collect::<Vec<_>>()));
    }
    assert_eq!(current(&w).await, now, "{mode:?}: refused edits change nothing");
    let with_hook = ResponsePlanForm { webhooks: "https://example.com/hook".into(), ..edited }.parse(&picks).unwrap();
    let result = b.update_response_plan(&me, with_hook, &fingerprint(&now)).await;
    match mode {
        Mode::Local => assert!(result.is_ok(), "{result:?}"),
        Mode::Aws => {
            assert_eq!(result.unwrap_err().field("notification_targets"), Some(Msg::ErrAwsNotificationTargets));
        }
    }
    seen
}

#[tokio::test]
async fn response_plan_editing_behaves_the_same_in_both_modes() {
    let local = response_plan_editing(Mode::Local).await;
    assert!(local.iter().any(|l| l == "stale StaleEdit"), "{local:?}");
    assert_eq!(local, response_plan_editing(Mode::Aws).await);
}

#[tokio::test]
async fn people_editing_behaves_the_same_in_both_modes() {
    let local = people_editing(Mode::Local).await;
    assert!(local.iter().any(|l| l == "stale StaleEdit"), "{local:?}");
    assert_eq!(local, people_editing(Mode::Aws).await);
}

#[tokio::test]
async fn plan_editing_behaves_the_same_in_both_modes() {
    let local = plan_editing(Mode::Local).await;
    assert!(local.iter().any(|l| l == "stale StaleEdit"), "{local:?}");
    assert_eq!(local, plan_editing(Mode::Aws).await);
}

#[tokio::test]
async fn rotation_editing_behaves_the_same_in_both_modes() {
    let local = rotation_editing(Mode::Local).await;
    assert!(local.iter().any(|l| l.starts_with("stale: StaleVersion { current: 2 }")), "{local:?}");
    assert_eq!(local, rotation_editing(Mode::Aws).await);
}

#[tokio::test]
async fn escalation_behaves_the_same_in_both_modes() {
    assert_eq!(escalation(Mode::Local).await, escalation(Mode::Aws).await);
}

#[tokio::test]
async fn incidents_behave_the_same_in_both_modes() {
    assert_eq!(incident(Mode::Local).await, incident(Mode::Aws).await);
}

#[tokio::test]
async fn bad_input_is_refused_the_same_in_both_modes() {
    assert_eq!(bad_input(Mode::Local).await, bad_input(Mode::Aws).await);
}

/// Alerts routed through each backend: a critical alarm opens an incident from a response plan
/// (its escalation plan engaged), fires again into it, recovers and resolves it (engagements
/// stopped), then fires again into a new incident; anything else only notifies. The console's
/// own database (local: the engine's; AWS: the console's) holds the alerts and rules.
async fn routing(mode: Mode) -> Vec<String> {
    use app::domain::alert::{Alert, AlertStatus, IntegrationKind};
    use app::domain::routing::{Firing, Rule};
    use server::ingest::store::Integrations;
    use server::routing::rules::Rules;
    let w = world(mode).await;
    w.team().await;
    let me = manager();
    let form = app::domain::response_plan_form::ResponsePlanForm {
        name: "sev1".into(),
        display_name: "Severity 1".into(),
        title: "Critical alarm".into(),
        impact: "1".into(),
        summary: String::new(),
        dedupe_string: String::new(),
        slack: String::new(),
        webhooks: String::new(),
    };
    let picks = [app::domain::response_plan_form::Pick { alias: "main".into(), on: Some("on".into()) }];
    w.backend.create_response_plan(&me, form.parse(&picks).unwrap()).await.unwrap();
    let db = match mode {
        Mode::Local => w.api.db.clone(),
        Mode::Aws => w.api.console_db.clone(),
    };
    let critical = Rule {
        name: "critical".into(),
        condition: "alert.severity == 'critical'".into(),
        firing: Firing::Incident { response_plan: "sev1".into() },
        impact: None,
        notify: vec![],
        resolve_on_recovery: true,
        hold: None,
    };
    let rest = Rule { name: "rest".into(), condition: String::new(), firing: Firing::Notify, ..critical.clone() };
    Rules { db: db.clone() }.save(server::audit::Actor::System("test"), 0, vec![critical, rest], 1).await.unwrap();
    let store = Integrations { db: db.clone() };
    let door =
        store.create(server::audit::Actor::System("test"), "cw", IntegrationKind::EventBridge, &[], 1).await.unwrap();
    let router = server::routing::Router::new(db.clone(), w.backend.clone(), w.api.clock.clone(), Arc::default());
    let mut seen = Vec::new();
    let steps = [
        ("ApiErrors", "critical", AlertStatus::Firing),
        ("ApiErrors", "critical", AlertStatus::Firing),
        ("DiskLow", "low", AlertStatus::Firing),
        ("ApiErrors", "critical", AlertStatus::Resolved),
        ("ApiErrors", "critical", AlertStatus::Firing),
    ];
    for (n, (title, severity, status)) in steps.into_iter().enumerate() {
        let alert = Alert {
            fingerprint: title.into(),
            status,
            title: title.into(),
            summary: String::new(),
            severity: severity.into(),
            labels: std::collections::BTreeMap::default(),
            links: vec![],
            occurred_at: 1,
        };
        store.accept(&door.id, &format!("k{n}"), "{}", &[alert], 1).await.unwrap();
        while router.route_next().await.unwrap() {}
        let (outcome, rule): (Option<String>, Option<String>) =
            sqlx::query_as("SELECT outcome, rule FROM alerts ORDER BY seq DESC LIMIT 1")
                .fetch_one(&db.pool)
                .await
                .unwrap();
        seen.push(format!("{title} {status}: {} by {}", outcome.unwrap_or_default(), rule.unwrap_or_default()));
    }
    let mut incidents = Vec::new();
    for i in w.backend.incidents(None, 10).await.unwrap() {
        let detail = w.backend.incident(&i.id).await.unwrap();
        let running = detail.engagements.iter().filter(|e| e.stopped_at.is_none()).count();
        let (engaged, summary, source) = (detail.engagements.len(), &detail.record.summary, &detail.record.source);
        incidents.push(format!(
            "{} {} engagements {engaged} running {running} summary {summary:?} from {source}",
            i.title, i.status
        ));
    }
    incidents.sort();
    seen.extend(incidents);
    seen
}

#[tokio::test]
async fn routing_behaves_the_same_in_both_modes() {
    let local = routing(Mode::Local).await;
    assert!(local.iter().any(|l| l == "ApiErrors firing: fired again by critical"), "{local:?}");
    let says = r#"summary "ApiErrors\nseverity=critical""#;
    let says = format!("{says} from eventbridge (cw)");
    assert!(local.iter().any(|l| l.starts_with("ApiErrors") && l.ends_with(&says)), "the alert's words: {local:?}");
    assert_eq!(local, routing(Mode::Aws).await);
}
