package data

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReplaceFile(t *testing.T) {
	dir := t.TempDir()
	from, to := filepath.Join(dir, "new.xlsx"), filepath.Join(dir, "patients.xlsx")
	os.WriteFile(to, []byte("old"), 0o600)
	os.WriteFile(from, []byte("new"), 0o600)
	if err := ReplaceFile(from, to); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(to); string(b) != "new" {
		t.Fatalf("after the move: %q", b)
	}
	if _, err := os.Stat(from); !os.IsNotExist(err) {
		t.Fatal("the new file is still there")
	}
	// A folder in the way is not "in use": the error comes at once.
	os.WriteFile(from, []byte("new"), 0o600)
	os.Mkdir(filepath.Join(dir, "folder"), 0o700)
	os.WriteFile(filepath.Join(dir, "folder", "x"), nil, 0o600)
	if err := ReplaceFile(from, filepath.Join(dir, "folder")); err == nil || errors.Is(err, ErrFileInUse) {
		t.Fatalf("folder in the way: %v", err)
	}
}

// Windows refuses to replace an open file; this machine cannot, so the
// refusal is played by a rename that fails while "Excel" holds the file.
func TestReplaceFileWaitsForAHoldToPass(t *testing.T) {
	busy := errors.New("Access is denied.")
	inUse := func(err error) bool { return err == busy }
	tries := 0
	scanner := func(string, string) error { // a virus scanner, done after three looks
		if tries++; tries <= 3 {
			return busy
		}
		return nil
	}
	if err := replaceFile("a", "b", scanner, inUse, time.Second); err != nil || tries != 4 {
		t.Fatalf("a passing hold: %v after %d tries", err, tries)
	}
	excel := func(string, string) error { return busy } // never closed
	err := replaceFile("a", filepath.Join("exports", "patients.xlsx"), excel, inUse, 100*time.Millisecond)
	if !errors.Is(err, ErrFileInUse) || !strings.Contains(err.Error(), "close patients.xlsx (in Excel, perhaps) and try again") {
		t.Fatalf("a file kept open: %v", err)
	}
}
