//! Admin: users and roles, the audit log and API keys. Plain forms; results come back with the page.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::admin::{
    CreateUser, IssueApiKey, ResetUserPassword, RevokeApiKey, SetUserContact, SetUserDisabled, SetUserRole, audit_log,
    list_api_keys, list_users,
};
use crate::auth::Role;
use crate::forms::{FormErrors, PostForm, done_note, outcome, saved_note};
use crate::i18n::{Locale, Msg};
use crate::model::admin::{ApiKeySummary, IssuedApiKey, UserSummary};
use crate::pages::common::{loaded, query_param};
use crate::zone::{When, viewer_zone};

#[component]
pub fn UsersPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    // The users, and the people on the rotas a user can be linked to (picked from a list).
    let users = Resource::new(
        || (),
        |()| async {
            let people = crate::api::oncall::list_contacts()
                .await?
                .into_iter()
                .filter(|c| c.contact.kind == crate::domain::contact::ContactType::Personal)
                .map(|c| (c.contact.alias, c.contact.display_name))
                .collect::<Vec<_>>();
            Ok::<_, crate::error::AppError>((list_users().await?, people))
        },
    );
    let create_errors = FormErrors::of(CreateUser::PATH, locale);
    let typed = outcome::<UserSummary>(CreateUser::PATH).filter(|o| o.result.is_err());
    let value = move |f: &str| typed.as_ref().and_then(|o| o.value(f)).unwrap_or_default();
    let row_errors = [SetUserRole::PATH, SetUserDisabled::PATH, SetUserContact::PATH, ResetUserPassword::PATH]
        .map(|path| FormErrors::of(path, locale).summary("user-action-error"));
    view! {
        <section class="card">
            <h1>{t(Msg::NavUsers)}</h1>
            <p>
                <a href="/admin/audit">{t(Msg::NavAudit)}</a>
                " · "
                <a href="/admin/api-keys">{t(Msg::NavApiKeys)}</a>
            </p>
            {row_errors}
            {saved_note(ResetUserPassword::PATH, locale)}
            {done_note(CreateUser::PATH, Msg::UserCreated, locale)}
            {saved_note(SetUserContact::PATH, locale)}
            {loaded(users, |(list, people)| view! { <UserTable users=list people /> })}
        </section>
        <section class="card">
            <h2>{t(Msg::CreateUser)}</h2>
            <PostForm action=CreateUser::PATH class="stack" testid="create-user-form">
                <label>
                    {t(Msg::Username)}
                    <input name="username" required autocapitalize="none" value=value("username") />
                    {create_errors.field("username")}
                </label>
                <label>
                    {t(Msg::DisplayName)}
                    <input name="display_name" value=value("display_name") />
                    {create_errors.field("display_name")}
                </label>
                <label>
                    {t(Msg::Password)}
                    <input type="password" name="password" autocomplete="new-password" required aria-describedby="password-rule" />
                    <span class="meta" id="password-rule">{t(Msg::PasswordRule)}</span>
                    {create_errors.field("password")}
                </label>
                <label>
                    {t(Msg::Role)}
                    <RoleSelect selected=Role::parse(&value("role")).unwrap_or(Role::Viewer) />
                    {create_errors.field("role")}
                </label>
                {create_errors.summary("create-user-error")}
                <button type="submit" data-testid="create-user-submit">
                    {t(Msg::CreateUser)}
                </button>
            </PostForm>
        </section>
    }
}

#[component]
fn RoleSelect(selected: Role) -> impl IntoView {
    let locale = expect_context::<Locale>();
    view! {
        <select name="role">
            {Role::ALL
                .map(|r| view! { <option value=r.as_str() selected=r == selected>{role_label(r).text(locale)}</option> })
                .into_iter().collect_view()}
        </select>
    }
}

/// A role as the reader's language names it (the form posts `Role::as_str`).
fn role_label(role: Role) -> Msg {
    match role {
        Role::Admin => Msg::RoleAdmin,
        Role::Manager => Msg::RoleManager,
        Role::Responder => Msg::RoleResponder,
        Role::Viewer => Msg::RoleViewer,
    }
}

#[component]
fn UserTable(users: Vec<UserSummary>, people: Vec<(String, String)>) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let rows = users
        .into_iter()
        .map(|u| {
            let id = u.id.to_string();
            let (role_id, contact_id, disable_id) = (id.clone(), id.clone(), id.clone());
            let contact = u.contact.clone().unwrap_or_default();
            let status = if u.disabled { Msg::Disabled } else { Msg::Active };
            let toggle = if u.disabled { Msg::Enable } else { Msg::Disable };
            let mut choices: Vec<(String, String)> =
                people.iter().map(|(alias, name)| (alias.clone(), format!("{name} ({alias})"))).collect();
            // A link to someone no longer in the list still shows what it is.
            if !contact.is_empty() && !people.iter().any(|(alias, _)| *alias == contact) {
                choices.push((contact.clone(), contact.clone()));
            }
            let options = choices
                .into_iter()
                .map(|(alias, label)| {
                    let selected = alias == contact;
                    view! { <option value=alias selected=selected>{label}</option> }
                })
                .collect_view();
            view! {
                <tr data-username=u.username.clone()>
                    <td data-label=t(Msg::Username)>{u.username.clone()}</td>
                    <td data-label=t(Msg::DisplayName)>{u.display_name.clone()}</td>
                    <td data-label=t(Msg::Role)>
                        <span class="role-name" data-testid="user-role">{role_label(u.role).text(locale)}</span>
                        <PostForm action=SetUserRole::PATH class="inline">
                            <input type="hidden" name="user_id" value=role_id />
                            <RoleSelect selected=u.role />
                            <button type="submit">{t(Msg::Save)}</button>
                        </PostForm>
                    </td>
                    <td data-label=t(Msg::LinkedPerson)>
                        <PostForm action=SetUserContact::PATH class="inline">
                            <input type="hidden" name="user_id" value=contact_id />
                            <select name="contact" data-testid="user-contact" aria-label=t(Msg::LinkedPerson)>
                                <option value="" selected=contact.is_empty()>{t(Msg::NotLinked)}</option>
                                {options}
                            </select>
                            <button type="submit" data-testid="user-contact-save">{t(Msg::Save)}</button>
                        </PostForm>
                    </td>
                    <td data-label=t(Msg::Status)>
                        {t(status)}
                        <PostForm action=SetUserDisabled::PATH class="inline">
                            <input type="hidden" name="user_id" value=disable_id />
                            <input type="hidden" name="disabled" value=(!u.disabled).to_string() />
                            <button type="submit">{t(toggle)}</button>
                        </PostForm>
                    </td>
                    <td data-label=t(Msg::Password)>
                        <PostForm action=ResetUserPassword::PATH class="inline">
                            <input type="hidden" name="user_id" value=id />
                            <input type="password" name="password" autocomplete="new-password"
                                placeholder=t(Msg::NewPassword) aria-label=t(Msg::NewPassword) title=t(Msg::PasswordRule) required />
                            <button type="submit">{t(Msg::ResetPassword)}</button>
                        </PostForm>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table data-testid="user-list" class="rows">
            <thead>
                <tr>
                    <th>{t(Msg::Username)}</th>
                    <th>{t(Msg::DisplayName)}</th>
                    <th>{t(Msg::Role)}</th>
                    <th>{t(Msg::LinkedPerson)}</th>
                    <th>{t(Msg::Status)}</th>
                    <th>{t(Msg::Password)}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let zone = viewer_zone(locale);
    let t = move |m: Msg| m.text(locale);
    let filter = ["actor", "entity", "since", "until"].map(query_param);
    let [actor, entity, since, until] = filter.clone();
    let query_zone = zone.clone();
    let entries = Resource::new(
        move || (actor.clone(), entity.clone(), since.clone(), until.clone()),
        move |(a, e, s, u)| audit_log(a, e, s, u, Some(query_zone.clone())),
    );
    let [actor, entity, since, until] = filter.map(Option::unwrap_or_default);
    view! {
        <section class="card">
            <h1>{t(Msg::NavAudit)}</h1>
            <form method="get" class="filters">
                <label>
                    {t(Msg::AuditWho)}
                    <input name="actor" value=actor />
                </label>
                <label>
                    {t(Msg::AuditEntity)}
                    <input name="entity" value=entity />
                </label>
                <label>
                    {t(Msg::AuditSince)} " (" {zone.clone()} ")"
                    <input type="datetime-local" name="since" value=since />
                </label>
                <label>
                    {t(Msg::AuditUntil)} " (" {zone.clone()} ")"
                    <input type="datetime-local" name="until" value=until />
                </label>
                <button type="submit">{t(Msg::AuditFilter)}</button>
            </form>
            {loaded(entries, move |list| {
                if list.is_empty() {
                    return view! { <p class="empty">{t(Msg::AuditEmpty)}</p> }.into_any();
                }
                let rows = list
                    .into_iter()
                    .map(|e| {
                        view! {
                            <tr>
                                <td data-label=t(Msg::AuditWhen)><When at=e.at zone=zone.clone() /></td>
                                <td data-label=t(Msg::AuditWho)>{e.actor}</td>
                                <td data-label=t(Msg::AuditAction)>{e.action}</td>
                                <td data-label=t(Msg::AuditEntity)>{format!("{} {}", e.entity, e.entity_id)}</td>
                                <td data-label=t(Msg::AuditBefore)><code>{e.before.unwrap_or_default()}</code></td>
                                <td data-label=t(Msg::AuditAfter)><code>{e.after.unwrap_or_default()}</code></td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <table data-testid="audit-list" class="rows">
                        <thead>
                            <tr>
                                <th>{t(Msg::AuditWhen)}</th>
                                <th>{t(Msg::AuditWho)}</th>
                                <th>{t(Msg::AuditAction)}</th>
                                <th>{t(Msg::AuditEntity)}</th>
                                <th>{t(Msg::AuditBefore)}</th>
                                <th>{t(Msg::AuditAfter)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
                .into_any()
            })}
        </section>
    }
}

/// Access keys for the console's SSM-compatible API: issue (the secret is shown once), revoke.
#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let keys = Resource::new(|| (), |()| list_api_keys());
    let issue_errors = FormErrors::of(IssueApiKey::PATH, locale);
    let revoke_errors = FormErrors::of(RevokeApiKey::PATH, locale);
    let issued = outcome::<IssuedApiKey>(IssueApiKey::PATH).and_then(|o| o.result.ok()).map(|k| {
        view! {
            <div class="ok" role="status" data-testid="issued-key">
                <p>{t(Msg::ApiKeyShownOnce)}</p>
                <dl>
                    <dt>"aws_access_key_id"</dt>
                    <dd><code data-testid="issued-key-id">{k.access_key_id}</code></dd>
                    <dt>"aws_secret_access_key"</dt>
                    <dd><code data-testid="issued-key-secret">{k.secret_access_key}</code></dd>
                </dl>
            </div>
        }
    });
    view! {
        <section class="card">
            <h1>{t(Msg::NavApiKeys)}</h1>
            <p>{t(Msg::ApiKeysHelp)}</p>
            {issued}
            <PostForm action=IssueApiKey::PATH class="inline" testid="issue-key-form">
                <label>
                    {t(Msg::ApiKeyName)}
                    <input name="name" required maxlength="100" />
                    {issue_errors.field("name")}
                </label>
                <button type="submit">{t(Msg::IssueApiKey)}</button>
            </PostForm>
            {revoke_errors.summary("revoke-error")}
            {loaded(keys, |list| view! { <ApiKeyTable keys=list /> })}
        </section>
    }
}

#[component]
fn ApiKeyTable(keys: Vec<ApiKeySummary>) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let zone = viewer_zone(locale);
    let t = move |m: Msg| m.text(locale);
    if keys.is_empty() {
        return view! { <p class="empty">{t(Msg::NoApiKeys)}</p> }.into_any();
    }
    let rows = keys
        .into_iter()
        .map(|k| {
            let when = |at: Option<i64>| at.map(|at| view! { <When at zone=zone.clone() /> });
            let key_id = k.access_key_id.clone();
            view! {
                <tr data-key=k.access_key_id.clone()>
                    <td data-label="Access key id"><code>{k.access_key_id.clone()}</code></td>
                    <td data-label=t(Msg::ApiKeyName)>{k.name}</td>
                    <td data-label=t(Msg::CreatedBy)>{k.created_by}</td>
                    <td data-label=t(Msg::Created)><When at=k.created_at zone=zone.clone() /></td>
                    <td data-label=t(Msg::LastUsed)>{when(k.last_used_at)}</td>
                    <td data-label=t(Msg::Status)>
                        {match k.revoked_at {
                            Some(at) => view! { <span>{t(Msg::Revoked)} " " <When at zone=zone.clone() /></span> }.into_any(),
                            None => view! {
                                <PostForm action=RevokeApiKey::PATH class="inline">
                                    <input type="hidden" name="access_key_id" value=key_id />
                                    <button type="submit" class="danger">{t(Msg::Revoke)}</button>
                                </PostForm>
                            }
                            .into_any(),
                        }}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table data-testid="api-keys" class="rows">
            <thead>
                <tr>
                    <th>"Access key id"</th>
                    <th>{t(Msg::ApiKeyName)}</th>
                    <th>{t(Msg::CreatedBy)}</th>
                    <th>{t(Msg::Created)}</th>
                    <th>{t(Msg::LastUsed)}</th>
                    <th>{t(Msg::Status)}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}
