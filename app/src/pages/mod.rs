//! Page components. All render on the server; the rotation and escalation-plan editors
//! are the islands.

pub mod admin;
pub mod alerts;
pub mod auth;
pub mod common;
pub mod drills;
pub mod home;
pub mod incidents;
pub mod me;
pub mod oncall;
pub mod people;
pub mod plans;
pub mod response_plans;
pub mod rotations;
pub mod schedules;
