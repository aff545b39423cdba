//go:build unix

package data

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The disk-full case needs a file size limit (RLIMIT_FSIZE), which only
// Unix has; Windows and macOS run the rest of the restore tests.

// A backup that fails (the disk is full) leaves nothing behind and is not
// listed; the next start finds no half-written file either.
func TestFailedBackupLeavesNothing(t *testing.T) {
	if os.Getenv("KINDLY_BACKUP_LIMIT") != "" {
		s, err := Open(os.Getenv("KINDLY_BACKUP_LIMIT"))
		if err != nil {
			fmt.Println("cannot open:", err)
			os.Exit(1)
		}
		// Files of this process may grow to 20 KB: the database is bigger,
		// so its copy fails as on a full disk.
		syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: 20 << 10, Max: 20 << 10})
		_, err = s.Backup(context.Background(), "daily")
		fmt.Println("backup:", err)
		os.Exit(0)
	}
	path := filepath.Join(t.TempDir(), "kindly.db")
	s, _ := practiceWithCampaign(t, path)
	if _, err := s.Backup(context.Background(), "first"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	child := exec.Command(os.Args[0], "-test.run=^TestFailedBackupLeavesNothing$")
	child.Env = append(os.Environ(), "KINDLY_BACKUP_LIMIT="+path)
	out, _ := child.CombinedOutput()
	if !strings.Contains(string(out), "backup: cannot back up the database") {
		t.Fatalf("the child's backup: %s", out)
	}
	files, _ := os.ReadDir(filepath.Join(filepath.Dir(path), "backups"))
	if len(files) != 1 || !strings.HasSuffix(files[0].Name(), "-first.db") {
		var names []string
		for _, f := range files {
			names = append(names, f.Name())
		}
		t.Fatalf("backup folder after a failed backup: %q", names)
	}
}
