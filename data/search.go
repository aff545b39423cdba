package data

import (
	"context"
	"encoding/json"
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
	SortName:      "p.last_name COLLATE NOCASE %[1]s, p.first_name COLLATE NOCASE %[1]s, p.id %[1]s",
	SortFirstName: "p.first_name COLLATE NOCASE %[1]s, p.last_name COLLATE NOCASE %[1]s, p.id %[1]s",
	SortEmail:     "p.email %[1]s, p.id %[1]s",
	SortBirthDate: "p.birth_date %[1]s, p.id %[1]s",
	SortCreated:   "p.created_at %[1]s, p.id %[1]s",
}

// PatientQuery selects one page of the patient list.
type PatientQuery struct {
	Search          string // name, email or phone as typed; "" lists everyone
	Sort            PatientSort
	Descending      bool
	IncludeArchived bool
	Offset, Limit   int
}

// A search reads at most this much of what was typed: a name, an email
// and a phone number fit many times over.
const (
	maxSearchBytes = 200
	maxSearchWords = 8
)

// ftsQuery turns what the user typed into an FTS5 query: every word must
// match the start of a name, email part or phone number. Nothing typed is
// passed to FTS5 as syntax.
func ftsQuery(typed string) string {
	words, phone := searchTerms(typed)
	if phone != "" {
		// A phone number: match its digits, however it was punctuated.
		return fmt.Sprintf(`phone_digits : "%s"*`, phone)
	}
	terms := make([]string, len(words))
	for i, w := range words {
		terms[i] = `"` + w + `"*`
	}
	return strings.Join(terms, " ")
}

// searchTerms reads what the user typed: the words whose starts must all
// match, or a phone number's digits.
func searchTerms(typed string) (words []string, phone string) {
	if len(typed) > maxSearchBytes { // a paste of a whole document is not a search
		typed = typed[:maxSearchBytes]
	}
	digits := PhoneDigits(typed)
	letters := strings.IndexFunc(typed, unicode.IsLetter) >= 0
	if !letters && len(digits) >= 3 {
		return nil, digits
	}
	for _, w := range strings.FieldsFunc(typed, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len(words) == maxSearchWords {
			break
		}
		words = append(words, w)
	}
	return words, ""
}

// serverSearch is the server's condition on "patients p" for what was
// typed ("" when nothing was): the search words' starts, folded as the
// server folds the names (kindly_fold), or the phone digits' start.
func serverSearch(typed string) (string, []any) {
	words, phone := searchTerms(typed)
	if phone != "" {
		// The digits' start as a range of the index (byte order): a LIKE
		// with an argument is planned without the index.
		upper := phone[:len(phone)-1] + string(phone[len(phone)-1]+1)
		return `p.phone_digits COLLATE "C" >= ? AND p.phone_digits COLLATE "C" < ?`, []any{phone, upper}
	}
	if len(words) == 0 {
		return "", nil
	}
	terms := make([]string, len(words))
	for i, w := range words {
		terms[i] = "'" + w + "':*"
	}
	return "p.search_words @@ to_tsquery('simple', kindly_fold(?))", []any{strings.Join(terms, " & ")}
}

// manyMatches is where the patient list stops looking up each search
// match and walks the sort index instead, probing the matches.
const manyMatches = 2000

// manyServerMatches is the same on the server, where sorting the matches
// costs less than walking the index to where a common name is (the walk
// reads each row it passes: "smith" at 1,000,000 patients took 1.3 s).
const manyServerMatches = 20000

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
	where := []string{"1 = 1"}
	var args []any
	if !q.IncludeArchived {
		// "+" keeps the planner on the sort column's index.
		where = append(where, "+p.archived = 0")
	}
	from := "patients p"
	if s.eng.server {
		if cond, a := serverSearch(q.Search); cond != "" {
			// As in the file: few matches are found first, then sorted; many
			// are kept while the sort index is walked, which stops after a
			// page. (OFFSET 0 keeps the planner from walking the index to
			// where a common name is, reading every row it passes.)
			n, err := s.estimateRows(ctx, `SELECT 1 FROM patients p WHERE `+cond, a...)
			if err != nil {
				return nil, fmt.Errorf("cannot search patients: %w", err)
			}
			if n < manyServerMatches {
				from = `(SELECT p.id, p.archived, p.last_name, p.first_name, p.email, p.birth_date, p.created_at
					FROM patients p WHERE ` + cond + ` OFFSET 0) p`
			} else {
				where = append(where, cond)
			}
			args = append(args, a...)
		}
	} else if fq := ftsQuery(q.Search); fq != "" {
		// Few matches: look each up and sort them. Many: walk the sort
		// index and keep the rows that match - it stops after one page.
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM patients_fts WHERE patients_fts MATCH ? LIMIT ?)`,
			fq, manyMatches).Scan(&n); err != nil {
			return nil, fmt.Errorf("cannot search patients: %w", err)
		}
		in := "p.id IN (SELECT rowid FROM patients_fts WHERE patients_fts MATCH ?)"
		if n >= manyMatches {
			in = "+" + in
		}
		where = append(where, in)
		args = append(args, fq)
	}
	args = append(args, q.Limit, q.Offset)
	if s.eng.server && q.Sort == SortBirthDate { // where SQLite puts a missing birth date
		dir = map[string]string{"ASC": "ASC NULLS FIRST", "DESC": "DESC NULLS LAST"}[dir]
	}
	order := fmt.Sprintf(clause, dir)
	// The page is chosen on ids alone, from the sort index, and only its
	// rows are read: a deep page does not open the thousands skipped.
	query := `SELECT ` + patientColumns + ` FROM patients p WHERE p.id IN (
		SELECT p.id FROM ` + from + ` WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?)
		ORDER BY ` + order
	return s.queryPatients(ctx, "list patients", query, args...)
}

// estimateRows is how many rows the server's planner expects query to
// give: the search words' statistics know a prefix's matches well enough
// to choose how to find them, at no cost of counting.
func (s *Store) estimateRows(ctx context.Context, query string, args ...any) (float64, error) {
	var plan string
	if err := s.db.QueryRowContext(ctx, `EXPLAIN (FORMAT JSON) `+query, args...).Scan(&plan); err != nil {
		return 0, mapError(err)
	}
	var p []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		}
	}
	if err := json.Unmarshal([]byte(plan), &p); err != nil || len(p) == 0 {
		return 0, fmt.Errorf("cannot read the server's plan: %v", err)
	}
	return p[0].Plan.Rows, nil
}

// CountPatients counts the patients a query would list (ignoring paging).
func (s *Store) CountPatients(ctx context.Context, q PatientQuery) (int, error) {
	var query string
	var args []any
	fq := ftsQuery(q.Search)
	if s.eng.server {
		where := "1 = 1"
		if !q.IncludeArchived {
			where = "p.archived = 0"
		}
		cond, a := serverSearch(q.Search)
		if cond != "" {
			where += " AND " + cond
		}
		query, args, fq = `SELECT count(*) FROM patients p WHERE `+where, a, ""
	}
	switch {
	case query != "":
	case fq == "" && q.IncludeArchived:
		query = `SELECT count(*) FROM patients`
	case fq == "":
		// All (counted in the narrowest index) minus the few archived: the
		// wide index that has archived first would be read whole.
		query = `SELECT (SELECT count(*) FROM patients) - (SELECT count(*) FROM patients WHERE archived = 1)`
	case q.IncludeArchived:
		query, args = `SELECT count(*) FROM patients_fts WHERE patients_fts MATCH ?`, []any{fq}
	default:
		// Counted in the search index alone, minus the (few) archived patients.
		query = `SELECT count(*) FROM patients_fts WHERE patients_fts MATCH ?
			AND rowid NOT IN (SELECT id FROM patients WHERE archived = 1)`
		args = []any{fq}
	}
	var n int
	if err := s.db.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("cannot count patients: %w", err)
	}
	return n, nil
}
