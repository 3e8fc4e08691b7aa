//! Who is signed in and which backend serves the model.

use serde::{Deserialize, Serialize};

use crate::auth::CurrentUser;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackendMode {
    Local,
    Aws,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user: Option<CurrentUser>,
    pub backend: BackendMode,
    /// AWS mode: region and account.
    pub backend_location: Option<String>,
}
