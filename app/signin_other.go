//go:build !windows && !darwin

package app

import (
	"os"
	"path/filepath"
	"strings"
)

// signInFile is the desktop's autostart entry for Kindly (XDG).
func signInFile() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "autostart", "kindly.desktop"), nil
}

// signInEntry is the autostart entry for exe, its path quoted and escaped
// as the desktop entry specification says.
func signInEntry(exe string) []byte {
	quoted := `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", "$", `\$`).Replace(exe) + `"`
	return []byte("[Desktop Entry]\nType=Application\nName=Kindly\nComment=Reminders to the right patients at the right time\nExec=" +
		quoted + "\nX-GNOME-Autostart-enabled=true\n")
}
