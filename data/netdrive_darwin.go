package data

import (
	"strings"

	"golang.org/x/sys/unix"
)

// mountKind says which network file system dir is on ("an SMB share",
// "an AFP share", ...), "" for a disk of this Mac.
func mountKind(dir string) string {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return ""
	}
	name := strings.TrimRight(string(st.Fstypename[:]), "\x00")
	switch name {
	case "smbfs", "cifs":
		return "an SMB share"
	case "afpfs":
		return "an AFP share"
	case "nfs":
		return "an NFS share"
	case "webdav":
		return "a WebDAV share"
	}
	if st.Flags&unix.MNT_LOCAL == 0 {
		return "a network drive (" + name + ")"
	}
	return ""
}
