//! Sign-in and first-administrator setup.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::session::{Login, SetupAdmin, setup_status};
use crate::i18n::{Locale, Msg};
use crate::pages::common::FormErrors;

#[component]
pub fn LoginPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let login = ServerAction::<Login>::new();
    let errors = FormErrors::new(login.value(), locale);
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    view! {
        <section class="card narrow">
            <h1>{Msg::SignIn.text(locale)}</h1>
            <ActionForm action=login>
                <input type="hidden" name="next" value=next />
                <label>
                    {Msg::Username.text(locale)}
                    <input name="username" autocomplete="username" required autocapitalize="none" />
                </label>
                <label>
                    {Msg::Password.text(locale)}
                    <input type="password" name="password" autocomplete="current-password" required />
                </label>
                {errors.summary("login-error")}
                <button type="submit" data-testid="login-submit">
                    {Msg::SignIn.text(locale)}
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let status = Resource::new_blocking(token, setup_status);
    view! {
        <section class="card narrow">
            <h1>{Msg::SetupTitle.text(locale)}</h1>
            <Suspense>
                {move || Suspend::new(async move {
                    if status.await.unwrap_or(false) {
                        view! { <SetupForm token=token() /> }.into_any()
                    } else {
                        view! {
                            <p class="error" data-testid="setup-invalid">
                                {Msg::SetupInvalid.text(locale)}
                            </p>
                        }
                            .into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn SetupForm(token: String) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let setup = ServerAction::<SetupAdmin>::new();
    let errors = FormErrors::new(setup.value(), locale);
    let t = move |m: Msg| m.text(locale);
    view! {
        <p>{t(Msg::SetupIntro)}</p>
        <ActionForm action=setup>
            <input type="hidden" name="token" value=token />
            <label>
                {t(Msg::Username)}
                <input name="username" autocomplete="username" required autocapitalize="none" />
                {errors.field("username")}
            </label>
            <label>
                {t(Msg::DisplayName)}
                <input name="display_name" autocomplete="name" />
                {errors.field("display_name")}
            </label>
            <label>
                {t(Msg::Password)}
                <input type="password" name="password" autocomplete="new-password" required />
                {errors.field("password")}
            </label>
            <label>
                {t(Msg::PasswordConfirm)}
                <input type="password" name="password_confirm" autocomplete="new-password" required />
                {errors.field("password_confirm")}
            </label>
            {errors.summary("setup-error")}
            <button type="submit" data-testid="setup-submit">
                {t(Msg::SetupSubmit)}
            </button>
        </ActionForm>
    }
}
