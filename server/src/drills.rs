//! Drills: a plan engaged through the backend like any engagement (so it pages for real, in both
//! modes), its subject and text marked as a drill in both languages; the console records which
//! engagement was a drill. Scheduled drills are started by [`run_due`] from a background task;
//! a replica claims a run by moving the schedule's `next_at` on in one conditional update, so
//! each run starts once however many replicas look.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;

use app::auth::{CurrentUser, Role};
use app::domain::contact::ContactType;
use app::domain::drill::DrillRule;
use app::error::{AppError, FieldError};
use app::i18n::Msg;
use app::model::drills::{DrillRecord, DrillScheduleView};
use app::ports::{Backend, Clock, Drills, EngagementStart};

use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::ServerError;

/// Every drill message says so, in both languages, before anything else.
pub const DRILL_SUBJECT: &str = "[DRILL / 訓練] Paging drill, no incident / 呼び出し訓練（障害ではありません）";
const DRILL_CONTENT: &str = "This is a drill of your escalation plan: please acknowledge it as you would a real page. \
     エスカレーションプランの訓練です。本番と同じように対応ボタンを押してください。";

/// Who starts scheduled drills (the backends take a user; only the audit log shows it).
fn scheduler() -> CurrentUser {
    CurrentUser {
        id: 0,
        username: "schedule".into(),
        display_name: "Drill schedule".into(),
        role: Role::Manager,
        contact: None,
    }
}

pub struct SqlDrills {
    pub db: Db,
    pub backend: Arc<dyn Backend>,
    pub clock: Arc<dyn Clock>,
}

fn record_from_row(r: &AnyRow) -> Result<DrillRecord, ServerError> {
    Ok(DrillRecord {
        id: r.try_get("id")?,
        plan: r.try_get("plan")?,
        engagement_id: r.try_get("engagement_id")?,
        started_at: r.try_get("started_at")?,
        started_by: r.try_get("started_by")?,
        schedule_id: r.try_get("schedule_id")?,
    })
}

fn schedule_from_row(r: &AnyRow) -> Result<DrillScheduleView, ServerError> {
    let rule: String = r.try_get("rule_json")?;
    Ok(DrillScheduleView {
        id: r.try_get("id")?,
        plan: r.try_get("plan")?,
        rule: serde_json::from_str(&rule).map_err(|e| ServerError::corrupt_json("drill rule", &e))?,
        next_at: r.try_get("next_at")?,
        created_by: r.try_get("created_by")?,
    })
}

impl SqlDrills {
    /// Only escalation plans and people can be drilled (a schedule alone has no chain to prove).
    async fn check_plan(&self, plan: &str) -> Result<(), AppError> {
        let contacts = self.backend.contacts().await?;
        match contacts.iter().find(|c| c.contact.alias == plan).map(|c| c.contact.kind) {
            Some(ContactType::Escalation | ContactType::Personal) => Ok(()),
            _ => Err(AppError::Invalid(vec![FieldError::new("plan", Msg::ErrDrillPlan)])),
        }
    }

    async fn start_as(&self, actor: &CurrentUser, plan: &str, schedule_id: Option<&str>) -> Result<String, AppError> {
        self.check_plan(plan).await?;
        let start = EngagementStart {
            contact: plan.to_owned(),
            sender: format!("drill by {}", actor.username),
            subject: DRILL_SUBJECT.to_owned(),
            content: format!("{DRILL_CONTENT} ({})", actor.display_name),
            incident_id: None,
            idempotency_token: None,
        };
        let engagement_id = self.backend.start_engagement(actor, start).await?;
        let record = DrillRecord {
            id: crate::engine::new_id(),
            plan: plan.to_owned(),
            engagement_id,
            started_at: self.clock.now().timestamp(),
            started_by: actor.username.clone(),
            schedule_id: schedule_id.map(str::to_owned),
        };
        let mut tx = self.db.begin_write().await.map_err(ServerError::from)?;
        sqlx::query(
            "INSERT INTO drills (id, plan, engagement_id, started_at, started_by, schedule_id) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&record.id)
        .bind(&record.plan)
        .bind(&record.engagement_id)
        .bind(record.started_at)
        .bind(&record.started_by)
        .bind(&record.schedule_id)
        .execute(&mut *tx)
        .await
        .map_err(ServerError::from)?;
        let actor = if schedule_id.is_some() { Actor::System("drill schedule") } else { Actor::User(actor) };
        audit::record(&mut tx, actor, record.started_at, Change::created("drill", &record.id, &record))
            .await
            .map_err(ServerError::from)?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok(record.id)
    }
}

#[async_trait]
impl Drills for SqlDrills {
    async fn start(&self, actor: &CurrentUser, plan: &str) -> Result<String, AppError> {
        self.start_as(actor, plan, None).await
    }

    async fn list(&self, limit: u32) -> Result<Vec<DrillRecord>, AppError> {
        let rows = sqlx::query("SELECT * FROM drills ORDER BY started_at DESC, id LIMIT $1")
            .bind(i64::from(limit))
            .fetch_all(&self.db.pool)
            .await
            .map_err(ServerError::from)?;
        Ok(rows.iter().map(record_from_row).collect::<Result<_, _>>()?)
    }

    async fn get(&self, id: &str) -> Result<DrillRecord, AppError> {
        let row = sqlx::query("SELECT * FROM drills WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(ServerError::from)?
            .ok_or(AppError::NotFound)?;
        Ok(record_from_row(&row)?)
    }

    async fn schedules(&self) -> Result<Vec<DrillScheduleView>, AppError> {
        let rows = sqlx::query("SELECT * FROM drill_schedules ORDER BY next_at, id")
            .fetch_all(&self.db.pool)
            .await
            .map_err(ServerError::from)?;
        Ok(rows.iter().map(schedule_from_row).collect::<Result<_, _>>()?)
    }

    async fn add_schedule(&self, actor: &CurrentUser, plan: &str, rule: DrillRule) -> Result<String, AppError> {
        self.check_plan(plan).await?;
        let now = self.clock.now();
        let next =
            rule.next_after(now).ok_or_else(|| AppError::Invalid(vec![FieldError::new("week", Msg::ErrInvalid)]))?;
        let view = DrillScheduleView {
            id: crate::engine::new_id(),
            plan: plan.to_owned(),
            rule,
            next_at: next.timestamp(),
            created_by: actor.username.clone(),
        };
        let rule_json = serde_json::to_string(&view.rule).map_err(|e| ServerError::corrupt_json("drill rule", &e))?;
        let mut tx = self.db.begin_write().await.map_err(ServerError::from)?;
        sqlx::query(
            "INSERT INTO drill_schedules (id, plan, rule_json, next_at, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&view.id)
        .bind(&view.plan)
        .bind(rule_json)
        .bind(view.next_at)
        .bind(&view.created_by)
        .bind(now.timestamp())
        .execute(&mut *tx)
        .await
        .map_err(ServerError::from)?;
        audit::record(&mut tx, Actor::User(actor), now.timestamp(), Change::created("drill_schedule", &view.id, &view))
            .await
            .map_err(ServerError::from)?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok(view.id)
    }

    async fn delete_schedule(&self, actor: &CurrentUser, id: &str) -> Result<(), AppError> {
        let before = self.schedules().await?.into_iter().find(|s| s.id == id).ok_or(AppError::NotFound)?;
        let mut tx = self.db.begin_write().await.map_err(ServerError::from)?;
        sqlx::query("DELETE FROM drill_schedules WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(ServerError::from)?;
        let at = self.clock.now().timestamp();
        audit::record(&mut tx, Actor::User(actor), at, Change::deleted("drill_schedule", id, &before))
            .await
            .map_err(ServerError::from)?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok(())
    }
}

/// Starts every scheduled drill that is due, each once: returns the drills started.
pub async fn run_due(drills: &SqlDrills) -> Result<Vec<String>, AppError> {
    let now = drills.clock.now();
    let mut started = Vec::new();
    for s in drills.schedules().await?.into_iter().filter(|s| s.next_at <= now.timestamp()) {
        let next = s.rule.next_after(now).map_or(i64::MAX, |t| t.timestamp());
        let claimed = sqlx::query("UPDATE drill_schedules SET next_at = $1 WHERE id = $2 AND next_at = $3")
            .bind(next)
            .bind(&s.id)
            .bind(s.next_at)
            .execute(drills.db.writer())
            .await
            .map_err(ServerError::from)?;
        if claimed.rows_affected() == 1 {
            match drills.start_as(&scheduler(), &s.plan, Some(&s.id)).await {
                Ok(id) => started.push(id),
                // The run is skipped, not retried in a loop; the next one comes at its time.
                Err(e) => tracing::warn!(schedule = %s.id, plan = %s.plan, error = %e, "scheduled drill not started"),
            }
        }
    }
    Ok(started)
}

/// Looks for due drills every 30 seconds for as long as the process runs.
pub fn spawn_scheduler(drills: Arc<SqlDrills>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(30));
        loop {
            tick.tick().await;
            if let Err(e) = run_due(&drills).await {
                tracing::warn!(error = %e, "drill schedule check failed");
            }
        }
    });
}
