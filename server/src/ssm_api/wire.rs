//! What every operation shares: the service it belongs to, AWS's error envelope, and reading,
//! writing and paging the JSON of requests and responses.

use http::StatusCode;
use serde_json::{Value, json};

use app::i18n::Locale;

use super::sigv4;
use crate::error::ServerError;

/// Page size when a list call gives no `MaxResults`.
const DEFAULT_PAGE: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Contacts,
    Incidents,
}

impl Service {
    pub fn signing_name(self) -> &'static str {
        match self {
            Service::Contacts => "ssm-contacts",
            Service::Incidents => "ssm-incidents",
        }
    }
}

/// An operation's failure, rendered in the calling service's error envelope.
#[derive(Debug)]
pub(crate) enum ApiError {
    Validation {
        message: String,
        fields: Vec<(String, String)>,
        reason: &'static str,
    },
    NotFound {
        resource_type: &'static str,
        resource_id: String,
    },
    Conflict {
        message: String,
        resource_type: &'static str,
        resource_id: String,
    },
    Auth(sigv4::AuthError),
    /// The database is busy: SDKs retry a throttled call with backoff.
    Throttled,
    Internal,
}

impl ApiError {
    pub fn invalid(member: &str, problem: impl Into<String>) -> Self {
        let problem = problem.into();
        ApiError::Validation {
            message: format!("1 validation error detected: {member} {problem}"),
            fields: vec![(member.to_owned(), problem)],
            reason: "FIELD_VALIDATION_FAILED",
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Validation { .. } => "ValidationException",
            ApiError::NotFound { .. } => "ResourceNotFoundException",
            ApiError::Conflict { .. } => "ConflictException",
            ApiError::Auth(e) => e.code(),
            ApiError::Throttled => "ThrottlingException",
            ApiError::Internal => "InternalServerException",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Validation { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Auth(_) => StatusCode::FORBIDDEN,
            ApiError::Throttled => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn message(&self) -> String {
        match self {
            ApiError::Validation { message, .. } | ApiError::Conflict { message, .. } => message.clone(),
            ApiError::NotFound { resource_type, resource_id } => {
                format!("Resource of type {resource_type} with id {resource_id} was not found.")
            }
            ApiError::Auth(e) => e.to_string(),
            ApiError::Throttled => "The service is busy; retry after a short wait.".into(),
            ApiError::Internal => "The service encountered an internal error; try again.".into(),
        }
    }

    pub fn body(&self, service: Service) -> Value {
        let mut body = json!({ "__type": self.code() });
        let (message_key, id_key, type_key) = match service {
            Service::Contacts => ("Message", "ResourceId", "ResourceType"),
            Service::Incidents => ("message", "resourceIdentifier", "resourceType"),
        };
        body[message_key] = json!(self.message());
        match self {
            ApiError::NotFound { resource_type, resource_id }
            | ApiError::Conflict { resource_type, resource_id, .. } => {
                body[id_key] = json!(resource_id);
                body[type_key] = json!(resource_type);
            }
            // Required members of SSM Incidents' ThrottlingException.
            ApiError::Throttled if service == Service::Incidents => {
                body["quotaCode"] = json!("database");
                body["serviceCode"] = json!("ssm-incidents");
            }
            ApiError::Validation { fields, reason, .. } if service == Service::Contacts => {
                body["Reason"] = json!(reason);
                body["Fields"] = fields.iter().map(|(n, m)| json!({"Name": n, "Message": m})).collect();
            }
            _ => {}
        }
        body
    }
}

impl From<ServerError> for ApiError {
    fn from(e: ServerError) -> Self {
        match e {
            ServerError::Invalid(errors) => {
                let fields: Vec<(String, String)> =
                    errors.iter().map(|f| (f.field.clone(), f.msg.text(Locale::En).to_owned())).collect();
                let listed: Vec<String> = fields.iter().map(|(n, m)| format!("{n}: {m}")).collect();
                ApiError::Validation {
                    message: format!("{} validation error(s) detected: {}", fields.len(), listed.join("; ")),
                    fields,
                    reason: "FIELD_VALIDATION_FAILED",
                }
            }
            ServerError::NotFound(what, id) => {
                ApiError::NotFound { resource_type: resource_type(what), resource_id: id }
            }
            ServerError::Conflict(what, id) => ApiError::Conflict {
                message: format!("{what} {id} already exists"),
                resource_type: resource_type(what),
                resource_id: id,
            },
            other => {
                other.log_internal("SSM API");
                if other.is_busy() { ApiError::Throttled } else { ApiError::Internal }
            }
        }
    }
}

/// The `ResourceType` names the API reports for the engine's kinds of thing.
fn resource_type(what: &str) -> &'static str {
    match what {
        "contact" => "CONTACT",
        "channel" => "CONTACT_CHANNEL",
        "rotation" => "ROTATION",
        "override" => "ROTATION_OVERRIDE",
        "engagement" => "ENGAGEMENT",
        "page" => "PAGE",
        "response plan" | "response_plan" => "RESPONSE_PLAN",
        "incident" => "INCIDENT_RECORD",
        "timeline event" | "timeline_event" => "TIMELINE_EVENT",
        _ => "RESOURCE",
    }
}

/// Reads a checked input into the operation's request type.
pub(crate) fn input<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|e| ApiError::Validation {
        message: format!("The request cannot be read: {e}"),
        fields: Vec::new(),
        reason: "CANNOT_PARSE",
    })
}

pub(crate) fn output<T: serde::Serialize>(value: &T) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(|_| ApiError::Internal)
}

/// One page of `items` after the opaque `token`; the token for the next page, if any.
pub(crate) fn page<T>(
    items: Vec<T>,
    token: Option<&str>,
    max: Option<i64>,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let start = match token {
        None => 0,
        Some(t) => t
            .strip_prefix("offset-")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n <= items.len())
            .ok_or_else(|| ApiError::invalid("NextToken", "is not a token this API returned"))?,
    };
    let size = match max {
        Some(n) if n > 0 => usize::try_from(n).unwrap_or(DEFAULT_PAGE),
        _ => DEFAULT_PAGE,
    };
    let end = start.saturating_add(size).min(items.len());
    let next = (end < items.len()).then(|| format!("offset-{end}"));
    Ok((items.into_iter().skip(start).take(end - start).collect(), next))
}

/// A list output with its next-page token (`NextToken` or `nextToken`), left out on the last page.
pub(crate) fn with_token(mut body: Value, key: &str, next: Option<String>) -> Value {
    if let Some(token) = next {
        body[key] = json!(token);
    }
    body
}

/// Epoch seconds as AWS sends them: a JSON number.
pub(crate) fn time(at: chrono::DateTime<chrono::Utc>) -> Value {
    json!(at.timestamp())
}

pub(crate) fn from_time(v: f64) -> Result<chrono::DateTime<chrono::Utc>, ApiError> {
    #[allow(clippy::cast_possible_truncation)]
    let secs = v.floor() as i64;
    chrono::DateTime::from_timestamp(secs, 0).ok_or_else(|| ApiError::invalid("timestamp", "is out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_database_is_throttling_and_a_failed_one_internal() {
        let busy = ApiError::from(ServerError::Db(sqlx::Error::PoolTimedOut));
        assert_eq!((busy.code(), busy.status()), ("ThrottlingException", StatusCode::TOO_MANY_REQUESTS));
        let body = busy.body(Service::Incidents);
        assert!(body["quotaCode"].is_string() && body["serviceCode"].is_string() && body["message"].is_string());
        let failed = ApiError::from(ServerError::Db(sqlx::Error::PoolClosed));
        assert_eq!((failed.code(), failed.status()), ("InternalServerException", StatusCode::INTERNAL_SERVER_ERROR));
        let missing = ApiError::from(ServerError::NotFound("contact", "x".into()));
        assert_eq!(missing.code(), "ResourceNotFoundException");
    }
}
