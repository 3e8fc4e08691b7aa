//! Secret calendar feed URLs: made on request and shown once; a new one replaces the old.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::rotations::RegenerateFeed;
use crate::forms::{FormErrors, PostForm, outcome};
use crate::i18n::{Locale, Msg};
use crate::model::rotations::{FeedKind, RotationPageData};

#[component]
pub fn FeedsCard(page: RotationPageData) -> impl IntoView {
    let locale = expect_context::<Locale>();
    let t = move |m: Msg| m.text(locale);
    let button = move |kind: FeedKind, subject: String, label: Msg, testid: &'static str| {
        view! {
            <PostForm action=RegenerateFeed::PATH class="inline">
                <input type="hidden" name="kind" value=kind.as_str() />
                <input type="hidden" name="subject" value=subject />
                <button type="submit" data-testid=testid>{t(label)}</button>
            </PostForm>
        }
    };
    let made = outcome::<String>(RegenerateFeed::PATH).and_then(|o| o.result.ok()).map(|url| {
        view! { <p class="ok" role="status">{t(Msg::NewFeedUrl)} ": " <code data-testid="feed-url">{url}</code></p> }
    });
    view! {
        <section class="card" data-testid="feeds">
            <h2>{t(Msg::FeedsHeading)}</h2>
            <p class="meta">{t(Msg::FeedHint)}</p>
            {made}
            {FormErrors::of(RegenerateFeed::PATH, locale).summary("feed-error")}
            <div class="inline">
                {button(FeedKind::Rotation, page.detail.id.clone(), Msg::FeedRotation, "feed-rotation")}
                {page.me.clone().map(|me| button(FeedKind::Person, me, Msg::FeedMine, "feed-mine"))}
            </div>
        </section>
    }
}
