//! Sign-in and first-administrator setup: plain forms.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::session::{Login, SetupAdmin, setup_status};
use crate::forms::{FormErrors, PostForm, outcome};
use crate::i18n::{Locale, Msg};
use crate::pages::common::query_param;

#[component]
pub fn LoginPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let errors = FormErrors::of(Login::PATH, locale);
    let typed = outcome::<()>(Login::PATH).and_then(|o| o.value("username")).unwrap_or_default();
    let next = query_param("next").unwrap_or_default();
    view! {
        <section class="card narrow">
            <h1>{Msg::SignIn.text(locale)}</h1>
            <PostForm action=Login::PATH>
                <input type="hidden" name="next" value=next />
                <label>
                    {Msg::Username.text(locale)}
                    <input name="username" autocomplete="username" required autocapitalize="none" value=typed />
                </label>
                <label>
                    {Msg::Password.text(locale)}
                    <input type="password" name="password" autocomplete="current-password" required />
                </label>
                {errors.summary("login-error")}
                <button type="submit" data-testid="login-submit">
                    {Msg::SignIn.text(locale)}
                </button>
            </PostForm>
        </section>
    }
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    let token = query_param("token").unwrap_or_default();
    let status = Resource::new_blocking(move || token.clone(), setup_status);
    view! {
        <section class="card narrow">
            <h1>{Msg::SetupTitle.text(locale)}</h1>
            <Suspense>
                {move || Suspend::new(async move {
                    if status.await.unwrap_or(false) {
                        view! { <SetupForm token=query_param("token").unwrap_or_default() /> }.into_any()
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
    let errors = FormErrors::of(SetupAdmin::PATH, locale);
    let last = outcome::<()>(SetupAdmin::PATH);
    let typed = move |f: &str| last.as_ref().and_then(|o| o.value(f)).unwrap_or_default();
    let t = move |m: Msg| m.text(locale);
    view! {
        <p>{t(Msg::SetupIntro)}</p>
        <PostForm action=SetupAdmin::PATH>
            <input type="hidden" name="token" value=token />
            <label>
                {t(Msg::Username)}
                <input name="username" autocomplete="username" required autocapitalize="none" value=typed("username") />
                {errors.field("username")}
            </label>
            <label>
                {t(Msg::DisplayName)}
                <input name="display_name" autocomplete="name" value=typed("display_name") />
                {errors.field("display_name")}
            </label>
            <label>
                {t(Msg::Password)}
                <input type="password" name="password" autocomplete="new-password" required aria-describedby="password-rule" />
                <span class="meta" id="password-rule">{t(Msg::PasswordRule)}</span>
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
        </PostForm>
    }
}
