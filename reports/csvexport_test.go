package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"kindly/data"
)

// A CSV export is what Excel on Windows opens as it is (UTF-8 with a byte
// order mark, CRLF), holds no cell a spreadsheet would run, and imports
// back to the same patients.
func TestExportPatientsCSV(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	importMessy(t, s)
	extra := data.Patient{LastName: "Müller-Lüdenscheidt", FirstName: "=HYPERLINK(\"x\")", Phone: "+1 555 0100", Email: "mueller@example.org",
		Notes: "line one\nline two, with \"quotes\""}
	if err := s.CreatePatient(ctx, &extra); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "patients.csv")
	n, err := ExportPatients(ctx, s, "", path, nil)
	if err != nil || n != 8 {
		t.Fatalf("export: %d, %v", n, err)
	}
	raw, _ := os.ReadFile(path)
	if !bytes.HasPrefix(raw, []byte("\xEF\xBB\xBFPractice ID,Last name,")) {
		t.Fatalf("no byte order mark or header: %q", raw[:40])
	}
	// Every line end is CRLF, the note's own line break too (as Windows writes it).
	if lf, crlf := bytes.Count(raw, []byte("\n")), bytes.Count(raw, []byte("\r\n")); crlf != 10 || lf != crlf {
		t.Errorf("%d line ends, %d of them CRLF (want the 9 rows' and the note's, all CRLF)", lf, crlf)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", info.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}

	// Python's csv module, an independent reader, as Excel sees it.
	out, err := exec.Command("/usr/bin/python3", "-c", `
import csv, json, sys
with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
    print(json.dumps(list(csv.reader(f))))`, path).Output()
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	json.Unmarshal(out, &rows)
	var got []string
	for _, r := range rows {
		if r[1] == "Müller-Lüdenscheidt" {
			got = r
		}
	}
	if got == nil || got[2] != "'=HYPERLINK(\"x\")" || got[5] != "'+1 555 0100" || got[16] != "line one\r\nline two, with \"quotes\"" {
		t.Fatalf("read back by Python: %q", got)
	}

	// Imported again, the apostrophes are gone and every patient is there.
	s2 := newStore(t)
	p, err := planFile(t, s2, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Rejected != 0 {
		t.Errorf("%d rejected", p.Rejected)
	}
	if _, err := applyPatients(ctx, s2, p, nil); err != nil {
		t.Fatal(err)
	}
	back, _ := s2.Patients(ctx, data.PatientQuery{Search: "Müller"})
	if len(back) != 1 || back[0].FirstName != extra.FirstName || back[0].Phone != extra.Phone || back[0].Notes != extra.Notes {
		t.Fatalf("imported back: %+v", back)
	}
	if total, _ := s2.CountPatients(ctx, data.PatientQuery{}); total != 8 {
		t.Errorf("%d patients imported back, want 8", total)
	}
}
