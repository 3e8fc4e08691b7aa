//! Real transports on loopback for delivery tests and benchmarks: a JSON webhook (the SMS and
//! voice gateway, Slack, notification webhooks) and an SMTP server. Each keeps what it received,
//! with the idempotency key the message carried and when it arrived.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use http::{HeaderMap, StatusCode};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// One message as a receiver saw it.
#[derive(Clone, Debug)]
pub struct Received {
    /// The `Idempotency-Key` header, or the e-mail's Message-ID without `<…@domain>`.
    pub key: String,
    pub to: String,
    pub subject: String,
    pub at: Instant,
    /// A webhook's JSON body (`Null` for e-mail).
    pub json: serde_json::Value,
    /// An e-mail's DATA (empty for webhooks).
    pub data: String,
}

pub type Inbox = Arc<Mutex<Vec<Received>>>;

#[derive(Clone)]
struct Hook {
    inbox: Inbox,
    fail_first: usize,
    delay: Duration,
    calls: Arc<Mutex<usize>>,
}

/// A loopback HTTP endpoint that keeps JSON bodies in `inbox`, fails the first `fail_first`
/// calls with 500 (kept all the same: the sender did hand them over), and answers after `delay`.
pub async fn hook_into(inbox: Inbox, fail_first: usize, delay: Duration) -> String {
    async fn receive(State(h): State<Hook>, headers: HeaderMap, Json(body): Json<serde_json::Value>) -> StatusCode {
        let at = Instant::now();
        tokio::time::sleep(h.delay).await;
        let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let text = |name: &str| body[name].as_str().unwrap_or_default().to_owned();
        let received = Received { key, to: text("to"), subject: text("subject"), at, json: body, data: String::new() };
        h.inbox.lock().unwrap().push(received);
        let mut calls = h.calls.lock().unwrap();
        *calls += 1;
        if *calls <= h.fail_first { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::OK }
    }
    let state = Hook { inbox, fail_first, delay, calls: Arc::default() };
    let app = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// [`hook_into`] with an inbox of its own.
pub async fn hook(fail_first: usize, delay: Duration) -> (String, Inbox) {
    let inbox = Inbox::default();
    (hook_into(inbox.clone(), fail_first, delay).await, inbox)
}

/// A minimal SMTP server on loopback that keeps each message in `inbox`.
pub async fn smtp_into(inbox: Inbox) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(smtp_session(socket, inbox.clone()));
        }
    });
    url
}

/// [`smtp_into`] with an inbox of its own.
pub async fn smtp_sink() -> (String, Inbox) {
    let inbox = Inbox::default();
    (smtp_into(inbox.clone()).await, inbox)
}

async fn smtp_session(socket: tokio::net::TcpStream, inbox: Inbox) {
    let _ = socket.set_nodelay(true);
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    if write.write_all(b"220 sink ready\r\n").await.is_err() {
        return;
    }
    let (mut in_data, mut data) = (false, String::new());
    while let Ok(Some(line)) = lines.next_line().await {
        if in_data {
            if line == "." {
                in_data = false;
                inbox.lock().unwrap().push(email(std::mem::take(&mut data)));
                if write.write_all(b"250 queued\r\n").await.is_err() {
                    return;
                }
            } else {
                data.push_str(&line);
                data.push('\n');
            }
            continue;
        }
        let verb = line.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" | "HELO" => b"250 sink\r\n",
            "DATA" => {
                in_data = true;
                b"354 go ahead\r\n"
            }
            "QUIT" => {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            }
            _ => b"250 ok\r\n",
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

fn email(data: String) -> Received {
    let header = |name: &str| {
        data.lines()
            .take_while(|l| !l.is_empty())
            .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned()))
            .unwrap_or_default()
    };
    let message_id = header("Message-ID:");
    let key = message_id.trim_start_matches('<').split('@').next().unwrap_or_default().to_owned();
    Received {
        key,
        to: header("To:"),
        subject: header("Subject:"),
        at: Instant::now(),
        json: serde_json::Value::Null,
        data,
    }
}
