package data

import (
	"context"
	"fmt"
	"strings"
	"unicode"
)

// PatientSort names a column the patient list can be sorted by.
type PatientSort string

// The sort orders of the patient list.
const (
	SortName      PatientSort = "name"
	SortFirstName PatientSort = "first_name"
	SortEmail     PatientSort = "email"
	SortBirthDate PatientSort = "birth_date"
	SortCreated   PatientSort = "created"
)

// Only these fragments reach SQL: the sort column is never taken from input.
var sortClauses = map[PatientSort]string{
	SortName:      "p.last_name COLLATE NOCASE %[1]s, p.first_name COLLATE NOCASE %[1]s, p.id",
	SortFirstName: "p.first_name COLLATE NOCASE %[1]s, p.last_name COLLATE NOCASE %[1]s, p.id",
	SortEmail:     "p.email %[1]s, p.id",
	SortBirthDate: "p.birth_date %[1]s, p.id",
	SortCreated:   "p.created_at %[1]s, p.id",
}

// PatientQuery selects one page of the patient list.
type PatientQuery struct {
	Search          string // name, email or phone as typed; "" lists everyone
	Sort            PatientSort
	Descending      bool
	IncludeArchived bool
	Offset, Limit   int
}

// ftsQuery turns what the user typed into an FTS5 query: every word must
// match the start of a name, email part or phone number. Nothing typed is
// passed to FTS5 as syntax.
func ftsQuery(typed string) string {
	var terms []string
	digits := PhoneDigits(typed)
	letters := strings.IndexFunc(typed, unicode.IsLetter) >= 0
	if !letters && len(digits) >= 3 {
		// A phone number: match its digits, however it was punctuated.
		return fmt.Sprintf(`phone_digits : "%s"*`, digits)
	}
	for _, w := range strings.FieldsFunc(typed, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		terms = append(terms, `"`+w+`"*`)
	}
	return strings.Join(terms, " ")
}

// Patients lists one page of patients, filtered by search and sorted.
func (s *Store) Patients(ctx context.Context, q PatientQuery) ([]Patient, error) {
	clause, ok := sortClauses[q.Sort]
	if !ok {
		clause = sortClauses[SortName]
	}
	dir := "ASC"
	if q.Descending {
		dir = "DESC"
	}
	if q.Limit <= 0 {
		q.Limit = 100
	}
	where, args := q.where()
	args = append(args, q.Limit, q.Offset)
	query := `SELECT ` + patientColumns + ` FROM patients p WHERE ` + where +
		` ORDER BY ` + fmt.Sprintf(clause, dir) + ` LIMIT ? OFFSET ?`
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("cannot list patients: %w", err)
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

// CountPatients counts the patients a query would list (ignoring paging).
func (s *Store) CountPatients(ctx context.Context, q PatientQuery) (int, error) {
	where, args := q.where()
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM patients p WHERE `+where, args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("cannot count patients: %w", err)
	}
	return n, nil
}

// where is the filter part of the query, with its arguments.
func (q PatientQuery) where() (string, []any) {
	where := []string{"1"}
	var args []any
	if !q.IncludeArchived {
		where = append(where, "p.archived = 0")
	}
	if fq := ftsQuery(q.Search); fq != "" {
		where = append(where, "p.id IN (SELECT rowid FROM patients_fts WHERE patients_fts MATCH ?)")
		args = append(args, fq)
	}
	return strings.Join(where, " AND "), args
}
