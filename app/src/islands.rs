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
