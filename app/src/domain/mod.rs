//! Domain types and pure logic shared by server and browser.

pub mod contact;
pub mod incident;
pub mod roster;
pub mod rotation;
