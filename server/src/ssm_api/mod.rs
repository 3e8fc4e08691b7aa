//! The console's SSM-compatible API: SSM Contacts (JSON 1.1, `X-Amz-Target: SSMContacts.*` on
//! `POST /`) and SSM Incidents (REST JSON paths) over the local engine, so the AWS SDKs, the AWS
//! CLI and the console's own AWS mode work against it. Every request must carry a SigV4 signature
//! made with an access key the console issued; inputs are checked against the published service
//! models before an operation runs; errors use AWS's envelope, types and status codes.

pub mod arn;
mod call;
mod contacts;
mod incidents;
pub mod model;
pub mod sigv4;
mod wire;

use std::sync::Arc;

use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode};
use serde_json::{Value, json};

use crate::api_keys::ApiKeys;
use crate::engine::{Engine, new_id};
use call::Call;
use wire::ApiError;
pub use wire::Service;

/// Larger bodies are refused; the largest modelled input (a contact policy) is under 400 KB.
const MAX_BODY_BYTES: usize = 1 << 20;

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
