//go:build !linux && !darwin && !windows

package data

// mountKind cannot tell a network drive on this system.
func mountKind(string) string { return "" }
