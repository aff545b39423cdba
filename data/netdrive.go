package data

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// A SQLite database on a network drive is not safe: its journal needs one
// computer's shared memory, and file locks over SMB or NFS are not
// reliable, so two computers (or one that lost the connection for a
// moment) can damage it. Kindly keeps its database on this computer's own
// disk.

// ErrNetworkDrive is the kind of error Open gives for a database on a
// network drive.
var ErrNetworkDrive = &Problem{Kind: KindInvalid, Message: "the database is on a network drive"}

// networkDrive says whether dir is on a network drive, and which kind
// ("a network share \\\\server\\share", "an SMB share", ...); "" when
// it is on this computer's own disk or cannot be told.
func networkDrive(dir string) string {
	if isUNC(dir) {
		return "a network share (" + uncRoot(dir) + ")"
	}
	// The folder may not exist yet: the nearest one that does says.
	for {
		if _, err := os.Stat(dir); err == nil {
			return mountKind(dir)
		}
		up := filepath.Dir(dir)
		if up == dir {
			return ""
		}
		dir = up
	}
}

// isUNC says whether a path names a network share the Windows way:
// \\server\share\..., also written //server/share. (\\?\C:\ and \\.\ are
// local device paths.)
func isUNC(p string) bool {
	p = strings.ReplaceAll(p, "/", `\`)
	if !strings.HasPrefix(p, `\\`) {
		return false
	}
	rest := p[2:]
	if strings.HasPrefix(rest, `?\UNC\`) {
		return true
	}
	if strings.HasPrefix(rest, `?\`) || strings.HasPrefix(rest, `.\`) {
		return false
	}
	server, _, _ := strings.Cut(rest, `\`)
	return server != ""
}

// uncRoot is \\server\share of a UNC path.
func uncRoot(p string) string {
	parts := strings.Split(strings.TrimPrefix(strings.ReplaceAll(p, "/", `\`), `\\`), `\`)
	if len(parts) >= 2 && parts[0] == "?" && strings.EqualFold(parts[1], "UNC") {
		parts = parts[2:]
	}
	if len(parts) > 2 {
		parts = parts[:2]
	}
	return `\\` + strings.Join(parts, `\`)
}

// refuseNetworkDrive refuses a database path on a network drive, in words
// that say what to do instead.
func refuseNetworkDrive(path string) error {
	kind := ""
	if isUNC(path) { // before filepath.Dir cleans // away
		kind = "a network share (" + uncRoot(path) + ")"
	} else {
		kind = networkDrive(filepath.Dir(path))
	}
	if kind == "" {
		return nil
	}
	return &Problem{Kind: KindInvalid, Err: ErrNetworkDrive,
		Message: fmt.Sprintf("Kindly's database %s is on %s. A database on a network drive can be damaged when the connection drops or "+
			"two computers use it, so Kindly keeps it on this computer's own disk: copy the file to a folder on this computer "+
			"(the default is Kindly's folder in your user folder) and open it from there. Several computers share one practice "+
			"through a practice server instead.", path, kind), Hint: HintPracticeServer}
}
