//! `server integration add|list|rotate-secret`: integrations scripted, as the console's pages
//! make them. Each change is audited as made by `cli`.

use std::fmt::Write as _;

use app::domain::alert::IntegrationKind;
use app::ports::Clock as _;

use crate::audit::Actor;
use crate::clock::SystemClock;
use crate::config::{Config, IntegrationCommand};
use crate::db::Db;
use crate::error::ServerError;
use crate::ingest::store::Integrations;

/// Runs the command; what it prints goes to stdout, and an error is one line for stderr.
pub async fn run(config: &Config, command: &IntegrationCommand) -> Result<String, String> {
    let db = Db::connect(&config.database_url()).await.map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    let integrations = Integrations { db };
    let base = config.base_url();
    let url = |id: &str| format!("{}/ingest/{id}", base.origin());
    let now = SystemClock.now().timestamp();
    let failed = |e: ServerError| match e {
        ServerError::Invalid(fields) => fields
            .iter()
            .map(|f| format!("--{}: {}", f.field, f.msg.text(app::i18n::Locale::En)))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    };
    match command {
        IntegrationCommand::Add { name, kind, topic } => {
            let kind = IntegrationKind::parse(kind.trim()).ok_or_else(|| {
                let kinds: Vec<&str> = IntegrationKind::ALL.iter().map(|k| k.as_str()).collect();
                format!("--kind: '{kind}' is not one of {}", kinds.join(", "))
            })?;
            let created = integrations.create(Actor::System("cli"), name, kind, topic, now).await.map_err(failed)?;
            Ok(format!("url: {}\nsecret: {}\n", url(&created.id), created.secret))
        }
        IntegrationCommand::List => {
            let mut out = String::new();
            for i in integrations.list().await.map_err(failed)? {
                let last = i.last_event_at.map_or_else(|| "never".to_owned(), |t| t.to_string());
                let _ = writeln!(
                    out,
                    "{}\t{}\t{}\tevents {}\tlast {last}\tquarantined {}",
                    i.name,
                    i.kind,
                    url(&i.id),
                    i.events,
                    i.quarantined
                );
            }
            Ok(out)
        }
        IntegrationCommand::RotateSecret { integration } => {
            let list = integrations.list().await.map_err(failed)?;
            let found = list.iter().find(|i| i.id == *integration || i.name == *integration);
            let id =
                found.map(|i| i.id.clone()).ok_or_else(|| format!("no integration with id or name '{integration}'"))?;
            let secret = integrations.rotate_secret(Actor::System("cli"), &id, now).await.map_err(failed)?;
            Ok(format!(
                "url: {}\nsecret: {secret}\n(the previous secret stays valid until the next rotation)\n",
                url(&id)
            ))
        }
    }
}
