package cli

import (
	"bytes"
	"context"
	"kindly/data"
	"kindly/workflow"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// Every command answers --help with its usage, exit status 0, and opens
// no database.
func TestEveryCommandHasHelp(t *testing.T) {
	var paths [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		paths = append(paths, path)
		for _, sub := range c.Commands() {
			if sub.Name() != "help" {
				walk(sub, append(append([]string{}, path...), sub.Name()))
			}
		}
	}
	walk((&session{}).root(), nil)
	if len(paths) < 20 {
		t.Fatalf("only %d commands", len(paths))
	}
	db := filepath.Join(t.TempDir(), "never.db")
	for _, p := range paths {
		var out, errOut bytes.Buffer
		args := append(append([]string{"--db", db}, p...), "--help")
		code := Main(args, Env{Stdout: &out, Stderr: &errOut})
		if code != 0 || !strings.Contains(out.String(), "Usage:") || errOut.Len() != 0 {
			t.Errorf("kindly %s --help: exit %d, stdout %q, stderr %q", strings.Join(p, " "), code, out.String(), errOut.String())
		}
	}
	if fileExists(db) {
		t.Error("--help opened the database")
	}
	var out bytes.Buffer
	if code := Main([]string{"send", "--help"}, Env{Stdout: &out, Stderr: &out}); code != 0 || !strings.Contains(out.String(), "--dry-run") {
		t.Errorf("send --help: %d %q", code, out.String())
	}
}

// Errors are one line on stderr after "kindly:", with exit status 1.
func TestErrorsAreOneLine(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	for _, args := range [][]string{
		{"--db", db, "frobnicate"},
		{"--db", db, "segmnt"}, // cobra would suggest on a second line
		{"--db", db, "send"},
		{"--db", db, "send", "Nope", "--dry-run"},
		{"--db", db, "import", "patients", "/no/such/file.xlsx"},
		{"--db", db, "campaign"},
		{"--db", db, "campaign", "delete", "X"},
		{"--db", db, "cap", "--days", "0"},
		{"--db", db, "export", "patients", "--out", "x.txt"},
		{"--db", db, "demo", "--nope"},
	} {
		var out, errOut bytes.Buffer
		code := Main(args, Env{Stdout: &out, Stderr: &errOut, Stdin: strings.NewReader("")})
		lines := strings.Split(strings.TrimRight(errOut.String(), "\n"), "\n")
		if code != 1 || len(lines) != 1 || !strings.HasPrefix(lines[0], "kindly: ") || out.Len() != 0 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out.String(), errOut.String())
		}
	}
}

// With no command the window opens on the database (--demo fills an
// empty one first); a build without a window says so.
func TestNoCommandOpensTheWindow(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	env := Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
	if err := Run(context.Background(), []string{"--db", db}, env); err == nil || !strings.Contains(err.Error(), "no window") {
		t.Fatalf("no window and no command: %v", err)
	}
	patients := -1
	env.Window = func(ctx context.Context, w *workflow.Workflow) error {
		n, err := w.CountPatients(ctx, data.PatientQuery{})
		patients = n
		return err
	}
	if err := Run(context.Background(), []string{"--db", db, "--demo"}, env); err != nil || patients < 1500 {
		t.Fatalf("--demo: %d patients in the window, %v", patients, err)
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
