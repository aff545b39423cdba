-- The rendered bodies live apart from the outbox rows (as in the file:
-- a status change writes a small row).
CREATE TABLE outbox_bodies (
    outbox_id BIGINT PRIMARY KEY REFERENCES outbox (id) ON DELETE CASCADE,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL DEFAULT ''
);
