package data

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// The database lives in the per-user application data folder of each
// system: %AppData%\Kindly on Windows, ~/Library/Application Support/Kindly
// on macOS, $XDG_CONFIG_HOME/Kindly (~/.config/Kindly) elsewhere. Each
// system's case runs on that system (the release workflow runs Windows and
// macOS).
func TestDefaultPath(t *testing.T) {
	home := t.TempDir()
	var want string
	switch runtime.GOOS {
	case "windows":
		t.Setenv("APPDATA", filepath.Join(home, "AppData", "Roaming"))
		want = filepath.Join(home, "AppData", "Roaming", "Kindly", "kindly.db")
	case "darwin":
		t.Setenv("HOME", home)
		want = filepath.Join(home, "Library", "Application Support", "Kindly", "kindly.db")
	default:
		t.Setenv("HOME", home)
		t.Setenv("XDG_CONFIG_HOME", "")
		want = filepath.Join(home, ".config", "Kindly", "kindly.db")
	}
	got, err := DefaultPath()
	if err != nil || got != want {
		t.Fatalf("DefaultPath() = %q, %v; want %q", got, err, want)
	}
	// A first start makes the folder, owner-only where the system has modes.
	s, err := Open(got)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	info, err := os.Stat(filepath.Dir(got))
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm() != 0o700 {
		t.Errorf("the Kindly folder is %v", info.Mode().Perm())
	}
}
