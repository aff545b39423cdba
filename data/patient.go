package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
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

	CareConsent   string // CareAllowed or CareOptedOut
	CareChangedAt time.Time
	CareSource    string // where the last change came from: "import", "unsubscribe email", "front desk"
	// CareOptedInAt is when the patient gave explicit consent to care
	// reminders (zero: not given); needed where the practice asks for it.
	CareOptedInAt  time.Time
	PromoConsent   string // PromoUnknown, PromoOptedIn or PromoOptedOut
	PromoChangedAt time.Time
	PromoSource    string
	DoNotContact   bool
	Archived       bool
	// EmailBouncedAt is when the address bounced for good (zero: it did
	// not); no email goes to it until it is changed.
	EmailBouncedAt    time.Time
	EmailBounceReason string

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

// NormalizeEmail trims and lower-cases an address; "" stays "".
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(DropInvisible(s))) }

// DropInvisible takes out what cannot be seen in an address, a phone
// number, an id or a postal code: zero-width and other format characters
// (U+200B, U+FEFF, soft hyphens, direction marks); no-break and other
// spaces become plain spaces. Not for names: some scripts need joiners.
func DropInvisible(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.Is(unicode.Cf, r):
			return -1
		case r != ' ' && unicode.IsSpace(r):
			return ' '
		}
		return r
	}, s)
}

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
	for _, f := range []*string{&p.ExternalID, &p.FirstName, &p.LastName, &p.PreferredName, &p.Email, &p.Phone, &p.PostalCode, &p.Sex, &p.Language} {
		*f = OneLine(*f)
	}
	p.Notes = CleanText(p.Notes)
	p.Email = NormalizeEmail(p.Email)
	p.PostalCode = strings.ToUpper(p.PostalCode)
	p.Sex = strings.ToUpper(p.Sex)
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
	p.do_not_contact, p.archived, coalesce(p.email_bounced_at, ''), p.email_bounce_reason, p.created_at, p.updated_at,
	coalesce(p.care_opted_in_at, '')`

// scanPatient reads patientColumns, then any extra columns into extra.
func scanPatient(row scanner, extra ...any) (Patient, error) {
	var p Patient
	var birth, careAt, promoAt, bouncedAt, created, updated, careIn string
	dest := append([]any{&p.ID, &p.ExternalID, &p.FirstName, &p.LastName, &p.PreferredName,
		&p.Email, &p.Phone, &birth, &p.Sex, &p.PostalCode, &p.Language, &p.Notes,
		&p.CareConsent, &careAt, &p.CareSource, &p.PromoConsent, &promoAt, &p.PromoSource,
		&p.DoNotContact, &p.Archived, &bouncedAt, &p.EmailBounceReason, &created, &updated, &careIn}, extra...)
	err := row.Scan(dest...)
	if err != nil {
		return p, err
	}
	if birth != "" {
		p.BirthDate, _ = ParseDate(birth)
	}
	p.CareChangedAt, _ = time.Parse(time.RFC3339, careAt)
	p.CareOptedInAt, _ = time.Parse(time.RFC3339, careIn)
	p.PromoChangedAt, _ = time.Parse(time.RFC3339, promoAt)
	p.EmailBouncedAt, _ = time.Parse(time.RFC3339, bouncedAt)
	p.CreatedAt, _ = time.Parse(time.RFC3339, created)
	p.UpdatedAt, _ = time.Parse(time.RFC3339, updated)
	return p, nil
}

// queryPatients runs a query selecting patientColumns and reads every row.
func (s *Store) queryPatients(ctx context.Context, what, query string, args ...any) ([]Patient, error) {
	return queryAll(ctx, s, what, query, func(row scanner) (Patient, error) { return scanPatient(row) }, args...)
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
	return s.inTx(ctx, func(tx *Tx) error { return s.createPatientTx(ctx, tx, p) })
}

const insertPatientSQL = `INSERT INTO patients (external_id, first_name, last_name, preferred_name,
	email, phone, phone_digits, birth_date, sex, postal_code, language, notes,
	care_consent, care_changed_at, care_source, promo_consent, promo_changed_at, promo_source,
	do_not_contact, archived, created_at, updated_at, care_opted_in_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`

// insertPatientWithTagsSQL also sets the tag list (bulk writes know it).
const insertPatientWithTagsSQL = `INSERT INTO patients (external_id, first_name, last_name, preferred_name,
	email, phone, phone_digits, birth_date, sex, postal_code, language, notes,
	care_consent, care_changed_at, care_source, promo_consent, promo_changed_at, promo_source,
	do_not_contact, archived, created_at, updated_at, care_opted_in_at, tag_list)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`

func (s *Store) createPatientTx(ctx context.Context, tx *Tx, p *Patient) error {
	stmt, err := tx.PrepareContext(ctx, insertPatientSQL)
	if err != nil {
		return err
	}
	defer stmt.Close()
	return s.insertPatient(ctx, stmt, p)
}

// practiceIDTaken says another patient has the practice id already.
func practiceIDTaken(id string) error {
	return &ValidationError{"external_id", fmt.Sprintf("Another patient already has the practice id %q.", id)}
}

// newPatientColumns are the columns newPatientValues gives, in order.
var newPatientColumns = []string{"external_id", "first_name", "last_name", "preferred_name",
	"email", "phone", "phone_digits", "birth_date", "sex", "postal_code", "language", "notes",
	"care_consent", "care_changed_at", "care_source", "promo_consent", "promo_changed_at", "promo_source",
	"do_not_contact", "archived", "created_at", "updated_at", "care_opted_in_at"}

// newPatientValues cleans a new patient, stamps them now and returns the
// values of newPatientColumns.
func (s *Store) newPatientValues(p *Patient) ([]any, error) {
	if err := p.Normalize(); err != nil {
		return nil, err
	}
	now := s.Now().UTC().Truncate(time.Second)
	if p.CreatedAt.IsZero() {
		p.CreatedAt = now
	}
	p.UpdatedAt = now
	return []any{nullString(p.ExternalID), p.FirstName, p.LastName, p.PreferredName,
		p.Email, p.Phone, PhoneDigits(p.Phone), nullString(p.BirthDate.String()), p.Sex, p.PostalCode, p.Language, p.Notes,
		p.CareConsent, nullTime(p.CareChangedAt), p.CareSource, p.PromoConsent, nullTime(p.PromoChangedAt), p.PromoSource,
		p.DoNotContact, p.Archived, p.CreatedAt.Format(time.RFC3339), p.UpdatedAt.Format(time.RFC3339), nullTime(p.CareOptedInAt)}, nil
}

// insertPatient runs insertPatientSQL, or insertPatientWithTagsSQL when
// a tag list is given.
func (s *Store) insertPatient(ctx context.Context, stmt *Stmt, p *Patient, tagList ...string) error {
	args, err := s.newPatientValues(p)
	if err != nil {
		return err
	}
	for _, l := range tagList {
		args = append(args, l)
	}
	if err := stmt.QueryRowContext(ctx, args...).Scan(&p.ID); err != nil {
		if errors.Is(mapError(err), ErrDuplicate) {
			return practiceIDTaken(p.ExternalID)
		}
		return fmt.Errorf("cannot save the patient: %w", err)
	}
	return nil
}

const updatePatientSQL = `UPDATE patients SET external_id = ?, first_name = ?, last_name = ?,
	preferred_name = ?, email = ?, phone = ?, phone_digits = ?, birth_date = ?, sex = ?, postal_code = ?,
	language = ?, notes = ?, care_consent = ?, care_changed_at = ?, care_source = ?,
	promo_consent = ?, promo_changed_at = ?, promo_source = ?, do_not_contact = ?, archived = ?,
	updated_at = ?, care_opted_in_at = ? WHERE id = ?`

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
func (s *Store) updatePatient(ctx context.Context, stmt *Stmt, p *Patient) error {
	if err := p.Normalize(); err != nil {
		return err
	}
	p.UpdatedAt = s.Now().UTC().Truncate(time.Second)
	res, err := stmt.ExecContext(ctx,
		nullString(p.ExternalID), p.FirstName, p.LastName, p.PreferredName,
		p.Email, p.Phone, PhoneDigits(p.Phone), nullString(p.BirthDate.String()), p.Sex, p.PostalCode,
		p.Language, p.Notes, p.CareConsent, nullTime(p.CareChangedAt), p.CareSource,
		p.PromoConsent, nullTime(p.PromoChangedAt), p.PromoSource, p.DoNotContact, p.Archived,
		p.UpdatedAt.Format(time.RFC3339), nullTime(p.CareOptedInAt), p.ID)
	if err != nil {
		if errors.Is(mapError(err), ErrDuplicate) {
			return practiceIDTaken(p.ExternalID)
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
	// Deleted means gone: SQLite overwrites the freed pages, the emails
	// Kindly sent keep their status for the counts but lose the address
	// and the text, and the audit log names the patient by number only.
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return mapError(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA secure_delete = ON`); err != nil {
		return mapError(err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA secure_delete = OFF`)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return mapError(err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM patients WHERE id = ?`, id).Scan(&n); err != nil {
		return mapError(err)
	}
	if n == 0 {
		return fmt.Errorf("patient %d: %w", id, ErrNotFound)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO deleted_patients (patient_id, deleted_at) VALUES (?, ?)
		ON CONFLICT (patient_id) DO UPDATE SET deleted_at = excluded.deleted_at`, id, s.stamp()); err != nil {
		return fmt.Errorf("cannot delete the patient: %w", mapError(err))
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM outbox_bodies WHERE outbox_id IN (SELECT id FROM outbox WHERE patient_id = ?)`, id); err != nil {
		return fmt.Errorf("cannot delete the patient's emails: %w", mapError(err))
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET email = '', subject = '', body_text = '', body_html = '',
		reason = CASE WHEN reason = '' THEN '' ELSE 'patient deleted' END WHERE patient_id = ?`, id); err != nil {
		return fmt.Errorf("cannot delete the patient's emails: %w", mapError(err))
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM patients WHERE id = ?`, id); err != nil {
		return fmt.Errorf("cannot delete the patient: %w", mapError(err))
	}
	if err := s.auditTx(ctx, tx, "delete", fmt.Sprintf("patient #%d deleted", id)); err != nil {
		return err
	}
	return mapCommitError(tx.Commit())
}

// EachPatientForExport calls fn for every patient of a segment (or all
// non-archived patients when rule is nil, everyone when withArchived),
// with their tags joined by ", ", sorted by name, one at a time.
func (s *Store) EachPatientForExport(ctx context.Context, rule *Rule, withArchived bool, fn func(p Patient, tags string) error) error {
	q := SegmentQuery{Where: "+p.archived = 0"}
	if withArchived {
		q.Where = "1 = 1"
	}
	if rule != nil {
		var err error
		if q, err = s.SegmentSQL(ctx, *rule); err != nil {
			return err
		}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+patientColumns+`,
		coalesce((SELECT group_concat(t.name, ', ') FROM patient_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.patient_id = p.id), '')
		FROM patients p WHERE `+q.Where+` ORDER BY p.last_name COLLATE NOCASE, p.first_name COLLATE NOCASE, p.id`, q.Args(nil)...)
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

// OneLine cleans text typed or imported into a one-line field: control
// characters and terminal escape codes go, tabs and line breaks become
// spaces, runs of spaces one.
func OneLine(s string) string {
	return strings.Join(strings.Fields(stripControls(s, false)), " ")
}

// CleanText cleans text with lines (notes): control characters and escape
// codes go; line breaks and tabs stay.
func CleanText(s string) string { return strings.TrimSpace(stripControls(s, true)) }

// stripControls makes s valid UTF-8 and removes control characters and ANSI escape sequences
// (ESC [ ... letter), which would reach subjects and terminals; keepLines
// keeps line breaks and tabs, else they become spaces.
func stripControls(s string, keepLines bool) string {
	// Bytes that are not UTF-8 (another encoding's, or text cut in the
	// middle of a character) show as the replacement character: the
	// practice server refuses them, and nobody can read them anyway.
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0x1b: // an escape sequence: ESC [ params letter, ESC ] text BEL (a window title), or ESC and one character
			i += size
			switch {
			case i < len(s) && s[i] == '[':
				i++
				for i < len(s) && (s[i] < 0x40 || s[i] > 0x7e) {
					i++
				}
			case i < len(s) && s[i] == ']':
				for i < len(s) && s[i] != 0x07 && !(s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\') {
					i++
				}
				if i < len(s) && s[i] == 0x1b {
					i++
				}
			}
			if i < len(s) {
				i++
			}
			continue
		case r == '\n' || r == '\t' || r == '\r':
			if keepLines && r != '\r' {
				b.WriteRune(r)
			} else if !keepLines {
				b.WriteByte(' ')
			}
		case unicode.IsControl(r):
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// SavePatient adds (p.ID == 0) or saves a patient with their tags, in one
// transaction. A consent that differs from the one stored is stamped now,
// with source (e.g. "front desk"); the audit log notes the change by the
// patient's number.
//
// loaded, when not nil, is the patient as the person saving saw them: a
// patient changed since - on another computer, by an import, by an opt-out
// the inbox read - is not overwritten (PatientChangedError says how they
// are now).
func (s *Store) SavePatient(ctx context.Context, p *Patient, tags []string, source string, loaded *Loaded) error {
	if err := p.Normalize(); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *Tx) error {
		var was Patient
		if p.ID != 0 {
			var err error
			if was, err = s.patientToChange(ctx, tx, p.ID, loaded); err != nil {
				return err
			}
		}
		now := s.Now().UTC().Truncate(time.Second)
		if p.ID == 0 || p.CareConsent != was.CareConsent {
			p.CareChangedAt, p.CareSource = now, source
		}
		if p.ID == 0 || p.PromoConsent != was.PromoConsent {
			p.PromoChangedAt, p.PromoSource = now, source
		}
		action := "patient saved"
		var err error
		if p.ID == 0 {
			action = "patient added"
			err = s.createPatientTx(ctx, tx, p)
		} else {
			err = s.updatePatientTx(ctx, tx, p)
		}
		if err != nil {
			return err
		}
		if err := setTagsTx(ctx, tx, p.ID, tags); err != nil {
			return err
		}
		switch {
		case p.CareOptedInAt.IsZero() != was.CareOptedInAt.IsZero() && p.CareOptedInAt.IsZero():
			action += ", consent to care reminders withdrawn"
		case p.CareOptedInAt.IsZero() != was.CareOptedInAt.IsZero():
			action += ", consent to care reminders given"
		}
		return s.auditTx(ctx, tx, "patient", fmt.Sprintf("%s: #%d", action, p.ID))
	})
}

// patientToChange reads a patient about to be changed, and refuses one
// changed since they were loaded (when loaded is not nil). FOR UPDATE on
// the server: two computers saving at once wait for each other, and the
// second sees the first's change.
func (s *Store) patientToChange(ctx context.Context, tx *Tx, id int64, loaded *Loaded) (Patient, error) {
	row := tx.QueryRowContext(ctx, `SELECT `+patientColumns+` FROM patients p WHERE p.id = ?`+s.eng.forUpdate(), id)
	was, err := scanPatient(row)
	if errors.Is(err, sql.ErrNoRows) {
		return was, fmt.Errorf("patient %d: %w", id, ErrNotFound)
	} else if err != nil {
		return was, mapError(err)
	}
	if loaded != nil {
		err = changedSince(ctx, tx, was, *loaded)
	}
	return was, err
}

// Loaded is a patient as a form showed them: the row and the tags.
type Loaded struct {
	Patient Patient
	Tags    []string
}

// PatientChangedError says a patient changed after the form that saves
// them was opened; Now is how they are.
type PatientChangedError struct{ Now Loaded }

func (e *PatientChangedError) Error() string {
	return e.Now.Patient.DisplayName() + " was changed meanwhile (on another computer, by an import or by a reply in the inbox)"
}

// ErrorKind is the error's kind (KindOf).
func (e *PatientChangedError) ErrorKind() Kind { return KindConflict }

// changedSince refuses a save over a patient who is not as loaded.
func changedSince(ctx context.Context, tx *Tx, now Patient, loaded Loaded) error {
	rows, err := tx.QueryContext(ctx, `SELECT t.name FROM patient_tags pt JOIN tags t ON t.id = pt.tag_id
		WHERE pt.patient_id = ? ORDER BY t.name COLLATE NOCASE`, now.ID)
	if err != nil {
		return mapError(err)
	}
	var tags []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tags = append(tags, t)
	}
	rows.Close()
	key := func(p Patient, tags []string) string {
		lower := make([]string, len(tags))
		for i, t := range tags {
			lower[i] = strings.ToLower(t)
		}
		sort.Strings(lower)
		return fmt.Sprintf("%+v %q", p, lower)
	}
	if key(now, tags) != key(loaded.Patient, loaded.Tags) {
		return &PatientChangedError{Now: Loaded{Patient: now, Tags: tags}}
	}
	return nil
}

func (s *Store) updatePatientTx(ctx context.Context, tx *Tx, p *Patient) error {
	stmt, err := tx.PrepareContext(ctx, updatePatientSQL)
	if err != nil {
		return mapError(err)
	}
	defer stmt.Close()
	return s.updatePatient(ctx, stmt, p)
}

func nullInt(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

// PatientByExternalID finds a patient by the practice system's id.
func (s *Store) PatientByExternalID(ctx context.Context, id string) (Patient, error) {
	p, err := scanPatient(s.db.QueryRowContext(ctx, `SELECT `+patientColumns+` FROM patients p WHERE p.external_id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("patient %q: %w", id, ErrNotFound)
	}
	return p, mapError(err)
}
