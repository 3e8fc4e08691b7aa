-- Drills: a plan engaged for real with every message marked as a drill (kept by the console in
-- both modes; `engagement_id` is the backend's: a local id or an AWS ARN).
CREATE TABLE drills (
    id TEXT PRIMARY KEY,
    plan TEXT NOT NULL,
    engagement_id TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    -- A username, or `schedule`.
    started_by TEXT NOT NULL,
    schedule_id TEXT
);
CREATE INDEX drills_started ON drills (started_at);

-- Drills run by the server when due. A replica claims a run by moving `next_at` on from the
-- value it read, so each run starts once however many replicas look.
CREATE TABLE drill_schedules (
    id TEXT PRIMARY KEY,
    plan TEXT NOT NULL,
    rule_json TEXT NOT NULL,
    next_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX drill_schedules_due ON drill_schedules (next_at);
