package data

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// BackupDir is where backups of the database are kept: beside it.
// On the practice server, backups are the server's job (pg_dump); "Back up
// now" keeps a complete copy as a Kindly file on this computer.
func (s *Store) BackupDir() string {
	if s.backupDir != "" {
		return s.backupDir
	}
	return filepath.Join(filepath.Dir(s.path), "backups")
}

// Backup writes a consistent copy of the whole database into the backup
// folder and returns its path. why ends up in the file name ("before-import").
// The copy is written under a temporary name and renamed when whole, so a
// failed or interrupted backup (a full disk, a crash) never lists as one.
func (s *Store) Backup(ctx context.Context, why string) (string, error) {
	dir := s.BackupDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("cannot create the backup folder: %w", err)
	}
	stamp := s.Now().UTC().Format("20060102-150405.000")
	path := filepath.Join(dir, fmt.Sprintf("kindly-%s-%s.db", stamp, slug(why)))
	for i := 2; fileExists(path); i++ {
		path = filepath.Join(dir, fmt.Sprintf("kindly-%s-%d-%s.db", stamp, i, slug(why)))
	}
	if err := s.snapshot(ctx, path); err != nil {
		return "", fmt.Errorf("cannot back up the database: %w", mapError(err))
	}
	// The file's name holds the time in UTC; the log's line has its own time.
	if err := s.Audit(ctx, "backup", strings.ReplaceAll(slug(why), "-", " ")); err != nil {
		return path, err
	}
	return path, nil
}

// partialSuffix marks a backup being written.
const partialSuffix = ".partial"

// snapshot writes a consistent copy of the database to path: first to an
// owner-only temporary file, renamed when complete; nothing is left behind
// when it fails.
func (s *Store) snapshot(ctx context.Context, path string) error {
	tmp := path + partialSuffix
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // VACUUM INTO fills an empty file, keeping its mode
	if err != nil {
		return err
	}
	f.Close()
	copyOut := s.vacuumInto
	if s.eng.server {
		copyOut = s.copyToFile
	}
	if err := copyOut(ctx, tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := ReplaceFile(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// DiscardBackup removes a backup taken before work that then changed
// nothing (a failed import): it would only be a copy of what is there.
func (s *Store) DiscardBackup(path string) {
	if path != "" && filepath.Dir(path) == s.BackupDir() {
		os.Remove(path)
	}
}

// removePartialBackups removes backups a crash left half written.
func removePartialBackups(dbPath string) {
	// A backup being written (and its journal, left by a full disk), and a
	// restore that was killed half-way: copies of patient data that nothing
	// will finish.
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(dbPath), "backups", "kindly-*"+partialSuffix+"*"))
	for _, f := range []string{dbPath + ".restoring", dbPath + ".restoring-wal", dbPath + ".restoring-shm", dbPath + ".restoring-journal"} {
		if _, err := os.Lstat(f); err == nil {
			files = append(files, f)
		}
	}
	for _, f := range files {
		os.Remove(f)
	}
}

// vacuumInto writes a consistent snapshot of the database to path, even
// while others write. It reads every page once: on its own connection,
// with a small page cache and its sorting on disk, it does not swell the
// window's memory (a 100,000-patient database took 120 MB more and kept 80).
func (s *Store) vacuumInto(ctx context.Context, path string) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, q := range []string{`PRAGMA cache_size = -2000`, `PRAGMA temp_store = FILE`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	_, err = conn.ExecContext(ctx, `VACUUM INTO ?`, path)
	for _, q := range []string{defaultCacheSize, `PRAGMA temp_store = MEMORY`, `PRAGMA shrink_memory`} {
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), q); rerr != nil && err == nil {
			err = rerr
		}
	}
	return err
}

// SetBackupDir keeps this store's backups in dir from now on.
func (s *Store) SetBackupDir(dir string) { s.backupDir = dir }

// copyToFile writes a complete copy of the server's database into a new
// Kindly file at path: a backup that opens and restores like any other.
func (s *Store) copyToFile(ctx context.Context, path string) error {
	f, err := openFile(path)
	if err != nil {
		return err
	}
	_, err = CopyStore(ctx, s, f, nil)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Backups lists the backup files, newest first (complete ones only).
func (s *Store) Backups() ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(s.BackupDir(), "kindly-*.db"))
	if err != nil {
		return nil, err
	}
	kept := matches[:0]
	for _, m := range matches {
		if info, err := os.Stat(m); err == nil && info.Size() > 0 { // an empty file is a backup that failed (older versions left them)
			kept = append(kept, m)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(kept)))
	return kept, nil
}

func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteRune('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// dailyKept is how many daily backups are kept; older ones are removed.
const dailyKept = 14

// backupTime reads the time from a backup's file name (kindly-20261126-093000.000-why.db).
func backupTime(path string) (time.Time, bool) {
	name := strings.TrimPrefix(filepath.Base(path), "kindly-")
	if len(name) < len("20060102-150405.000") {
		return time.Time{}, false
	}
	t, err := time.Parse("20060102-150405.000", name[:len("20060102-150405.000")])
	return t, err == nil
}

// DailyBackup backs the database up when no backup of any kind is less
// than a day old, and then removes daily backups beyond the newest 14 and
// backups taken before a deletion once they are 14 days old (those taken
// before imports, and by hand, are kept). It
// returns the new backup's path, or "" when none was due.
func (s *Store) DailyBackup(ctx context.Context) (string, error) {
	if s.eng.server {
		// The server's own backups (pg_dump on a schedule, the README
		// says how) keep the shared database; every computer copying all
		// of it each day would only fill their disks.
		return "", nil
	}
	files, err := s.Backups()
	if err != nil {
		return "", err
	}
	for _, f := range files {
		if t, ok := backupTime(f); ok && s.Now().Sub(t) < 24*time.Hour {
			return "", nil
		}
	}
	path, err := s.Backup(ctx, "daily")
	if err != nil {
		return "", err
	}
	if files, err = s.Backups(); err != nil {
		return path, err
	}
	kept := 0
	for _, f := range files { // newest first
		// A backup taken before a deletion holds the deleted patient: it
		// goes with the rotation, after as many days as daily ones are kept.
		if strings.HasSuffix(f, "-before-delete.db") {
			if t, ok := backupTime(f); ok && s.Now().Sub(t) > dailyKept*24*time.Hour {
				if err := os.Remove(f); err != nil {
					return path, fmt.Errorf("cannot remove an old backup: %w", err)
				}
			}
			continue
		}
		if !strings.HasSuffix(f, "-daily.db") {
			continue
		}
		if kept++; kept > dailyKept {
			if err := os.Remove(f); err != nil {
				return path, fmt.Errorf("cannot remove an old daily backup: %w", err)
			}
		}
	}
	return path, nil
}

// BackupTaken says when a backup file was taken and why ("before import"),
// from its name; ok is false for a file Kindly did not name.
func BackupTaken(path string) (at time.Time, why string, ok bool) {
	t, ok := backupTime(path)
	if !ok {
		return time.Time{}, "", false
	}
	why = strings.TrimSuffix(filepath.Base(path), ".db")
	why = why[min(len(why), len("kindly-20060102-150405.000-")):]
	if i := strings.IndexByte(why, '-'); i >= 0 && why[:i] != "" && strings.Trim(why[:i], "0123456789") == "" {
		why = why[i+1:] // a second backup in the same millisecond: kindly-...-2-why.db
	}
	return t, strings.ReplaceAll(why, "-", " "), true
}
