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

// File dialogs open in the folder of the file chosen last, remembered
// under Kindly's own preference key.
func TestFileDialogsStartWhereTheLastFileWas(t *testing.T) {
	u, w := newTestUI(t, 0)
	defer onUI(nil, w.Close)
	dir := t.TempDir()
	onUI(u, func() { u.remember(filepath.Join(dir, "patients.xlsx")) })
	if got := u.app.Preferences().String(lastFolderKey); got != dir {
		t.Fatalf("remembered %q, want %q", got, dir)
	}
}
