//! Alerts in: integrations (with the secret shown once and how to wire each kind), the alerts
//! with what routing did, one alert with its trace and raw event, and the routing rules with a
//! dry run of a pasted event and a replay of stored alerts. Plain HTML forms, no island: the
//! conditions are CEL, judged on the server only.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

use crate::api::alerts::{
    CreateIntegration, CreateMaintenance, DryRunRules, EndMaintenance, ReorderRules, ReplayRules, RestoreRules,
    RotateIntegrationSecret, SaveRules, alerts_list, load_alert, load_integrations, load_maintenance, load_rules,
    routing_status,
};
use crate::auth::Role;
use crate::domain::alert::{AlertStatus, IntegrationKind, wiring};
use crate::domain::condition::Op;
use crate::domain::routing::{RuleForm, Step, TestForm, moved, never_matching, ordered_forms};
use crate::domain::web_link::web_link;
use crate::error::AppError;
use crate::forms::{FormErrors, Outcome, PostForm, outcome};
use crate::i18n::{Locale, Msg};
use crate::model::alerts::{
    ALERTS_PATH, ALERTS_SHOWN, AlertDetail, AlertRow, DryRunAlert, INTEGRATIONS_PATH,
    IntegrationsPage as IntegrationsData, IssuedSecret, MAINTENANCE_PATH, MaintenancePage as MaintenanceData,
    MaintenanceWindow, RULES_PATH, Replay, RoutingStatus, RulesPage as RulesData, TraceStep, alert_path,
};
use crate::pages::common::{encode_path_segment, loaded, loaded_list, page_user, query_param};
use crate::zone::{When, viewer_zone};

fn manager() -> bool {
    page_user().is_some_and(|u| u.role >= Role::Manager)
}

/// Links between the routing pages.
#[component]
pub fn RoutingNav() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    view! {
        <p class="inline" data-testid="routing-nav">
            <a href="/routing">{t(Msg::ResponsePlans)}</a> " · "
            <a href=RULES_PATH data-testid="rules-link">{t(Msg::RoutingRules)}</a> " · "
            <a href=ALERTS_PATH data-testid="alerts-link">{t(Msg::Alerts)}</a> " · "
            <a href=INTEGRATIONS_PATH data-testid="integrations-link">{t(Msg::Integrations)}</a> " · "
            <a href=MAINTENANCE_PATH data-testid="maintenance-link">{t(Msg::MaintenanceWindows)}</a>
        </p>
    }
}

/// What routing recorded (stored in English words), in the reader's language.
fn outcome_text(outcome: &str, locale: Locale) -> String {
    let known = [
        ("incident opened", Msg::OutcomeOpened),
        ("fired again", Msg::OutcomeFiredAgain),
        ("merged into an open incident", Msg::OutcomeMerged),
        ("recovery notified", Msg::OutcomeRecoveryNotified),
        ("notified in the storm notice", Msg::OutcomeNotifiedInStorm),
        ("recovery notified in the storm notice", Msg::OutcomeRecoveryInStorm),
        ("incident resolved", Msg::OutcomeResolved),
        ("notified", Msg::OutcomeNotified),
        ("engaged", Msg::OutcomeEngaged),
        ("suppressed", Msg::OutcomeSuppressed),
        ("held until its hours", Msg::OutcomeHeld),
        ("recovered while held: nothing was sent", Msg::OutcomeRecoveredWhileHeld),
        ("suppressed by a maintenance window", Msg::OutcomeMaintenance),
        ("no rule matched", Msg::OutcomeNoRule),
        ("matched", Msg::TraceMatched),
        ("no match", Msg::TraceNoMatch),
    ];
    if let Some((_, m)) = known.iter().find(|(k, _)| *k == outcome) {
        return m.text(locale).to_owned();
    }
    match outcome.split_once(": ") {
        Some(("failed", why)) => format!("{}: {why}", Msg::OutcomeFailed.text(locale)),
        Some(("error", why)) => format!("{}: {why}", Msg::TraceError.text(locale)),
        _ => outcome.to_owned(),
    }
}

fn status_label(status: AlertStatus, locale: Locale) -> &'static str {
    match status {
        AlertStatus::Firing => Msg::AlertFiring.text(locale),
        AlertStatus::Resolved => Msg::AlertResolved.text(locale),
    }
}

/// The secret of an integration just made or rotated, once, with how to wire it.
#[component]
fn Issued(issued: IssuedSecret, kind: Option<IntegrationKind>) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let help = kind.map(|k| wiring(k, &issued.url, &issued.secret));
    view! {
        <div class="ok secret" data-testid="issued-secret">
            <p><strong>{issued.name.clone()}</strong> " — " {t(Msg::ApiKeyShownOnce)}</p>
            <dl>
                <dt>"URL"</dt><dd><code data-testid="issued-url">{issued.url.clone()}</code></dd>
                <dt>{t(Msg::Secret)}</dt><dd><code data-testid="issued-value">{issued.secret.clone()}</code></dd>
            </dl>
            {help.map(|h| view! { <h3>{t(Msg::HowToWire)}</h3> <pre class="wiring" data-testid="wiring">{h}</pre> })}
        </div>
    }
}

#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let data = Resource::new(|| (), |()| load_integrations());
    let created = outcome::<IssuedSecret>(CreateIntegration::PATH);
    let rotated = outcome::<IssuedSecret>(RotateIntegrationSecret::PATH);
    let errors = FormErrors::of(CreateIntegration::PATH, locale);
    let typed_kind = created.as_ref().and_then(|o| o.value("kind"));
    let issued = created.as_ref().or(rotated.as_ref()).and_then(|o| o.result.as_ref().ok().cloned());
    let manager = manager();
    view! {
        <section class="card" data-testid="integrations">
            <h1>{t(Msg::Integrations)}</h1>
            <RoutingNav />
            <p class="meta">{t(Msg::IntegrationsHelp)}</p>
            {loaded(data, move |page: IntegrationsData| {
                let kind_of = |name: &str| page.integrations.iter().find(|i| i.name == name).map(|i| i.kind);
                let issued = issued.clone().map(|i| {
                    let kind = kind_of(&i.name);
                    view! { <Issued issued=i kind /> }
                });
                view! {
                    {issued}
                    <IntegrationTable page=page.clone() manager />
                    <Quarantine page />
                }
            })}
            {manager.then(|| view! { <NewIntegration errors typed_kind /> })}
        </section>
    }
}

#[component]
fn IntegrationTable(page: IntegrationsData, manager: bool) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let zone = viewer_zone(locale);
    if page.integrations.is_empty() {
        return view! { <p class="empty">{t(Msg::NoIntegrations)}</p> }.into_any();
    }
    let rows = page
        .integrations
        .into_iter()
        .map(|i| {
            let url = format!("{}/ingest/{}", page.base_url, i.id);
            let last = i.last_event_at.map_or_else(|| "—".into_any(), |at| view! { <When at zone=zone.clone() /> }.into_any());
            let rotate = manager.then(|| {
                view! {
                    <PostForm action=RotateIntegrationSecret::PATH class="inline">
                        <input type="hidden" name="id" value=i.id.clone() />
                        <button type="submit" data-testid="rotate-secret">{t(Msg::RotateSecret)}</button>
                    </PostForm>
                }
            });
            view! {
                <tr data-testid="integration" data-name=i.name.clone()>
                    <td data-label=t(Msg::Name)>{i.name.clone()} " " <span class="meta">{i.kind.as_str()}</span>
                        {(!i.topics.is_empty()).then(|| view! { <br /><span class="meta">{i.topics.join(", ")}</span> })}
                    </td>
                    <td data-label="URL"><code class="wrap">{url}</code></td>
                    <td data-label=t(Msg::Events) data-testid="integration-events">{i.events}</td>
                    <td data-label=t(Msg::LastEvent)>{last}</td>
                    <td data-label=t(Msg::Quarantined)>{i.quarantined}</td>
                    <td>{rotate}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="rows">
            <thead><tr><th>{t(Msg::Name)}</th><th>"URL"</th><th>{t(Msg::Events)}</th><th>{t(Msg::LastEvent)}</th><th>{t(Msg::Quarantined)}</th><th></th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

#[component]
fn Quarantine(page: IntegrationsData) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let zone = viewer_zone(locale);
    (!page.quarantine.is_empty()).then(|| {
        let rows = page
            .quarantine
            .into_iter()
            .map(|q| {
                view! {
                    <li data-testid="quarantined">
                        <When at=q.received_at zone=zone.clone() /> " · " {q.integration} ": " <strong>{q.reason}</strong>
                        <pre class="payload">{q.body}</pre>
                    </li>
                }
            })
            .collect_view();
        view! { <h2>{t(Msg::Quarantine)}</h2> <p class="meta">{t(Msg::QuarantineHelp)}</p> <ul class="plain">{rows}</ul> }
    })
}

#[component]
fn NewIntegration(errors: FormErrors, typed_kind: Option<String>) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let chosen = typed_kind.unwrap_or_else(|| "eventbridge".to_owned());
    let kinds = IntegrationKind::ALL
        .iter()
        .map(|k| view! { <option value=k.as_str() selected=k.as_str() == chosen>{k.as_str()}</option> })
        .collect_view();
    view! {
        <h2>{t(Msg::NewIntegration)}</h2>
        {errors.summary("integration-error")}
        <PostForm action=CreateIntegration::PATH class="editor-form" testid="new-integration">
            <label>{t(Msg::Name)} <input name="name" data-testid="integration-name" /> {errors.field("name")}</label>
            <label>{t(Msg::Kind)} <select name="kind" data-testid="integration-kind">{kinds}</select></label>
            <label>{t(Msg::SnsTopics)} <textarea name="topics" data-testid="integration-topics"></textarea> {errors.field("topic")}</label>
            <button type="submit" class="primary" data-testid="create-integration">{t(Msg::Create)}</button>
        </PostForm>
    }
}

#[component]
pub fn AlertsPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let status = query_param("status").unwrap_or_default();
    let outcome_filter = query_param("outcome").unwrap_or_default();
    let (s, o) = (status.clone(), outcome_filter.clone());
    let list = Resource::new(move || (s.clone(), o.clone()), |(s, o)| alerts_list(s, o));
    let health = Resource::new(|| (), |()| routing_status());
    let option = move |value: &'static str, label: &'static str| {
        view! { <option value=value selected=status == value>{label}</option> }
    };
    view! {
        <section class="card" data-testid="alerts">
            <h1>{t(Msg::Alerts)}</h1>
            <RoutingNav />
            {loaded(health, |status| view! { <RoutingHealth status /> })}
            <form method="get" class="filters" data-testid="alert-filters">
                <label>{t(Msg::Status)}
                    <select name="status" data-testid="alert-status-filter">
                        {option("", t(Msg::FilterAll))} {option("firing", t(Msg::AlertFiring))} {option("resolved", t(Msg::AlertResolved))}
                    </select>
                </label>
                <label>{t(Msg::Outcome)} <input name="outcome" value=outcome_filter data-testid="alert-outcome-filter" /></label>
                <button type="submit">{t(Msg::Search)}</button>
            </form>
            {loaded_list(list, Msg::NoAlerts, move |rows: Vec<AlertRow>| {
                // The list stops at the newest ALERTS_SHOWN: say so, rather than let older ones vanish.
                let limited = rows.len() >= usize::try_from(ALERTS_SHOWN).unwrap_or(usize::MAX);
                let note = limited.then(|| {
                    view! { <p class="meta" data-testid="alerts-limited">{t(Msg::AlertsLimited).replace("{n}", &ALERTS_SHOWN.to_string())}</p> }
                });
                view! { {note} <AlertTable rows /> }.into_any()
            })}
        </section>
    }
}

/// Routing lag behind which the Alerts page shows routing's state as a problem.
const ROUTING_BEHIND_SECS: i64 = 60;

/// How routing keeps up, and the storms whose notices are being folded.
#[component]
fn RoutingHealth(status: RoutingStatus) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let zone = viewer_zone(locale);
    let routed = status.routed_last_minute.to_string();
    let (line, class) = if status.waiting == 0 {
        (t(Msg::RoutingKeepsUp).replace("{n}", &routed), "meta")
    } else {
        let line = t(Msg::RoutingWaiting)
            .replace("{n}", &status.waiting.to_string())
            .replace("{s}", &status.lag_secs.to_string())
            .replace("{m}", &routed);
        (line, if status.lag_secs >= ROUTING_BEHIND_SECS { "error" } else { "meta" })
    };
    let storms = status
        .storms
        .into_iter()
        .map(|s| {
            let said = t(Msg::StormFolding).replace("{name}", &s.integration).replace("{n}", &s.notices.to_string());
            view! { <li data-testid="storm" class="warning">{said} " " <When at=s.started_at zone=zone.clone() /></li> }
        })
        .collect_view();
    view! {
        <p data-testid="routing-health" class=class>{line}</p>
        <ul class="plain" data-testid="storms">{storms}</ul>
    }
}

#[component]
fn AlertTable(rows: Vec<AlertRow>) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let zone = viewer_zone(locale);
    let rows = rows
        .into_iter()
        .map(|a| {
            let incident = a.incident_id.clone().map(|id| {
                view! { <a href=crate::paths::incident_path(&id) data-testid="alert-incident">{t(Msg::NavIncidents)}</a> }
            });
            view! {
                <tr data-testid="alert-row" data-status=a.status.as_str()>
                    <td data-label=t(Msg::Title)><a href=alert_path(&a.id)>{a.title.clone()}</a> " " <span class="meta">{a.severity.clone()}</span></td>
                    <td data-label=t(Msg::Status)>{status_label(a.status, locale)}</td>
                    <td data-label=t(Msg::Source)>{a.integration.clone()}</td>
                    <td data-label=t(Msg::Rule)>{a.rule.clone().unwrap_or_default()}</td>
                    <td data-label=t(Msg::Outcome) data-testid="alert-outcome">{a.outcome.as_deref().map_or_else(|| t(Msg::Waiting).to_owned(), |o| outcome_text(o, locale))} " " {incident}</td>
                    <td data-label=t(Msg::Received)><When at=a.received_at zone=zone.clone() /></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="rows">
            <thead><tr><th>{t(Msg::Title)}</th><th>{t(Msg::Status)}</th><th>{t(Msg::Source)}</th><th>{t(Msg::Rule)}</th><th>{t(Msg::Outcome)}</th><th>{t(Msg::Received)}</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// Every rule tried, with its answer.
#[component]
fn Trace(steps: Vec<TraceStep>) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let rows = steps
        .into_iter()
        .map(|s| {
            let class = if s.result == "matched" { "ok" } else if s.result.starts_with("error") { "error" } else { "meta" };
            // An error says what it was in the reader's language; the evaluator's own words
            // stay for alerts routed before problems were recorded.
            let said = match &s.problem {
                Some(problem) => format!("{}: {}", Msg::TraceError.text(locale), problem.text(locale)),
                None => outcome_text(&s.result, locale),
            };
            // The attribute names the kind of answer (for tests and styles), not the words.
            let kind = if s.result.starts_with("error") { "error" } else { s.result.as_str() };
            view! { <li data-testid="trace-step" data-result=kind.to_owned()><strong>{s.rule.clone()}</strong> ": " <span class=class>{said}</span></li> }
        })
        .collect_view();
    view! { <ol class="trace" data-testid="trace">{rows}</ol> }
}

#[component]
pub fn AlertPage() -> impl IntoView {
    let id = use_params_map().read_untracked().get("id").unwrap_or_default();
    let data = Resource::new(move || id.clone(), load_alert);
    view! { {loaded(data, |a| view! { <AlertCard a /> })} }
}

#[component]
fn AlertCard(a: AlertDetail) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let zone = viewer_zone(locale);
    let pretty = serde_json::from_str::<serde_json::Value>(&a.payload)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| a.payload.clone());
    let labels =
        a.labels.iter().map(|(k, v)| view! { <li><code>{k.clone()}</code> " = " {v.clone()}</li> }).collect_view();
    // Only http(s) addresses become links: an alert's fields are whatever its sender wrote.
    let links = a
        .links
        .iter()
        .map(|l| match web_link(l) {
            Some(href) => {
                view! { <li><a href=href.to_owned() rel="noopener noreferrer">{l.clone()}</a></li> }.into_any()
            }
            None => view! { <li data-testid="alert-link-text">{l.clone()}</li> }.into_any(),
        })
        .collect_view();
    let incident = a.row.incident_id.clone().map(|id| {
        view! { <a href=crate::paths::incident_path(&id) data-testid="alert-incident">{t(Msg::NavIncidents)}</a> }
    });
    view! {
        <section class="card" data-testid="alert">
            <h1 data-testid="alert-title">{a.row.title.clone()}</h1>
            <RoutingNav />
            <dl>
                <dt>{t(Msg::Status)}</dt><dd>{status_label(a.row.status, locale)} " " <span class="meta">{a.row.severity.clone()}</span></dd>
                <dt>{t(Msg::Source)}</dt><dd>{a.row.integration.clone()} " · " <code>{a.fingerprint.clone()}</code></dd>
                <dt>{t(Msg::Received)}</dt><dd><When at=a.row.received_at zone=zone /></dd>
                <dt>{t(Msg::Summary)}</dt><dd>{a.summary.clone()}</dd>
                <dt>{t(Msg::Outcome)}</dt><dd data-testid="alert-outcome">{a.row.rule.clone().unwrap_or_default()} " — " {a.row.outcome.as_deref().map_or_else(|| t(Msg::Waiting).to_owned(), |o| outcome_text(o, locale))} " " {incident}</dd>
            </dl>
            <h2>{t(Msg::Labels)}</h2><ul class="plain">{labels}</ul>
            {(!a.links.is_empty()).then(|| view! { <ul class="plain">{links}</ul> })}
            <h2>{t(Msg::RoutingTrace)}</h2>
            <Trace steps=a.trace.clone() />
            <h2>{t(Msg::RawEvent)}</h2>
            <pre class="payload" data-testid="raw-event">{pretty}</pre>
        </section>
    }
}

/// The rules page: the editor (managers), its dry run and replay, and the history.
#[component]
pub fn RulesPage() -> impl IntoView {
    let data = Resource::new(|| (), |()| load_rules());
    view! { {loaded(data, |data| view! { <RulesEditor data /> })} }
}

/// The rows as last posted (a refused save, a dry run, a replay), if this page follows one.
fn typed_rows(o: &Outcome<impl Sized>, zone: &str) -> Vec<RuleForm> {
    let mut rows: Vec<RuleForm> = Vec::new();
    for (k, v) in &o.fields {
        let Some(rest) = k.strip_prefix("rules[") else { continue };
        let Some((i, field)) = rest.split_once("][") else { continue };
        let (Ok(i), field) = (i.parse::<usize>(), field.trim_end_matches(']')) else { continue };
        if i >= 200 {
            continue;
        }
        if rows.len() <= i {
            rows.resize(i + 1, RuleForm::default());
        }
        let row = &mut rows[i];
        if let Some(test) = field.strip_prefix("tests][") {
            let Some((j, part)) = test.split_once("][") else { continue };
            let Ok(j) = j.parse::<usize>() else { continue };
            if j >= 50 {
                continue;
            }
            if row.tests.len() <= j {
                row.tests.resize(j + 1, TestForm::default());
            }
            let t = &mut row.tests[j];
            match part {
                "field" => t.field.clone_from(v),
                "op" => t.op.clone_from(v),
                "value" => t.value.clone_from(v),
                "not" => t.not = Some(v.clone()),
                _ => {}
            }
            continue;
        }
        match field {
            "position" => row.position.clone_from(v),
            "name" => row.name.clone_from(v),
            "condition" => row.condition.clone_from(v),
            "firing" => row.firing.clone_from(v),
            "target" => row.target.clone_from(v),
            "impact" => row.impact.clone_from(v),
            "notify" => row.notify.clone_from(v),
            "resolve" => row.resolve = Some(v.clone()),
            "remove" => row.remove = Some(v.clone()),
            "hold" => row.hold.clone_from(v),
            "match_any" => row.match_any.clone_from(v),
            "window" => row.window.clone_from(v),
            "window_days" => row.window_days.clone_from(v),
            "window_from" => row.window_from.clone_from(v),
            "window_to" => row.window_to.clone_from(v),
            "window_zone" => row.window_zone.clone_from(v),
            "cel_shown" => row.cel_shown.clone_from(v),
            "new" => row.new = Some(v.clone()),
            "pinned" => row.pinned = Some(v.clone()),
            _ => {}
        }
    }
    // Each row shows the condition it would save, in the builder and as CEL; a row whose
    // builder has problems stays as typed, with them. A move button's row goes one place.
    let ordered = match o.value("step").as_deref().and_then(Step::parse) {
        Some((row, step)) => moved(&rows, row, step),
        None => ordered_forms(&rows),
    };
    ordered
        .into_iter()
        .enumerate()
        .map(|(i, row)| match row.condition_cel(i) {
            Ok(cel) => row.showing(&cel, zone),
            Err(_) => row,
        })
        .collect()
}

#[component]
fn RulesEditor(data: RulesData) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let manager = manager();
    let zone = viewer_zone(locale);
    let saved = outcome::<u32>(SaveRules::PATH);
    let dry = outcome::<Vec<DryRunAlert>>(DryRunRules::PATH);
    let replay = outcome::<Replay>(ReplayRules::PATH);
    let restored = outcome::<u32>(RestoreRules::PATH);
    let reordered = outcome::<()>(ReorderRules::PATH);
    let error = [
        saved.as_ref().and_then(|o| o.result.as_ref().err().cloned()),
        dry.as_ref().and_then(|o| o.result.as_ref().err().cloned()),
        replay.as_ref().and_then(|o| o.result.as_ref().err().cloned()),
        restored.as_ref().and_then(|o| o.result.as_ref().err().cloned()),
        reordered.as_ref().and_then(|o| o.result.as_ref().err().cloned()),
    ]
    .into_iter()
    .flatten()
    .next();
    // After a refused save, a dry run or a replay: the rows as typed, on the version they began from.
    let typed = saved
        .as_ref()
        .filter(|o| o.result.is_err())
        .map(|o| (typed_rows(o, &zone), o.value("base"), o.value("event"), o.value("integration")))
        .or_else(|| {
            dry.as_ref().map(|o| (typed_rows(o, &zone), o.value("base"), o.value("event"), o.value("integration")))
        })
        .or_else(|| replay.as_ref().map(|o| (typed_rows(o, &zone), o.value("base"), None, None)))
        .or_else(|| {
            reordered
                .as_ref()
                .map(|o| (typed_rows(o, &zone), o.value("base"), o.value("event"), o.value("integration")))
        });
    let (rows, base, event, integration) = match typed {
        Some((rows, base, event, integration)) => {
            (rows, base.and_then(|b| b.parse().ok()).unwrap_or(data.current.version), event, integration)
        }
        None => (
            data.current
                .rules
                .iter()
                .enumerate()
                .map(|(i, r)| RuleForm::of(r, i).showing(&r.condition, &zone))
                .collect(),
            data.current.version,
            None,
            None,
        ),
    };
    let stale = matches!(error, Some(AppError::StaleVersion { .. }));
    let field_errors = match &error {
        Some(AppError::Invalid(fields)) => fields.clone(),
        _ => Vec::new(),
    };
    let summary = error.as_ref().filter(|_| !stale).map(|e| {
        let text = match e {
            AppError::Invalid(_) => Msg::ErrInvalid.text(locale).to_owned(),
            other => other.message(locale),
        };
        view! { <p class="error" role="alert" data-testid="rules-error">{text}</p> }
    });
    let saved_note = saved
        .as_ref()
        .and_then(|o| o.result.as_ref().ok())
        .or(restored.as_ref().and_then(|o| o.result.as_ref().ok()))
        .map(|v| {
            view! { <p class="ok" role="status" data-testid="rules-saved">{t(Msg::SavedVersion)} " " {*v}</p> }
        });
    // The moved rule's place now (movable rules come before the new row, so a row's number is
    // its rule's); its move button led the browser there.
    let moved_to = reordered
        .as_ref()
        .filter(|o| o.result.is_ok())
        .and_then(|o| o.value("step"))
        .and_then(|s| Step::parse(&s))
        .map(|(d, step)| if step == Step::Up { d.saturating_sub(1) } else { d + 1 });
    let reordered_note = reordered.as_ref().filter(|o| o.result.is_ok()).map(|_| {
        view! { <p class="warning" role="status" data-testid="rules-reordered">{t(Msg::RulesReordered)}</p> }
    });
    let conflict = stale.then(|| {
        let theirs: Vec<String> = data.current.rules.iter().map(|r| format!("{}: {}", r.name, r.condition)).collect();
        let yours: Vec<String> = rows.iter().map(|r| format!("{}: {}", r.name, r.condition)).collect();
        view! {
            <div class="conflict" data-testid="conflict">
                <p class="error">{AppError::StaleVersion { current: data.current.version }.message(locale)}</p>
                <div class="two">
                    <div data-testid="conflict-theirs"><h3>{t(Msg::TheirVersion)} " (v" {data.current.version} ")"</h3><ul>{theirs.into_iter().map(|l| view! { <li><code>{l}</code></li> }).collect_view()}</ul></div>
                    <div data-testid="conflict-yours"><h3>{t(Msg::YourVersion)}</h3><ul>{yours.into_iter().map(|l| view! { <li><code>{l}</code></li> }).collect_view()}</ul></div>
                </div>
                <a class="button" href=RULES_PATH data-testid="reload-latest">{t(Msg::ReloadLatest)}</a>
            </div>
        }
    });
    let dry_result = dry.and_then(|o| o.result.ok()).map(|alerts| view! { <DryRunResult alerts /> });
    let replay_result = replay.and_then(|o| o.result.ok()).map(|r| view! { <ReplayResult r /> });
    let editor = if manager {
        view! {
            <RuleRows rows base field_errors data=data.clone() event integration zone moved_to />
        }
        .into_any()
    } else {
        let list = data.current.rules.iter().map(|r| view! { <li data-testid="rule"><strong>{r.name.clone()}</strong> " " <code>{if r.condition.is_empty() { "*".to_owned() } else { r.condition.clone() }}</code></li> }).collect_view();
        view! { <p class="meta" data-testid="view-only">{t(Msg::ViewOnly)}</p> <ol>{list}</ol> }.into_any()
    };
    view! {
        <section class="card editor" data-testid="rules">
            <h1>{t(Msg::RoutingRules)}</h1>
            <RoutingNav />
            <p class="meta">{t(Msg::RulesHelp)}</p>
            <p class="meta">{t(Msg::Version)} " " <span data-testid="rules-version">{data.current.version}</span></p>
            {saved_note}
            {reordered_note}
            {summary}
            {conflict}
            {dry_result}
            {replay_result}
            {editor}
            <History data />
        </section>
    }
}

#[component]
fn RuleRows(
    rows: Vec<RuleForm>,
    base: u32,
    field_errors: Vec<crate::error::FieldError>,
    data: RulesData,
    event: Option<String>,
    integration: Option<String>,
    zone: String,
    /// The rule just moved with its button: it says the order is unsaved, with a Save at hand.
    moved_to: Option<usize>,
) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let builder_errors = field_errors.clone();
    let error = move |i: usize, field: &str| {
        let key = format!("rules.{i}.{field}");
        field_errors
            .iter()
            .filter(|e| e.field == key || e.field.starts_with(&format!("{key}.")))
            .map(
                |e| view! { <span class="field-error" data-field=e.field.clone() role="alert">{e.text(locale)}</span> },
            )
            .collect_view()
    };
    let count = rows.len();
    // Rules that an earlier one always pre-empts, said where the rule is.
    let pre_empted = never_matching(&rows.iter().map(|r| r.condition.clone()).collect::<Vec<_>>());
    let names: Vec<String> = rows.iter().map(|r| r.name.clone()).collect();
    // The catch-all stays last, without a position to change; a new rule goes above it.
    let catch_all = rows.last().is_some_and(RuleForm::stays_last);
    let blank_at = if catch_all { count - 1 } else { count };
    let blank = RuleForm {
        position: (blank_at + 1).to_string(),
        firing: "incident".into(),
        new: Some("1".into()),
        ..RuleForm::default()
    };
    let mut all = rows;
    all.insert(blank_at, blank.showing("", &zone));
    let rows = all
        .into_iter()
        .enumerate()
        .map(|(d, r)| {
            let name = |f: &str| format!("rules[{d}][{f}]");
            let firing = r.firing.clone();
            let option = move |value: &'static str, label: Msg| view! { <option value=value selected=firing == value>{t(label)}</option> };
            let new_row = d == blank_at;
            // Errors and warnings are about rules, which the new row is not yet.
            let i = if d > blank_at { d - 1 } else { d };
            let pinned = catch_all && i == count - 1 && !new_row;
            let warning = (!new_row).then(|| pre_empted.get(i).copied().flatten()).flatten().map(|j| {
                let text = t(Msg::NeverMatches).replace("{rule}", names.get(j).map_or("", String::as_str));
                view! { <p class="warning" role="status" data-testid="rule-never-matches">{text}</p> }
            });
            // Up and down post the form as typed and come back with the new order, unsaved.
            let last_movable = count - usize::from(catch_all);
            let moves = (!new_row && !pinned).then(|| {
                // The page comes back at the rule's new place (a fragment the redirect keeps).
                let button = move |way: &'static str, label: Msg, arrow: &'static str, off: bool, to: usize| {
                    view! {
                        <button type="submit" class="move" name="step" value=format!("{d}:{way}") formaction=format!("{}#rule-{to}", ReorderRules::PATH)
                            title=t(label) aria-label=t(label) disabled=off data-testid=format!("rule-{way}")>{arrow}</button>
                    }
                };
                view! {
                    {button("up", Msg::MoveUp, "↑", i == 0, i.saturating_sub(1))}
                    {button("down", Msg::MoveDown, "↓", i + 1 >= last_movable, i + 1)}
                }
            });
            let moved_note = (!new_row && moved_to == Some(i)).then(|| {
                view! {
                    <p class="warning" role="status" data-testid="rule-moved">
                        {t(Msg::RulesReordered)} " " <button type="submit" class="primary" data-testid="rule-moved-save">{t(Msg::Save)}</button>
                    </p>
                }
            });
            let position = if pinned {
                view! {
                    <input type="hidden" name=name("position") value="" />
                    <input type="hidden" name=name("pinned") value="1" />
                    <span class="meta" data-testid="rule-pinned">{t(Msg::CatchAllPinned)}</span>
                }
                .into_any()
            } else {
                view! { <label>{t(Msg::Position)} <input name=name("position") value=r.position.clone() size="3" inputmode="numeric" data-testid="rule-position" /></label> }.into_any()
            };
            view! {
                <fieldset class="rule" id=(!new_row).then(|| format!("rule-{i}")) data-testid=if new_row { "rule-new" } else { "rule" }>
                    <legend>{if new_row { t(Msg::AddRule).to_owned() } else { format!("{} {}", t(Msg::Rule), i + 1) }}</legend>
                    {new_row.then(|| view! { <input type="hidden" name=name("new") value="1" /> })}
                    {moved_note}
                    {warning}
                    <div class="inline">
                        {moves}
                        {position}
                        <label>{t(Msg::Name)} <input name=name("name") value=r.name.clone() data-testid="rule-name" /></label>
                        {error(i, "name")}
                    </div>
                    <ConditionBuilder row=r.clone() i at=d errors=builder_errors.clone() />
                    <label>{t(Msg::ConditionCel)} <textarea name=name("condition") data-testid="rule-condition" rows="2" autocapitalize="off" spellcheck="false">{r.condition.clone()}</textarea></label>
                    <input type="hidden" name=name("cel_shown") value=r.cel_shown.clone() />
                    {error(i, "condition")}
                    <div class="inline">
                        <label>{t(Msg::WhenFiring)}
                            <select name=name("firing") data-testid="rule-firing">
                                {option("incident", Msg::FiringIncident)} {option("engage", Msg::FiringEngage)}
                                {option("notify", Msg::FiringNotify)} {option("suppress", Msg::FiringSuppress)}
                            </select>
                        </label>
                        <label>{t(Msg::PlanOrContact)} <input name=name("target") value=r.target.clone() list="rule-targets" data-testid="rule-target" autocapitalize="off" /></label>
                        <label>{t(Msg::Impact)} <input name=name("impact") value=r.impact.clone() size="2" inputmode="numeric" data-testid="rule-impact" /></label>
                    </div>
                    {error(i, "firing")} {error(i, "impact")}
                    <label>{t(Msg::HoldUntil)} <input name=name("hold") value=r.hold.clone() data-testid="rule-hold" autocapitalize="off" /></label>
                    {error(i, "hold")}
                    <label>{t(Msg::NotifyTargets)} <textarea name=name("notify") data-testid="rule-notify" rows="2">{r.notify.clone()}</textarea></label>
                    {error(i, "notify")}
                    <div class="inline">
                        <label class="check"><input type="checkbox" name=name("resolve") value="on" checked=r.resolve.is_some() data-testid="rule-resolve" /> {t(Msg::ResolveOnRecovery)}</label>
                        {(!new_row && !pinned).then(|| view! { <label class="check"><input type="checkbox" name=name("remove") value="on" data-testid="rule-remove" /> {t(Msg::Remove)}</label> })}
                    </div>
                </fieldset>
            }
        })
        .collect_view();
    let targets =
        data.plans.iter().chain(&data.contacts).map(|v| view! { <option value=v.clone()></option> }).collect_view();
    let chosen = integration.unwrap_or_default();
    let integrations = data
        .integrations
        .iter()
        .map(|i| view! { <option value=i.id.clone() selected=i.id == chosen>{format!("{} ({})", i.name, i.kind)}</option> })
        .collect_view();
    view! {
        <PostForm action=SaveRules::PATH class="editor-form" testid="rules-form">
            <input type="hidden" name="base" value=base />
            // Enter in a field saves: the form's first submit button is its default, and the
            // rows' move buttons come before Save.
            <button type="submit" class="default-submit" tabindex="-1" aria-hidden="true">{t(Msg::Save)}</button>
            <datalist id="rule-targets">{targets}</datalist>
            <datalist id="condition-fields">{CONDITION_FIELDS.map(|f| view! { <option value=f></option> }).collect_view()}</datalist>
            <datalist id="condition-zones">{["Asia/Tokyo", "UTC", "Europe/London", "America/New_York"].map(|z| view! { <option value=z></option> }).collect_view()}</datalist>
            {rows}
            {error(count, "condition")}
            <button type="submit" class="primary" data-testid="rules-save">{t(Msg::Save)}</button>
            <fieldset>
                <legend>{t(Msg::DryRun)}</legend>
                <label>{t(Msg::Integration)} <select name="integration" data-testid="dry-run-integration">{integrations}</select></label>
                <label>{t(Msg::PasteEvent)} <textarea name="event" rows="6" data-testid="dry-run-event">{event.unwrap_or_default()}</textarea></label>
                <button type="submit" formaction=DryRunRules::PATH data-testid="dry-run">{t(Msg::DryRun)}</button>
            </fieldset>
            <fieldset>
                <legend>{t(Msg::Replay)}</legend>
                <label>{t(Msg::ReplayDays)} <input name="days" value="7" size="3" inputmode="numeric" data-testid="replay-days" /></label>
                <button type="submit" formaction=ReplayRules::PATH data-testid="replay">{t(Msg::Replay)}</button>
            </fieldset>
        </PostForm>
    }
}

/// The condition of rule `i` as a form: all or any of the tests (each negatable), then a time
/// window. Always an empty test row more than used (two at least), for adding one without script.
#[component]
fn ConditionBuilder(
    row: RuleForm,
    /// The rule's place, which its errors name.
    i: usize,
    /// The row's place in the form, which its fields' names carry (the new rule's row sits
    /// among the rules, so the two differ after it).
    at: usize,
    errors: Vec<crate::error::FieldError>,
) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let name = move |f: &str| format!("rules[{at}][{f}]");
    let error = move |field: &str| {
        let key = format!("rules.{i}.{field}");
        errors
            .iter()
            .filter(|e| e.field == key)
            .map(
                |e| view! { <span class="field-error" data-field=e.field.clone() role="alert">{e.text(locale)}</span> },
            )
            .collect_view()
    };
    if !row.builder_shows() {
        return view! { <p class="meta" data-testid="cel-only">{t(Msg::CelOnly)}</p> }.into_any();
    }
    let mut tests = row.tests.clone();
    tests.resize((tests.len() + 1).max(2), TestForm::default());
    let tests = tests
        .into_iter()
        .enumerate()
        .map(|(j, test)| {
            let field = move |f: &str| name(&format!("tests][{j}][{f}"));
            let ops = Op::ALL
                .into_iter()
                .map(|op| view! { <option value=op.word() selected=test.op == op.word()>{t(op.label())}</option> })
                .collect_view();
            view! {
                <div class="inline test" data-testid="condition-test">
                    <label class="check"><input type="checkbox" name=field("not") value="on" checked=test.not.is_some() data-testid="test-not" /> {t(Msg::Not)}</label>
                    <label>{t(Msg::Field)} <input name=field("field") value=test.field.clone() list="condition-fields" data-testid="test-field" autocapitalize="off" spellcheck="false" /></label>
                    <select name=field("op") aria-label=t(Msg::Condition) data-testid="test-op">{ops}</select>
                    <label>{t(Msg::Value)} <input name=field("value") value=test.value.clone() data-testid="test-value" autocapitalize="off" /></label>
                    {error(&format!("tests.{j}.field"))} {error(&format!("tests.{j}.value"))}
                </div>
            }
        })
        .collect_view();
    let any = row.match_any == "any";
    let window = row.window.clone();
    let choice = move |value: &'static str, label: Msg| view! { <option value=value selected=window == value>{t(label)}</option> };
    view! {
        <fieldset class="condition" data-testid="condition-builder">
            <legend>{t(Msg::Condition)}</legend>
            <select name=name("match_any") aria-label=t(Msg::Condition) data-testid="match-any">
                <option value="all" selected=!any>{t(Msg::MatchAll)}</option>
                <option value="any" selected=any>{t(Msg::MatchAny)}</option>
            </select>
            {tests}
            <div class="inline window">
                <label>{t(Msg::TimeWindow)}
                    <select name=name("window") data-testid="window">
                        {choice("", Msg::WindowAny)} {choice("within", Msg::WindowWithin)} {choice("outside", Msg::WindowOutside)}
                    </select>
                </label>
                <label>{t(Msg::Days)} <input name=name("window_days") value=row.window_days.clone() size="9" data-testid="window-days" /></label>
                <label>{t(Msg::Starts)} <input type="time" name=name("window_from") value=row.window_from.clone() data-testid="window-from" /></label>
                <label>{t(Msg::Ends)} <input type="time" name=name("window_to") value=row.window_to.clone() data-testid="window-to" /></label>
                <label>{t(Msg::TimeZone)} <input name=name("window_zone") value=row.window_zone.clone() size="14" list="condition-zones" data-testid="window-zone" autocapitalize="off" /></label>
            </div>
            {error("window")}
        </fieldset>
    }
    .into_any()
}

/// Fields a condition commonly tests, offered as the field box's suggestions.
const CONDITION_FIELDS: [&str; 9] = [
    "alert.severity",
    "alert.title",
    "alert.summary",
    "alert.integration",
    "alert.kind",
    "alert.labels.alertname",
    "payload.level",
    "payload.detail.state.value",
    "payload.region",
];

#[component]
fn DryRunResult(alerts: Vec<DryRunAlert>) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let items = alerts
        .into_iter()
        .map(|a| {
            let seen = seen_fields(&a);
            view! {
                <li data-testid="dry-run-alert">
                    <strong>{a.title}</strong> " (" {status_label(a.status, locale)} {(!a.severity.is_empty()).then(|| format!(", {}", a.severity))} ") → "
                    <span data-testid="dry-run-match">{a.matched.unwrap_or_else(|| "—".to_owned())}</span> ": "
                    <span data-testid="dry-run-action">{a.action.text(locale)}</span>
                    <Trace steps=a.trace />
                    <details class="seen" data-testid="dry-run-seen">
                        <summary>{t(Msg::WhatRulesSee)}</summary>
                        <ul class="plain">{seen}</ul>
                    </details>
                </li>
            }
        })
        .collect_view();
    view! { <div class="ok" data-testid="dry-run-result"><h2>{t(Msg::DryRunResult)}</h2><ul class="plain">{items}</ul></div> }
}

/// The fields a condition can name, each as it is written in a condition, with its value.
fn seen_fields(a: &DryRunAlert) -> impl IntoView + use<> {
    let fields = [
        ("alert.title", a.title.clone()),
        ("alert.summary", a.summary.clone()),
        ("alert.severity", a.severity.clone()),
        ("alert.status", a.status.as_str().to_owned()),
        ("alert.fingerprint", a.fingerprint.clone()),
    ]
    .into_iter()
    .map(|(path, value)| (path.to_owned(), value))
    .chain(a.labels.iter().map(|(k, v)| (label_path(k), v.clone())));
    fields
        .map(|(path, value)| view! { <li data-testid="dry-run-field"><code>{path}</code> {format!(" = {value}")}</li> })
        .collect_view()
}

/// How a condition names a label: `alert.labels.service`, or `alert.labels["team-name"]` when
/// the name is not an identifier.
fn label_path(name: &str) -> String {
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        format!("alert.labels.{name}")
    } else {
        format!("alert.labels[{}]", serde_json::to_string(name).unwrap_or_default())
    }
}

#[component]
fn ReplayResult(r: Replay) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let zone = viewer_zone(locale);
    let changes = r
        .changes
        .iter()
        .take(100)
        .map(|c| {
            view! {
                <li data-testid="replay-change"><When at=c.received_at zone=zone.clone() /> " " <a href=alert_path(&c.alert_id)>{c.title.clone()}</a> ": "
                    <del>{c.before_rule.clone().unwrap_or_default()} " — " {c.before_outcome.as_deref().map(|o| outcome_text(o, locale)).unwrap_or_default()}</del> " → "
                    <ins>{c.after_rule.clone().unwrap_or_default()} " — " {c.after.text(locale)}</ins></li>
            }
        })
        .collect_view();
    view! {
        <div class="ok" data-testid="replay-result">
            <h2>{t(Msg::ReplayResult)}</h2>
            <p data-testid="replay-summary">
                {format!("{} {} · {} {}", r.alerts, t(Msg::Alerts), r.changes.len(), t(Msg::Changed))} " · "
                {t(Msg::IncidentsOpened)} " " {r.incidents_before} " → " <strong data-testid="replay-incidents">{r.incidents_after}</strong> " · "
                {t(Msg::NoticesSent)} " " {r.notices_before} " → " {r.notices_after}
            </p>
            <ul class="plain">{changes}</ul>
        </div>
    }
}

#[component]
fn History(data: RulesData) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let zone = viewer_zone(locale);
    let manager = manager();
    let current = data.current.version;
    let rows = data
        .history
        .into_iter()
        .map(|v| {
            let restore = (manager && v.version != current).then(|| {
                view! {
                    <PostForm action=RestoreRules::PATH class="inline">
                        <input type="hidden" name="version" value=v.version />
                        <input type="hidden" name="base" value=current />
                        <button type="submit" data-testid="restore-rules">{t(Msg::Restore)}</button>
                    </PostForm>
                }
            });
            view! {
                <tr data-testid="rules-version-row" data-version=v.version>
                    <td>"v" {v.version}</td><td><When at=v.saved_at zone=zone.clone() /></td><td>{v.saved_by}</td><td>{v.rules}</td><td>{restore}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h2>{t(Msg::History)}</h2>
        <table class="rows"><tbody>{rows}</tbody></table>
    }
}

/// Maintenance windows: the list with what each suppressed, ending one early, and a new one.
#[component]
pub fn MaintenancePage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let data = Resource::new(|| (), |()| load_maintenance());
    let created = outcome::<String>(CreateMaintenance::PATH);
    let errors = FormErrors::of(CreateMaintenance::PATH, locale);
    let saved = created.as_ref().is_some_and(|o| o.result.is_ok());
    let typed = created.filter(|o| o.result.is_err());
    let manager = manager();
    view! {
        <section class="card" data-testid="maintenance">
            <h1>{t(Msg::MaintenanceWindows)}</h1>
            <RoutingNav />
            <p class="meta">{t(Msg::MaintenanceHelp)}</p>
            {saved.then(|| view! { <p class="ok" role="status" data-testid="maintenance-saved">{t(Msg::MaintenanceCreated)}</p> })}
            {loaded(data, move |page: MaintenanceData| {
                let form = manager.then(|| {
                    let typed = typed.clone();
                    view! { <NewMaintenanceForm errors=errors.clone() now=page.now typed /> }
                });
                view! { <MaintenanceTable page manager /> {form} }
            })}
        </section>
    }
}

fn maintenance_state(w: &MaintenanceWindow, now: i64) -> Msg {
    if w.ends_at <= now {
        Msg::MaintenanceEnded
    } else if w.starts_at <= now {
        Msg::MaintenanceActive
    } else {
        Msg::MaintenanceUpcoming
    }
}

#[component]
fn MaintenanceTable(page: MaintenanceData, manager: bool) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let zone = viewer_zone(locale);
    if page.windows.is_empty() {
        return view! { <p class="empty">{t(Msg::NoMaintenance)}</p> }.into_any();
    }
    let rows = page
        .windows
        .into_iter()
        .map(|w| {
            let state = maintenance_state(&w, page.now);
            let end = (manager && state != Msg::MaintenanceEnded).then(|| {
                view! {
                    <PostForm action=EndMaintenance::PATH class="inline">
                        <input type="hidden" name="id" value=w.id.clone() />
                        <button type="submit" data-testid="end-maintenance">{t(Msg::EndNow)}</button>
                    </PostForm>
                }
            });
            let condition = if w.condition.is_empty() { t(Msg::EveryAlert).to_owned() } else { w.condition.clone() };
            let suppressed = format!("{ALERTS_PATH}?outcome={}", encode_path_segment("maintenance"));
            view! {
                <tr data-testid="maintenance-window" data-state=state.text(Locale::En)>
                    <td data-label=t(Msg::MaintenanceNote)><strong>{w.note.clone()}</strong><br /><span class="meta">{w.created_by.clone()}</span></td>
                    <td data-label=t(Msg::Condition)><code class="wrap">{condition}</code></td>
                    <td data-label=t(Msg::Starts)><When at=w.starts_at zone=zone.clone() /></td>
                    <td data-label=t(Msg::Ends)><When at=w.ends_at zone=zone.clone() /></td>
                    <td data-label=t(Msg::Status)><span class=format!("badge {}", if state == Msg::MaintenanceActive { "warn" } else { "" })>{t(state)}</span></td>
                    <td data-label=t(Msg::Suppressed)><a href=suppressed data-testid="maintenance-suppressed">{w.suppressed}</a></td>
                    <td>{end}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="rows">
            <thead><tr>
                <th>{t(Msg::MaintenanceNote)}</th><th>{t(Msg::Condition)}</th><th>{t(Msg::Starts)}</th><th>{t(Msg::Ends)}</th>
                <th>{t(Msg::Status)}</th><th>{t(Msg::Suppressed)}</th><th></th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// A new window: from now for two hours unless typed otherwise, in the viewer's zone.
#[component]
fn NewMaintenanceForm(errors: FormErrors, now: i64, typed: Option<Outcome<String>>) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let zone = viewer_zone(locale);
    let at = |offset: i64| {
        chrono::DateTime::from_timestamp(now + offset, 0)
            .map(|t| crate::domain::timezone::local_minute(t, &zone))
            .unwrap_or_default()
    };
    let value = |field: &str, default: String| typed.as_ref().and_then(|o| o.value(field)).unwrap_or(default);
    let (note, starts, ends, condition) = (
        value("note", String::new()),
        value("starts", at(0)),
        value("ends", at(2 * 3600)),
        value("condition", String::new()),
    );
    view! {
        <h2>{t(Msg::NewMaintenance)}</h2>
        {errors.summary("maintenance-error")}
        <PostForm action=CreateMaintenance::PATH class="editor-form" testid="new-maintenance">
            <input type="hidden" name="zone" value=zone.clone() />
            <label>{t(Msg::MaintenanceNote)} <input name="note" value=note data-testid="maintenance-note" /> {errors.field("note")}</label>
            <div class="inline">
                <label>{t(Msg::Starts)} <input type="datetime-local" name="starts" value=starts data-testid="maintenance-starts" /> {errors.field("starts")}</label>
                <label>{t(Msg::Ends)} <input type="datetime-local" name="ends" value=ends data-testid="maintenance-ends" /> {errors.field("ends")}</label>
                <span class="meta">{zone.clone()}</span>
            </div>
            <label>{t(Msg::MaintenanceCondition)} <textarea name="condition" rows="2" data-testid="maintenance-condition" autocapitalize="off" spellcheck="false">{condition}</textarea> {errors.field("condition")}</label>
            <button type="submit" class="primary" data-testid="create-maintenance">{t(Msg::Create)}</button>
        </PostForm>
    }
}
