package app

import (
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// agentFile is the launch agent that starts Kindly when the user logs in.
func agentFile() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, "Library", "LaunchAgents", "app.kindly.desktop.plist"), nil
}

// startsAtSignIn says whether macOS starts Kindly at login.
func startsAtSignIn() (bool, error) {
	f, err := agentFile()
	if err != nil {
		return false, err
	}
	_, err = os.Stat(f)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// setStartAtSignIn makes macOS start exe (inside Kindly.app: the app is
// opened) when this user logs in, or not.
func setStartAtSignIn(on bool, exe string) error {
	f, err := agentFile()
	if err != nil {
		return err
	}
	if !on {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	args := []string{exe}
	if i := strings.Index(exe, ".app/Contents/MacOS/"); i > 0 {
		args = []string{"/usr/bin/open", "-a", exe[:i+len(".app")]}
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>app.kindly.desktop</string>
	<key>ProgramArguments</key>
	<array>
`)
	for _, a := range args {
		b.WriteString("\t\t<string>")
		xml.EscapeText(&b, []byte(a))
		b.WriteString("</string>\n")
	}
	b.WriteString(`	</array>
	<key>RunAtLoad</key>
	<true/>
</dict>
</plist>
`)
	if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
		return err
	}
	return os.WriteFile(f, []byte(b.String()), 0o644)
}
