-- The local engine: the Incident Manager model on the console's own database.
-- Plans, rotation definitions and override member lists are JSON text (shared domain types).
CREATE TABLE contacts (
    alias TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('personal', 'escalation', 'oncall_schedule')),
    plan_json TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE contact_channels (
    id TEXT PRIMARY KEY,
    contact_alias TEXT NOT NULL REFERENCES contacts (alias) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('email', 'sms', 'voice')),
    address TEXT NOT NULL,
    activated BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX contact_channels_contact ON contact_channels (contact_alias);

CREATE TABLE rotations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    definition_json TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE rotation_overrides (
    id TEXT PRIMARY KEY,
    rotation_id TEXT NOT NULL REFERENCES rotations (id) ON DELETE CASCADE,
    start_at BIGINT NOT NULL,
    end_at BIGINT NOT NULL,
    members_json TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX rotation_overrides_rotation ON rotation_overrides (rotation_id, start_at);

CREATE TABLE engagements (
    id TEXT PRIMARY KEY,
    contact_alias TEXT NOT NULL,
    sender TEXT NOT NULL,
    subject TEXT NOT NULL,
    content TEXT NOT NULL,
    public_subject TEXT,
    public_content TEXT,
    incident_id TEXT,
    idempotency_token TEXT UNIQUE,
    started_at BIGINT NOT NULL,
    stopped_at BIGINT,
    stop_reason TEXT
);
CREATE INDEX engagements_incident ON engagements (incident_id);

-- One page per person engaged.
CREATE TABLE pages (
    id TEXT PRIMARY KEY,
    engagement_id TEXT NOT NULL REFERENCES engagements (id),
    contact_alias TEXT NOT NULL,
    stage_index BIGINT NOT NULL,
    essential BIGINT NOT NULL DEFAULT 0,
    accept_code TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    delivered_at BIGINT,
    read_at BIGINT,
    UNIQUE (engagement_id, contact_alias)
);

CREATE TABLE receipts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    page_id TEXT NOT NULL REFERENCES pages (id),
    channel_id TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('sent', 'delivered', 'read', 'error', 'stop')),
    info TEXT,
    at BIGINT NOT NULL
);
CREATE INDEX receipts_page ON receipts (page_id, at);

-- Durable timers: each row is one escalation step, done exactly once by whichever worker
-- claims it; its effects and its completion commit together.
CREATE TABLE engine_steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    engagement_id TEXT NOT NULL REFERENCES engagements (id),
    -- NULL: a stage of the engaged contact's plan; otherwise a stage of this page's personal plan.
    page_id TEXT REFERENCES pages (id),
    stage_index BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    claimed_at BIGINT,
    done_at BIGINT
);
CREATE INDEX engine_steps_due ON engine_steps (done_at, due_at);

-- Every message the engine would send, one per page and channel.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    page_id TEXT NOT NULL REFERENCES pages (id),
    channel_id TEXT NOT NULL,
    channel_kind TEXT NOT NULL,
    address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (page_id, channel_id)
);
