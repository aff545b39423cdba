package data

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"kindly/internal/pgtest"
)

// onServer says whether this run's tests use the practice server
// (KINDLY_TEST_DB=postgres: the same tests, on a throwaway PostgreSQL).
var onServer = os.Getenv("KINDLY_TEST_DB") == "postgres"

var (
	templateOnce sync.Once
	templateErr  error
)

// testDatabase is where a test's new database lives: a file in its temp
// folder, or a new database on the throwaway server, copied from one the
// migrations were applied to once.
func testDatabase(t testing.TB) string {
	t.Helper()
	if !onServer {
		return filepath.Join(t.TempDir(), "kindly.db")
	}
	srv := pgtest.Start(t)
	templateOnce.Do(func() {
		srv.Exec(t, "CREATE DATABASE kindly_template")
		s, err := OpenServer(srv.URL("kindly_template"), "")
		if err == nil {
			s.Close()
		}
		templateErr = err
	})
	if templateErr != nil {
		t.Fatal(templateErr)
	}
	return srv.NewDatabase(t, "kindly_template")
}

func TestRebind(t *testing.T) {
	for in, want := range map[string]string{
		`SELECT ? , ?`:                        `SELECT $1 , $2`,
		`WHERE a BETWEEN ?1 AND ?2 OR b = ?1`: `WHERE a BETWEEN $1 AND $2 OR b = $1`,
		`SELECT '?', "a?" FROM t WHERE x = ?`: `SELECT '?', "a?" FROM t WHERE x = $1`,
		"-- what?\nSELECT ?":                  "-- what?\nSELECT $1",
		`SELECT 'it''s ?' WHERE a = ?`:        `SELECT 'it''s ?' WHERE a = $1`,
		`SELECT 1`:                            `SELECT 1`,
	} {
		if got := rebind(in); got != want {
			t.Errorf("rebind(%q) = %q, want %q", in, got, want)
		}
	}
}
