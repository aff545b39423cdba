//go:build !windows && !darwin

package app

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// autostartFile is the desktop's autostart entry for Kindly (XDG).
func autostartFile() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "autostart", "kindly.desktop"), nil
}

// startsAtSignIn says whether the desktop starts Kindly at login.
func startsAtSignIn() (bool, error) {
	f, err := autostartFile()
	if err != nil {
		return false, err
	}
	_, err = os.Stat(f)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// setStartAtSignIn makes the desktop start exe when this user logs in, or not.
func setStartAtSignIn(on bool, exe string) error {
	f, err := autostartFile()
	if err != nil {
		return err
	}
	if !on {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	quoted := `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", "$", `\$`).Replace(exe) + `"`
	entry := "[Desktop Entry]\nType=Application\nName=Kindly\nComment=Reminders to the right patients at the right time\nExec=" +
		quoted + "\nX-GNOME-Autostart-enabled=true\n"
	if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
		return err
	}
	return os.WriteFile(f, []byte(entry), 0o644)
}
