//! The console's shared crate: components, routes, `#[server]` functions, domain types and pure
//! logic. Compiles to wasm32 (`hydrate`) and native (`ssr`); server-only services are reached
//! through [`ports`] so that no database or AWS code ever enters the browser bundle.
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod auth;
pub mod domain;
pub mod error;
pub mod forms;
pub mod i18n;
pub mod islands;
pub mod model;
pub mod pages;
pub mod paths;
#[cfg(feature = "ssr")]
pub mod ports;
pub mod zone;

/// The browser entry point: only islands hydrate; the rest of every page stays server HTML.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
