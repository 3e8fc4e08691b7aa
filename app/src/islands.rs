//! What a page with islands needs: the hydration scripts (only pages that render an island load
//! any WASM), and the marker islands set once they are live.

use leptos::prelude::*;

/// The islands runtime for this page. A page that renders an island renders this too; every
/// other page loads no WASM and no script but the zone cookie's. `server/tests/pages.rs` checks
/// that every route keeps to this.
#[component]
pub fn IslandScripts() -> impl IntoView {
    use_context::<LeptosOptions>().map(|options| view! { <HydrationScripts options islands=true /> })
}

/// Marks the page as interactive once an island is live (tests wait for it).
pub fn mark_hydrated() {
    Effect::new(|| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

/// The stylesheet's URL: content-hashed in release builds (`hash-files`), read once per process.
#[cfg(feature = "ssr")]
pub fn stylesheet_href(options: &LeptosOptions) -> &'static str {
    static HREF: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HREF.get_or_init(|| {
        let hash = options
            .hash_files
            .then(|| {
                let exe_dir = std::env::current_exe().ok()?.parent()?.to_path_buf();
                let hashes = std::fs::read_to_string(exe_dir.join(options.hash_file.as_ref())).ok()?;
                hashes.lines().find_map(|l| l.trim().strip_prefix("css:").map(|h| h.trim().to_owned()))
            })
            .flatten();
        match hash {
            Some(h) => format!("/{}/{}.{h}.css", options.site_pkg_dir, options.output_name),
            None => format!("/{}/{}.css", options.site_pkg_dir, options.output_name),
        }
    })
}

/// HTML-escapes text for an element or an attribute value.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What the islands do to the server-rendered form they sit on, through the DOM directly (no
/// reactive views: that keeps each island's WASM small).
#[cfg(feature = "hydrate")]
pub mod dom {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{Element, Event};

    pub fn find(root: &Element, selector: &str) -> Option<Element> {
        root.query_selector(selector).ok().flatten()
    }

    /// The `value` of an input, select or text area.
    pub fn value(root: &Element, name: &str) -> String {
        find(root, &format!("[name=\"{name}\"]"))
            .and_then(|el| js_sys::Reflect::get(&el, &"value".into()).ok())
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    }

    pub fn set_value(root: &Element, name: &str, text: &str) {
        if let Some(el) = find(root, &format!("[name=\"{name}\"]")) {
            let _ = js_sys::Reflect::set(&el, &"value".into(), &text.into());
        }
    }

    pub fn listen(root: &Element, kind: &str, handler: impl FnMut(Event) + 'static) {
        let closure = Closure::<dyn FnMut(Event)>::new(handler);
        let _ = root.add_event_listener_with_callback(kind, closure.as_ref().unchecked_ref());
        // The listener lives as long as the page.
        closure.forget();
    }
}
