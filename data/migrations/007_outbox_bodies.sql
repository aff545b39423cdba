-- The rendered bodies live apart from the outbox rows: the sender rewrites
-- each row twice per email (sending, then sent), and SQLite rewrites a
-- whole row, a few kilobytes of email with it. Apart, a status change
-- writes a small row.
CREATE TABLE outbox_bodies (
    outbox_id INTEGER PRIMARY KEY REFERENCES outbox (id) ON DELETE CASCADE,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL DEFAULT ''
);
INSERT INTO outbox_bodies (outbox_id, body_text, body_html)
    SELECT id, body_text, body_html FROM outbox WHERE body_text != '' OR body_html != '';
UPDATE outbox SET body_text = '', body_html = '' WHERE body_text != '' OR body_html != '';
