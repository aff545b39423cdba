package cli

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"kindly/data"
	"kindly/internal/pgtest"
	"kindly/internal/smtpfault"
	"kindly/mailer"
	"kindly/workflow"
)

// serverAddress is a new database on the throwaway server, as a practice
// names it: the address without its password, which is in the
// environment (KINDLY_DB_PASSWORD) for this test and the processes it starts.
func serverAddress(t *testing.T) string {
	t.Helper()
	srv := pgtest.Start(t)
	u, err := url.Parse(srv.NewDatabase(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(pgtest.User)
	t.Setenv(mailer.ServerPasswordEnv, pgtest.Password)
	return u.String()
}

// Two computers send the same campaign from one server database, one of
// them switched off (SIGKILL) at random moments and started again: the
// other is told who is sending, takes over when the lock is free, and
// every patient is delivered exactly once, as the mail server counts -
// the emails in flight at a kill are uncertain, never sent twice.
func TestTwoComputersKilledSendEveryoneOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two senders as subprocesses many times")
	}
	fs := smtpfault.Start(t)
	fs.Pace = 15 * time.Millisecond // a send of 250 emails takes seconds: kills land mid-run
	db := serverAddress(t)
	setupCampaignAt(t, db, fs.Port, 300)
	rng := rand.New(rand.NewPCG(11, 11))
	kills, busy := 0, 0
	start := func() (*exec.Cmd, *bytes.Buffer) {
		cmd := exec.Command(os.Args[0], "--db", db, "send", "Flu")
		cmd.Env = append(os.Environ(), "KINDLY_RUN_MAIN=1")
		var out bytes.Buffer
		cmd.Stderr, cmd.Stdout = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &out
	}
	for round := 0; round < 40; round++ {
		frontDesk, fdOut := start()
		time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond)
		doctor, drOut := start()
		done := make(chan *exec.Cmd, 2)
		for _, c := range []*exec.Cmd{frontDesk, doctor} {
			go func() { c.Wait(); done <- c }()
		}
		// Switch off one that is still running (most often the one sending:
		// the other is told at once that it is not its turn).
		time.Sleep(time.Duration(30+rng.IntN(150)) * time.Millisecond)
		first := <-done
		other := doctor
		if first == doctor {
			other = frontDesk
		}
		killed := false
		if other.ProcessState == nil && other.Process.Kill() == nil {
			kills++
			killed = true
		}
		<-done
		for _, out := range []*bytes.Buffer{fdOut, drOut} {
			if strings.Contains(out.String(), "is sending from the practice's database since") {
				busy++
			}
		}
		if !killed && frontDesk.ProcessState.Success() && doctor.ProcessState.Success() {
			break
		}
	}
	// A last run finishes the queue.
	cmd := exec.Command(os.Args[0], "--db", db, "send", "Flu")
	cmd.Env = append(os.Environ(), "KINDLY_RUN_MAIN=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("final run: %v\n%s", err, out)
	}
	ctx := context.Background()
	s, err := data.OpenServer(db, pgtest.Password)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.CampaignByName(ctx, "Flu")
	if err != nil {
		t.Fatal(err)
	}
	emails := deliveredOnce(t, s, c.ID, fs.Deliveries())
	sent, uncertain := len(emails[data.StatusSent]), len(emails[data.StatusUncertain])
	if left := emails[data.StatusQueued]; len(left) > 0 {
		t.Errorf("left queued after the last run: %q", left)
	}
	if uncertain > kills || kills < 8 || busy == 0 || sent == 0 {
		t.Errorf("%d kills, %d uncertain, %d sent, %d times told the other computer sends", kills, uncertain, sent, busy)
	}
	t.Logf("%d kills, %d uncertain, %d sent, told %d times that the other computer sends", kills, uncertain, sent, busy)
}

// The way onto the server from the command line: the administrator's SQL
// run, this computer's practice moved and checked, then used; a password
// in an address refused; the connection tested in plain words.
func TestServerCommands(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	t.Setenv(workflow.DatabaseEnv, "")
	srv := pgtest.Start(t)
	t.Setenv("PGPASSWORD", pgtest.Password) // the administrator's, as PostgreSQL's tools take it
	admin := "postgres://" + pgtest.User + "@127.0.0.1:" + itoa(srv.Port) + "/postgres?sslmode=disable"
	t.Cleanup(func() {
		srv.Exec(t, "DROP DATABASE IF EXISTS practice_cli WITH (FORCE)", "DROP ROLE IF EXISTS practice_cli")
	})

	out, err := kindly(t, "server", "init")
	if err != nil || !strings.Contains(out, "CREATE DATABASE kindly OWNER kindly") {
		t.Fatalf("init: %v\n%s", err, out)
	}
	out, err = kindlyIn(t, "the role's password\n", "server", "init", "--admin", admin, "--database", "practice_cli", "--role", "practice_cli", "--password-stdin")
	if err != nil || !strings.Contains(out, "kindly server connect postgres://practice_cli@") {
		t.Fatalf("init --admin: %v\n%s", err, out)
	}
	address := "postgres://practice_cli@127.0.0.1:" + itoa(srv.Port) + "/practice_cli?sslmode=disable"
	t.Setenv("PGPASSWORD", "")
	file := t.TempDir() + "/k.db"
	if out, err := kindly(t, "--db", file, "demo", "--patients", "120"); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	if _, err := kindly(t, "--db", strings.Replace(address, "practice_cli@", "practice_cli:secret@", 1), "segments"); err == nil ||
		!strings.Contains(err.Error(), "leave the password out") {
		t.Fatalf("a password in --db: %v", err)
	}
	if _, err := kindlyIn(t, "not it\n", "server", "test", address, "--password-stdin"); err == nil || !strings.Contains(err.Error(), "password") {
		t.Fatalf("test with a wrong password: %v", err)
	}
	t.Setenv(mailer.ServerPasswordEnv, "the role's password") // no keychain on this machine
	out, err = kindly(t, "--db", file, "server", "move-to", address)
	if err != nil || !strings.Contains(out, "Moved 120 patients onto") {
		t.Fatalf("move-to: %v\n%s", err, out)
	}
	out, err = kindly(t, "server", "status")
	if err != nil || !strings.Contains(out, "The practice server postgres://practice_cli@") {
		t.Fatalf("status: %v\n%s", err, out)
	}
	out, err = kindly(t, "segments")
	if err != nil || !strings.Contains(out, "Diabetes program") {
		t.Fatalf("segments on the server: %v\n%s", err, out)
	}
	if out, err := kindly(t, "server", "disconnect"); err != nil || !strings.Contains(out, "own database file") {
		t.Fatalf("disconnect: %v\n%s", err, out)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// kindlyIn runs the command line with stdin as its standard input.
func kindlyIn(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := Run(context.Background(), args, Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut, Now: testClock()})
	return out.String(), err
}
