package data

import (
	"context"
	"fmt"
	"time"
)

// AuditEntry is one line of the audit log: imports, exports, sends, deletions.
type AuditEntry struct {
	ID     int64
	At     time.Time
	Action string
	Detail string
}

// Audit adds a line to the audit log.
func (s *Store) Audit(ctx context.Context, action, detail string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO audit_log (at, action, detail) VALUES (?, ?, ?)`, s.stamp(), action, detail)
	if err != nil {
		return fmt.Errorf("cannot write the audit log: %w", err)
	}
	return nil
}

func (s *Store) auditTx(ctx context.Context, tx *Tx, action, detail string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, action, detail) VALUES (?, ?, ?)`, s.stamp(), action, detail)
	if err != nil {
		return fmt.Errorf("cannot write the audit log: %w", err)
	}
	return nil
}

// AuditLog lists the newest entries first.
func (s *Store) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	return queryAll(ctx, s, "read the audit log", `SELECT id, at, action, detail FROM audit_log ORDER BY id DESC LIMIT ?`,
		func(row scanner) (AuditEntry, error) {
			var e AuditEntry
			var at string
			err := row.Scan(&e.ID, &at, &e.Action, &e.Detail)
			e.At, _ = time.Parse(time.RFC3339, at)
			return e, err
		}, limit)
}
