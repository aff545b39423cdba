package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"kindly/data"
	"kindly/workflow"

	_ "modernc.org/sqlite"
)

// testClock is the clock the command line runs with in these tests: the
// real one, or, with KINDLY_TEST_NOW=2028-02-29T23:30:00+01:00, one that
// starts at that instant and runs on, so the suite can be run on another
// day (29 February, 31 December, a DST change) to find tests that depend
// on the calendar. Subprocesses get it through the same variable.
func testClock() func() time.Time {
	v := os.Getenv("KINDLY_TEST_NOW")
	if v == "" {
		return nil
	}
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		panic("KINDLY_TEST_NOW: " + err.Error())
	}
	offset := time.Until(at)
	return func() time.Time { return time.Now().Add(offset) }
}

func kindly(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := Run(context.Background(), args, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Now: testClock()})
	return out.String(), err
}

func TestCLIDemoAndSegments(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	if out, err := kindly(t, "--db", db, "demo", "--patients", "300", "--seed", "7"); err != nil || !strings.Contains(out, "Added 300") ||
		!strings.Contains(out, "300 sample patients: ") || !strings.Contains(out, "archived (moved away or deceased") {
		t.Fatalf("demo: %q %v", out, err)
	}
	out, err := kindly(t, "--db", db, "segments", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var list []workflow.SegmentInfo
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 5 {
		t.Fatalf("segments --json = %s (%v)", out, err)
	}
	for _, s := range list {
		if s.Count <= 0 || s.Count >= 300 || s.Sentence == "" {
			t.Errorf("segment %q: count %d, sentence %q", s.Name, s.Count, s.Sentence)
		}
	}

	// The same seed gives the same practice.
	db2 := filepath.Join(t.TempDir(), "k.db")
	kindly(t, "--db", db2, "demo", "--patients", "300", "--seed", "7")
	out2, _ := kindly(t, "--db", db2, "segments", "--json")
	if out2 != out {
		t.Errorf("demo is not deterministic:\n%s\n%s", out, out2)
	}

	out, err = kindly(t, "--db", db, "segment", "Seniors", "--rules", `{"kind":"all","rules":[{"kind":"age","min":65}]}`)
	if err != nil || !strings.Contains(out, "Patients aged 65 or older.") {
		t.Fatalf("segment --rules: %q %v", out, err)
	}
	out, err = kindly(t, "--db", db, "segment", "--json", "seniors")
	var one workflow.SegmentInfo
	if err != nil || json.Unmarshal([]byte(out), &one) != nil || one.Name != "Seniors" {
		t.Fatalf("segment --json: %q %v", out, err)
	}
	// Duplicate and delete; a segment a campaign uses is not deleted.
	if out, err = kindly(t, "--db", db, "segment", "Seniors", "--duplicate"); err != nil || !strings.HasPrefix(out, "Seniors (copy)\n") {
		t.Fatalf("--duplicate: %q %v", out, err)
	}
	if out, err = kindly(t, "--db", db, "segment", "Seniors (copy)", "--delete"); err != nil || !strings.Contains(out, "a backup was taken first") {
		t.Fatalf("--delete: %q %v", out, err)
	}
	if _, err = kindly(t, "--db", db, "segment", "Seniors (copy)"); err == nil {
		t.Fatal("the deleted segment is still there")
	}
	kindly(t, "--db", db, "campaign", "create", "Checkup", "--segment", "Seniors", "--template", "Flu shot")
	if _, err = kindly(t, "--db", db, "segment", "Seniors", "--delete"); data.KindOf(err) != data.KindInUse || !strings.Contains(err.Error(), "used by a campaign") {
		t.Fatalf("deleting a segment in use: %v", err)
	}
}

func TestCLIErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--db", db, "frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"--db", db, "segment", "Nope"}, `there is no segment called "Nope"`},
		{[]string{"--db", db, "segment"}, "needs one NAME"},
		{[]string{"--db", db, "segment", "X", "--rules", `{"kind":"all","rules":[{"kind":"age","min":70,"max":60}]}`}, "lowest age (70) is above"},
		{[]string{"--db", db, "demo", "--patients", "many"}, `invalid argument "many" for "--patients"`},
	} {
		_, err := kindly(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.args, err, tc.want)
		}
	}
}

// An export never writes over a file unless told to (--force).
func TestExportDoesNotOverwrite(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	if _, err := kindly(t, "--db", db, "demo", "--patients", "20"); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "patients.xlsx")
	os.WriteFile(out, []byte("the practice's own file"), 0o600)
	if _, err := kindly(t, "--db", db, "export", "patients", "--out", out); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("wrote over a file: %v", err)
	}
	if b, _ := os.ReadFile(out); string(b) != "the practice's own file" {
		t.Fatal("the file was changed")
	}
	// (how many of the sample patients are archived, and not exported, depends on the day)
	if res, err := kindly(t, "--db", db, "export", "patients", "--out", out, "--force"); err != nil || !regexp.MustCompile(`^Wrote [1-9][0-9]* rows to `).MatchString(res) {
		t.Fatalf("--force: %q %v", res, err)
	}
}

// One damaged segment row never hides the others: they are listed, and
// the damaged one is named with why.
func TestSegmentsListedDespiteADamagedOne(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	if _, err := kindly(t, "--db", db, "demo", "--patients", "50"); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE segments SET rules = '{"kind":"all","rules":[{"kind":' WHERE name = 'Diabetes program'`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	var out, errOut bytes.Buffer
	err = Run(context.Background(), []string{"--db", db, "segments"}, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Now: testClock()})
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	damaged := false
	for _, l := range lines {
		damaged = damaged || strings.Contains(l, "Diabetes program") && strings.Contains(l, "(cannot be counted)")
	}
	if err != nil || len(lines) != 6 || !damaged || !strings.Contains(out.String(), "Open to promotions") {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(errOut.String(), `"Diabetes program" are damaged`) {
		t.Errorf("stderr %q", errOut.String())
	}
}
