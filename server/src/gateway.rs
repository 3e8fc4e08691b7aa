//! `POST /hooks/gateway`: the SMS/voice gateway's way back. The gateway posts an inbound SMS
//! (`{"type":"sms","from":"+81…","text":"482913"}`) or a key pressed during a page's call
//! (`{"type":"keypress","call_id":"<the call's call_id>","digit":"1"}`), authenticated with
//! `Authorization: Bearer <secret>` (`--gateway-secret-file`), and gets back what happened and
//! the text to send or speak: `{"result":"acknowledged","reply":"…","language":"ja"}`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::json;

use crate::audit::{self, Actor, Change};
use crate::engine::Engine;
use crate::engine::replies::ReplyOutcome;

/// Gateway payloads are small; anything larger is not one.
const MAX_BODY: usize = 16 * 1024;

#[derive(Clone)]
pub struct GatewayState {
    pub engine: Engine,
    /// None: replies are not configured, and the hook says so.
    pub secret: Option<Arc<str>>,
}

pub fn routes(state: GatewayState) -> Router {
    Router::new().route("/hooks/gateway", post(inbound)).layer(DefaultBodyLimit::max(MAX_BODY)).with_state(state)
}

#[derive(serde::Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
enum Inbound {
    Sms { from: String, text: String },
    Keypress { call_id: String, digit: String },
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "error": message }))).into_response()
}

/// Compares without an early exit, so the time taken says nothing about the secret.
pub(crate) fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len() && given.iter().zip(expected).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

async fn inbound(State(st): State<GatewayState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(secret) = &st.secret else {
        return error(StatusCode::NOT_FOUND, "gateway replies are not configured (--gateway-secret-file)");
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !same_secret(given.as_bytes(), secret.as_bytes()) {
        return error(StatusCode::UNAUTHORIZED, "missing or wrong Authorization: Bearer <gateway secret>");
    }
    let message: Inbound = match serde_json::from_slice(&body) {
        Ok(m) => m,
        Err(e) => {
            let expected = r#"{"type":"sms","from":…,"text":…} or {"type":"keypress","call_id":…,"digit":…}"#;
            return error(StatusCode::BAD_REQUEST, &format!("{e}; expected {expected}"));
        }
    };
    let result = match &message {
        Inbound::Sms { from, text } => st.engine.sms_reply(from, text).await.map(Some),
        Inbound::Keypress { call_id, digit } => st.engine.key_press(call_id, digit).await,
    };
    match result {
        Ok(Some((outcome, locale))) => {
            let page = match &outcome {
                ReplyOutcome::Acknowledged { page_id, contact } => {
                    // The page is acknowledged whatever happens here; a lost audit row is logged.
                    if let Err(e) = audit_reply(&st.engine, page_id, contact, &message).await {
                        tracing::error!(error = %e, "cannot write the audit row of a gateway reply");
                    }
                    Some(page_id.clone())
                }
                _ => None,
            };
            let answer = json!({
                "result": outcome.name(), "reply": outcome.answer(locale), "language": locale.code(), "page_id": page,
            });
            (StatusCode::OK, axum::Json(answer)).into_response()
        }
        Ok(None) => error(StatusCode::NOT_FOUND, "no call has this call_id"),
        Err(e) => {
            e.log_internal("gateway reply");
            error(StatusCode::INTERNAL_SERVER_ERROR, "the console could not record the reply; try again")
        }
    }
}

/// "acknowledged by <person> by SMS from <number>" (or by a key press in a call), in the audit log.
async fn audit_reply(engine: &Engine, page_id: &str, contact: &str, message: &Inbound) -> Result<(), sqlx::Error> {
    let after = match message {
        Inbound::Sms { from, .. } => json!({ "contact": contact, "via": "sms", "from": from }),
        Inbound::Keypress { call_id, .. } => json!({ "contact": contact, "via": "keypress", "call_id": call_id }),
    };
    let mut tx = engine.database().begin_write().await?;
    let change = Change::created("page_acknowledgement", page_id, &after);
    audit::record(&mut tx, Actor::Recipient(contact), engine.now().timestamp(), change).await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abd", b"abc") && !same_secret(b"ab", b"abc") && !same_secret(b"", b"abc"));
    }
}
