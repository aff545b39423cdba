-- A deleted patient stays deleted through a restore: the number of every
-- deleted patient is kept (nothing else of them), and a restore deletes
-- them again from the backup it puts in place.
CREATE TABLE deleted_patients (
    patient_id INTEGER PRIMARY KEY,
    deleted_at TEXT NOT NULL
);
