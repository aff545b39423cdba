package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"kindly/reports"
)

type importSummary struct {
	File      string             `json:"file"`
	Sheet     string             `json:"sheet"`
	HeaderRow int                `json:"header_row"`
	Mapping   map[string]string  `json:"mapping"`
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

func cmdImport(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	sheet := fs.String("sheet", "", "sheet name (default: the first)")
	dryRun := fs.Bool("dry-run", false, "only report what would happen")
	rejects := fs.String("rejects", "", "write rejected rows to this .xlsx file")
	asJSON := fs.Bool("json", false, "print JSON")
	dayFirst := fs.Bool("day-first", false, "read dates like 03/04/1960 as 3 April")
	monthFirst := fs.Bool("month-first", false, "read dates like 03/04/1960 as 4 March")
	header := fs.Int("header-row", 0, "the row holding the column names (default: found)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || (pos[0] != "patients" && pos[0] != "visits") {
		return fmt.Errorf("usage: import patients|visits FILE [--sheet S] [--dry-run] [--rejects FILE.xlsx] [--json]")
	}
	o := reports.Options{Sheet: *sheet, HeaderRow: *header}
	switch {
	case *dayFirst && *monthFirst:
		return fmt.Errorf("choose --day-first or --month-first, not both")
	case *dayFirst:
		d := reports.DayFirst
		o.DateOrder = &d
	case *monthFirst:
		m := reports.MonthFirst
		o.DateOrder = &m
	}
	var p *reports.Plan
	var backup string
	if pos[0] == "patients" && !*dryRun {
		// Planned and written while the file is read (see ImportPatients).
		var res reports.Result
		if p, res, err = reports.ImportPatients(ctx, e.store, pos[1], o, progress(e.stderr, "Importing")); err != nil {
			return err
		}
		backup = res.Backup
	} else {
		tab, err := reports.ReadTable(pos[1], o.Sheet)
		if err != nil {
			return err
		}
		plan, apply := reports.PlanPatients, reports.ApplyPatients
		if pos[0] == "visits" {
			plan, apply = reports.PlanVisits, reports.ApplyVisits
		}
		if p, err = plan(ctx, e.store, tab, o); err != nil {
			return err
		}
		if !*dryRun {
			res, err := apply(ctx, e.store, p, progress(e.stderr, "Importing"))
			if err != nil {
				return err
			}
			backup = res.Backup
		}
	}
	tab := p.Table
	sum := importSummary{File: pos[1], Sheet: tab.Sheet, HeaderRow: p.HeaderRow, Mapping: map[string]string{},
		DateOrder: p.DateOrder.String(), DryRun: *dryRun, Add: p.Added, Update: p.Updated, Unchanged: p.Unchanged,
		Rejected: p.Rejected, Warnings: append([]string{}, p.Warnings...), Rejects: p.RowErrors(), Backup: backup}
	for col, f := range p.Mapping {
		if col < len(p.Header) {
			sum.Mapping[p.Header[col]] = string(f)
		}
	}
	if *rejects != "" && p.Rejected > 0 {
		if _, err := reports.WriteRejects(p, *rejects); err != nil {
			return err
		}
	}
	if *asJSON {
		return writeJSON(e.stdout, sum)
	}
	if *dryRun {
		fmt.Fprintf(e.stdout, "Dry run, nothing saved. %s from %s, sheet %q, header on row %d: %s\n",
			pos[0], pos[1], tab.Sheet, p.HeaderRow, p.Summary())
	} else {
		fmt.Fprintf(e.stdout, "Imported %s from %s, sheet %q, header on row %d: %d added, %d updated, %d unchanged, %d rejected\n",
			pos[0], pos[1], tab.Sheet, p.HeaderRow, p.Added, p.Updated, p.Unchanged, p.Rejected)
	}
	for _, w := range p.Warnings {
		fmt.Fprintln(e.stdout, "Note:", w)
	}
	for i, r := range sum.Rejects {
		if i == 20 {
			fmt.Fprintf(e.stdout, "... and %d more rejected rows", len(sum.Rejects)-20)
			if *rejects == "" {
				fmt.Fprint(e.stdout, " (--rejects FILE.xlsx writes them all)")
			}
			fmt.Fprintln(e.stdout)
			break
		}
		fmt.Fprintf(e.stdout, "Row %d rejected: %s\n", r.Row, r.Reason)
	}
	if *rejects != "" && p.Rejected > 0 {
		fmt.Fprintf(e.stdout, "Rejected rows written to %s\n", *rejects)
	}
	return nil
}

func cmdExport(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	out := fs.String("out", "", "the .xlsx file to write")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	const use = "usage: export patients|segment NAME|campaign NAME|log|calendar|report --out FILE.xlsx"
	if len(pos) == 0 || *out == "" {
		return fmt.Errorf(use)
	}
	if !strings.HasSuffix(strings.ToLower(*out), ".xlsx") {
		return fmt.Errorf("the output file should end in .xlsx")
	}
	var n int
	switch {
	case pos[0] == "patients" && len(pos) == 1:
		n, err = reports.ExportPatients(ctx, e.store, "", *out, progress(e.stderr, "Exporting"))
	case pos[0] == "segment" && len(pos) == 2:
		n, err = reports.ExportPatients(ctx, e.store, pos[1], *out, progress(e.stderr, "Exporting"))
	case pos[0] == "campaign" && len(pos) == 2:
		n, err = reports.ExportLog(ctx, e.store, pos[1], *out)
	case pos[0] == "log" && len(pos) == 1:
		n, err = reports.ExportLog(ctx, e.store, "", *out)
	case pos[0] == "calendar" && len(pos) == 1:
		n, err = reports.ExportCalendar(ctx, e.store, *out)
	case pos[0] == "report" && len(pos) == 1:
		err = reports.CampaignReport(ctx, e.store, *out)
		n = -1
	default:
		return fmt.Errorf(use)
	}
	if err != nil {
		return err
	}
	if n >= 0 {
		fmt.Fprintf(e.stdout, "Wrote %d rows to %s\n", n, *out)
	} else {
		fmt.Fprintf(e.stdout, "Wrote %s\n", *out)
	}
	return nil
}
