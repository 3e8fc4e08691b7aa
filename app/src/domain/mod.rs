//! Domain types and pure logic shared by server and browser.

pub mod rotation;
