-- SNS integrations accept messages from these topics only (ARNs, one per line): a valid SNS
-- signature proves SNS sent it, not that the topic is yours.
ALTER TABLE integrations ADD COLUMN topics TEXT NOT NULL DEFAULT '';
