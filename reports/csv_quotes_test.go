package reports

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"kindly/data"
)

// A stray quote never merges rows: `r1,"Jack" John,...` is Jack John (as
// Excel and Python's csv module read it), and Mary and Tom below him stay
// patients. A cell over several lines is read whole and flagged with its
// lines; a quote that never closes is read as text to the end of its line.
func TestStrayQuotesNeverMergeRows(t *testing.T) {
	s := newStore(t)
	content := "Patient ID,First Name,Last Name,Email,DOB\n" +
		"r1,\"Jack\" John,Smith,jack@example.com,1960-03-04\n" +
		"r2,Mary,Jones,mary@example.com,1970-01-02\n" +
		"r3,Tom,Brown,tom@example.com,1980-05-06\n" +
		"r4,Ann,\"Lee\nMiller\",ann@example.com,1990-07-08\n" +
		"r5,\"Open,Quote,open@example.com,1991-01-01\n" +
		"r6,Zoe,Last,zoe@example.com,1992-02-02\n"
	path := filepath.Join(t.TempDir(), "stray.csv")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	p, res, err := importPatients(context.Background(), s, path, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 6 {
		t.Fatalf("added %d, want 6 (%+v)", res.Added, p.Counts())
	}
	got := map[string]data.Patient{}
	s.EachPatient(context.Background(), func(p data.Patient) error { got[p.ExternalID] = p; return nil })
	want := map[string][3]string{ // first, last, email
		"r1": {`Jack John`, "Smith", "jack@example.com"},
		"r2": {"Mary", "Jones", "mary@example.com"},
		"r3": {"Tom", "Brown", "tom@example.com"},
		"r4": {"Ann", "Lee Miller", "ann@example.com"},
		"r6": {"Zoe", "Last", "zoe@example.com"},
	}
	for id, w := range want {
		g := got[id]
		if g.FirstName != w[0] || g.LastName != w[1] || g.Email != w[2] {
			t.Errorf("%s: %q %q %q, want %v", id, g.FirstName, g.LastName, g.Email, w)
		}
	}
	if g := got["r5"]; g.Email == "" || strings.Contains(g.FirstName, "Zoe") {
		t.Errorf("the unclosed quote swallowed the next row: %+v", g)
	}
	flags := map[int]string{}
	for _, f := range p.RowFlags() {
		flags[f.Row] = f.Reason
	}
	if !strings.Contains(flags[2], "quote") || !strings.Contains(flags[5], "lines 5-6") || !strings.Contains(flags[6], "quote") {
		t.Errorf("flags %v", flags)
	}
	warnings := strings.Join(p.Warnings, "\n")
	if !strings.Contains(warnings, "over several lines of the file (rows 5)") || !strings.Contains(warnings, "stray quote") {
		t.Errorf("warnings %q", p.Warnings)
	}
}

// What Python's csv module writes (quotes, doubled quotes, separators and
// line breaks inside cells) is read back cell for cell.
func TestReadsWhatPythonWrites(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is needed")
		}
		t.Skip("python3 is not installed")
	}
	path := filepath.Join(t.TempDir(), "python.csv")
	script := `import csv, sys
rows = [["ID", "Name", "Notes", "Email"],
        ["1", 'Say "hi"', "a,b", "a@example.com"],
        ["2", "O'Brien", "line one\nline two", "b@example.com"],
        ["3", "", "", "c@example.com"]]
with open(sys.argv[1], "w", newline="") as f:
    csv.writer(f).writerows(rows)
`
	if out, err := exec.Command("python3", "-c", script, path).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	tab, err := ReadTable(path, "")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"ID", "Name", "Notes", "Email"}, {"1", `Say "hi"`, "a,b", "a@example.com"},
		{"2", "O'Brien", "line one\nline two", "b@example.com"}, {"3", "", "", "c@example.com"}}
	if len(tab.Rows) != len(want) {
		t.Fatalf("rows %q", tab.Rows)
	}
	for i := range want {
		if strings.Join(tab.Rows[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d: %q, want %q", i+1, tab.Rows[i], want[i])
		}
	}
	var notes []string
	for i := range tab.Rows {
		notes = append(notes, tab.RowNotes.of(i)...)
	}
	sort.Strings(notes)
	if len(notes) != 1 || !strings.Contains(notes[0], "lines 3-4") {
		t.Errorf("notes %q", notes)
	}
}

// A name of digits is not a name (rejected; skipped without a word under
// a totals row); an email with invisible characters is cleaned and
// flagged; two addresses in a cell keep the first and note the other; a
// name cell holding an Excel error keeps the patient, named from the email.
func TestRowsThatLookOdd(t *testing.T) {
	s := newStore(t)
	content := "Patient ID,Name,Email,DOB,Phone\n" +
		"1,\"Smith, Jack\",jack@example.com\u200b,1960-03-04,555\u00a00100\n" +
		"2,\"Jones, Mary\",mary@example.com; mary.work@example.org,1970-01-02,\n" +
		"3,#VALUE!,tom.brown@example.com,1980-05-06,\n" +
		"4,42,num@example.com,1981-05-06,\n" +
		"Total patients:,3,,,\n" +
		",7,,,\n"
	path := filepath.Join(t.TempDir(), "odd.csv")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	p, _, err := importPatients(context.Background(), s, path, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]data.Patient{}
	s.EachPatient(context.Background(), func(p data.Patient) error { got[p.ExternalID] = p; return nil })
	if len(got) != 3 {
		t.Fatalf("stored %d patients: %+v", len(got), got)
	}
	if g := got["1"]; g.Email != "jack@example.com" || g.Phone != "555 0100" {
		t.Errorf("invisible characters kept: %q %q", g.Email, g.Phone)
	}
	if g := got["2"]; g.Email != "mary@example.com" || !strings.Contains(g.Notes, "mary.work@example.org") {
		t.Errorf("two addresses: %q, notes %q", g.Email, g.Notes)
	}
	if g := got["3"]; g.LastName != "tom.brown" || g.Email != "tom.brown@example.com" || g.BirthDate.IsZero() {
		t.Errorf("Excel error name: %+v", g)
	}
	rows := byRow(p)
	if r := rows[5]; r.Action != ActionReject || !strings.Contains(r.Reason, "not a name") {
		t.Errorf("row 5: %s %q", r.Action, r.Reason)
	}
	if _, listed := rows[7]; listed {
		t.Errorf("the 7 under the total was planned: %+v", rows[7])
	}
	flags := map[int]string{}
	for _, f := range p.RowFlags() {
		flags[f.Row] = f.Reason
	}
	if !strings.Contains(flags[2], "invisible") || !strings.Contains(flags[3], "2 addresses") || !strings.Contains(flags[4], "Excel error") {
		t.Errorf("flags %v", flags)
	}
}
