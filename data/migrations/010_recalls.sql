-- Recalls the way practices run them: appointments from the practice
-- system, a patient's own recall date or pause, closed days, follow-up
-- reminders, and one email per family.

-- Appointments as the practice system exports them. external_id is the
-- export's own id; without one, the patient and the start time say which
-- appointment a row is, so importing tomorrow's list again updates it.
CREATE TABLE appointments (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
    external_id TEXT UNIQUE,
    starts_at   TEXT NOT NULL,                        -- 'YYYY-MM-DD HH:MM', the practice's time
    service     TEXT NOT NULL DEFAULT '',
    service_key TEXT NOT NULL DEFAULT '',
    provider    TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'cancelled', 'no_show', 'completed')),
    updated_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX appointments_patient_start ON appointments (patient_id, starts_at) WHERE external_id IS NULL;
CREATE INDEX appointments_booked ON appointments (status, starts_at, patient_id);
CREATE INDEX appointments_patient ON appointments (patient_id, starts_at);

-- A patient's own recall: a due date set by hand, or the recall paused
-- (until a day, or for good: '9999-12-31') with the reason. Nothing is
-- deleted to stop a recall.
CREATE TABLE recall_holds (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    patient_id  INTEGER NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
    due_date    TEXT,                                 -- NULL: from the last visit
    off_until   TEXT,                                 -- NULL: not paused
    reason      TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (campaign_id, patient_id)
) WITHOUT ROWID;

-- The practice's closed days: no email goes out on them, and a yearly or
-- birthday email that falls on one moves to the next open day.
CREATE TABLE closed_days (
    day    TEXT PRIMARY KEY,                          -- 'YYYY-MM-DD'
    name   TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT 'practice' CHECK (source IN ('practice', 'public'))
) WITHOUT ROWID;

-- Explicit consent to care reminders, where the law asks for it (a
-- German recall needs it); NULL: not given.
ALTER TABLE patients ADD COLUMN care_opted_in_at TEXT;

-- Follow-ups: which recall (cycle: 'v' and the last visit, or 'd' and a
-- date set by hand) and which reminder of it a row is; one of each per
-- patient, whatever the day it went out.
ALTER TABLE outbox ADD COLUMN cycle TEXT;
ALTER TABLE outbox ADD COLUMN reminder INTEGER;
CREATE UNIQUE INDEX outbox_recall_step ON outbox (campaign_id, patient_id, cycle, reminder) WHERE cycle IS NOT NULL;
-- Appointment reminders: the appointment and its start when queued; a
-- cancelled or moved appointment is not reminded.
ALTER TABLE outbox ADD COLUMN appointment_id INTEGER;
ALTER TABLE outbox ADD COLUMN appointment_at TEXT;
-- One email per family: the other members' rows name the patient whose
-- row carries the email, and follow it.
ALTER TABLE outbox ADD COLUMN family_of INTEGER;
CREATE INDEX outbox_family ON outbox (campaign_id, occurrence, family_of) WHERE family_of IS NOT NULL;
CREATE TRIGGER outbox_family_follows AFTER UPDATE OF status ON outbox
WHEN new.family_of IS NULL AND new.status <> old.status BEGIN
    UPDATE outbox SET status = new.status, reason = new.reason, sent_at = new.sent_at, attempts = new.attempts, retry_at = new.retry_at
    WHERE campaign_id = new.campaign_id AND occurrence = new.occurrence AND family_of = new.patient_id
    AND status NOT IN ('skipped', 'cancelled');
END;

-- Recall emails sent before follow-ups count as the first reminder of the
-- patient's recall as it stands.
UPDATE outbox SET reminder = 1, cycle = 'v' || (
    SELECT substr(p.visit_summary, instr(p.visit_summary, char(30) || lower(trim(json_extract(c.schedule, '$.service'))) || char(31))
        + length(char(30) || lower(trim(json_extract(c.schedule, '$.service'))) || char(31)), 10)
    FROM patients p, campaigns c WHERE p.id = outbox.patient_id AND c.id = outbox.campaign_id
      AND instr(p.visit_summary, char(30) || lower(trim(json_extract(c.schedule, '$.service'))) || char(31)) > 0)
WHERE occurrence LIKE 'recall-%' AND patient_id IS NOT NULL
  AND EXISTS (SELECT 1 FROM campaigns c WHERE c.id = outbox.campaign_id AND json_extract(c.schedule, '$.kind') = 'recall')
  AND EXISTS (SELECT 1 FROM patients p, campaigns c WHERE p.id = outbox.patient_id AND c.id = outbox.campaign_id
      AND instr(p.visit_summary, char(30) || lower(trim(json_extract(c.schedule, '$.service'))) || char(31)) > 0)
  AND NOT EXISTS (SELECT 1 FROM outbox o2 WHERE o2.campaign_id = outbox.campaign_id AND o2.patient_id = outbox.patient_id
      AND o2.occurrence LIKE 'recall-%' AND o2.id > outbox.id);

-- Birthday emails sent before, under a key per birthday year
-- ('birthday-2026'), count as that year's birthday: the daily runs that
-- catch up missed days never send it again.
UPDATE outbox SET reminder = 1, cycle = 'b' || substr(occurrence, 10, 4) || '-' || (
    SELECT CASE WHEN substr(p.birth_date, 6, 5) = '02-29'
                 AND NOT ((CAST(substr(outbox.occurrence, 10, 4) AS INTEGER) % 4 = 0 AND CAST(substr(outbox.occurrence, 10, 4) AS INTEGER) % 100 <> 0)
                          OR CAST(substr(outbox.occurrence, 10, 4) AS INTEGER) % 400 = 0)
            THEN '03-01' ELSE substr(p.birth_date, 6, 5) END
    FROM patients p WHERE p.id = outbox.patient_id)
WHERE occurrence GLOB 'birthday-[0-9][0-9][0-9][0-9]' AND patient_id IS NOT NULL
  AND EXISTS (SELECT 1 FROM patients p WHERE p.id = outbox.patient_id AND p.birth_date IS NOT NULL);
