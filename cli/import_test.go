package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kindly/data"
	"kindly/reports"
)

// stored is the database's patients by first name, read directly.
func stored(t *testing.T, db string) map[string]data.Patient {
	t.Helper()
	s, err := data.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out := map[string]data.Patient{}
	if err := s.EachPatient(context.Background(), func(p data.Patient) error { out[p.FirstName] = p; return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// countPatients counts every patient of the database (stored keys them by
// first name, which two sample patients may share).
func countPatients(t *testing.T, db string) int {
	t.Helper()
	s, err := data.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n, err := s.CountPatients(context.Background(), data.PatientQuery{IncludeArchived: true})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

const openDental = "../reports/testdata/opendental.xlsx"

// The text output says which column became which field, which were not
// read, and every row to check or rejected - not only --json.
func TestCLIImportSaysWhatItRead(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	out, err := kindly(t, "--db", db, "import", "patients", openDental, "--dry-run")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`Dry run, nothing saved. patients from ../reports/testdata/opendental.xlsx, sheet "Patients", header on row 1: 7 to add, 0 to update, 0 unchanged, 1 rejected, 4 to check, 4 archived`,
		"Columns read: PatNum = practice id; LName = last name; FName = first name; Preferred = preferred name; PatStatus = status;",
		"Columns not read: HmPhone; E-mail",
		`Note: Read the sheet "Patients", which looks most like a list (the file also has: Read me).`,
		`Note: Column "E-mail" is hidden in the sheet`,
		`Note: Row 10 ("Total patients: 8") looks like a total or a footer, not a patient: skipped.`,
		"Row 5 imported, check: last name: #REF! is an Excel error, left empty",
		`Row 7 imported, check: last name "=HYPERLINK(`,
		"Row 6 rejected: the name is an Excel error",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if len(stored(t, db)) != 0 {
		t.Error("the dry run stored patients")
	}
}

// --map reads a column as the practice says; the next file with the same
// columns is read the same way without --map.
func TestCLIImportMapIsRemembered(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	out, err := kindly(t, "--db", db, "import", "patients", openDental, "--map", "HmPhone=phone", "--map", "PatStatus=ignore")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "HmPhone = phone") || !strings.Contains(out, "Columns not read: PatStatus; WirelessPhone; E-mail") {
		t.Errorf("output:\n%s", out)
	}
	got := stored(t, db)
	if got["Bob"].Phone != "555-0102" || got["Bob"].Archived || got["Alice"].Phone != "555-0101" {
		t.Errorf("Bob %+v, Alice %+v", got["Bob"], got["Alice"])
	}
	out, err = kindly(t, "--db", db, "import", "patients", openDental, "--dry-run")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "as you chose at your last import") || !strings.Contains(out, "HmPhone = phone") || !strings.Contains(out, "0 to add") {
		t.Errorf("second file:\n%s", out)
	}
	for _, bad := range []struct{ arg, want string }{
		{"PatNum", `write the column and the field, like --map "PatNum=practice id"`},
		{"PatNum=shoe size", `"shoe size" is not a field Kindly knows`},
		{"PatNumber=practice id", `no column "PatNumber"`},
	} {
		if _, err := kindly(t, "--db", db, "import", "patients", openDental, "--dry-run", "--map", bad.arg); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("--map %q: err = %v, want %q", bad.arg, err, bad.want)
		}
	}
}

// --rejects writes only a new .xlsx file outside Kindly's own files, and
// says so before anything is imported.
func TestCLIImportRejectsPath(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "kindly.db")
	if _, err := kindly(t, "--db", db, "demo", "--patients", "20"); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(db)
	existing := filepath.Join(t.TempDir(), "old.xlsx")
	os.WriteFile(existing, []byte("keep me"), 0o600)
	for _, bad := range []struct{ path, want string }{
		{db, "should be a file ending in .xlsx, or .csv"},
		{db + "-wal.xlsx", "Kindly's own data files"},
		{filepath.Join(dir, "kindly.xlsx"), "Kindly's own data files"},
		{filepath.Join(dir, "backups", "r.xlsx"), "Kindly's own data files"},
		{filepath.Join(t.TempDir(), "r.txt"), ".xlsx, or .csv"},
		{existing, "already exists"},
	} {
		for _, dry := range []string{"--dry-run", "--json"} {
			_, err := kindly(t, "--db", db, "import", "patients", openDental, dry, "--rejects", bad.path)
			if err == nil || !strings.Contains(err.Error(), bad.want) {
				t.Errorf("--rejects %s (%s): err = %v, want %q", bad.path, dry, err, bad.want)
			}
		}
	}
	if after, _ := os.ReadFile(db); string(after) != string(before) {
		t.Error("a refused --rejects changed the database")
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Error("an existing file was replaced")
	}
	if n := countPatients(t, db); n != 20 {
		t.Error("a refused --rejects imported anyway")
	}
	good := filepath.Join(t.TempDir(), "rejected.xlsx")
	out, err := kindly(t, "--db", db, "import", "patients", openDental, "--dry-run", "--rejects", good)
	if err != nil || !strings.Contains(out, "Rejected rows written to "+good) {
		t.Fatalf("%q %v", out, err)
	}
	if _, err := os.Stat(good); err != nil {
		t.Fatal(err)
	}
}

func TestCLIImportHeaderOnly(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	_, err := kindly(t, "--db", db, "import", "patients", "../reports/testdata/header-only.csv")
	if !errors.Is(err, reports.ErrNoRows) {
		t.Fatalf("err = %v", err)
	}
}
