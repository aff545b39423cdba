package data

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// mapServerError gives a PostgreSQL error its kind, by its SQLSTATE code
// (PostgreSQL's manual, appendix A). Other errors pass unchanged.
func mapServerError(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		if lostConnection(err) {
			return &dbError{kind: ErrServerLost, cause: err}
		}
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
	case "57P01", "57P02", "57P03", "08000", "08003", "08006": // the server shutting down or starting, the connection gone
		kind = ErrServerLost
	case "XX001", "XX002": // data_corrupted, index_corrupted
		kind = ErrDamaged
	default:
		return err
	}
	return &dbError{kind: kind, cause: err}
}

// lostConnection says whether err is the connection to the server failing
// (not a refusal of what was asked): a network error, a connection closed
// under a statement, a server that cannot be reached.
func lostConnection(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, pgconn.ErrConnClosed) || pgconn.SafeToRetry(err) || pgconn.Timeout(err)
}

// Retryable says whether what failed may work when tried again in a while:
// the database busy with another program, or the practice server not
// answering (whether or not the error went through mapError).
func Retryable(err error) bool {
	return err != nil && (errors.Is(err, ErrBusy) || errors.Is(err, ErrServerLost) || lostConnection(err))
}
