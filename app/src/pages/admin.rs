//! Admin: users and roles, and the audit log.

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::admin::{
    ApiKeySummary, CreateUser, IssueApiKey, ResetUserPassword, RevokeApiKey, SetUserContact, SetUserDisabled,
    SetUserRole, UserSummary, audit_log, format_utc, list_api_keys, list_users,
};
use crate::auth::Role;
use crate::i18n::{Locale, Msg};
use crate::pages::common::FormErrors;

#[component]
pub fn UsersPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let create = ServerAction::<CreateUser>::new();
    let set_role = ServerAction::<SetUserRole>::new();
    let set_disabled = ServerAction::<SetUserDisabled>::new();
    let reset = ServerAction::<ResetUserPassword>::new();
    let set_contact = ServerAction::<SetUserContact>::new();
    let changes = move || {
        (create.version().get(), set_role.version().get(), set_disabled.version().get(), set_contact.version().get())
    };
    let users = Resource::new(changes, |_| list_users());
    let create_errors = FormErrors::new(create.value(), locale);
    let row_errors = [
        FormErrors::new(set_role.value(), locale),
        FormErrors::new(set_disabled.value(), locale),
        FormErrors::new(set_contact.value(), locale),
    ];
    let reset_errors = FormErrors::new(reset.value(), locale);
    provide_context(RowActions { set_role, set_disabled, reset, set_contact });

    view! {
        <section class="card">
            <h1>{t(Msg::NavUsers)}</h1>
            <p>
                <a href="/admin/audit">{t(Msg::NavAudit)}</a>
                " · "
                <a href="/admin/api-keys">{t(Msg::NavApiKeys)}</a>
            </p>
            {row_errors.map(|e| e.summary("user-action-error"))}
            {reset_errors.field("password")}
            {move || reset.value().get().and_then(Result::ok).map(|()| view! { <p class="ok" role="status">{t(Msg::Saved)}</p> })}
            <Transition fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(list) => view! { <UserTable users=list /> }.into_any(),
                        Err(e) => view! { <p class="error">{e.message(locale)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <section class="card">
            <h2>{t(Msg::CreateUser)}</h2>
            <ActionForm action=create attr:class="stack" attr:data-testid="create-user-form">
                <label>
                    {t(Msg::Username)}
                    <input name="username" required autocapitalize="none" />
                    {create_errors.field("username")}
                </label>
                <label>
                    {t(Msg::DisplayName)}
                    <input name="display_name" />
                    {create_errors.field("display_name")}
                </label>
                <label>
                    {t(Msg::Password)}
                    <input type="password" name="password" autocomplete="new-password" required />
                    {create_errors.field("password")}
                </label>
                <label>
                    {t(Msg::Role)}
                    <RoleSelect selected=Role::Viewer />
                    {create_errors.field("role")}
                </label>
                {create_errors.summary("create-user-error")}
                <button type="submit" data-testid="create-user-submit">
                    {t(Msg::CreateUser)}
                </button>
            </ActionForm>
        </section>
    }
}

#[derive(Clone, Copy)]
struct RowActions {
    set_role: ServerAction<SetUserRole>,
    set_disabled: ServerAction<SetUserDisabled>,
    reset: ServerAction<ResetUserPassword>,
    set_contact: ServerAction<SetUserContact>,
}

#[component]
fn RoleSelect(selected: Role) -> impl IntoView {
    view! {
        <select name="role">
            {Role::ALL
                .map(|r| view! { <option value=r.as_str() selected=r == selected>{r.as_str()}</option> })
                .to_vec()}
        </select>
    }
}

#[component]
fn UserTable(users: Vec<UserSummary>) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let actions = expect_context::<RowActions>();
    let rows = users
        .into_iter()
        .map(|u| {
            let id = u.id.to_string();
            let (role_id, disable_id, contact_id) = (id.clone(), id.clone(), id.clone());
            let status = if u.disabled { Msg::Disabled } else { Msg::Active };
            let toggle = if u.disabled { Msg::Enable } else { Msg::Disable };
            view! {
                <tr data-username=u.username.clone()>
                    <td>{u.username.clone()}</td>
                    <td>{u.display_name.clone()}</td>
                    <td>
                        <span class="role-name" data-testid="user-role">{u.role.as_str()}</span>
                        <ActionForm action=actions.set_role attr:class="inline">
                            <input type="hidden" name="user_id" value=role_id />
                            <RoleSelect selected=u.role />
                            <button type="submit">{t(Msg::Save)}</button>
                        </ActionForm>
                    </td>
                    <td>
                        <ActionForm action=actions.set_contact attr:class="inline">
                            <input type="hidden" name="user_id" value=contact_id />
                            <input name="contact" data-testid="user-contact" value=u.contact.clone().unwrap_or_default()
                                placeholder=t(Msg::NotLinked) aria-label=t(Msg::LinkedPerson) size="10" />
                            <button type="submit" data-testid="user-contact-save">{t(Msg::Save)}</button>
                        </ActionForm>
                    </td>
                    <td>
                        {t(status)}
                        <ActionForm action=actions.set_disabled attr:class="inline">
                            <input type="hidden" name="user_id" value=disable_id />
                            <input type="hidden" name="disabled" value=(!u.disabled).to_string() />
                            <button type="submit">{t(toggle)}</button>
                        </ActionForm>
                    </td>
                    <td>
                        <ActionForm action=actions.reset attr:class="inline">
                            <input type="hidden" name="user_id" value=id />
                            <input
                                type="password"
                                name="password"
                                autocomplete="new-password"
                                placeholder=t(Msg::NewPassword)
                                required
                            />
                            <button type="submit">{t(Msg::ResetPassword)}</button>
                        </ActionForm>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table data-testid="user-list">
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
        </div>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let query = use_query_map();
    let param = move |k: &str| query.read().get(k).filter(|v| !v.is_empty());
    let filter = move || (param("actor"), param("entity"), param("since"), param("until"));
    let entries = Resource::new(filter, |(a, e, s, u)| audit_log(a, e, s, u));
    let value = move |k: &'static str| move || param(k).unwrap_or_default();
    view! {
        <section class="card">
            <h1>{t(Msg::NavAudit)}</h1>
            <Form method="GET" action="" attr:class="filters">
                <label>
                    {t(Msg::AuditWho)}
                    <input name="actor" value=value("actor") />
                </label>
                <label>
                    {t(Msg::AuditEntity)}
                    <input name="entity" value=value("entity") />
                </label>
                <label>
                    {t(Msg::AuditSince)}
                    <input type="datetime-local" name="since" value=value("since") />
                </label>
                <label>
                    {t(Msg::AuditUntil)}
                    <input type="datetime-local" name="until" value=value("until") />
                </label>
                <button type="submit">{t(Msg::AuditFilter)}</button>
            </Form>
            <Transition fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">{t(Msg::AuditEmpty)}</p> }.into_any(),
                        Ok(list) => {
                            let rows = list
                                .into_iter()
                                .map(|e| {
                                    view! {
                                        <tr>
                                            <td>{format_utc(e.at)}</td>
                                            <td>{e.actor}</td>
                                            <td>{e.action}</td>
                                            <td>{format!("{} {}", e.entity, e.entity_id)}</td>
                                            <td><code>{e.before.unwrap_or_default()}</code></td>
                                            <td><code>{e.after.unwrap_or_default()}</code></td>
                                        </tr>
                                    }
                                })
                                .collect_view();
                            view! {
                                <div class="table-wrap">
                                    <table data-testid="audit-list">
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
                                </div>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <p class="error" data-testid="audit-error">{e.message(locale)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Access keys for the console's SSM-compatible API: issue (the secret is shown once), revoke.
#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let issue = ServerAction::<IssueApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let keys = Resource::new(move || (issue.version().get(), revoke.version().get()), |_| list_api_keys());
    let issue_errors = FormErrors::new(issue.value(), locale);
    let issued = move || {
        issue.value().get().and_then(Result::ok).map(|k| {
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
        })
    };
    view! {
        <section class="card">
            <h1>{t(Msg::NavApiKeys)}</h1>
            <p>{t(Msg::ApiKeysHelp)}</p>
            {issued}
            <ActionForm action=issue attr:class="inline" attr:data-testid="issue-key-form">
                <label>
                    {t(Msg::ApiKeyName)}
                    <input name="name" required maxlength="100" />
                    {issue_errors.field("name")}
                </label>
                <button type="submit">{t(Msg::IssueApiKey)}</button>
            </ActionForm>
            <Transition fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Ok(list) => view! { <ApiKeyTable keys=list revoke=revoke /> }.into_any(),
                        Err(e) => view! { <p class="error">{e.message(locale)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ApiKeyTable(keys: Vec<ApiKeySummary>, revoke: ServerAction<RevokeApiKey>) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    if keys.is_empty() {
        return view! { <p class="empty">{t(Msg::NoApiKeys)}</p> }.into_any();
    }
    let when = |at: Option<i64>| at.map(format_utc).unwrap_or_default();
    let rows = keys
        .into_iter()
        .map(|k| {
            let id = k.access_key_id.clone();
            view! {
                <tr data-key=k.access_key_id.clone()>
                    <td><code>{k.access_key_id.clone()}</code></td>
                    <td>{k.name}</td>
                    <td>{k.created_by}</td>
                    <td>{format_utc(k.created_at)}</td>
                    <td>{when(k.last_used_at)}</td>
                    <td>
                        {match k.revoked_at {
                            Some(at) => view! { <span>{t(Msg::Revoked)} " " {format_utc(at)}</span> }.into_any(),
                            None => view! {
                                <ActionForm action=revoke attr:class="inline">
                                    <input type="hidden" name="access_key_id" value=id />
                                    <button type="submit" class="danger">{t(Msg::Revoke)}</button>
                                </ActionForm>
                            }
                            .into_any(),
                        }}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table data-testid="api-keys">
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
