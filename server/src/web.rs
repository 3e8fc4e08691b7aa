//! HTTP plumbing around the Leptos app: same-origin checks, the current user, security headers,
//! the language switch, health probes and metrics.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Form;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use app::auth::ssr::ClientAddr;
use app::forms::safe_next;
use app::i18n::{LOCALE_COOKIE, Locale};
use app::ports::SessionClaims;
use app::zone::{ZONE_COOKIE, ZONE_FIXED_COOKIE};

use crate::accounts::SqlAccounts;
use crate::db::Db;
use crate::engine::Engine;

#[derive(Clone)]
pub struct WebState {
    pub origin: Arc<str>,
    pub accounts: Arc<SqlAccounts>,
    pub db: Db,
    pub session_max_secs: i64,
    pub trusted_proxy_hops: u8,
    pub secure_cookies: bool,
}

/// Refuses state-changing requests that do not come from the console's own pages (CSRF).
pub async fn same_origin(State(st): State<WebState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    if is_same_origin(req.headers(), &st.origin) {
        next.run(req).await
    } else {
        tracing::warn!(method = %req.method(), path = %req.uri().path(), "cross-origin request refused");
        (StatusCode::FORBIDDEN, "Cross-origin request refused.").into_response()
    }
}

pub(crate) fn is_same_origin(headers: &HeaderMap, origin: &str) -> bool {
    match headers.get(header::ORIGIN) {
        Some(o) if o.as_bytes() != b"null" => o.as_bytes() == origin.as_bytes(),
        // Browsers that omit Origin, or send `null` (a page with `Referrer-Policy: no-referrer`),
        // still say where a request came from, in a header no page can set.
        _ => headers.get("sec-fetch-site").is_some_and(|v| v.as_bytes() == b"same-origin"),
    }
}

/// Puts the signed-in user and the client address into the request for server functions.
pub async fn current_user(State(st): State<WebState>, session: Session, mut req: Request, next: Next) -> Response {
    let client = client_addr(&req, st.trusted_proxy_hops);
    req.extensions_mut().insert(ClientAddr(client));
    if let Ok(Some(claims)) = session.get::<SessionClaims>(SessionClaims::KEY).await {
        match st.accounts.session_user(&claims, st.session_max_secs).await {
            Ok(Some(user)) => {
                req.extensions_mut().insert(user);
            }
            Ok(None) => {
                // Disabled user, reset password or absolute lifetime reached.
                let _ = session.flush().await;
            }
            Err(e) => {
                crate::metrics::database_error(crate::metrics::Component::Request);
                tracing::error!(error = %e, "cannot load the session's user");
                return (StatusCode::SERVICE_UNAVAILABLE, "Database unavailable.").into_response();
            }
        }
    }
    next.run(req).await
}

/// The TCP peer, or — behind `hops` trusted proxies — the address the outermost of them saw.
pub(crate) fn client_addr(req: &Request, hops: u8) -> String {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
    if hops > 0 {
        let forwarded: Vec<&str> = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        if let Some(addr) = forwarded.len().checked_sub(usize::from(hops)).and_then(|i| forwarded.get(i)) {
            return (*addr).to_owned();
        }
    }
    peer.unwrap_or_else(|| "unknown".to_owned())
}

/// leptos_axum answers a redirect during page rendering with 200 + `Location` unless the client
/// accepts HTML; a page redirect is a real redirect for every client.
pub async fn page_redirects(req: Request, next: Next) -> Response {
    let is_page = req.method() == Method::GET && !req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    if is_page && res.status() == StatusCode::OK && res.headers().contains_key(header::LOCATION) {
        *res.status_mut() = StatusCode::FOUND;
        res.headers_mut().remove("serverfnredirect");
    }
    res
}

/// What the security headers depend on: HSTS only when the console is served over https (a
/// browser that saw it on plain http would refuse the console for a year).
#[derive(Clone, Copy)]
pub struct HeaderPolicy {
    pub https: bool,
}

/// The Content-Security-Policy of a console page. Scripts: the console's own files and inline
/// scripts carrying this response's nonce (the zone script, the islands' hydration module), and
/// WebAssembly; nothing inline without the nonce, so neither an injected `<script>` nor a
/// `javascript:` URL runs. Styles only from the stylesheet; forms post only to the console.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
         form-action 'self'"
    )
}

/// Everything that is not a page (JSON, feeds, metrics, files): nothing to run or embed.
pub const OTHER_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// The security headers of every response, on every route (pages, server functions, files,
/// `/ingest`, `/metrics`, the SSM API, acknowledge links). A response that set its own policy
/// (the acknowledge page: no script at all, no referrer) keeps it. The nonce is made here and
/// handed to the page render through the request (`app::app::shell` provides it to Leptos).
pub async fn security_headers(State(policy): State<HeaderPolicy>, mut req: Request, next: Next) -> Response {
    let nonce = leptos::nonce::Nonce::new();
    req.extensions_mut().insert(nonce.clone());
    let mut res = next.run(req).await;
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::REFERRER_POLICY) {
        h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    }
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        let csp = if is_html { HeaderValue::from_str(&page_csp(&nonce)).ok() } else { None };
        h.insert(header::CONTENT_SECURITY_POLICY, csp.unwrap_or(HeaderValue::from_static(OTHER_CSP)));
    }
    if policy.https {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    res
}

#[derive(serde::Deserialize)]
pub struct LocaleForm {
    lang: String,
    next: Option<String>,
}

/// POST /locale: remembers the language for a year and goes back to the page.
pub async fn set_locale(State(st): State<WebState>, Form(form): Form<LocaleForm>) -> Response {
    let Some(locale) = Locale::parse(&form.lang) else {
        return (StatusCode::BAD_REQUEST, format!("Unknown language '{}'; accepted: en, ja.", form.lang))
            .into_response();
    };
    let secure = if st.secure_cookies { "; Secure" } else { "" };
    let cookie = format!("{LOCALE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}", locale.code());
    let next = safe_next(form.next.as_deref());
    (StatusCode::SEE_OTHER, [(header::SET_COOKIE, cookie), (header::LOCATION, next)]).into_response()
}

#[derive(serde::Deserialize)]
pub struct ZoneForm {
    /// An IANA zone, or empty to follow the browser's zone again.
    tz: String,
    next: Option<String>,
}

/// POST /zone: shows times in the chosen zone (fixed), or the browser's again (empty).
pub async fn set_zone(State(st): State<WebState>, Form(form): Form<ZoneForm>) -> Response {
    let secure = if st.secure_cookies { "; Secure" } else { "" };
    let tz = form.tz.trim();
    let cookies = if tz.is_empty() {
        [
            format!("{ZONE_FIXED_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax{secure}"),
            format!("{ZONE_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax{secure}"),
        ]
    } else if app::domain::timezone::parse_time_zone(tz).is_some() {
        [
            format!("{ZONE_FIXED_COOKIE}=1; Path=/; Max-Age=31536000; SameSite=Lax{secure}"),
            format!("{ZONE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}", tz.replace('/', "%2F")),
        ]
    } else {
        return (StatusCode::BAD_REQUEST, format!("Unknown time zone '{tz}'; use an IANA name such as Asia/Tokyo."))
            .into_response();
    };
    let next = safe_next(form.next.as_deref());
    let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, next)]).into_response();
    for cookie in cookies {
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(st): State<WebState>) -> Response {
    if st.db.ready().await {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable or migrations not applied").into_response()
    }
}

/// Prometheus scrape: the process's counters and the database's backlog (left out, with
/// `oncall_database_up 0`, when the database does not answer).
pub async fn metrics(State(engine): State<Engine>) -> Response {
    let backlog = match engine.backlog().await {
        Ok(b) => Some(b),
        Err(e) => {
            crate::metrics::database_error(crate::metrics::Component::Request);
            tracing::warn!(error = %e, "metrics: backlog unreadable");
            None
        }
    };
    let text = crate::metrics::render(backlog.as_ref());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_must_match_exactly() {
        let mut h = HeaderMap::new();
        assert!(!is_same_origin(&h, "http://127.0.0.1:3000"));
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!is_same_origin(&h, "http://127.0.0.1:3000"));
        h.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        assert!(is_same_origin(&h, "http://127.0.0.1:3000"));
        h.insert(header::ORIGIN, HeaderValue::from_static("http://127.0.0.1:3000.evil.example"));
        assert!(!is_same_origin(&h, "http://127.0.0.1:3000"));
        h.insert(header::ORIGIN, HeaderValue::from_static("http://127.0.0.1:3000"));
        assert!(is_same_origin(&h, "http://127.0.0.1:3000"));
        // `Origin: null` tells nothing; Sec-Fetch-Site decides.
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(is_same_origin(&h, "http://127.0.0.1:3000"));
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!is_same_origin(&h, "http://127.0.0.1:3000"));
    }

    #[test]
    fn forwarded_for_is_read_from_the_right() {
        let req = |xff: &str| {
            let mut r = Request::new(axum::body::Body::empty());
            r.headers_mut().insert("x-forwarded-for", HeaderValue::from_str(xff).unwrap());
            r
        };
        assert_eq!(client_addr(&req("6.6.6.6, 10.0.0.1"), 1), "10.0.0.1");
        assert_eq!(client_addr(&req("6.6.6.6, 10.0.0.1"), 2), "6.6.6.6");
        assert_eq!(client_addr(&req("6.6.6.6"), 0), "unknown");
    }
}
