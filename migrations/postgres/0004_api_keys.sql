-- Access keys for the console's SSM-compatible API. SigV4 is a shared-secret scheme: the console
-- must know the secret to check a signature, so it is stored (like AWS does); revoking is final.
CREATE TABLE api_keys (
    access_key_id TEXT PRIMARY KEY,
    secret_access_key TEXT NOT NULL,
    name TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    last_used_at BIGINT
);
