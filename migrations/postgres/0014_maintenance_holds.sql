-- Rules may hold a firing alert until working hours open: it waits unrouted until then.
ALTER TABLE alerts ADD COLUMN held_until BIGINT;
-- The maintenance window that suppressed the alert, if one did.
ALTER TABLE alerts ADD COLUMN maintenance_id TEXT;

-- Maintenance windows: alerts their condition matches (empty: every alert) are kept and shown
-- but page and notify nobody while the window is in force. Ending one early sets ends_at.
CREATE TABLE maintenance_windows (
    id TEXT PRIMARY KEY,
    note TEXT NOT NULL,
    condition TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX maintenance_windows_ends ON maintenance_windows (ends_at);

-- An incident's alerts (its timeline reads them by incident).
CREATE INDEX alert_incidents_incident ON alert_incidents (incident_id);
