//! Domain types and pure logic shared by server and browser.

pub mod alert;
pub mod analytics;
pub mod condition;
pub mod contact;
pub mod delivery;
pub mod drill;
pub mod escalation;
pub mod hours;
pub mod incident;
pub mod names;
pub mod people;
pub mod personal_plan;
pub mod plan_form;
pub mod response_plan_form;
pub mod review;
pub mod roster;
pub mod rotation;
pub mod rotation_form;
pub mod routing;
pub mod stop_reason;
pub mod timezone;
pub mod usage;
pub mod web_link;
