package data

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ErrFileInUse says a file could not be replaced because another program
// has it open: on Windows, an export still open in Excel, or a virus
// scanner reading a file just written.
var ErrFileInUse = errors.New("the file is open in another program")

// ReplaceFile moves from over to, as one step: readers see the old file
// or the new one, never half. Windows cannot replace a file another
// program holds open; a scanner's hold passes within moments, so the move
// is tried again for a while before the practice is asked to close it.
func ReplaceFile(from, to string) error {
	return replaceFile(from, to, os.Rename, fileInUse, 3*time.Second)
}

func replaceFile(from, to string, rename func(string, string) error, inUse func(error) bool, patience time.Duration) error {
	deadline := time.Now().Add(patience)
	wait := 20 * time.Millisecond
	for {
		err := rename(from, to)
		if err == nil {
			return nil
		}
		if !inUse(err) {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: close %s (in Excel, perhaps) and try again (%v)", ErrFileInUse, filepath.Base(to), err)
		}
		time.Sleep(wait)
		wait = min(2*wait, 500*time.Millisecond)
	}
}
