package reports

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"kindly/data"
	"kindly/internal/storetest"
)

func newStore(t testing.TB) *data.Store { return storetest.Open(t, time.Time{}) }

func planFile(t *testing.T, s *data.Store, path string, o Options) (*Plan, error) {
	t.Helper()
	tab, err := ReadTable(path, o.Sheet)
	if err != nil {
		return nil, err
	}
	return PlanPatients(context.Background(), s, tab, o)
}

func byRow(p *Plan) map[int]RowResult {
	m := map[int]RowResult{}
	for _, r := range p.Rows {
		m[r.Row] = r
	}
	return m
}

// The messy workbook was written by LibreOffice (testdata/make-fixtures.py):
// a notes sheet first, a merged title row, a blank row, numbers as text
// and text as numbers, a duplicate, a bad email, a formula's text and
// trailing empty rows.
func TestImportMessyWorkbook(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := planFile(t, s, "testdata/patients-messy.xlsx", Options{Sheet: "Notes"}); !errors.Is(err, ErrNoHeader) {
		t.Fatalf("the notes sheet has no header: err = %v", err)
	}
	auto, err := planFile(t, s, "testdata/patients-messy.xlsx", Options{})
	if err != nil || auto.Table.Sheet != "Patients" || !strings.Contains(strings.Join(auto.Warnings, " "), `Read the sheet "Patients"`) {
		t.Fatalf("the patient sheet is not picked: %v %q", err, auto.Warnings)
	}
	p, err := planFile(t, s, "testdata/patients-messy.xlsx", Options{Sheet: "patients"})
	if err != nil {
		t.Fatal(err)
	}
	if p.HeaderRow != 3 {
		t.Errorf("header row = %d, want 3", p.HeaderRow)
	}
	want := map[int]Field{0: FieldExternalID, 1: FieldFullName, 2: FieldBirthDate, 3: FieldEmail, 4: FieldPhone,
		5: FieldPostalCode, 6: FieldSex, 7: FieldPromoOptIn, 8: FieldTags}
	for c, f := range want {
		if p.Mapping[c] != f {
			t.Errorf("column %d (%s) mapped to %q, want %q", c, p.Header[c], p.Mapping[c], f)
		}
	}
	if p.DateOrder != MonthFirst {
		t.Errorf("04/13/1972 makes the column month first, got %v", p.DateOrder)
	}
	if p.Added != 7 || p.Rejected != 1 || p.Updated != 0 || p.Flagged != 2 {
		t.Fatalf("plan: %+v", p.Counts())
	}
	rows := byRow(p)
	anna := rows[4].Patient
	if anna.ExternalID != "1001" || anna.LastName != "Smith" || anna.FirstName != "Anna" || anna.Email != "anna.smith@example.com" ||
		anna.BirthDate != (data.Date{Year: 1950, Month: 3, Day: 4}) || anna.Phone != "5550102030" || anna.PostalCode != "07030" ||
		anna.PromoConsent != data.PromoOptedIn || rows[4].Tags[0] != "diabetes-program" {
		t.Errorf("row 4 = %+v %q", anna, rows[4].Tags)
	}
	if r := rows[6].Patient; r.FirstName != "José" || r.BirthDate != (data.Date{Year: 1972, Month: 4, Day: 13}) {
		t.Errorf("row 6 = %+v", r)
	}
	// A bad address does not cost the patient: imported without it, flagged.
	if r := rows[7]; r.Action != ActionAdd || r.Patient.Email != "" || len(r.Flags) != 1 || !strings.Contains(r.Flags[0], "email not usable: \"not-an-email\"") {
		t.Errorf("row 7 = %+v", r)
	}
	if r := rows[10]; r.Action != ActionAdd || len(r.Flags) != 1 || !strings.Contains(r.Flags[0], "looks like a formula") {
		t.Errorf("row 10 = %+v", r)
	}
	if r := rows[8].Patient; r.BirthDate != (data.Date{Year: 1960, Month: 12, Day: 31}) || r.PostalCode != "10003" {
		t.Errorf("row 8 (d.m.yyyy) = %+v", r)
	}
	if r := rows[9]; r.Action != ActionReject || r.Reason != "the same patient as row 4" {
		t.Errorf("row 9 = %+v", r)
	}
	if r := rows[11].Patient; r.BirthDate != (data.Date{Year: 1990, Month: 1, Day: 2}) || r.Sex != "X" {
		t.Errorf("row 11 = %+v", r)
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "leading zeros") {
		t.Errorf("warnings = %q", p.Warnings)
	}

	// The dry run wrote nothing.
	if n, _ := s.CountPatients(ctx, data.PatientQuery{}); n != 0 {
		t.Fatalf("dry run wrote %d patients", n)
	}
	res, err := applyPatients(ctx, s, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 7 {
		t.Fatalf("result = %+v", res)
	}
	if n, _ := s.CountPatients(ctx, data.PatientQuery{}); n != 7 {
		t.Fatalf("%d patients after import", n)
	}

	// Importing again changes nothing.
	p2, err := planFile(t, s, "testdata/patients-messy.xlsx", Options{Sheet: "Patients"})
	if err != nil {
		t.Fatal(err)
	}
	if p2.Unchanged != 7 || p2.Added != 0 || p2.Updated != 0 {
		t.Fatalf("second plan: %+v", p2.Counts())
	}

	// Anna unsubscribes; the sheet still says "Newsletter: yes" - she stays out.
	list, _ := s.Patients(ctx, data.PatientQuery{Search: "anna"})
	anna = list[0]
	anna.PromoConsent, anna.CareConsent = data.PromoOptedOut, data.CareOptedOut
	if err := s.UpdatePatient(ctx, &anna); err != nil {
		t.Fatal(err)
	}
	p3, _ := planFile(t, s, "testdata/patients-messy.xlsx", Options{Sheet: "Patients"})
	if r := byRow(p3)[4]; r.Action != ActionUnchanged || r.Patient.PromoConsent != data.PromoOptedOut {
		t.Fatalf("re-import re-subscribed Anna: %+v", r)
	}

	// Rejected rows go to a workbook of their own, with the reason.
	rejects := filepath.Join(t.TempDir(), "rejects.xlsx")
	if n, err := WriteRejects(p, rejects); err != nil || n != 1 {
		t.Fatalf("rejects: %d, %v", n, err)
	}
	got := readWithOpenpyxl(t, rejects)
	if len(got.Rows) != 2 || got.Rows[0][1] != "Reason" || got.Rows[1][0] != "9" || !strings.Contains(got.Rows[1][1], "row 4") {
		t.Fatalf("rejects read back: %q", got.Rows)
	}
}

func TestImportVisits(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	p, err := planFile(t, s, "testdata/patients-messy.xlsx", Options{Sheet: "Patients"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := applyPatients(ctx, s, p, nil); err != nil {
		t.Fatal(err)
	}
	tab, err := ReadTable("testdata/visits.xlsx", "")
	if err != nil {
		t.Fatal(err)
	}
	vp, err := PlanVisits(ctx, s, tab, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if vp.Added != 4 || vp.Rejected != 2 || vp.Unchanged != 1 {
		t.Fatalf("visit plan: %+v %+v", vp.Counts(), vp.Rows)
	}
	if _, err := applyVisits(ctx, s, vp, nil); err != nil {
		t.Fatal(err)
	}
	flu := data.Rule{Kind: data.KindAll, Rules: []data.Rule{{Kind: data.KindVisit, Service: "flu shot", Op: data.VisitAfter, Date: "2025-09-01"}}}
	if n, err := s.SegmentCount(ctx, flu); err != nil || n != 3 {
		t.Fatalf("patients with a flu shot after import: %d, %v", n, err)
	}
	again, _ := PlanVisits(ctx, s, tab, Options{})
	if again.Added != 0 || again.Unchanged != 5 {
		t.Fatalf("second visit plan: %+v", again.Counts())
	}
}

func TestUnreadableFiles(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t)
	// A real password-protected workbook (ECMA-376 agile encryption).
	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "A1", "Last name")
	locked := filepath.Join(dir, "locked.xlsx")
	if err := f.SaveAs(locked, excelize.Options{Password: "secret"}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	good, _ := os.ReadFile("testdata/one-row.xlsx")
	corrupt := filepath.Join(dir, "corrupt.xlsx")
	os.WriteFile(corrupt, good[:len(good)/2], 0o600)
	zero := filepath.Join(dir, "zero.xlsx")
	os.WriteFile(zero, nil, 0o600)
	old := filepath.Join(dir, "old.xls")
	os.WriteFile(old, []byte{0xD0, 0xCF, 0x11, 0xE0}, 0o600)

	for _, tc := range []struct{ path, want string }{
		{locked, "password-protected"},
		{corrupt, "may be damaged"},
		{zero, "is empty"},
		{old, "Excel 97-2003"},
		{"testdata/empty.xlsx", "is empty"},
		{filepath.Join(dir, "missing.xlsx"), "there is no file missing.xlsx in"},
		{"testdata/make-fixtures.py", "not an .xlsx or .csv"},
	} {
		_, err := planFile(t, s, tc.path, Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", filepath.Base(tc.path), err, tc.want)
		}
		if tc.want != "not an .xlsx or .csv" && tc.want != "no such file" && !errors.Is(err, ErrUnreadable) && tc.path != "testdata/empty.xlsx" {
			t.Errorf("%s: error is not ErrUnreadable: %v", tc.path, err)
		}
	}
	if n, _ := s.CountPatients(context.Background(), data.PatientQuery{IncludeArchived: true}); n != 0 {
		t.Fatalf("a failed read wrote %d patients", n)
	}
}

func TestOneRowWorkbook(t *testing.T) {
	s := newStore(t)
	p, err := planFile(t, s, "testdata/one-row.xlsx", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Added != 1 || p.Rows[0].Patient.BirthDate != (data.Date{Year: 1977, Month: 5, Day: 25}) {
		t.Fatalf("plan = %+v %+v", p.Counts(), p.Rows)
	}
}

func TestCSVEncodings(t *testing.T) {
	s := newStore(t)
	dir := t.TempDir()
	rows := "Surname;Forename;Email address;Birthdate\r\nGarcía;José;JOSE@example.com;13/04/1972\r\nMüller;Zoë;zoe@example.com;01/02/1980\r\n"
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(strings.ReplaceAll(rows, ";", "\t"))
	cp1252, _ := charmap.Windows1252.NewEncoder().String(strings.ReplaceAll(rows, ";", ","))
	for _, tc := range []struct {
		name, content, encoding string
		delim                   rune
	}{
		{"utf8.csv", rows, "UTF-8", ';'},
		{"bom.csv", "\ufeff" + strings.ReplaceAll(rows, ";", ","), "UTF-8", ','},
		{"unicode.txt", utf16, "UTF-16", '\t'},
		{"ansi.csv", cp1252, "Windows-1252", ','},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			os.WriteFile(path, []byte(tc.content), 0o600)
			tab, err := ReadTable(path, "")
			if err != nil {
				t.Fatal(err)
			}
			if tab.Encoding != tc.encoding || tab.Delimiter != tc.delim {
				t.Errorf("read as %s with %q", tab.Encoding, tab.Delimiter)
			}
			p, err := PlanPatients(context.Background(), s, tab, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if p.Added != 2 || p.DateOrder != DayFirst {
				t.Fatalf("plan %+v, order %v", p.Counts(), p.DateOrder)
			}
			r := p.Rows[0].Patient
			if r.LastName != "García" || r.FirstName != "José" || r.Email != "jose@example.com" || r.BirthDate != (data.Date{Year: 1972, Month: 4, Day: 13}) {
				t.Errorf("row = %+v", r)
			}
			if z := p.Rows[1].Patient; z.FirstName != "Zoë" || z.BirthDate != (data.Date{Year: 1980, Month: 2, Day: 1}) {
				t.Errorf("row 2 = %+v", z)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	today := data.Date{Year: 2026, Month: 11, Day: 25}
	for _, tc := range []struct {
		in    string
		order DateOrder
		want  string
	}{
		{"1960-03-04", MonthFirst, "1960-03-04"},
		{"1960-03-04 00:00:00", MonthFirst, "1960-03-04"},
		{"03/04/1960", MonthFirst, "1960-03-04"},
		{"03/04/1960", DayFirst, "1960-04-03"},
		{"4.3.1960", MonthFirst, "1960-03-04"},
		{"21979", MonthFirst, "1960-03-04"}, // Excel serial
		{"21979.5", MonthFirst, "1960-03-04"},
		{"59", MonthFirst, "1900-02-28"},
		{"61", MonthFirst, "1900-03-01"}, // after Excel's fictitious 29 February 1900
		{"3/4/40", MonthFirst, "1940-03-04"},
		{"3/4/25", MonthFirst, "2025-03-04"},
		{"Mar 4, 1960", MonthFirst, "1960-03-04"},
		{"4 March 1960", MonthFirst, "1960-03-04"},
		{"19600304", MonthFirst, "1960-03-04"},
		{"", MonthFirst, ""},
	} {
		got, err := parseDate(tc.in, tc.order, false, today)
		if err != nil || got.String() != tc.want {
			t.Errorf("parseDate(%q, %v) = %v, %v; want %s", tc.in, tc.order, got, err, tc.want)
		}
	}
	for _, bad := range []string{"31/02/1960", "2026-13-01", "yesterday", "1960-02-30"} {
		if _, err := parseDate(bad, DayFirst, false, today); err == nil {
			t.Errorf("parseDate(%q) accepted", bad)
		}
	}
}

// The preview shows cells as the import reads them.
func TestShownCells(t *testing.T) {
	s := newStore(t)
	p, err := planFile(t, s, filepath.Join("testdata", "patients-messy.xlsx"), Options{Sheet: "Patients"})
	if err != nil {
		t.Fatal(err)
	}
	col := func(f Field) int { return p.Mapping.column(f) }
	r := byRow(p)[4]
	for _, tc := range []struct {
		col  int
		want string
	}{{col(FieldBirthDate), "1950-03-04"}, {col(FieldExternalID), "1001"}, {col(FieldFullName), "Smith, Anna"}, {99, ""}} {
		if got := p.Shown(r, tc.col); got != tc.want {
			t.Errorf("column %d of row 4: %q, want %q (cell %q)", tc.col, got, tc.want, r.Cells[min(tc.col, len(r.Cells)-1)])
		}
	}
}

// Consent columns in the words sheets use and Kindly's export writes:
// "no" in a newsletter column is not an opt-out, "opted out" is; "no" in
// a care reminders column is; nothing re-subscribes an opted-out patient.
func TestConsentWords(t *testing.T) {
	s := newStore(t)
	csv := "ID,Last name,Promotions,Care reminders\n" +
		"1,Unsaid,,\n" +
		"2,No,no,allowed\n" +
		"3,In,opted in,yes\n" +
		"4,Out,opted_out,opted out\n" +
		"5,Unknown,unknown,no\n"
	path := filepath.Join(t.TempDir(), "consent.csv")
	if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := planFile(t, s, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int][2]string{
		2: {data.PromoUnknown, data.CareAllowed}, 3: {data.PromoUnknown, data.CareAllowed},
		4: {data.PromoOptedIn, data.CareAllowed}, 5: {data.PromoOptedOut, data.CareOptedOut},
		6: {data.PromoUnknown, data.CareOptedOut},
	}
	for row, w := range want {
		r := byRow(p)[row]
		if r.Action != ActionAdd || r.Patient.PromoConsent != w[0] || r.Patient.CareConsent != w[1] {
			t.Errorf("row %d: %s promo %s care %s, want %v (%s)", row, r.Action, r.Patient.PromoConsent, r.Patient.CareConsent, w, r.Reason)
		}
	}
	if _, err := applyPatients(context.Background(), s, p, nil); err != nil {
		t.Fatal(err)
	}
	// The opted-out patient's "opted in, yes" later changes nothing.
	again := "ID,Last name,Promotions,Care reminders\n4,Out,opted in,yes\n"
	if err := os.WriteFile(path, []byte(again), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err = planFile(t, s, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r := byRow(p)[2]; r.Action != ActionUnchanged {
		t.Fatalf("re-import of an opted-out patient: %s %s", r.Action, r.Reason)
	}
}
