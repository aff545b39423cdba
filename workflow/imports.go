package workflow

import (
	"context"
	"fmt"

	"kindly/reports"
)

// What an import reads.
const (
	ImportPatients = "patients"
	ImportVisits   = "visits"
)

// ImportRequest is an import as the practice sets it up.
type ImportRequest struct {
	Kind    string // ImportPatients or ImportVisits
	File    string // .xlsx or .csv
	Options reports.Options
	// DryRun plans and reports, and writes nothing.
	DryRun bool
}

// ImportSummary is an import's outcome, as the command line prints it and
// the window shows it.
type ImportSummary struct {
	File      string             `json:"file"`
	Sheet     string             `json:"sheet"`
	HeaderRow int                `json:"header_row"`
	Mapping   map[string]string  `json:"mapping"` // column header -> field
	DateOrder string             `json:"date_order"`
	DryRun    bool               `json:"dry_run"`
	Add       int                `json:"add"`
	Update    int                `json:"update"`
	Unchanged int                `json:"unchanged"`
	Rejected  int                `json:"rejected"`
	Warnings  []string           `json:"warnings"`
	Rejects   []reports.RowError `json:"rejects"`
	Backup    string             `json:"backup,omitempty"`
}

// ImportResult is the plan of the rows (for a preview and the rejected rows)
// and its summary.
type ImportResult struct {
	Plan    *reports.Plan
	Summary ImportSummary
}

// Import reads a spreadsheet of patients or visits and imports it: all rows
// or none, after a backup. A dry run only plans. Patients are imported in
// one pass - planned and written while the file is read - which ends
// exactly as its dry run; the window passes the dry run's counts in
// Options.Expect, so what is written is what the practice saw.
func (w *Workflow) Import(ctx context.Context, req ImportRequest, progress func(done, total int)) (ImportResult, error) {
	if req.Kind != ImportPatients && req.Kind != ImportVisits {
		return ImportResult{}, fmt.Errorf("choose what to import: patients or visits, not %q", req.Kind)
	}
	if req.DryRun {
		t, err := ReadSheet(req.File, req.Options.Sheet)
		if err != nil {
			return ImportResult{}, err
		}
		p, err := w.Plan(ctx, req.Kind, t, req.Options)
		if err != nil {
			return ImportResult{}, err
		}
		return ImportResult{Plan: p, Summary: summarize(req, p, "")}, nil
	}
	importFile := reports.ImportPatients
	if req.Kind == ImportVisits {
		importFile = reports.ImportVisits
	}
	p, res, err := importFile(ctx, w.store, req.File, req.Options, progress)
	if err != nil {
		return ImportResult{Plan: p}, err
	}
	return ImportResult{Plan: p, Summary: summarize(req, p, res.Backup)}, nil
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
		Rejected: p.Rejected, Warnings: append([]string{}, p.Warnings...), Rejects: p.RowErrors(), Backup: backup}
	for col, f := range p.Mapping {
		if col < len(p.Header) {
			sum.Mapping[p.Header[col]] = string(f)
		}
	}
	return sum
}

// SaveRejects writes an import's rejected rows, each with its reason, to an
// .xlsx file, and returns how many.
func (w *Workflow) SaveRejects(p *reports.Plan, path string) (int, error) {
	if err := checkXLSX(path); err != nil {
		return 0, err
	}
	return reports.WriteRejects(p, path)
}
