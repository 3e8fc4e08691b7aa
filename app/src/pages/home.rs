use leptos::prelude::*;

use crate::i18n::{Locale, Msg};

#[component]
pub fn HomePage() -> impl IntoView {
    let locale = expect_context::<Locale>();
    view! {
        <section class="card">
            <h1>{Msg::WelcomeTitle.text(locale)}</h1>
            <p>{Msg::WelcomeBody.text(locale)}</p>
        </section>
    }
}
