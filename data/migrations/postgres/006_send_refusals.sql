-- A recipient refused at send time is a bounce too, in the same table the
-- inbox writes; outbox_id ties it to its email, so a refusal that turns
-- out to be the practice's (the same refusal for everyone) is taken back.
ALTER TABLE bounces ADD COLUMN outbox_id BIGINT;
CREATE INDEX bounces_outbox ON bounces (outbox_id) WHERE outbox_id IS NOT NULL;
CREATE INDEX bounces_email ON bounces (email, at);
