package data

import (
	"context"
	"fmt"
	"strings"
)

// Tags lists a patient's tags, sorted.
func (s *Store) Tags(ctx context.Context, patientID int64) ([]string, error) {
	return s.strings(ctx, `SELECT t.name FROM patient_tags pt JOIN tags t ON t.id = pt.tag_id
		WHERE pt.patient_id = ? ORDER BY t.name COLLATE NOCASE`, patientID)
}

// AllTags lists every tag in use, for pickers.
func (s *Store) AllTags(ctx context.Context) ([]string, error) {
	return s.strings(ctx, `SELECT name FROM tags ORDER BY name COLLATE NOCASE`)
}

// Services lists every visit service on record, for pickers.
func (s *Store) Services(ctx context.Context) ([]string, error) {
	return s.strings(ctx, `SELECT min(service) FROM visits GROUP BY service_key ORDER BY service_key`)
}

func (s *Store) strings(ctx context.Context, query string, args ...any) ([]string, error) {
	return queryAll(ctx, s, "read the list", query, func(row scanner) (string, error) {
		var v string
		err := row.Scan(&v)
		return v, err
	}, args...)
}

// SetTags replaces a patient's tags.
func (s *Store) SetTags(ctx context.Context, patientID int64, tags []string) error {
	return s.inTx(ctx, func(tx *Tx) error { return setTagsTx(ctx, tx, patientID, tags) })
}

func setTagsTx(ctx context.Context, tx *Tx, patientID int64, tags []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM patient_tags WHERE patient_id = ?`, patientID); err != nil {
		return mapError(err)
	}
	for _, t := range tags {
		if err := addTagTx(ctx, tx, patientID, t); err != nil {
			return err
		}
	}
	return nil
}

// AddTag gives a patient one more tag.
func (s *Store) AddTag(ctx context.Context, patientID int64, tag string) error {
	return s.inTx(ctx, func(tx *Tx) error { return addTagTx(ctx, tx, patientID, tag) })
}

// cleanTag drops control characters and surrounding spaces from a tag name.
func cleanTag(tag string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 32 || r == 127 {
			return -1
		}
		return r
	}, tag))
}

func addTagTx(ctx context.Context, tx *Tx, patientID int64, tag string) error {
	tag = cleanTag(tag)
	if tag == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO tags (name) VALUES (?) ON CONFLICT (name) DO NOTHING`, tag); err != nil {
		return fmt.Errorf("cannot save tag %q: %w", tag, err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO patient_tags (patient_id, tag_id)
		SELECT ?, id FROM tags WHERE name = ? ON CONFLICT DO NOTHING`, patientID, tag)
	if err != nil {
		return fmt.Errorf("cannot tag the patient: %w", err)
	}
	return nil
}

// RemoveTag takes a tag off a patient.
func (s *Store) RemoveTag(ctx context.Context, patientID int64, tag string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM patient_tags WHERE patient_id = ?
		AND tag_id = (SELECT id FROM tags WHERE name = ?)`, patientID, cleanTag(tag))
	return err
}

// Visit is one visit of a patient for a service ("flu shot", "cleaning").
type Visit struct {
	ID        int64
	PatientID int64
	Date      Date
	Service   string
}

// ServiceKey is how services are matched: case and extra spaces ignored.
// Control characters are dropped: the visit summary uses two as separators.
func ServiceKey(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 32 || r == 127 {
			return ' '
		}
		return r
	}, s)
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// TagKey is how tags are matched: ASCII case ignored, as SQLite's lower()
// and NOCASE do, and control characters dropped.
func TagKey(s string) string {
	b := []byte(strings.TrimSpace(s))
	out := b[:0]
	for _, c := range b {
		switch {
		case c < 32 || c == 127:
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		out = append(out, c)
	}
	return string(out)
}

// AddVisit records a visit; the same service on the same day is kept once.
func (s *Store) AddVisit(ctx context.Context, v *Visit) error {
	v.Service = strings.TrimSpace(v.Service)
	if v.Service == "" {
		return &ValidationError{"service", "Please name the service of the visit."}
	}
	if v.Date.IsZero() {
		return &ValidationError{"date", "Please enter the date of the visit."}
	}
	err := s.db.QueryRowContext(ctx, `INSERT INTO visits (patient_id, date, service, service_key) VALUES (?, ?, ?, ?)
		ON CONFLICT (patient_id, service_key, date) DO UPDATE SET service = excluded.service RETURNING id`,
		v.PatientID, v.Date.String(), v.Service, ServiceKey(v.Service)).Scan(&v.ID)
	if err != nil {
		return fmt.Errorf("cannot save the visit: %w", err)
	}
	return nil
}

// Visits lists a patient's visits, newest first.
func (s *Store) Visits(ctx context.Context, patientID int64) ([]Visit, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, date, service FROM visits WHERE patient_id = ? ORDER BY date DESC, id DESC`, patientID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Visit
	for rows.Next() {
		v := Visit{PatientID: patientID}
		var d string
		if err := rows.Scan(&v.ID, &d, &v.Service); err != nil {
			return nil, err
		}
		v.Date, _ = ParseDate(d)
		out = append(out, v)
	}
	return out, rows.Err()
}

// DeleteVisit removes one visit.
func (s *Store) DeleteVisit(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM visits WHERE id = ?`, id)
	return err
}

// AllPatientTags maps each tagged patient to its tags, in one query (imports use it).
func (s *Store) AllPatientTags(ctx context.Context) (map[int64][]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT pt.patient_id, t.name FROM patient_tags pt JOIN tags t ON t.id = pt.tag_id`)
	if err != nil {
		return nil, fmt.Errorf("cannot read tags: %w", err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = append(out[id], name)
	}
	return out, rows.Err()
}

// EachVisitKey calls fn for every recorded visit's patient, service key and
// date (imports use it to tell new visits from known ones).
func (s *Store) EachVisitKey(ctx context.Context, fn func(patientID int64, serviceKey, date string)) error {
	return s.eachRow(ctx, "read visits", `SELECT patient_id, service_key, date FROM visits`, nil, func(row scanner) error {
		var id int64
		var key, date string
		err := row.Scan(&id, &key, &date)
		if err == nil {
			fn(id, key, date)
		}
		return err
	})
}
