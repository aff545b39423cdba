// Package data is Kindly's store: patients, tags, visits, segments and the
// tables the mailer and calendar build on, in one SQLite file.
package data

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
)

//go:embed migrations/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// Store is the practice's database.
type Store struct {
	db   sqlDB
	eng  *engine
	path string
	// Now returns the current instant; tests replace it to pin "today".
	Now func() time.Time

	stmts sync.Map // query -> *Stmt, for statements run once per email

	// On the server: the connection that holds the sending lock (nil when
	// this store holds none), guarded by sendLock.
	sendLock sync.Mutex
	sendConn *sqlConn

	backupDir string // where backups go, when not beside the database (the server's)

	release  func()         // ends this store's share of the process's ownership
	restored *RestoreReport // the restore applied (or refused) when this store opened
}

// DefaultPath is where the app keeps its database: the user's config folder
// - on Windows, the local one when the roaming profile's folder is on a
// server (folder redirection): a database on a network drive is refused.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find your settings folder: %w", err)
	}
	if runtime.GOOS == "windows" && networkDrive(dir) != "" {
		if local, err := os.UserCacheDir(); err == nil && networkDrive(local) == "" { // %LocalAppData%
			dir = local
		}
	}
	return filepath.Join(dir, "Kindly", "kindly.db"), nil
}

// pageCacheKB is each connection's page cache: 32 MB keeps segment counts
// and search warm.
const pageCacheKB = 32000

// defaultCacheSize sets a connection's page cache back to pageCacheKB
// after bulk writes and backups changed it for a while.
var defaultCacheSize = fmt.Sprintf(`PRAGMA cache_size = -%d`, pageCacheKB)

// Open opens (creating if needed) the database at path and applies pending
// migrations. A new file is readable by its owner only, and so are old
// ones from now on. One process owns a database at a time
// (ErrOpenElsewhere); the first Open of a process applies a restore the
// practice asked for (LastRestore says how it went).
func Open(path string) (*Store, error) {
	if IsServerURL(path) {
		return openServer(path, "")
	}
	if err := refuseNetworkDrive(path); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the folder for the database: %w", err)
	}
	// The file itself, not a link to it: one owner whatever name it is
	// opened by.
	path, err := realPath(path)
	if err != nil {
		return nil, err
	}
	// Another program's file is refused untouched: no lock file beside it,
	// no change of its mode, no tables added.
	if err := checkKindlyFile(path); err != nil {
		return nil, err
	}
	release, first, err := own(path)
	if err != nil {
		return nil, err
	}
	var restored *RestoreReport
	if first {
		removePartialBackups(path)
		restored = applyPendingRestore(path)
	}
	s, err := openFile(path)
	if err != nil {
		release()
		return nil, err
	}
	s.release, s.restored = release, restored
	if err := s.resolveCareOptIn(context.Background()); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// realPath is path made absolute with its links resolved (the folder's
// when the file does not exist yet).
func realPath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real, nil
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil {
		return abs, nil
	}
	return filepath.Join(dir, filepath.Base(abs)), nil
}

// ErrNotKindly says a file is not a Kindly database; nothing was changed.
var ErrNotKindly = errors.New("is not a Kindly database")

// checkKindlyFile says whether path may be opened as Kindly's database: no
// file yet, an empty one, or an SQLite database that is Kindly's (or has
// no tables at all). It only reads the file.
func checkKindlyFile(path string) error {
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot open the database file %s: %w", path, err)
	}
	if info.IsDir() {
		return fmt.Errorf("%s is a folder, not a database file", path)
	}
	if info.Size() == 0 {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot open the database file %s: %w", path, err)
	}
	head := make([]byte, 16)
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil || string(head) != "SQLite format 3\x00" {
		return fmt.Errorf("%s %w: it is not a database file at all; choose Kindly's database (kindly.db) or a new file name", path, ErrNotKindly)
	}
	// Read-only and immutable: no journal, no lock, no change.
	tables, kindly, err := schemaTables(path, "mode=ro&immutable=1")
	if (err != nil || tables > 0 && kindly == 0) && fileExists(path+"-wal") {
		// A process killed during a checkpoint leaves the main file to be
		// mended from its journal, which the look above ignores: look
		// again through the journal, and when that cannot be done either,
		// the ordinary open recovers it (and its schema says whose it is).
		tables, kindly, err = schemaTables(path, "mode=ro")
		if err != nil {
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("%s %w: it cannot be read as a database (%v)", path, ErrNotKindly, err)
	}
	if tables > 0 && kindly == 0 {
		return fmt.Errorf("%s %w: it is another program's database, which Kindly leaves as it is; choose Kindly's database (kindly.db) or a new file name", path, ErrNotKindly)
	}
	return nil
}

// schemaTables counts a database's tables and says whether one is Kindly's
// schema_migrations, opened read-only with the given URI parameters.
func schemaTables(path, params string) (tables, kindly int, err error) {
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?"+params)
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	err = db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE name = 'schema_migrations') FROM sqlite_schema WHERE type = 'table'`).Scan(&tables, &kindly)
	return tables, kindly, err
}

// openFile opens and migrates the database file at path, without the
// owner's lock (Open takes it; a restore works on files it owns already).
func openFile(path string) (*Store, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot open the database file %s: %w", path, err)
	}
	f.Close()
	ownerOnly(path)

	// Pragmas in the DSN apply to every pooled connection (bulk writes and
	// backups change some for a while and set them back to these).
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "temp_store(MEMORY)") // statement journals of big imports stay off the disk
	q.Add("_pragma", fmt.Sprintf("cache_size(-%d)", pageCacheKB))
	// No memory-mapped reads: with the 32 MB page cache they were no faster
	// (segment counts, search and paging measured the same), and the kernel
	// maps pages around every one touched, which counted 56 MB of a 100,000
	// patient file in the window's memory at start.
	q.Add("_pragma", "mmap_size(0)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("cannot open the database: %w", err)
	}
	s := &Store{db: sqlDB{db, sqliteEngine}, eng: sqliteEngine, path: path, Now: time.Now}
	if err := s.migrate(context.Background()); err != nil {
		db.Close()
		return nil, mapError(err)
	}
	return s, nil
}

// ownerOnly gives the database, its journal files and its backups
// owner-only modes: files made by older versions (or copied in) had the
// usual 0644.
func ownerOnly(path string) {
	for _, f := range []string{path, path + "-wal", path + "-shm", lockPath(path)} {
		if info, err := os.Stat(f); err == nil && info.Mode().Perm()&0o077 != 0 {
			os.Chmod(f, 0o600)
		}
	}
	dir := filepath.Join(filepath.Dir(path), "backups")
	if info, err := os.Stat(dir); err == nil && info.Mode().Perm()&0o077 != 0 {
		os.Chmod(dir, 0o700)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "kindly-*"))
	for _, f := range files {
		if info, err := os.Stat(f); err == nil && info.Mode().Perm()&0o077 != 0 {
			os.Chmod(f, 0o600)
		}
	}
}

// Close closes the database; the process's ownership ends with its last store.
func (s *Store) Close() error {
	s.stmts.Range(func(_, v any) bool {
		v.(*Stmt).Close()
		return true
	})
	err := s.db.Close()
	if s.release != nil {
		s.release()
	}
	return err
}

// prepared is query as a prepared statement, kept for the store's life:
// the sender runs a few statements once per email, and parsing them each
// time cost an eighth of its time.
func (s *Store) prepared(ctx context.Context, query string) (*Stmt, error) {
	if st, ok := s.stmts.Load(query); ok {
		return st.(*Stmt), nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, mapError(err)
	}
	if old, loaded := s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return old.(*Stmt), nil
	}
	return st, nil
}

// Path is the database file's path.
func (s *Store) Path() string { return s.path }

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("cannot prepare the database: %w", err)
	}
	names, err := fs.Glob(migrationFiles, s.eng.migrations())
	if err != nil {
		return err
	}
	type migration struct {
		version int
		name    string
	}
	var ms []migration
	for _, n := range names {
		base := filepath.Base(n)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s has no number", base)
		}
		ms = append(ms, migration{v, n})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })

	var current int
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("cannot read the database version: %w", err)
	}
	if len(ms) > 0 && current > ms[len(ms)-1].version {
		return fmt.Errorf("this database was written by a newer Kindly (schema %d); please update Kindly", current)
	}
	for _, m := range ms {
		if m.version <= current {
			continue
		}
		body, err := migrationFiles.ReadFile(m.name)
		if err != nil {
			return err
		}
		err = s.inTx(ctx, func(tx *Tx) error {
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
				m.version, s.stamp())
			return err
		})
		if err != nil {
			return fmt.Errorf("cannot upgrade the database (step %s): %w", filepath.Base(m.name), err)
		}
	}
	return nil
}

// latestMigration is the number of the newest migration this version has.
func latestMigration() int {
	names, _ := fs.Glob(migrationFiles, "migrations/*.sql")
	latest := 0
	for _, n := range names {
		if v, err := strconv.Atoi(strings.SplitN(filepath.Base(n), "_", 2)[0]); err == nil && v > latest {
			latest = v
		}
	}
	return latest
}

// SchemaVersion is the number of the newest migration applied.
func (s *Store) SchemaVersion() (int, error) {
	var v int
	err := s.db.QueryRow(`SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// inTx runs fn in one transaction, committing if fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return mapError(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return mapCommitError(tx.Commit())
}

// stamp is the current instant as stored text.
func (s *Store) stamp() string { return s.Now().UTC().Format(time.RFC3339) }

// Check runs SQLite's integrity check and says what is wrong, if anything.
func (s *Store) Check(ctx context.Context) error {
	var res string
	if err := s.db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return fmt.Errorf("cannot check the database: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("the database is damaged: %s", res)
	}
	return nil
}

// Clock is the current instant by the store's clock (Now).
func (s *Store) Clock() time.Time { return s.Now() }
