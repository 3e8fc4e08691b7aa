-- A person's plan may name the same channel in several stages ("SMS now, SMS again in 5
-- minutes"): each stage sends again. The outbox keeps one delivery per page, channel and stage
-- of the person's plan.
ALTER TABLE deliveries ADD COLUMN page_stage BIGINT NOT NULL DEFAULT 0;
ALTER TABLE deliveries DROP CONSTRAINT deliveries_page_id_channel_id_key;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_page_channel_stage UNIQUE (page_id, channel_id, page_stage);
