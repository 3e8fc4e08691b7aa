//! Shift swaps: a responder offers their shift to a colleague or asks for one of theirs; the other
//! person accepts or declines; rotations may ask a manager to approve. An accepted swap becomes an
//! override through the backend, so it works the same in both modes. Every step is audited.

use std::sync::Arc;

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;

use app::auth::{CurrentUser, Role};
use app::domain::rotation::Override;
use app::error::{AppError, FieldError};
use app::i18n::Msg;
use app::model::rotations::{SwapRequest, SwapStatus, SwapView};
use app::ports::{Backend, Clock, Swaps};

use crate::audit::{self, Actor, Change};
use crate::clock::from_epoch;
use crate::db::Db;
use crate::error::{ServerError, stored};

pub struct SqlSwaps {
    pub db: Db,
    pub backend: Arc<dyn Backend>,
    pub clock: Arc<dyn Clock>,
}

fn invalid(field: &str, msg: Msg) -> AppError {
    AppError::Invalid(vec![FieldError::new(field, msg)])
}

fn swap_from_row(r: &AnyRow) -> Result<SwapView, ServerError> {
    Ok(SwapView {
        id: r.try_get("id")?,
        rotation_id: r.try_get("rotation_id")?,
        start: r.try_get("shift_start")?,
        end: r.try_get("shift_end")?,
        from: r.try_get("from_contact")?,
        to: r.try_get("to_contact")?,
        requested_by: r.try_get("requested_by")?,
        status: stored("swap status", &r.try_get::<String, _>("status")?, SwapStatus::parse)?,
        override_id: r.try_get("override_id")?,
        created_at: r.try_get("created_at")?,
    })
}

impl SqlSwaps {
    async fn get(&self, id: &str) -> Result<SwapView, AppError> {
        let row = sqlx::query("SELECT * FROM shift_swaps WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(ServerError::from)?
            .ok_or(AppError::NotFound)?;
        Ok(swap_from_row(&row)?)
    }

    /// Moves a swap from `from` to `to` status, audited; refused if someone else moved it first.
    async fn transition(
        &self,
        actor: &CurrentUser,
        swap: &SwapView,
        from: SwapStatus,
        to: SwapStatus,
    ) -> Result<SwapView, AppError> {
        let now = self.clock.now().timestamp();
        let mut tx = self.db.begin_write().await.map_err(ServerError::from)?;
        let done = sqlx::query(
            "UPDATE shift_swaps SET status = $1, decided_at = $2, decided_by = $3 WHERE id = $4 AND status = $5",
        )
        .bind(to.as_str())
        .bind(now)
        .bind(&actor.username)
        .bind(&swap.id)
        .bind(from.as_str())
        .execute(&mut *tx)
        .await
        .map_err(ServerError::from)?;
        if done.rows_affected() != 1 {
            return Err(invalid("status", Msg::ErrSwapNotPending));
        }
        let after = SwapView { status: to, ..swap.clone() };
        audit::record(&mut tx, Actor::User(actor), now, Change::updated("swap", &swap.id, swap, &after))
            .await
            .map_err(ServerError::from)?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok(after)
    }

    /// Turns an accepted swap into an override: the shift's people with `from` replaced by `to`.
    /// The status is claimed first, so two answers cannot make two overrides; a failed override
    /// puts it back.
    async fn apply(&self, actor: &CurrentUser, swap: &SwapView, from: SwapStatus) -> Result<SwapView, AppError> {
        let claimed = self.transition(actor, swap, from, SwapStatus::Applied).await?;
        let result = self.make_override(actor, swap).await;
        match result {
            Ok(override_id) => {
                sqlx::query("UPDATE shift_swaps SET override_id = $1 WHERE id = $2")
                    .bind(&override_id)
                    .bind(&swap.id)
                    .execute(self.db.writer())
                    .await
                    .map_err(ServerError::from)?;
                Ok(SwapView { override_id: Some(override_id), ..claimed })
            }
            Err(e) => {
                self.transition(actor, &claimed, SwapStatus::Applied, from).await?;
                Err(e)
            }
        }
    }

    async fn make_override(&self, actor: &CurrentUser, swap: &SwapView) -> Result<String, AppError> {
        let shifts = self.backend.rotation_shifts(&swap.rotation_id, swap.start, swap.end).await?;
        let on_call = shifts.first().map(|s| s.members.clone()).unwrap_or_default();
        if !on_call.contains(&swap.from) {
            return Err(invalid("from", Msg::ErrSwapNotOnShift));
        }
        let members = on_call.into_iter().map(|m| if m == swap.from { swap.to.clone() } else { m }).collect();
        let value = Override { start: from_epoch(swap.start), end: from_epoch(swap.end), members };
        self.backend.add_override(actor, &swap.rotation_id, value).await
    }
}

#[async_trait]
impl Swaps for SqlSwaps {
    async fn list(&self, rotation_id: &str) -> Result<Vec<SwapView>, AppError> {
        let rows =
            sqlx::query("SELECT * FROM shift_swaps WHERE rotation_id = $1 ORDER BY created_at DESC, id LIMIT 200")
                .bind(rotation_id)
                .fetch_all(&self.db.pool)
                .await
                .map_err(ServerError::from)?;
        Ok(rows.iter().map(swap_from_row).collect::<Result<_, ServerError>>()?)
    }

    async fn request(&self, actor: &CurrentUser, request: SwapRequest) -> Result<String, AppError> {
        let me = actor.contact.clone().ok_or_else(|| invalid("from", Msg::ErrNoLinkedPerson))?;
        if me != request.from && me != request.to {
            return Err(invalid("from", Msg::ErrSwapNotYours));
        }
        if request.from == request.to {
            return Err(invalid("to", Msg::ErrSwapSamePerson));
        }
        let detail = self.backend.rotation(&request.rotation_id).await?;
        if !detail.rotation.members.contains(&request.to) {
            return Err(invalid("to", Msg::ErrOverrideMember));
        }
        let now = self.clock.now().timestamp();
        if request.start < now {
            return Err(invalid("start", Msg::ErrOverridePast));
        }
        let shifts = self.backend.rotation_shifts(&request.rotation_id, request.start, request.end).await?;
        let whole = shifts.len() == 1
            && shifts[0].start.timestamp() == request.start
            && shifts[0].end.timestamp() == request.end;
        if !whole || !shifts[0].members.contains(&request.from) {
            return Err(invalid("start", Msg::ErrSwapNotOnShift));
        }
        let swap = SwapView {
            id: crate::engine::new_uuid(),
            rotation_id: request.rotation_id,
            start: request.start,
            end: request.end,
            from: request.from,
            to: request.to,
            requested_by: me,
            status: SwapStatus::Pending,
            override_id: None,
            created_at: now,
        };
        let mut tx = self.db.begin_write().await.map_err(ServerError::from)?;
        sqlx::query(
            "INSERT INTO shift_swaps (id, rotation_id, shift_start, shift_end, from_contact, to_contact, \
             requested_by, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&swap.id)
        .bind(&swap.rotation_id)
        .bind(swap.start)
        .bind(swap.end)
        .bind(&swap.from)
        .bind(&swap.to)
        .bind(&swap.requested_by)
        .bind(swap.status.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(ServerError::from)?;
        audit::record(&mut tx, Actor::User(actor), now, Change::created("swap", &swap.id, &swap))
            .await
            .map_err(ServerError::from)?;
        tx.commit().await.map_err(ServerError::from)?;
        Ok(swap.id)
    }

    async fn answer(&self, actor: &CurrentUser, id: &str, accept: bool) -> Result<SwapView, AppError> {
        let swap = self.get(id).await?;
        if actor.contact.as_deref() != Some(swap.answerer()) {
            return Err(AppError::Forbidden);
        }
        if swap.status != SwapStatus::Pending {
            return Err(invalid("status", Msg::ErrSwapNotPending));
        }
        if !accept {
            return self.transition(actor, &swap, SwapStatus::Pending, SwapStatus::Declined).await;
        }
        if self.backend.rotation(&swap.rotation_id).await?.swap_approval {
            return self.transition(actor, &swap, SwapStatus::Pending, SwapStatus::AwaitingApproval).await;
        }
        self.apply(actor, &swap, SwapStatus::Pending).await
    }

    async fn approve(&self, actor: &CurrentUser, id: &str, approve: bool) -> Result<SwapView, AppError> {
        if actor.role < Role::Manager {
            return Err(AppError::Forbidden);
        }
        let swap = self.get(id).await?;
        if swap.status != SwapStatus::AwaitingApproval {
            return Err(invalid("status", Msg::ErrSwapNotPending));
        }
        if approve {
            self.apply(actor, &swap, SwapStatus::AwaitingApproval).await
        } else {
            self.transition(actor, &swap, SwapStatus::AwaitingApproval, SwapStatus::Rejected).await
        }
    }
}
