-- Sessions in the console's own tables (the session store of tower-sessions-sqlx-store kept its
-- own connections and schema). Existing sessions end: people sign in again once after the upgrade.
DROP SCHEMA IF EXISTS tower_sessions CASCADE;

CREATE TABLE console_sessions (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
