//! `#[server]` functions, grouped by area. Each one either calls
//! [`crate::auth::ssr::require_role`] first or is listed as public in the authorization test.

pub mod admin;
pub mod oncall;
pub mod rotations;
pub mod session;
