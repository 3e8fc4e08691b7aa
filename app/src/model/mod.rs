//! The data the console's pages, server functions and backends exchange: views of the on-call
//! model, rotations, accounts and the session. Types only, so that `ports`, the server functions
//! and the server's backends all depend on this module and never on each other.

pub mod admin;
pub mod alerts;
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
pub mod session;
