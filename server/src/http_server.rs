//! The console's HTTP server: axum's router on hyper connections with the limits a server facing
//! the network needs. Without them a client that sends one header line a second, or a body one
//! byte a second, holds a connection (and its memory) for as long as it likes, and a few
//! thousand such clients take the console down during the incident it exists for.
//!
//! - **Header timeout** (`--header-timeout-secs`): a request's head must arrive within this many
//!   seconds of the connection becoming ready for one. The clock starts when the connection
//!   waits for a request, so it is also how long a kept-alive connection may sit idle.
//! - **Body timeout** (`--body-timeout-secs`, [`body_deadline`], applied in [`crate::build`]):
//!   the whole body must arrive within this many seconds of the request's head, however it
//!   trickles in (a timeout between chunks, as tower-http's, is reset by every byte); a handler
//!   reading it later gets [`BodyTimedOut`]. Requests refused before their body is read (401, 413
//!   at the ingest door) answer at once.
//! - **Connection cap** (`--max-connections`): beyond it, new connections wait in the kernel's
//!   accept queue until one closes; nothing already accepted is starved.
//!
//! Shutdown stops accepting, asks every connection to finish its request in flight and close,
//! and waits for them (at most [`DRAIN`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt as _;

/// How long shutdown waits for connections to finish.
pub const DRAIN: Duration = Duration::from_secs(20);

/// The limits of [`serve`].
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub header_timeout: Duration,
    pub max_connections: u32,
}

/// Serves `router` on `listener` until `shutdown` completes.
pub async fn serve(listener: TcpListener, router: Router, limits: Limits, shutdown: impl Future<Output = ()>) {
    let max = limits.max_connections.max(1);
    let slots = Arc::new(Semaphore::new(max as usize));
    let (closing, closed) = watch::channel(false);
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    builder.http2().timer(TokioTimer::new());
    tokio::pin!(shutdown);
    let mut warned_full = false;
    loop {
        if slots.available_permits() == 0 && !warned_full {
            tracing::warn!(max, "connection cap reached: new connections wait until one closes");
            warned_full = true;
        }
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            () = &mut shutdown => break,
        };
        let Ok(slot) = slot else { break };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: pause rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        warned_full = false;
        let _ = stream.set_nodelay(true);
        let app = router.clone();
        let service = tower::service_fn(move |mut req: http::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(req.map(Body::new))
        });
        let builder = builder.clone();
        let mut closed = closed.clone();
        tokio::spawn(async move {
            let connection =
                builder.serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service));
            tokio::pin!(connection);
            let finished = tokio::select! {
                _ = connection.as_mut() => true,
                _ = closed.wait_for(|closing| *closing) => false,
            };
            if !finished {
                connection.as_mut().graceful_shutdown();
                let _ = connection.await;
            }
            drop(slot);
        });
    }
    drop(listener);
    let _ = closing.send(true);
    // Every connection holds a slot: all slots back means all connections closed.
    if tokio::time::timeout(DRAIN, slots.acquire_many(max)).await.is_err() {
        tracing::warn!("shutdown: connections still open after {} s, closing them", DRAIN.as_secs());
    }
}

/// The error a request body gives once its time is up.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within its time")]
pub struct BodyTimedOut;

/// Whether reading a body failed because its time was up.
pub fn is_body_timeout(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if c.is::<BodyTimedOut>() {
            return true;
        }
        cause = c.source();
    }
    false
}

/// Gives every request's body `limit` from now to arrive whole.
pub async fn body_deadline(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let body = Body::new(DeadlineBody { inner: body, deadline: Box::pin(tokio::time::sleep(limit)) });
    next.run(Request::from_parts(parts, body)).await
}

struct DeadlineBody {
    inner: Body,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

impl http_body::Body for DeadlineBody {
    type Data = axum::body::Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        match this.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTimedOut)))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}
