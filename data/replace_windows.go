package data

import (
	"errors"
	"syscall"
)

// fileInUse says Windows refused a move because the file is open:
// ERROR_ACCESS_DENIED (5, what replacing an open file gives),
// ERROR_SHARING_VIOLATION (32) or ERROR_LOCK_VIOLATION (33).
func fileInUse(err error) bool {
	var errno syscall.Errno
	return errors.As(err, &errno) && (errno == 5 || errno == 32 || errno == 33)
}
