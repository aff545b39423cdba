package data

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// The sending lock: one Kindly at a time sends from a database - a lock
// file beside a database file, an advisory lock on the practice server.

// ErrSenderBusy says another Kindly (a window or a command line) is
// sending from this database right now.
var ErrSenderBusy = errors.New("another Kindly (a window or the command line) is sending from this database right now; wait for it to finish, or close it")

// LockSending makes this process the only one sending from the database,
// until unlock. The lock is the operating system's: it ends with the
// process, however that ends.
func (s *Store) LockSending() (unlock func(), err error) {
	if s.eng.server {
		return s.lockSendingShared(context.Background())
	}
	l := flock.New(s.path + ".sending")
	ok, err := l.TryLock()
	if err != nil {
		return nil, fmt.Errorf("cannot take the sending lock: %w", err)
	}
	if !ok {
		return nil, ErrSenderBusy
	}
	if err := os.Chmod(l.Path(), 0o600); err != nil {
		l.Unlock()
		return nil, err
	}
	return func() { l.Unlock() }, nil
}

// sendingLock is the server's advisory lock that one Kindly of all the
// practice's computers holds while it sends.
const sendingLock = 0x4b696e646c7902 // "Kindly" 2

// keySendingBy names the computer that holds the sending lock and since
// when ("name", 0x1F, RFC 3339 time).
const keySendingBy = "sending.by"

// SenderBusyError says which computer is sending from the shared database,
// and since when.
type SenderBusyError struct {
	Computer string
	Since    time.Time
	Zone     *time.Location
}

func (e *SenderBusyError) Error() string {
	return fmt.Sprintf("the computer %q is sending from the practice's database since %s; wait for it to finish",
		e.Computer, e.Since.In(e.Zone).Format("15:04"))
}

func (e *SenderBusyError) Unwrap() error { return ErrSenderBusy }

// lockSendingShared takes the server's sending lock on a connection of its
// own: the server lets it go when that connection ends, however this
// Kindly ends (a computer switched off included).
func (s *Store) lockSendingShared(ctx context.Context) (func(), error) {
	s.sendLock.Lock()
	defer s.sendLock.Unlock()
	if err := s.takeSendingLock(ctx); err != nil {
		return nil, err
	}
	return func() {
		s.sendLock.Lock()
		defer s.sendLock.Unlock()
		if c := s.sendConn; c != nil {
			c.ExecContext(context.Background(), `SELECT pg_advisory_unlock(?)`, int64(sendingLock))
			c.Close()
			s.sendConn = nil
		}
	}, nil
}

// takeSendingLock takes the server's sending lock on a new connection,
// kept as s.sendConn (s.sendLock held).
func (s *Store) takeSendingLock(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("cannot take the sending lock: %w", ServerError(err))
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(?)`, int64(sendingLock)).Scan(&ok); err != nil {
		conn.Close()
		return fmt.Errorf("cannot take the sending lock: %w", ServerError(err))
	}
	if !ok {
		conn.Close()
		return s.senderBusy(ctx)
	}
	name, _ := os.Hostname()
	if name == "" {
		name = "another computer"
	}
	if err := s.setSetting(ctx, keySendingBy, name+"\x1f"+s.stamp()); err != nil {
		conn.ExecContext(ctx, `SELECT pg_advisory_unlock(?)`, int64(sendingLock))
		conn.Close()
		return err
	}
	s.sendConn = conn
	return nil
}

// KeepSending says whether this Kindly still holds the sending lock it
// took, and takes it again when the connection that held it was lost (the
// server let the lock go with it): nil when it holds it, a
// SenderBusyError when another computer took it meanwhile - the run must
// stop, and that computer goes on. A lock on a file cannot be lost.
func (s *Store) KeepSending(ctx context.Context) error {
	if !s.eng.server {
		return nil
	}
	s.sendLock.Lock()
	defer s.sendLock.Unlock()
	if s.sendConn == nil {
		return nil // not taken through this store
	}
	check, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var held bool
	err := s.sendConn.QueryRowContext(check, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'
		AND pid = pg_backend_pid() AND granted AND classid::bigint = ? AND objid::bigint = ? AND objsubid = 1)`,
		int64(sendingLock>>32), int64(sendingLock&0xffffffff)).Scan(&held)
	if err == nil && held {
		return nil
	}
	if err != nil && !Retryable(mapError(err)) {
		return fmt.Errorf("cannot check the sending lock: %w", ServerError(err))
	}
	s.sendConn.Close()
	s.sendConn = nil
	return s.takeSendingLock(ctx)
}

// senderBusy says who holds the sending lock, as far as the database knows.
func (s *Store) senderBusy(ctx context.Context) error {
	by, err := s.setting(ctx, keySendingBy, "")
	name, at, ok := strings.Cut(by, "\x1f")
	since, terr := time.Parse(time.RFC3339, at)
	if err != nil || !ok || terr != nil {
		return ErrSenderBusy
	}
	loc, err := s.Location(ctx)
	if err != nil {
		loc = time.UTC
	}
	return &SenderBusyError{Computer: name, Since: since, Zone: loc}
}
