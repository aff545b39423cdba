-- The inbox: what comes back from the practice's mailbox.

-- An outbox row may become "bounced": the table is made again with the
-- wider check (SQLite cannot change a CHECK in place). Nothing refers to
-- outbox, and it has no triggers.
CREATE TABLE outbox_new (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    occurrence  TEXT NOT NULL,
    patient_id  INTEGER REFERENCES patients (id) ON DELETE SET NULL,
    email       TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body_text   TEXT NOT NULL,
    body_html   TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'skipped', 'uncertain', 'cancelled', 'bounced')),
    reason      TEXT NOT NULL DEFAULT '',
    attempts    INTEGER NOT NULL DEFAULT 0,
    queued_at   TEXT NOT NULL,
    sent_at     TEXT,
    retry_at    TEXT,
    UNIQUE (campaign_id, occurrence, patient_id)
);
INSERT INTO outbox_new (id, campaign_id, occurrence, patient_id, email, subject, body_text, body_html, status, reason,
                        attempts, queued_at, sent_at, retry_at)
    SELECT id, campaign_id, occurrence, patient_id, email, subject, body_text, body_html, status, reason,
           attempts, queued_at, sent_at, retry_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_status ON outbox (campaign_id, occurrence, status, id);
CREATE INDEX outbox_patient ON outbox (patient_id, queued_at, status);
CREATE INDEX outbox_sent ON outbox (sent_at);

-- An address that bounced for good: kept on screen, never mailed until
-- the address is changed.
ALTER TABLE patients ADD COLUMN email_bounced_at TEXT;
ALTER TABLE patients ADD COLUMN email_bounce_reason TEXT NOT NULL DEFAULT '';

-- Every bounce, hard or soft (soft ones add up: 3 in 30 days is unusable).
CREATE TABLE bounces (
    id         INTEGER PRIMARY KEY,
    patient_id INTEGER REFERENCES patients (id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    at         TEXT NOT NULL,
    hard       INTEGER NOT NULL,
    reason     TEXT NOT NULL
);
CREATE INDEX bounces_patient ON bounces (patient_id, at);

-- What the inbox check has read, per mailbox and UIDVALIDITY, so each
-- message counts once and only new ones are fetched.
CREATE TABLE inbox_state (
    mailbox     TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    last_uid    INTEGER NOT NULL,
    checked_at  TEXT NOT NULL,
    PRIMARY KEY (mailbox, uidvalidity)
);

-- Messages Kindly could not read with certainty, for the practice to decide.
CREATE TABLE inbox_review (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER REFERENCES patients (id) ON DELETE CASCADE,
    from_addr   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    received_at TEXT NOT NULL,
    why         TEXT NOT NULL,
    excerpt     TEXT NOT NULL DEFAULT '',
    decided     TEXT NOT NULL DEFAULT ''
);

-- A new address is a fresh start: its bounce is the old address's.
CREATE TRIGGER patients_email_changed AFTER UPDATE OF email ON patients
WHEN NEW.email IS NOT OLD.email AND NEW.email_bounced_at IS NOT NULL BEGIN
    UPDATE patients SET email_bounced_at = NULL, email_bounce_reason = '' WHERE id = NEW.id;
END;
