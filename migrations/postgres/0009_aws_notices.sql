-- AWS mode: the console's own notice, with the personal acknowledge link, for each page that
-- Incident Manager creates for what the console started.
-- Engagements and incidents the console started, watched for new pages for 24 hours.
CREATE TABLE aws_watched (
    arn TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('engagement', 'incident')),
    started_at BIGINT NOT NULL
);
CREATE INDEX aws_watched_started ON aws_watched (started_at);
-- Each page noticed once (the first replica to insert it sends the notice), with what the
-- notice's message and link need.
CREATE TABLE aws_pages (
    page_arn TEXT PRIMARY KEY,
    engagement_arn TEXT NOT NULL,
    contact_alias TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    noticed_at BIGINT NOT NULL
);
-- A notice's delivery names its Incident Manager page here (page_id names the engine's pages).
ALTER TABLE deliveries ADD COLUMN aws_page_arn TEXT REFERENCES aws_pages (page_arn);
