package app

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
)

// signInFile is the launch agent that starts Kindly when the user logs in.
func signInFile() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, "Library", "LaunchAgents", "app.kindly.desktop.plist"), nil
}

// signInEntry is the launch agent for exe: inside Kindly.app, the app is
// opened.
func signInEntry(exe string) []byte {
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
	return []byte(b.String())
}
