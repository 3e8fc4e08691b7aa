//! AWS errors in words a person can act on: a missing IAM action, throttling, an unreachable
//! endpoint, and field errors mapped back onto the console's form fields.

use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use app::error::{AppError, AwsProblem, FieldError};
use app::i18n::Msg;

/// Turns an SDK failure into words a person can act on; `action` is the IAM action called.
pub(super) fn aws_error<E>(
    action: &str,
    err: &aws_sdk_ssmcontacts::error::SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> AppError
where
    E: ProvideErrorMetadata,
{
    use aws_sdk_ssmcontacts::error::SdkError;
    match err {
        SdkError::ServiceError(e) => {
            let code = e.err().code().unwrap_or("Unknown").to_owned();
            let message = e.err().message().unwrap_or_default().to_owned();
            match code.as_str() {
                "AccessDeniedException"
                | "AccessDenied"
                | "UnrecognizedClientException"
                | "InvalidSignatureException"
                | "MissingAuthenticationTokenException" => {
                    AppError::Aws(AwsProblem::AccessDenied { action: action.to_owned() })
                }
                "ThrottlingException" | "TooManyRequestsException" => AppError::Aws(AwsProblem::Throttled),
                "ResourceNotFoundException" => AppError::NotFound,
                "ValidationException" => {
                    validation(e.raw().body().bytes()).unwrap_or(AppError::Aws(AwsProblem::Rejected { code, message }))
                }
                _ => AppError::Aws(AwsProblem::Rejected { code, message }),
            }
        }
        SdkError::TimeoutError(_) => AppError::Aws(AwsProblem::Unreachable { detail: "timed out".into() }),
        SdkError::DispatchFailure(e) => {
            AppError::Aws(AwsProblem::Unreachable { detail: format!("{e:?}").chars().take(200).collect() })
        }
        other => AppError::Aws(AwsProblem::Rejected { code: "ResponseError".into(), message: format!("{other}") }),
    }
}

/// A ValidationException that lists its fields becomes per-field errors; a message the console
/// itself wrote (the console's SSM API) is the same message again.
fn validation(body: Option<&[u8]>) -> Option<AppError> {
    let body: serde_json::Value = serde_json::from_slice(body?).ok()?;
    let fields = body.get("Fields").or_else(|| body.get("fields"))?.as_array()?;
    let errors: Vec<FieldError> = fields
        .iter()
        .filter_map(|f| {
            let name = f.get("Name").or_else(|| f.get("name"))?.as_str()?;
            let text = f.get("Message").or_else(|| f.get("message")).and_then(|m| m.as_str()).unwrap_or_default();
            Some(FieldError::new(&domain_field(name), Msg::from_english(text).unwrap_or(Msg::ErrBackendRejected)))
        })
        .collect();
    (!errors.is_empty()).then_some(AppError::Invalid(errors))
}

/// A request member path (`Plan.Stages[0].DurationInMinutes`) as the console names the field
/// (`plan.stages.0.duration_minutes`), so AWS's errors land next to the same form fields.
fn domain_field(wire: &str) -> String {
    const RENAMES: [(&str, &str); 6] = [
        ("duration_in_minutes", "duration_minutes"),
        ("time_zone_id", "time_zone"),
        ("contact_ids", "members"),
        ("recurrence_multiplier", "multiplier"),
        ("number_of_on_calls", "number_on_call"),
        ("retry_interval_in_minutes", "retry_minutes"),
    ];
    let mut out = String::new();
    for (i, c) in wire.replace('[', ".").replace(']', "").chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 && !out.ends_with('.') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out.split('.')
        .map(|part| RENAMES.iter().find(|(w, _)| *w == part).map_or(part, |(_, d)| d))
        .collect::<Vec<_>>()
        .join(".")
}

/// Maps a ConflictException on a create to "this name is taken" on the named field.
pub(super) fn taken(err: AppError, field: &str, msg: Msg) -> AppError {
    match err {
        AppError::Aws(AwsProblem::Rejected { code, .. }) if code == "ConflictException" => {
            AppError::Invalid(vec![FieldError::new(field, msg)])
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn wire_paths_become_form_fields() {
        assert_eq!(super::domain_field("Plan.Stages[0].DurationInMinutes"), "plan.stages.0.duration_minutes");
        assert_eq!(super::domain_field("TimeZoneId"), "time_zone");
        assert_eq!(super::domain_field("accept_code"), "accept_code");
    }
}
