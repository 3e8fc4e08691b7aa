//! Incidents: the list, declaring one, and one incident with its merged timeline (its events
//! and the alerts routed into it), its engagements and, for responders, what can be done.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

use crate::api::incidents::{
    AddLink, AddNote, DeclareIncident, DeleteNote, EditNote, EditSummary, PageMore, RemoveLink, SaveReview,
    UpdateIncident, load_analytics, load_incident, load_review,
};
use crate::api::oncall::{list_incidents, list_response_plans};
use crate::auth::Role;
use crate::domain::analytics::{Bands, Load, PlanRow, RotationRow, Stats, csv};
use crate::domain::incident::{IncidentStatus, RelatedLink, ResponsePlan};
use crate::domain::review::{ActionItem, QUESTIONS, ReviewForm, markdown};
use crate::domain::web_link::web_link;
use crate::error::AppError;
use crate::forms::{FormErrors, Outcome, PostForm, outcome};
use crate::i18n::{Locale, Msg};
use crate::model::incidents::{
    ANALYTICS_PATH, AnalyticsPage as AnalyticsPageData, DrillResult, IncidentList, IncidentQuery, IncidentView,
    ReviewPage,
};
use crate::pages::common::{loaded, page_user, query_param};
use crate::pages::oncall::EngagementCard;
use crate::zone::{When, viewer_zone};

#[component]
pub fn IncidentsPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let zone = viewer_zone(locale);
    let t = move |m: Msg| m.text(locale);
    let param = |name: &str| query_param(name).unwrap_or_default();
    let query = IncidentQuery {
        status: param("status"),
        impact: param("impact"),
        plan: param("plan"),
        text: param("text"),
        from: param("from"),
        to: param("to"),
        page: param("page").parse().unwrap_or(0),
    };
    let asked = (query.clone(), zone.clone());
    let incidents = Resource::new(move || asked.clone(), |(query, zone)| list_incidents(query, zone));
    let plans = Resource::new(|| (), |()| list_response_plans());
    let status_option = {
        let status = query.status.clone();
        move |value: &'static str, label: Msg| view! { <option value=value selected=status == value>{t(label)}</option> }
    };
    let impacts = ["", "1", "2", "3", "4", "5"]
        .map(|i| view! { <option value=i selected=query.impact == i>{if i.is_empty() { t(Msg::Any).to_owned() } else { i.to_owned() }}</option> })
        .collect_view();
    let chosen_plan = query.plan.clone();
    view! {
        <section class="card">
            <h1>{t(Msg::NavIncidents)}</h1>
            <p class="inline"><a href="/engagements">{t(Msg::NavEngagements)}</a> " · " <a href=ANALYTICS_PATH data-testid="analytics-link">{t(Msg::Analytics)}</a></p>
            {responder().then(|| view! { <p><a class="button primary" href=crate::paths::NEW_INCIDENT_PATH data-testid="declare-link">{t(Msg::DeclareIncident)}</a></p> })}
            <form method="get" class="filters inline" data-testid="incident-filters">
                <label>{t(Msg::Status)}
                    <select name="status" data-testid="filter-status">
                        {status_option("", Msg::Any)} {status_option("open", Msg::StatusOpen)} {status_option("resolved", Msg::StatusResolved)}
                    </select>
                </label>
                <label>{t(Msg::Impact)} <select name="impact" data-testid="filter-impact">{impacts}</select></label>
                <label>{t(Msg::ResponsePlan)}
                    <select name="plan" data-testid="filter-plan">
                        <option value="">{t(Msg::Any)}</option>
                        {loaded(plans, move |plans: Vec<ResponsePlan>| plans.into_iter().map(|p| view! { <option value=p.name.clone() selected=p.name == chosen_plan>{p.name.clone()}</option> }).collect_view())}
                    </select>
                </label>
                <label>{t(Msg::Search)} <input name="text" value=query.text.clone() data-testid="filter-text" /></label>
                <label>{t(Msg::Starts)} <input type="date" name="from" value=query.from.clone() data-testid="filter-from" /></label>
                <label>{t(Msg::Ends)} <input type="date" name="to" value=query.to.clone() data-testid="filter-to" /></label>
                <button type="submit" data-testid="filter-apply">{t(Msg::Search)}</button>
            </form>
            {loaded(incidents, move |list: IncidentList| view! { <IncidentTable list query=query.clone() zone=zone.clone() /> })}
        </section>
    }
}

#[component]
fn IncidentTable(list: IncidentList, query: IncidentQuery, zone: String) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    if list.rows.is_empty() {
        // A search that matched nothing is not an empty console.
        let filtered = [&query.status, &query.impact, &query.plan, &query.text, &query.from, &query.to]
            .iter()
            .any(|v| !v.is_empty());
        let text = if filtered { t(Msg::NoIncidentsMatch) } else { t(Msg::EmptyIncidents) };
        return view! { <p class="empty" data-testid="no-incidents">{text}</p> }.into_any();
    }
    let link = |page: u32| {
        let q = IncidentQuery { page, ..query.clone() };
        let pairs = [
            ("status", &q.status),
            ("impact", &q.impact),
            ("plan", &q.plan),
            ("text", &q.text),
            ("from", &q.from),
            ("to", &q.to),
        ];
        let mut parts: Vec<String> = pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", crate::paths::encode_query_value(v)))
            .collect();
        parts.push(format!("page={page}"));
        format!("?{}", parts.join("&"))
    };
    let previous = (list.page > 0)
        .then(|| view! { <a href=link(list.page - 1) data-testid="incidents-previous">"← " {t(Msg::Previous)}</a> });
    let next =
        list.more.then(|| view! { <a href=link(list.page + 1) data-testid="incidents-next">{t(Msg::Next)} " →"</a> });
    let rows = list
        .rows
        .into_iter()
        .map(|i| {
            view! {
                <tr data-testid="incident-row">
                    <td data-label=t(Msg::Title)><a href=crate::paths::incident_path(&i.id)>{i.title}</a></td>
                    <td data-label=t(Msg::Impact)>{i.impact}</td>
                    <td data-label=t(Msg::ResponsePlan)>{i.response_plan}</td>
                    <td data-label=t(Msg::Status)>{i.status.label().text(locale)}</td>
                    <td data-label=t(Msg::Opened)><When at=i.created_at zone=zone.clone() /></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table data-testid="incidents" class="rows">
            <thead>
                <tr>
                    <th>{t(Msg::Title)}</th>
                    <th>{t(Msg::Impact)}</th>
                    <th>{t(Msg::ResponsePlan)}</th>
                    <th>{t(Msg::Status)}</th>
                    <th>{t(Msg::Opened)}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <p class="inline">{previous} " " {next}</p>
    }
    .into_any()
}

#[component]
pub fn IncidentPage() -> impl IntoView {
    let id = use_params_map().read_untracked().get("id").unwrap_or_default();
    let incident = Resource::new(move || id.clone(), load_incident);
    view! { <section class="card">{loaded(incident, |view| view! { <Incident view /> })}</section> }
}

fn responder() -> bool {
    page_user().is_some_and(|u| u.role >= Role::Responder)
}

#[component]
fn Incident(view: IncidentView) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let zone = viewer_zone(locale);
    let t = move |m: Msg| m.text(locale);
    let r = view.detail.record.clone();
    let acts = responder();
    let kind = query_param("kind").unwrap_or_default();
    let items = timeline_items(&view, &kind);
    let filter = move |value: &'static str, label: Msg| {
        let href = if value.is_empty() { "?".to_owned() } else { format!("?kind={value}") };
        view! { <a href=href aria-current=(kind == value).then_some("true") data-testid=format!("timeline-filter-{value}")>{t(label)}</a> }
    };
    view! {
        <h1 data-testid="incident-title">{r.title.clone()}</h1>
        <dl>
            <dt>{t(Msg::Status)}</dt>
            <dd data-testid="incident-status">{r.status.label().text(locale)}</dd>
            <dt>{t(Msg::Impact)}</dt>
            <dd data-testid="incident-impact">{r.impact}</dd>
            <dt>{t(Msg::Opened)}</dt>
            <dd><When at=r.created_at zone=zone.clone() /></dd>
            <dt>{t(Msg::AcknowledgedAfter)}</dt>
            <dd data-testid="incident-ack-after">{duration(view.detail.acknowledged_after())}</dd>
            <dt>{t(Msg::Resolved)}</dt>
            <dd>{r.resolved_at.map_or_else(|| "—".into_any(), |at| view! { <When at zone=zone.clone() /> }.into_any())}</dd>
            <dt>{t(Msg::Source)}</dt>
            <dd>{r.source.clone()}</dd>
        </dl>
        <p data-testid="incident-summary"><Lines text=r.summary.clone() /></p>
        <p><a href=format!("{}/review", crate::paths::incident_path(&r.id)) data-testid="review-link">{t(Msg::ReviewLink)}</a></p>
        <RelatedLinks incident=r.id.clone() links=view.links.clone() acts />
        {acts.then(|| view! { <IncidentActions view=view.clone() /> })}
        <h2>{t(Msg::Timeline)}</h2>
        <p class="inline filters" data-testid="timeline-filters">
            {filter("", Msg::Any)} " · " {filter("alert", Msg::Alerts)} " · " {filter("note", Msg::EventCustom)} " · "
            {filter("page", Msg::TimelinePages)} " · " {filter("status", Msg::TimelineChanges)}
        </p>
        <ol class="timeline" data-testid="timeline">{items}</ol>
        <h2>{t(Msg::NavEngagements)}</h2>
        {view.detail.engagements.into_iter().map(|e| view! { <EngagementCard view=e names=view.names.clone() /> }).collect_view()}
    }
}

/// The incident's related links; responders add and remove them. Only web addresses become
/// links (an item added elsewhere could hold any text).
#[component]
fn RelatedLinks(incident: String, links: Vec<RelatedLink>, acts: bool) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let errors = FormErrors::of(AddLink::PATH, locale);
    let typed = outcome::<String>(AddLink::PATH).filter(|o| o.result.is_err());
    let (typed_url, typed_title) = match &typed {
        Some(o) => (o.value("url").unwrap_or_default(), o.value("title").unwrap_or_default()),
        None => (String::new(), String::new()),
    };
    let empty = links.is_empty();
    let items = links
        .into_iter()
        .map(|l| {
            let incident = incident.clone();
            let title = l.title.clone();
            // A link added through the SSM API or Incident Manager could hold any text.
            let shown = match web_link(&l.url) {
                Some(href) => {
                    view! { <a href=href.to_owned() rel="noopener noreferrer" target="_blank">{title}</a> }.into_any()
                }
                None => title.into_any(),
            };
            let remove = acts.then(|| {
                view! {
                    <PostForm action=RemoveLink::PATH class="inline">
                        <input type="hidden" name="id" value=incident />
                        <input type="hidden" name="link" value=l.id.clone() />
                        <button type="submit" class="link" data-testid="link-remove">{t(Msg::RemoveLink)}</button>
                    </PostForm>
                }
            });
            view! {
                <li data-testid="related-link">
                    {shown} " " <span class="meta url">{l.url.clone()}</span> " " {remove}
                </li>
            }
        })
        .collect_view();
    let add = acts.then(move || {
        view! {
            {errors.summary("link-error")}
            <PostForm action=AddLink::PATH class="inline" testid="link-form">
                <input type="hidden" name="id" value=incident />
                <label>{t(Msg::LinkUrl)} <input type="url" name="url" inputmode="url" autocapitalize="off" placeholder="https://" value=typed_url data-testid="link-url" /> {errors.field("url")}</label>
                <label>{t(Msg::LinkTitle)} <input name="title" value=typed_title data-testid="link-title" /> {errors.field("title")}</label>
                <button type="submit" data-testid="link-add">{t(Msg::AddLink)}</button>
            </PostForm>
        }
    });
    view! {
        <h2>{t(Msg::RelatedLinks)}</h2>
        {if empty { view! { <p class="meta">{t(Msg::NoRelatedLinks)}</p> }.into_any() } else { view! { <ul class="links" data-testid="related-links">{items}</ul> }.into_any() }}
        {add}
    }
}

/// The timeline's lines of `kind` (all if empty), in the viewer's zone; a note's author (a
/// responder) and managers may edit and delete it.
fn timeline_items(view: &IncidentView, kind: &str) -> impl IntoView + use<> {
    let locale = expect_context::<Locale>();
    let zone = viewer_zone(locale);
    let user = page_user();
    let may_change = move |author: Option<&str>| {
        user.as_ref().is_some_and(|u| {
            u.role >= Role::Manager || (u.role >= Role::Responder && author == Some(u.username.as_str()))
        })
    };
    let incident = view.detail.record.id.clone();
    view.timeline()
        .into_iter()
        .filter(|l| kind.is_empty() || l.kind == kind)
        .map(|l| {
            let tools = l
                .note
                .clone()
                .filter(|_| may_change(l.by.as_deref()))
                .map(|event| note_tools(&incident, &event, &l.detail, locale));
            let edited = l.edited_by.clone().map(|who| {
                view! { <span class="meta" data-testid="note-edited-by">" (" {Msg::EditedBy.text(locale)} " " {who} ")"</span> }
            });
            let detail = match l.link {
                Some(href) => view! { <a href=href>{l.detail}</a> }.into_any(),
                None => l.detail.into_any(),
            };
            view! {
                <li data-event=l.kind.clone() data-testid=format!("timeline-{}", l.kind)>
                    <When at=l.at zone=zone.clone() /> " " <strong>{l.label.text(locale)}</strong> " " {detail}
                    {l.by.map(|by| view! { <span class="meta">" — " {by}</span> })}
                    {edited}
                    {tools}
                </li>
            }
        })
        .collect_view()
}

/// A note's edit form (folded away) and delete button.
fn note_tools(incident: &str, event: &str, text: &str, locale: Locale) -> impl IntoView + use<> {
    let t = move |m: Msg| m.text(locale);
    let (id1, id2, ev1, ev2) = (incident.to_owned(), incident.to_owned(), event.to_owned(), event.to_owned());
    let text = text.to_owned();
    view! {
        <details class="note-tools" data-testid="note-tools">
            <summary>{t(Msg::EditNote)}</summary>
            <PostForm action=EditNote::PATH class="editor-form" testid="note-edit-form">
                <input type="hidden" name="id" value=id1 />
                <input type="hidden" name="event" value=ev1 />
                <textarea name="text" rows="2" data-testid="note-edit">{text}</textarea>
                <button type="submit" data-testid="note-save">{t(Msg::Save)}</button>
            </PostForm>
            <PostForm action=DeleteNote::PATH class="inline" testid="note-delete-form">
                <input type="hidden" name="id" value=id2 />
                <input type="hidden" name="event" value=ev2 />
                <button type="submit" class="danger" data-testid="note-delete">{t(Msg::DeleteNote)}</button>
            </PostForm>
        </details>
    }
}

/// What a responder can do: impact and status, the summary (checked against the one they
/// began from), a note, and paging more people.
#[component]
fn IncidentActions(view: IncidentView) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let r = view.detail.record;
    let update_errors = FormErrors::of(UpdateIncident::PATH, locale);
    let note_errors = FormErrors::of(AddNote::PATH, locale);
    let page_errors = FormErrors::of(PageMore::PATH, locale);
    let summary = outcome::<()>(EditSummary::PATH);
    let summary_errors = FormErrors::of(EditSummary::PATH, locale);
    let stale = summary.as_ref().is_some_and(|o| matches!(o.result, Err(AppError::StaleEdit)));
    let typed_summary = summary.as_ref().filter(|o| o.result.is_err()).and_then(|o| o.value("summary"));
    let conflict = stale.then(|| {
        view! {
            <div class="conflict" data-testid="summary-conflict">
                <p class="error" role="alert">{AppError::StaleEdit.message(locale)}</p>
                <div class="two">
                    <div data-testid="summary-theirs"><h3>{t(Msg::TheirVersion)}</h3><p>{r.summary.clone()}</p></div>
                    <div data-testid="summary-yours"><h3>{t(Msg::YourVersion)}</h3><p>{typed_summary.clone().unwrap_or_default()}</p></div>
                </div>
            </div>
        }
    });
    let impacts =
        (1..=5u8).map(|i| view! { <option value=i.to_string() selected=i == r.impact>{i}</option> }).collect_view();
    let open = r.status == IncidentStatus::Open;
    let contacts = view.contacts.iter().map(|c| view! { <option value=c.clone()></option> }).collect_view();
    let [id1, id2, id3, id4, id5] = [(); 5].map(|()| r.id.clone());
    let (note_field, note_summary) = (note_errors.field("text"), note_errors.summary("note-error"));
    let (page_field, page_summary) = (page_errors.field("contact"), page_errors.summary("page-error"));
    let (summary_field, summary_summary) = (summary_errors.field("summary"), summary_errors.summary("summary-error"));
    let resolve = open.then(|| {
        view! {
            <PostForm action=UpdateIncident::PATH class="inline">
                <input type="hidden" name="id" value=id2 />
                <input type="hidden" name="impact" value="" />
                <input type="hidden" name="status" value="resolved" />
                <button type="submit" class="primary" data-testid="incident-resolve">{t(Msg::ResolveIncident)}</button>
            </PostForm>
        }
    });
    view! {
        <div class="actions" data-testid="incident-actions">
            {update_errors.summary("incident-update-error")}
            <div class="inline">
                <PostForm action=UpdateIncident::PATH class="inline" testid="incident-update">
                    <input type="hidden" name="id" value=id1 />
                    <label>{t(Msg::Impact)} <select name="impact" data-testid="incident-impact-select">{impacts}</select></label>
                    <label>{t(Msg::Status)}
                        <select name="status" data-testid="incident-status-select">
                            <option value="open" selected=open>{t(Msg::StatusOpen)}</option>
                            <option value="resolved" selected=!open>{t(Msg::StatusResolved)}</option>
                        </select>
                    </label>
                    <button type="submit" data-testid="incident-update-save">{t(Msg::Save)}</button>
                </PostForm>
                {resolve}
            </div>
            {conflict}
            {summary_summary}
            <PostForm action=EditSummary::PATH class="editor-form" testid="incident-summary-form">
                <input type="hidden" name="id" value=id3 />
                <input type="hidden" name="base" value=r.summary.clone() />
                <label>{t(Msg::Summary)} <textarea name="summary" rows="3" data-testid="incident-summary-edit">{typed_summary.unwrap_or_else(|| r.summary.clone())}</textarea> {summary_field}</label>
                <button type="submit" data-testid="incident-summary-save">{t(Msg::SaveSummary)}</button>
            </PostForm>
            <PostForm action=AddNote::PATH class="editor-form" testid="incident-note-form">
                <input type="hidden" name="id" value=id4 />
                <label>{t(Msg::AddNote)} <textarea name="text" rows="2" data-testid="incident-note"></textarea> {note_field}</label>
                <button type="submit" data-testid="incident-note-add">{t(Msg::AddNote)}</button>
            </PostForm>
            {note_summary}
            <PostForm action=PageMore::PATH class="inline" testid="incident-page-form">
                <input type="hidden" name="id" value=id5 />
                <datalist id="incident-contacts">{contacts}</datalist>
                <label>{t(Msg::PageSomeone)} <input name="contact" list="incident-contacts" autocapitalize="off" data-testid="incident-page-contact" /> {page_field}</label>
                <button type="submit" data-testid="incident-page">{t(Msg::PageNow)}</button>
            </PostForm>
            {page_summary}
        </div>
    }
}

/// Declaring an incident from a response plan (responders and managers).
#[component]
pub fn NewIncidentPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let plans = Resource::new(|| (), |()| list_response_plans());
    let errors = FormErrors::of(DeclareIncident::PATH, locale);
    let typed = outcome::<String>(DeclareIncident::PATH).filter(|o| o.result.is_err());
    let value = move |field: &str| typed.as_ref().and_then(|o| o.value(field)).unwrap_or_default();
    let (title, impact, summary, chosen) = (value("title"), value("impact"), value("summary"), value("response_plan"));
    view! {
        <section class="card" data-testid="declare">
            <h1>{t(Msg::DeclareIncident)}</h1>
            <p class="meta">{t(Msg::DeclareHelp)}</p>
            {errors.summary("declare-error")}
            {loaded(plans, move |plans: Vec<ResponsePlan>| {
                let (errors, title, impact, summary) = (errors.clone(), title.clone(), impact.clone(), summary.clone());
                let options = plans
                    .into_iter()
                    .map(|p| {
                        let label = format!("{} ({}, {} {})", p.display_name, p.name, t(Msg::Impact), p.template.impact);
                        view! { <option value=p.name.clone() selected=p.name == chosen>{label}</option> }
                    })
                    .collect_view();
                view! {
                    <PostForm action=DeclareIncident::PATH class="editor-form" testid="declare-form">
                        <label>{t(Msg::ResponsePlan)} <select name="response_plan" data-testid="declare-plan">{options}</select> {errors.field("response_plan")}</label>
                        <label>{t(Msg::Title)} <input name="title" value=title data-testid="declare-title" /> {errors.field("title")}</label>
                        <label>{t(Msg::ImpactOrPlans)} <input name="impact" value=impact size="2" inputmode="numeric" data-testid="declare-impact" /> {errors.field("impact")}</label>
                        <label>{t(Msg::Summary)} <textarea name="summary" rows="3" data-testid="declare-summary">{summary}</textarea> {errors.field("summary")}</label>
                        <button type="submit" class="primary" data-testid="declare-submit">{t(Msg::DeclareIncident)}</button>
                    </PostForm>
                }
            })}
        </section>
    }
}

/// The post-incident review: the template's questions and action items (responders and
/// managers edit, everyone reads), and the Markdown export with the whole timeline.
#[component]
pub fn IncidentReviewPage() -> impl IntoView {
    let id = use_params_map().read_untracked().get("id").unwrap_or_default();
    let page = Resource::new(move || id.clone(), load_review);
    view! { <section class="card" data-testid="review">{loaded(page, |page| view! { <ReviewEditor page /> })}</section> }
}

#[component]
fn ReviewEditor(page: ReviewPage) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let zone = viewer_zone(locale);
    let record = page.view.detail.record.clone();
    let saved = outcome::<u32>(SaveReview::PATH);
    let errors = FormErrors::of(SaveReview::PATH, locale);
    let stale = saved.as_ref().is_some_and(|o| matches!(o.result, Err(AppError::StaleVersion { .. })));
    let done = saved.as_ref().is_some_and(|o| o.result.is_ok());
    let current = page.saved.clone().map(|s| s.review).unwrap_or_default();
    let base = page.saved.as_ref().map_or(0, |s| s.version);
    // After a refused save: what was typed, on the version it began from.
    let (form, base) = match saved.as_ref().filter(|o| o.result.is_err()) {
        Some(o) => (typed_review(o), o.value("base").and_then(|b| b.parse().ok()).unwrap_or(base)),
        None => (ReviewForm::of(&current), base),
    };
    let md = markdown(&record, &current, &page.view.timeline(), &page.view.links, &zone, locale);
    let download = format!("data:text/markdown;charset=utf-8,{}", crate::paths::encode_path_segment(&md));
    let file = format!("incident-{}-review.md", record.id.rsplit('/').next().unwrap_or("incident"));
    let editor = if responder() {
        view! { <ReviewForm form base id=record.id.clone() errors /> }.into_any()
    } else {
        let answers = QUESTIONS
            .iter()
            .map(|(field, q)| view! { <h3>{t(*q)}</h3> <p>{current.answer(field).to_owned()}</p> })
            .collect_view();
        answers.into_any()
    };
    view! {
        <h1>{t(Msg::Review)} ": " <span data-testid="incident-title">{record.title.clone()}</span></h1>
        <p><a href=crate::paths::incident_path(&record.id)>{t(Msg::Timeline)}</a>
            {page.saved.as_ref().map(|s| view! { <span class="meta">" · v" {s.version} " · " {s.saved_by.clone()} " · " <When at=s.saved_at zone=zone.clone() /></span> })}
        </p>
        {done.then(|| view! { <p class="ok" role="status" data-testid="review-saved">{t(Msg::ReviewSaved)}</p> })}
        {stale.then(|| view! { <p class="error" role="alert" data-testid="review-stale">{AppError::StaleVersion { current: base }.message(locale)}</p> })}
        {editor}
        <h2>{t(Msg::MarkdownExport)}</h2>
        <p><a class="button" href=download download=file data-testid="review-download">{t(Msg::DownloadMarkdown)}</a></p>
        <pre class="payload" data-testid="review-markdown">{md}</pre>
    }
}

/// The review form as last posted (`review[field]`, `review[actions][i][field]`).
fn typed_review(o: &Outcome<u32>) -> ReviewForm {
    let mut form = ReviewForm::default();
    for (k, v) in &o.fields {
        let Some(rest) = k.strip_prefix("review[") else { continue };
        if let Some(action) = rest.strip_prefix("actions][") {
            let Some((i, field)) = action.split_once("][") else { continue };
            let Ok(i) = i.parse::<usize>() else { continue };
            if i >= 50 {
                continue;
            }
            if form.actions.len() <= i {
                form.actions.resize(i + 1, ActionItem::default());
            }
            let a = &mut form.actions[i];
            match field.trim_end_matches(']') {
                "text" => a.text.clone_from(v),
                "owner" => a.owner.clone_from(v),
                "due" => a.due.clone_from(v),
                _ => {}
            }
            continue;
        }
        match rest.trim_end_matches(']') {
            "what_happened" => form.what_happened.clone_from(v),
            "impact" => form.impact.clone_from(v),
            "detection" => form.detection.clone_from(v),
            "response" => form.response.clone_from(v),
            "went_well" => form.went_well.clone_from(v),
            "went_badly" => form.went_badly.clone_from(v),
            _ => {}
        }
    }
    form
}

#[component]
fn ReviewForm(form: ReviewForm, base: u32, id: String, errors: FormErrors) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let answers = QUESTIONS
        .iter()
        .map(|(field, q)| {
            let value = match *field {
                "what_happened" => form.what_happened.clone(),
                "impact" => form.impact.clone(),
                "detection" => form.detection.clone(),
                "response" => form.response.clone(),
                "went_well" => form.went_well.clone(),
                _ => form.went_badly.clone(),
            };
            view! {
                <label>{t(*q)} <textarea name=format!("review[{field}]") rows="3" data-testid=format!("review-{field}")>{value}</textarea> {errors.field(field)}</label>
            }
        })
        .collect_view();
    let mut actions = form.actions.clone();
    actions.push(ActionItem::default());
    let action_errors = errors.clone();
    let rows = actions
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            let name = move |f: &str| format!("review[actions][{i}][{f}]");
            let field_error = |f: &str| action_errors.field(&format!("actions.{i}.{f}"));
            view! {
                <div class="inline" data-testid="review-action">
                    <label>{t(Msg::ActionText)} <input name=name("text") value=a.text size="40" data-testid="action-text" /></label>
                    <label>{t(Msg::Owner)} <input name=name("owner") value=a.owner size="12" data-testid="action-owner" /></label>
                    <label>{t(Msg::DueDate)} <input type="date" name=name("due") value=a.due data-testid="action-due" /></label>
                    {field_error("text")} {field_error("owner")} {field_error("due")}
                </div>
            }
        })
        .collect_view();
    view! {
        {errors.summary("review-error")}
        <PostForm action=SaveReview::PATH class="editor-form" testid="review-form">
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="base" value=base />
            {answers}
            <fieldset><legend>{t(Msg::ActionItems)}</legend>{rows}</fieldset>
            <button type="submit" class="primary" data-testid="review-save">{t(Msg::SaveReview)}</button>
        </PostForm>
    }
}

/// `1h 05m`, `12m 30s`, `45s`; `—` for none.
fn duration(secs: Option<i64>) -> String {
    match secs {
        None => "—".to_owned(),
        Some(s) if s >= 3600 => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
        Some(s) if s >= 60 => format!("{}m {:02}s", s / 60, s % 60),
        Some(s) => format!("{s}s"),
    }
}

/// Hours with one decimal, rounded down to the 6 minutes shown (`7.5`).
fn hours(secs: i64) -> String {
    let tenths = secs / 360;
    format!("{}.{}", tenths / 10, tenths % 10)
}

fn stats_text(s: &Stats) -> String {
    format!("{} / {}", duration(s.mean), duration(s.p90))
}

/// Mean and 90th percentile in seconds as CSV fields (empty for none).
fn stats_fields(s: &Stats) -> [String; 2] {
    [s.mean, s.p90].map(|v| v.map(|s| s.to_string()).unwrap_or_default())
}

/// Hours per band and in all (`7.5`), as the on-call tables and their CSV show them.
fn band_hours(b: &Bands) -> [String; 5] {
    [b.working, b.evening, b.night, b.weekend_or_holiday, b.total()].map(hours)
}

/// The CSV columns of a [`Load`], in [`load_fields`]'s order.
const LOAD_HEADER: [&str; 11] = [
    "incidents",
    "pages",
    "acknowledged",
    "ack_mean_s",
    "ack_p90_s",
    "resolve_mean_s",
    "resolve_p90_s",
    "pages_working",
    "pages_evening",
    "pages_night",
    "pages_weekend_holiday",
];

fn load_fields(l: &Load) -> Vec<String> {
    let counts = [l.incidents, l.pages, l.acknowledged].map(|n| n.to_string());
    let bands = [l.paged_in.working, l.paged_in.evening, l.paged_in.night, l.paged_in.weekend_or_holiday];
    counts
        .into_iter()
        .chain(stats_fields(&l.to_ack))
        .chain(stats_fields(&l.to_resolve))
        .chain(bands.map(|n| n.to_string()))
        .collect()
}

/// A [`Load`]'s table headings and cells: the person and rotation tables share them.
fn load_headings(locale: Locale) -> impl IntoView + use<> {
    let t = move |m: Msg| m.text(locale);
    view! {
        <th>{t(Msg::NavIncidents)}</th><th>{t(Msg::PagesCount)}</th><th>{t(Msg::AcknowledgedCount)}</th>
        <th>{t(Msg::TimeToAck)}</th><th>{t(Msg::TimeToResolve)}</th><th>{t(Msg::PagesByBand)}</th>
    }
}

fn load_cells(l: &Load, locale: Locale) -> impl IntoView + use<> {
    let t = move |m: Msg| m.text(locale);
    let b = &l.paged_in;
    let bands = format!("{} / {} / {} / {}", b.working, b.evening, b.night, b.weekend_or_holiday);
    view! {
        <td data-label=t(Msg::NavIncidents)>{l.incidents}</td>
        <td data-label=t(Msg::PagesCount)>{l.pages}</td>
        <td data-label=t(Msg::AcknowledgedCount)>{l.acknowledged}</td>
        <td data-label=t(Msg::TimeToAck)>{stats_text(&l.to_ack)}</td>
        <td data-label=t(Msg::TimeToResolve)>{stats_text(&l.to_resolve)}</td>
        <td data-label=t(Msg::PagesByBand)>{bands}</td>
    }
}

/// A CSV file as a link (`data:` URL, so it downloads without another request).
fn csv_link(name: String, header: &[&str], rows: &[Vec<String>], testid: &'static str) -> impl IntoView + use<> {
    let href = format!("data:text/csv;charset=utf-8,{}", crate::paths::encode_path_segment(&csv(header, rows)));
    view! { <a class="button" href=href download=name data-testid=testid>"CSV"</a> }
}

/// How the team is doing over a period: per plan, per person paged, on-call hours by band.
#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let zone = viewer_zone(locale);
    let asked = (
        query_param("from").unwrap_or_default(),
        query_param("to").unwrap_or_default(),
        query_param("holidays").unwrap_or_default(),
        zone,
    );
    let data = Resource::new(move || asked.clone(), |(f, t, h, z)| load_analytics(f, t, h, z));
    view! { <section class="card" data-testid="analytics">{loaded(data, |page| view! { <Analytics page /> })}</section> }
}

#[component]
fn Analytics(page: AnalyticsPageData) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let period = format!("{}_{}", page.from, page.to);
    let plan_rows: Vec<Vec<String>> = page
        .plans
        .iter()
        .map(|p| {
            let mut row = vec![p.plan.clone(), p.incidents.to_string(), p.pages.to_string()];
            row.extend(stats_fields(&p.to_ack).into_iter().chain(stats_fields(&p.to_resolve)));
            row
        })
        .collect();
    let plan_header = ["plan", "incidents", "pages", "ack_mean_s", "ack_p90_s", "resolve_mean_s", "resolve_p90_s"];
    let people_rows: Vec<Vec<String>> =
        page.people.iter().map(|p| std::iter::once(p.contact.clone()).chain(load_fields(&p.load)).collect()).collect();
    let people_header: Vec<&str> = std::iter::once("person").chain(LOAD_HEADER).collect();
    let on_call_rows: Vec<Vec<String>> = page
        .on_call
        .iter()
        .map(|r| [r.contact.clone(), r.zone.clone()].into_iter().chain(band_hours(&r.seconds)).collect())
        .collect();
    let on_call_header = ["person", "zone", "working_h", "evening_h", "night_h", "weekend_holiday_h", "total_h"];
    let chart = ack_chart(&page.plans, t(Msg::ChartAckPerPlan));
    let names = page.names.clone();
    let person_link = move |alias: &String| {
        let name = names.iter().find(|(a, _)| a == alias).map_or_else(|| alias.clone(), |(_, n)| n.clone());
        view! { <a href=crate::model::people::person_path(alias) title=alias.clone() data-alias=alias.clone()>{name}</a> }
    };
    let plans = page
        .plans
        .iter()
        .map(|p| {
            view! {
                <tr data-testid="analytics-plan" data-plan=p.plan.clone()>
                    <td data-label=t(Msg::ResponsePlan)>{p.plan.clone()}</td>
                    <td data-label=t(Msg::NavIncidents)>{p.incidents}</td>
                    <td data-label=t(Msg::PagesCount)>{p.pages}</td>
                    <td data-label=t(Msg::TimeToAck) data-testid="plan-ack">{stats_text(&p.to_ack)}</td>
                    <td data-label=t(Msg::TimeToResolve)>{stats_text(&p.to_resolve)}</td>
                </tr>
            }
        })
        .collect_view();
    let people = page
        .people
        .iter()
        .map(|p| {
            view! {
                <tr data-testid="analytics-person">
                    <td data-label=t(Msg::Who)>{person_link(&p.contact)}</td>
                    {load_cells(&p.load, locale)}
                </tr>
            }
        })
        .collect_view();
    let on_call = on_call_rows
        .iter()
        .map(|r| {
            view! {
                <tr data-testid="analytics-on-call">
                    <td data-label=t(Msg::Who)>{person_link(&r[0])} " " <span class="meta">{r[1].clone()}</span></td>
                    <td data-label=t(Msg::BandWorking)>{r[2].clone()}</td>
                    <td data-label=t(Msg::BandEvening)>{r[3].clone()}</td>
                    <td data-label=t(Msg::BandNight)>{r[4].clone()}</td>
                    <td data-label=t(Msg::BandWeekend)>{r[5].clone()}</td>
                    <td data-label="Σ">{r[6].clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let jp = page.holidays == "jp";
    view! {
        <h1>{t(Msg::Analytics)}</h1>
        <p class="meta">{t(Msg::AnalyticsHelp)}</p>
        <form method="get" class="filters inline" data-testid="analytics-filters">
            <label>{t(Msg::Starts)} <input type="date" name="from" value=page.from.clone() data-testid="analytics-from" /></label>
            <label>{t(Msg::Ends)} <input type="date" name="to" value=page.to.clone() data-testid="analytics-to" /></label>
            <label>{t(Msg::HolidayCalendar)}
                <select name="holidays" data-testid="analytics-holidays">
                    <option value="jp" selected=jp>{t(Msg::HolidaysJapan)}</option>
                    <option value="none" selected=!jp>{t(Msg::HolidaysNone)}</option>
                </select>
            </label>
            <button type="submit" data-testid="analytics-search">{t(Msg::Search)}</button>
        </form>
        <p data-testid="analytics-incidents">{t(Msg::NavIncidents)} ": " {page.incidents}</p>
        <h2>{t(Msg::ByPlan)} " " {csv_link(format!("plans_{period}.csv"), &plan_header, &plan_rows, "csv-plans")}</h2>
        {chart}
        <table class="rows"><thead><tr><th>{t(Msg::ResponsePlan)}</th><th>{t(Msg::NavIncidents)}</th><th>{t(Msg::PagesCount)}</th><th>{t(Msg::TimeToAck)}</th><th>{t(Msg::TimeToResolve)}</th></tr></thead><tbody>{plans}</tbody></table>
        <h2>{t(Msg::ByPersonPaged)} " " {csv_link(format!("people_{period}.csv"), &people_header, &people_rows, "csv-people")}</h2>
        <table class="rows"><thead><tr><th>{t(Msg::Who)}</th>{load_headings(locale)}</tr></thead><tbody>{people}</tbody></table>
        <h2>{t(Msg::OnCallHours)} " " {csv_link(format!("on-call-hours_{period}.csv"), &on_call_header, &on_call_rows, "csv-on-call")}</h2>
        <table class="rows"><thead><tr><th>{t(Msg::Who)}</th><th>{t(Msg::BandWorking)}</th><th>{t(Msg::BandEvening)}</th><th>{t(Msg::BandNight)}</th><th>{t(Msg::BandWeekend)}</th><th>"Σ"</th></tr></thead><tbody>{on_call}</tbody></table>
        <RotationTable rows=page.rotations period=period.clone() />
        <DrillHistory drills=page.drills period />
    }
}

/// Per team rotation: the pages its people took while on call in it, and its on-call hours.
#[component]
fn RotationTable(rows: Vec<RotationRow>, period: String) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let header: Vec<&str> = ["rotation", "zone"]
        .into_iter()
        .chain(LOAD_HEADER)
        .chain([
            "on_call_working_h",
            "on_call_evening_h",
            "on_call_night_h",
            "on_call_weekend_holiday_h",
            "on_call_total_h",
        ])
        .collect();
    let csv_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            [r.rotation.clone(), r.zone.clone()]
                .into_iter()
                .chain(load_fields(&r.load))
                .chain(band_hours(&r.on_call))
                .collect()
        })
        .collect();
    let body = rows
        .iter()
        .map(|r| {
            let [working, evening, night, weekend, total] = band_hours(&r.on_call);
            view! {
                <tr data-testid="analytics-rotation" data-rotation=r.rotation.clone()>
                    <td data-label=t(Msg::NavRotations)>{r.rotation.clone()} " " <span class="meta">{r.zone.clone()}</span></td>
                    {load_cells(&r.load, locale)}
                    <td data-label=t(Msg::PersonHours)>{format!("{working} / {evening} / {night} / {weekend} (Σ {total})")}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h2>{t(Msg::ByRotation)} " " {csv_link(format!("rotations_{period}.csv"), &header, &csv_rows, "csv-rotations")}</h2>
        <p class="meta">{t(Msg::ByRotationHelp)}</p>
        <table class="rows"><thead><tr><th>{t(Msg::NavRotations)}</th>{load_headings(locale)}<th>{t(Msg::PersonHours)}</th></tr></thead><tbody>{body}</tbody></table>
    }
}

/// The period's drills, oldest first: a chart of time to the first acknowledgement, a table.
#[component]
fn DrillHistory(drills: Vec<DrillResult>, period: String) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let zone = viewer_zone(locale);
    let header = ["drill", "plan", "started_utc", "people_paged", "first_ack_after_s", "failures"];
    let csv_rows: Vec<Vec<String>> = drills
        .iter()
        .map(|d| {
            vec![
                d.id.clone(),
                d.plan_name.clone(),
                crate::zone::instant(d.started_at).to_rfc3339(),
                d.paged.to_string(),
                d.first_ack_after.map(|s| s.to_string()).unwrap_or_default(),
                d.failures.to_string(),
            ]
        })
        .collect();
    let chart = drill_chart(&drills, t(Msg::ChartAckPerDrill));
    let body = drills
        .iter()
        .map(|d| {
            let after = match (d.first_ack_after, d.running) {
                (Some(s), _) => duration(Some(s)),
                (None, true) => t(Msg::DrillRunning).to_owned(),
                (None, false) => t(Msg::NobodyAcknowledged).to_owned(),
            };
            view! {
                <tr data-testid="analytics-drill">
                    <td data-label=t(Msg::DrillStarted)><a href=crate::model::drills::drill_path(&d.id)><When at=d.started_at zone=zone.clone() /></a></td>
                    <td data-label=t(Msg::DrillPlan)>{d.plan_name.clone()}</td>
                    <td data-label=t(Msg::PeoplePaged)>{d.paged}</td>
                    <td data-label=t(Msg::FirstAckAfter) class:bad=d.first_ack_after.is_none() && !d.running>{after}</td>
                    <td data-label=t(Msg::DrillFailures)>{d.failures}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = drills.is_empty();
    view! {
        <h2>{t(Msg::DrillResults)} " " {csv_link(format!("drills_{period}.csv"), &header, &csv_rows, "csv-drills")}</h2>
        {if empty { view! { <p class="meta">{t(Msg::NoDrills)}</p> }.into_any() } else { chart.into_any() }}
        <table class="rows"><thead><tr><th>{t(Msg::DrillStarted)}</th><th>{t(Msg::DrillPlan)}</th><th>{t(Msg::PeoplePaged)}</th><th>{t(Msg::FirstAckAfter)}</th><th>{t(Msg::DrillFailures)}</th></tr></thead><tbody>{body}</tbody></table>
    }
}

/// Each drill as a column (time to the first acknowledgement), oldest on the left; a drill
/// nobody acknowledged is a red cross at the top, one still paging an ellipsis at the foot.
/// Drawn on the server as SVG.
fn drill_chart(drills: &[DrillResult], label: &'static str) -> impl IntoView + use<> {
    let max = drills.iter().filter_map(|d| d.first_ack_after).max().unwrap_or(0).max(60);
    let step = 400 / i64::try_from(drills.len().max(1)).unwrap_or(1);
    let width = step.clamp(2, 24) - 1;
    let columns = drills
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let x = 20 + i64::try_from(i).unwrap_or(0) * step;
            match (d.first_ack_after, d.running) {
                (Some(after), _) => {
                    let h = (after * 100 / max).max(1);
                    view! { <rect x=x y=120 - h width=width height=h fill="#3b6fd4"></rect> }.into_any()
                }
                (None, true) => view! { <text x=x y="116" font-size="14" fill="#5b6475">"…"</text> }.into_any(),
                (None, false) => view! { <text x=x y="24" font-size="14" fill="#c0392b">"×"</text> }.into_any(),
            }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox="0 0 420 130" role="img" data-testid="drill-chart" aria-label=label>
            <text x="0" y="10" font-size="10">{duration(Some(max))}</text>
            <line x1="20" x2="420" y1="120" y2="120" stroke="#8a93a6"></line>
            {columns}
        </svg>
    }
}

/// Time to acknowledge per plan as horizontal bars (mean, and the 90th percentile as a tick),
/// drawn on the server as SVG.
fn ack_chart(plans: &[PlanRow], label: &'static str) -> impl IntoView + use<> {
    let max = plans.iter().filter_map(|p| p.to_ack.p90.max(p.to_ack.mean)).max().unwrap_or(0).max(1);
    let row_h = 22;
    let height = i64::try_from(plans.len()).unwrap_or(0) * row_h + 6;
    // Labels in the first 120 units, bars up to 200 more, the figures after them.
    let scale = |secs: i64| 120 + secs * 200 / max;
    let bars = plans
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let y = i64::try_from(i).unwrap_or(0) * row_h + 3;
            let mean = p.to_ack.mean.unwrap_or(0);
            let p90 = p.to_ack.p90.unwrap_or(0);
            view! {
                <text x="0" y=y + 14 font-size="11">{p.plan.clone()}</text>
                <rect x="120" y=y + 4 width=scale(mean) - 120 height="12" fill="#3b6fd4"></rect>
                <line x1=scale(p90) x2=scale(p90) y1=y + 1 y2=y + 19 stroke="#1d2330" stroke-width="2"></line>
                <text x=scale(p90) + 5 y=y + 14 font-size="10">{duration(p.to_ack.mean)} " / " {duration(p.to_ack.p90)}</text>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 420 {height}") role="img" data-testid="ack-chart" aria-label=label>{bars}</svg>
    }
}

/// Text from outside, line by line (an incident opened from an alert lists what, where and the
/// alert's links one per line): a line that is an http(s) link becomes one, the rest is text.
#[component]
fn Lines(text: String) -> impl IntoView {
    let count = text.lines().count();
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            let shown = match web_link(line) {
                Some(url) => view! { <a href=url.to_owned() rel="noopener noreferrer">{url.to_owned()}</a> }.into_any(),
                None => line.to_owned().into_any(),
            };
            view! {
                {shown}
                {(i + 1 < count).then(|| view! { <br /> })}
            }
        })
        .collect_view()
}
