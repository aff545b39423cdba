package reports

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"kindly/data"
)

// Action is what an import does with one row.
type Action string

// The outcomes of a row.
const (
	ActionAdd       Action = "add"
	ActionUpdate    Action = "update"
	ActionUnchanged Action = "unchanged"
	ActionReject    Action = "reject"
)

// Options steer an import; the zero value detects everything.
type Options struct {
	Sheet     string     // "" is the first sheet
	HeaderRow int        // 1-based; 0 finds it
	Mapping   Mapping    // nil guesses it from the header
	DateOrder *DateOrder // nil: decided per column from the data, month first when it cannot tell
	// Expect, when set, is what the dry run the practice saw planned: the
	// import writes only if it plans exactly that, else nothing changes.
	Expect *Counts
}

// Counts are what an import does with the sheet's rows.
type Counts struct {
	Added, Updated, Unchanged, Rejected int
}

func (c Counts) String() string {
	return fmt.Sprintf("%d to add, %d to update, %d unchanged, %d rejected", c.Added, c.Updated, c.Unchanged, c.Rejected)
}

// ErrChangedSinceCheck says the file no longer gives what its dry run
// showed (it was edited or replaced in between): nothing was imported.
var ErrChangedSinceCheck = errors.New("the file changed since it was checked; nothing was imported")

// RowResult is the plan for one row of the sheet.
type RowResult struct {
	Row     int // 1-based row number in the sheet
	Action  Action
	Reason  string // why it is rejected, or which fields change
	Cells   []string
	Patient data.Patient // what will be saved (ID set for updates)
	Tags    []string     // tags to add
	Visit   data.Visit   // for visit imports
}

// Plan is a dry run: what an import would do, row by row.
type Plan struct {
	Table     *Table
	HeaderRow int // 1-based
	Header    []string
	Mapping   Mapping
	DateOrder DateOrder
	Warnings  []string
	Rows      []RowResult

	Added, Updated, Unchanged, Rejected int

	cols    map[Field]int // Mapping by field, for reading cells
	stats   *columnStats  // counted over the data rows
	decided decisions     // what the stats settled
	today   data.Date     // in the practice's time zone, when planned
}

func (p *Plan) count() {
	p.Added, p.Updated, p.Unchanged, p.Rejected = 0, 0, 0, 0
	for _, r := range p.Rows {
		switch r.Action {
		case ActionAdd:
			p.Added++
		case ActionUpdate:
			p.Updated++
		case ActionUnchanged:
			p.Unchanged++
		case ActionReject:
			p.Rejected++
		}
	}
}

// Counts are the plan's rows by what happens to them.
func (p *Plan) Counts() Counts { return Counts{p.Added, p.Updated, p.Unchanged, p.Rejected} }

// Summary is the plan in one line.
func (p *Plan) Summary() string { return p.Counts().String() }

// expected checks the plan against the dry run the practice saw, if any.
func (p *Plan) expected(o Options) error {
	if o.Expect != nil && *o.Expect != p.Counts() {
		return fmt.Errorf("%w (the check found %s, the file now gives %s); check it again", ErrChangedSinceCheck, *o.Expect, p.Summary())
	}
	return nil
}

// prepare finds the header and the mapping, and the date order of the date columns.
func prepare(t *Table, o Options, allowed []Field, dateFields ...Field) (*Plan, error) {
	if len(t.Rows) == 0 {
		return nil, unreadable("the sheet %q is empty", t.Sheet)
	}
	p := &Plan{Table: t}
	header := o.HeaderRow - 1
	if o.HeaderRow <= 0 {
		var err error
		if header, err = findHeader(t.Rows, allowed); err != nil {
			return nil, err
		}
	} else if header >= len(t.Rows) {
		return nil, fmt.Errorf("the sheet has only %d rows, so row %d cannot be the header", len(t.Rows), o.HeaderRow)
	}
	p.HeaderRow, p.Header = header+1, t.Rows[header]
	p.Mapping = o.Mapping
	if p.Mapping == nil {
		p.Mapping = guessMapping(p.Header, allowed)
	}
	p.cols = p.Mapping.columns()
	p.stats = newColumnStats(p.Mapping, dateFields, slices.Contains(allowed, FieldPostalCode))
	for _, row := range t.Rows[header+1:] {
		p.stats.add(row)
	}
	p.decided, p.Warnings = p.stats.decide(o)
	p.DateOrder = p.decided.order
	return p, nil
}

// cell returns a row's value for a field, trimmed, and whether the column exists.
func (p *Plan) cell(row []string, f Field) (string, bool) {
	col, ok := p.cols[f]
	if !ok {
		return "", false
	}
	if col >= len(row) {
		return "", true
	}
	return strings.TrimSpace(row[col]), true
}

// existing is the practice's patients, keyed the ways an import matches them.
type existing struct {
	byExternal  map[string]*data.Patient
	byEmailBorn map[string]*data.Patient
	byNameBorn  map[string]*data.Patient
	tags        map[int64][]string
	n           int // patients stored
}

func emailBornKey(email string, born data.Date) string {
	if email == "" || born.IsZero() {
		return ""
	}
	return email + "|" + born.String()
}

func nameBornKey(first, last string, born data.Date) string {
	if last == "" || first == "" || born.IsZero() {
		return ""
	}
	return strings.ToLower(last+"|"+first) + "|" + born.String()
}

func loadExisting(ctx context.Context, s *data.Store) (*existing, error) {
	e := &existing{byExternal: map[string]*data.Patient{}, byEmailBorn: map[string]*data.Patient{}, byNameBorn: map[string]*data.Patient{}}
	err := s.EachPatient(ctx, func(p data.Patient) error {
		pp := &p
		e.n++
		if p.ExternalID != "" {
			e.byExternal[p.ExternalID] = pp
		}
		if k := emailBornKey(p.Email, p.BirthDate); k != "" {
			e.byEmailBorn[k] = pp
		}
		if k := nameBornKey(p.FirstName, p.LastName, p.BirthDate); k != "" {
			e.byNameBorn[k] = pp
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	e.tags, err = s.AllPatientTags(ctx)
	return e, err
}

// match finds the stored patient a row stands for: by the practice's id,
// else by email and birth date, else by name and birth date.
func (e *existing) match(p data.Patient) *data.Patient {
	if p.ExternalID != "" {
		return e.byExternal[p.ExternalID]
	}
	if m := e.byEmailBorn[emailBornKey(p.Email, p.BirthDate)]; m != nil {
		return m
	}
	return e.byNameBorn[nameBornKey(p.FirstName, p.LastName, p.BirthDate)]
}

// PlanPatients is the dry run of a patient import: nothing is written.
func PlanPatients(ctx context.Context, s *data.Store, t *Table, o Options) (*Plan, error) {
	p, err := prepare(t, o, patientFields, FieldBirthDate)
	if err != nil {
		return nil, err
	}
	pl, err := newPatientPlanner(ctx, s, p)
	if err != nil {
		return nil, err
	}
	p.Rows = make([]RowResult, 0, len(t.Rows)-p.HeaderRow)
	for i := p.HeaderRow; i < len(t.Rows); i++ {
		pl.row(i)
	}
	p.count()
	return p, nil
}

// patientPlanner plans patient rows one at a time, in sheet order, and
// appends them to the plan.
type patientPlanner struct {
	p      *Plan
	s      *data.Store
	ex     *existing
	today  data.Date
	source string
	seen   map[string]int // match key -> sheet row that used it
}

func newPatientPlanner(ctx context.Context, s *data.Store, p *Plan) (*patientPlanner, error) {
	if p.Mapping.column(FieldLastName) < 0 && p.Mapping.column(FieldFirstName) < 0 && p.Mapping.column(FieldFullName) < 0 {
		return nil, fmt.Errorf("no name column found; map a column to last name, first name or full name")
	}
	today, err := s.Today()
	if err != nil {
		return nil, err
	}
	ex, err := loadExisting(ctx, s)
	if err != nil {
		return nil, err
	}
	p.today = today
	return &patientPlanner{p: p, s: s, ex: ex, today: today, source: "import " + filepath.Base(p.Table.File),
		seen: make(map[string]int, len(p.Table.Rows))}, nil
}

// row plans the sheet's row i (0-based); blank rows are skipped. It
// reports whether it appended a row to the plan.
func (pl *patientPlanner) row(i int) bool {
	p := pl.p
	cells := p.Table.Rows[i]
	if blank(cells) {
		return false
	}
	cells = p.padZip(cells)
	p.Rows = append(p.Rows, RowResult{Row: i + 1, Cells: cells})
	r := &p.Rows[len(p.Rows)-1] // filled in place: a row's plan is big to copy
	pat, tags, err := p.readPatient(cells, pl.today)
	if err != nil {
		r.Action, r.Reason = ActionReject, err.Error()
		return true
	}
	key := pat.ExternalID
	if key == "" {
		key = emailBornKey(pat.Email, pat.BirthDate)
	}
	if key == "" {
		key = nameBornKey(pat.FirstName, pat.LastName, pat.BirthDate)
	}
	if key != "" {
		if first, dup := pl.seen[key]; dup {
			r.Action, r.Reason = ActionReject, fmt.Sprintf("the same patient as row %d", first)
			return true
		}
		pl.seen[key] = r.Row
	}
	if old := pl.ex.match(pat); old != nil {
		merged, changes := merge(*old, pat, p, cells, pl.source, pl.s.Now())
		newTags := missingTags(pl.ex.tags[old.ID], tags)
		if len(newTags) > 0 {
			changes = append(changes, "tags")
		}
		r.Patient, r.Tags = merged, newTags
		if len(changes) == 0 {
			r.Action = ActionUnchanged
		} else {
			r.Action, r.Reason = ActionUpdate, "changes "+strings.Join(changes, ", ")
		}
		return true
	}
	fresh := data.Patient{CareConsent: data.CareAllowed, PromoConsent: data.PromoUnknown}
	merged, _ := merge(fresh, pat, p, cells, pl.source, pl.s.Now())
	if err := merged.Normalize(); err != nil {
		r.Action, r.Reason = ActionReject, err.Error()
		return true
	}
	r.Action, r.Patient, r.Tags = ActionAdd, merged, tags
	return true
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// readPatient reads the mapped cells of one row; consent columns are
// applied later by merge, against what is stored.
func (p *Plan) readPatient(cells []string, today data.Date) (data.Patient, []string, error) {
	var pat data.Patient
	get := func(f Field) string { v, _ := p.cell(cells, f); return v }
	pat.ExternalID = cleanNumberText(get(FieldExternalID))
	pat.FirstName, pat.LastName = get(FieldFirstName), get(FieldLastName)
	if full := get(FieldFullName); full != "" && pat.FirstName == "" && pat.LastName == "" {
		pat.FirstName, pat.LastName = splitFullName(full)
	}
	if pat.FirstName == "" && pat.LastName == "" {
		return pat, nil, fmt.Errorf("no name")
	}
	pat.PreferredName = get(FieldPreferredName)
	pat.Email = data.NormalizeEmail(get(FieldEmail))
	if pat.Email != "" {
		probe := data.Patient{LastName: "x", Email: pat.Email}
		if err := probe.Normalize(); err != nil {
			return pat, nil, fmt.Errorf("the email address %q is not valid", pat.Email)
		}
	}
	pat.Phone = cleanNumberText(get(FieldPhone))
	if v := get(FieldBirthDate); v != "" {
		d, err := parseDate(v, p.DateOrder, p.Table.Date1904, today)
		if err != nil {
			return pat, nil, fmt.Errorf("birth date: %v", err)
		}
		if today.Before(d) {
			return pat, nil, fmt.Errorf("the birth date %s is in the future", d)
		}
		pat.BirthDate = d
	}
	sex, err := parseSex(get(FieldSex))
	if err != nil {
		return pat, nil, err
	}
	pat.Sex = sex
	pat.PostalCode = cleanNumberText(get(FieldPostalCode))
	pat.Language = get(FieldLanguage)
	pat.Notes = get(FieldNotes)
	for _, f := range []Field{FieldPromoOptIn, FieldCareReminders, FieldOptOut, FieldDoNotContact} {
		if _, err := parseConsent(get(f)); err != nil {
			return pat, nil, fmt.Errorf("%s: %v", strings.ReplaceAll(string(f), "_", " "), err)
		}
	}
	return pat, splitTags(get(FieldTags)), nil
}

// Result is what a finished import did.
type Result struct {
	Added, Updated, Unchanged, Rejected int
	Backup                              string // the backup taken before writing
}

// ApplyPatients writes a plan in one transaction, after backing up the
// database: every row lands, or none does.
func ApplyPatients(ctx context.Context, s *data.Store, p *Plan, progress func(done, total int)) (Result, error) {
	res := Result{Added: p.Added, Updated: p.Updated, Unchanged: p.Unchanged, Rejected: p.Rejected}
	if p.Added+p.Updated == 0 {
		return res, nil
	}
	backup, err := s.Backup(ctx, "before import")
	if err != nil {
		return res, err
	}
	res.Backup = backup
	return res, writePatients(ctx, s, p, progress)
}

// writePatients writes a whole plan in one transaction.
func writePatients(ctx context.Context, s *data.Store, p *Plan, progress func(done, total int)) error {
	total := p.Added + p.Updated
	err := s.WithBatch(ctx, func(b *data.Batch) error {
		if err := b.ExpectPatients(p.Added); err != nil {
			return err
		}
		done := 0
		for i := range p.Rows {
			wrote, err := writePatientRow(b, &p.Rows[i])
			if err != nil || !wrote {
				if err != nil {
					return err
				}
				continue
			}
			if done++; done%1000 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				if progress != nil {
					progress(done, total)
				}
			}
		}
		if progress != nil {
			progress(total, total)
		}
		return b.Audit("import", fmt.Sprintf("patients from %s (sheet %s): %s", filepath.Base(p.Table.File), p.Table.Sheet, p.Summary()))
	})
	if err != nil {
		return fmt.Errorf("the import was not saved, nothing changed: %w", err)
	}
	return nil
}

// writePatientRow saves one planned row; it reports whether the row
// changed anything.
func writePatientRow(b *data.Batch, r *RowResult) (bool, error) {
	var err error
	switch r.Action {
	case ActionAdd:
		pat := r.Patient
		err = b.AddPatient(&pat, r.Tags...)
	case ActionUpdate:
		pat := r.Patient
		if err = b.UpdatePatient(&pat); err == nil {
			for _, t := range r.Tags {
				if err = b.AddTag(pat.ID, t); err != nil {
					break
				}
			}
		}
	default:
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("row %d: %w", r.Row, err)
	}
	return true, nil
}

// RowError is one rejected row and why.
type RowError struct {
	Row    int    `json:"row"`
	Reason string `json:"reason"`
}

// RowErrors lists the rejected rows.
func (p *Plan) RowErrors() []RowError {
	out := []RowError{}
	for _, r := range p.Rows {
		if r.Action == ActionReject {
			out = append(out, RowError{r.Row, r.Reason})
		}
	}
	return out
}

// Shown is a row's cell as the import reads it, for a preview: dates (Excel
// serial numbers too) as dates, numbers stored as text without their ".0".
// A cell that cannot be read is shown as typed.
func (p *Plan) Shown(r RowResult, col int) string {
	if col >= len(r.Cells) {
		return ""
	}
	v := strings.TrimSpace(r.Cells[col])
	switch p.Mapping[col] {
	case FieldBirthDate, FieldVisitDate:
		if d, err := parseDate(v, p.DateOrder, p.Table.Date1904, p.today); err == nil && !d.IsZero() {
			return d.String()
		}
	case FieldExternalID, FieldPhone, FieldPostalCode:
		return cleanNumberText(v)
	}
	return v
}
