// Package storetest opens practice databases for tests: a real SQLite file
// in the test's temp folder, in a practice time zone, with "now" pinned.
// (The data package's own tests have their copy: they cannot import this.)
package storetest

import (
	"context"
	"testing"
	"time"

	"kindly/data"
	"kindly/internal/pgtest"
)

// Now is the moment tests pin by default: 25 November 2026, 10:00 in New York.
var Now = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

// Zone is the practice's time zone in tests.
const Zone = "America/New_York"

// Open opens a new database in the test's temp folder with the clock
// stopped at now (the zero time: Now). It is closed when the test ends.
func Open(tb testing.TB, now time.Time) *data.Store {
	tb.Helper()
	if now.IsZero() {
		now = Now
	}
	return OpenWithClock(tb, func() time.Time { return now })
}

// OpenWithClock opens a new database whose "now" is clock.
func OpenWithClock(tb testing.TB, clock func() time.Time) *data.Store {
	tb.Helper()
	s, err := data.Open(Database(tb))
	if err != nil {
		tb.Fatal(err)
	}
	if OnServer {
		s.SetBackupDir(tb.TempDir())
	}
	tb.Cleanup(func() { s.Close() })
	s.Now = clock
	SetZone(tb, s, Zone)
	return s
}

// OnServer says whether this run's tests use the practice server
// (KINDLY_TEST_DB=postgres: the same tests, on a throwaway PostgreSQL).
var OnServer = pgtest.OnServer

// Database is where a test's new database lives: a file in its temp
// folder, or (OnServer) a new database on the throwaway server
// (pgtest.Database).
func Database(tb testing.TB) string {
	tb.Helper()
	return pgtest.Database(tb, func(address string) error {
		s, err := data.OpenServer(address, "")
		if err == nil {
			err = s.Close()
		}
		return err
	})
}

// SetZone changes the practice's time zone.
func SetZone(tb testing.TB, s *data.Store, zone string) {
	tb.Helper()
	ctx := context.Background()
	st, err := s.Settings(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	st.TimeZone = zone
	if err := s.SaveSettings(ctx, st); err != nil {
		tb.Fatal(err)
	}
}
