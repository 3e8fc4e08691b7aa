-- Sessions in the console's own tables, written through its single writer (the session store of
-- tower-sessions-sqlx-store kept its own connections and table). Existing sessions end: people
-- sign in again once after the upgrade.
DROP TABLE IF EXISTS tower_sessions;

CREATE TABLE console_sessions (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
