package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"kindly/about"
	"kindly/data"
)

// The test binary is Kindly itself when KINDLY_RUN_MAIN is set, so these
// tests see what a user's terminal sees: the whole program, Fyne linked in.
func TestMain(m *testing.M) {
	if os.Getenv("KINDLY_RUN_MAIN") == "1" {
		os.Args = append([]string{"kindly"}, os.Args[1:]...)
		main()
		return
	}
	os.Exit(m.Run())
}

func runKindly(t *testing.T, env []string, args ...string) (stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "KINDLY_RUN_MAIN=1", "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir())
	cmd.Env = append(cmd.Env, env...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("kindly %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String(), errOut.String()
}

func TestVersion(t *testing.T) {
	info, err := about.Parse(fyneApp)
	if err != nil {
		t.Fatal(err)
	}
	out, errOut := runKindly(t, nil, "--version")
	if want := info.String() + "\n"; out != want || errOut != "" {
		t.Fatalf("kindly --version printed %q (stderr %q), want %q", out, errOut, want)
	}
	if !strings.HasPrefix(out, "Kindly "+info.Version+" (build ") {
		t.Errorf("version line %q", out)
	}
}

// Whatever the terminal's locale, the command line's output is its own:
// Fyne used to log "Error parsing user locale C" three times under C.UTF-8.
func TestNoFyneWarningsOnTheCommandLine(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kindly.db")
	for _, locale := range []string{"C", "C.UTF-8", "C.utf8", "POSIX", "en_US.UTF-8", "de_DE.UTF-8", ""} {
		env := []string{"LANG=" + locale, "LC_ALL=", "LC_MESSAGES=", "LANGUAGE="}
		out, errOut := runKindly(t, env, "--db", db, "segments")
		if errOut != "" || !strings.HasPrefix(out, "NAME") {
			t.Errorf("LANG=%q: stdout %q, stderr %q", locale, out, errOut)
		}
	}
	_, errOut := runKindly(t, []string{"LC_ALL=C.UTF-8"}, "--db", db, "campaigns")
	if errOut != "" {
		t.Errorf("LC_ALL=C.UTF-8: stderr %q", errOut)
	}
}

// One Kindly per database: while another process has it open, a second
// start says so plainly, in one line, and changes nothing.
func TestSecondKindlyIsTurnedAway(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kindly.db")
	s, err := data.Open(db) // this test process is the first Kindly
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cmd := exec.Command(os.Args[0], "--db", db, "segments")
	cmd.Env = append(os.Environ(), "KINDLY_RUN_MAIN=1", "LANG=C.UTF-8")
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); err == nil || code != 1 {
		t.Fatalf("exit %d, %v", code, err)
	}
	if got := string(out); !strings.HasPrefix(got, "kindly: another Kindly is already using this database") || strings.Count(got, "\n") != 1 {
		t.Fatalf("the second Kindly said %q", got)
	}
}
