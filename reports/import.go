package reports

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
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
	Sheet     string  // "" picks the sheet that looks most like a patient list
	HeaderRow int     // 1-based; 0 finds it
	Mapping   Mapping // nil: the columns chosen at the last import of a file with these column names, else guessed
	// Columns map columns by their header name over the mapping, as the
	// practice chose them ("PatNum" is "practice id"); FieldNone skips one.
	Columns   map[string]Field
	DateOrder *DateOrder // nil: decided per column from the data, month first when it cannot tell
	// Expect, when set, is what the dry run the practice saw planned: the
	// import writes only if it plans exactly that, else nothing changes.
	Expect *Counts
	// PreviewRows, when above 0, makes a dry run for a preview: it keeps
	// every rejected row and row to check but only this many of each other
	// kind (the counts cover them all), so a big sheet's plan stays small.
	// Such a plan cannot be applied; imports ignore it.
	PreviewRows int
}

// Counts are what an import does with the sheet's rows. Flagged rows are
// imported with something to check (an unusable address left empty, say);
// Archived rows make a patient archived (deceased, inactive, moved).
type Counts struct {
	Added, Updated, Unchanged, Rejected int
	Flagged, Archived                   int
}

// ErrChangedSinceCheck says the file no longer gives what its dry run
// showed (it was edited or replaced in between): nothing was imported.
var ErrChangedSinceCheck = errors.New("the file changed since it was checked; nothing was imported")

// ErrNoHeader says no row of the sheet names its columns.
var ErrNoHeader = errors.New("no header row found")

// ErrNoRows says the sheet names its columns but holds no rows below them.
var ErrNoRows = errors.New("no rows to import")

// RowResult is the plan for one row of the sheet.
type RowResult struct {
	Row     int // 1-based row number in the sheet, as a spreadsheet shows it
	Action  Action
	Reason  string   // why it is rejected, or which fields change
	Flags   []string // what to check in a row that is imported anyway
	Archive bool     // the row archives its patient
	Cells   []string
	Patient data.Patient // what will be saved (ID set for updates)
	Tags    []string     // tags to add
	Visit   data.Visit   // for visit imports
	// Appointment is an appointment import's row.
	Appointment data.Appointment
}

// Plan is a dry run: what an import would do, row by row.
type Plan struct {
	Table     *Table
	HeaderRow int // 1-based
	Header    []string
	Mapping   Mapping
	// Ignored are the header's columns that are not read.
	Ignored   []string
	DateOrder DateOrder
	Warnings  []string
	// Rows are the planned rows in sheet order. After ImportPatients has
	// streamed a big sheet, only the notable ones are kept: the rejected
	// rows and those to check (the counts cover them all).
	Rows []RowResult

	Added, Updated, Unchanged, Rejected, Flagged, Archived int

	cols        map[Field]int // Mapping by field, for reading cells
	columnNotes []string      // what choosing the columns found
	// Rows whose text looks like UTF-8 misread as Windows-1252: where the
	// stored text was kept, and new patients.
	mojibakeKept, mojibakeNew []int
	dateNotes                 []string     // what reading the date columns found
	stats                     *columnStats // counted over the data rows
	decided                   decisions    // what the stats settled
	today                     data.Date    // in the practice's time zone, when planned
	zipsPadded                int
	footers                   []string // rows that were totals or footers, skipped
	extraCells                []int    // rows with cells beyond the last named column
	compact                   bool     // Rows keeps only the notable rows; the counts are kept as rows are planned
}

func (p *Plan) count() {
	p.Added, p.Updated, p.Unchanged, p.Rejected, p.Flagged, p.Archived = 0, 0, 0, 0, 0, 0
	for i := range p.Rows {
		p.tally(&p.Rows[i])
	}
}

// tally counts one planned row.
func (p *Plan) tally(r *RowResult) {
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
	if r.notable() && r.Action != ActionReject {
		p.Flagged++
	}
	if r.Archive && (r.Action == ActionAdd || r.Action == ActionUpdate) {
		p.Archived++
	}
}

// notable says the practice needs to see a row: rejected, or imported
// with something to check.
func (r *RowResult) notable() bool { return r.Action == ActionReject || len(r.Flags) > 0 }

// finish counts the rows and gathers the warnings; a sheet without rows
// below its column names is ErrNoRows.
func (p *Plan) finish() error {
	if !p.compact {
		p.count()
	}
	var rowNotes []string
	if p.zipsPadded > 0 {
		msg := "1 postal code had lost its leading zero (stored as a number); it was padded to 5 digits."
		if p.zipsPadded > 1 {
			msg = fmt.Sprintf("%d postal codes had lost their leading zeros (stored as numbers); they were padded to 5 digits.", p.zipsPadded)
		}
		rowNotes = append(rowNotes, msg)
	}
	rowNotes = append(rowNotes, p.footers...)
	if n := len(p.mojibakeKept) + len(p.mojibakeNew); n > 0 {
		rows := append(append([]int{}, p.mojibakeKept...), p.mojibakeNew...)
		sort.Ints(rows)
		rowNotes = append(rowNotes, fmt.Sprintf("The file looks double-encoded: %d rows hold text like \"MÃ¼ller\" for \"Müller\" (rows %s). "+
			"It was probably saved in the wrong encoding; names Kindly already had were kept as they were. Save it again as UTF-8 (or Excel) and check the rest.",
			n, numberList(rows)))
	}
	switch n := len(p.extraCells); {
	case n == 1:
		rowNotes = append(rowNotes, fmt.Sprintf("Row %d has cells to the right of the last named column: those cells have no column name and were not read.", p.extraCells[0]))
	case n > 1:
		rowNotes = append(rowNotes, fmt.Sprintf("%d rows have cells to the right of the last named column (rows %s): those cells have no column name and were not read.",
			n, numberList(p.extraCells)))
	}
	p.Warnings = append(append(append(append([]string{}, p.Table.Notes...), p.columnNotes...), p.dateNotes...), rowNotes...)
	if p.Added+p.Updated+p.Unchanged+p.Rejected == 0 {
		return fmt.Errorf("%w: the sheet %q names its columns on row %d but has no patients below them", ErrNoRows, p.Table.Sheet, p.HeaderRow)
	}
	return nil
}

// Counts are the plan's rows by what happens to them.
func (p *Plan) Counts() Counts {
	return Counts{p.Added, p.Updated, p.Unchanged, p.Rejected, p.Flagged, p.Archived}
}

// ChangedError is ErrChangedSinceCheck with what the check found and what
// the file gives now.
type ChangedError struct{ Checked, Now Counts }

func (e *ChangedError) Error() string        { return ErrChangedSinceCheck.Error() }
func (e *ChangedError) Is(target error) bool { return target == ErrChangedSinceCheck }

// CheckExpected checks the plan against the dry run the practice saw
// (Options.Expect), if any: a *ChangedError when they differ.
func (p *Plan) CheckExpected(o Options) error {
	if o.Expect != nil && *o.Expect != p.Counts() {
		return &ChangedError{Checked: *o.Expect, Now: p.Counts()}
	}
	return nil
}

// prepare finds the header and the mapping, and the date order of the date columns.
func prepare(ctx context.Context, s *data.Store, t *Table, o Options, allowed []Field, dateFields ...Field) (*Plan, error) {
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
	switch remembered, err := rememberedMapping(ctx, s, p.Header, allowed); {
	case err != nil:
		return nil, err
	case o.Mapping != nil:
		p.Mapping = o.Mapping
	case remembered != nil:
		p.Mapping = remembered
		p.columnNotes = append(p.columnNotes, "The columns are read as you chose at your last import of a file with these column names.")
	default:
		g := guessMapping(p.Header, t.Hidden, allowed)
		p.Mapping, p.columnNotes = g.mapping, g.notes
	}
	if err := p.applyColumns(o.Columns, allowed); err != nil {
		return nil, err
	}
	p.columnNotes = append(p.columnNotes, claimedTwice(p.Header, p.Mapping)...)
	for i, h := range p.Header {
		if f, ok := p.Mapping[i]; (!ok || f == FieldNone) && strings.TrimSpace(h) != "" {
			p.Ignored = append(p.Ignored, h)
		}
	}
	p.cols = p.Mapping.columns()
	zone, err := practiceZone(ctx, s)
	if err != nil {
		return nil, err
	}
	p.stats = newColumnStats(p.Mapping, zone, dateFields)
	for _, row := range t.Rows[header+1:] {
		p.stats.add(row)
	}
	p.decided, p.dateNotes = p.stats.decide(o)
	p.DateOrder = p.decided.order
	return p, nil
}

// claimedTwice names the fields a mapping reads from two columns or more:
// the leftmost is read.
func claimedTwice(header []string, m Mapping) []string {
	byField := map[Field][]int{}
	for c, f := range m {
		if f != FieldNone && c < len(header) {
			byField[f] = append(byField[f], c)
		}
	}
	var notes []string
	for _, f := range allFields {
		cs := byField[f]
		if len(cs) < 2 {
			continue
		}
		slices.Sort(cs)
		var names []string
		for _, c := range cs {
			names = append(names, header[c])
		}
		notes = append(notes, fmt.Sprintf("Columns %s are all chosen as %s: only %q is read.", quoteList(names), f.Words(), header[cs[0]]))
	}
	return notes
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
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

// PlanPatients is the dry run of a patient import: nothing is written.
func PlanPatients(ctx context.Context, s *data.Store, t *Table, o Options) (*Plan, error) {
	p, err := prepare(ctx, s, t, o, patientFields, FieldBirthDate)
	if err != nil {
		return nil, err
	}
	pl, err := newPatientPlanner(ctx, s, p)
	if err != nil {
		return nil, err
	}
	keep := len(t.Rows)
	if o.PreviewRows > 0 {
		keep, p.compact = o.PreviewRows, true
	}
	p.Rows = make([]RowResult, 0, min(len(t.Rows)-p.HeaderRow, keep*4))
	kept := map[Action]int{}
	for i := p.HeaderRow; i < len(t.Rows); i++ {
		p.Rows = append(p.Rows, RowResult{}) // filled in place: a row's plan is big to copy
		r := &p.Rows[len(p.Rows)-1]
		if !pl.row(i, t.Rows[i], r) {
			p.Rows = p.Rows[:len(p.Rows)-1]
			continue
		}
		if p.compact {
			p.tally(r)
			if kept[r.Action]++; kept[r.Action] > keep && !r.notable() {
				*r = RowResult{}
				p.Rows = p.Rows[:len(p.Rows)-1]
			}
		}
	}
	return p, p.finish()
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
	// belowTotal: a totals row was passed; rows of bare numbers under it
	// are its figures, skipped without a word.
	belowTotal bool
}

func newPatientPlanner(ctx context.Context, s *data.Store, p *Plan) (*patientPlanner, error) {
	if p.Mapping.column(FieldLastName) < 0 && p.Mapping.column(FieldFirstName) < 0 && p.Mapping.column(FieldFullName) < 0 {
		return nil, fmt.Errorf("no name column found; map a column to last name, first name or full name")
	}
	today, err := s.Today(ctx)
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

// practiceZone is what the practice's time zone says about its postal codes.
func practiceZone(ctx context.Context, s *data.Store) (postalZone, error) {
	st, err := s.Settings(ctx)
	switch {
	case err != nil:
		return zoneUnknown, err
	case st.TimeZone == "":
		return zoneUnknown, nil
	case usZone(st.TimeZone):
		return zoneUS, nil
	}
	return zoneElsewhere, nil
}

// usZone says a practice in this time zone writes US postal codes, whose
// leading zeros a spreadsheet drops (07030 stored as the number 7030). Not
// every "America/" zone: Canada's codes have letters, Brazil's eight digits.
func usZone(zone string) bool {
	switch {
	case strings.HasPrefix(zone, "US/"), strings.HasPrefix(zone, "America/Indiana/"), strings.HasPrefix(zone, "America/Kentucky/"),
		strings.HasPrefix(zone, "America/North_Dakota/"):
		return true
	}
	switch zone {
	case "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix", "America/Anchorage",
		"America/Adak", "America/Boise", "America/Detroit", "America/Indianapolis", "America/Louisville", "America/Menominee",
		"America/Juneau", "America/Sitka", "America/Yakutat", "America/Nome", "America/Metlakatla", "America/Puerto_Rico",
		"Pacific/Honolulu", "America/St_Thomas", "Pacific/Guam", "Pacific/Pago_Pago", "Pacific/Saipan":
		return true
	}
	return false
}

// row plans the sheet's row i (0-based), whose cells are given, into r;
// blank rows are skipped, and so are totals and footers ("Total patients:
// 200"), with a note. It reports whether the row is a patient's.
func (pl *patientPlanner) row(i int, cells []string, r *RowResult) bool {
	p := pl.p
	if blank(cells) {
		return false
	}
	if what := footer(cells); what != "" {
		p.footers = append(p.footers, fmt.Sprintf("Row %d (%q) looks like a total or a footer, not a patient: skipped.", i+1, what))
		pl.belowTotal = true
		return false
	}
	if extraCells(cells, len(p.Header)) {
		p.extraCells = append(p.extraCells, i+1)
	}
	r.Row, r.Cells = i+1, cells
	read, err := p.readPatient(cells, pl.today)
	r.Flags = append(read.flags, p.Table.RowNotes.of(i)...)
	if errors.Is(err, errNotAName) && pl.belowTotal {
		return false // the numbers under a "Total patients:" row
	}
	if err != nil {
		r.Action, r.Reason = ActionReject, err.Error()
		return true
	}
	pat := read.patient
	old, ambiguous := pl.ex.match(pat)
	if ambiguous != "" {
		r.Action, r.Reason = ActionReject, ambiguous
		return true
	}
	if key := matchKey(pat); key != "" {
		if first, dup := pl.seen[key]; dup {
			r.Action, r.Reason = ActionReject, fmt.Sprintf("the same patient as row %d", first)
			return true
		}
		pl.seen[key] = r.Row
	}
	r.Archive = read.archive
	if old != nil {
		if kept := keepOverMojibake(*old, &pat); len(kept) > 0 {
			p.mojibakeKept = append(p.mojibakeKept, r.Row)
			r.Flags = append(r.Flags, "the file's text is a misreading of the stored "+strings.Join(kept, ", ")+
				" (UTF-8 read as Windows-1252): the stored text is kept")
		}
		merged, changes := merge(*old, pat, read, pl.source, pl.s.Now())
		newTags := missingTags(pl.ex.tags[old.ID], read.tags)
		if len(newTags) > 0 {
			changes = append(changes, "tags")
		}
		r.Patient, r.Tags = merged, newTags
		r.Archive = read.archive && !old.Archived
		if len(changes) == 0 {
			r.Action = ActionUnchanged
		} else {
			r.Action, r.Reason = ActionUpdate, "changes "+strings.Join(changes, ", ")
		}
		return true
	}
	if odd := doubleEncoded(pat); len(odd) > 0 {
		p.mojibakeNew = append(p.mojibakeNew, r.Row)
		r.Flags = append(r.Flags, "the name looks misread, UTF-8 read as Windows-1252: "+strings.Join(odd, ", "))
	}
	fresh := data.Patient{CareConsent: data.CareAllowed, PromoConsent: data.PromoUnknown}
	merged, _ := merge(fresh, pat, read, pl.source, pl.s.Now())
	if err := merged.Normalize(); err != nil {
		r.Action, r.Reason = ActionReject, err.Error()
		return true
	}
	r.Action, r.Patient, r.Tags = ActionAdd, merged, read.tags
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

// extraCells says a row has cells to the right of the header's columns.
func extraCells(cells []string, columns int) bool {
	for _, c := range cells[min(columns, len(cells)):] {
		if strings.TrimSpace(c) != "" {
			return true
		}
	}
	return false
}

// WritePatients writes a whole plan's rows into b (the caller's
// transaction: every row lands, or none does). A preview's plan, which
// lists only some rows, cannot be written.
func WritePatients(ctx context.Context, b *data.Batch, p *Plan, progress func(done, total int)) error {
	if p.compact {
		return errors.New("this plan is a preview and lists only some rows; import the file instead")
	}
	if err := b.ExpectPatients(p.Added); err != nil {
		return err
	}
	total, done := p.Added+p.Updated, 0
	for i := range p.Rows {
		wrote, err := writePatientRow(b, &p.Rows[i])
		if err != nil {
			return cancelled(ctx, err)
		}
		if !wrote {
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
	return ctx.Err()
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

// RowError is one rejected row and why, or one imported row and what to
// check in it.
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

// RowFlags lists the rows imported with something to check.
func (p *Plan) RowFlags() []RowError {
	out := []RowError{}
	for _, r := range p.Rows {
		if r.Action != ActionReject && len(r.Flags) > 0 {
			out = append(out, RowError{r.Row, strings.Join(r.Flags, "; ")})
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
	case FieldPostalCode:
		if p.decided.padZips {
			return padUSZip(v)
		}
		return cleanNumberText(v)
	case FieldExternalID, FieldPhone:
		return cleanNumberText(v)
	}
	return v
}
