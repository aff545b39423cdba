package reports

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"kindly/data"
)

// writeSheet streams rows into a one-sheet workbook.
func writeSheet(t *testing.T, path string, rows [][]any) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// messyRows is a sheet of n patients with what real sheets hold: a title
// row, duplicates, bad emails, tags, postal codes that lost their zeros,
// text dates, updates of stored patients and blank rows. dates(i) gives
// row i's birth date as text.
func messyRows(n int, dates func(i int) string, zip func(i int) any) [][]any {
	rows := [][]any{{"Patients export"}, {},
		{"Patient ID", "Last name", "First name", "Email", "DOB", "Zip", "Tags", "Opt out"}}
	for i := 0; i < n; i++ {
		id, email := fmt.Sprintf("S%05d", i), fmt.Sprintf("s%d@example.com", i)
		switch {
		case i%97 == 5:
			email = "not-an-email"
		case i%89 == 7:
			id = fmt.Sprintf("S%05d", i-1) // the row above again
		case i%50 == 9:
			rows = append(rows, []any{})
		case i < 40:
			id = fmt.Sprintf("P%06d", 100000+i) // a demo patient: an update
		}
		tags := []string{"", "flu", "Flu; VIP", "diabetes"}[i%4]
		rows = append(rows, []any{id, fmt.Sprintf("Stream%d", i), "Ann", email, dates(i), zip(i), tags, []string{"", "", "", "yes"}[i%4]})
	}
	return rows
}

// storeState is everything an import leaves in the database, comparable.
func storeState(t *testing.T, s *data.Store) []string {
	t.Helper()
	tags, err := s.AllPatientTags(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	err = s.EachPatient(context.Background(), func(p data.Patient) error {
		t := tags[p.ID]
		if s.Server() {
			// The server never hands out an id twice: an import redone from
			// the start numbers its new patients after the undone ones.
			p.ID = 0
		}
		out = append(out, fmt.Sprintf("%+v tags=%v", p, t))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// importBothWays imports path into two copies of the same database: once
// with ImportPatients (streamed), once as the window does (PlanPatients,
// then ApplyPatients). It fails unless both end the same.
func importBothWays(t *testing.T, path string, o Options) *Plan {
	t.Helper()
	stream, classic := newStore(t), newStore(t)
	for _, s := range []*data.Store{stream, classic} {
		if err := seedDemo(s); err != nil {
			t.Fatal(err)
		}
	}
	got, res, err := importPatients(context.Background(), stream, path, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := ReadTable(path, o.Sheet)
	if err != nil {
		t.Fatal(err)
	}
	want, err := PlanPatients(context.Background(), classic, tab, o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := applyPatients(context.Background(), classic, want, nil); err != nil {
		t.Fatal(err)
	}
	if got.Counts() != want.Counts() || res.Added != want.Added || res.Rejected != want.Rejected {
		t.Fatalf("streamed: %+v (result %+v)\nwhole sheet: %+v", got.Counts(), res, want.Counts())
	}
	if !reflect.DeepEqual(got.Warnings, want.Warnings) || got.DateOrder != want.DateOrder || got.HeaderRow != want.HeaderRow {
		t.Fatalf("streamed: %q %v row %d\nwhole sheet: %q %v row %d", got.Warnings, got.DateOrder, got.HeaderRow,
			want.Warnings, want.DateOrder, want.HeaderRow)
	}
	// The streamed plan keeps the rows the practice needs to see.
	var notable []RowResult
	for _, r := range want.Rows {
		if r.Action == ActionReject || len(r.Flags) > 0 {
			notable = append(notable, r)
		}
	}
	if len(got.Rows) != len(notable) && len(got.Rows) != len(want.Rows) {
		t.Fatalf("%d planned rows streamed, %d rejected or to check from the whole sheet", len(got.Rows), len(notable))
	}
	if len(got.Rows) == len(notable) {
		want.Rows = notable
	}
	for i := range got.Rows {
		g, w := got.Rows[i], want.Rows[i]
		if g.Row != w.Row || g.Action != w.Action || g.Reason != w.Reason || !reflect.DeepEqual(g.Cells, w.Cells) ||
			!reflect.DeepEqual(g.Flags, w.Flags) {
			t.Fatalf("row %d streamed: %s %q %q\nwhole sheet: row %d %s %q %q", g.Row, g.Action, g.Reason, g.Cells,
				w.Row, w.Action, w.Reason, w.Cells)
		}
	}
	if !reflect.DeepEqual(got.RowErrors(), want.RowErrors()) || !reflect.DeepEqual(got.RowFlags(), want.RowFlags()) {
		t.Fatalf("streamed rejects %v flags %v\nwhole sheet: %v %v", got.RowErrors(), got.RowFlags(), want.RowErrors(), want.RowFlags())
	}
	if a, b := storeState(t, stream), storeState(t, classic); !reflect.DeepEqual(a, b) {
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("patient %d differs:\nstreamed:    %s\nwhole sheet: %s", i, a[i], b[i])
			}
		}
		t.Fatalf("%d patients streamed, %d from the whole sheet", len(a), len(b))
	}
	if got.Table.Sheet != tab.Sheet || len(got.Table.Rows) > len(tab.Rows) {
		t.Fatalf("table: %d rows of %q, want at most %d of %q", len(got.Table.Rows), got.Table.Sheet, len(tab.Rows), tab.Sheet)
	}
	return got
}

// seedDemo stores 60 patients P100000.. so that rows can update them.
func seedDemo(s *data.Store) error {
	return s.WithBatch(context.Background(), func(b *data.Batch) error {
		for i := 0; i < 60; i++ {
			p := data.Patient{ExternalID: fmt.Sprintf("P%06d", 100000+i), LastName: fmt.Sprintf("Seed%d", i),
				Email: fmt.Sprintf("seed%d@example.com", i), CareConsent: data.CareAllowed, PromoConsent: data.PromoOptedOut}
			if err := b.AddPatient(&p, "seeded"); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestStreamedImportMatchesDryRun(t *testing.T) {
	dir := t.TempDir()
	isoDate := func(i int) string { return fmt.Sprintf("19%02d-%02d-%02d", 30+i%60, 1+i%12, 1+i%28) }
	fourDigitZips := func(i int) any { return 1000 + i%9000 } // four digits everywhere: left alone

	t.Run("xlsx in chunks", func(t *testing.T) {
		path := filepath.Join(dir, "many.xlsx")
		writeSheet(t, path, messyRows(6000, isoDate, func(i int) any {
			if i%3 == 0 {
				return 2000 + i%900 // lost its zero
			}
			return 10000 + i
		}))
		p := importBothWays(t, path, Options{})
		if p.Added < 5000 || p.Rejected == 0 || p.Updated == 0 {
			t.Fatalf("the sheet should add, update and reject: %+v", p.Counts())
		}
		if !strings.Contains(strings.Join(p.Warnings, " "), "postal codes") {
			t.Fatalf("no postal code warning: %q", p.Warnings)
		}
	})
	t.Run("csv", func(t *testing.T) {
		var b strings.Builder
		for _, r := range messyRows(4500, isoDate, fourDigitZips) {
			for i, c := range r {
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, "%q", fmt.Sprint(c))
			}
			b.WriteByte('\n')
		}
		path := filepath.Join(dir, "many.csv")
		if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		importBothWays(t, path, Options{})
	})
	t.Run("day-first dates only far down", func(t *testing.T) {
		// The head reads 03/04/1960 month first; row 4000 (25/12/1970)
		// shows the sheet writes the day first: the import is redone.
		path := filepath.Join(dir, "dayfirst.xlsx")
		writeSheet(t, path, messyRows(5000, func(i int) string {
			if i == 4000 {
				return "25/12/1970"
			}
			return fmt.Sprintf("%02d/%02d/19%02d", 1+i%12, 1+(i/12)%12, 30+i%60)
		}, fourDigitZips))
		p := importBothWays(t, path, Options{})
		if p.DateOrder != DayFirst {
			t.Fatalf("date order %v, want day first", p.DateOrder)
		}
		// The progress starts over once, and says so; it never goes back otherwise.
		s := newStore(t)
		last, again := 0, 0
		_, _, err := importPatients(context.Background(), s, path, Options{}, func(done, total int) {
			switch {
			case done == ProgressAgain:
				again++
				last = 0
			case done < last:
				t.Errorf("progress went back from %d to %d without a word", last, done)
			default:
				last = done
			}
		})
		if err != nil || again != 1 {
			t.Fatalf("started over %d times, %v", again, err)
		}
	})
	t.Run("postal codes per value, one with letters far down", func(t *testing.T) {
		path := filepath.Join(dir, "zips.xlsx")
		writeSheet(t, path, messyRows(5000, isoDate, func(i int) any {
			switch {
			case i == 4500:
				return "SW1A 1AA"
			case i%3 == 0:
				return 2000 + i%900 // lost its zero, but see row 4500
			}
			return 10000 + i
		}))
		// A US practice: each code that lost its zero is padded, whatever
		// other codes look like; the code with letters is kept as written.
		p := importBothWays(t, path, Options{})
		if !strings.Contains(strings.Join(p.Warnings, " "), "postal codes had lost their leading zeros") {
			t.Fatalf("warnings %q", p.Warnings)
		}
	})
	t.Run("small sheet", func(t *testing.T) {
		path := filepath.Join(dir, "small.xlsx")
		writeSheet(t, path, messyRows(300, isoDate, fourDigitZips))
		importBothWays(t, path, Options{})
	})
}

// A sheet that breaks off in the middle (a damaged file) fails the import
// after thousands of rows were written: nothing of it is kept.
func TestStreamedImportOfDamagedFileChangesNothing(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.xlsx")
	writeSheet(t, good, messyRows(8000, func(i int) string { return "1960-01-02" }, func(i int) any { return 10000 + i }))
	bad := filepath.Join(dir, "bad.xlsx")
	cutSheet(t, good, bad)

	s := newStore(t)
	if err := seedDemo(s); err != nil {
		t.Fatal(err)
	}
	before := storeState(t, s)
	_, _, err := importPatients(context.Background(), s, bad, Options{}, nil)
	if err == nil || !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), "is damaged") || strings.Contains(err.Error(), "flate") {
		t.Fatalf("damaged file: %v", err)
	}
	if after := storeState(t, s); !reflect.DeepEqual(before, after) {
		t.Fatalf("the database changed: %d patients before, %d after", len(before), len(after))
	}
	// Cancelled half way (the window's Cancel button): nothing either.
	ctx, cancel := context.WithCancel(context.Background())
	_, _, err = importPatients(ctx, s, good, Options{}, func(done, total int) {
		if done > total/2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled import: %v", err)
	}
	if after := storeState(t, s); !reflect.DeepEqual(before, after) {
		t.Fatalf("the cancelled import changed the database")
	}
}

// cutSheet copies an xlsx, damaging its first sheet 70% of the way down
// with a cell reference no spreadsheet can have.
func cutSheet(t *testing.T, from, to string) {
	t.Helper()
	zr, err := zip.OpenReader(from)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == "xl/worksheets/sheet1.xml" {
			at := len(body) * 7 / 10
			at += strings.Index(string(body[at:]), `<c r="`) + len(`<c r="`)
			body = append(append(body[:at:at], "#"...), body[at:]...)
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

// Importing the same sheet again changes nothing (the workflow then keeps
// no backup and writes no audit line: workflow.TestImportBackupAndAudit).
func TestStreamedReimportChangesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "again.xlsx")
	writeSheet(t, path, messyRows(3000, func(i int) string { return "1970-05-06" }, func(i int) any { return 10000 + i }))
	s := newStore(t)
	for i := range 2 {
		p, _, err := importPatients(context.Background(), s, path, Options{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 && p.Added < 2900 || i == 1 && (p.Added+p.Updated != 0 || p.Unchanged == 0) {
			t.Fatalf("import %d: %+v", i+1, p.Counts())
		}
	}
}

// A header row chosen further down than the rows read ahead still works.
func TestStreamedImportHeaderFarDown(t *testing.T) {
	rows := make([][]any, 2500) // a long preamble of notes
	for i := range rows {
		rows[i] = []any{fmt.Sprintf("note %d", i)}
	}
	rows = append(rows, messyRows(3000, func(i int) string { return "1970-05-06" }, func(i int) any { return 10000 + i })[2:]...)
	path := filepath.Join(t.TempDir(), "far.xlsx")
	writeSheet(t, path, rows)
	p := importBothWays(t, path, Options{HeaderRow: 2501})
	if p.HeaderRow != 2501 || p.Added < 2500 {
		t.Fatalf("header row %d: %+v", p.HeaderRow, p.Counts())
	}
}
