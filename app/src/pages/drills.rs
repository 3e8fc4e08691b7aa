//! Drills: run one now, schedule them, read the history and each drill's report (per stage and
//! per person: who was paged when, how long until they acknowledged, what failed). Server
//! rendered, no script: a running drill's report reloads itself every few seconds.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Meta;
use leptos_router::hooks::use_params_map;

use crate::api::drills::{RunDrill, ScheduleDrill, UnscheduleDrill, drills_overview, get_drill};
use crate::domain::drill::WeekOfMonth;
use crate::forms::{FormErrors, PostForm};
use crate::i18n::{Locale, Msg};
use crate::model::drills::{DRILLS_PATH, DrillScheduleView, DrillView, drill_path};
use crate::pages::common::loaded;
use crate::zone::{When, viewer_zone};

/// "45 s", "2 min 5 s", "1 h 3 min": how long something took.
pub fn elapsed_text(secs: i64) -> String {
    let secs = secs.max(0);
    match (secs / 3600, secs % 3600 / 60, secs % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

fn name_in(view: &DrillView, alias: &str) -> String {
    view.names.iter().find(|(a, _)| a == alias).map_or_else(|| alias.to_owned(), |(_, n)| n.clone())
}

#[component]
pub fn DrillsPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let data = Resource::new(|| (), |()| drills_overview());
    view! {
        <section class="card" data-testid="drills">
            <h1>{t(Msg::Drills)}</h1>
            <p class="meta">{t(Msg::DrillsIntro)}</p>
            {FormErrors::of(RunDrill::PATH, locale).summary("run-drill-error")}
            {FormErrors::of(UnscheduleDrill::PATH, locale).summary("unschedule-error")}
            {loaded(data, move |(history, schedules, plans, manager)| {
                view! {
                    {manager.then(|| view! { <RunDrillForm plans=plans.clone() chosen=None /> })}
                    <h2>{t(Msg::DrillSchedules)}</h2>
                    <ScheduleList schedules plans=plans.clone() manager />
                    {manager.then(|| view! { <ScheduleForm plans /> })}
                    <h2>{t(Msg::DrillHistory)}</h2>
                    <History history />
                }
            })}
        </section>
    }
}

/// "Run a drill now" for one plan (`chosen`) or a choice of plans.
#[component]
pub fn RunDrillForm(plans: Vec<(String, String)>, chosen: Option<String>) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let pick = match chosen {
        Some(alias) => view! { <input type="hidden" name="plan" value=alias /> }.into_any(),
        None => view! {
            <select name="plan" data-testid="drill-plan" aria-label=Msg::DrillPlan.text(locale)>
                {plans.into_iter().map(|(alias, name)| view! { <option value=alias>{name}</option> }).collect_view()}
            </select>
        }
        .into_any(),
    };
    view! {
        <PostForm action=RunDrill::PATH class="inline" testid="run-drill">
            {pick}
            <button type="submit" class="primary" data-testid="run-drill-submit">{Msg::RunDrill.text(locale)}</button>
        </PostForm>
    }
}

fn week_label(week: WeekOfMonth, locale: Locale) -> &'static str {
    let msg = match week {
        WeekOfMonth::Every => Msg::WeekEvery,
        WeekOfMonth::First => Msg::WeekFirst,
        WeekOfMonth::Second => Msg::WeekSecond,
        WeekOfMonth::Third => Msg::WeekThird,
        WeekOfMonth::Fourth => Msg::WeekFourth,
        WeekOfMonth::Last => Msg::WeekLast,
    };
    msg.text(locale)
}

fn weekday_label(day: u8, locale: Locale) -> &'static str {
    let en = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    let ja = ["月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日", "日曜日"];
    let i = usize::from(day.min(6));
    if locale == Locale::Ja { ja[i] } else { en[i] }
}

#[component]
fn ScheduleList(schedules: Vec<DrillScheduleView>, plans: Vec<(String, String)>, manager: bool) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let zone = viewer_zone(locale);
    if schedules.is_empty() {
        return view! { <p class="empty">{Msg::NoDrillSchedules.text(locale)}</p> }.into_any();
    }
    view! {
        <ul data-testid="drill-schedules">
            {schedules
                .into_iter()
                .map(|s| {
                    let plan = plans.iter().find(|(a, _)| *a == s.plan).map_or(s.plan.clone(), |(_, n)| n.clone());
                    let remove = manager.then(|| view! {
                        <PostForm action=UnscheduleDrill::PATH class="inline" testid="unschedule-drill">
                            <input type="hidden" name="id" value=s.id.clone() />
                            <button type="submit" class="danger">{Msg::Delete.text(locale)}</button>
                        </PostForm>
                    });
                    view! {
                        <li data-testid="drill-schedule">
                            <strong>{plan}</strong> ": " {week_label(s.rule.week, locale)} " " {weekday_label(s.rule.weekday, locale)} " "
                            {format!("{:02}:{:02}", s.rule.hour, s.rule.minute)} " " {s.rule.time_zone.clone()}
                            " · " {Msg::NextDrill.text(locale)} " " <When at=s.next_at zone=zone.clone() />
                            {remove}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn ScheduleForm(plans: Vec<(String, String)>) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let errors = FormErrors::of(ScheduleDrill::PATH, locale);
    let weeks = WeekOfMonth::ALL
        .iter()
        .map(|w| view! { <option value=w.as_str() selected=*w == WeekOfMonth::First>{week_label(*w, locale)}</option> })
        .collect_view();
    let days =
        (0..7u8).map(|d| view! { <option value=d.to_string()>{weekday_label(d, locale)}</option> }).collect_view();
    view! {
        <PostForm action=ScheduleDrill::PATH class="editor-form" testid="schedule-drill">
            <h3>{t(Msg::ScheduleDrill)}</h3>
            {errors.summary("schedule-drill-error")}
            <label>{t(Msg::DrillPlan)}
                <select name="plan">{plans.into_iter().map(|(alias, name)| view! { <option value=alias>{name}</option> }).collect_view()}</select>
                {errors.field("plan")}
            </label>
            <div class="inline">
                <label>{t(Msg::DrillWeek)} <select name="week" data-testid="drill-week">{weeks}</select></label>
                <label>{t(Msg::DrillWeekday)} <select name="weekday" data-testid="drill-weekday">{days}</select></label>
                <label>{t(Msg::DrillTime)} <input name="time" value="10:00" size="5" data-testid="drill-time" /> {errors.field("time")}</label>
                <label>{t(Msg::TimeZone)} <input name="time_zone" value=viewer_zone(locale) data-testid="drill-zone" /> {errors.field("time_zone")}</label>
            </div>
            <button type="submit" data-testid="schedule-drill-submit">{t(Msg::ScheduleDrill)}</button>
        </PostForm>
    }
}

#[component]
fn History(history: Vec<DrillView>) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let zone = viewer_zone(locale);
    if history.is_empty() {
        return view! { <p class="empty">{t(Msg::NoDrills)}</p> }.into_any();
    }
    view! {
        <table class="rows" data-testid="drill-history">
            <thead>
                <tr><th>{t(Msg::DrillPlan)}</th><th>{t(Msg::DrillStarted)}</th><th>{t(Msg::FirstAcknowledgement)}</th><th>{t(Msg::DrillFailures)}</th></tr>
            </thead>
            <tbody>
                {history
                    .into_iter()
                    .map(|d| {
                        let ack = d.report.first_acknowledgement.clone().map_or_else(
                            || t(if d.running { Msg::DrillRunning } else { Msg::NobodyAcknowledged }).to_owned(),
                            |(who, after)| format!("{} · {}", name_in(&d, &who), elapsed_text(after)),
                        );
                        let by = if d.record.schedule_id.is_some() { t(Msg::BySchedule).to_owned() } else { d.record.started_by.clone() };
                        view! {
                            <tr data-testid="drill-row">
                                <td data-label=t(Msg::DrillPlan)><a href=drill_path(&d.record.id)>{d.plan_name.clone()}</a></td>
                                <td data-label=t(Msg::DrillStarted)><When at=d.record.started_at zone=zone.clone() /> " · " {by}</td>
                                <td data-label=t(Msg::FirstAcknowledgement) data-testid="drill-ack">{ack}</td>
                                <td data-label=t(Msg::DrillFailures)>{d.report.failures.len()}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
pub fn DrillPage() -> impl IntoView {
    let id = use_params_map().read_untracked().get("id").unwrap_or_default();
    let data = Resource::new(move || id.clone(), get_drill);
    view! { {loaded(data, |drill| view! { <Report drill /> })} }
}

#[component]
fn Report(drill: DrillView) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let zone = viewer_zone(locale);
    // While it pages, the report follows by reloading (no script on this page).
    let refresh = drill.running.then(|| view! { <Meta http_equiv="refresh" content="5" /> });
    let summary = match &drill.report.first_acknowledgement {
        Some((who, after)) => {
            format!("{} {} · {}", t(Msg::FirstAcknowledgement), name_in(&drill, who), elapsed_text(*after))
        }
        None if drill.running => t(Msg::DrillRunning).to_owned(),
        None => t(Msg::NobodyAcknowledged).to_owned(),
    };
    let stages = drill
        .report
        .stages
        .iter()
        .map(|s| {
            let people: Vec<String> = s.people.iter().map(|p| name_in(&drill, p)).collect();
            view! {
                <tr data-testid="drill-stage">
                    <td data-label=t(Msg::StageN)>{s.stage + 1}</td>
                    <td data-label=t(Msg::PagesWho)>{people.join(", ")}</td>
                    <td data-label=t(Msg::TimeToAcknowledge)>{s.acknowledged_after.map_or_else(|| "—".to_owned(), elapsed_text)}</td>
                </tr>
            }
        })
        .collect_view();
    let people = drill
        .report
        .people
        .iter()
        .map(|p| {
            let failures: Vec<String> = p.failures.iter().map(|f| f.info.clone()).collect();
            view! {
                <tr data-testid="drill-person">
                    <td data-label=t(Msg::Name)>{name_in(&drill, &p.person)}</td>
                    <td data-label=t(Msg::StageN)>{p.stage + 1}</td>
                    <td data-label=t(Msg::PagedAfter)>"+" {elapsed_text(p.paged_after)}</td>
                    <td data-label=t(Msg::TimeToAcknowledge) data-testid="drill-person-ack">{p.acknowledged_after.map_or_else(|| "—".to_owned(), elapsed_text)}</td>
                    <td data-label=t(Msg::DrillFailures) class:error=!failures.is_empty()>{failures.join("; ")}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        {refresh}
        <section class="card" data-testid="drill-report" data-running=drill.running.to_string()>
            <h1>{t(Msg::DrillReport)} ": " {drill.plan_name.clone()}</h1>
            <p class="meta">
                <a href=DRILLS_PATH>{t(Msg::DrillHistory)}</a> " · " {t(Msg::DrillStarted)} " " <When at=drill.record.started_at zone=zone.clone() />
                " · " {drill.record.started_by.clone()}
            </p>
            <p class="lead" data-testid="drill-summary">{summary}</p>
            <h2>{t(Msg::ByStage)}</h2>
            <table class="rows">
                <thead><tr><th>{t(Msg::StageN)}</th><th>{t(Msg::PagesWho)}</th><th>{t(Msg::TimeToAcknowledge)}</th></tr></thead>
                <tbody>{stages}</tbody>
            </table>
            <h2>{t(Msg::ByPerson)}</h2>
            <table class="rows">
                <thead><tr><th>{t(Msg::Name)}</th><th>{t(Msg::StageN)}</th><th>{t(Msg::PagedAfter)}</th><th>{t(Msg::TimeToAcknowledge)}</th><th>{t(Msg::DrillFailures)}</th></tr></thead>
                <tbody>{people}</tbody>
            </table>
        </section>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn elapsed_times_read_naturally() {
        assert_eq!(super::elapsed_text(45), "45 s");
        assert_eq!(super::elapsed_text(125), "2 min 5 s");
        assert_eq!(super::elapsed_text(3780), "1 h 3 min");
    }
}
