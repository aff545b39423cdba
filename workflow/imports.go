package workflow

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"kindly/data"
	"kindly/reports"
)

// What an import reads.
const (
	ImportPatients = "patients"
	ImportVisits   = "visits"
	// ImportAppointments reads the practice system's appointment list.
	ImportAppointments = "appointments"
)

// DryRunRows is how many rows of each kind a dry run keeps besides the
// rejected ones and those to check: enough for a preview, small for a big
// sheet.
const DryRunRows = 1000

// ImportRequest is an import as the practice sets it up.
type ImportRequest struct {
	Kind    string // ImportPatients or ImportVisits
	File    string // .xlsx or .csv
	Options reports.Options
	// DryRun plans and reports, and writes nothing.
	DryRun bool
	// Rejects, when set, is a new .xlsx file for the rejected rows, each
	// with its reason (also after a dry run). It is checked before the
	// file is read: never over an existing file or Kindly's own.
	Rejects string
}

// ImportSummary is an import's outcome, as the command line prints it and
// the window shows it.
type ImportSummary struct {
	File      string             `json:"file"`
	Sheet     string             `json:"sheet"`
	HeaderRow int                `json:"header_row"`
	Mapping   map[string]string  `json:"mapping"` // column header -> field
	Columns   []string           `json:"-"`       // the mapping's headers, in the sheet's order
	Ignored   []string           `json:"ignored"` // columns not read
	DateOrder string             `json:"date_order"`
	DryRun    bool               `json:"dry_run"`
	Add       int                `json:"add"`
	Update    int                `json:"update"`
	Unchanged int                `json:"unchanged"`
	Rejected  int                `json:"rejected"`
	Flagged   int                `json:"flagged"`  // imported, with something to check
	Archived  int                `json:"archived"` // deceased, inactive or moved: never contacted
	Warnings  []string           `json:"warnings"`
	Rejects   []reports.RowError `json:"rejects"`
	Flags     []reports.RowError `json:"flags"`
	Backup    string             `json:"backup,omitempty"`
	// RejectsFile is where the rejected rows were written ("" when not).
	RejectsFile string `json:"rejects_file,omitempty"`
}

// ImportResult is the plan of the rows (for a preview and the rejected rows)
// and its summary.
type ImportResult struct {
	Plan    *reports.Plan
	Summary ImportSummary
}

// CheckingAgain is what an import says when it starts over (a progress
// report with done == ImportStartsOver).
const CheckingAgain = "Checking the whole file again: rows far down changed how a column reads (its dates)…"

// ImportStartsOver is the done of a progress report when the import
// starts over, checking the whole file again.
const ImportStartsOver = reports.ProgressAgain

// Import reads a spreadsheet of patients or visits and imports it: all rows
// or none, after a backup. A dry run only plans. Patients are imported in
// one pass - planned and written while the file is read - which ends
// exactly as its dry run; the window passes the dry run's counts in
// Options.Expect, so what is written is what the practice saw.
func (w *Workflow) Import(ctx context.Context, req ImportRequest, progress func(done, total int)) (ImportResult, error) {
	if req.Kind != ImportPatients && req.Kind != ImportVisits && req.Kind != ImportAppointments {
		return ImportResult{}, fmt.Errorf("choose what to import: patients, visits or appointments, not %q", req.Kind)
	}
	if req.Rejects != "" {
		if err := w.checkNewFile(req.Rejects, false); err != nil {
			return ImportResult{}, fmt.Errorf("--rejects: %w", err)
		}
	}
	if req.DryRun {
		t, err := ReadSheet(req.File, req.Options.Sheet)
		if err != nil {
			return ImportResult{}, err
		}
		o := req.Options
		if o.PreviewRows == 0 {
			o.PreviewRows = DryRunRows
		}
		p, err := w.Plan(ctx, req.Kind, t, o)
		if err != nil {
			return ImportResult{}, err
		}
		return w.withRejects(req, p, summarize(req, p, ""))
	}
	var p *reports.Plan
	var backup string
	var err error
	if req.Kind == ImportVisits || req.Kind == ImportAppointments {
		p, backup, err = w.importVisits(ctx, req, progress)
	} else {
		p, backup, err = w.importPatients(ctx, req, progress)
	}
	if err != nil {
		return ImportResult{Plan: p}, err
	}
	// Imported with these columns: the practice's choice for the next file like it.
	if err := w.rememberColumns(ctx, p); err != nil {
		return ImportResult{Plan: p}, err
	}
	return w.withRejects(req, p, summarize(req, p, backup))
}

// importPatients imports a patient file in one pass (reports.PatientStream);
// when rows far down change how the sheet reads, it is imported again,
// read whole, as its dry run would be.
func (w *Workflow) importPatients(ctx context.Context, req ImportRequest, progress func(done, total int)) (*reports.Plan, string, error) {
	st, err := reports.OpenPatients(ctx, w.store, req.File, req.Options, progress)
	if err != nil {
		return nil, "", err
	}
	defer st.Close()
	p, backup, err := w.importInOne(ctx, ImportPatients, func(b *data.Batch) (*reports.Plan, error) { return st.Plan(), st.Write(b) })
	if !errors.Is(err, reports.ErrDecidedOtherwise) {
		return p, backup, err
	}
	if progress != nil {
		progress(ImportStartsOver, 0)
	}
	t, err := reports.ReadTable(req.File, p.Table.Sheet)
	if err != nil {
		return nil, "", err
	}
	if p, err = reports.PlanPatients(ctx, w.store, t, req.Options); err != nil {
		return nil, "", err
	}
	if err := p.CheckExpected(req.Options); err != nil {
		return p, "", importError(err)
	}
	return w.importInOne(ctx, ImportPatients, func(b *data.Batch) (*reports.Plan, error) {
		return p, reports.WritePatients(ctx, b, p, progress)
	})
}

// importVisits reads a visit or appointment file whole, plans it and
// writes it.
func (w *Workflow) importVisits(ctx context.Context, req ImportRequest, progress func(done, total int)) (*reports.Plan, string, error) {
	t, err := reports.ReadTable(req.File, req.Options.Sheet)
	if err != nil {
		return nil, "", err
	}
	p, err := w.Plan(ctx, req.Kind, t, req.Options)
	if err != nil {
		return nil, "", err
	}
	if err := p.CheckExpected(req.Options); err != nil {
		return p, "", importError(err)
	}
	write := reports.WriteVisits
	if req.Kind == ImportAppointments {
		write = reports.WriteAppointments
	}
	return w.importInOne(ctx, req.Kind, func(b *data.Batch) (*reports.Plan, error) {
		return p, write(ctx, b, p, progress)
	})
}

// errNothingWritten rolls back an import in which every row was unchanged
// or rejected: no audit line, no backup kept.
var errNothingWritten = errors.New("nothing to write")

// importInOne takes a backup, then writes the rows in one transaction
// (every row lands, or none does) with the import's line in the audit log.
// It returns the plan and the backup; an import that changed nothing, or
// failed, keeps no backup.
func (w *Workflow) importInOne(ctx context.Context, kind string, write func(b *data.Batch) (*reports.Plan, error)) (*reports.Plan, string, error) {
	backup, err := w.store.Backup(ctx, "before import")
	if err != nil {
		return nil, "", err
	}
	var p *reports.Plan
	err = w.store.WithBatch(ctx, func(b *data.Batch) error {
		var err error
		if p, err = write(b); err != nil {
			return err
		}
		if p.Added+p.Updated == 0 {
			return errNothingWritten
		}
		return b.Audit("import", fmt.Sprintf("%s from %s (sheet %s): %s", kind, filepath.Base(p.Table.File), p.Table.Sheet, ImportCounts(p.Counts(), false)))
	})
	if err != nil {
		w.store.DiscardBackup(backup) // nothing changed
		if errors.Is(err, errNothingWritten) {
			return p, "", nil
		}
		if ctx.Err() != nil {
			err = ctx.Err() // cancelled: whatever the rolled-back statements said
		}
		return p, "", importError(err)
	}
	return p, backup, nil
}

// importError says in words that nothing changed, with what the file
// gives now when it changed since its check.
func importError(err error) error {
	var ce *reports.ChangedError
	switch {
	case errors.As(err, &ce):
		return fmt.Errorf("%w (the check found %s, the file now gives %s); check it again", err, ImportCounts(ce.Checked, true), ImportCounts(ce.Now, true))
	case errors.Is(err, reports.ErrNoRows), errors.Is(err, reports.ErrChangedSinceCheck), errors.Is(err, reports.ErrDecidedOtherwise):
		return err
	}
	return fmt.Errorf("the import was not saved, nothing changed: %w", err)
}

// rememberColumns keeps an import's column choice for the next file with
// the same column names.
func (w *Workflow) rememberColumns(ctx context.Context, p *reports.Plan) error {
	key, columns, err := p.RememberedColumns()
	if err != nil {
		return err
	}
	return w.store.SetImportColumns(ctx, key, columns)
}

// ImportCounts are an import's rows in words: "12 to add, 3 to update, 0
// unchanged, 1 rejected" for a dry run, "12 added, 3 updated, ..." once
// done, with the rows to check and those archived when there are any.
func ImportCounts(c reports.Counts, dryRun bool) string {
	s := fmt.Sprintf("%d added, %d updated, %d unchanged, %d rejected", c.Added, c.Updated, c.Unchanged, c.Rejected)
	if dryRun {
		s = fmt.Sprintf("%d to add, %d to update, %d unchanged, %d rejected", c.Added, c.Updated, c.Unchanged, c.Rejected)
	}
	if c.Flagged > 0 {
		s += fmt.Sprintf(", %d to check", c.Flagged)
	}
	if c.Archived > 0 {
		s += fmt.Sprintf(", %d archived (deceased, inactive or moved)", c.Archived)
	}
	return s
}

// withRejects writes the rejected rows where the request asks.
func (w *Workflow) withRejects(req ImportRequest, p *reports.Plan, sum ImportSummary) (ImportResult, error) {
	if req.Rejects != "" && p.Rejected > 0 {
		if _, err := w.SaveRejects(p, req.Rejects, false); err != nil {
			return ImportResult{Plan: p, Summary: sum}, err
		}
		sum.RejectsFile = req.Rejects
	}
	return ImportResult{Plan: p, Summary: sum}, nil
}

// ReadSheet reads a sheet of an .xlsx file (the first when sheet is "") or
// a .csv file whole, for dry runs.
func ReadSheet(file, sheet string) (*reports.Table, error) { return reports.ReadTable(file, sheet) }

// Plan is the dry run of an import of a sheet already read: what each row
// would do, and why. The window plans again as the practice changes the
// mapping, without reading the file again.
func (w *Workflow) Plan(ctx context.Context, kind string, t *reports.Table, o reports.Options) (*reports.Plan, error) {
	switch kind {
	case ImportPatients:
		return reports.PlanPatients(ctx, w.store, t, o)
	case ImportVisits:
		return reports.PlanVisits(ctx, w.store, t, o)
	case ImportAppointments:
		return reports.PlanAppointments(ctx, w.store, t, o)
	}
	return nil, fmt.Errorf("choose what to import: patients, visits or appointments, not %q", kind)
}

// Counts are the summary's rows by what happens to them.
func (s ImportSummary) Counts() reports.Counts {
	return reports.Counts{Added: s.Add, Updated: s.Update, Unchanged: s.Unchanged, Rejected: s.Rejected, Flagged: s.Flagged, Archived: s.Archived}
}

// Line is the import in one line: "Imported patients from f.xlsx, sheet
// "Patients", header on row 1: 12 added, ..." (a dry run says so first).
func (s ImportSummary) Line(kind string) string {
	if s.DryRun {
		return fmt.Sprintf("Dry run, nothing saved. %s from %s, sheet %q, header on row %d: %s",
			kind, s.File, s.Sheet, s.HeaderRow, ImportCounts(s.Counts(), true))
	}
	return fmt.Sprintf("Imported %s from %s, sheet %q, header on row %d: %s", kind, s.File, s.Sheet, s.HeaderRow, ImportCounts(s.Counts(), false))
}

func summarize(req ImportRequest, p *reports.Plan, backup string) ImportSummary {
	sum := ImportSummary{File: req.File, Sheet: p.Table.Sheet, HeaderRow: p.HeaderRow, Mapping: map[string]string{},
		DateOrder: p.DateOrder.String(), DryRun: req.DryRun, Add: p.Added, Update: p.Updated, Unchanged: p.Unchanged,
		Rejected: p.Rejected, Flagged: p.Flagged, Archived: p.Archived, Warnings: append([]string{}, p.Warnings...),
		Rejects: p.RowErrors(), Flags: p.RowFlags(), Backup: backup, Ignored: append([]string{}, p.Ignored...)}
	for col, h := range p.Header {
		if f, ok := p.Mapping[col]; ok && f != reports.FieldNone {
			sum.Mapping[h] = f.Words()
			if f == reports.FieldVisitDate && req.Kind == ImportAppointments {
				sum.Mapping[h] = "date" // an appointment's, perhaps with its time
			}
			sum.Columns = append(sum.Columns, h)
		}
	}
	return sum
}

// SaveRejects writes an import's rejected rows, each with its reason, to a
// new .xlsx or .csv file (overwrite: replacing one the practice chose to replace),
// and returns how many. Never the database or its files.
func (w *Workflow) SaveRejects(p *reports.Plan, path string, overwrite bool) (int, error) {
	if err := w.checkNewFile(path, overwrite); err != nil {
		return 0, err
	}
	return reports.WriteRejects(p, path)
}

// checkNewFile refuses a path Kindly should not write a workbook to: not
// .xlsx or .csv, one of Kindly's own files, or (unless overwrite) a file that exists.
func (w *Workflow) checkNewFile(path string, overwrite bool) error {
	if err := checkOutFile(path, true); err != nil {
		return err
	}
	if err := w.checkOutside(path); err != nil {
		return err
	}
	if _, err := os.Stat(path); err == nil && !overwrite {
		return fmt.Errorf("%s already exists; choose another name (Kindly does not write over a file)", path)
	}
	return nil
}

// checkOutside refuses to write a file over the database, its journal or
// lock files, or into its folder of backups.
func (w *Workflow) checkOutside(path string) error {
	abs, err := realPath(path)
	if err != nil {
		return err
	}
	db, err := realPath(w.store.Path())
	if err != nil {
		return err
	}
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" { // names that differ in case only are one file
		abs, db = strings.ToLower(abs), strings.ToLower(db)
	}
	dir := filepath.Dir(db)
	if strings.HasPrefix(abs, db) || strings.HasPrefix(abs, filepath.Join(dir, "backups")+string(filepath.Separator)) ||
		(filepath.Dir(abs) == dir && strings.HasPrefix(filepath.Base(abs), "kindly")) {
		return fmt.Errorf("%s is one of Kindly's own data files; choose another place", path)
	}
	return nil
}

// realPath is a path made absolute, its folder's links resolved: another
// name for the database's folder is the same folder.
func realPath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		abs = filepath.Join(dir, filepath.Base(abs))
	}
	return abs, nil
}
