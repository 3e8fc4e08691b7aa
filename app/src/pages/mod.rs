//! Page components.

pub mod admin;
pub mod auth;
pub mod common;
pub mod home;
pub mod oncall;
pub mod rotation;
