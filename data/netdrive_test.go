package data

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// A database on a network share is refused before anything is created
// there, in words that say what to do; one on this computer's disk opens.
func TestNetworkDriveRefused(t *testing.T) {
	for p, want := range map[string]string{
		`\\nas\praxis\Kindly\kindly.db`:         `\\nas\praxis`,
		`//nas/praxis/kindly.db`:                `\\nas\praxis`,
		`\\?\UNC\nas\praxis\Kindly\kindly.db`:   `\\nas\praxis`,
		`\\?\C:\Users\front\Kindly\kindly.db`:   "",
		`\\.\C:\Kindly\kindly.db`:               "",
		`C:\Users\front\AppData\Roaming\Kindly`: "",
	} {
		got := ""
		if isUNC(p) {
			got = uncRoot(p)
		}
		if got != want {
			t.Errorf("%s: %q, want %q", p, got, want)
		}
	}
	_, err := Open(`//nas/praxis/Kindly/kindly.db`)
	if !errors.Is(err, ErrNetworkDrive) || KindOf(err) != KindInvalid || !strings.Contains(err.Error(), `on a network share (\\nas\praxis)`) ||
		!strings.Contains(err.Error(), "copy the file to a folder on this computer") {
		t.Fatalf("%v", err)
	}
	// This computer's disk (the test's temp folder, a folder not made yet).
	if kind := networkDrive(filepath.Join(t.TempDir(), "not", "yet")); kind != "" {
		t.Errorf("the temp folder is %q", kind)
	}
	s, err := Open(filepath.Join(t.TempDir(), "new", "kindly.db"))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}
