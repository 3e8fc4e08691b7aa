//! `POST /ingest/<integration id>`: alerts in. The door authenticates (`Authorization: Bearer
//! <secret>`, or the secret as the password of HTTP Basic auth, which is what SNS and
//! EventBridge connections can carry), checks the size (256 KB) and the shape, stores the raw
//! event with its dedup key and its alerts in one transaction (shared with the events that arrived
//! meanwhile: group commit, [`store::Intake`]), and only then answers 2xx (SNS
//! messages are checked first: topic, certificate URL, signature; see [`sns`]):
//! routing reads the stored alerts. Answers: 202 accepted (also for a redelivery, which adds
//! nothing), 401 wrong or missing secret, 413 too large, 400 unreadable (with a one-line reason;
//! the body is quarantined), 503 with `Retry-After` when the database is unavailable (senders
//! retry on 5xx).

pub mod cli;
pub mod normalize;
pub mod sns;
pub mod store;

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
use serde_json::json;

use app::domain::alert::IntegrationKind;
use app::ports::Clock;

use crate::error::ServerError;
use store::{Intake, Integrations};

/// Largest body accepted (EventBridge's own event limit).
pub const MAX_BODY: usize = 256 * 1024;

#[derive(Clone)]
pub struct IngestState {
    pub integrations: Integrations,
    /// Writes accepted events, many per transaction.
    pub intake: Intake,
    pub clock: Arc<dyn Clock>,
    /// Tells this replica's router that alerts are waiting.
    pub wake: Arc<tokio::sync::Notify>,
    /// Fetches SNS certificates and subscription confirmations.
    pub sns: Arc<dyn sns::Fetcher>,
}

pub fn routes(state: IngestState) -> Router {
    // The size is checked after authentication, by the handler itself.
    Router::new().route("/ingest/{id}", post(ingest)).layer(DefaultBodyLimit::disable()).with_state(state)
}

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    (status, axum::Json(body)).into_response()
}

fn error(status: StatusCode, message: &str) -> Response {
    answer(status, json!({ "error": message }))
}

/// The database (not the request) failed: the sender should try again.
fn unavailable(e: &ServerError) -> Response {
    tracing::error!(error = %e, "alert ingestion: database unavailable");
    let mut r = error(StatusCode::SERVICE_UNAVAILABLE, "temporarily unavailable; retry");
    r.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
    r
}

/// The secret a request presents: a Bearer token, or the password of Basic auth.
fn presented_secret(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, rest) = value.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(rest.trim().to_owned());
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD.decode(rest.trim()).ok()?;
        let pair = String::from_utf8(decoded).ok()?;
        return pair.split_once(':').map(|(_, password)| password.to_owned());
    }
    None
}

async fn ingest(State(st): State<IngestState>, Path(id): Path<String>, headers: HeaderMap, body: Body) -> Response {
    let door = match st.integrations.door(&id).await {
        Ok(door) => door,
        Err(e) => return unavailable(&e),
    };
    // An unknown integration and a wrong secret look the same from outside.
    let Some(door) = door.filter(|d| presented_secret(&headers).is_some_and(|s| d.accepts(&s))) else {
        return error(StatusCode::UNAUTHORIZED, "unknown integration, or a missing or wrong secret");
    };
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(e) if crate::http_server::is_body_timeout(&e) => {
            return error(StatusCode::REQUEST_TIMEOUT, "the body did not arrive in time");
        }
        Err(_) => return error(StatusCode::PAYLOAD_TOO_LARGE, "the body is larger than 256 KB"),
    };
    let now = st.clock.now().timestamp();
    if door.kind == IntegrationKind::Sns {
        match sns::check(&st.sns, &door.topics, &bytes).await {
            Ok(sns::Checked::Notification) => {}
            Ok(sns::Checked::Handled(what)) => return answer(StatusCode::OK, json!({ "result": what })),
            Err(sns::Refused::Malformed(reason)) => return quarantined(&st, &id, &reason, &bytes, now).await,
            Err(sns::Refused::Forbidden(reason)) => {
                tracing::warn!(integration = %id, %reason, "SNS message refused");
                return error(StatusCode::FORBIDDEN, &reason);
            }
            Err(sns::Refused::Unavailable(reason)) => {
                tracing::warn!(integration = %id, %reason, "SNS certificate or confirmation not fetched");
                return error(StatusCode::SERVICE_UNAVAILABLE, "cannot reach SNS now; retry");
            }
        }
    }
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let inbound = match normalize::read(door.kind, &bytes, key, now) {
        Ok(inbound) => inbound,
        Err(reason) => return quarantined(&st, &id, &reason.0, &bytes, now).await,
    };
    // Read as JSON above, so it is UTF-8.
    let text = String::from_utf8_lossy(&bytes);
    match st.intake.accept(&id, &inbound.dedup_key, &text, inbound.alerts, now).await {
        Ok(a) => {
            if a.alerts > 0 {
                st.wake.notify_one();
            }
            answer(StatusCode::ACCEPTED, json!({ "event_id": a.event_id, "duplicate": !a.new, "alerts": a.alerts }))
        }
        Err(e) => unavailable(&e),
    }
}

/// Keeps an unreadable body for a manager to read, and says why it was refused.
async fn quarantined(st: &IngestState, id: &str, reason: &str, body: &[u8], now: i64) -> Response {
    match st.integrations.quarantine(id, reason, body, now).await {
        Ok(()) => error(StatusCode::BAD_REQUEST, reason),
        Err(e) => unavailable(&e),
    }
}
