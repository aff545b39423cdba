package data

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/gofrs/flock"
)

// ErrOpenElsewhere says another program - a Kindly window, or a command
// still running - has the database open. One process owns a database at a
// time: a restore must never swap the file under a running send.
var ErrOpenElsewhere = errors.New("another Kindly is already using this database (a window, or a command that is still running); close it (or let it finish) and try again")

// owners are this process's locks on databases, by path: the process may
// open its own database more than once (the window and its tests do);
// another process may not open it at all.
var owners = struct {
	sync.Mutex
	locks map[string]*ownerLock
}{locks: map[string]*ownerLock{}}

type ownerLock struct {
	lock *flock.Flock
	refs int
}

// lockPath is the file whose operating-system lock says who owns the
// database (not the database itself: SQLite locks that its own way).
func lockPath(db string) string { return db + ".lock" }

// own makes this process the database's owner, or says who is; first
// reports that no other store of this process has it open, so it may be
// replaced (a pending restore). The lock ends with the process, so a
// crash never leaves it behind.
func own(path string) (release func(), first bool, err error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, false, err
	}
	owners.Lock()
	defer owners.Unlock()
	o := owners.locks[abs]
	if o == nil {
		l := flock.New(lockPath(abs))
		ok, err := l.TryLock()
		if err != nil {
			return nil, false, fmt.Errorf("cannot lock the database: %w", err)
		}
		if !ok {
			return nil, false, ErrOpenElsewhere
		}
		os.Chmod(l.Path(), 0o600)
		o = &ownerLock{lock: l}
		owners.locks[abs] = o
	}
	o.refs++
	first = o.refs == 1
	var once sync.Once
	return func() {
		once.Do(func() {
			owners.Lock()
			defer owners.Unlock()
			if o.refs--; o.refs == 0 {
				o.lock.Unlock()
				delete(owners.locks, abs)
			}
		})
	}, first, nil
}
