package data

import (
	"path/filepath"

	"golang.org/x/sys/windows"
)

// mountKind says whether dir is on a network drive: a drive letter mapped
// to a share (Z:\ for \\server\share).
func mountKind(dir string) string {
	vol := filepath.VolumeName(dir)
	if vol == "" {
		return ""
	}
	root, err := windows.UTF16PtrFromString(vol + `\`)
	if err != nil {
		return ""
	}
	if windows.GetDriveType(root) == windows.DRIVE_REMOTE {
		return "a mapped network drive (" + vol + ")"
	}
	return ""
}
