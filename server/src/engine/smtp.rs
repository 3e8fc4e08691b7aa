//! E-mail over SMTP with Nagle's algorithm off. lettre 0.11.23 (the newest release) opens its
//! sockets with Nagle on and writes a message's body and its closing dot in two writes, so each
//! message waits for the relay's delayed ACK before the dot leaves: 44 ms a message measured on
//! loopback, 1.2 ms without (lettre#1159 fixes it upstream; no release has it yet). So this
//! module opens the socket itself with `TCP_NODELAY`, hands it to lettre's SMTP conversation
//! (`AsyncSmtpConnection`: EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA), and keeps idle connections
//! for reuse. Once a lettre release sets `TCP_NODELAY`, `AsyncSmtpTransport` can replace it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lettre::Message;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use tokio::net::TcpStream;

/// An idle connection older than this is checked with NOOP before it is used again.
const CHECK_AFTER: Duration = Duration::from_secs(5);
/// An idle connection older than this is closed: relays drop idle clients after a minute or more.
const IDLE_LIMIT: Duration = Duration::from_secs(50);

#[derive(Debug, thiserror::Error)]
pub enum SmtpConfigError {
    #[error("--smtp-url: {0}")]
    Url(String),
    #[error("--smtp-from: {0}")]
    From(lettre::address::AddressError),
}

/// Why a message did not reach the relay.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("{0}")]
    Network(#[from] std::io::Error),
    #[error("{0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("the relay does not offer STARTTLS")]
    NoStartTls,
    #[error("timed out after {0} s")]
    TimedOut(u64),
}

/// How the conversation is protected (the URL forms lettre's `from_url` accepts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Security {
    /// `smtp://host[:25]`
    Plain,
    /// `smtp://host[:587]?tls=required` or `?tls=opportunistic`
    StartTls { required: bool },
    /// `smtps://host[:465]`
    Implicit,
}

struct Relay {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    timeout: Duration,
}

struct Idle {
    conn: AsyncSmtpConnection,
    since: Instant,
}

/// An SMTP relay with a pool of idle connections, cheap to clone.
#[derive(Clone)]
pub struct Smtp {
    relay: Arc<Relay>,
    pub from: Mailbox,
    idle: Arc<Mutex<Vec<Idle>>>,
    max_idle: usize,
}

impl Smtp {
    /// `smtps://user:pass@host:465`, `smtp://host:587?tls=required`, or `smtp://127.0.0.1:2525`;
    /// each message may take `timeout`; up to `max_idle` connections are kept for reuse.
    pub fn new(url: &str, from: &str, timeout: Duration, max_idle: usize) -> Result<Self, SmtpConfigError> {
        let url = url::Url::parse(url).map_err(|e| SmtpConfigError::Url(e.to_string()))?;
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| SmtpConfigError::Url("no host".into()))?;
        let tls = url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
        let (security, default_port) = match (url.scheme(), tls.as_deref()) {
            ("smtp", None) => (Security::Plain, 25),
            ("smtp", Some("required")) => (Security::StartTls { required: true }, 587),
            ("smtp", Some("opportunistic")) => (Security::StartTls { required: false }, 587),
            ("smtps", None) => (Security::Implicit, 465),
            (scheme, tls) => {
                return Err(SmtpConfigError::Url(format!(
                    "expected smtp://, smtp://…?tls=required|opportunistic or smtps://, not {scheme}:// with tls={tls:?}"
                )));
            }
        };
        let decode = |s: &str| percent_decode(s).map_err(SmtpConfigError::Url);
        let credentials = match url.username() {
            "" => None,
            user => Some(Credentials::new(decode(user)?, decode(url.password().unwrap_or_default())?)),
        };
        let relay = Relay {
            host: host.trim_start_matches('[').trim_end_matches(']').to_owned(),
            port: url.port().unwrap_or(default_port),
            security,
            credentials,
            hello: ClientId::default(),
            timeout,
        };
        let from = from.parse().map_err(SmtpConfigError::From)?;
        Ok(Smtp { relay: Arc::new(relay), from, idle: Arc::default(), max_idle })
    }

    /// Sends one message; the connection goes back to the pool if the relay accepted it.
    pub async fn send(&self, message: &Message) -> Result<(), SendError> {
        let envelope = message.envelope().clone();
        let body = message.formatted();
        let attempt = async {
            let mut conn = self.connection().await?;
            match conn.send(&envelope, &body).await {
                Ok(_) => {
                    self.put_back(conn);
                    Ok(())
                }
                Err(e) => {
                    conn.abort().await;
                    Err(SendError::from(e))
                }
            }
        };
        tokio::time::timeout(self.relay.timeout, attempt)
            .await
            .unwrap_or(Err(SendError::TimedOut(self.relay.timeout.as_secs())))
    }

    /// An idle connection that still answers, or a new one.
    async fn connection(&self) -> Result<AsyncSmtpConnection, SendError> {
        loop {
            let idle = self.idle.lock().expect("pool lock").pop();
            let Some(Idle { mut conn, since }) = idle else { break };
            let age = since.elapsed();
            if age < CHECK_AFTER || (age < IDLE_LIMIT && conn.test_connected().await) {
                return Ok(conn);
            }
            conn.abort().await;
        }
        self.connect().await
    }

    fn put_back(&self, conn: AsyncSmtpConnection) {
        let mut idle = self.idle.lock().expect("pool lock");
        if idle.len() < self.max_idle && !conn.has_broken() {
            idle.push(Idle { conn, since: Instant::now() });
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let r = &self.relay;
        let tcp = TcpStream::connect((r.host.as_str(), r.port)).await?;
        tcp.set_nodelay(true)?;
        let stream: Box<dyn AsyncTokioStream> = match r.security {
            Security::Implicit => Box::new(tls::wrap(tcp, &r.host).await?),
            Security::Plain | Security::StartTls { .. } => Box::new(tcp),
        };
        let mut conn = AsyncSmtpConnection::connect_with_transport(stream, &r.hello).await?;
        if let Security::StartTls { required } = r.security {
            if conn.can_starttls() {
                conn.starttls(TlsParameters::new(r.host.clone())?, &r.hello).await?;
            } else if required {
                conn.abort().await;
                return Err(SendError::NoStartTls);
            }
        }
        if let Some(credentials) = &r.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials).await?;
        }
        Ok(conn)
    }
}

fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3).ok_or("a % without two hex digits")?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| "a % without two hex digits")?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "user or password is not UTF-8".to_owned())
}

/// Implicit TLS (`smtps://`) on the console's own socket, verified against the web's roots.
mod tls {
    use std::sync::{Arc, LazyLock};

    use lettre::transport::smtp::client::AsyncTokioStream;
    use tokio::net::TcpStream;
    use tokio_rustls::TlsConnector;
    use tokio_rustls::client::TlsStream;
    use tokio_rustls::rustls::{ClientConfig, RootCertStore, pki_types::ServerName};

    #[derive(Debug)]
    pub struct Tls(TlsStream<TcpStream>);

    static CONNECTOR: LazyLock<TlsConnector> = LazyLock::new(|| {
        let roots = RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("ring supports TLS 1.2 and 1.3")
            .with_root_certificates(roots)
            .with_no_client_auth();
        TlsConnector::from(Arc::new(config))
    });

    pub async fn wrap(tcp: TcpStream, host: &str) -> std::io::Result<Tls> {
        let name = ServerName::try_from(host.to_owned())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        Ok(Tls(CONNECTOR.connect(name, tcp).await?))
    }

    impl AsyncTokioStream for Tls {
        fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
            self.0.get_ref().0.peer_addr()
        }
    }

    impl tokio::io::AsyncRead for Tls {
        fn poll_read(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            std::pin::Pin::new(&mut self.0).poll_read(cx, buf)
        }
    }

    impl tokio::io::AsyncWrite for Tls {
        fn poll_write(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
            buf: &[u8],
        ) -> std::task::Poll<std::io::Result<usize>> {
            std::pin::Pin::new(&mut self.0).poll_write(cx, buf)
        }

        fn poll_flush(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            std::pin::Pin::new(&mut self.0).poll_flush(cx)
        }

        fn poll_shutdown(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            std::pin::Pin::new(&mut self.0).poll_shutdown(cx)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relay(url: &str) -> Result<Arc<Relay>, SmtpConfigError> {
        Smtp::new(url, "Console <oncall@example.com>", Duration::from_secs(15), 4).map(|s| s.relay)
    }

    #[test]
    fn reads_the_url_forms_lettre_accepts() {
        let r = relay("smtp://127.0.0.1:2525").unwrap();
        assert_eq!((r.host.as_str(), r.port, r.security), ("127.0.0.1", 2525, Security::Plain));
        assert!(r.credentials.is_none());
        let r = relay("smtp://mail.example.com?tls=required").unwrap();
        assert_eq!((r.port, r.security), (587, Security::StartTls { required: true }));
        let r = relay("smtp://mail.example.com?tls=opportunistic").unwrap();
        assert_eq!(r.security, Security::StartTls { required: false });
        let r = relay("smtps://user%40example.com:p%2Fss@mail.example.com").unwrap();
        assert_eq!((r.port, r.security), (465, Security::Implicit));
        assert_eq!(r.credentials, Some(Credentials::new("user@example.com".into(), "p/ss".into())));
    }

    #[test]
    fn refuses_what_it_cannot_use() {
        for bad in ["http://mail.example.com", "smtp://mail.example.com?tls=sometimes", "smtp://", "not a url"] {
            assert!(matches!(relay(bad), Err(SmtpConfigError::Url(_))), "{bad}");
        }
        assert!(matches!(Smtp::new("smtp://h", "not an address", Duration::ZERO, 1), Err(SmtpConfigError::From(_))));
    }
}
