//go:build !windows

package app

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDocumentsFolder(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	if got := documentsFolder(); got != "" {
		t.Fatalf("no Documents folder yet, got %q", got)
	}
	os.Mkdir(filepath.Join(home, "Documents"), 0o700)
	if got := documentsFolder(); got != filepath.Join(home, "Documents") {
		t.Fatalf("got %q", got)
	}
}
