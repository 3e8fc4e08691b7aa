//! Forms without JavaScript: post/redirect/get around the server functions (see `app::forms`).
//!
//! A browser that submits a form posts to `/api/<function>` and accepts HTML. The function runs as
//! it would for a script (JSON answer, real status); then its outcome is kept in the session as a
//! [`Flash`] and the browser is sent back with 303: to where the function redirected, or to the
//! page the form was on. The next page render takes the flash out of the session, so it shows
//! exactly once.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use app::error::AppError;
use app::forms::Flash;
use app::forms::safe_next;

/// Larger form bodies are refused: every console form is a few fields.
const MAX_FORM_BYTES: usize = 64 * 1024;
/// A server function's answer kept for the next page (an issued key, a feed URL) is small.
const MAX_OUTPUT_BYTES: usize = 256 * 1024;

fn accepts_html(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// The path and query of the page the form was on, when the browser says so (same site only).
fn form_page(headers: &HeaderMap) -> String {
    let referer = headers.get(header::REFERER).and_then(|v| v.to_str().ok());
    let path = referer.and_then(|r| r.split_once("://")).and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]));
    safe_next(path)
}

fn see_other(to: &str) -> Response {
    let location = HeaderValue::from_str(to).unwrap_or_else(|_| HeaderValue::from_static("/"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

/// Runs a browser's form post to a server function as post/redirect/get.
pub async fn html_forms(session: Session, req: Request, next: Next) -> Response {
    let is_form_post =
        req.method() == Method::POST && req.uri().path().starts_with("/api/") && accepts_html(req.headers());
    if !is_form_post {
        return next.run(req).await;
    }
    let path = req.uri().path().to_owned();
    let back = form_page(req.headers());
    let (mut parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "Form too large.").into_response();
    };
    let fields: Vec<(String, String)> = form_urlencoded::parse(&bytes)
        .filter(|(k, _)| !Flash::is_secret_field(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    parts.headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    let res = next.run(Request::from_parts(parts, Body::from(bytes))).await;

    let status = res.status();
    let redirected = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(|l| safe_next(Some(l)));
    let output = to_bytes(res.into_body(), MAX_OUTPUT_BYTES).await.unwrap_or_default();
    let flash = if status.is_success() {
        Flash { path, ok: Some(String::from_utf8_lossy(&output).into_owned()), err: None, fields }
    } else {
        let err = serde_json::from_slice::<AppError>(&output).unwrap_or(AppError::Internal);
        Flash { path, ok: None, err: Some(err), fields }
    };
    if let Err(e) = session.insert(Flash::SESSION_KEY, &flash).await {
        tracing::error!(error = %e, "cannot keep a form's outcome in the session");
    }
    match redirected {
        Some(to) if status.is_success() => see_other(&to),
        _ => see_other(&back),
    }
}

/// Gives a server function's error its own status. Errors raised before the function runs
/// (arguments that do not parse) leave server_fn with a generic 500; the body still says which
/// error it is, and that decides the status (a bad argument is the caller's 400).
pub async fn error_status(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !is_api || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = to_bytes(body, MAX_OUTPUT_BYTES).await.unwrap_or_default();
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Hands the last form's outcome to the page rendered next, and forgets it.
pub async fn take_flash(session: Session, mut req: Request, next: Next) -> Response {
    if req.method() == Method::GET && !req.uri().path().starts_with("/api/") {
        // Look before removing: removing marks the session changed, which costs a write.
        if let Ok(Some(flash)) = session.get::<Flash>(Flash::SESSION_KEY).await {
            let _ = session.remove_value(Flash::SESSION_KEY).await;
            req.extensions_mut().insert(flash);
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_way_back_is_a_path_on_this_site() {
        let mut h = HeaderMap::new();
        assert_eq!(form_page(&h), "/");
        h.insert(header::REFERER, HeaderValue::from_static("http://127.0.0.1:3000/admin/users?x=1"));
        assert_eq!(form_page(&h), "/admin/users?x=1");
        h.insert(header::REFERER, HeaderValue::from_static("http://127.0.0.1:3000"));
        assert_eq!(form_page(&h), "/");
    }
}
