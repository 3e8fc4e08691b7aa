use std::process::ExitCode;

use server::config::{Config, LogFormat, describe_error};

#[tokio::main]
async fn main() -> ExitCode {
    let config = match Config::from_args(std::env::args_os()) {
        Ok(c) => c,
        Err(e) if matches!(e.kind(), clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion) => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {}", describe_error(&e));
            return ExitCode::from(2);
        }
    };
    init_logging(config.log_format);
    if let Some(server::config::Command::Integration(command)) = &config.command {
        return match server::ingest::cli::run(&config, command).await {
            Ok(out) => {
                print!("{out}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }

    let console = match server::build(&config).await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("start-up failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(config.listen).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!("cannot listen on {}: {e}", config.listen);
            return ExitCode::FAILURE;
        }
    };
    let base_url = config.base_url();
    tracing::info!(url = %base_url, backend = ?config.backend, database = %redact(&config.database_url()), "console listening");
    if let Some(link) = &console.setup_link {
        tracing::warn!(
            "no users yet: open this one-time link to create the first administrator: {link} (also written to {})",
            config.data_dir.join("setup-link.txt").display()
        );
    } else {
        tracing::info!("sign in at {base_url}/login");
    }
    server::http_server::serve(listener, console.router, config.http_limits(), shutdown()).await;
    ExitCode::SUCCESS
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    // Colours only on a terminal: a log written to a file is read as plain text.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(colour);
    match format {
        LogFormat::Human => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Database URLs may carry a password; never log it.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***{}", &url[..s], &url[at..]),
        _ => url.to_owned(),
    }
}

async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutting down");
}
