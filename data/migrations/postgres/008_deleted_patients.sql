CREATE TABLE deleted_patients (
    patient_id BIGINT PRIMARY KEY,
    deleted_at TEXT NOT NULL
);
