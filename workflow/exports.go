package workflow

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"kindly/data"
	"kindly/reports"
)

// What an export writes.
const (
	ExportPatients = "patients" // all patients
	ExportSegment  = "segment"  // a segment's members (Name)
	ExportCampaign = "campaign" // a campaign's results (Name)
	ExportLog      = "log"      // every email sent
	ExportCalendar = "calendar" // the campaigns and their schedules
	ExportReport   = "report"   // sent, failed and skipped per campaign and month, with a chart
	// ExportRecipients is who a campaign's next send emails and who it
	// skips, with the reason (Name).
	ExportRecipients = "recipients"
)

// ExportRequest is one export.
type ExportRequest struct {
	Kind string
	Name string // the segment or campaign, for those kinds
	Out  string // the file to write: .xlsx, or .csv for a table (not the report)
	// Overwrite writes over an existing file (the practice said so: the
	// window's save dialog asked, or --force).
	Overwrite bool
}

// ErrOutExists says the export's file exists and the practice did not say
// to write over it; front ends ask, or name their way to do so.
var ErrOutExists = errors.New("the file already exists")

// ExportKinds are the exports, in the order the command line lists them.
var ExportKinds = []string{ExportPatients, ExportSegment, ExportCampaign, ExportRecipients, ExportLog, ExportCalendar, ExportReport}

// Export writes an Excel workbook (or, for a file named .csv, a CSV file
// Excel on Windows opens as it is) and returns how many rows it holds (-1
// when rows say nothing, as for the report). Every export is written to
// the audit log.
func (w *Workflow) Export(ctx context.Context, req ExportRequest, progress func(done, total int)) (int, error) {
	if err := checkOutFile(req.Out, req.Kind != ExportReport); err != nil {
		return 0, err
	}
	if err := w.checkOutside(req.Out); err != nil {
		return 0, err
	}
	if _, err := os.Stat(req.Out); err == nil && !req.Overwrite {
		return 0, fmt.Errorf("%s: %w; Kindly does not write over a file unless you say so", req.Out, ErrOutExists)
	}
	named := req.Kind == ExportSegment || req.Kind == ExportCampaign || req.Kind == ExportRecipients
	if named && strings.TrimSpace(req.Name) == "" {
		return 0, fmt.Errorf("say which %s to export", req.Kind)
	}
	n, what, err := w.export(ctx, req, progress)
	if err != nil {
		return 0, err
	}
	if err := w.store.Audit(ctx, "export", fmt.Sprintf("%s (%s) to %s", what, n, filepath.Base(req.Out))); err != nil {
		return 0, err
	}
	if req.Kind == ExportReport {
		return -1, nil
	}
	return n.rows, nil
}

// exported is how many rows an export wrote, in words for the audit log.
type exported struct {
	rows       int
	one, other string
}

func (e exported) String() string { return data.Count(e.rows, e.one, e.other) }

// export writes the file and says what it holds.
func (w *Workflow) export(ctx context.Context, req ExportRequest, progress func(done, total int)) (exported, string, error) {
	rows := func(n int) exported { return exported{n, "row", "rows"} }
	switch req.Kind {
	case ExportPatients, ExportSegment:
		segment, what := "", "all patients"
		if req.Kind == ExportSegment {
			if _, err := w.store.SegmentByName(ctx, req.Name); err != nil {
				return exported{}, "", named(err, "segment", req.Name)
			}
			segment, what = req.Name, fmt.Sprintf("segment %q", req.Name)
		}
		n, err := reports.ExportPatients(ctx, w.store, segment, req.Out, progress)
		return exported{n, "patient", "patients"}, what, err
	case ExportCampaign:
		if _, err := w.campaignNamed(ctx, req.Name); err != nil {
			return exported{}, "", err
		}
		n, err := reports.ExportLog(ctx, w.store, req.Name, req.Out)
		return rows(n), fmt.Sprintf("results of campaign %q", req.Name), err
	case ExportRecipients:
		list, err := w.Recipients(ctx, req.Name)
		if err != nil {
			return exported{}, "", err
		}
		loc, err := w.store.Location(ctx)
		if err != nil {
			return exported{}, "", err
		}
		n, err := reports.ExportRecipients(list, loc, req.Out)
		return rows(n), fmt.Sprintf("recipients of campaign %q", req.Name), err
	case ExportLog:
		n, err := reports.ExportLog(ctx, w.store, "", req.Out)
		return rows(n), "send log", err
	case ExportCalendar:
		n, err := reports.ExportCalendar(ctx, w.store, req.Out)
		return exported{n, "campaign", "campaigns"}, "campaign calendar", err
	case ExportReport:
		n, err := reports.CampaignReport(ctx, w.store, req.Out)
		return rows(n), "campaign report", err
	}
	return exported{}, "", fmt.Errorf("there is no export %q (choose %s)", req.Kind, strings.Join(ExportKinds, ", "))
}

// checkOutFile refuses an output file Kindly cannot write: not .xlsx (or
// .csv, when csv is allowed).
func checkOutFile(path string, csv bool) error {
	want := "a file ending in .xlsx"
	if csv {
		want = "a file ending in .xlsx, or .csv"
	}
	if strings.TrimSpace(path) == "" {
		return fmt.Errorf("say where to write it (%s)", want)
	}
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".xlsx" && !(csv && ext == ".csv") {
		return fmt.Errorf("the output file should be %s", want)
	}
	return nil
}

// CalendarPlan is the campaigns' occurrences over some days, each day laid
// against what the mailbox can carry.
type CalendarPlan struct {
	Entries []data.PlanEntry
	Days    []data.DayPlan
	Sent    []data.DaySent // what went out on the days up to today
	Today   data.Date
	Closed  data.Closed // the practice's closed days in the range, with their names
}

// EntryText is how many an occurrence emails, in words: "12 patients", or
// "12 patients (3 follow-ups)" for a recall with follow-up reminders.
func EntryText(e data.PlanEntry) string {
	if e.Followups > 0 {
		return fmt.Sprintf("%s (%s)", Patients(e.Audience), data.Count(e.Followups, "follow-up", "follow-ups"))
	}
	return Patients(e.Audience)
}

// Calendar plans the occurrences from from to to (at most two years) with
// their audience today and whether the mailbox's daily limit carries them.
func (w *Workflow) Calendar(ctx context.Context, from, to data.Date) (CalendarPlan, error) {
	if to.Before(from) || from.AddDays(731).Before(to) {
		return CalendarPlan{}, fmt.Errorf("choose a range of up to two years, the end after the start")
	}
	entries, err := w.store.Calendar(ctx, from, to)
	if err != nil {
		return CalendarPlan{}, err
	}
	st, err := w.store.Settings(ctx)
	if err != nil {
		return CalendarPlan{}, err
	}
	closed, err := w.store.ClosedDays(ctx, from, to)
	if err != nil {
		return CalendarPlan{}, err
	}
	capa := data.Capacity{PerDay: st.Mail.DayLimit(), PerMinute: st.Mail.PerMinute, Closed: data.Closed{}}
	for _, d := range closed {
		capa.Closed[d.Day] = d.Name
	}
	plan := CalendarPlan{Entries: entries, Days: data.PlanCapacity(entries, from, to, capa), Closed: capa.Closed}
	if plan.Today, err = w.store.Today(ctx); err != nil {
		return plan, err
	}
	if !plan.Today.Before(from) {
		last := to
		if plan.Today.Before(to) {
			last = plan.Today
		}
		plan.Sent, err = w.store.SentPerDay(ctx, from, last)
	}
	return plan, err
}

// CalendarYear sums each campaign's emails per month of a year; perDay is
// the mailbox's daily limit (0: none), to flag months beyond it.
func (w *Workflow) CalendarYear(ctx context.Context, year int) (months []data.MonthPlan, perDay int, err error) {
	if months, err = w.store.CalendarYear(ctx, year); err != nil {
		return nil, 0, err
	}
	st, err := w.store.Settings(ctx)
	return months, st.Mail.DayLimit(), err
}

// WriteICS writes occurrences as an .ics calendar for Outlook or Google
// Calendar and returns how many events it holds.
func (w *Workflow) WriteICS(ctx context.Context, entries []data.PlanEntry, path string) (int, error) {
	if !strings.EqualFold(filepath.Ext(path), ".ics") {
		return 0, fmt.Errorf("the calendar file should end in .ics")
	}
	if err := w.checkOutside(path); err != nil {
		return 0, err
	}
	n, err := reports.WriteICS(entries, path)
	if err != nil {
		return n, err
	}
	return n, w.store.Audit(ctx, "export", fmt.Sprintf("campaign calendar (%d events) to %s", n, filepath.Base(path)))
}
