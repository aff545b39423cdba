//go:build !windows && !darwin

package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The autostart entry starts exactly this program, however its path is
// written: quotes, dollars and spaces are escaped as the desktop entry
// specification says.
func TestAutostartEntry(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	exe := "/opt/Kindly $HOME \"x\"/kindly"
	if err := setStartAtSignIn(true, exe); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "autostart", "kindly.desktop"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "\nExec=\"/opt/Kindly \\$HOME \\\"x\\\"/kindly\"\n") || !strings.HasPrefix(string(b), "[Desktop Entry]\n") {
		t.Fatalf("entry:\n%s", b)
	}
}
