package reports

import (
	"archive/zip"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kindly/data"
)

func importMessy(t *testing.T, s *data.Store) {
	t.Helper()
	p, err := planFile(t, s, "testdata/patients-messy.xlsx", Options{Sheet: "Patients"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := applyPatients(context.Background(), s, p, nil); err != nil {
		t.Fatal(err)
	}
}

func TestExportPatientsReadBack(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	importMessy(t, s)
	for _, p := range []data.Patient{{LastName: "+1 (555)", FirstName: "@mention", Notes: "-2+3"}, {LastName: "Tab", FirstName: "\tx", Notes: "\r=1"}} {
		if err := s.CreatePatient(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "patients.xlsx")
	n, err := ExportPatients(ctx, s, "", path, nil)
	if err != nil || n != 9 {
		t.Fatalf("export: %d, %v", n, err)
	}
	wb := readWithOpenpyxl(t, path)
	if len(wb.Rows) != 10 || wb.Rows[0][0] != "Practice ID" || wb.Rows[0][6] != "Date of birth" {
		t.Fatalf("rows = %q", wb.Rows)
	}
	if wb.Freeze != "A2" || strings.ReplaceAll(wb.AutoFilter, "$", "") != "A1:Q10" {
		t.Errorf("freeze %q, autofilter %q", wb.Freeze, wb.AutoFilter)
	}
	if wb.Widths[4] < 30 {
		t.Errorf("email column width %v", wb.Widths[4])
	}
	found := 0
	for i, row := range wb.Rows[1:] {
		r := i + 1
		if row[1] == "Smith" {
			found++
			if row[6] != "1950-03-04" || wb.Types[r][6] != "d" || row[7] != "F" || row[8] != "07030" || !strings.Contains(row[10], "diabetes-program") {
				t.Errorf("Anna read back as %q (types %q)", row, wb.Types[r])
			}
		}
		// Nothing that looks like a formula is one: it is text, formatted as text.
		for c, v := range row {
			if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
				found++
				if wb.Types[r][c] != "s" || wb.Formats[r][c] != "@" {
					t.Errorf("cell %q is type %q format %q", v, wb.Types[r][c], wb.Formats[r][c])
				}
			}
		}
	}
	// Formula-like: "+1 (555)", "@mention", "-2+3", "\r=1", José's "+1 555 ..." phone, "=HYPERLINK...".
	if found != 1+6 {
		t.Errorf("checked %d cells, want 7 (Anna and 6 formula-like cells)", found)
	}
	for _, row := range wb.Rows {
		if strings.HasPrefix(row[1], "=HYPERLINK") || strings.HasPrefix(row[2], "=HYPERLINK") {
			return
		}
	}
	t.Errorf("the =HYPERLINK name did not survive as text: %q", wb.Rows)
}

func TestExportSegment(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	importMessy(t, s)
	if _, err := s.SaveSegment(ctx, "Newsletter", data.Rule{Kind: data.KindAll, Rules: []data.Rule{{Kind: data.KindConsent, Value: data.ConsentPromoOptedIn}}}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "segment.xlsx")
	n, err := ExportPatients(ctx, s, "newsletter", path, nil)
	if err != nil || n != 2 {
		t.Fatalf("segment export: %d, %v", n, err)
	}
	if wb := readWithOpenpyxl(t, path); len(wb.Rows) != 3 || wb.Rows[1][1] != "Nguyen" || wb.Rows[2][1] != "Smith" {
		t.Fatalf("rows = %q", wb.Rows)
	}
	if _, err := ExportPatients(ctx, s, "nope", path, nil); err == nil {
		t.Fatal("exporting a missing segment worked")
	}
}

// seedOutbox adds two campaigns with messages in two months, sent,
// failed and skipped, through the store as the sender records them.
func seedOutbox(t *testing.T, s *data.Store) {
	t.Helper()
	ctx := context.Background()
	at := func(stamp string) {
		now, err := time.Parse(time.RFC3339, stamp)
		if err != nil {
			t.Fatal(err)
		}
		s.Now = func() time.Time { return now }
	}
	for i, tag := range []string{"flu promo", "flu", "flu", "flu", "promo"} {
		p := data.Patient{FirstName: "Pat", LastName: fmt.Sprint("Seed", i+1), PromoConsent: data.PromoOptedIn}
		if i < 4 {
			p.Email = fmt.Sprintf("seed%d@example.com", i+1)
		}
		if err := s.CreatePatient(ctx, &p); err != nil {
			t.Fatal(err)
		}
		for _, name := range strings.Fields(tag) {
			if err := s.AddTag(ctx, p.ID, name); err != nil {
				t.Fatal(err)
			}
		}
	}
	flu := data.Campaign{Name: "Flu 2026", Purpose: data.PurposeCare, Schedule: `{"kind":"season","month":10,"day":1}`}
	promo := data.Campaign{Name: "=cmd|' /C calc'!A0", Purpose: data.PurposePromotion}
	render := func(data.Patient) (data.Rendered, error) {
		return data.Rendered{Subject: "=SUM(A1)", Text: "body"}, nil
	}
	tagged := func(name string) data.Rule {
		return data.Rule{Kind: data.KindAll, Rules: []data.Rule{{Kind: data.KindTag, Op: "has", Value: name}}}
	}
	type result struct{ at, status, reason string }
	for _, run := range []struct {
		c       *data.Campaign
		tag     string
		queued  string
		results []result // in the order of the queue
	}{
		{&flu, "flu", "2026-10-01T08:00:00Z", []result{{"2026-10-01T08:01:00Z", data.StatusSent, ""}, {"2026-10-01T08:02:00Z", data.StatusSent, ""},
			{"2026-10-01T08:03:00Z", data.StatusFailed, "the mailbox does not exist"}, {"2026-10-01T08:04:00Z", data.StatusSkipped, "opted out after queueing"}}},
		{&promo, "promo", "2026-11-02T08:00:00Z", []result{{"2026-11-02T08:00:30Z", data.StatusSent, ""}}},
	} {
		at(run.queued)
		if err := s.CreateCampaign(ctx, run.c); err != nil {
			t.Fatal(err)
		}
		if _, err := s.QueueCampaign(ctx, *run.c, "2026", tagged(run.tag),
			data.QueueOptions{}, render); err != nil {
			t.Fatal(err)
		}
		queued, err := s.NextQueuedBatch(ctx, run.c.ID, "2026", 10)
		if err != nil || len(queued) != len(run.results) {
			t.Fatalf("%s: %d queued, %v", run.c.Name, len(queued), err)
		}
		for i, r := range run.results {
			at(r.at)
			if err := s.MarkResult(ctx, queued[i].ID, r.status, r.reason); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestExportLogCalendarAndReport(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	seedOutbox(t, s)
	dir := t.TempDir()

	logPath := filepath.Join(dir, "log.xlsx")
	if n, err := ExportLog(ctx, s, "", logPath); err != nil || n != 6 {
		t.Fatalf("log: %d, %v", n, err)
	}
	wb := readWithOpenpyxl(t, logPath)
	if len(wb.Rows) != 7 || wb.Rows[1][0] != "Flu 2026" || wb.Rows[1][9] != "2026-10-01" || wb.Types[1][9] != "d" {
		t.Fatalf("log rows = %q %q", wb.Rows, wb.Types)
	}
	if wb.Rows[5][0] != "=cmd|' /C calc'!A0" || wb.Types[5][0] != "s" || wb.Rows[1][4] != "=SUM(A1)" || wb.Types[1][4] != "s" {
		t.Fatalf("formula-like cells: %q %q", wb.Rows[5], wb.Types[5])
	}
	one := filepath.Join(dir, "flu.xlsx")
	if n, err := ExportLog(ctx, s, "flu 2026", one); err != nil || n != 4 {
		t.Fatalf("campaign results: %d, %v", n, err)
	}

	cal := filepath.Join(dir, "calendar.xlsx")
	if n, err := ExportCalendar(ctx, s, cal); err != nil || n != 2 {
		t.Fatalf("calendar: %d, %v", n, err)
	}
	if wb := readWithOpenpyxl(t, cal); len(wb.Rows) != 3 || wb.Rows[2][1] != "care reminder" {
		t.Fatalf("calendar rows = %q", wb.Rows)
	}

	// The inbox read a bounce for Flu's second email: the report counts it.
	var second data.OutboxEntry
	s.EachOutboxEntry(ctx, 0, func(e data.OutboxEntry) error {
		if e.Campaign == "Flu 2026" && e.Status == data.StatusSent {
			second = e
		}
		return nil
	})
	if _, err := s.ApplyFinding(ctx, data.Finding{Kind: data.FindingBounce, OutboxIDs: []int64{second.ID}, Hard: true, Reason: "the address does not exist"}); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(dir, "report.xlsx")
	if _, err := CampaignReport(ctx, s, report); err != nil {
		t.Fatal(err)
	}
	rb := readWithOpenpyxl(t, report)
	if len(rb.Sheets) != 2 || len(rb.Rows) != 3 {
		t.Fatalf("report: sheets %q rows %q", rb.Sheets, rb.Rows)
	}
	want := [][]string{{"=cmd|' /C calc'!A0", "2026-11", "1", "0", "0", "1", "0"}, {"Flu 2026", "2026-10", "1", "1", "1", "1", "1"}} // skipped counts the opted-out one too
	for i, w := range want {
		if strings.Join(rb.Rows[i+1], "|") != strings.Join(w, "|") {
			t.Errorf("report row %d = %q, want %q", i+1, rb.Rows[i+1], w)
		}
	}
	// openpyxl does not load charts; the chart part must be in the package.
	z, err := zip.OpenReader(report)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	charts := 0
	for _, f := range z.File {
		if strings.HasPrefix(f.Name, "xl/charts/chart") {
			charts++
		}
	}
	if charts != 1 {
		t.Fatalf("%d charts in the report, want 1", charts)
	}
}
