package workflow

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"kindly/reports"
)

// What an import reads.
const (
	ImportPatients = "patients"
	ImportVisits   = "visits"
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
	if req.Kind != ImportPatients && req.Kind != ImportVisits {
		return ImportResult{}, fmt.Errorf("choose what to import: patients or visits, not %q", req.Kind)
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
	importFile := reports.ImportPatients
	if req.Kind == ImportVisits {
		importFile = reports.ImportVisits
	}
	p, res, err := importFile(ctx, w.store, req.File, req.Options, progress)
	if err != nil {
		return ImportResult{Plan: p}, err
	}
	// Imported with these columns: the practice's choice for the next file like it.
	if err := reports.RememberMapping(ctx, w.store, p); err != nil {
		return ImportResult{Plan: p}, err
	}
	return w.withRejects(req, p, summarize(req, p, res.Backup))
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
	}
	return nil, fmt.Errorf("choose what to import: patients or visits, not %q", kind)
}

func summarize(req ImportRequest, p *reports.Plan, backup string) ImportSummary {
	sum := ImportSummary{File: req.File, Sheet: p.Table.Sheet, HeaderRow: p.HeaderRow, Mapping: map[string]string{},
		DateOrder: p.DateOrder.String(), DryRun: req.DryRun, Add: p.Added, Update: p.Updated, Unchanged: p.Unchanged,
		Rejected: p.Rejected, Flagged: p.Flagged, Archived: p.Archived, Warnings: append([]string{}, p.Warnings...),
		Rejects: p.RowErrors(), Flags: p.RowFlags(), Backup: backup, Ignored: append([]string{}, p.Ignored...)}
	for col, h := range p.Header {
		if f, ok := p.Mapping[col]; ok && f != reports.FieldNone {
			sum.Mapping[h] = f.Words()
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
