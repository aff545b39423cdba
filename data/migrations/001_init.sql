-- Kindly's first schema. Dates are 'YYYY-MM-DD' text, timestamps RFC 3339 UTC text.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE patients (
    id                 INTEGER PRIMARY KEY,
    external_id        TEXT UNIQUE,                 -- id in the practice system; NULL when unknown
    first_name         TEXT NOT NULL DEFAULT '',
    last_name          TEXT NOT NULL DEFAULT '',
    preferred_name     TEXT NOT NULL DEFAULT '',
    email              TEXT NOT NULL DEFAULT '',    -- lower-cased, '' when missing
    phone              TEXT NOT NULL DEFAULT '',    -- as typed
    phone_digits       TEXT NOT NULL DEFAULT '',    -- digits only, for search
    birth_date         TEXT,                        -- NULL when unknown
    birth_md           INTEGER GENERATED ALWAYS AS
                           (CAST(substr(birth_date, 6, 2) AS INTEGER) * 100 + CAST(substr(birth_date, 9, 2) AS INTEGER)) STORED,
    sex                TEXT NOT NULL DEFAULT '' CHECK (sex IN ('', 'F', 'M', 'X')),
    postal_code        TEXT NOT NULL DEFAULT '',
    language           TEXT NOT NULL DEFAULT '',
    notes              TEXT NOT NULL DEFAULT '',
    -- Consent per purpose. Care reminders are allowed unless opted out;
    -- promotions need an explicit opt-in. Do-not-contact overrides both.
    care_consent       TEXT NOT NULL DEFAULT 'allowed' CHECK (care_consent IN ('allowed', 'opted_out')),
    care_changed_at    TEXT,
    care_source        TEXT NOT NULL DEFAULT '',
    promo_consent      TEXT NOT NULL DEFAULT 'unknown' CHECK (promo_consent IN ('unknown', 'opted_in', 'opted_out')),
    promo_changed_at   TEXT,
    promo_source       TEXT NOT NULL DEFAULT '',
    do_not_contact     INTEGER NOT NULL DEFAULT 0,
    archived           INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    -- Kept by the triggers below so segment rules read one row per patient
    -- instead of probing other tables (a B-tree probe per patient is what
    -- makes a segment count slow):
    -- tag_list: x1E tag x1E tag x1E, tags lower-cased (ASCII).
    -- visit_summary: x1E service x1F last-date x1E ..., one entry per service
    -- plus one with an empty service for the last visit of any kind.
    tag_list           TEXT NOT NULL DEFAULT '',
    visit_summary      TEXT NOT NULL DEFAULT ''
);
-- The two usual sort orders of the patient list; "archived" rides along so
-- paging past thousands of rows never has to open them. (Sorting by first
-- name, email or date added sorts on the fly: every index costs imports.)
CREATE INDEX patients_name ON patients (last_name COLLATE NOCASE, first_name COLLATE NOCASE, archived);
CREATE INDEX patients_birth ON patients (birth_date, archived);
-- Covers every column a segment rule reads: counting a segment scans this
-- narrow index instead of the wide table.
CREATE INDEX patients_segment ON patients (archived, birth_date, birth_md, sex, email, care_consent,
    promo_consent, do_not_contact, postal_code, created_at, tag_list, visit_summary);

-- Search-as-you-type index over names, email and phone digits.
CREATE VIRTUAL TABLE patients_fts USING fts5 (
    first_name, last_name, preferred_name, email, phone_digits,
    content = 'patients', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2'
);
-- A bulk write (data.Batch) sets 'bulk.deferred' inside its transaction and
-- indexes all its rows with a few statements at the end: FTS5 flushes its
-- buffer at every statement of a transaction, which makes one-row index
-- updates very slow in bulk. The tag list waits for the end the same way.
CREATE TRIGGER patients_fts_insert AFTER INSERT ON patients
WHEN NOT EXISTS (SELECT 1 FROM settings WHERE key = 'bulk.deferred') BEGIN
    INSERT INTO patients_fts (rowid, first_name, last_name, preferred_name, email, phone_digits)
    VALUES (new.id, new.first_name, new.last_name, new.preferred_name, new.email, new.phone_digits);
END;
CREATE TRIGGER patients_fts_delete AFTER DELETE ON patients BEGIN
    INSERT INTO patients_fts (patients_fts, rowid, first_name, last_name, preferred_name, email, phone_digits)
    VALUES ('delete', old.id, old.first_name, old.last_name, old.preferred_name, old.email, old.phone_digits);
END;
CREATE TRIGGER patients_fts_update AFTER UPDATE OF first_name, last_name, preferred_name, email, phone_digits ON patients
WHEN NOT EXISTS (SELECT 1 FROM settings WHERE key = 'bulk.deferred') BEGIN
    INSERT INTO patients_fts (patients_fts, rowid, first_name, last_name, preferred_name, email, phone_digits)
    VALUES ('delete', old.id, old.first_name, old.last_name, old.preferred_name, old.email, old.phone_digits);
    INSERT INTO patients_fts (rowid, first_name, last_name, preferred_name, email, phone_digits)
    VALUES (new.id, new.first_name, new.last_name, new.preferred_name, new.email, new.phone_digits);
END;

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);

CREATE TABLE patient_tags (
    patient_id INTEGER NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (patient_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX patient_tags_tag ON patient_tags (tag_id, patient_id);

CREATE TRIGGER patient_tags_insert AFTER INSERT ON patient_tags
WHEN NOT EXISTS (SELECT 1 FROM settings WHERE key = 'bulk.deferred') BEGIN
    UPDATE patients SET tag_list = (
        SELECT coalesce(group_concat(char(30) || lower(t.name), '') || char(30), '')
        FROM patient_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.patient_id = new.patient_id)
    WHERE id = new.patient_id;
END;
CREATE TRIGGER patient_tags_delete AFTER DELETE ON patient_tags BEGIN
    UPDATE patients SET tag_list = (
        SELECT coalesce(group_concat(char(30) || lower(t.name), '') || char(30), '')
        FROM patient_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.patient_id = old.patient_id)
    WHERE id = old.patient_id;
END;

CREATE TABLE visits (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
    date        TEXT NOT NULL,
    service     TEXT NOT NULL,                       -- as entered
    service_key TEXT NOT NULL,                       -- lower-cased, trimmed: what rules match on
    UNIQUE (patient_id, service_key, date)
);
CREATE INDEX visits_patient ON visits (patient_id, date);
CREATE INDEX visits_service ON visits (service_key, date, patient_id);

CREATE TRIGGER visits_insert AFTER INSERT ON visits BEGIN
    UPDATE patients SET visit_summary = (
        SELECT coalesce(group_concat(char(30) || k || char(31) || d, '') || char(30), '') FROM (
            SELECT service_key AS k, max(date) AS d FROM visits WHERE patient_id = new.patient_id GROUP BY service_key
            UNION ALL
            SELECT '', max(date) FROM visits WHERE patient_id = new.patient_id HAVING count(*) > 0))
    WHERE id = new.patient_id;
END;
CREATE TRIGGER visits_delete AFTER DELETE ON visits BEGIN
    UPDATE patients SET visit_summary = (
        SELECT coalesce(group_concat(char(30) || k || char(31) || d, '') || char(30), '') FROM (
            SELECT service_key AS k, max(date) AS d FROM visits WHERE patient_id = old.patient_id GROUP BY service_key
            UNION ALL
            SELECT '', max(date) FROM visits WHERE patient_id = old.patient_id HAVING count(*) > 0))
    WHERE id = old.patient_id;
END;
CREATE TRIGGER visits_update AFTER UPDATE ON visits BEGIN
    UPDATE patients SET visit_summary = (
        SELECT coalesce(group_concat(char(30) || k || char(31) || d, '') || char(30), '') FROM (
            SELECT service_key AS k, max(date) AS d FROM visits WHERE patient_id = new.patient_id GROUP BY service_key
            UNION ALL
            SELECT '', max(date) FROM visits WHERE patient_id = new.patient_id HAVING count(*) > 0))
    WHERE id = new.patient_id;
END;

CREATE TABLE segments (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    rules      TEXT NOT NULL,                        -- JSON rule tree
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE templates (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE campaigns (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('care', 'promotion')),
    segment_id  INTEGER REFERENCES segments (id) ON DELETE RESTRICT,
    template_id INTEGER REFERENCES templates (id) ON DELETE RESTRICT,
    schedule    TEXT NOT NULL DEFAULT '{}',          -- JSON schedule and send window
    status      TEXT NOT NULL DEFAULT 'draft'
                    CHECK (status IN ('draft', 'scheduled', 'sending', 'paused', 'done')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- One row per recipient of one campaign occurrence; the unique key makes a
-- second message to the same patient for the same occurrence impossible.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    occurrence  TEXT NOT NULL,                        -- e.g. '2026-10-01' or '2026:birthday'
    patient_id  INTEGER REFERENCES patients (id) ON DELETE SET NULL,
    email       TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body_text   TEXT NOT NULL,
    body_html   TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'skipped', 'uncertain', 'cancelled')),
    reason      TEXT NOT NULL DEFAULT '',
    attempts    INTEGER NOT NULL DEFAULT 0,
    queued_at   TEXT NOT NULL,
    sent_at     TEXT,
    UNIQUE (campaign_id, occurrence, patient_id)
);
CREATE INDEX outbox_status ON outbox (campaign_id, occurrence, status, id);
CREATE INDEX outbox_patient ON outbox (patient_id, queued_at, status);
CREATE INDEX outbox_sent ON outbox (sent_at);

CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    action TEXT NOT NULL,                            -- import, export, send, delete, ...
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
