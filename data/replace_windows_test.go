package data

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// On Windows (the release runners), a file held open by another program
// cannot be replaced, and the practice is told to close it.
func TestReplaceFileOpenInAnotherProgram(t *testing.T) {
	dir := t.TempDir()
	from, to := filepath.Join(dir, "new.xlsx"), filepath.Join(dir, "patients.xlsx")
	os.WriteFile(to, []byte("old"), 0o600)
	os.WriteFile(from, []byte("new"), 0o600)
	held, err := os.Open(to) // Go opens without FILE_SHARE_DELETE, as Excel does
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := replaceFile(from, to, os.Rename, fileInUse, 0); !errors.Is(err, ErrFileInUse) {
		t.Fatalf("replacing an open file: %v", err)
	}
	held.Close()
	if err := ReplaceFile(from, to); err != nil {
		t.Fatal(err)
	}
}
