package cli

import (
	"bufio"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"kindly/data"
)

// TestMain lets tests run this binary as the kindly command itself.
func TestMain(m *testing.M) {
	if os.Getenv("KINDLY_RUN_MAIN") == "1" {
		os.Exit(Main(os.Args[1:], Env{Now: testClock()}))
	}
	os.Exit(m.Run())
}

// fingerprint hashes everything an import could change.
func fingerprint(t *testing.T, path string) string {
	t.Helper()
	s, err := data.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	err = s.EachPatient(ctx, func(p data.Patient) error {
		fmt.Fprintf(h, "%+v\n", p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tags, _ := s.AllPatientTags(ctx)
	fmt.Fprintf(h, "%d tags\n", len(tags))
	s.EachVisitKey(ctx, func(id int64, key, date string) { fmt.Fprintln(h, id, key, date) })
	log, _ := s.AuditLog(ctx, 1000)
	for _, e := range log {
		if e.Action != "backup" { // the backup before the import is taken outside its transaction
			fmt.Fprintln(h, e.Action, e.Detail)
		}
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// A killed import (kill -9 at several points) leaves the database exactly
// as it was; an import left to finish changes it.
func TestKilledImportChangesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the importer as a subprocess many times")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "k.db")
	if _, err := kindly(t, "--db", db, "demo", "--patients", "300"); err != nil {
		t.Fatal(err)
	}
	// 20,000 new patients plus updates of the demo ones.
	var b strings.Builder
	b.WriteString("Patient ID,Last name,First name,Email,Date of birth,Tags\n")
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&b, "N%06d,Kill%d,Test,kill%d@example.com,1970-01-%02d,imported\n", i, i, i, i%28+1)
	}
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&b, "P%06d,Changed%d,Name,,,\n", 100000+i, i)
	}
	sheet := filepath.Join(dir, "big.csv")
	if err := os.WriteFile(sheet, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	before := fingerprint(t, db)

	pct := regexp.MustCompile(`Importing: (\d+)%`)
	for _, killAt := range []int{0, 35, 70} {
		cmd := exec.Command(os.Args[0], "--db", db, "import", "patients", sheet)
		cmd.Env = append(os.Environ(), "KINDLY_RUN_MAIN=1")
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(stderr)
		killed := false
		var seen strings.Builder
		for !killed {
			chunk, err := r.ReadString('%')
			seen.WriteString(chunk)
			if m := pct.FindStringSubmatch(chunk); m != nil {
				if n, _ := strconv.Atoi(m[1]); n >= killAt && n < 100 {
					cmd.Process.Kill() // SIGKILL: no deferred code runs
					killed = true
				}
			}
			if err != nil {
				break
			}
		}
		cmd.Wait()
		if !killed {
			t.Fatalf("the import ended before %d%%: %s", killAt, seen.String())
		}
		if after := fingerprint(t, db); after != before {
			t.Fatalf("killed at %d%%: the database changed", killAt)
		}
	}

	// Left alone, the same import lands completely.
	cmd := exec.Command(os.Args[0], "--db", db, "import", "patients", sheet)
	cmd.Env = append(os.Environ(), "KINDLY_RUN_MAIN=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "20000 added, 300 updated") {
		t.Fatalf("full import: %v\n%s", err, out)
	}
	s, err := data.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, _ := s.CountPatients(context.Background(), data.PatientQuery{IncludeArchived: true}); n != 20300 {
		t.Fatalf("%d patients after the full import, want 20300", n)
	}
}
