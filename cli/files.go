package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"kindly/reports"
	"kindly/workflow"
)

func (s *session) importCommand() *cobra.Command {
	return group("import", "Import patients or visits from an .xlsx or .csv file: all rows or none, after a backup",
		s.importKindCommand(workflow.ImportPatients, "patients", "Import patients: new ones are added, known ones (by practice id, else email and birth date, else name and birth date) updated"),
		s.importKindCommand(workflow.ImportVisits, "visits", "Import visits (date and service) of known patients"))
}

func (s *session) importKindCommand(kind, use, short string) *cobra.Command {
	var sheet, rejects string
	var dryRun, asJSON, dayFirst, monthFirst bool
	var header int
	c := &cobra.Command{
		Use:   use + " FILE",
		Short: short,
		Long: short + `.
Reads .xlsx (any sheet) and .csv/.txt in UTF-8, UTF-16 or Windows-1252. The header row
and the columns are found by their names; --dry-run shows what would happen.`,
		Args: names("the FILE"),
		RunE: s.runs(func(c call) error {
			req := workflow.ImportRequest{Kind: kind, File: c.args[0], DryRun: dryRun,
				Options: reports.Options{Sheet: sheet, HeaderRow: header}}
			switch {
			case dayFirst && monthFirst:
				return fmt.Errorf("choose --day-first or --month-first, not both")
			case dayFirst:
				d := reports.DayFirst
				req.Options.DateOrder = &d
			case monthFirst:
				m := reports.MonthFirst
				req.Options.DateOrder = &m
			}
			res, err := c.work.Import(c.ctx, req, progress(s.env.Stderr, "Importing"))
			if err != nil {
				return err
			}
			if rejects != "" && res.Summary.Rejected > 0 {
				if _, err := c.work.SaveRejects(res.Plan, rejects); err != nil {
					return err
				}
			}
			if asJSON {
				return writeJSON(c.out, res.Summary)
			}
			printImport(c.out, kind, res.Summary, rejects)
			return nil
		}),
	}
	f := c.Flags()
	f.StringVar(&sheet, "sheet", "", "the sheet to read (default: the first)")
	f.BoolVar(&dryRun, "dry-run", false, "only report what would happen")
	f.StringVar(&rejects, "rejects", "", "write the rejected rows, with the reason for each, to this .xlsx file")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	f.BoolVar(&dayFirst, "day-first", false, "read dates like 03/04/1960 as 3 April")
	f.BoolVar(&monthFirst, "month-first", false, "read dates like 03/04/1960 as 4 March")
	f.IntVar(&header, "header-row", 0, "the row holding the column names (default: found)")
	return c
}

func printImport(out io.Writer, kind string, sum workflow.ImportSummary, rejects string) {
	if sum.DryRun {
		fmt.Fprintf(out, "Dry run, nothing saved. %s from %s, sheet %q, header on row %d: %d to add, %d to update, %d unchanged, %d rejected\n",
			kind, sum.File, sum.Sheet, sum.HeaderRow, sum.Add, sum.Update, sum.Unchanged, sum.Rejected)
	} else {
		fmt.Fprintf(out, "Imported %s from %s, sheet %q, header on row %d: %d added, %d updated, %d unchanged, %d rejected\n",
			kind, sum.File, sum.Sheet, sum.HeaderRow, sum.Add, sum.Update, sum.Unchanged, sum.Rejected)
	}
	for _, w := range sum.Warnings {
		fmt.Fprintln(out, "Note:", w)
	}
	for i, r := range sum.Rejects {
		if i == 20 {
			fmt.Fprintf(out, "... and %d more rejected rows", len(sum.Rejects)-20)
			if rejects == "" {
				fmt.Fprint(out, " (--rejects FILE.xlsx writes them all)")
			}
			fmt.Fprintln(out)
			break
		}
		fmt.Fprintf(out, "Row %d rejected: %s\n", r.Row, r.Reason)
	}
	if rejects != "" && sum.Rejected > 0 {
		fmt.Fprintf(out, "Rejected rows written to %s\n", rejects)
	}
}

func (s *session) exportCommand() *cobra.Command {
	kinds := []struct{ kind, use, short string }{
		{workflow.ExportPatients, "patients", "All patients, with consent and tags (imports back as it was)"},
		{workflow.ExportSegment, "segment NAME", "The members of a segment"},
		{workflow.ExportCampaign, "campaign NAME", "A campaign's results: every email, its status and why"},
		{workflow.ExportLog, "log", "The send log: every email of every campaign"},
		{workflow.ExportCalendar, "calendar", "The campaigns with their schedules"},
		{workflow.ExportReport, "report", "Sent, failed, skipped and opted out per campaign and month, with a chart"},
	}
	var subs []*cobra.Command
	for _, k := range kinds {
		subs = append(subs, s.exportKindCommand(k.kind, k.use, k.short))
	}
	return group("export", "Write an Excel workbook (.xlsx)", subs...)
}

func (s *session) exportKindCommand(kind, use, short string) *cobra.Command {
	var out string
	args := noArgs
	if kind == workflow.ExportSegment || kind == workflow.ExportCampaign {
		args = names("the NAME")
	}
	c := &cobra.Command{
		Use:   use + " --out FILE.xlsx",
		Short: short,
		Args:  args,
		RunE: s.runs(func(c call) error {
			req := workflow.ExportRequest{Kind: kind, Out: out}
			if len(c.args) == 1 {
				req.Name = c.args[0]
			}
			n, err := c.work.Export(c.ctx, req, progress(s.env.Stderr, "Exporting"))
			if err != nil {
				return err
			}
			if n >= 0 {
				fmt.Fprintf(c.out, "Wrote %d rows to %s\n", n, out)
			} else {
				fmt.Fprintf(c.out, "Wrote %s\n", out)
			}
			return nil
		}),
	}
	c.Flags().StringVar(&out, "out", "", "the .xlsx file to write")
	return c
}
