//! Page components. All render on the server; the rotation editor is the one island.

pub mod admin;
pub mod auth;
pub mod common;
pub mod home;
pub mod incidents;
pub mod me;
pub mod oncall;
pub mod rotations;
