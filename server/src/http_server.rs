//! The console's HTTP server: axum's router on hyper connections with the limits a server facing
//! the network needs. Without them a client that sends one header line a second, or a body one
//! byte a second, holds a connection (and its memory) for as long as it likes, and a few
//! thousand such clients take the console down during the incident it exists for.
//!
//! - **Header timeout** (`--header-timeout-secs`): a request's head must arrive within this many
//!   seconds of the connection becoming ready for one. The clock starts when the connection
//!   waits for a request, so it is also how long a kept-alive connection may sit idle.
//! - **Body timeout** (`--body-timeout-secs`, applied in [`crate::build`]): the whole body must
//!   arrive within this; a handler reading it gets an error and the client a 408-class answer.
//!   Requests refused before their body is read (401, 413 at the ingest door) answer at once.
//! - **Connection cap** (`--max-connections`): beyond it, new connections wait in the kernel's
//!   accept queue until one closes; nothing already accepted is starved.
//!
//! Shutdown stops accepting, asks every connection to finish its request in flight and close,
//! and waits for them (at most [`DRAIN`]).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
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
