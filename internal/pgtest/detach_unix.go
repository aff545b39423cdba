//go:build unix

package pgtest

import (
	"os/exec"
	"syscall"
)

// setDetached starts cmd in its own session: it outlives the test process.
func setDetached(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }
