//go:build !windows

package app

import (
	"os"
	"path/filepath"
)

// documentsFolder is ~/Documents on macOS and Linux desktops, "" when the
// user has none.
func documentsFolder() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	dir := filepath.Join(home, "Documents")
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return ""
	}
	return dir
}
