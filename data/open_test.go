package data

import (
	"bytes"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gofrs/flock"
)

// Another program's file is refused untouched: no tables added, no mode
// changed, no lock file beside it.
func TestOpenRefusesOtherFilesUntouched(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", "file:"+other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("shopping list\n"), 0o644)
	os.Chmod(other, 0o644)
	for _, f := range []string{other, text} {
		before, _ := os.ReadFile(f)
		_, err := Open(f)
		if !errors.Is(err, ErrNotKindly) {
			t.Errorf("%s: err = %v", f, err)
		}
		after, _ := os.ReadFile(f)
		info, _ := os.Stat(f)
		if !bytes.Equal(before, after) || info.Mode().Perm() != 0o644 {
			t.Errorf("%s was changed (mode %v)", f, info.Mode().Perm())
		}
		if _, err := os.Stat(lockPath(f)); err == nil {
			t.Errorf("%s: a lock file was left beside it", f)
		}
	}
	// An empty file and a new name are Kindly's to make.
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o600)
	for _, f := range []string{empty, filepath.Join(dir, "new.db")} {
		s, err := Open(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		s.Close()
		if s, err := Open(f); err != nil { // and open again, as Kindly's
			t.Fatalf("%s again: %v", f, err)
		} else {
			s.Close()
		}
	}
}

// The owner's lock is the real file's: a link to a database in use is
// refused like the database itself.
func TestOwnerLockFollowsLinks(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "kindly.db")
	s, err := Open(real)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	link := filepath.Join(dir, "link.db")
	if err := os.Symlink(real, link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	// Another process holds the real file's lock.
	other := flock.New(lockPath(real))
	if ok, err := other.TryLock(); err != nil || !ok {
		t.Fatalf("lock: %v %v", ok, err)
	}
	defer other.Unlock()
	if _, err := Open(link); !errors.Is(err, ErrOpenElsewhere) {
		t.Fatalf("opened through a link while in use: %v", err)
	}
}

// A backup's journal left by a full disk and a restore killed half-way
// are cleaned at the next start.
func TestLeftoversCleanedAtStart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "kindly.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	os.MkdirAll(filepath.Join(dir, "backups"), 0o700)
	left := []string{path + ".restoring", path + ".restoring-wal", filepath.Join(dir, "backups", "kindly-20261201-090000.db.partial-journal"),
		filepath.Join(dir, "backups", "kindly-20261201-090000.db.partial")}
	for _, f := range left {
		os.WriteFile(f, []byte("patient data"), 0o600)
	}
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, f := range left {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s is still there", f)
		}
	}
}

// Bytes of another encoding and names of any length are refused with one
// line, before they reach every footer.
func TestNamesAreTextOfSensibleLength(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	st, _ := s.Settings(ctx)
	st.Practice = Practice{Name: "Clinic \xff\xfe", Address: "1 Main St"}
	var ve *ValidationError
	if err := s.SaveSettings(ctx, st); !errors.As(err, &ve) || ve.Field != "practice.name" {
		t.Errorf("invalid UTF-8: %v", err)
	}
	st.Practice.Name = string(bytes.Repeat([]byte("x"), 120000))
	if err := s.SaveSettings(ctx, st); !errors.As(err, &ve) || ve.Field != "practice.name" {
		t.Errorf("120,000 characters: %v", err)
	}
	st.Practice.Name = "Sunny Clinic – Zoë Müller" // accents and dashes are fine
	if err := s.SaveSettings(ctx, st); err != nil {
		t.Errorf("a good name: %v", err)
	}
	if _, err := s.SaveSegment(ctx, string(bytes.Repeat([]byte("s"), 101)), Rule{Kind: KindAll}); !errors.As(err, &ve) {
		t.Errorf("long segment name: %v", err)
	}
	if err := s.CreateCampaign(ctx, &Campaign{Name: "Flu \xc3", Purpose: PurposeCare}); !errors.As(err, &ve) {
		t.Errorf("campaign name: %v", err)
	}
	if err := s.SaveTemplate(ctx, &Template{Name: "T", Subject: "Hi \xff", Body: "x"}); !errors.As(err, &ve) {
		t.Errorf("template subject: %v", err)
	}
}
