//! Command-line flags with environment-variable fallbacks. A bad setting stops start-up with one
//! line naming the setting and what it accepts.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

use clap::{CommandFactory, Parser, ValueEnum};

#[derive(Parser, Debug, Clone)]
#[command(name = "oncall-console", version, about = "On-call and incident console")]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "ONCALL_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,
    /// Public base URL used in every link the console sends [default: http://<listen>].
    #[arg(long, env = "ONCALL_BASE_URL")]
    pub base_url: Option<BaseUrl>,
    /// Directory for the embedded database and other local state.
    #[arg(long, env = "ONCALL_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Database URL: sqlite:<path> or postgres://… [default: sqlite:<data-dir>/console.db].
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<DatabaseUrl>,
    /// Which backend holds contacts, plans and incidents.
    #[arg(long, env = "ONCALL_BACKEND", value_enum, default_value_t = Backend::Local)]
    pub backend: Backend,
    /// Log output format.
    #[arg(long, env = "ONCALL_LOG_FORMAT", value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,
    /// Mark the session cookie Secure (and name it __Host-…): auto = when the base URL is https.
    #[arg(long, env = "ONCALL_COOKIE_SECURE", value_enum, default_value_t = CookieSecure::Auto)]
    pub cookie_secure: CookieSecure,
    /// File holding the first administrator's password (user "admin"), instead of a setup link.
    #[arg(long, env = "ONCALL_ADMIN_PASSWORD_FILE")]
    pub admin_password_file: Option<PathBuf>,
    /// Hours of inactivity after which a session ends.
    #[arg(long, env = "ONCALL_SESSION_IDLE_HOURS", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=720))]
    pub session_idle_hours: u32,
    /// Hours after sign-in after which a session ends, however active.
    #[arg(long, env = "ONCALL_SESSION_MAX_HOURS", default_value_t = 168, value_parser = clap::value_parser!(u32).range(1..=8760))]
    pub session_max_hours: u32,
    /// Number of reverse proxies in front of the console whose X-Forwarded-For entries are trusted.
    #[arg(long, env = "ONCALL_TRUSTED_PROXY_HOPS", default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=5))]
    pub trusted_proxy_hops: u8,
    /// Seed a demo team, rotations, escalation plan and response plans into an empty database.
    #[arg(long, env = "ONCALL_DEMO_DATA", default_value_t = true, action = clap::ArgAction::Set)]
    pub demo_data: bool,
    /// SMTP server for e-mail pages: smtps://user:pass@host:465, smtp://host:587?tls=required, or
    /// smtp://127.0.0.1:2525 (no TLS, loopback relays) [default: e-mail stays in the outbox].
    #[arg(long, env = "ONCALL_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// Sender address of e-mail pages.
    #[arg(long, env = "ONCALL_SMTP_FROM", default_value = "On-call console <oncall@localhost>")]
    pub smtp_from: String,
    /// URL that receives SMS and voice pages as JSON, for the gateway of your choice
    /// [default: they stay in the outbox].
    #[arg(long, env = "ONCALL_PAGE_WEBHOOK_URL", value_parser = parse_webhook_url)]
    pub page_webhook_url: Option<String>,
    /// Networks the console's own requests (webhooks, Slack, the SMS/voice gateway, SNS
    /// certificates) may reach beyond the public internet, comma-separated: `127.0.0.1/32` for a
    /// gateway on this machine, `10.20.0.0/16` for one in your network [default: none; loopback,
    /// private, link-local and metadata addresses are refused].
    #[arg(long, env = "ONCALL_OUTBOUND_ALLOW", value_parser = parse_outbound_allow)]
    pub outbound_allow: Option<String>,
    /// File holding the secret the SMS/voice gateway sends back with replies
    /// (`Authorization: Bearer …` on POST /hooks/gateway; at least 16 characters)
    /// [default: replies are not taken].
    #[arg(long, env = "ONCALL_GATEWAY_SECRET_FILE")]
    pub gateway_secret_file: Option<PathBuf>,
    /// AWS mode: the region [default: from the AWS configuration, e.g. AWS_REGION].
    #[arg(long, env = "ONCALL_AWS_REGION")]
    pub aws_region: Option<String>,
    /// AWS mode: the shared-config profile to use [default: AWS_PROFILE or "default"].
    #[arg(long, env = "ONCALL_AWS_PROFILE")]
    pub aws_profile: Option<String>,
    /// AWS mode: one endpoint for SSM Contacts and SSM Incidents, e.g. another console's API
    /// [default: AWS's, or AWS_ENDPOINT_URL_SSM_CONTACTS / AWS_ENDPOINT_URL_SSM_INCIDENTS].
    #[arg(long, env = "ONCALL_AWS_ENDPOINT_URL")]
    pub aws_endpoint_url: Option<String>,
    /// AWS mode: seconds a read is served from the cache before AWS is asked again.
    #[arg(long, env = "ONCALL_AWS_CACHE_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub aws_cache_secs: u64,
    /// Local mode: serve the SSM-compatible API (SigV4 with console-issued keys) on the same port.
    #[arg(long, env = "ONCALL_SSM_API", default_value_t = true, action = clap::ArgAction::Set)]
    pub ssm_api: bool,
    /// Local mode: the 12-digit account id in the ARNs the SSM-compatible API hands out.
    #[arg(long, env = "ONCALL_SSM_API_ACCOUNT_ID", default_value = "000000000000", value_parser = parse_account_id)]
    pub ssm_api_account_id: String,
    /// Seconds a client has to send a request's headers, counted from when the connection is
    /// ready for one (so also how long a kept-alive connection may stay idle).
    #[arg(long, env = "ONCALL_HEADER_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub header_timeout_secs: u64,
    /// Seconds a client has to send a request's whole body.
    #[arg(long, env = "ONCALL_BODY_TIMEOUT_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub body_timeout_secs: u64,
    /// Connections served at once; more wait to be accepted until one closes.
    #[arg(long, env = "ONCALL_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_connections: u32,
    /// A one-off task instead of serving (it uses the same database settings).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Directory with the compiled site (WASM, CSS, static files).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    /// The console's own engine on its own database.
    Local,
    /// AWS Incident Manager (SSM Contacts and SSM Incidents) through the AWS SDK.
    Aws,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CookieSecure {
    Auto,
    Always,
    Never,
}

/// `scheme://host[:port]`, with no path, query or fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    pub fn origin(&self) -> &str {
        &self.0
    }
    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }
}

impl FromStr for BaseUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().trim_end_matches('/');
        let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
        match rest {
            Some(host) if !host.is_empty() && !host.contains(['/', '?', '#', '@', ' ']) => Ok(BaseUrl(s.to_owned())),
            _ => Err("expected http://host[:port] or https://host[:port] with no path".to_owned()),
        }
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseUrl(pub String);

impl FromStr for DatabaseUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.starts_with("sqlite:") || s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Ok(DatabaseUrl(s.to_owned()))
        } else {
            Err("expected sqlite:<path> or postgres://user@host/db".to_owned())
        }
    }
}

fn parse_account_id(s: &str) -> Result<String, String> {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_owned())
    } else {
        Err("expected 12 digits".to_owned())
    }
}

fn parse_outbound_allow(s: &str) -> Result<String, String> {
    crate::outbound::parse_allowed(s).map(|_| s.to_owned())
}

fn parse_webhook_url(s: &str) -> Result<String, String> {
    if app::domain::incident::webhook_url_ok(s) {
        Ok(s.to_owned())
    } else {
        Err("expected an https:// URL (http:// only for 127.0.0.1, localhost or [::1])".to_owned())
    }
}

impl Config {
    /// Parses flags and environment; on error returns the one line to print.
    pub fn from_args<I, T>(args: I) -> Result<Config, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        Config::try_parse_from(args)
    }

    pub fn base_url(&self) -> BaseUrl {
        self.base_url.clone().unwrap_or_else(|| BaseUrl(format!("http://{}", self.listen)))
    }

    /// The HTTP server's limits (`--header-timeout-secs`, `--max-connections`).
    pub fn http_limits(&self) -> crate::http_server::Limits {
        crate::http_server::Limits {
            header_timeout: std::time::Duration::from_secs(self.header_timeout_secs),
            max_connections: self.max_connections,
        }
    }

    /// Where the console's own HTTP requests may go (`--outbound-allow`).
    pub fn outbound(&self) -> crate::outbound::Outbound {
        let nets = self.outbound_allow.as_deref().map(crate::outbound::parse_allowed);
        crate::outbound::Outbound::allowing(nets.and_then(Result::ok).unwrap_or_default())
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(u) => u.0.clone(),
            None => format!("sqlite:{}?mode=rwc", self.data_dir.join("console.db").display()),
        }
    }

    pub fn aws_settings(&self) -> crate::aws_backend::AwsSettings {
        crate::aws_backend::AwsSettings {
            region: self.aws_region.clone(),
            profile: self.aws_profile.clone(),
            endpoint_url: self.aws_endpoint_url.clone(),
            cache_secs: self.aws_cache_secs,
            static_credentials: None,
        }
    }

    pub fn secure_cookies(&self) -> bool {
        match self.cookie_secure {
            CookieSecure::Auto => self.base_url().is_https(),
            CookieSecure::Always => true,
            CookieSecure::Never => false,
        }
    }
}

#[derive(clap::Subcommand, Debug, Clone)]
pub enum Command {
    /// Alert integrations: where alerts come in (`/ingest/<id>`).
    #[command(subcommand)]
    Integration(IntegrationCommand),
}

#[derive(clap::Subcommand, Debug, Clone)]
pub enum IntegrationCommand {
    /// Creates an integration and prints its URL and secret (the secret is shown once).
    Add {
        #[arg(long)]
        name: String,
        /// What sends to it: eventbridge, sns, alertmanager (also Grafana) or webhook (any JSON).
        #[arg(long)]
        kind: String,
        /// SNS: a topic ARN whose messages are accepted (repeat for several).
        #[arg(long)]
        topic: Vec<String>,
    },
    /// Lists the integrations with their URLs and what they received.
    List,
    /// Gives an integration (by id or name) a new secret; the previous one stays valid until
    /// the next rotation.
    RotateSecret { integration: String },
}

/// One line for a bad setting: which flag (and variable), the value, and what is accepted.
pub fn describe_error(err: &clap::Error) -> String {
    use clap::error::ContextKind;
    let get = |k| err.get(k).map(ToString::to_string);
    let (Some(arg), Some(value)) = (get(ContextKind::InvalidArg), get(ContextKind::InvalidValue)) else {
        return err.to_string().lines().next().unwrap_or("invalid arguments").trim_start_matches("error: ").to_owned();
    };
    let long = arg.split_whitespace().next().unwrap_or(&arg).to_owned();
    let env = Config::command()
        .get_arguments()
        .find(|a| a.get_long().is_some_and(|l| format!("--{l}") == long))
        .and_then(|a| a.get_env().map(|e| e.to_string_lossy().into_owned()));
    let accepted = match get(ContextKind::ValidValue) {
        Some(values) => format!("accepted: {values}"),
        None => std::error::Error::source(err).map_or_else(String::new, ToString::to_string),
    };
    let env = env.map(|e| format!(" (env {e})")).unwrap_or_default();
    format!("invalid setting {long}{env}: '{value}'; {accepted}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, String> {
        Config::from_args(std::iter::once("server").chain(args.iter().copied())).map_err(|e| describe_error(&e))
    }

    #[test]
    fn defaults_derive_from_listen_and_data_dir() {
        let c = parse(&["--listen", "127.0.0.1:4000", "--data-dir", "/tmp/x"]).unwrap();
        assert_eq!(c.base_url().origin(), "http://127.0.0.1:4000");
        assert_eq!(c.database_url(), "sqlite:/tmp/x/console.db?mode=rwc");
        assert!(!c.secure_cookies());
        let c = parse(&["--base-url", "https://oncall.example.com/"]).unwrap();
        assert_eq!(c.base_url().origin(), "https://oncall.example.com");
        assert!(c.secure_cookies());
    }

    #[test]
    fn bad_settings_name_the_setting_and_accepted_values() {
        let e = parse(&["--backend", "gcp"]).unwrap_err();
        assert_eq!(e, "invalid setting --backend (env ONCALL_BACKEND): 'gcp'; accepted: local, aws");
        let e = parse(&["--log-format", "xml"]).unwrap_err();
        assert!(e.contains("--log-format") && e.contains("human, json"), "{e}");
        let e = parse(&["--database-url", "mysql://x"]).unwrap_err();
        assert!(e.contains("--database-url (env DATABASE_URL)") && e.contains("sqlite:"), "{e}");
        let e = parse(&["--base-url", "ftp://x"]).unwrap_err();
        assert!(e.contains("--base-url") && e.contains("https://"), "{e}");
        let e = parse(&["--session-idle-hours", "0"]).unwrap_err();
        assert!(e.contains("--session-idle-hours") && e.contains("1..=720"), "{e}");
        assert!(!e.contains('\n'));
    }
}
