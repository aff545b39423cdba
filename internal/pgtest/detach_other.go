//go:build !unix

package pgtest

import "os/exec"

func setDetached(*exec.Cmd) {}
