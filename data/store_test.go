package data

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// newTestStore opens a fresh database file in a temp folder with "now"
// pinned to 25 November 2026, 10:00 in New York. (Other packages' tests
// use internal/storetest, which this package cannot import.)
func newTestStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(testDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	if s.Server() {
		s.backupDir = t.TempDir()
	}
	t.Cleanup(func() { s.Close() })
	setZone(t, s, "America/New_York")
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	return s
}

// setZone changes the practice's time zone.
func setZone(t testing.TB, s *Store, zone string) {
	t.Helper()
	if err := s.setSetting(context.Background(), keyTimeZone, zone); err != nil {
		t.Fatal(err)
	}
}

func TestOpenCreatesPrivateFileAndMigrates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "kindly.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.SchemaVersion()
	if err != nil || v < 1 {
		t.Fatalf("schema version = %d, %v", v, err)
	}
	var mode string
	if err := s.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal mode = %q, %v", mode, err)
	}
	// Every pooled connection has foreign keys and the busy timeout.
	ctx := context.Background()
	conns := make([]interface{ Close() error }, 0, 3)
	for i := 0; i < 3; i++ {
		c, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var fk, busy int
		if err := c.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
			t.Fatalf("connection %d: foreign_keys = %d, %v", i, fk, err)
		}
		if err := c.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busy); err != nil || busy < 1000 {
			t.Fatalf("connection %d: busy_timeout = %d, %v", i, busy, err)
		}
	}
	for _, c := range conns {
		c.Close()
	}
	p := Patient{FirstName: "Ada", LastName: "Lovelace"}
	if err := s.CreatePatient(ctx, &p); err != nil {
		t.Fatal(err)
	}
	// The WAL and shared-memory files exist now, while the database is open.
	if runtime.GOOS != "windows" {
		for _, f := range []string{path, path + "-wal", path + "-shm"} {
			st, err := os.Stat(f)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("%s has mode %v, want 0600", filepath.Base(f), st.Mode().Perm())
			}
		}
	}
	s.Close()

	// Reopening applies nothing twice and keeps the data.
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	v2, _ := s.SchemaVersion()
	if v2 != v {
		t.Fatalf("schema version after reopen = %d, want %d", v2, v)
	}
	got, err := s.Patient(ctx, p.ID)
	if err != nil || got.LastName != "Lovelace" {
		t.Fatalf("patient after reopen = %+v, %v", got, err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kindly.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`INSERT INTO schema_migrations VALUES (999, 'x')`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(path); err == nil {
		t.Fatal("opening a database from a newer version should fail")
	}
}

func TestPatientLifecycle(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	p := Patient{ExternalID: " 42 ", FirstName: " Anna ", LastName: "Smith", Email: " Anna.Smith@Example.COM ",
		Phone: "+1 (555) 010-2030", BirthDate: Date{1950, 3, 4}, Sex: "f"}
	if err := s.CreatePatient(ctx, &p); err != nil {
		t.Fatal(err)
	}
	got, err := s.Patient(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != "anna.smith@example.com" || got.FirstName != "Anna" || got.ExternalID != "42" || got.Sex != "F" ||
		got.BirthDate != (Date{1950, 3, 4}) || got.CareConsent != CareAllowed || got.PromoConsent != PromoUnknown {
		t.Fatalf("stored patient = %+v", got)
	}

	dup := Patient{ExternalID: "42", LastName: "Other"}
	var ve *ValidationError
	if err := s.CreatePatient(ctx, &dup); !errors.As(err, &ve) {
		t.Fatalf("duplicate external id: err = %v, want a ValidationError", err)
	}
	bad := Patient{LastName: "X", Email: "not-an-email"}
	if err := s.CreatePatient(ctx, &bad); !errors.As(err, &ve) || ve.Field != "email" {
		t.Fatalf("bad email: err = %v", err)
	}
	if err := s.CreatePatient(ctx, &Patient{}); !errors.As(err, &ve) || ve.Field != "name" {
		t.Fatalf("no name: err = %v", err)
	}

	got.PromoConsent = PromoOptedIn
	got.Notes = "prefers mornings"
	if err := s.UpdatePatient(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if err := s.SetTags(ctx, p.ID, []string{"diabetes-program", "Smoker", " "}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddTag(ctx, p.ID, "smoker"); err != nil { // same tag, other case
		t.Fatal(err)
	}
	tags, _ := s.Tags(ctx, p.ID)
	if len(tags) != 2 || tags[0] != "diabetes-program" || tags[1] != "Smoker" {
		t.Fatalf("tags = %q", tags)
	}
	if err := s.RemoveTag(ctx, p.ID, "Smoker"); err != nil {
		t.Fatal(err)
	}
	for _, v := range []Visit{{PatientID: p.ID, Date: Date{2026, 10, 2}, Service: "Flu shot"}, {PatientID: p.ID, Date: Date{2026, 10, 2}, Service: "flu  shot"}} {
		if err := s.AddVisit(ctx, &v); err != nil {
			t.Fatal(err)
		}
	}
	visits, _ := s.Visits(ctx, p.ID)
	if len(visits) != 1 {
		t.Fatalf("the same service on the same day is one visit, got %+v", visits)
	}

	if err := s.SetArchived(ctx, p.ID, true); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountPatients(ctx, PatientQuery{}); n != 0 {
		t.Fatalf("archived patient still listed: %d", n)
	}
	if n, _ := s.CountPatients(ctx, PatientQuery{IncludeArchived: true}); n != 1 {
		t.Fatalf("archived patient not listed with IncludeArchived: %d", n)
	}

	if err := s.DeletePatient(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Patient(ctx, p.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted patient: err = %v", err)
	}
	var visitsLeft int
	s.db.QueryRow(`SELECT count(*) FROM visits`).Scan(&visitsLeft)
	if visitsLeft != 0 {
		t.Fatalf("visits of a deleted patient remain: %d", visitsLeft)
	}
	log, err := s.AuditLog(ctx, 10)
	if err != nil || len(log) == 0 || log[0].Action != "delete" {
		t.Fatalf("audit log = %+v, %v", log, err)
	}
	if err := s.DeletePatient(ctx, p.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleting twice: err = %v", err)
	}
}

func TestSearchAndList(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	people := []Patient{
		{FirstName: "Anna", LastName: "Smith", Email: "anna@example.com", Phone: "(555) 010-2030", BirthDate: Date{1950, 1, 1}},
		{FirstName: "Bob", LastName: "Smithers", Email: "bob@mail.org", Phone: "555 999 1111", BirthDate: Date{1980, 1, 1}},
		{FirstName: "Zoë", LastName: "Müller", Email: "", Phone: "", BirthDate: Date{2000, 1, 1}},
		{FirstName: "Carl", LastName: "Jones", Email: "smith.c@work.net"},
	}
	for i := range people {
		if err := s.CreatePatient(ctx, &people[i]); err != nil {
			t.Fatal(err)
		}
	}
	names := func(ps []Patient) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.FirstName)
		}
		return out
	}
	for _, tc := range []struct {
		search string
		want   []string
	}{
		{"smi", []string{"Carl", "Anna", "Bob"}}, // last name or email part
		{"anna smith", []string{"Anna"}},
		{"Smith, Anna", []string{"Anna"}},
		{"zoe", []string{"Zoë"}},
		{"muller", []string{"Zoë"}},
		{"555-010", []string{"Anna"}},
		{"5559991", []string{"Bob"}},
		{"bob@mail", []string{"Bob"}},
		{`"); DROP TABLE patients; --`, nil},
		{"*", []string{"Carl", "Zoë", "Anna", "Bob"}}, // no words: everyone
		{"nobody", nil},
	} {
		got, err := s.Patients(ctx, PatientQuery{Search: tc.search})
		if err != nil {
			t.Fatalf("search %q: %v", tc.search, err)
		}
		if g := names(got); !equalStrings(g, tc.want) {
			t.Errorf("search %q = %q, want %q", tc.search, g, tc.want)
		}
	}
	got, _ := s.Patients(ctx, PatientQuery{Sort: SortBirthDate, Descending: true, Limit: 2, Offset: 1})
	if g := names(got); !equalStrings(g, []string{"Bob", "Anna"}) {
		t.Errorf("page 2 by birth date desc = %q", g)
	}
	got, _ = s.Patients(ctx, PatientQuery{Sort: "birth_date; DROP TABLE patients"})
	if len(got) != 4 {
		t.Errorf("an unknown sort falls back to name: got %d rows", len(got))
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestBackup(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if err := s.CreatePatient(ctx, &Patient{LastName: "Kept"}); err != nil {
		t.Fatal(err)
	}
	path, err := s.Backup(ctx, "before import")
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || (runtime.GOOS != "windows" && st.Mode().Perm() != 0o600) {
		t.Fatalf("backup file: %v %v", st, err)
	}
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if n, _ := b.CountPatients(ctx, PatientQuery{}); n != 1 {
		t.Fatalf("backup holds %d patients, want 1", n)
	}
	list, _ := s.Backups()
	if len(list) != 1 || list[0] != path {
		t.Fatalf("backups = %q", list)
	}
}

func TestDateArithmetic(t *testing.T) {
	for _, tc := range []struct {
		born, on Date
		age      int
	}{
		{Date{2000, 2, 29}, Date{2001, 2, 28}, 0},
		{Date{2000, 2, 29}, Date{2001, 3, 1}, 1},
		{Date{2000, 2, 29}, Date{2004, 2, 29}, 4},
		{Date{1960, 12, 31}, Date{2026, 1, 1}, 65},
		{Date{1961, 1, 1}, Date{2026, 1, 1}, 65},
	} {
		if got := tc.born.AgeOn(tc.on); got != tc.age {
			t.Errorf("%v on %v: age %d, want %d", tc.born, tc.on, got, tc.age)
		}
	}
	if got := (Date{2026, 3, 31}).AddMonths(-1); got != (Date{2026, 2, 28}) {
		t.Errorf("31 March - 1 month = %v", got)
	}
	if got := (Date{2024, 2, 29}).AddYears(1); got != (Date{2025, 2, 28}) {
		t.Errorf("29 Feb 2024 + 1 year = %v", got)
	}
}

func TestScheduledRestore(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "kindly.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s.CreatePatient(ctx, &Patient{LastName: "Before"})
	backup, err := s.Backup(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	s.CreatePatient(ctx, &Patient{LastName: "After"})
	if _, err := s.ScheduleRestore(ctx, backup); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ps, _ := s.Patients(ctx, PatientQuery{})
	if len(ps) != 1 || ps[0].LastName != "Before" {
		t.Fatalf("after restore: %+v", ps)
	}
	list, _ := s.Backups()
	found := false
	for _, b := range list {
		found = found || strings.Contains(b, "before-restore")
	}
	if !found {
		t.Fatalf("the replaced database was not kept: %q", list)
	}
}

// A daily backup is taken when no backup is a day old; only the newest 14
// daily backups are kept, and other backups are never removed.
func TestDailyBackup(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if s.Server() { // the server's backups are its own (pg_dump): no computer copies it daily
		if path, err := s.DailyBackup(ctx); path != "" || err != nil {
			t.Fatalf("a daily backup of the server: %q, %v", path, err)
		}
		return
	}
	now := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	manual, err := s.Backup(ctx, "by hand")
	if err != nil {
		t.Fatal(err)
	}
	// A backup taken before deleting a patient goes after 14 days.
	beforeDelete, err := s.Backup(ctx, "before delete")
	if err != nil {
		t.Fatal(err)
	}
	if path, err := s.DailyBackup(ctx); err != nil || path != "" {
		t.Fatalf("a backup an hour old: daily backup %q, %v", path, err)
	}
	var daily []string
	for day := 1; day <= 20; day++ {
		now = now.Add(25 * time.Hour)
		path, err := s.DailyBackup(ctx)
		if err != nil || path == "" {
			t.Fatalf("day %d: %q, %v", day, path, err)
		}
		daily = append(daily, path)
		if again, _ := s.DailyBackup(ctx); again != "" {
			t.Fatalf("day %d: a second daily backup %q", day, again)
		}
	}
	list, _ := s.Backups()
	if slices.Contains(list, beforeDelete) {
		t.Errorf("the backup taken before a deletion outlived the rotation")
	}
	want := append([]string{manual}, daily[6:]...)
	slices.Sort(want)
	slices.Reverse(want)
	if !slices.Equal(list, want) {
		t.Fatalf("backups kept:\n%q\nwant the manual one and the newest 14 daily:\n%q", list, want)
	}
}

func TestBackupTaken(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	for file, want := range map[string]string{
		"/x/backups/kindly-20261126-143000.123-before-import.db": "2026-11-26 09:30 before import",
		"kindly-20261126-143000.123-2-daily.db":                  "2026-11-26 09:30 daily",
		"kindly-20260701-000000.000-by-hand.db":                  "2026-06-30 20:00 by hand",
		"something-else.db":                                      "not ours",
	} {
		got := "not ours"
		if at, why, ok := BackupTaken(file); ok {
			got = at.In(ny).Format("2006-01-02 15:04") + " " + why
		}
		if got != want {
			t.Errorf("%s: %q, want %q", file, got, want)
		}
	}
}

// A backup runs with a small cache and sorts on disk, then gives its
// connection back as every other one is.
func TestBackupRestoresConnectionSettings(t *testing.T) {
	s := newTestStore(t)
	if s.Server() {
		t.Skip("SQLite's page cache and temp store: the server has neither per connection")
	}
	s.db.SetMaxOpenConns(1) // the backup's connection is the one checked after
	if _, err := s.Backup(context.Background(), "settings"); err != nil {
		t.Fatal(err)
	}
	var cache, temp int
	if err := s.db.QueryRow(`PRAGMA cache_size`).Scan(&cache); err != nil {
		t.Fatal(err)
	}
	if err := s.db.QueryRow(`PRAGMA temp_store`).Scan(&temp); err != nil {
		t.Fatal(err)
	}
	if cache != -pageCacheKB || temp != 2 {
		t.Fatalf("after a backup: cache_size %d, temp_store %d (want %d and 2, memory)", cache, temp, -pageCacheKB)
	}
}

// Control characters and terminal escape codes never reach a stored name
// (and from there a subject line or a terminal), whether typed in the form
// or imported; notes keep their lines.
func TestPatientTextIsCleaned(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	p := Patient{FirstName: "Ann\x1b[31m\x07e", LastName: "Lee\tSmith\r\nJones", Email: " ANN@Example.com ", Notes: "line one\nline\x00 two\x1b]0;title\x07!\x1b]2;x\x1b\\"}
	if err := s.CreatePatient(ctx, &p); err != nil {
		t.Fatal(err)
	}
	got, err := s.Patient(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.FirstName != "Anne" || got.LastName != "Lee Smith Jones" || got.Email != "ann@example.com" || got.Notes != "line one\nline two!" {
		t.Errorf("stored %q %q %q %q", got.FirstName, got.LastName, got.Email, got.Notes)
	}
	got.PreferredName = "\x1b[2J\x1b[HBoss"
	if err := s.UpdatePatient(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.Patient(ctx, p.ID); again.PreferredName != "Boss" {
		t.Errorf("preferred name %q", again.PreferredName)
	}
	// Bytes of another encoding, or a character cut in two: shown as
	// such, and the server takes them too.
	got.PreferredName, got.Notes = "Zo\xc3", "M\xfcller\nok"
	if err := s.UpdatePatient(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.Patient(ctx, p.ID); again.PreferredName != "Zo\uFFFD" || again.Notes != "M\uFFFDller\nok" {
		t.Errorf("preferred name %q, notes %q", again.PreferredName, again.Notes)
	}
}
