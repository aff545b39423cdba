package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// Consent to care reminders: allowed unless the patient opted out.
const (
	CareAllowed  = "allowed"
	CareOptedOut = "opted_out"
)

// Consent to promotions: only an explicit opt-in allows them.
const (
	PromoUnknown  = "unknown"
	PromoOptedIn  = "opted_in"
	PromoOptedOut = "opted_out"
)

// Patient is one person of the practice.
type Patient struct {
	ID            int64
	ExternalID    string // id in the practice system, "" when unknown
	FirstName     string
	LastName      string
	PreferredName string
	Email         string
	Phone         string
	BirthDate     Date   // zero when unknown
	Sex           string // "", "F", "M" or "X"
	PostalCode    string
	Language      string
	Notes         string

	CareConsent    string // CareAllowed or CareOptedOut
	CareChangedAt  time.Time
	CareSource     string // where the last change came from: "import", "unsubscribe email", "front desk"
	PromoConsent   string // PromoUnknown, PromoOptedIn or PromoOptedOut
	PromoChangedAt time.Time
	PromoSource    string
	DoNotContact   bool
	Archived       bool

	CreatedAt time.Time
	UpdatedAt time.Time
}

// DisplayName is how the practice addresses the patient in lists.
func (p Patient) DisplayName() string {
	first := p.FirstName
	if p.PreferredName != "" {
		first = p.PreferredName
	}
	switch {
	case p.LastName == "":
		return first
	case first == "":
		return p.LastName
	}
	return p.LastName + ", " + first
}

// ErrNotFound is returned when a record does not exist (any more).
var ErrNotFound = errors.New("not found")

// ValidationError is a problem with what was typed, in words for the front desk.
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string { return e.Message }

// NormalizeEmail trims and lower-cases an address; "" stays "".
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// PhoneDigits keeps the digits of a phone number, for search and matching.
func PhoneDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Normalize tidies what was typed and checks the patient can be saved.
func (p *Patient) Normalize() error {
	p.ExternalID = strings.TrimSpace(p.ExternalID)
	p.FirstName = strings.TrimSpace(p.FirstName)
	p.LastName = strings.TrimSpace(p.LastName)
	p.PreferredName = strings.TrimSpace(p.PreferredName)
	p.Email = NormalizeEmail(p.Email)
	p.Phone = strings.TrimSpace(p.Phone)
	p.PostalCode = strings.ToUpper(strings.TrimSpace(p.PostalCode))
	p.Sex = strings.ToUpper(strings.TrimSpace(p.Sex))
	if p.CareConsent == "" {
		p.CareConsent = CareAllowed
	}
	if p.PromoConsent == "" {
		p.PromoConsent = PromoUnknown
	}
	if p.FirstName == "" && p.LastName == "" {
		return &ValidationError{"name", "Please enter a first or last name."}
	}
	if p.Email != "" {
		a, err := mail.ParseAddress(p.Email)
		if err != nil || a.Address != p.Email || !strings.Contains(p.Email[strings.Index(p.Email, "@"):], ".") {
			return &ValidationError{"email", fmt.Sprintf("%q is not an email address.", p.Email)}
		}
	}
	switch p.Sex {
	case "", "F", "M", "X":
	default:
		return &ValidationError{"sex", "Sex must be F, M, X or empty."}
	}
	if p.CareConsent != CareAllowed && p.CareConsent != CareOptedOut {
		return &ValidationError{"care", "Care reminder consent must be allowed or opted out."}
	}
	switch p.PromoConsent {
	case PromoUnknown, PromoOptedIn, PromoOptedOut:
	default:
		return &ValidationError{"promo", "Promotion consent must be unknown, opted in or opted out."}
	}
	if !p.BirthDate.IsZero() {
		if _, err := ParseDate(p.BirthDate.String()); err != nil {
			return &ValidationError{"birth_date", "The birth date is not a real date."}
		}
	}
	return nil
}

const patientColumns = `p.id, coalesce(p.external_id, ''), p.first_name, p.last_name, p.preferred_name,
	p.email, p.phone, coalesce(p.birth_date, ''), p.sex, p.postal_code, p.language, p.notes,
	p.care_consent, coalesce(p.care_changed_at, ''), p.care_source,
	p.promo_consent, coalesce(p.promo_changed_at, ''), p.promo_source,
	p.do_not_contact, p.archived, p.created_at, p.updated_at`

type scanner interface{ Scan(dest ...any) error }

// scanPatient reads patientColumns, then any extra columns into extra.
func scanPatient(row scanner, extra ...any) (Patient, error) {
	var p Patient
	var birth, careAt, promoAt, created, updated string
	dest := append([]any{&p.ID, &p.ExternalID, &p.FirstName, &p.LastName, &p.PreferredName,
		&p.Email, &p.Phone, &birth, &p.Sex, &p.PostalCode, &p.Language, &p.Notes,
		&p.CareConsent, &careAt, &p.CareSource, &p.PromoConsent, &promoAt, &p.PromoSource,
		&p.DoNotContact, &p.Archived, &created, &updated}, extra...)
	err := row.Scan(dest...)
	if err != nil {
		return p, err
	}
	if birth != "" {
		p.BirthDate, _ = ParseDate(birth)
	}
	p.CareChangedAt, _ = time.Parse(time.RFC3339, careAt)
	p.PromoChangedAt, _ = time.Parse(time.RFC3339, promoAt)
	p.CreatedAt, _ = time.Parse(time.RFC3339, created)
	p.UpdatedAt, _ = time.Parse(time.RFC3339, updated)
	return p, nil
}

// queryPatients runs a query selecting patientColumns and reads every row.
func (s *Store) queryPatients(ctx context.Context, what, query string, args ...any) ([]Patient, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("cannot %s: %w", what, err)
	}
	defer rows.Close()
	var out []Patient
	for rows.Next() {
		p, err := scanPatient(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

// CreatePatient saves a new patient and sets p.ID.
func (s *Store) CreatePatient(ctx context.Context, p *Patient) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.createPatientTx(ctx, tx, p) })
}

const insertPatientSQL = `INSERT INTO patients (external_id, first_name, last_name, preferred_name,
	email, phone, phone_digits, birth_date, sex, postal_code, language, notes,
	care_consent, care_changed_at, care_source, promo_consent, promo_changed_at, promo_source,
	do_not_contact, archived, created_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func (s *Store) createPatientTx(ctx context.Context, tx *sql.Tx, p *Patient) error {
	stmt, err := tx.PrepareContext(ctx, insertPatientSQL)
	if err != nil {
		return err
	}
	defer stmt.Close()
	return s.insertPatient(ctx, stmt, p)
}

// insertPatient runs the prepared insertPatientSQL for p.
func (s *Store) insertPatient(ctx context.Context, stmt *sql.Stmt, p *Patient) error {
	if err := p.Normalize(); err != nil {
		return err
	}
	now := s.Now().UTC().Truncate(time.Second)
	if p.CreatedAt.IsZero() {
		p.CreatedAt = now
	}
	p.UpdatedAt = now
	res, err := stmt.ExecContext(ctx, nullString(p.ExternalID), p.FirstName, p.LastName, p.PreferredName,
		p.Email, p.Phone, PhoneDigits(p.Phone), nullString(p.BirthDate.String()), p.Sex, p.PostalCode, p.Language, p.Notes,
		p.CareConsent, nullTime(p.CareChangedAt), p.CareSource, p.PromoConsent, nullTime(p.PromoChangedAt), p.PromoSource,
		p.DoNotContact, p.Archived, p.CreatedAt.Format(time.RFC3339), p.UpdatedAt.Format(time.RFC3339))
	if err != nil {
		if isUniqueViolation(err) {
			return &ValidationError{"external_id", fmt.Sprintf("Another patient already has the practice id %q.", p.ExternalID)}
		}
		return fmt.Errorf("cannot save the patient: %w", err)
	}
	p.ID, err = res.LastInsertId()
	return err
}

const updatePatientSQL = `UPDATE patients SET external_id = ?, first_name = ?, last_name = ?,
	preferred_name = ?, email = ?, phone = ?, phone_digits = ?, birth_date = ?, sex = ?, postal_code = ?,
	language = ?, notes = ?, care_consent = ?, care_changed_at = ?, care_source = ?,
	promo_consent = ?, promo_changed_at = ?, promo_source = ?, do_not_contact = ?, archived = ?,
	updated_at = ? WHERE id = ?`

// UpdatePatient saves changes to an existing patient.
func (s *Store) UpdatePatient(ctx context.Context, p *Patient) error {
	stmt, err := s.db.PrepareContext(ctx, updatePatientSQL)
	if err != nil {
		return err
	}
	defer stmt.Close()
	return s.updatePatient(ctx, stmt, p)
}

// updatePatient runs the prepared updatePatientSQL for p.
func (s *Store) updatePatient(ctx context.Context, stmt *sql.Stmt, p *Patient) error {
	if err := p.Normalize(); err != nil {
		return err
	}
	p.UpdatedAt = s.Now().UTC().Truncate(time.Second)
	res, err := stmt.ExecContext(ctx,
		nullString(p.ExternalID), p.FirstName, p.LastName, p.PreferredName,
		p.Email, p.Phone, PhoneDigits(p.Phone), nullString(p.BirthDate.String()), p.Sex, p.PostalCode,
		p.Language, p.Notes, p.CareConsent, nullTime(p.CareChangedAt), p.CareSource,
		p.PromoConsent, nullTime(p.PromoChangedAt), p.PromoSource, p.DoNotContact, p.Archived,
		p.UpdatedAt.Format(time.RFC3339), p.ID)
	if err != nil {
		if isUniqueViolation(err) {
			return &ValidationError{"external_id", fmt.Sprintf("Another patient already has the practice id %q.", p.ExternalID)}
		}
		return fmt.Errorf("cannot save the patient: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("patient %d: %w", p.ID, ErrNotFound)
	}
	return nil
}

// EachPatient calls fn for every patient, archived too, in id order,
// reading them one at a time.
func (s *Store) EachPatient(ctx context.Context, fn func(Patient) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT `+patientColumns+` FROM patients p ORDER BY p.id`)
	if err != nil {
		return fmt.Errorf("cannot read patients: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanPatient(rows)
		if err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Patient loads one patient by id.
func (s *Store) Patient(ctx context.Context, id int64) (Patient, error) {
	p, err := scanPatient(s.db.QueryRowContext(ctx, `SELECT `+patientColumns+` FROM patients p WHERE p.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("patient %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("cannot load patient %d: %w", id, err)
	}
	return p, nil
}

// SetArchived archives (moved away, deceased) or restores a patient.
// Archived patients are in no segment and get no email.
func (s *Store) SetArchived(ctx context.Context, id int64, archived bool) error {
	res, err := s.db.ExecContext(ctx, `UPDATE patients SET archived = ?, updated_at = ? WHERE id = ?`,
		archived, s.stamp(), id)
	if err != nil {
		return fmt.Errorf("cannot archive the patient: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("patient %d: %w", id, ErrNotFound)
	}
	return nil
}

// DeletePatient removes a patient with tags and visits, and notes it in the audit log.
func (s *Store) DeletePatient(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var name string
		err := tx.QueryRowContext(ctx, `SELECT last_name || ', ' || first_name FROM patients WHERE id = ?`, id).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("patient %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM patients WHERE id = ?`, id); err != nil {
			return fmt.Errorf("cannot delete the patient: %w", err)
		}
		return s.auditTx(ctx, tx, "delete", fmt.Sprintf("patient %d (%s) deleted", id, name))
	})
}

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
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// SetTags replaces a patient's tags.
func (s *Store) SetTags(ctx context.Context, patientID int64, tags []string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM patient_tags WHERE patient_id = ?`, patientID); err != nil {
			return err
		}
		for _, t := range tags {
			if err := addTagTx(ctx, tx, patientID, t); err != nil {
				return err
			}
		}
		return nil
	})
}

// AddTag gives a patient one more tag.
func (s *Store) AddTag(ctx context.Context, patientID int64, tag string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return addTagTx(ctx, tx, patientID, tag) })
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

func addTagTx(ctx context.Context, tx *sql.Tx, patientID int64, tag string) error {
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

func isUniqueViolation(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
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
	rows, err := s.db.QueryContext(ctx, `SELECT patient_id, service_key, date FROM visits`)
	if err != nil {
		return fmt.Errorf("cannot read visits: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var key, date string
		if err := rows.Scan(&id, &key, &date); err != nil {
			return err
		}
		fn(id, key, date)
	}
	return rows.Err()
}

// EachPatientForExport calls fn for every patient of a segment (or all
// non-archived patients when rule is nil, everyone when withArchived),
// with their tags joined by ", ", sorted by name, one at a time.
func (s *Store) EachPatientForExport(ctx context.Context, rule *Rule, withArchived bool, fn func(p Patient, tags string) error) error {
	where, args := "+p.archived = 0", []any(nil)
	if withArchived {
		where = "1"
	}
	if rule != nil {
		var err error
		if where, args, err = s.SegmentSQL(ctx, *rule); err != nil {
			return err
		}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+patientColumns+`,
		coalesce((SELECT group_concat(t.name, ', ') FROM patient_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.patient_id = p.id), '')
		FROM patients p WHERE `+where+` ORDER BY p.last_name COLLATE NOCASE, p.first_name COLLATE NOCASE, p.id`, args...)
	if err != nil {
		return fmt.Errorf("cannot read patients: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var tags string
		p, err := scanPatient(rows, &tags)
		if err != nil {
			return err
		}
		if err := fn(p, tags); err != nil {
			return err
		}
	}
	return rows.Err()
}
