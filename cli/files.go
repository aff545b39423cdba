package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"kindly/reports"
	"kindly/workflow"
)

func (s *session) importCommand() *cobra.Command {
	return group("import", "Import patients, visits or appointments from an .xlsx or .csv file: all rows or none, after a backup",
		s.importKindCommand(workflow.ImportPatients, "patients", "Import patients: new ones are added, known ones (by practice id, else email and birth date, else name and birth date) updated"),
		s.importKindCommand(workflow.ImportVisits, "visits", "Import visits (date and service) of known patients"),
		s.appointmentsImportCommand("appointments"))
}

func (s *session) appointmentsImportCommand(use string) *cobra.Command {
	return s.importKindCommand(workflow.ImportAppointments, use, "Import the practice system's appointments (date, time, service, status) of known patients: "+
		"an appointment imported before (the same appointment id, else the same patient and start) is updated, never added twice")
}

func (s *session) importKindCommand(kind, use, short string) *cobra.Command {
	var sheet, rejects string
	var dryRun, asJSON, dayFirst, monthFirst bool
	var header int
	var columns []string
	c := &cobra.Command{
		Use:   use + " FILE",
		Short: short,
		Long: short + `.
Reads .xlsx (any sheet) and .csv/.txt in UTF-8, UTF-16 or Windows-1252. The header row
and the columns are found by their names; --dry-run shows what would happen.`,
		Args: names("the FILE"),
		RunE: s.runs(func(c call) error {
			req := workflow.ImportRequest{Kind: kind, File: c.args[0], DryRun: dryRun, Rejects: rejects,
				Options: reports.Options{Sheet: sheet, HeaderRow: header}}
			var err error
			if req.Options.Columns, err = columnChoices(columns); err != nil {
				return err
			}
			if req.Options.DateOrder, err = dateOrder(dayFirst, monthFirst); err != nil {
				return err
			}
			res, err := c.work.Import(c.ctx, req, progress(s.env.Stderr, "Importing"))
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.out, res.Summary)
			}
			printImport(c.out, kind, res.Summary)
			return nil
		}),
	}
	f := c.Flags()
	f.StringVar(&sheet, "sheet", "", "the sheet to read (default: the one that looks most like a list of "+use+")")
	f.BoolVar(&dryRun, "dry-run", false, "only report what would happen")
	f.StringVar(&rejects, "rejects", "", "write the rejected rows, with the reason for each, to this new .xlsx or .csv file")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	f.BoolVar(&dayFirst, "day-first", false, "read dates like 03/04/1960 as 3 April")
	f.BoolVar(&monthFirst, "month-first", false, "read dates like 03/04/1960 as 4 March")
	f.IntVar(&header, "header-row", 0, "the row holding the column names (default: found)")
	f.StringArrayVar(&columns, "map", nil, `read a column as a field, e.g. --map "PatNum=practice id" (repeat it; "=ignore" skips a column)`)
	return c
}

// columnChoices reads --map "COLUMN=FIELD" options (nil for none).
func columnChoices(maps []string) (map[string]reports.Field, error) {
	if len(maps) == 0 {
		return nil, nil
	}
	columns := map[string]reports.Field{}
	for _, m := range maps {
		name, field, ok := strings.Cut(m, "=")
		if !ok {
			return nil, fmt.Errorf("--map %q: write the column and the field, like --map \"PatNum=practice id\"", m)
		}
		f, err := reports.ParseField(field)
		if err != nil {
			return nil, fmt.Errorf("--map %q: %w", m, err)
		}
		columns[strings.TrimSpace(name)] = f
	}
	return columns, nil
}

// dateOrder reads --day-first and --month-first (nil: found from the file).
func dateOrder(dayFirst, monthFirst bool) (*reports.DateOrder, error) {
	switch {
	case dayFirst && monthFirst:
		return nil, fmt.Errorf("choose --day-first or --month-first, not both")
	case dayFirst:
		d := reports.DayFirst
		return &d, nil
	case monthFirst:
		m := reports.MonthFirst
		return &m, nil
	}
	return nil, nil
}

func printImport(out io.Writer, kind string, sum workflow.ImportSummary) {
	fmt.Fprintln(out, sum.Line(kind))
	if len(sum.Columns) > 0 {
		cols := make([]string, 0, len(sum.Columns))
		for _, h := range sum.Columns {
			cols = append(cols, fmt.Sprintf("%s = %s", h, sum.Mapping[h]))
		}
		fmt.Fprintf(out, "Columns read: %s\n", strings.Join(cols, "; "))
	}
	if len(sum.Ignored) > 0 {
		fmt.Fprintf(out, "Columns not read: %s (--map \"COLUMN=FIELD\" reads one)\n", strings.Join(sum.Ignored, "; "))
	}
	for _, w := range sum.Warnings {
		fmt.Fprintln(out, "Note:", w)
	}
	for i, r := range sum.Flags {
		if i == 20 {
			fmt.Fprintf(out, "... and %d more rows to check (--json lists them all)\n", len(sum.Flags)-20)
			break
		}
		fmt.Fprintf(out, "Row %d imported, check: %s\n", r.Row, r.Reason)
	}
	for i, r := range sum.Rejects {
		if i == 20 {
			fmt.Fprintf(out, "... and %d more rejected rows", len(sum.Rejects)-20)
			if sum.RejectsFile == "" {
				fmt.Fprint(out, " (--rejects FILE.xlsx writes them all)")
			}
			fmt.Fprintln(out)
			break
		}
		fmt.Fprintf(out, "Row %d rejected: %s\n", r.Row, r.Reason)
	}
	if sum.RejectsFile != "" {
		fmt.Fprintf(out, "Rejected rows written to %s\n", sum.RejectsFile)
	}
}

func (s *session) exportCommand() *cobra.Command {
	kinds := []struct{ kind, use, short string }{
		{workflow.ExportPatients, "patients", "All patients, with consent and tags (imports back as it was)"},
		{workflow.ExportSegment, "segment NAME", "The members of a segment"},
		{workflow.ExportCampaign, "campaign NAME", "A campaign's results: every email, its status and why"},
		{workflow.ExportRecipients, "recipients NAME", "Who a campaign's next send emails, and who it skips and why"},
		{workflow.ExportLog, "log", "The send log: every email of every campaign"},
		{workflow.ExportCalendar, "calendar", "The campaigns with their schedules"},
		{workflow.ExportReport, "report", "Sent, failed, skipped and opted out per campaign and month, with a chart"},
	}
	var subs []*cobra.Command
	for _, k := range kinds {
		subs = append(subs, s.exportKindCommand(k.kind, k.use, k.short))
	}
	return group("export", "Write an Excel workbook (.xlsx), or a .csv file for a table", subs...)
}

func (s *session) exportKindCommand(kind, use, short string) *cobra.Command {
	var out string
	var force bool
	args := noArgs
	if kind == workflow.ExportSegment || kind == workflow.ExportCampaign || kind == workflow.ExportRecipients {
		args = names("the NAME")
	}
	c := &cobra.Command{
		Use:   use + " --out FILE.xlsx",
		Short: short,
		Args:  args,
		RunE: s.runs(func(c call) error {
			req := workflow.ExportRequest{Kind: kind, Out: out, Overwrite: force}
			if len(c.args) == 1 {
				req.Name = c.args[0]
			}
			n, err := c.work.Export(c.ctx, req, progress(s.env.Stderr, "Exporting"))
			if errors.Is(err, workflow.ErrOutExists) {
				return fmt.Errorf("%w (add --force to write over it)", err)
			}
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
	what := "the .xlsx file to write, or a .csv file (UTF-8 that Excel opens as it is)"
	if kind == workflow.ExportReport {
		what = "the .xlsx file to write (the report has a chart)"
	}
	c.Flags().StringVar(&out, "out", "", what)
	c.Flags().BoolVar(&force, "force", false, "write over the file if it exists")
	return c
}
