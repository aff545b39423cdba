-- A message refused for now by its recipient's server waits until retry_at
-- while the others go out.
ALTER TABLE outbox ADD COLUMN retry_at TEXT;
