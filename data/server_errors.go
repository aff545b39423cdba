package data

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// mapServerError gives a PostgreSQL error its kind, by its SQLSTATE code
// (PostgreSQL's manual, appendix A). Other errors pass unchanged.
func mapServerError(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	var kind error
	switch pe.Code {
	case "23505": // unique_violation
		kind = ErrDuplicate
	case "23503": // foreign_key_violation (ON DELETE RESTRICT included)
		kind = ErrInUse
	case "40001", "40P01", "55P03": // serialization_failure, deadlock_detected, lock_not_available
		kind = ErrBusy
	case "53100": // disk_full
		kind = ErrDiskFull
	case "XX001", "XX002": // data_corrupted, index_corrupted
		kind = ErrDamaged
	default:
		return err
	}
	return &dbError{kind: kind, cause: err}
}
