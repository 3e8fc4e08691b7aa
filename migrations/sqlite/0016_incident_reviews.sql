-- Post-incident reviews: one per incident, the newest version (a save names the one it began from).
CREATE TABLE incident_reviews (
    incident_id TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    review_json TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    saved_at BIGINT NOT NULL
);
