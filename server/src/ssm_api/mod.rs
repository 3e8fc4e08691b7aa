//! The console's SSM-compatible API: SSM Contacts (JSON 1.1, `X-Amz-Target: SSMContacts.*` on
//! `POST /`) and SSM Incidents (REST JSON paths) over the local engine, so the AWS SDKs, the AWS
//! CLI and the console's own AWS mode work against it. Every request must carry a SigV4 signature
//! made with an access key the console issued; inputs are checked against the published service
//! models before an operation runs; errors use AWS's envelope, types and status codes.

pub mod arn;
mod contacts;
mod incidents;
pub mod model;
pub mod sigv4;

use std::sync::Arc;

use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode};
use serde_json::{Value, json};

use app::i18n::Locale;

use crate::api_keys::ApiKeys;
use crate::engine::{Engine, new_id};
use crate::error::ServerError;

/// Larger bodies are refused; the largest modelled input (a contact policy) is under 400 KB.
const MAX_BODY_BYTES: usize = 1 << 20;
/// Page size when a list call gives no `MaxResults`.
const DEFAULT_PAGE: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Contacts,
    Incidents,
}

impl Service {
    fn signing_name(self) -> &'static str {
        match self {
            Service::Contacts => "ssm-contacts",
            Service::Incidents => "ssm-incidents",
        }
    }
}

pub struct SsmApi {
    engine: Engine,
    keys: ApiKeys,
    /// The account id in the ARNs this API hands out.
    account: String,
}

#[derive(Clone)]
pub struct ApiState(Arc<SsmApi>);

impl ApiState {
    pub fn new(engine: Engine, keys: ApiKeys, account: String) -> Self {
        ApiState(Arc::new(SsmApi { engine, keys, account }))
    }
}

/// What an operation knows about its caller.
pub(crate) struct Call<'a> {
    engine: &'a Engine,
    arns: arn::Arns,
    access_key_id: String,
}

impl Call<'_> {
    fn actor(&self) -> crate::audit::Actor<'_> {
        crate::audit::Actor::ApiKey(&self.access_key_id)
    }
}

/// An operation's failure, rendered in the calling service's error envelope.
#[derive(Debug)]
pub(crate) enum ApiError {
    Validation { message: String, fields: Vec<(String, String)>, reason: &'static str },
    NotFound { resource_type: &'static str, resource_id: String },
    Conflict { message: String, resource_type: &'static str, resource_id: String },
    Auth(sigv4::AuthError),
    Internal,
}

impl ApiError {
    fn invalid(member: &str, problem: impl Into<String>) -> Self {
        let problem = problem.into();
        ApiError::Validation {
            message: format!("1 validation error detected: {member} {problem}"),
            fields: vec![(member.to_owned(), problem)],
            reason: "FIELD_VALIDATION_FAILED",
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::Validation { .. } => "ValidationException",
            ApiError::NotFound { .. } => "ResourceNotFoundException",
            ApiError::Conflict { .. } => "ConflictException",
            ApiError::Auth(e) => e.code(),
            ApiError::Internal => "InternalServerException",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            ApiError::Validation { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Auth(_) => StatusCode::FORBIDDEN,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn message(&self) -> String {
        match self {
            ApiError::Validation { message, .. } | ApiError::Conflict { message, .. } => message.clone(),
            ApiError::NotFound { resource_type, resource_id } => {
                format!("Resource of type {resource_type} with id {resource_id} was not found.")
            }
            ApiError::Auth(e) => e.to_string(),
            ApiError::Internal => "The service encountered an internal error; try again.".into(),
        }
    }

    fn body(&self, service: Service) -> Value {
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
                tracing::error!(error = %other, "SSM API");
                ApiError::Internal
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

/// Which service a request is for, if it is SSM traffic at all.
pub fn service_of(req: &Request) -> Option<Service> {
    let headers = req.headers();
    if headers.contains_key("x-amz-target") {
        return Some(Service::Contacts);
    }
    let signed =
        headers.get(http::header::AUTHORIZATION).is_some_and(|v| v.as_bytes().starts_with(b"AWS4-HMAC-SHA256"));
    if req.method() == http::Method::POST && req.uri().path() == "/" && signed {
        return Some(Service::Contacts);
    }
    model::incidents().operation_at(req.method().as_str(), req.uri().path()).map(|_| Service::Incidents)
}

/// The outermost layer: SSM traffic goes to the API, everything else to the console.
pub async fn intercept(State(api): State<ApiState>, req: Request, next: Next) -> Response {
    match service_of(&req) {
        Some(service) => api.0.handle(service, req).await,
        None => next.run(req).await,
    }
}

impl SsmApi {
    async fn handle(&self, service: Service, req: Request) -> Response {
        let (parts, body) = req.into_parts();
        let request_id = new_id();
        let result = match to_bytes(body, MAX_BODY_BYTES).await {
            Ok(body) => self.call(service, &parts, &body).await,
            Err(_) => Err(ApiError::invalid("body", "is larger than 1 MiB")),
        };
        let mut response = match result {
            Ok((StatusCode::NO_CONTENT, _)) => StatusCode::NO_CONTENT.into_response(),
            Ok((status, value)) => (status, value.to_string()).into_response(),
            Err(e) => {
                let mut r = (e.status(), e.body(service).to_string()).into_response();
                if let Ok(v) = HeaderValue::from_str(e.code()) {
                    r.headers_mut().insert("x-amzn-errortype", v);
                }
                r
            }
        };
        let content_type = match service {
            Service::Contacts => "application/x-amz-json-1.1",
            Service::Incidents => "application/json",
        };
        let headers = response.headers_mut();
        headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            headers.insert("x-amzn-requestid", v);
        }
        response
    }

    async fn call(
        &self,
        service: Service,
        parts: &http::request::Parts,
        body: &[u8],
    ) -> Result<(StatusCode, Value), ApiError> {
        let auth = self.authenticate(service, parts, body).await?;
        let call = Call {
            engine: &self.engine,
            arns: arn::Arns { region: auth.region.clone(), account: self.account.clone() },
            access_key_id: auth.access_key_id,
        };
        let parse = |body: &[u8]| -> Result<Value, ApiError> {
            if body.iter().all(u8::is_ascii_whitespace) {
                return Ok(json!({}));
            }
            serde_json::from_slice::<Value>(body).ok().filter(Value::is_object).ok_or_else(|| ApiError::Validation {
                message: "The request body is not a JSON object.".into(),
                fields: Vec::new(),
                reason: "CANNOT_PARSE",
            })
        };
        match service {
            Service::Contacts => {
                let target = parts.headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or_default();
                let operation = target.strip_prefix("SSMContacts.").filter(|op| model::contacts().has_operation(op));
                let Some(operation) = operation else {
                    return Err(ApiError::Validation {
                        message: format!("Unknown operation {target:?}."),
                        fields: Vec::new(),
                        reason: "UNKNOWN_OPERATION",
                    });
                };
                let input = parse(body)?;
                checked(model::contacts(), operation, &input)?;
                let output = contacts::call(&call, operation, input).await;
                Ok((StatusCode::OK, as_modelled(model::contacts(), operation, output)?))
            }
            Service::Incidents => {
                let model = model::incidents();
                let operation =
                    model.operation_at(parts.method.as_str(), parts.uri.path()).ok_or(ApiError::Internal)?;
                let mut input = parse(body)?;
                let query: Vec<(String, String)> = parts
                    .uri
                    .query()
                    .unwrap_or_default()
                    .split('&')
                    .filter_map(|p| p.split_once('='))
                    .map(|(k, v)| (sigv4::percent_decode(k), sigv4::percent_decode(v)))
                    .collect();
                for (member, key) in model.query_members(operation) {
                    if let Some((_, v)) = query.iter().find(|(k, _)| *k == key) {
                        input[member] = json!(v);
                    }
                }
                checked(model, operation, &input)?;
                let status = StatusCode::from_u16(model.success_code(operation)).unwrap_or(StatusCode::OK);
                let output = incidents::call(&call, operation, input).await;
                Ok((status, as_modelled(model, operation, output)?))
            }
        }
    }

    async fn authenticate(
        &self,
        service: Service,
        parts: &http::request::Parts,
        body: &[u8],
    ) -> Result<sigv4::Authorization, ApiError> {
        let auth = sigv4::parse_authorization(&parts.headers).map_err(ApiError::Auth)?;
        if auth.service != service.signing_name() {
            return Err(ApiError::Auth(sigv4::AuthError::WrongService(auth.service)));
        }
        let now = chrono::Utc::now();
        let secret = self.keys.secret_for(&auth.access_key_id, now.timestamp()).await.map_err(|e| {
            tracing::error!(error = %e, "SSM API key look-up");
            ApiError::Internal
        })?;
        let secret = secret.ok_or(ApiError::Auth(sigv4::AuthError::UnknownKey))?;
        let signed = sigv4::SignedRequest {
            method: parts.method.as_str(),
            path: parts.uri.path(),
            query: parts.uri.query().unwrap_or_default(),
            headers: &parts.headers,
            body,
        };
        sigv4::verify(&signed, &auth, &secret, now).map_err(ApiError::Auth)?;
        Ok(auth)
    }
}

/// Where an operation models no ResourceNotFoundException (CreateContactChannel, say), an
/// unknown id is a ValidationException, so clients only ever see the errors the model lists.
fn as_modelled(
    model: &model::ServiceModel,
    operation: &str,
    result: Result<Value, ApiError>,
) -> Result<Value, ApiError> {
    match result {
        Err(ApiError::NotFound { resource_type, resource_id })
            if !model.models_error(operation, "ResourceNotFoundException") =>
        {
            Err(ApiError::invalid(resource_type, format!("{resource_id} does not exist")))
        }
        other => other,
    }
}

fn checked(model: &model::ServiceModel, operation: &str, input: &Value) -> Result<(), ApiError> {
    model.check_input(operation, input).map_err(|p| ApiError::invalid(&p.path, p.problem))
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
