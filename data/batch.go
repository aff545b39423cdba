package data

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Batch writes many patients, tags and visits in one transaction: all of
// them land, or none (imports and sample data use it).
type Batch struct {
	s          *Store
	ctx        context.Context
	tx         *sql.Tx
	addPatient *sql.Stmt
	addVisit   *sql.Stmt
	addTag     *sql.Stmt
	tagIDs     map[string]int64 // tag name (lower case) -> id, filled as tags are used
}

// WithBatch runs fn in one transaction and commits if it returns nil.
func (s *Store) WithBatch(ctx context.Context, fn func(b *Batch) error) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		b := &Batch{s: s, ctx: ctx, tx: tx, tagIDs: map[string]int64{}}
		for _, st := range []struct {
			stmt **sql.Stmt
			sql  string
		}{
			{&b.addPatient, insertPatientSQL},
			{&b.addVisit, `INSERT INTO visits (patient_id, date, service, service_key)
				VALUES (?, ?, ?, ?) ON CONFLICT (patient_id, service_key, date) DO NOTHING`},
			{&b.addTag, `INSERT INTO patient_tags (patient_id, tag_id) VALUES (?, ?) ON CONFLICT DO NOTHING`},
		} {
			stmt, err := tx.PrepareContext(ctx, st.sql)
			if err != nil {
				return err
			}
			defer stmt.Close()
			*st.stmt = stmt
		}
		return fn(b)
	})
	if err != nil {
		return err
	}
	// Fold the big write-ahead log back into the database now, so later
	// reads do not wade through it.
	_, err = s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// AddPatient saves a new patient with its tags and sets p.ID.
func (b *Batch) AddPatient(p *Patient, tags ...string) error {
	if err := b.s.insertPatient(b.ctx, b.addPatient, p); err != nil {
		return err
	}
	for _, t := range tags {
		if err := b.AddTag(p.ID, t); err != nil {
			return err
		}
	}
	return nil
}

// AddTag gives a patient a tag, creating the tag on first use.
func (b *Batch) AddTag(patientID int64, tag string) error {
	tag = cleanTag(tag)
	if tag == "" {
		return nil
	}
	key := strings.ToLower(tag)
	id, ok := b.tagIDs[key]
	if !ok {
		err := b.tx.QueryRowContext(b.ctx, `INSERT INTO tags (name) VALUES (?)
			ON CONFLICT (name) DO UPDATE SET name = name RETURNING id`, tag).Scan(&id)
		if err != nil {
			return fmt.Errorf("cannot save tag %q: %w", tag, err)
		}
		b.tagIDs[key] = id
	}
	if _, err := b.addTag.ExecContext(b.ctx, patientID, id); err != nil {
		return fmt.Errorf("cannot tag the patient: %w", err)
	}
	return nil
}

// AddVisit records a visit; the same service on the same day is kept once.
func (b *Batch) AddVisit(v Visit) error {
	if v.Service == "" || v.Date.IsZero() {
		return &ValidationError{"visit", "A visit needs a date and a service."}
	}
	if _, err := b.addVisit.ExecContext(b.ctx, v.PatientID, v.Date.String(), v.Service, ServiceKey(v.Service)); err != nil {
		return fmt.Errorf("cannot save the visit: %w", err)
	}
	return nil
}

// Audit adds a line to the audit log inside the batch.
func (b *Batch) Audit(action, detail string) error { return b.s.auditTx(b.ctx, b.tx, action, detail) }
