//! Reads served from memory for a short while, around any backend. AWS mode wraps its backend in
//! [`Cached`] so that listing pages does not call AWS on every view; any write made through the
//! console, and the header's Refresh, forget everything at once.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use app::auth::CurrentUser;
use app::domain::contact::{Contact, ContactChannel};
use app::domain::incident::{IncidentRecord, IncidentStatus, IncidentUpdate, RelatedLink, ResponsePlan};
use app::domain::roster::Roster;
use app::domain::rotation::{Override, Rotation, Shift};
use app::error::AppError;
use app::model::oncall::{ContactView, DeliveryEntry, EngagementView, IncidentDetail, RotationView};
use app::model::rotations::RotationDetail;
use app::ports::{Backend, EngagementStart, IncidentStart};

/// A value of any type, and when it was read.
type Entry = (Instant, Arc<dyn Any + Send + Sync>);

/// Values of any type by key, each kept for `ttl`.
pub struct TtlCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, Entry>>,
}

impl TtlCache {
    pub fn new(ttl: Duration) -> Self {
        TtlCache { ttl, entries: Mutex::new(HashMap::new()) }
    }

    pub fn get<T: Clone + Send + Sync + 'static>(&self, key: &str) -> Option<T> {
        let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (at, value) = entries.get(key)?;
        (at.elapsed() < self.ttl).then(|| value.downcast_ref::<T>().cloned()).flatten()
    }

    pub fn put<T: Clone + Send + Sync + 'static>(&self, key: &str, value: &T) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.insert(key.to_owned(), (Instant::now(), Arc::new(value.clone())));
    }

    pub fn clear(&self) {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }

    /// The cached value for `key`, or `load`'s (kept when it succeeds).
    pub async fn or_load<T, F>(&self, key: &str, load: F) -> Result<T, AppError>
    where
        T: Clone + Send + Sync + 'static,
        F: Future<Output = Result<T, AppError>>,
    {
        if let Some(v) = self.get(key) {
            return Ok(v);
        }
        let v = load.await?;
        self.put(key, &v);
        Ok(v)
    }
}

/// A backend whose list reads are cached; writes and refresh clear the cache.
pub struct Cached<B> {
    inner: B,
    cache: TtlCache,
}

impl<B: Backend> Cached<B> {
    pub fn new(inner: B, ttl: Duration) -> Self {
        Cached { inner, cache: TtlCache::new(ttl) }
    }

    /// Runs a write, then forgets what was read before it.
    async fn write<T>(&self, result: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
        let r = result.await;
        self.cache.clear();
        r
    }
}

#[async_trait]
impl<B: Backend> Backend for Cached<B> {
    fn location(&self) -> Option<String> {
        self.inner.location()
    }

    async fn refresh(&self) {
        self.cache.clear();
        self.inner.refresh().await;
    }

    async fn contacts(&self) -> Result<Vec<ContactView>, AppError> {
        self.cache.or_load("contacts", self.inner.contacts()).await
    }

    async fn rotations(&self) -> Result<Vec<RotationView>, AppError> {
        self.cache.or_load("rotations", self.inner.rotations()).await
    }

    async fn response_plans(&self) -> Result<Vec<ResponsePlan>, AppError> {
        self.cache.or_load("plans", self.inner.response_plans()).await
    }

    async fn engagements(&self, limit: u32) -> Result<Vec<EngagementView>, AppError> {
        self.cache.or_load(&format!("engagements:{limit}"), self.inner.engagements(limit)).await
    }

    async fn engagement(&self, id: &str) -> Result<EngagementView, AppError> {
        self.inner.engagement(id).await
    }

    async fn incidents(&self, status: Option<IncidentStatus>, limit: u32) -> Result<Vec<IncidentRecord>, AppError> {
        self.inner.incidents(status, limit).await
    }

    async fn incident(&self, id: &str) -> Result<IncidentDetail, AppError> {
        self.inner.incident(id).await
    }

    async fn incident_record(&self, id: &str) -> Result<IncidentRecord, AppError> {
        self.inner.incident_record(id).await
    }

    async fn open_incidents(&self, ids: &[String]) -> Result<std::collections::HashSet<String>, AppError> {
        self.inner.open_incidents(ids).await
    }

    async fn incident_facts(&self, from: i64, to: i64) -> Result<Vec<app::domain::analytics::IncidentFacts>, AppError> {
        self.inner.incident_facts(from, to).await
    }

    async fn incident_deliveries(&self, incident: &IncidentDetail) -> Result<Vec<DeliveryEntry>, AppError> {
        self.inner.incident_deliveries(incident).await
    }

    async fn deliveries(&self, limit: u32) -> Result<Vec<DeliveryEntry>, AppError> {
        self.inner.deliveries(limit).await
    }

    async fn rotation_shifts(&self, rotation_id: &str, from: i64, to: i64) -> Result<Vec<Shift>, AppError> {
        self.inner.rotation_shifts(rotation_id, from, to).await
    }

    async fn rotation(&self, id: &str) -> Result<RotationDetail, AppError> {
        self.inner.rotation(id).await
    }

    async fn roster(&self, id: &str) -> Result<Roster, AppError> {
        self.inner.roster(id).await
    }

    async fn create_contact(&self, actor: &CurrentUser, contact: Contact) -> Result<(), AppError> {
        self.write(self.inner.create_contact(actor, contact)).await
    }

    async fn update_contact(&self, actor: &CurrentUser, contact: Contact, base: &str) -> Result<(), AppError> {
        self.write(self.inner.update_contact(actor, contact, base)).await
    }

    async fn send_activation_code(&self, actor: &CurrentUser, channel_id: &str) -> Result<(), AppError> {
        self.write(self.inner.send_activation_code(actor, channel_id)).await
    }

    async fn delete_channel(&self, actor: &CurrentUser, channel_id: &str) -> Result<(), AppError> {
        self.write(self.inner.delete_channel(actor, channel_id)).await
    }

    async fn delete_contact(&self, actor: &CurrentUser, alias: &str) -> Result<(), AppError> {
        self.write(self.inner.delete_contact(actor, alias)).await
    }

    async fn add_channel(&self, actor: &CurrentUser, channel: ContactChannel) -> Result<ContactChannel, AppError> {
        self.write(self.inner.add_channel(actor, channel)).await
    }

    async fn activate_channel(&self, actor: &CurrentUser, channel_id: &str, code: &str) -> Result<(), AppError> {
        self.write(self.inner.activate_channel(actor, channel_id, code)).await
    }

    async fn create_rotation(&self, actor: &CurrentUser, name: &str, rotation: Rotation) -> Result<String, AppError> {
        self.write(self.inner.create_rotation(actor, name, rotation)).await
    }

    async fn update_rotation(
        &self,
        actor: &CurrentUser,
        id: &str,
        base: u32,
        name: &str,
        rotation: Rotation,
    ) -> Result<u32, AppError> {
        self.write(self.inner.update_rotation(actor, id, base, name, rotation)).await
    }

    async fn restore_rotation(&self, actor: &CurrentUser, id: &str, from: u32, base: u32) -> Result<u32, AppError> {
        self.write(self.inner.restore_rotation(actor, id, from, base)).await
    }

    async fn add_override(&self, actor: &CurrentUser, rotation_id: &str, o: Override) -> Result<String, AppError> {
        self.write(self.inner.add_override(actor, rotation_id, o)).await
    }

    async fn delete_override(&self, actor: &CurrentUser, rotation_id: &str, override_id: &str) -> Result<(), AppError> {
        self.write(self.inner.delete_override(actor, rotation_id, override_id)).await
    }

    async fn set_swap_approval(&self, actor: &CurrentUser, rotation_id: &str, required: bool) -> Result<(), AppError> {
        self.write(self.inner.set_swap_approval(actor, rotation_id, required)).await
    }

    async fn start_engagement(&self, actor: &CurrentUser, start: EngagementStart) -> Result<String, AppError> {
        self.write(self.inner.start_engagement(actor, start)).await
    }

    async fn stop_engagement(&self, actor: &CurrentUser, id: &str) -> Result<(), AppError> {
        self.write(self.inner.stop_engagement(actor, id)).await
    }

    async fn stop_engagement_as_recipient(&self, id: &str, contact: &str) -> Result<(), AppError> {
        self.write(self.inner.stop_engagement_as_recipient(id, contact)).await
    }

    async fn accept_page(&self, actor: &CurrentUser, page_id: &str, code: &str) -> Result<(), AppError> {
        self.write(self.inner.accept_page(actor, page_id, code)).await
    }

    async fn pages_of(&self, contact: &str, limit: u32) -> Result<Vec<app::model::me::MyPage>, AppError> {
        self.inner.pages_of(contact, limit).await
    }

    async fn accept_page_as_recipient(&self, page_id: &str, how: &str) -> Result<(), AppError> {
        self.write(self.inner.accept_page_as_recipient(page_id, how)).await
    }

    async fn create_response_plan(&self, actor: &CurrentUser, plan: ResponsePlan) -> Result<(), AppError> {
        self.write(self.inner.create_response_plan(actor, plan)).await
    }

    async fn update_response_plan(&self, actor: &CurrentUser, plan: ResponsePlan, base: &str) -> Result<(), AppError> {
        self.write(self.inner.update_response_plan(actor, plan, base)).await
    }

    async fn start_incident(&self, actor: &CurrentUser, start: IncidentStart) -> Result<String, AppError> {
        self.write(self.inner.start_incident(actor, start)).await
    }

    async fn update_incident(&self, actor: &CurrentUser, id: &str, update: IncidentUpdate) -> Result<(), AppError> {
        self.write(self.inner.update_incident(actor, id, update)).await
    }

    async fn add_timeline_note(&self, actor: &CurrentUser, incident_id: &str, text: &str) -> Result<String, AppError> {
        self.write(self.inner.add_timeline_note(actor, incident_id, text)).await
    }

    async fn edit_timeline_note(
        &self,
        actor: &CurrentUser,
        incident_id: &str,
        event_id: &str,
        text: &str,
    ) -> Result<(), AppError> {
        self.write(self.inner.edit_timeline_note(actor, incident_id, event_id, text)).await
    }

    async fn related_links(&self, incident_id: &str) -> Result<Vec<RelatedLink>, AppError> {
        self.inner.related_links(incident_id).await
    }

    async fn add_related_link(
        &self,
        actor: &CurrentUser,
        incident_id: &str,
        url: &str,
        title: &str,
    ) -> Result<RelatedLink, AppError> {
        self.write(self.inner.add_related_link(actor, incident_id, url, title)).await
    }

    async fn remove_related_link(&self, actor: &CurrentUser, incident_id: &str, link_id: &str) -> Result<(), AppError> {
        self.write(self.inner.remove_related_link(actor, incident_id, link_id)).await
    }

    async fn delete_timeline_note(
        &self,
        actor: &CurrentUser,
        incident_id: &str,
        event_id: &str,
    ) -> Result<(), AppError> {
        self.write(self.inner.delete_timeline_note(actor, incident_id, event_id)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_value_is_kept_for_its_time_and_a_failure_is_not_kept() {
        // A minute is "its time" however slowly a loaded machine runs the test; a cache whose time
        // is zero shows expiry without sleeping.
        let cache = TtlCache::new(Duration::from_mins(1));
        assert_eq!(cache.or_load("k", async { Ok(1) }).await, Ok(1));
        assert_eq!(cache.or_load("k", async { Ok(2) }).await, Ok(1), "served from memory");
        let expired = TtlCache::new(Duration::ZERO);
        assert_eq!(expired.or_load("k", async { Ok(1) }).await, Ok(1));
        assert_eq!(expired.or_load("k", async { Ok(3) }).await, Ok(3), "expired");
        cache.clear();
        assert_eq!(cache.or_load::<i32, _>("k", async { Err(AppError::Internal) }).await, Err(AppError::Internal));
        assert_eq!(cache.or_load("k", async { Ok(4) }).await, Ok(4), "a failure is not kept");
    }
}
