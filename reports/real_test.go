package reports

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"kindly/data"
	"kindly/internal/storetest"
)

// The files in testdata/ named for practice systems were written by
// make-real-fixtures.py (openpyxl and Python's csv): exports shaped like
// the ones practices bring, with what such files hold.

// imported imports a fixture into s the way the window and the command
// line do, and returns the plan and the stored patients by first name.
func imported(t *testing.T, s *data.Store, file string, o Options) (*Plan, map[string]data.Patient) {
	t.Helper()
	p, _, err := importPatients(context.Background(), s, filepath.Join("testdata", file), o, nil)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return p, storedByFirstName(t, s)
}

func storedByFirstName(t *testing.T, s *data.Store) map[string]data.Patient {
	t.Helper()
	out := map[string]data.Patient{}
	err := s.EachPatient(context.Background(), func(p data.Patient) error {
		if _, dup := out[p.FirstName]; dup {
			t.Fatalf("two stored patients named %q", p.FirstName)
		}
		out[p.FirstName] = p
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func warned(p *Plan, words string) bool {
	for _, w := range p.Warnings {
		if strings.Contains(w, words) {
			return true
		}
	}
	return false
}

func flagged(r RowResult, words string) bool {
	for _, f := range r.Flags {
		if strings.Contains(f, words) {
			return true
		}
	}
	return false
}

func TestImportOpenDentalExport(t *testing.T) {
	s := newStore(t)
	p, got := imported(t, s, "opendental.xlsx", Options{})
	if p.Table.Sheet != "Patients" || !warned(p, `Read the sheet "Patients"`) || !warned(p, "Read me") {
		t.Errorf("sheet %q, warnings %q: want the patient sheet picked, and the other named", p.Table.Sheet, p.Warnings)
	}
	want := map[string]Field{"PatNum": FieldExternalID, "LName": FieldLastName, "FName": FieldFirstName, "Preferred": FieldPreferredName,
		"PatStatus": FieldStatus, "Gender": FieldSex, "Birthdate": FieldBirthDate, "WirelessPhone": FieldPhone, "Email": FieldEmail, "Zip": FieldPostalCode}
	for c, h := range p.Header {
		if p.Mapping[c] != want[h] {
			t.Errorf("column %q read as %q, want %q", h, p.Mapping[c], want[h])
		}
	}
	// The hidden "E-mail" (an old address) loses to the visible "Email";
	// HmPhone is named as the phone column not read.
	if !warned(p, `Column "E-mail" is hidden`) || !warned(p, `"WirelessPhone" and "HmPhone" both look like phone`) {
		t.Errorf("warnings %q", p.Warnings)
	}
	if strings.Join(p.Ignored, ",") != "HmPhone,E-mail" {
		t.Errorf("ignored %q", p.Ignored)
	}
	if !warned(p, `Row 10 ("Total patients: 8") looks like a total`) || !warned(p, "Row 7 has cells to the right") {
		t.Errorf("warnings %q", p.Warnings)
	}
	if p.Added != 7 || p.Rejected != 1 || p.Archived != 4 || p.Flagged != 4 {
		t.Errorf("plan: %+v", p.Counts())
	}
	if len(got) != 7 {
		t.Fatalf("%d patients stored, want 7: %v", len(got), got)
	}
	alice := got["Alice"]
	if alice.ExternalID != "101" || alice.LastName != "Abbott" || alice.PreferredName != "Ally" || alice.Email != "alice@example.com" ||
		alice.Phone != "555-0201" || alice.PostalCode != "07030" || alice.BirthDate != (data.Date{Year: 1950, Month: 3, Day: 4}) ||
		alice.Sex != "F" || alice.Archived {
		t.Errorf("Alice = %+v", alice)
	}
	// Deceased, inactive, archived, moved: stored archived, never contacted.
	for _, name := range []string{"Bob", "Carol", "Eve", "Gail"} {
		if !got[name].Archived {
			t.Errorf("%s (status %q) not archived", name, got[name].ExternalID)
		}
	}
	if got["Finn"].Archived || got["Dana"].Archived {
		t.Error("a VIP or plain patient was archived")
	}
	rows := byRow(p)
	// Excel errors are never names or addresses; the placeholder year is no date.
	dana := got["Dana"]
	if dana.LastName != "" || dana.Email != "" || !dana.BirthDate.IsZero() || dana.PostalCode != "94110" {
		t.Errorf("Dana = %+v", dana)
	}
	if r := rows[5]; !flagged(r, "#REF! is an Excel error") || !flagged(r, "#N/A is an Excel error") || !flagged(r, `"0001-01-01" is a placeholder`) {
		t.Errorf("row 5 flags %q", r.Flags)
	}
	if r := rows[6]; r.Action != ActionReject || !strings.Contains(r.Reason, "Excel error") {
		t.Errorf("row 6 (only Excel errors for a name): %s %q", r.Action, r.Reason)
	}
	// A formula's text is kept for the practice to check, and flagged.
	if eve := got["Eve"]; eve.LastName != `=HYPERLINK("http://x.example","Eve")` || eve.Email != "" {
		t.Errorf("Eve = %+v", eve)
	}
	if r := rows[7]; !flagged(r, "looks like a formula") || !flagged(r, `email not usable: "eve@example"`) {
		t.Errorf("row 7 flags %q", r.Flags)
	}
	if r := rows[9]; got["Gail"].LastName != "@Grant" || !flagged(r, `"@Grant" looks like a formula`) {
		t.Errorf("row 9 flags %q, Gail %+v", r.Flags, got["Gail"])
	}
	// A US practice: numeric postal codes get their zeros back, one by
	// one, even beside a ZIP+4.
	if got["Finn"].PostalCode != "00501" || got["Carol"].PostalCode != "02134" || got["Gail"].PostalCode != "02134-1234" || got["Bob"].PostalCode != "10001" {
		t.Errorf("postal codes: Finn %q Carol %q Gail %q Bob %q", got["Finn"].PostalCode, got["Carol"].PostalCode, got["Gail"].PostalCode, got["Bob"].PostalCode)
	}
	if r := rows[8]; got["Finn"].BirthDate.IsZero() == false || !flagged(r, "not a real date") {
		t.Errorf("Finn's 13/13/1980: %v %q", got["Finn"].BirthDate, r.Flags)
	}
}

func TestImportGermanList(t *testing.T) {
	s := newStore(t)
	storetest.SetZone(t, s, "Europe/Berlin")
	p, got := imported(t, s, "german.xlsx", Options{})
	if len(got) != 3 || p.Added != 3 || p.Archived != 2 || p.Flagged != 1 {
		t.Fatalf("plan %+v, stored %v", p.Counts(), got)
	}
	// "Name" beside "Vorname" is the surname.
	j := got["Jürgen"]
	if j.LastName != "Müller" || j.ExternalID != "A-1" || j.BirthDate != (data.Date{Year: 1950, Month: 3, Day: 4}) || j.Sex != "M" ||
		j.Email != "juergen@example.de" || j.Phone != "0151 2345678" || j.Archived {
		t.Errorf("Jürgen = %+v", j)
	}
	// Outside the US a postal code is never padded: 1067 stays as written.
	if j.PostalCode != "1067" || warned(p, "padded") {
		t.Errorf("postal code %q, warnings %q", j.PostalCode, p.Warnings)
	}
	if u := got["Ute"]; !u.Archived || u.Email != "" || u.LastName != "Schröder" || u.BirthDate != (data.Date{Year: 1961, Month: 12, Day: 31}) {
		t.Errorf("Ute (verstorben, bad address) = %+v", u)
	}
	if a := got["Anna"]; !a.Archived || a.BirthDate != (data.Date{Year: 1990, Month: 2, Day: 1}) {
		t.Errorf("Anna (verzogen, 1.2.1990) = %+v", a)
	}
	if !warned(p, `Row 5 ("Anzahl: 3")`) {
		t.Errorf("the count row: warnings %q", p.Warnings)
	}
}

func TestImportFrenchAndSpanishLists(t *testing.T) {
	s := newStore(t)
	_, got := imported(t, s, "french.csv", Options{})
	h := got["Hélène"]
	if h.LastName != "Lefèvre" || h.ExternalID != "F1" || h.BirthDate != (data.Date{Year: 1975, Month: 7, Day: 14}) || h.Sex != "F" ||
		h.Email != "helene@example.fr" || h.Phone != "06 12 34 56 78" || h.PostalCode != "75011" || h.Archived {
		t.Errorf("Hélène = %+v", h)
	}
	if e := got["Éric"]; e.LastName != "Dubois" || !e.Archived || e.BirthDate != (data.Date{Year: 1948, Month: 11, Day: 2}) {
		t.Errorf("Éric (décédé) = %+v", e)
	}

	s = newStore(t)
	_, got = imported(t, s, "spanish.csv", Options{})
	// "Nombre" beside "Apellidos" is the first name.
	if j := got["José"]; j.LastName != "García López" || j.ExternalID != "E1" || j.BirthDate != (data.Date{Year: 1969, Month: 4, Day: 23}) ||
		j.Email != "jose@example.es" || j.PostalCode != "28013" || j.Archived {
		t.Errorf("José = %+v", j)
	}
	if l := got["Lucía"]; l.LastName != "Martín" || !l.Archived || l.PostalCode != "08001" {
		t.Errorf("Lucía (inactivo) = %+v", l)
	}
}

func TestImportContactExports(t *testing.T) {
	s := newStore(t)
	p, got := imported(t, s, "outlook.csv", Options{})
	g := got["Grace"]
	if g.LastName != "Hopper" || g.Email != "grace@example.com" || g.Phone != "555-0401" || g.PostalCode != "22201" ||
		g.BirthDate != (data.Date{Year: 1936, Month: 12, Day: 9}) || g.Notes != "Prefers mornings" {
		t.Errorf("Grace = %+v", g)
	}
	if a := got["Alan"]; a.LastName != "Turing" || a.BirthDate != (data.Date{Year: 1912, Month: 6, Day: 23}) {
		t.Errorf("Alan = %+v", a)
	}
	for _, h := range []string{"Company", "Business Postal Code", "Home Phone", "E-mail Type"} {
		if !strings.Contains(strings.Join(p.Ignored, "|"), h) {
			t.Errorf("%q not listed as not read: %q", h, p.Ignored)
		}
	}

	s = newStore(t)
	p, got = imported(t, s, "mailchimp.csv", Options{})
	if a := got["Ada"]; a.LastName != "Lovelace" || a.Email != "ada@example.com" || a.Phone != "555-0501" {
		t.Errorf("Ada = %+v", a)
	}
	// A birthday without a year is not a birth date; the patient stays.
	if r := p.Rows[0]; !flagged(r, `"12/10"`) || p.Added != 1 {
		t.Errorf("Mailchimp's 12/10 birthday: %+v %q", p.Counts(), r.Flags)
	}
	if strings.Join(p.Ignored, ",") != "Address,MEMBER_RATING,OPTIN_TIME" {
		t.Errorf("ignored %q, warnings %q", p.Ignored, p.Warnings)
	}
}

// Row numbers are the file's lines as a spreadsheet shows them (blank
// lines count); a line in another encoding is read as such and named;
// tabs, line breaks and escape codes never reach a name.
func TestImportCSVLinesAsWritten(t *testing.T) {
	s := newStore(t)
	p, got := imported(t, s, "odd-lines.csv", Options{})
	var rows []int
	for _, r := range p.Rows {
		rows = append(rows, r.Row)
	}
	if len(rows) != 4 || rows[0] != 3 || rows[1] != 6 || rows[2] != 7 || rows[3] != 8 {
		t.Errorf("rows %v, want 3 6 7 8", rows)
	}
	if got["Anna"].LastName != "Zoë" || got["Bernd"].LastName != "Müller" {
		t.Errorf("accents: %q %q", got["Anna"].LastName, got["Bernd"].LastName)
	}
	if !warned(p, "Line 6 was not UTF-8") {
		t.Errorf("warnings %q", p.Warnings)
	}
	if got["Carl"].LastName != "Tab by line" || got["Dora"].LastName != "EvilRed" {
		t.Errorf("control characters kept: %q %q", got["Carl"].LastName, got["Dora"].LastName)
	}
	// Carl's name runs over two lines of the file: read whole, and said.
	if flags := p.RowFlags(); len(flags) != 1 || !strings.Contains(flags[0].Reason, "runs over lines") {
		t.Errorf("flags %+v", flags)
	}
	// --header-row counts the same lines.
	s = newStore(t)
	if p, _, err := importPatients(context.Background(), s, "testdata/odd-lines.csv", Options{HeaderRow: 1, Expect: &Counts{Added: 4, Flagged: 1}}, nil); err != nil || p.HeaderRow != 1 {
		t.Errorf("header row 1: %v", err)
	}
}

func TestImportHeaderOnly(t *testing.T) {
	s := newStore(t)
	_, _, err := importPatients(context.Background(), s, "testdata/header-only.csv", Options{}, nil)
	if !errors.Is(err, ErrNoRows) || !strings.Contains(err.Error(), "no patients below them") {
		t.Fatalf("err = %v", err)
	}
}

// The practice maps a column by hand; the choice is remembered for the
// next file with the same column names, and can be changed again.
func TestImportMapByHandIsRemembered(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	o := Options{Columns: map[string]Field{"HmPhone": FieldPhone, "PatStatus": FieldNone}}
	p, got := imported(t, s, "opendental.xlsx", o)
	if got["Bob"].Phone != "555-0102" || got["Bob"].Archived || p.Archived != 0 {
		t.Errorf("by hand: Bob = %+v (%+v)", got["Bob"], p.Counts())
	}
	key, columns, err := p.RememberedColumns() // as the workflow keeps them after an import
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetImportColumns(ctx, key, columns); err != nil {
		t.Fatal(err)
	}
	// A file with the same columns: read as chosen, and said so.
	tab, err := ReadTable("testdata/opendental.xlsx", "")
	if err != nil {
		t.Fatal(err)
	}
	again, err := PlanPatients(ctx, s, tab, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !warned(again, "as you chose at your last import") {
		t.Errorf("warnings %q", again.Warnings)
	}
	for c, h := range again.Header {
		if again.Mapping[c] != p.Mapping[c] {
			t.Errorf("column %q: remembered %q, chosen %q", h, again.Mapping[c], p.Mapping[c])
		}
	}
	if _, err := PlanPatients(ctx, s, tab, Options{Columns: map[string]Field{"PatNumber": FieldExternalID}}); err == nil || !strings.Contains(err.Error(), "PatNum") {
		t.Errorf("a column the file does not have: %v", err)
	}
}

// Patients known only by name and phone, or name and postal code, are
// found again: the practice's own export imported back adds nobody; a
// name and phone that two patients share is reported, not guessed.
func TestImportMatchesByNameAndPhoneOrPostalCode(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	err := s.WithBatch(ctx, func(b *data.Batch) error {
		for _, p := range []data.Patient{
			{LastName: "Ng", FirstName: "Tom", Phone: "+1 555 010 2030"},
			{LastName: "Ng", FirstName: "Ann", PostalCode: "02134"},
			{LastName: "Roe", FirstName: "Kim", Phone: "555-010-9999"},
			{LastName: "Roe", FirstName: "Kim", Phone: "(555) 010 9999"},
		} {
			p.CareConsent, p.PromoConsent = data.CareAllowed, data.PromoUnknown
			if err := b.AddPatient(&p, "front desk"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "own.xlsx")
	if _, err := ExportPatients(ctx, s, "", out, nil); err != nil {
		t.Fatal(err)
	}
	p, _, err := importPatients(ctx, s, out, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Added != 0 || p.Unchanged != 2 || p.Rejected != 2 {
		t.Fatalf("own export back: %+v", p.Counts())
	}
	for _, r := range p.RowErrors() {
		if !strings.Contains(r.Reason, "matches 2 stored patients") || !strings.Contains(r.Reason, "name and phone") {
			t.Errorf("row %d: %q", r.Row, r.Reason)
		}
	}

	csv := filepath.Join(t.TempDir(), "other.csv")
	os.WriteFile(csv, []byte("Last name,First name,Mobile,Zip\nNg,Tom,555 010 2030,\nNg,Ann,,02134\nNg,Lee,555 010 2030,\n"), 0o600)
	p, _, err = importPatients(ctx, s, csv, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Added != 1 || p.Unchanged != 2 || byRow(p)[4].Patient.FirstName != "Lee" || byRow(p)[4].Action != ActionAdd {
		t.Errorf("another system's file: %+v", p.Counts())
		for _, r := range p.Rows {
			t.Logf("row %d: %s %q", r.Row, r.Action, r.Reason)
		}
	}
}

// Files beyond what a practice's list can be are refused at once, in
// plain words, before they cost the computer its memory.
func TestImportRefusesFilesBeyondBounds(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	// xlsx writes a sheet of a header and one more cell far away: a small
	// file that is huge, and whose dimension says it is not.
	xlsx := func(name, cell string) string {
		f := excelize.NewFile()
		defer f.Close()
		if err := f.SetSheetDimension("Sheet1", "A1:B2"); err != nil {
			t.Fatal(err)
		}
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			t.Fatal(err)
		}
		col, row, _ := excelize.CellNameToCoordinates(cell)
		if err := sw.SetRow("A1", []any{"Last name", "Email"}); err != nil {
			t.Fatal(err)
		}
		last := make([]any, col)
		last[col-1] = "x"
		if err := sw.SetRow(fmt.Sprintf("A%d", row), last); err != nil {
			t.Fatal(err)
		}
		if err := sw.Flush(); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := f.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		return path
	}
	header := "Last name,First name,Email\n"
	cases := []struct {
		path, want string
	}{
		{write("commas.csv", strings.Repeat(",", 2<<20)), "longer than 1024 KB"},
		{write("wide.csv", header+strings.Repeat("x,", 300)+"\n"), "row 2 has 300 columns"},
		{write("cell.csv", header+"Smith,"+strings.Repeat("a", 40000)+",x@example.com\n"), "holds 40000 characters"},
		{xlsx("rows.xlsx", "T1048576"), "more than 500000 rows"},
		{xlsx("cols.xlsx", "XFD2"), "row 2 has more columns than Kindly reads"},
	}
	for _, c := range cases {
		s := newStore(t)
		_, _, err := importPatients(context.Background(), s, c.path, Options{}, nil)
		if !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", filepath.Base(c.path), err, c.want)
		}
		if got := storedByFirstName(t, s); len(got) != 0 {
			t.Errorf("%s: %d patients stored", filepath.Base(c.path), len(got))
		}
	}
}

// A mapping that reads one field from two columns says so, naming both.
func TestImportFieldChosenTwice(t *testing.T) {
	s := newStore(t)
	tab, err := ReadTable("testdata/opendental.xlsx", "")
	if err != nil {
		t.Fatal(err)
	}
	m := Mapping{1: FieldLastName, 2: FieldFirstName, 7: FieldPhone, 8: FieldPhone}
	p, err := PlanPatients(context.Background(), s, tab, Options{Mapping: m})
	if err != nil {
		t.Fatal(err)
	}
	if !warned(p, `Columns "HmPhone", "WirelessPhone" are all chosen as phone: only "HmPhone" is read.`) {
		t.Errorf("warnings %q", p.Warnings)
	}
	if r := byRow(p)[3]; r.Patient.Phone != "555-0102" {
		t.Errorf("Bob's phone %q", r.Patient.Phone)
	}
}

// Postal codes that lost their leading zero get it back in a US practice,
// value by value; never in another country's; and, before the practice has
// set its time zone, when the column's other codes have five digits.
func TestImportPostalCodesByCountry(t *testing.T) {
	for _, z := range []struct {
		zone string
		want bool
	}{{"America/Chicago", true}, {"America/Indiana/Knox", true}, {"Pacific/Honolulu", true}, {"America/Puerto_Rico", true},
		{"America/Toronto", false}, {"America/Sao_Paulo", false}, {"Europe/Berlin", false}} {
		if usZone(z.zone) != z.want {
			t.Errorf("usZone(%q) = %v", z.zone, !z.want)
		}
	}
	dir := t.TempDir()
	five := filepath.Join(dir, "five.csv")
	os.WriteFile(five, []byte("Last name,First name,Zip\nA,Ann,7030\nB,Bea,10001\nC,Cy,94110\n"), 0o600)
	four := filepath.Join(dir, "four.csv")
	os.WriteFile(four, []byte("Last name,First name,PLZ\nA,Ann,8001\nB,Bea,3011\nC,Cy,1204\n"), 0o600)
	for _, c := range []struct {
		zone, file, ann string
	}{
		{"", five, "07030"}, {"", four, "8001"}, // no time zone set: decided by the column
		{"America/New_York", five, "07030"}, {"America/New_York", four, "08001"}, // a US practice: every short code
		{"Europe/Zurich", four, "8001"}, {"Europe/Berlin", five, "7030"}, // elsewhere: as written
	} {
		s := newStore(t)
		storetest.SetZone(t, s, c.zone)
		if _, _, err := importPatients(context.Background(), s, c.file, Options{}, nil); err != nil {
			t.Fatal(err)
		}
		if ann := storedByFirstName(t, s)["Ann"]; ann.PostalCode != c.ann {
			t.Errorf("zone %q, %s: Ann's code %q, want %q", c.zone, filepath.Base(c.file), ann.PostalCode, c.ann)
		}
	}
}

// A campaign name with a line break (saved by an older Kindly) never
// breaks the calendar file's lines.
func TestICSWithALineBreakInAName(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cal.ics")
	d := data.Date{Year: 2026, Month: 12, Day: 1}
	if _, err := WriteICS([]data.PlanEntry{{Day: d, End: d, Campaign: "Flu\r\nshots\rBEGIN:VEVENT", Purpose: "care", Occurrence: "2026-12-01", Audience: 3}}, path); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	events := 0
	for _, line := range strings.Split(string(raw), "\r\n") {
		if strings.ContainsAny(line, "\r\n") {
			t.Fatalf("a broken line: %q in\n%s", line, raw)
		}
		if line == "BEGIN:VEVENT" {
			events++
		}
	}
	if events != 1 {
		t.Errorf("%d events in\n%s", events, raw)
	}
	if !strings.Contains(string(raw), "SUMMARY:Flu shots BEGIN:VEVENT: 3 emails") {
		t.Errorf("summary:\n%s", raw)
	}
}
