package data

import (
	"testing"

	"kindly/internal/pgtest"
)

// testDatabase is where a test's new database lives (pgtest.Database).
func testDatabase(t testing.TB) string {
	t.Helper()
	return pgtest.Database(t, func(address string) error {
		s, err := OpenServer(address, "")
		if err == nil {
			err = s.Close()
		}
		return err
	})
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
