-- Acknowledging from a phone.
-- A person's language for the messages they receive, kept by the console for both backends
-- (SSM Contacts has no such field).
CREATE TABLE contact_preferences (
    contact_id TEXT PRIMARY KEY,
    language TEXT NOT NULL CHECK (language IN ('ja', 'en')),
    updated_at BIGINT NOT NULL
);
-- Keys the console makes once and keeps: 'ack_link' signs acknowledge links.
CREATE TABLE console_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
-- One personal acknowledge link per page. Only the SHA-256 of the token is kept; the token is
-- derived from the page id with the 'ack_link' key when a message is sent.
CREATE TABLE ack_links (
    token_hash TEXT PRIMARY KEY,
    page_id TEXT NOT NULL UNIQUE,
    engagement_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    language TEXT CHECK (language IN ('ja', 'en')),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
-- The recipient's language, for page deliveries (written into the message when it is sent).
ALTER TABLE deliveries ADD COLUMN language TEXT;
