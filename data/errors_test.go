package data

import (
	"context"
	"strings"
	"testing"
)

// A foreign key SQLite checks only at COMMIT (deferred) is "in use", as it
// is when checked at the statement: decided by the result code, not by
// the driver's words.
func TestForeignKeyAtCommitIsInUse(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	for _, q := range []string{
		`CREATE TABLE t_parent (id INTEGER PRIMARY KEY)`,
		`CREATE TABLE t_child (parent_id INTEGER REFERENCES t_parent (id) DEFERRABLE INITIALLY DEFERRED)`,
	} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for _, deferred := range []bool{false, true} {
		err := s.inTx(ctx, func(tx *Tx) error {
			if !deferred {
				if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = OFF`); err != nil {
					return err
				}
				// A deferrable key is still checked at commit: make it immediate.
				_, err := tx.ExecContext(ctx, `INSERT INTO t_child (parent_id) SELECT 7 WHERE 0`)
				return mapError(err)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO t_child (parent_id) VALUES (7)`)
			return mapError(err) // fine here: checked at commit
		})
		if deferred && KindOf(err) != KindInUse {
			t.Errorf("at commit: %v is of kind %v, not in use", err, KindOf(err))
		}
	}
	// At the statement: a segment a campaign uses (ON DELETE RESTRICT).
	seg, err := s.SaveSegment(ctx, "Seniors", Rule{Kind: KindAll, Rules: []Rule{{Kind: KindAge, Min: ptr(65)}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO campaigns (name, purpose, segment_id, created_at, updated_at) VALUES ('Flu', 'care', ?, '', '')`, seg.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.db.ExecContext(ctx, `DELETE FROM segments WHERE id = ?`, seg.ID)
	if KindOf(mapError(err)) != KindInUse {
		t.Errorf("at the statement: %v is of kind %v, not in use", err, KindOf(mapError(err)))
	}
}

// mapError reads SQLITE_CONSTRAINT_TRIGGER as a restricted foreign key:
// that holds while no trigger of Kindly's raises an error itself.
func TestNoTriggerRaises(t *testing.T) {
	files, err := migrationFiles.ReadDir("migrations")
	if err != nil || len(files) == 0 {
		t.Fatal(files, err)
	}
	for _, f := range files {
		if f.IsDir() {
			continue
		}
		b, err := migrationFiles.ReadFile("migrations/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.ToUpper(string(b)), "RAISE(") {
			t.Errorf("%s: a trigger raises; mapError would take it for a foreign key", f.Name())
		}
	}
}
