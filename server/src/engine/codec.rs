//! How the engine stores structured values: JSON text, read back strictly.

use crate::error::ServerError;

/// Reads a stored JSON value; one this build cannot read is an error, never a default.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(what: &'static str, json: &str) -> Result<T, ServerError> {
    serde_json::from_str(json).map_err(|e| ServerError::corrupt_json(what, &e))
}

/// The JSON text a value is stored as.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
