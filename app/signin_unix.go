//go:build !windows

package app

import (
	"errors"
	"os"
	"path/filepath"
)

// startsAtSignIn says whether the system starts Kindly at login: whether
// its entry (signInFile) is there.
func startsAtSignIn() (bool, error) {
	f, err := signInFile()
	if err != nil {
		return false, err
	}
	_, err = os.Stat(f)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// setStartAtSignIn makes the system start exe when this user logs in (it
// writes the entry signInEntry makes), or not (it removes it).
func setStartAtSignIn(on bool, exe string) error {
	f, err := signInFile()
	if err != nil {
		return err
	}
	if !on {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
		return err
	}
	return os.WriteFile(f, signInEntry(exe), 0o644)
}
