//! A guard around page rendering. Leptos 0.8.23 occasionally leaves a server-rendered page
//! unfinished: the response never completes though the process stays healthy (a race between a
//! `<Suspense>` boundary and its resource, the family of leptos#4851 and #4673; about one page
//! load in three hundred in our route walk under load, on any page). A page render (a GET; it
//! changes nothing) that has not finished in [`RENDER_LIMIT`] is abandoned and rendered again;
//! if that stalls too, the answer is 503 so the browser is not left waiting.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;

/// Longer than any real render (AWS mode's slowest pages read a few dozen AWS objects).
pub const RENDER_LIMIT: Duration = Duration::from_secs(20);

/// `inner`, with every GET rendered completely (buffered) within [`RENDER_LIMIT`], twice at most.
pub fn guard(inner: Router) -> Router {
    Router::new().fallback(move |req: Request| render(inner.clone(), req))
}

async fn render(inner: Router, req: Request) -> Response {
    if req.method() != Method::GET {
        return inner.oneshot(req).await.into_response();
    }
    let (parts, _) = req.into_parts();
    for attempt in 1..=2 {
        let req = Request::from_parts(parts.clone(), Body::empty());
        let whole = async {
            let (head, body) = inner.clone().oneshot(req).await.into_response().into_parts();
            axum::body::to_bytes(body, usize::MAX).await.map(|b| Response::from_parts(head, Body::from(b)))
        };
        match tokio::time::timeout(RENDER_LIMIT, whole).await {
            Ok(Ok(response)) => return response,
            Ok(Err(e)) => {
                tracing::error!(path = %parts.uri.path(), error = %e, "page body failed");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
            Err(_) => tracing::warn!(path = %parts.uri.path(), attempt, "page render stalled; abandoned"),
        }
    }
    (StatusCode::SERVICE_UNAVAILABLE, [("retry-after", "1")], "The page could not be rendered; try again.")
        .into_response()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::routing::get;

    use super::*;

    /// A page whose first `stalls` renders never finish.
    fn page(stalls: usize) -> (Router, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let router = Router::new().route(
            "/p",
            get(move || {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n < stalls {
                        std::future::pending::<()>().await;
                    }
                    "page"
                }
            }),
        );
        (guard(router), calls)
    }

    async fn get_p(router: Router) -> (StatusCode, String) {
        let res = router.oneshot(Request::get("/p").body(Body::empty()).unwrap()).await.unwrap();
        let status = res.status();
        let body = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test(start_paused = true)]
    async fn a_stalled_render_is_rendered_again() {
        let (router, calls) = page(1);
        assert_eq!(get_p(router).await, (StatusCode::OK, "page".to_owned()));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn two_stalls_answer_503_instead_of_hanging() {
        let (router, calls) = page(2);
        assert_eq!(get_p(router).await.0, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn other_methods_pass_through_once() {
        let (router, calls) = page(0);
        let res = router.oneshot(Request::post("/p").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(calls.load(Ordering::SeqCst), 0);
    }
}
