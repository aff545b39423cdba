package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Backups and restore from the command line, with the same checks as the
// window; sample patients go only into an empty database.
func TestCLIBackupAndRestore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "kindly.db")
	if _, err := kindly(t, "--db", db, "demo", "--patients", "30"); err != nil {
		t.Fatal(err)
	}
	if _, err := kindly(t, "--db", db, "demo", "--patients", "5"); err == nil || !strings.Contains(err.Error(), "already holds 30 patients") {
		t.Fatalf("demo into a practice's database: %v", err)
	}
	out, err := kindly(t, "--db", db, "backup")
	if err != nil || !strings.Contains(out, "Backup written: ") {
		t.Fatalf("%q %v", out, err)
	}
	backup := strings.TrimSpace(strings.TrimPrefix(out, "Backup written: "))
	if _, err := kindly(t, "--db", db, "demo", "--patients", "5", "--seed", "2", "--add"); err != nil {
		t.Fatal(err)
	}
	if out, err := kindly(t, "--db", db, "backups"); err != nil || !strings.Contains(out, "by hand") || !strings.Contains(out, backup) {
		t.Fatalf("backups: %q %v", out, err)
	}
	fake := filepath.Join(dir, "fake.db")
	os.WriteFile(fake, []byte("hello"), 0o600)
	if _, err := kindly(t, "--db", db, "restore", fake); err == nil || !strings.Contains(err.Error(), "not a Kindly backup") {
		t.Fatalf("restore of a random file: %v", err)
	}
	out, err = kindly(t, "--db", db, "restore", backup)
	if err != nil || !strings.Contains(out, "The backup holds 30 patients") || !strings.Contains(out, "Restored") {
		t.Fatalf("restore: %q %v", out, err)
	}
	if got := stored(t, db); len(got) > 30 {
		t.Errorf("%d patients after the restore", len(got))
	}
	raw, _ := os.ReadFile(db)
	for _, provider := range []string{"gmail.com", "aol.com", "yahoo.com", "outlook.com"} {
		if strings.Contains(string(raw), provider) {
			t.Errorf("sample data names %s", provider)
		}
	}
}
