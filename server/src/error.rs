//! The server's one error type. Engine, accounts, feeds, swaps, the roster log and the API keys
//! return it; `?` turns a database error into it; and it becomes the browser's `AppError` in one
//! place, [`From<ServerError> for AppError`], which logs whatever the browser is not told.

use app::error::{AppError, FieldError};
use app::i18n::Msg;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("{0} {1} not found")]
    NotFound(&'static str, String),
    #[error("{0} {1} already exists")]
    Conflict(&'static str, String),
    /// Someone else changed the rotation's definition since the edit began.
    #[error("stale edit: the rotation is at version {current}")]
    Stale { current: u32 },
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// A stored value this build cannot read: never replaced by a default.
    #[error("stored {0} is unreadable: {1}")]
    Corrupt(&'static str, String),
    #[error("background task: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// A background task this request needed has ended (the process is shutting down).
    #[error("the console is stopping")]
    Stopped,
    /// A write shared with other requests failed (said once per request it carried).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Already said in the browser's terms (sign-in limits, AWS problems, roles).
    #[error("{0}")]
    App(AppError),
}

impl ServerError {
    pub fn invalid(field: &str, msg: Msg) -> Self {
        ServerError::Invalid(vec![FieldError::new(field, msg)])
    }

    /// A stored name (a status, a kind) that no longer means anything.
    pub fn unknown_name(what: &'static str, name: &str) -> Self {
        ServerError::Corrupt(what, format!("unknown name '{name}'"))
    }

    pub fn corrupt_json(what: &'static str, e: &serde_json::Error) -> Self {
        ServerError::Corrupt(what, e.to_string())
    }

    /// True when the database (not the request) is at fault: worth a retry later.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, ServerError::Db(_) | ServerError::Task(_) | ServerError::Stopped)
    }

    /// True when the database is only busy (no connection free in time, a lock held too long,
    /// too many clients): the caller should slow down and retry, as after throttling.
    pub fn is_busy(&self) -> bool {
        match self {
            ServerError::Db(sqlx::Error::PoolTimedOut) => true,
            // SQLite BUSY and LOCKED (with extended codes); PostgreSQL serialization failure,
            // deadlock, too many connections, lock not available.
            ServerError::Db(sqlx::Error::Database(d)) => d.code().is_some_and(|c| {
                matches!(c.as_ref(), "5" | "6" | "261" | "262" | "517" | "40001" | "40P01" | "53300" | "55P03")
            }),
            _ => false,
        }
    }

    /// Logs a failure the caller is not told the details of, and counts it if it is the
    /// database's.
    pub fn log_internal(&self, context: &'static str) {
        if self.is_unavailable() {
            crate::metrics::database_error(crate::metrics::Component::Request);
        }
        tracing::error!(error = %self, "{context}");
    }
}

impl From<AppError> for ServerError {
    fn from(e: AppError) -> Self {
        ServerError::App(e)
    }
}

impl From<ServerError> for AppError {
    fn from(e: ServerError) -> Self {
        match e {
            ServerError::Invalid(fields) => AppError::Invalid(fields),
            ServerError::NotFound(..) => AppError::NotFound,
            ServerError::Stale { current } => AppError::StaleVersion { current },
            ServerError::App(e) => e,
            other => {
                other.log_internal("server error");
                AppError::Internal
            }
        }
    }
}

/// `Ok(None)` for a thing that is not there; any other failure stays a failure (a database that
/// does not answer never reads as "absent").
pub fn optional<T>(result: Result<T, ServerError>) -> Result<Option<T>, ServerError> {
    match result {
        Ok(found) => Ok(Some(found)),
        Err(ServerError::NotFound(..)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Reads a stored name with `parse` (a `named_enum!`), refusing names nobody knows.
pub fn stored<T>(what: &'static str, name: &str, parse: fn(&str) -> Option<T>) -> Result<T, ServerError> {
    parse(name).ok_or_else(|| ServerError::unknown_name(what, name))
}
