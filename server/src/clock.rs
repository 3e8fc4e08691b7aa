//! The time, injected: the system clock in production, a hand-moved one in tests. Everything that
//! reads the time (the engine, accounts, swaps, feeds, the AWS backend) takes one of these.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};

pub use app::ports::Clock;

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that moves only when told to.
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Arc<Self> {
        Arc::new(ManualClock(Mutex::new(at)))
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Epoch seconds of the clock's now.
pub fn epoch_now(clock: &dyn Clock) -> i64 {
    clock.now().timestamp()
}

/// Epoch seconds, as the database stores times.
pub fn epoch(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

/// An instant from stored epoch seconds.
pub fn from_epoch(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}
