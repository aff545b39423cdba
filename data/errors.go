package data

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// The kinds of failure callers tell apart; wrapped errors carry the
// technical cause (errors.Is finds the kind).
var (
	// ErrNotFound: a record does not exist (any more).
	ErrNotFound = errors.New("not found")
	// ErrDuplicate: a record with the same unique value exists.
	ErrDuplicate = errors.New("already exists")
	// ErrInUse: a record others refer to cannot be removed.
	ErrInUse = errors.New("still in use")
	// ErrBusy: another program holds the database for longer than Kindly waits.
	ErrBusy = errors.New("the database is busy in another window or program; try again in a moment")
	// ErrServerLost: the practice server does not answer (the network, or
	// the server restarting); what did not reach it is tried again.
	ErrServerLost = errors.New("the practice server does not answer; Kindly tries again")
	// ErrDiskFull: the disk has no room for the change.
	ErrDiskFull = errors.New("the disk is full; free some space and try again")
	// ErrDamaged: the file is not a Kindly database, or it is damaged.
	ErrDamaged = errors.New("the database file is damaged or is not a Kindly database")
)

// ValidationError is a problem with what was typed, in words for the front desk.
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string { return e.Message }

// Longest names and texts: names reach subjects, footers, calendars and
// terminals, and every email carries the practice's details.
const (
	MaxNameLength      = 100  // a segment, campaign or template
	MaxPracticeName    = 120  // the practice
	MaxPracticeDetail  = 300  // its address, phone, email
	MaxSignatureLength = 1000 // its signature
)

// checkText refuses text that is not UTF-8 (bytes from another encoding
// passed on a command line) and text longer than max characters; what
// names the field in the message ("the segment's name").
func checkText(field, what, s string, max int) error {
	if !utf8.ValidString(s) {
		return &ValidationError{field, fmt.Sprintf("%s has characters that are not text (another encoding's bytes): type it again.", upperFirst(what))}
	}
	if n := utf8.RuneCountInString(s); n > max {
		return &ValidationError{field, fmt.Sprintf("%s is too long: %d characters, at most %d.", upperFirst(what), n, max)}
	}
	return nil
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// dbError is a database failure with its kind: errors.Is(err, ErrDuplicate)
// holds for a unique constraint, and the driver's message is kept.
type dbError struct {
	kind  error
	cause error
}

func (e *dbError) Error() string   { return e.kind.Error() + " (" + e.cause.Error() + ")" }
func (e *dbError) Unwrap() []error { return []error{e.kind, e.cause} }

// mapCommitError is mapError for a COMMIT: the only constraint SQLite
// checks at commit is a deferred foreign key, which it may report with the
// bare SQLITE_CONSTRAINT code.
func mapCommitError(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT {
		return &dbError{kind: ErrInUse, cause: err}
	}
	return mapError(err)
}

// mapError gives a SQLite or PostgreSQL error its kind, by its result code
// - with mapServerError, the one place that knows the drivers' codes. Other
// errors pass unchanged.
func mapError(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return mapServerError(err)
	}
	var kind error
	switch code := se.Code(); {
	case code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		kind = ErrDuplicate
	case code == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY,
		// ON DELETE RESTRICT runs as a trigger program that raises; Kindly's
		// own triggers never raise, so this code is a restricted key.
		code == sqlite3.SQLITE_CONSTRAINT_TRIGGER:
		kind = ErrInUse
	case code&0xff == sqlite3.SQLITE_BUSY || code&0xff == sqlite3.SQLITE_LOCKED:
		kind = ErrBusy
	case code&0xff == sqlite3.SQLITE_FULL:
		kind = ErrDiskFull
	case code&0xff == sqlite3.SQLITE_NOTADB || code&0xff == sqlite3.SQLITE_CORRUPT:
		kind = ErrDamaged
	default:
		return err
	}
	return &dbError{kind: kind, cause: err}
}
