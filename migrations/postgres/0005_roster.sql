-- Roster history, shift swaps, calendar feeds and the person behind each user.
-- Kept by the console in both modes (rotation ids are the backend's: local ids or AWS ARNs).

-- The current version of each rotation the console knows. `definition_version` is the latest
-- version that changed the definition: an edit must start from it (no lost updates).
CREATE TABLE rotation_heads (
    rotation_id TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    definition_version BIGINT NOT NULL,
    -- Accepted shift swaps wait for a manager before they become overrides.
    swap_approval BIGINT NOT NULL DEFAULT 0
);

-- Every change: the definition after it, and what it was (`kind_json`, a shared domain type).
CREATE TABLE rotation_versions (
    rotation_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    saved_at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    kind_json TEXT NOT NULL,
    name TEXT NOT NULL,
    definition_json TEXT NOT NULL,
    PRIMARY KEY (rotation_id, version)
);

INSERT INTO rotation_heads (rotation_id, version, definition_version) SELECT id, 1, 1 FROM rotations;
INSERT INTO rotation_versions (rotation_id, version, saved_at, actor, kind_json, name, definition_json)
    SELECT id, 1, created_at, 'system', '"Created"', name, definition_json FROM rotations;

-- A responder offers their shift to someone, or asks to take someone's shift.
CREATE TABLE shift_swaps (
    id TEXT PRIMARY KEY,
    rotation_id TEXT NOT NULL,
    shift_start BIGINT NOT NULL,
    shift_end BIGINT NOT NULL,
    -- The person who gives the shift away and the one who takes it.
    from_contact TEXT NOT NULL,
    to_contact TEXT NOT NULL,
    -- Who asked (the other person answers).
    requested_by TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'awaiting_approval', 'declined', 'rejected', 'applied')),
    override_id TEXT,
    created_at BIGINT NOT NULL,
    decided_at BIGINT,
    decided_by TEXT
);
CREATE INDEX shift_swaps_rotation ON shift_swaps (rotation_id, status);

-- Secret calendar feed URLs, each user's own (regenerating breaks nobody else's subscription);
-- only a hash of the token is kept. A feed stops when its user is disabled.
CREATE TABLE calendar_feeds (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('rotation', 'person')),
    subject TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (user_id, kind, subject)
);

-- The contact (person) a user is: for swaps and "my shifts".
ALTER TABLE users ADD COLUMN contact_alias TEXT;
