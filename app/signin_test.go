package app

import (
	"path/filepath"
	"runtime"
	"testing"
)

// "Start Kindly when I sign in to this computer" registers Kindly where the
// system starts programs at sign-in (the Run key, a launch agent, the
// desktop's autostart folder), and takes it out again. On Windows it writes
// the real Run key of the runner's user and removes it.
func TestStartAtSignIn(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	exe := filepath.Join(home, "Kindly $weird \"name\"", "kindly")
	if runtime.GOOS == "windows" {
		exe = `C:\Users\Test\AppData\Local\Programs\Kindly\Kindly.exe`
	}
	if on, err := startsAtSignIn(); err != nil || on {
		t.Fatalf("before: %v, %v", on, err)
	}
	if err := setStartAtSignIn(true, exe); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { setStartAtSignIn(false, exe) })
	if on, err := startsAtSignIn(); err != nil || !on {
		t.Fatalf("after turning it on: %v, %v", on, err)
	}
	if err := setStartAtSignIn(false, exe); err != nil {
		t.Fatal(err)
	}
	if on, err := startsAtSignIn(); err != nil || on {
		t.Fatalf("after turning it off: %v, %v", on, err)
	}
	if err := setStartAtSignIn(false, exe); err != nil {
		t.Fatalf("turning it off twice: %v", err)
	}
}
